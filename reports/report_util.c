/* SPDX-License-Identifier: MIT */
/*
 * report_util.c: what every report shares: opening the database for
 * reading, resolving run arguments, JSON and HTML escaping, reading case
 * programs, the per-syscall tallies, the target matrix and the parser of
 * the address-space drawings the harness stores with each divergence.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reportInt.h"
#include "store.h"

const char *const report_class_names[RC_COUNT] = { "PASS", "FAIL", "XFAIL", "XPASS", "SKIP", "ERROR" };

int report_class_of(const char *result, const char *expected)
{
	int fail_expected = expected && !strcmp(expected, "FAIL");

	if (!result)
		return RC_ERROR;
	if (!strcmp(result, "PASS"))
		return fail_expected ? RC_XPASS : RC_PASS;
	if (!strcmp(result, "FAIL"))
		return fail_expected ? RC_XFAIL : RC_FAIL;
	if (!strcmp(result, "SKIP"))
		return RC_SKIP;
	return RC_ERROR;
}

/* ---- opening --------------------------------------------------------- */

void report_sql_error(sqlite3 *db, int rc, const char *path, char *err, size_t cap)
{
	const char *msg = db && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(err, cap, "%s: database is locked by another process", path);
		break;
	case SQLITE_NOTADB:
		snprintf(err, cap, "%s: not an mmspec database (%s)", path, msg);
		break;
	case SQLITE_CORRUPT:
		snprintf(err, cap, "%s: database is corrupt (%s)", path, msg);
		break;
	default:
		snprintf(err, cap, "%s: %s", path, msg);
	}
}

/* How long a report waits for a lock before it says "locked": shorter than
 * a writer's wait, since a reader in WAL mode only meets one when another
 * process holds the file exclusively. */
#define READ_BUSY_MS 3000
#define QUICK_CHECK_MAX (64 << 20)

static int read_version(sqlite3 *db, int64_t *app, int64_t *version, int64_t *objects)
{
	static const char *const q[3] = { "PRAGMA application_id", "PRAGMA user_version",
					   "SELECT count(*) FROM sqlite_master" };
	int64_t *v[3] = { app, version, objects };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, q[i], -1, &st, NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				*v[i] = sqlite3_column_int64(st, 0);
				rc = SQLITE_OK;
			}
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

int report_db_open(const char *path, sqlite3 **out, char *err, size_t cap)
{
	struct stat st;
	sqlite3 *db = NULL;
	int64_t app = 0, version = 0, objects = 0;
	int rc;

	*out = NULL;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			snprintf(err, cap, "%s: no such database (record one with `mmspec run --db %s`)",
				 path, path);
		else
			snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, cap, "%s: is a directory, not a database file", path);
		return -1;
	}
	if (st.st_size == 0) {
		snprintf(err, cap, "%s: empty file, not an mmspec database", path);
		return -1;
	}
	for (int pass = 0; pass < 2; pass++) {
		rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_extended_result_codes(db, 1);
			sqlite3_busy_timeout(db, READ_BUSY_MS);
			rc = read_version(db, &app, &version, &objects);
		}
		if (rc != SQLITE_OK) {
			report_sql_error(db, rc, path, err, cap);
			sqlite3_close(db);
			return -1;
		}
		if (app != 0x6d6d7370 || version < 1) {
			snprintf(err, cap, "%s: not an mmspec database (%s)", path,
				 app ? "another program's SQLite file" : "no mmspec schema");
			sqlite3_close(db);
			return -1;
		}
		if (version > STORE_SCHEMA_VERSION) {
			snprintf(err, cap, "%s: schema version %" PRId64 " is newer than this mmspec (%d);"
				 " upgrade mmspec", path, version, STORE_SCHEMA_VERSION);
			sqlite3_close(db);
			return -1;
		}
		if (version == STORE_SCHEMA_VERSION)
			break;
		/* An older file: migrate it the way every mmspec command does. */
		sqlite3_close(db);
		db = NULL;
		store *s = NULL;
		if (pass || store_open(path, &s, err, cap) < 0)
			return -1;
		store_close(s);
	}
	/* Reading everything once finds a corrupt file before any report. It
	 * costs a pass over the file, so only files up to QUICK_CHECK_MAX get
	 * it; in larger ones a corrupt page is reported when a query reads it. */
	if (st.st_size > QUICK_CHECK_MAX) {
		*out = db;
		return 0;
	}
	sqlite3_stmt *q = NULL;
	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), "ok")) {
		snprintf(err, cap, "%s: database is corrupt (%s)", path, sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW) {
		report_sql_error(db, rc, path, err, cap);
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

/* ---- runs ------------------------------------------------------------ */

static int64_t one_int(sqlite3 *db, const char *sql, const char *arg, int64_t iarg)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, iarg);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		v = -1;
	sqlite3_finalize(st);
	return v;
}

