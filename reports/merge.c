/* SPDX-License-Identifier: MIT */
/*
 * merge.c: `mmspec db merge OUT IN...`, databases from several machines or
 * workers combined into one.
 *
 * A run is the unit: it is keyed by runs.uuid, so a run already in OUT
 * (merged before, or recorded there) is skipped with everything that
 * belongs to it, and merging the same file twice adds nothing. Cases are
 * keyed by (file, name). A run's results, divergences, faults and
 * campaign_progress rows follow it with their ids remapped. Columns are
 * copied by name, those both sides have, so an input of an older schema
 * merges too (a version-1 run, which has no uuid, gets one derived from
 * what identifies it, the same on every merge).
 *
 * Atomicity: every input is opened read-only and checked (mmspec database,
 * schema not newer, PRAGMA quick_check) before OUT is touched; all the
 * writes are then one transaction on OUT, rolled back on any error, and an
 * OUT created by this merge is removed again. So on failure OUT is as it
 * was.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reportInt.h"
#include "store.h"

#define MERGE_BUSY_MS 10000
#define INPUT_BUSY_MS 3000

/* Source ids to destination ids, appended in increasing source order. */
typedef struct idmap {
	int64_t *from, *to;
	size_t n, cap;
} idmap;

static int idmap_add(idmap *m, int64_t from, int64_t to)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		int64_t *f = realloc(m->from, cap * sizeof(*f));
		if (!f)
			return -1;
		m->from = f;
		int64_t *t = realloc(m->to, cap * sizeof(*t));
		if (!t)
			return -1;
		m->to = t;
		m->cap = cap;
	}
	/* Keep it sorted: ids usually come in order, so this rarely moves. */
	size_t i = m->n;
	while (i && m->from[i - 1] > from) {
		m->from[i] = m->from[i - 1];
		m->to[i] = m->to[i - 1];
		i--;
	}
	m->from[i] = from;
	m->to[i] = to;
	m->n++;
	return 0;
}