int64_t report_latest_run(sqlite3 *db)
{
	int64_t id = one_int(db, "SELECT max(r.run_id) FROM results r JOIN runs ru ON ru.id = r.run_id"
			     " WHERE ru.kind != 'fuzz' AND ?1 = 1", NULL, 1);

	if (id <= 0)
		id = one_int(db, "SELECT max(run_id) FROM results WHERE ?1 = 1", NULL, 1);

	if (id <= 0)
		id = one_int(db, "SELECT max(id) FROM runs WHERE ?1 = 1", NULL, 1);
	return id < 0 ? 0 : id;
}

int64_t report_resolve_run(sqlite3 *db, const char *arg, char *err, size_t cap)
{
	int64_t id;
	char *end;

	if (!strcmp(arg, "last") || !strcmp(arg, "latest"))
		id = one_int(db, "SELECT max(id) FROM runs WHERE ?1 = 1", NULL, 1);
	else if ((id = strtoll(arg, &end, 10)) > 0 && !*end && strlen(arg) < 8)
		id = one_int(db, "SELECT id FROM runs WHERE id = ?1", NULL, id);
	else if (strlen(arg) >= 8 && strspn(arg, "0123456789abcdef") == strlen(arg)) {
		char like[80];
		snprintf(like, sizeof(like), "%.64s*", arg);
		if (one_int(db, "SELECT count(*) FROM runs WHERE uuid GLOB ?1", like, 0) > 1) {
			snprintf(err, cap, "run '%s' is ambiguous (several run uuids start so)", arg);
			return 0;
		}
		id = one_int(db, "SELECT id FROM runs WHERE uuid GLOB ?1", like, 0);
	} else
		id = 0;
	if (id < 0) {
		snprintf(err, cap, "reading runs: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (id == 0)
		snprintf(err, cap, "no run '%s' in the database (`mmspec report runs` lists them)", arg);
	return id;
}

/* ---- output escaping --------------------------------------------------- */

void report_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void report_json_col(FILE *f, sqlite3_stmt *st, int col)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(st, col));
		break;
	case SQLITE_FLOAT:
		fprintf(f, "%.17g", sqlite3_column_double(st, col));
		break;
	case SQLITE_NULL:
		fputs("null", f);
		break;
	default:
		report_json_str(f, (const char *)sqlite3_column_text(st, col));
	}
}

void report_json_row(FILE *f, sqlite3_stmt *st)
{
	fputc('{', f);
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		if (i)
			fputs(", ", f);
		report_json_str(f, sqlite3_column_name(st, i));
		fputs(": ", f);
		report_json_col(f, st, i);
	}
	fputc('}', f);
}

void report_html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* ---- programs -------------------------------------------------------- */

int report_step_name(const char *line, size_t len, char name[32])
{
	size_t i = 0, n = 0;

	name[0] = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '[') { /* "[$c] " runs the step in process $c */
		while (i < len && line[i] != ']')
			i++;
		i++;
		while (i < len && line[i] == ' ')
			i++;
	}
	while (i + n < len && (isalnum((unsigned char)line[i + n]) || line[i + n] == '_') && n < 31)
		n++;
	if (!n || i + n >= len || line[i + n] != '(' || isdigit((unsigned char)line[i]))
		return 0;
	memcpy(name, line + i, n);
	name[n] = 0;
	return 1;
}

int report_step_line(const char *program, int step)
{
	int line = 0, k = 0;
	char name[32];

	for (const char *p = program; p && *p; line++) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (report_step_name(p, len, name) && k++ == step)
			return line;
		p = e ? e + 1 : p + len;
	}
	return -1;
}

/* ---- tallies ------------------------------------------------------- */

static report_tally *tally_get(report_tallies *t, const char *key)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key))
			return &t->v[i];
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 32;
		report_tally *v = realloc(t->v, (size_t)cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	report_tally *r = &t->v[t->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	return r;
}

void report_tallies_free(report_tallies *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int cmp_tally(const void *a, const void *b)
{
	return strcmp(((const report_tally *)a)->key, ((const report_tally *)b)->key);
}

int report_tally_run(sqlite3 *db, int64_t run, report_tallies *sys, report_tallies *files,
		     report_tally *totals, char *err, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db,
		"SELECT c.file, r.result, r.expected, r.program, r.message,"
		" (SELECT d.syscall FROM divergences d WHERE d.result_id = r.id ORDER BY d.id LIMIT 1)"
		" FROM results r JOIN cases c ON c.id = r.case_id WHERE r.run_id = ?1 ORDER BY r.id",
		-1, &st, NULL);

	memset(totals, 0, sizeof(*totals));
	if (rc != SQLITE_OK) {
		snprintf(err, cap, "reading results: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *file = (const char *)sqlite3_column_text(st, 0);
		int cls = report_class_of((const char *)sqlite3_column_text(st, 1),
					  (const char *)sqlite3_column_text(st, 2));
		const char *prog = (const char *)sqlite3_column_text(st, 3);
		const char *msg = (const char *)sqlite3_column_text(st, 4);
		const char *dsys = (const char *)sqlite3_column_text(st, 5);
		char name[32] = "";
		report_tally *t;

		totals->n[cls]++;
		t = tally_get(files, file ? file : "?");
		if (!t)
			goto oom;
		t->n[cls]++;
		if (cls == RC_FAIL || cls == RC_XFAIL || cls == RC_ERROR) {
			if (dsys && *dsys) {
				snprintf(name, sizeof(name), "%s", dsys);
			} else if (msg) {
				/* The harness quotes the failing step: "line 4: `mprotect(...) = 0`: ..." */
				const char *q = strchr(msg, '`');
				const char *e = q ? strchr(q + 1, '`') : NULL;
				if (e)
					report_step_name(q + 1, (size_t)(e - q - 1), name);
			}
			if (name[0]) {
				if (!(t = tally_get(sys, name)))
					goto oom;
				t->n[cls]++;
				continue;
			}
		}
		/* Each distinct syscall of the program once. */
		char seen[64][32];
		int nseen = 0;
		for (const char *p = prog; p && *p;) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (report_step_name(p, len, name)) {
				int k;
				for (k = 0; k < nseen && strcmp(seen[k], name); k++)
					;
				if (k == nseen && nseen < 64) {
					memcpy(seen[nseen++], name, sizeof(name));
					if (!(t = tally_get(sys, name)))
						goto oom;
					t->n[cls]++;
				}
			}
			p = e ? e + 1 : p + len;
		}
		if (!nseen) {
			if (!(t = tally_get(sys, "(none)")))
				goto oom;
			t->n[cls]++;
		}
	}
	if (rc != SQLITE_DONE) {
		report_sql_error(db, rc, "reading results", err, cap);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (sys->n)
		qsort(sys->v, (size_t)sys->n, sizeof(*sys->v), cmp_tally);
	if (files->n)
		qsort(files->v, (size_t)files->n, sizeof(*files->v), cmp_tally);
	return 0;
oom:
	sqlite3_finalize(st);
	snprintf(err, cap, "out of memory");
	return -1;
}

/* ---- the target matrix ---------------------------------------------- */

void report_target_label(const char *target, const char *release, char *buf, size_t cap)
{
	if (!target) {
		snprintf(buf, cap, "?");
	} else if (!strncmp(target, "vm:", 3) && release && isdigit((unsigned char)release[0])) {
		const char *p = strchr(release, '.');
		size_t n = p ? strcspn(p + 1, ".-+") + (size_t)(p - release) + 1 : strlen(release);
		snprintf(buf, cap, "vm:%.*s", (int)(n > 12 ? 12 : n), release);
	} else {
		snprintf(buf, cap, "%.*s", (int)cap - 1, target);
	}
}

/* host first, then VMs, then qemu-user, then the rest; by label within. */
static int target_rank(const report_target *t)
{
	if (t->target && !strcmp(t->target, "host"))
		return 0;
	if (t->target && !strncmp(t->target, "vm:", 3))
		return 1;
	if (t->target && !strcmp(t->target, "qemu-user"))
		return 2;
	return 3;
}

/* Versions compare by number: vm:6.12 after vm:6.1. */
static int label_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
		} else {
			if (*a != *b)
				return (unsigned char)*a - (unsigned char)*b;
			a++;
			b++;
		}
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int cmp_target(const void *x, const void *y)
{
	const report_target *a = x, *b = y;
	int ra = target_rank(a), rb = target_rank(b);

	return ra != rb ? ra - rb : label_cmp(a->label, b->label);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	return s ? strdup(s) : NULL;
}

void report_matrix_free(report_matrix *m)
{
	for (int i = 0; i < m->nt; i++) {
		free(m->t[i].target);
		free(m->t[i].release);
	}
	for (int i = 0; i < m->nrows; i++) {
		free(m->rows[i].file);
		free(m->rows[i].name);
		free(m->rows[i].cell);
	}
	free(m->t);
	free(m->rows);
	memset(m, 0, sizeof(*m));
}

int report_matrix_load(sqlite3 *db, int signatures, report_matrix *m, char *err, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc, rcap = 0;

	memset(m, 0, sizeof(*m));
	m->signatures = signatures;
	/* The targets, each with the release of its latest run. */
	rc = sqlite3_prepare_v2(db,
		"SELECT ru.target, (SELECT l.kernel_release FROM runs l WHERE l.target IS ru.target"
		"  ORDER BY l.started_at DESC, l.id DESC LIMIT 1), max(ru.id)"
		" FROM runs ru GROUP BY ru.target", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlerr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		report_target *v = realloc(m->t, (size_t)(m->nt + 1) * sizeof(*v));
		if (!v)
			goto oom;
		m->t = v;
		report_target *t = &m->t[m->nt++];
		memset(t, 0, sizeof(*t));
		t->target = dup_col(st, 0);
		t->release = dup_col(st, 1);
		t->latest_run = sqlite3_column_int64(st, 2);
		report_target_label(t->target, t->release, t->label, sizeof(t->label));
	}
	if (rc != SQLITE_DONE)
		goto sqlerr;
	sqlite3_finalize(st);
	st = NULL;
	if (m->nt)
		qsort(m->t, (size_t)m->nt, sizeof(*m->t), cmp_target);
	/* Two targets with one label (two VMs of one version) get #2, #3. */
	for (int i = 1; i < m->nt; i++)
		for (int j = 0, k = 2; j < i; j++)
			if (!strcmp(m->t[i].label, m->t[j].label)) {
				size_t n = strlen(m->t[i].label);
				snprintf(m->t[i].label + (n > 20 ? 20 : n), sizeof(m->t[i].label) - (n > 20 ? 20 : n),
					 "#%d", k++);
				j = -1;
			}

	rc = sqlite3_prepare_v2(db, signatures
		? "SELECT NULL, signature, target, count FROM v_signature_targets"
		  " ORDER BY signature"
		: "SELECT file, name, target, class FROM v_matrix ORDER BY file, name",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlerr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *file = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *target = (const char *)sqlite3_column_text(st, 2);
		report_matrix_row *r = m->nrows ? &m->rows[m->nrows - 1] : NULL;

		if (!name)
			name = "";
		if (!r || strcmp(r->name, name) || (file && (!r->file || strcmp(r->file, file)))) {
			if (m->nrows == rcap) {
				rcap = rcap ? rcap * 2 : 64;
				report_matrix_row *v = realloc(m->rows, (size_t)rcap * sizeof(*v));
				if (!v)
					goto oom;
				m->rows = v;
			}
			r = &m->rows[m->nrows++];
			memset(r, 0, sizeof(*r));
			r->file = file ? strdup(file) : NULL;
			r->name = strdup(name);
			r->cell = malloc((size_t)(m->nt ? m->nt : 1) * sizeof(int));
			if (!r->name || !r->cell)
				goto oom;
			for (int i = 0; i < m->nt; i++)
				r->cell[i] = signatures ? 0 : -1;
		}
		int ti;
		for (ti = 0; ti < m->nt; ti++)
			if ((!target && !m->t[ti].target) ||
			    (target && m->t[ti].target && !strcmp(target, m->t[ti].target)))
				break;
		if (ti == m->nt)
			continue;
		if (signatures) {
			r->cell[ti] = sqlite3_column_int(st, 3);
		} else {
			const char *cls = (const char *)sqlite3_column_text(st, 3);
			int c;
			for (c = 0; c < RC_COUNT && (!cls || strcmp(cls, report_class_names[c])); c++)
				;
			r->cell[ti] = c < RC_COUNT ? c : RC_ERROR;
			m->t[ti].n[r->cell[ti]]++;
		}
	}
	if (rc != SQLITE_DONE)
		goto sqlerr;
	sqlite3_finalize(st);
	for (int i = 0; i < m->nrows; i++) {
		report_matrix_row *r = &m->rows[i];
		if (signatures) {
			r->interesting = 1;
			continue;
		}
		/* Worth a line: anything but a pass or skip somewhere, or the
		 * targets disagree (a skip on one is not a disagreement). */
		int first = -1;
		for (int t = 0; t < m->nt; t++) {
			int c = r->cell[t];
			if (c < 0 || c == RC_SKIP)
				continue;
			if (c != RC_PASS || (first >= 0 && c != first))
				r->interesting = 1;
			first = c;
		}
	}
	return 0;
sqlerr:
	report_sql_error(db, rc, "reading the matrix", err, cap);
	sqlite3_finalize(st);
	report_matrix_free(m);
	return -1;
oom:
	snprintf(err, cap, "out of memory");
	sqlite3_finalize(st);
	report_matrix_free(m);
	return -1;
}

/* ---- drawings -------------------------------------------------------- */

/* Reads "A", "A+3p", "A-1p" or "0x1000" at *p; advances it. */
static int parse_addr(const char **p, report_addr *a)
{
	const char *s = *p;
	char *end;

	if (*s == 'A') {
		a->rel = 1;
		a->v = 0;
		s++;
		if (*s == '+' || *s == '-') {
			long long n = strtoll(s + 1, &end, 10);
			if (end == s + 1 || *end != 'p')
				return -1;
			a->v = *s == '-' ? -n : n;
			s = end + 1;
		}
	} else if (s[0] == '0' && s[1] == 'x') {
		unsigned long long v = strtoull(s, &end, 16);
		if (end == s + 2)
			return -1;
		a->rel = 0;
		a->v = (int64_t)v;
		s = end;
	} else {
		return -1;
	}
	*p = s;
	return 0;
}

/* Pages from base to a, when both are of one kind; else INT64_MIN. */
static int64_t pages_from(const report_addr *base, const report_addr *a)
{
	if (base->rel != a->rel)
		return INT64_MIN;
	return base->rel ? a->v - base->v : (a->v - base->v) / 4096;
}

int64_t report_vma_page(const report_layout *l, int i, int end)
{
	if (i < 0 || i >= l->nvmas || l->base.rel < 0)
		return INT64_MIN;
	return pages_from(&l->base, end ? &l->vmas[i].end : &l->vmas[i].start);
}

int report_layout_parse(const char *text, report_layout *out)
{
	const char *p = text, *bar, *end;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return -1;
	bar = strchr(p, '|');
	const char *nl = strchr(p, '\n');
	if (!bar || (nl && bar > nl))
		return -1;
	end = strchr(bar + 1, '|');
	if (!end || (nl && end > nl))
		return -1;
	size_t bl = (size_t)(bar - p);
	while (bl && p[bl - 1] == ' ')
		bl--;
	snprintf(out->base_text, sizeof(out->base_text), "%.*s", (int)bl, p);
	const char *bp = out->base_text;
	if (parse_addr(&bp, &out->base) < 0)
		out->base.rel = -1;
	size_t sl = (size_t)(end - bar - 1);
	if (sl > REPORT_STRIP_MAX)
		sl = REPORT_STRIP_MAX;
	memcpy(out->strip, bar + 1, sl);
	out->strip[sl] = 0;
	out->more = !strncmp(end + 1, "...", 3);
	p = nl ? nl + 1 : end + strlen(end);
	while (*p && out->nvmas < REPORT_VMAS_MAX) {
		const char *e = strchr(p, '\n');
		const char *q = p;
		report_vma v;
		while (*q == ' ')
			q++;
		if (*q == '[' && (q++, parse_addr(&q, &v.start) == 0) && q[0] == ',' && q[1] == ' ' &&
		    (q += 2, parse_addr(&q, &v.end) == 0) && q[0] == ')' && q[1] == ' ') {
			q += 2;
			size_t n = strcspn(q, " \n");
			if (n >= sizeof(v.perms))
				n = sizeof(v.perms) - 1;
			memcpy(v.perms, q, n);
			v.perms[n] = 0;
			out->vmas[out->nvmas++] = v;
		}
		if (!e)
			break;
		p = e + 1;
	}
	/* Each page's permissions, from the VMA over it, when the base and the
	 * VMA are written alike ("?" when not: the drawing was cut short). */
	for (size_t i = 0; i < sl; i++) {
		if (out->strip[i] == '.')
			continue;
		snprintf(out->page_perms[i], sizeof(out->page_perms[i]), "?");
		for (int k = 0; k < out->nvmas && out->base.rel >= 0; k++) {
			int64_t s = pages_from(&out->base, &out->vmas[k].start);
			int64_t e = pages_from(&out->base, &out->vmas[k].end);
			if (s != INT64_MIN && e != INT64_MIN && s <= (int64_t)i && (int64_t)i < e) {
				snprintf(out->page_perms[i], sizeof(out->page_perms[i]), "%s",
					 out->vmas[k].perms);
				break;
			}
		}
	}
	return 0;
}

int report_layout_diff(const report_layout *m, const report_layout *k, char *diff, int cap)
{
	int ml = (int)strlen(m->strip), kl = (int)strlen(k->strip), n = ml > kl ? ml : kl, count = 0;

	for (int i = 0; i < n && i < cap; i++) {
		char a = i < ml ? m->strip[i] : '.', b = i < kl ? k->strip[i] : '.';
		int d = (a == '.') != (b == '.');
		if (!d && a != '.' && strcmp(m->page_perms[i], k->page_perms[i]))
			d = 1;
		if (!d && i > 0) {
			/* A boundary before page i on one side only. */
			char pa = i - 1 < ml ? m->strip[i - 1] : '.', pb = i - 1 < kl ? k->strip[i - 1] : '.';
			if ((pa != a) != (pb != b))
				d = 1;
		}
		diff[i] = (char)d;
		count += d;
	}
	return count;
}