static int64_t idmap_get(const idmap *m, int64_t from)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->from[mid] == from)
			return m->to[mid];
		if (m->from[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void idmap_free(idmap *m)
{
	free(m->from);
	free(m->to);
	memset(m, 0, sizeof(*m));
}

typedef struct input {
	const char *path;
	sqlite3 *db;
	int version;
} input;

typedef struct merge {
	sqlite3 *out;
	const char *out_path;
	char *err;
	size_t cap;
	report_merge_stats *st;
} merge;

static int sqlfail(merge *m, sqlite3 *db, int rc, const char *path)
{
	report_sql_error(db, rc, path, m->err, m->cap);
	return -1;
}

/* Opens and checks one input, read-only. */
static int open_input(merge *m, input *in)
{
	struct stat sb;
	int rc;

	if (stat(in->path, &sb) < 0) {
		snprintf(m->err, m->cap, "%s: %s", in->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
		snprintf(m->err, m->cap, "%s: not an mmspec database (%s)", in->path,
			 S_ISDIR(sb.st_mode) ? "a directory" : "not a regular file or empty");
		return -1;
	}
	rc = sqlite3_open_v2(in->path, &in->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK)
		return sqlfail(m, in->db, rc, in->path);
	sqlite3_extended_result_codes(in->db, 1);
	sqlite3_busy_timeout(in->db, INPUT_BUSY_MS);
	sqlite3_stmt *st = NULL;
	int64_t app = 0;
	rc = sqlite3_prepare_v2(in->db, "SELECT (SELECT application_id FROM pragma_application_id),"
				" (SELECT user_version FROM pragma_user_version)", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		app = sqlite3_column_int64(st, 0);
		in->version = sqlite3_column_int(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return sqlfail(m, in->db, rc, in->path);
	if (app != 0x6d6d7370 || in->version < 1) {
		snprintf(m->err, m->cap, "%s: not an mmspec database", in->path);
		return -1;
	}
	if (in->version > STORE_SCHEMA_VERSION) {
		snprintf(m->err, m->cap, "%s: schema version %d is newer than this mmspec (%d); upgrade mmspec",
			 in->path, in->version, STORE_SCHEMA_VERSION);
		return -1;
	}
	rc = sqlite3_prepare_v2(in->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
		snprintf(m->err, m->cap, "%s: database is corrupt (%s)", in->path, sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sqlfail(m, in->db, rc, in->path);
}

/* The column names of table in db (none if it does not exist). */
static int columns(sqlite3 *db, const char *table, char names[][64], int cap)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && n < cap)
		snprintf(names[n++], 64, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return n;
}

/*
 * The statements copying table's rows of one run: "SELECT id, c... FROM
 * table WHERE run_id = ?1" on the input, "INSERT INTO table (c...)" on the
 * output, over the columns both have but id. *ncol gets their count and
 * names their names. A table the input lacks gives no statements (0).
 */
static int copy_stmts(merge *m, input *in, const char *table, const char *where,
		      sqlite3_stmt **sel, sqlite3_stmt **ins, char names[][64], int *ncol)
{
	char src[48][64], dst[48][64], sql_s[4096], sql_i[4096];
	int ns = columns(in->db, table, src, 48), nd = columns(m->out, table, dst, 48);
	size_t ls, li, lv;
	char vals[1024];

	*sel = *ins = NULL;
	*ncol = 0;
	if (ns <= 0)
		return 0;
	ls = (size_t)snprintf(sql_s, sizeof(sql_s), "SELECT id");
	li = (size_t)snprintf(sql_i, sizeof(sql_i), "INSERT INTO %s (", table);
	lv = 0;
	for (int i = 0; i < ns; i++) {
		int k;
		if (!strcmp(src[i], "id"))
			continue;
		for (k = 0; k < nd && strcmp(src[i], dst[k]); k++)
			;
		if (k == nd)
			continue;
		ls += (size_t)snprintf(sql_s + ls, sizeof(sql_s) - ls, ", \"%s\"", src[i]);
		li += (size_t)snprintf(sql_i + li, sizeof(sql_i) - li, "%s\"%s\"", *ncol ? ", " : "", src[i]);
		lv += (size_t)snprintf(vals + lv, sizeof(vals) - lv, "%s?%d", *ncol ? ", " : "", *ncol + 1);
		memcpy(names[(*ncol)++], src[i], 64);
	}
	snprintf(sql_s + ls, sizeof(sql_s) - ls, " FROM %s WHERE %s ORDER BY id", table, where);
	snprintf(sql_i + li, sizeof(sql_i) - li, ") VALUES (%s)", vals);
	int rc = sqlite3_prepare_v2(in->db, sql_s, -1, sel, NULL);
	if (rc != SQLITE_OK)
		return sqlfail(m, in->db, rc, in->path);
	rc = sqlite3_prepare_v2(m->out, sql_i, -1, ins, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(*sel);
		*sel = NULL;
		return sqlfail(m, m->out, rc, m->out_path);
	}
	return 0;
}

/* FNV-1a, 64 bits: a version-1 run's stand-in uuid from what it recorded. */
static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

/* The destination id of a case, adding it when new. */
static int64_t case_id(merge *m, input *in, int64_t src_case, idmap *cases)
{
	int64_t id = idmap_get(cases, src_case);
	sqlite3_stmt *st = NULL, *add = NULL;
	int rc;

	if (id)
		return id;
	rc = sqlite3_prepare_v2(in->db, "SELECT file, name FROM cases WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlfail(m, in->db, rc, in->path);
	sqlite3_bind_int64(st, 1, src_case);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE) {
			snprintf(m->err, m->cap, "%s: a result names case %" PRId64 ", which is missing", in->path,
				 src_case);
			return -1;
		}
		return sqlfail(m, in->db, rc, in->path);
	}
	rc = sqlite3_prepare_v2(m->out, "INSERT INTO cases (file, name) VALUES (?1, ?2)"
				" ON CONFLICT (file, name) DO NOTHING", -1, &add, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_value(add, 1, sqlite3_column_value(st, 0));
		sqlite3_bind_value(add, 2, sqlite3_column_value(st, 1));
		rc = sqlite3_step(add);
		if (rc == SQLITE_DONE && sqlite3_changes(m->out))
			m->st->cases_added++;
	}
	sqlite3_finalize(add);
	if (rc == SQLITE_DONE)
		rc = sqlite3_prepare_v2(m->out, "SELECT id FROM cases WHERE file = ?1 AND name = ?2", -1, &add, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_value(add, 1, sqlite3_column_value(st, 0));
		sqlite3_bind_value(add, 2, sqlite3_column_value(st, 1));
		if ((rc = sqlite3_step(add)) == SQLITE_ROW)
			id = sqlite3_column_int64(add, 0);
	}
	sqlite3_finalize(add);
	sqlite3_finalize(st);
	if (!id)
		return sqlfail(m, m->out, rc, m->out_path);
	if (idmap_add(cases, src_case, id)) {
		snprintf(m->err, m->cap, "out of memory");
		return -1;
	}
	return id;
}

/*
 * Copies the rows of table belonging to source run src_run, with run_id
 * set to dst_run, case_id and result_id mapped. New result ids go into
 * results (when copying results). Adds the count to *count.
 */
static int copy_table(merge *m, input *in, const char *table, int64_t src_run, int64_t dst_run,
		      idmap *cases, idmap *results, int64_t *count)
{
	sqlite3_stmt *sel, *ins;
	char names[48][64];
	int ncol, rc;

	if (copy_stmts(m, in, table, "run_id = ?1", &sel, &ins, names, &ncol))
		return -1;
	if (!sel)
		return 0;
	sqlite3_bind_int64(sel, 1, src_run);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			sqlite3_value *v = sqlite3_column_value(sel, i + 1);
			if (!strcmp(names[i], "run_id")) {
				sqlite3_bind_int64(ins, i + 1, dst_run);
			} else if (!strcmp(names[i], "case_id")) {
				int64_t id = case_id(m, in, sqlite3_value_int64(v), cases);
				if (id < 0)
					goto fail;
				sqlite3_bind_int64(ins, i + 1, id);
			} else if (!strcmp(names[i], "result_id") && sqlite3_value_type(v) != SQLITE_NULL) {
				int64_t id = idmap_get(results, sqlite3_value_int64(v));
				if (id)
					sqlite3_bind_int64(ins, i + 1, id);
				else
					sqlite3_bind_null(ins, i + 1); /* its result is not in this run */
			} else {
				sqlite3_bind_value(ins, i + 1, v);
			}
		}
		int r2 = sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (r2 != SQLITE_DONE) {
			sqlfail(m, m->out, r2, m->out_path);
			goto fail;
		}
		if (!strcmp(table, "results") &&
		    idmap_add(results, sqlite3_column_int64(sel, 0), sqlite3_last_insert_rowid(m->out))) {
			snprintf(m->err, m->cap, "out of memory");
			goto fail;
		}
		(*count)++;
	}
	if (rc != SQLITE_DONE) {
		sqlfail(m, in->db, rc, in->path);
		goto fail;
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return 0;
fail:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return -1;
}

/* Merges one input's runs into the open transaction. */
static int merge_input(merge *m, input *in)
{
	sqlite3_stmt *sel = NULL, *ins = NULL, *seen = NULL;
	char names[48][64];
	int ncol, rc, has_uuid = 0, has_origin = 0;
	idmap cases = { 0 };
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	if (copy_stmts(m, in, "runs", "1", &sel, &ins, names, &ncol))
		return -1;
	if (!sel) {
		snprintf(m->err, m->cap, "%s: not an mmspec database (no runs table)", in->path);
		return -1;
	}
	for (int i = 0; i < ncol; i++) {
		has_uuid |= !strcmp(names[i], "uuid");
		has_origin |= !strcmp(names[i], "origin");
	}
	/* A version-1 input lacks uuid and origin: the output has them. */
	sqlite3_finalize(ins);
	ins = NULL;
	{
		char sql[4096];
		size_t l = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO runs (");
		for (int i = 0; i < ncol; i++)
			l += (size_t)snprintf(sql + l, sizeof(sql) - l, "%s\"%s\"", i ? ", " : "", names[i]);
		if (!has_uuid)
			l += (size_t)snprintf(sql + l, sizeof(sql) - l, ", uuid");
		if (!has_origin)
			l += (size_t)snprintf(sql + l, sizeof(sql) - l, ", origin");
		l += (size_t)snprintf(sql + l, sizeof(sql) - l, ") VALUES (");
		int n = ncol + !has_uuid + !has_origin;
		for (int i = 0; i < n; i++)
			l += (size_t)snprintf(sql + l, sizeof(sql) - l, "%s?%d", i ? ", " : "", i + 1);
		snprintf(sql + l, sizeof(sql) - l, ")");
		rc = sqlite3_prepare_v2(m->out, sql, -1, &ins, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(m->out, "SELECT id FROM runs WHERE uuid = ?1", -1, &seen, NULL);
		if (rc != SQLITE_OK) {
			sqlfail(m, m->out, rc, m->out_path);
			goto fail;
		}
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		int64_t src_run = sqlite3_column_int64(sel, 0);
		char uuid[80] = "", origin[4400] = "";
		const char *run_host = NULL;
		int origin_col = -1, uuid_col = -1;
		for (int i = 0; i < ncol; i++) {
			const char *v = (const char *)sqlite3_column_text(sel, i + 1);
			if (!strcmp(names[i], "uuid")) {
				uuid_col = i;
				snprintf(uuid, sizeof(uuid), "%s", v ? v : "");
			} else if (!strcmp(names[i], "origin")) {
				origin_col = i;
				if (v)
					snprintf(origin, sizeof(origin), "%s", v);
			} else if (!strcmp(names[i], "host")) {
				run_host = v;
			}
		}
		if (!uuid[0]) {
			uint64_t h = 0xcbf29ce484222325ULL;
			for (int i = 0; i < ncol; i++)
				if (!strcmp(names[i], "started_at") || !strcmp(names[i], "host") ||
				    !strcmp(names[i], "pid") || !strcmp(names[i], "options") ||
				    !strcmp(names[i], "kind") || !strcmp(names[i], "target"))
					h = fnv(h, (const char *)sqlite3_column_text(sel, i + 1));
			snprintf(uuid, sizeof(uuid), "v1-%016" PRIx64 "-%" PRId64, h, src_run);
		}
		if (!origin[0])
			snprintf(origin, sizeof(origin), "%s@%s", in->path, run_host && *run_host ? run_host : host);
		sqlite3_bind_text(seen, 1, uuid, -1, SQLITE_TRANSIENT);
		int r2 = sqlite3_step(seen);
		sqlite3_reset(seen);
		if (r2 == SQLITE_ROW) {
			m->st->runs_skipped++;
			continue;
		}
		if (r2 != SQLITE_DONE) {
			sqlfail(m, m->out, r2, m->out_path);
			goto fail;
		}
		for (int i = 0; i < ncol; i++) {
			if (i == uuid_col)
				sqlite3_bind_text(ins, i + 1, uuid, -1, SQLITE_TRANSIENT);
			else if (i == origin_col)
				sqlite3_bind_text(ins, i + 1, origin, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i + 1));
		}
		int k = ncol + 1;
		if (!has_uuid)
			sqlite3_bind_text(ins, k++, uuid, -1, SQLITE_TRANSIENT);
		if (!has_origin)
			sqlite3_bind_text(ins, k, origin, -1, SQLITE_TRANSIENT);
		r2 = sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (r2 != SQLITE_DONE) {
			sqlfail(m, m->out, r2, m->out_path);
			goto fail;
		}
		int64_t dst_run = sqlite3_last_insert_rowid(m->out);
		idmap results = { 0 };
		int bad = copy_table(m, in, "results", src_run, dst_run, &cases, &results, &m->st->results) ||
			  copy_table(m, in, "divergences", src_run, dst_run, &cases, &results, &m->st->divergences) ||
			  copy_table(m, in, "faults", src_run, dst_run, &cases, &results, &m->st->faults) ||
			  copy_table(m, in, "campaign_progress", src_run, dst_run, &cases, &results, &m->st->progress);
		idmap_free(&results);
		if (bad)
			goto fail;
		m->st->runs_added++;
	}
	if (rc != SQLITE_DONE) {
		sqlfail(m, in->db, rc, in->path);
		goto fail;
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_finalize(seen);
	idmap_free(&cases);
	return 0;
fail:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_finalize(seen);
	idmap_free(&cases);
	return -1;
}

static void remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

int report_merge(const char *out_path, const char *const *in, int nin,
		 report_merge_stats *stats, char *err, size_t errcap)
{
	merge m = { NULL, out_path, err, errcap, stats };
	input *ins = calloc((size_t)(nin ? nin : 1), sizeof(*ins));
	struct stat sb;
	int created = 0, rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (!ins) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	for (int i = 0; i < nin; i++) {
		ins[i].path = in[i];
		if (open_input(&m, &ins[i]))
			goto done;
	}
	created = stat(out_path, &sb) < 0 && errno == ENOENT;
	/* store_open creates or migrates OUT and refuses what is not ours. */
	store *s = NULL;
	if (store_open(out_path, &s, err, errcap) < 0) {
		created = 0; /* store_open left nothing of its own behind */
		goto done;
	}
	store_close(s);
	int r = sqlite3_open_v2(out_path, &m.out, SQLITE_OPEN_READWRITE, NULL);
	if (r == SQLITE_OK) {
		sqlite3_extended_result_codes(m.out, 1);
		sqlite3_busy_timeout(m.out, MERGE_BUSY_MS);
		r = sqlite3_exec(m.out, "PRAGMA foreign_keys = ON; BEGIN IMMEDIATE", NULL, NULL, NULL);
	}
	if (r != SQLITE_OK) {
		sqlfail(&m, m.out, r, out_path);
		goto done;
	}
	for (int i = 0; i < nin; i++)
		if (merge_input(&m, &ins[i])) {
			sqlite3_exec(m.out, "ROLLBACK", NULL, NULL, NULL);
			goto done;
		}
	r = sqlite3_exec(m.out, "COMMIT", NULL, NULL, NULL);
	if (r != SQLITE_OK) {
		sqlfail(&m, m.out, r, out_path);
		sqlite3_exec(m.out, "ROLLBACK", NULL, NULL, NULL);
		goto done;
	}
	rc = 0;
done:
	sqlite3_close(m.out);
	for (int i = 0; i < nin; i++)
		sqlite3_close(ins[i].db);
	free(ins);
	if (rc && created)
		remove_db(out_path);
	if (rc)
		memset(stats, 0, sizeof(*stats));
	return rc;
}

int report_db_main(int argc, char **argv, FILE *out, FILE *err)
{
	int json = 0, n = 0;
	const char **pos = calloc((size_t)argc + 1, sizeof(*pos));

	if (!pos)
		return REPORT_EXIT_BROKEN;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs("usage: mmspec db merge [--json] OUT IN...\n", out);
			free(pos);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(err, "mmspec db: unknown option '%s'\n", argv[i]);
			free(pos);
			return REPORT_EXIT_USAGE;
		} else
			pos[n++] = argv[i];
	}
	if (n < 3 || strcmp(pos[0], "merge")) {
		fputs(n && strcmp(pos[0], "merge") ? "mmspec db: unknown command (only merge)\n"
						   : "usage: mmspec db merge [--json] OUT IN...\n", err);
		free(pos);
		return REPORT_EXIT_USAGE;
	}
	report_merge_stats st;
	char msg[800];
	int r = report_merge(pos[1], pos + 2, n - 2, &st, msg, sizeof(msg));
	if (r) {
		fprintf(err, "mmspec db merge: %s; %s is unchanged\n", msg, pos[1]);
		free(pos);
		return REPORT_EXIT_USAGE;
	}
	if (json) {
		fputs("{\"out\": ", out);
		report_json_str(out, pos[1]);
		fprintf(out, ", \"inputs\": %d, \"runs_added\": %" PRId64 ", \"runs_skipped\": %" PRId64
			", \"cases_added\": %" PRId64 ", \"results\": %" PRId64 ", \"divergences\": %" PRId64
			", \"faults\": %" PRId64 ", \"campaign_progress\": %" PRId64 "}\n",
			n - 2, st.runs_added, st.runs_skipped, st.cases_added, st.results, st.divergences,
			st.faults, st.progress);
	} else
		fprintf(out, "merged %d file%s into %s: %" PRId64 " run%s added, %" PRId64 " already there;"
			" %" PRId64 " new cases, %" PRId64 " results, %" PRId64 " divergences, %" PRId64
			" faults, %" PRId64 " progress rows\n", n - 2, n == 3 ? "" : "s", pos[1], st.runs_added,
			st.runs_added == 1 ? "" : "s", st.runs_skipped, st.cases_added, st.results,
			st.divergences, st.faults, st.progress);
	free(pos);
	return 0;
}
