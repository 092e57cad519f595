/* SPDX-License-Identifier: MIT */
/*
 * report.c: `mmspec report`, the terminal and JSON side.
 *
 *   runs | summary [RUN] | divergences [filters] | show ID | diff RUN_A RUN_B
 *   | matrix [--signatures] [--all] | export --format json|junit|ktap|html
 *   | html --out DIR
 *
 * Every subcommand reads the database on a read-only connection, prints a
 * table that fits 100 columns, or with --json one JSON document for
 * scripts. Options may come before or after the subcommand.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reportInt.h"

typedef struct opts {
	const char *db_path;
	int json;
	const char *run, *signature, *syscall, *since, *format, *out;
	int limit, all, signatures;
	const char *pos[8];
	int npos;
} opts;

typedef struct ctx {
	sqlite3 *db;
	const opts *o;
	FILE *out, *err;
} ctx;

static void usage(FILE *f)
{
	fputs("usage: mmspec report [--db FILE] [--json] COMMAND [ARGS]\n"
	      "  runs                          every run, newest last\n"
	      "  summary [RUN]                 results by class, syscall and suite file\n"
	      "  divergences [--run RUN] [--signature GLOB] [--syscall NAME]\n"
	      "              [--since DATE|RUN] [--limit N]\n"
	      "  show ID                       one divergence, both address spaces drawn\n"
	      "  diff RUN_A RUN_B              new, fixed and persisting signatures;\n"
	      "                                exit 1 when B has new ones (or new failures)\n"
	      "  matrix [--signatures] [--all] latest result of each case on each target\n"
	      "  export --format json|junit|ktap|html [--run RUN] [--out FILE|DIR]\n"
	      "  html --out DIR                the static HTML report\n"
	      "RUN: a run id, `last`, or a run uuid (or 8+ of its first digits)\n", f);
}

/* ---- tables -------------------------------------------------------- */

#define TBL_MAX 14

typedef struct table {
	int ncol;
	const char *hdr[TBL_MAX];
	int cap[TBL_MAX];   /* widest a cell may be; longer cells end in ".." */
	int right[TBL_MAX]; /* right-aligned (numbers) */
	char **cells;
	int nrows, rcap;
} table;

static void tbl_row(table *t, ...)
{
	va_list ap;

	if (t->nrows == t->rcap) {
		t->rcap = t->rcap ? t->rcap * 2 : 64;
		char **c = realloc(t->cells, (size_t)t->rcap * (size_t)t->ncol * sizeof(*c));
		if (!c)
			return;
		t->cells = c;
	}
	va_start(ap, t);
	for (int i = 0; i < t->ncol; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncol + i] = strdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

static void tbl_print(table *t, FILE *f)
{
	int w[TBL_MAX];

	for (int c = 0; c < t->ncol; c++) {
		w[c] = (int)strlen(t->hdr[c]);
		for (int r = 0; r < t->nrows; r++) {
			int l = (int)strlen(t->cells[r * t->ncol + c]);
			if (l > w[c])
				w[c] = l;
		}
	}
	/* Natural widths when they fit 100 columns; else the columns over
	 * their caps give way, the one furthest over first. */
	for (;;) {
		int total = 2 * (t->ncol - 1), worst = -1, over = 0;
		for (int c = 0; c < t->ncol; c++) {
			total += w[c];
			if (t->cap[c] && w[c] - t->cap[c] > over) {
				over = w[c] - t->cap[c];
				worst = c;
			}
		}
		if (total <= 100 || worst < 0)
			break;
		w[worst]--;
	}
	for (int r = -1; r < t->nrows; r++) {
		char line[1024];
		size_t n = 0;
		for (int c = 0; c < t->ncol; c++) {
			const char *s = r < 0 ? t->hdr[c] : t->cells[r * t->ncol + c];
			int l = (int)strlen(s), last = c == t->ncol - 1;
			char cell[512];
			if (l > w[c])
				snprintf(cell, sizeof(cell), "%.*s..", w[c] - 2, s);
			else
				snprintf(cell, sizeof(cell), "%s", s);
			if (t->right[c])
				n += (size_t)snprintf(line + n, sizeof(line) - n, "%*s%s", w[c], cell, last ? "" : "  ");
			else
				n += (size_t)snprintf(line + n, sizeof(line) - n, "%-*s%s", last ? 0 : w[c], cell,
						      last ? "" : "  ");
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
		}
		while (n && line[n - 1] == ' ')
			line[--n] = 0;
		fprintf(f, "%s\n", line);
	}
	for (int i = 0; i < t->nrows * t->ncol; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->rcap = 0;
}

static const char *num(char *buf, int64_t v)
{
	sprintf(buf, "%" PRId64, v);
	return buf;
}

/* "2026-12-03T07:10:29.775Z" as "2026-12-03 07:10". */
static const char *when(char *buf, const char *iso)
{
	if (!iso)
		return "";
	snprintf(buf, 17, "%s", iso);
	if (buf[10] == 'T')
		buf[10] = ' ';
	return buf;
}

/* A suite file as it reads best: from "suites/" on, else as stored. */
static const char *short_file(const char *f)
{
	const char *s = f ? strstr(f, "suites/") : NULL;
	if (!s && f)
		s = strstr(f, "tests/");
	return s ? s : f ? f : "";
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static sqlite3_stmt *prep(ctx *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		char err[600];
		report_sql_error(c->db, rc, c->o->db_path, err, sizeof(err));
		fprintf(c->err, "mmspec report: %s\n", err);
		return NULL;
	}
	return st;
}

/* Ends a statement's loop: 0 when it ran to the end, else reports. */
static int done(ctx *c, sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		return 0;
	char err[600];
	report_sql_error(c->db, rc, c->o->db_path, err, sizeof(err));
	fprintf(c->err, "mmspec report: %s\n", err);
	return -1;
}

/* Prints every row of st as a JSON array. Returns 0 or -1. */
static int json_rows(ctx *c, sqlite3_stmt *st)
{
	int rc, n = 0;

	fputc('[', c->out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(n++ ? ",\n " : "\n ", c->out);
		report_json_row(c->out, st);
	}
	fputs(n ? "\n]" : "]", c->out);
	return done(c, st, rc);
}

/* Resolves the run named by arg, reporting an unknown one. */
static int64_t run_arg(ctx *c, const char *arg)
{
	char err[300];
	int64_t id = report_resolve_run(c->db, arg, err, sizeof(err));

	if (id <= 0)
		fprintf(c->err, "mmspec report: %s\n", err);
	return id;
}

/* ---- runs ------------------------------------------------------------ */

#define RUNS_SQL \
	"SELECT v.id, v.kind, v.started_at, v.finished_at, v.status, v.seconds, v.target," \
	" v.kernel_release, v.profile, v.tool_version, v.host, v.seed, v.options," \
	" v.pass, v.fail, v.skip, v.error," \
	" (SELECT count(*) FROM results r WHERE r.run_id = v.id AND r.expected = 'FAIL' AND r.result = 'FAIL') AS xfail," \
	" (SELECT count(*) FROM results r WHERE r.run_id = v.id AND r.expected = 'FAIL' AND r.result = 'PASS') AS xpass," \
	" v.results, v.divergences, v.faults," \
	" (SELECT count(DISTINCT signature) FROM divergences d WHERE d.run_id = v.id) AS signatures," \
	" ru.uuid, ru.origin" \
	" FROM v_runs v JOIN runs ru ON ru.id = v.id"

/* Appends "  runs A-B from ORIGIN" to buf at len; returns the new length. */
static size_t origin_line(char *buf, size_t cap, size_t len, int64_t a, int64_t b, const char *origin)
{
	int n;

	if (len >= cap)
		return len;
	if (a == b)
		n = snprintf(buf + len, cap - len, "  run %" PRId64 " from %s\n", a, origin);
	else
		n = snprintf(buf + len, cap - len, "  runs %" PRId64 "-%" PRId64 " from %s\n", a, b, origin);
	return n < 0 ? len : len + (size_t)n;
}

static int cmd_runs(ctx *c)
{
	sqlite3_stmt *st = prep(c, RUNS_SQL " ORDER BY v.id");
	int rc;

	if (!st)
		return REPORT_EXIT_USAGE;
	if (c->o->json)
		return json_rows(c, st) ? REPORT_EXIT_USAGE : (fputc('\n', c->out), 0);
	table t = { 12, { "id", "kind", "started", "target", "kernel", "prof", "pass", "fail", "xf/xp",
			  "skip", "err", "div" },
		    { 6, 5, 16, 12, 16, 5, 0, 0, 0, 0, 0, 0 }, { 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1 } };
	int n = 0;
	/* Merged runs: where they came from, consecutive runs of one origin
	 * in one line under the table. */
	char origins[4096] = "", last_origin[512] = "";
	size_t olen = 0;
	int64_t first_id = 0, last_id = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *origin = (const char *)sqlite3_column_text(st, 24);
		if (last_origin[0] && (!origin || strcmp(origin, last_origin) || id != last_id + 1)) {
			olen = origin_line(origins, sizeof(origins), olen, first_id, last_id, last_origin);
			last_origin[0] = 0;
		}
		if (origin && !last_origin[0]) {
			snprintf(last_origin, sizeof(last_origin), "%s", origin);
			first_id = id;
		}
		last_id = id;
		char b[12][32], w[20];
		int64_t pass = sqlite3_column_int64(st, 13), fail = sqlite3_column_int64(st, 14);
		int64_t xfail = sqlite3_column_int64(st, 17), xpass = sqlite3_column_int64(st, 18);
		/* Recorded totals count an XFAIL as a FAIL and an XPASS as a PASS. */
		char label[24], xfxp[48];
		snprintf(xfxp, sizeof(xfxp), "%" PRId64 "/%" PRId64, xfail, xpass);
		report_target_label((const char *)sqlite3_column_text(st, 6),
				    (const char *)sqlite3_column_text(st, 7), label, sizeof(label));
		tbl_row(&t, num(b[0], sqlite3_column_int64(st, 0)), col(st, 1), when(w, col(st, 2)),
			label, col(st, 7), col(st, 8), num(b[1], pass - xpass),
			num(b[2], fail - xfail), xfxp, num(b[4], sqlite3_column_int64(st, 15)),
			num(b[5], sqlite3_column_int64(st, 16)), num(b[6], sqlite3_column_int64(st, 20)));
		n++;
	}
	if (done(c, st, rc))
		return REPORT_EXIT_USAGE;
	if (!n) {
		fprintf(c->out, "no runs in %s\n", c->o->db_path);
		return 0;
	}
	if (last_origin[0])
		origin_line(origins, sizeof(origins), olen, first_id, last_id, last_origin);
	tbl_print(&t, c->out);
	if (origins[0])
		fprintf(c->out, "merged runs (mmspec db merge):\n%s", origins);
	return 0;
}

/* ---- summary --------------------------------------------------------- */

/* The one-line description of a run; returns 0 or -1 (no such run). */
static int run_line(ctx *c, int64_t run, char *buf, size_t cap)
{
	sqlite3_stmt *st = prep(c, "SELECT v.kind, v.target, v.kernel_release, v.profile, v.started_at,"
				   " v.status, ru.origin FROM v_runs v JOIN runs ru ON ru.id = v.id"
				   " WHERE v.id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char w[20], label[24];
		report_target_label((const char *)sqlite3_column_text(st, 1),
				    (const char *)sqlite3_column_text(st, 2), label, sizeof(label));
		snprintf(buf, cap, "run %" PRId64 " (%s on %s, Linux %s, profile %s, %s%s%s%s)", run,
			 col(st, 0), label, col(st, 2)[0] ? col(st, 2) : "?",
			 col(st, 3)[0] ? col(st, 3) : "?", when(w, col(st, 4)),
			 strcmp(col(st, 5), "finished") ? ", unfinished" : "",
			 col(st, 6)[0] ? ", from " : "", col(st, 6));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void lower(char *dst, const char *src)
{
	for (; *src; src++)
		*dst++ = (char)(*src >= 'A' && *src <= 'Z' ? *src + 32 : *src);
	*dst = 0;
}

static void json_counts(FILE *f, const int64_t *n)
{
	for (int k = 0; k < RC_COUNT; k++) {
		char lc[8];
		lower(lc, report_class_names[k]);
		fprintf(f, "%s\"%s\": %" PRId64, k ? ", " : "", lc, n[k]);
	}
}

static void json_tallies(FILE *f, const char *keyname, const report_tallies *t)
{
	fputc('[', f);
	for (int i = 0; i < t->n; i++) {
		fprintf(f, "%s{", i ? ",\n  " : "\n  ");
		report_json_str(f, keyname);
		fputs(": ", f);
		report_json_str(f, t->v[i].key);
		fputs(", ", f);
		json_counts(f, t->v[i].n);
		fputc('}', f);
	}
	fputs(t->n ? "\n ]" : "]", f);
}

static void print_tallies(FILE *f, const char *first, const report_tallies *tl, int by_file)
{
	table t = { 7, { first, "pass", "fail", "xfail", "xpass", "skip", "error" },
		    { by_file ? 48 : 24, 0, 0, 0, 0, 0, 0 }, { 0, 1, 1, 1, 1, 1, 1 } };
	for (int i = 0; i < tl->n; i++) {
		const int64_t *n = tl->v[i].n;
		char b[6][24];
		tbl_row(&t, by_file ? short_file(tl->v[i].key) : tl->v[i].key, num(b[0], n[RC_PASS]),
			num(b[1], n[RC_FAIL]), num(b[2], n[RC_XFAIL]), num(b[3], n[RC_XPASS]),
			num(b[4], n[RC_SKIP]), num(b[5], n[RC_ERROR]));
	}
	tbl_print(&t, f);
}

#define DIV_BY_SYSCALL_SQL \
	"SELECT coalesce(syscall, '?') AS syscall, count(*) AS divergences," \
	" count(DISTINCT signature) AS signatures FROM divergences WHERE run_id = ?1" \
	" GROUP BY syscall ORDER BY syscall"

static int cmd_summary(ctx *c)
{
	int64_t run = c->o->npos > 1 ? run_arg(c, c->o->pos[1]) : report_latest_run(c->db);
	report_tallies sys = { 0 }, files = { 0 };
	report_tally tot;
	char err[300], line[400];

	if (run < 0)
		return REPORT_EXIT_USAGE;
	if (run == 0) {
		if (c->o->npos > 1)
			return REPORT_EXIT_USAGE;
		fprintf(c->err, "mmspec report: no runs in %s\n", c->o->db_path);
		return REPORT_EXIT_USAGE;
	}
	if (report_tally_run(c->db, run, &sys, &files, &tot, err, sizeof(err))) {
		fprintf(c->err, "mmspec report: %s\n", err);
		return REPORT_EXIT_USAGE;
	}
	if (run_line(c, run, line, sizeof(line)))
		line[0] = 0;
	sqlite3_stmt *st = prep(c, "SELECT count(*), count(DISTINCT signature) FROM divergences"
				   " WHERE run_id = ?1");
	int64_t ndiv = 0, nsig = 0;
	if (st) {
		sqlite3_bind_int64(st, 1, run);
		if (sqlite3_step(st) == SQLITE_ROW) {
			ndiv = sqlite3_column_int64(st, 0);
			nsig = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	int64_t total = 0;
	for (int k = 0; k < RC_COUNT; k++)
		total += tot.n[k];
	if (c->o->json) {
		fprintf(c->out, "{\"run\": %" PRId64 ", \"description\": ", run);
		report_json_str(c->out, line);
		fprintf(c->out, ",\n \"results\": %" PRId64 ", \"totals\": {", total);
		json_counts(c->out, tot.n);
		fprintf(c->out, "},\n \"divergences\": %" PRId64 ", \"signatures\": %" PRId64
			",\n \"by_syscall\": ", ndiv, nsig);
		json_tallies(c->out, "syscall", &sys);
		fputs(",\n \"by_file\": ", c->out);
		json_tallies(c->out, "file", &files);
		fputs(",\n \"divergences_by_syscall\": ", c->out);
		int bad = !(st = prep(c, DIV_BY_SYSCALL_SQL));
		if (!bad) {
			sqlite3_bind_int64(st, 1, run);
			bad = json_rows(c, st);
		}
		fputs("}\n", c->out);
		if (bad) {
			report_tallies_free(&sys);
			report_tallies_free(&files);
			return REPORT_EXIT_USAGE;
		}
	} else {
		fprintf(c->out, "%s: %" PRId64 " results\n", line, total);
		for (int k = 0; k < RC_COUNT; k++) {
			char lc[8];
			lower(lc, report_class_names[k]);
			fprintf(c->out, "%s%" PRId64 " %s", k ? ", " : "  ", tot.n[k], lc);
		}
		fprintf(c->out, "; %" PRId64 " divergence%s, %" PRId64 " signature%s\n\n", ndiv,
			ndiv == 1 ? "" : "s", nsig, nsig == 1 ? "" : "s");
		fprintf(c->out, "By syscall (a failure counts for its divergent step's syscall, anything\n"
				"else once for each syscall its case uses):\n");
		print_tallies(c->out, "syscall", &sys, 0);
		fprintf(c->out, "\nBy suite file:\n");
		print_tallies(c->out, "file", &files, 1);
		/* A campaign's findings are divergences, not case results. */
		if (ndiv && (st = prep(c, DIV_BY_SYSCALL_SQL))) {
			table t = { 3, { "syscall", "divergences", "signatures" }, { 24, 0, 0 }, { 0, 1, 1 } };
			int rc;
			sqlite3_bind_int64(st, 1, run);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				char b[2][24];
				tbl_row(&t, col(st, 0), num(b[0], sqlite3_column_int64(st, 1)),
					num(b[1], sqlite3_column_int64(st, 2)));
			}
			if (done(c, st, rc) == 0) {
				fprintf(c->out, "\nDivergences by syscall (of the divergent step):\n");
				tbl_print(&t, c->out);
			}
		}
	}
	report_tallies_free(&sys);
	report_tallies_free(&files);
	return 0;
}

/* ---- divergences ---------------------------------------------------- */

static int cmd_divergences(ctx *c)
{
	const opts *o = c->o;
	int64_t run = 0, since_run = 0;
	char sql[1600];

	if (o->run && (run = run_arg(c, o->run)) <= 0)
		return REPORT_EXIT_USAGE;
	/* --since: a run (its id or uuid) or a date: "2026-12-03", "2026-12-03T07:00". */
	int since_date = o->since && strlen(o->since) >= 10 && o->since[4] == '-' && o->since[7] == '-';
	if (o->since && !since_date && (since_run = run_arg(c, o->since)) <= 0)
		return REPORT_EXIT_USAGE;
	snprintf(sql, sizeof(sql),
		 "SELECT d.id, d.run_id, ru.target, c.file, c.name, d.step, d.step_text, d.syscall,"
		 " d.field, d.model, d.kernel, d.signature, d.reproduced, d.attempts,"
		 " d.minimized IS NOT NULL AS minimized, r.expected IS 'FAIL' AS expected, d.created_at,"
		 " ru.kernel_release"
		 " FROM divergences d JOIN runs ru ON ru.id = d.run_id"
		 " LEFT JOIN results r ON r.id = d.result_id LEFT JOIN cases c ON c.id = r.case_id"
		 " WHERE (?1 = 0 OR d.run_id = ?1) AND (?2 IS NULL OR d.signature GLOB ?2)"
		 " AND (?3 IS NULL OR d.syscall = ?3) AND (?4 = 0 OR d.run_id >= ?4)"
		 " AND (?5 IS NULL OR d.created_at >= ?5)"
		 " ORDER BY d.id LIMIT ?6");
	sqlite3_stmt *st = prep(c, sql);
	if (!st)
		return REPORT_EXIT_USAGE;
	sqlite3_bind_int64(st, 1, run);
	if (o->signature)
		sqlite3_bind_text(st, 2, o->signature, -1, SQLITE_STATIC);
	if (o->syscall)
		sqlite3_bind_text(st, 3, o->syscall, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, since_run);
	if (since_date)
		sqlite3_bind_text(st, 5, o->since, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, o->limit > 0 ? o->limit : -1);
	if (o->json)
		return json_rows(c, st) ? REPORT_EXIT_USAGE : (fputc('\n', c->out), 0);

	table t = { 6, { "id", "run", "target", "case", "syscall", "signature" },
		    { 6, 4, 10, 21, 9, 40 }, { 1, 1, 0, 0, 0, 0 } };
	int rc, n = 0, known = 0;
	char sigs[64][200];
	int nsig = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char b[2][24], label[24], name[200];
		const char *rel = (const char *)sqlite3_column_text(st, 17);
		report_target_label((const char *)sqlite3_column_text(st, 2), rel, label, sizeof(label));
		/* A known divergence (its case is expected to fail there) gets a '*'. */
		int xf = sqlite3_column_int(st, 15);
		known += xf;
		snprintf(name, sizeof(name), "%s%s", xf ? "*" : "",
			 sqlite3_column_type(st, 4) == SQLITE_NULL ? "(fuzz)" : col(st, 4));
		tbl_row(&t, num(b[0], sqlite3_column_int64(st, 0)), num(b[1], sqlite3_column_int64(st, 1)),
			label, name, col(st, 7), col(st, 11));
		int k;
		for (k = 0; k < nsig && strcmp(sigs[k], col(st, 11)); k++)
			;
		if (k == nsig && nsig < 64)
			snprintf(sigs[nsig++], sizeof(sigs[0]), "%s", col(st, 11));
		n++;
	}
	if (done(c, st, rc))
		return REPORT_EXIT_USAGE;
	if (!n) {
		fprintf(c->out, "no divergences match\n");
		return 0;
	}
	tbl_print(&t, c->out);
	if (known)
		fprintf(c->out, "* a known divergence on its target (the case expects it: XFAIL)\n");
	fprintf(c->out, "%d divergence%s, %d%s signature%s; `mmspec report show ID` draws one\n", n,
		n == 1 ? "" : "s", nsig, nsig == 64 ? "+" : "", nsig == 1 ? "" : "s");
	return 0;
}

/* ---- show ------------------------------------------------------------ */

static void json_layout(FILE *f, const report_layout *l)
{
	fputs("{\"base\": ", f);
	report_json_str(f, l->base_text);
	fputs(", \"strip\": ", f);
	report_json_str(f, l->strip);
	fprintf(f, ", \"more\": %s, \"vmas\": [", l->more ? "true" : "false");
	for (int i = 0; i < l->nvmas; i++) {
		char s[40], e[40];
		const report_vma *v = &l->vmas[i];
		if (v->start.rel)
			snprintf(s, sizeof(s), "A%+" PRId64 "p", v->start.v);
		else
			snprintf(s, sizeof(s), "0x%" PRIx64, (uint64_t)v->start.v);
		if (v->end.rel)
			snprintf(e, sizeof(e), "A%+" PRId64 "p", v->end.v);
		else
			snprintf(e, sizeof(e), "0x%" PRIx64, (uint64_t)v->end.v);
		fprintf(f, "%s{\"start\": \"%s\", \"end\": \"%s\", \"perms\": ", i ? ", " : "", s, e);
		report_json_str(f, v->perms);
		fputc('}', f);
	}
	fputs("]}", f);
}

/* The VMA lines of a drawing (its lines after the strip). */
static int vma_lines(const char *text, const char **lines, int *lens, int cap)
{
	int n = 0;
	const char *p = text ? strchr(text, '\n') : NULL;

	while (p && *++p && n < cap) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		while (len && *p == ' ')
			p++, len--;
		if (len) {
			lines[n] = p;
			lens[n++] = len;
		}
		p = e;
	}
	return n;
}

/* Draws both sides: the strips one above the other with the differing
 * pages marked, then the VMA lists side by side. */
static void draw_sides(FILE *f, const char *mtext, const char *ktext)
{
	report_layout m, k;
	int mok = report_layout_parse(mtext, &m) == 0, kok = report_layout_parse(ktext, &k) == 0;

	if (!mok && !kok) {
		fputs("  (no drawing was stored for this step)\n", f);
		return;
	}
	if (!mok || !kok) {
		fprintf(f, "  model:\n%s\n  kernel:\n%s\n", mtext ? mtext : "", ktext ? ktext : "");
		return;
	}
	char diff[REPORT_STRIP_MAX];
	int nd = report_layout_diff(&m, &k, diff, REPORT_STRIP_MAX);
	int ml = (int)strlen(m.strip), kl = (int)strlen(k.strip), n = ml > kl ? ml : kl;
	/* Trailing holes on both sides say nothing: keep two after the last VMA. */
	int last = 0;
	for (int i = 0; i < n; i++)
		if ((i < ml && m.strip[i] != '.') || (i < kl && k.strip[i] != '.') || diff[i])
			last = i + 1;
	int shown = last + 2 < n ? last + 2 : n;
	fprintf(f, "  one character per page from %s; a letter per VMA, . a hole%s\n", m.base_text,
		shown < n || m.more ? "; cut at the last VMA" : "");
	fprintf(f, "  model   |%.*s|\n", shown, m.strip);
	fprintf(f, "  kernel  |%.*s|\n", shown, k.strip);
	if (nd) {
		fputs("           ", f);
		int end = shown;
		while (end > 0 && !diff[end - 1])
			end--;
		for (int i = 0; i < end; i++)
			fputc(diff[i] ? '^' : ' ', f);
		fprintf(f, "  %d page%s differ%s\n", nd, nd == 1 ? "" : "s", nd == 1 ? "s" : "");
	} else {
		fputs("           (the strips agree; any difference is in the values above or in VmFlags)\n", f);
	}
	/* The VMA lists, a row where they differ marked with '!'. Rows equal on
	 * both sides and outside the strip's window are counted, not shown. */
	const char *ml_[REPORT_VMAS_MAX], *kl_[REPORT_VMAS_MAX];
	int mlen[REPORT_VMAS_MAX], klen[REPORT_VMAS_MAX];
	int mn = vma_lines(mtext, ml_, mlen, REPORT_VMAS_MAX), kn = vma_lines(ktext, kl_, klen, REPORT_VMAS_MAX);
	int rows = mn > kn ? mn : kn, hidden = 0;
	fprintf(f, "    %-42s %s\n", "model VMAs", "kernel VMAs");
	for (int i = 0; i < rows; i++) {
		int same = i < mn && i < kn && mlen[i] == klen[i] && !memcmp(ml_[i], kl_[i], (size_t)mlen[i]);
		int near = 0;
		if (i < m.nvmas && m.base.rel >= 0) {
			int64_t s = report_vma_page(&m, i, 0), e = report_vma_page(&m, i, 1);
			near = s != INT64_MIN && e != INT64_MIN && e > 0 && s < n;
		}
		if (same && !near) {
			hidden++;
			continue;
		}
		fprintf(f, "  %c %-42.*s %.*s\n", same ? ' ' : '!', i < mn ? (mlen[i] > 42 ? 42 : mlen[i]) : 0,
			i < mn ? ml_[i] : "", i < kn ? (klen[i] > 50 ? 50 : klen[i]) : 0, i < kn ? kl_[i] : "");
	}
	if (hidden)
		fprintf(f, "    (%d more VMA%s, the same on both sides, outside the window)\n", hidden,
			hidden == 1 ? "" : "s");
	/* The harness keeps 600 bytes of each drawing: a list may end early. */
	size_t mlen_all = strlen(mtext), klen_all = strlen(ktext);
	int cut = (mlen_all && mtext[mlen_all - 1] != '\n') || (klen_all && ktext[klen_all - 1] != '\n');
	for (int i = 0; i < n && !cut; i++) /* a page no listed VMA covers */
		cut = (i < ml && !strcmp(m.page_perms[i], "?")) || (i < kl && !strcmp(k.page_perms[i], "?"));
	if (cut)
		fputs("    (the stored VMA lists were cut short; the strips are whole)\n", f);
}

#define SHOW_SQL \
	"SELECT d.id, d.run_id, ru.target, ru.kernel_release, ru.profile, c.file, c.name, d.program," \
	" d.step, d.step_text, d.syscall, d.field, d.model, d.kernel, d.model_layout, d.kernel_layout," \
	" d.signature, d.minimized, d.reproduced, d.attempts, d.created_at, r.expected = 'FAIL'," \
	" (SELECT count(*) FROM divergences x WHERE x.signature = d.signature)," \
	" (SELECT count(DISTINCT x.run_id) FROM divergences x WHERE x.signature = d.signature)" \
	" FROM divergences d JOIN runs ru ON ru.id = d.run_id" \
	" LEFT JOIN results r ON r.id = d.result_id LEFT JOIN cases c ON c.id = r.case_id" \
	" WHERE d.id = ?1"

/* The program with the divergent step marked ">>"; a line longer than the
 * terminal's 100 columns is wrapped after a ", " or "|", the rest indented. */
static void print_program(FILE *f, const char *prog, int step)
{
	int mark = report_step_line(prog, step), line = 0;

	for (const char *p = prog; p && *p; line++) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p), indent = 4;
		const char *q = p;
		fputs(line == mark ? " >> " : "    ", f);
		while (indent + len > 100) {
			int cut = 0;
			for (int i = 100 - indent - 1; i > 20 && !cut; i--)
				if ((q[i] == ' ' && q[i - 1] == ',') || q[i] == '|')
					cut = i + 1;
			if (!cut)
				break;
			fprintf(f, "%.*s\n            ", cut, q);
			q += cut;
			len -= cut;
			indent = 12;
		}
		fprintf(f, "%.*s\n", len, q);
		p = e ? e + 1 : p + strlen(p);
	}
}

static int cmd_show(ctx *c)
{
	char *end;
	long long id;

	if (c->o->npos != 2 || (id = strtoll(c->o->pos[1], &end, 10)) <= 0 || *end) {
		fprintf(c->err, "mmspec report: show takes one divergence id (`mmspec report divergences` lists them)\n");
		return REPORT_EXIT_USAGE;
	}
	sqlite3_stmt *st = prep(c, SHOW_SQL);
	if (!st)
		return REPORT_EXIT_USAGE;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (done(c, st, rc) == 0)
			fprintf(c->err, "mmspec report: no divergence %lld in %s\n", id, c->o->db_path);
		return REPORT_EXIT_USAGE;
	}
	char repro[600];
	if (!strcmp(c->o->db_path, "mmspec.db"))
		snprintf(repro, sizeof(repro), "mmspec repro --c %lld", id);
	else
		snprintf(repro, sizeof(repro), "mmspec repro --db %s --c %lld", c->o->db_path, id);
	int step = sqlite3_column_int(st, 8), rep = sqlite3_column_int(st, 18), att = sqlite3_column_int(st, 19);
	const char *mlay = (const char *)sqlite3_column_text(st, 14);
	const char *klay = (const char *)sqlite3_column_text(st, 15);
	FILE *f = c->out;
	if (c->o->json) {
		report_layout m, k;
		fputc('{', f);
		for (int i = 0; i < sqlite3_column_count(st) - 3; i++) {
			report_json_str(f, sqlite3_column_name(st, i));
			fputs(": ", f);
			report_json_col(f, st, i);
			fputs(",\n ", f);
		}
		fprintf(f, "\"expected\": %s, \"signature_count\": %lld, \"signature_runs\": %lld,\n ",
			sqlite3_column_int(st, 21) ? "true" : "false", (long long)sqlite3_column_int64(st, 22),
			(long long)sqlite3_column_int64(st, 23));
		fprintf(f, "\"program_line\": %d, \"model_drawing\": ",
			report_step_line(col(st, 7), step));
		if (report_layout_parse(mlay, &m) == 0)
			json_layout(f, &m);
		else
			fputs("null", f);
		fputs(",\n \"kernel_drawing\": ", f);
		if (report_layout_parse(klay, &k) == 0)
			json_layout(f, &k);
		else
			fputs("null", f);
		fputs(",\n \"repro_command\": ", f);
		report_json_str(f, repro);
		fputs("}\n", f);
		sqlite3_finalize(st);
		return 0;
	}
	char w[20], label[24];
	report_target_label((const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
			    label, sizeof(label));
	fprintf(f, "divergence %lld   run %lld (%s, Linux %s, profile %s)   %s\n", id,
		(long long)sqlite3_column_int64(st, 1), label, col(st, 3), col(st, 4), when(w, col(st, 20)));
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		fprintf(f, "case       %s: %s%s\n", short_file(col(st, 5)), col(st, 6),
			sqlite3_column_int(st, 21) ? "   (a known divergence on this target: XFAIL)" : "");
	else
		fprintf(f, "case       (found by fuzzing)\n");
	fprintf(f, "signature  %s   (%lld divergence%s in %lld run%s)\n", col(st, 16),
		(long long)sqlite3_column_int64(st, 22), sqlite3_column_int64(st, 22) == 1 ? "" : "s",
		(long long)sqlite3_column_int64(st, 23), sqlite3_column_int64(st, 23) == 1 ? "" : "s");
	fprintf(f, "step %-5d %s\n", step, col(st, 9));
	fprintf(f, "field      %s of %s\n", col(st, 11), col(st, 10));
	fprintf(f, "model      %s\n", col(st, 12));
	fprintf(f, "kernel     %s\n", col(st, 13));
	if (att)
		fprintf(f, "reproduced %d of %d reruns (%d%%)\n", rep, att, rep * 100 / att);
	else
		fprintf(f, "reproduced not rerun yet\n");
	fprintf(f, "\nprogram (>> marks the divergent step):\n");
	print_program(f, col(st, 7), step);
	fprintf(f, "\naddress space at step %d, model against kernel:\n", step);
	draw_sides(f, mlay, klay);
	if (sqlite3_column_type(st, 17) != SQLITE_NULL) {
		fprintf(f, "\nminimized program:\n");
		print_program(f, col(st, 17), -1);
	} else {
		fprintf(f, "\nminimized program: none yet (`mmspec minimize` triages it)\n");
	}
	fprintf(f, "\nC reproducer: %s > repro-%lld.c\n", repro, id);
	sqlite3_finalize(st);
	return 0;
}

/* ---- diff ------------------------------------------------------------ */

/*
 * Signatures of run B against run A. A divergence of a case expected to
 * fail on its target (XFAIL) is known: it is left out of both sides, so
 * a known divergence never gates. The same for failing cases: FAIL and
 * ERROR results of B whose case did not fail (or was absent) in A.
 */
#define DIFF_SIG_SQL \
	"WITH a AS (SELECT d.signature, count(*) AS n, min(d.id) AS ex FROM divergences d" \
	"   LEFT JOIN results r ON r.id = d.result_id" \
	"   WHERE d.run_id = ?1 AND r.expected IS NOT 'FAIL' GROUP BY d.signature)," \
	" b AS (SELECT d.signature, count(*) AS n, min(d.id) AS ex FROM divergences d" \
	"   LEFT JOIN results r ON r.id = d.result_id" \
	"   WHERE d.run_id = ?2 AND r.expected IS NOT 'FAIL' GROUP BY d.signature)" \
	" SELECT * FROM (SELECT 'new' AS status, b.signature, 0 AS count_a, b.n AS count_b, b.ex AS example_id FROM b" \
	"   WHERE b.signature NOT IN (SELECT signature FROM a)" \
	" UNION ALL SELECT 'fixed', a.signature, a.n, 0, a.ex FROM a" \
	"   WHERE a.signature NOT IN (SELECT signature FROM b)" \
	" UNION ALL SELECT 'persisting', b.signature, a.n, b.n, b.ex FROM b JOIN a USING (signature))" \
	" ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'fixed' THEN 1 ELSE 2 END, 2"

#define DIFF_FAIL_SQL \
	"WITH a AS (SELECT case_id, class FROM v_outcomes WHERE run_id = ?1)," \
	" b AS (SELECT case_id, class FROM v_outcomes WHERE run_id = ?2)" \
	" SELECT 'new' AS status, c.file, c.name, coalesce(a.class, '-') AS class_a, b.class AS class_b" \
	"   FROM b JOIN cases c ON c.id = b.case_id LEFT JOIN a ON a.case_id = b.case_id" \
	"   WHERE b.class IN ('FAIL', 'ERROR') AND coalesce(a.class, '-') NOT IN ('FAIL', 'ERROR')" \
	" UNION ALL SELECT 'fixed', c.file, c.name, a.class, b.class" \
	"   FROM a JOIN b ON b.case_id = a.case_id JOIN cases c ON c.id = a.case_id" \
	"   WHERE a.class IN ('FAIL', 'ERROR') AND b.class NOT IN ('FAIL', 'ERROR')" \
	" ORDER BY status DESC, 2, 3"

static int cmd_diff(ctx *c)
{
	if (c->o->npos != 3) {
		fprintf(c->err, "mmspec report: diff takes two runs: diff RUN_A RUN_B\n");
		return REPORT_EXIT_USAGE;
	}
	int64_t a = run_arg(c, c->o->pos[1]), b = a > 0 ? run_arg(c, c->o->pos[2]) : 0;
	if (a <= 0 || b <= 0)
		return REPORT_EXIT_USAGE;
	sqlite3_stmt *st = prep(c, DIFF_SIG_SQL), *sf = prep(c, DIFF_FAIL_SQL);
	int rc, n[3] = { 0 }, nf[2] = { 0 };
	if (!st || !sf) {
		sqlite3_finalize(st);
		sqlite3_finalize(sf);
		return REPORT_EXIT_USAGE;
	}
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int64(sf, 1, a);
	sqlite3_bind_int64(sf, 2, b);
	FILE *f = c->out;
	if (c->o->json)
		fprintf(f, "{\"run_a\": %" PRId64 ", \"run_b\": %" PRId64 ",\n \"signatures\": [", a, b);
	else
		fprintf(f, "run %" PRId64 " -> run %" PRId64 "\n", a, b);
	const char *cur = "";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = col(st, 0);
		int k = !strcmp(status, "new") ? 0 : !strcmp(status, "fixed") ? 1 : 2;
		if (c->o->json) {
			fputs(n[0] + n[1] + n[2] ? ",\n  " : "\n  ", f);
			report_json_row(f, st);
		} else {
			if (strcmp(cur, status)) {
				fprintf(f, "%s signatures:\n", k == 0 ? "\nNew" : k == 1 ? "\nFixed" : "\nPersisting");
				cur = k == 0 ? "new" : k == 1 ? "fixed" : "persisting";
			}
			fprintf(f, "  %c %-56.56s %4lld -> %-4lld e.g. #%lld\n", "+- "[k], col(st, 1),
				(long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3),
				(long long)sqlite3_column_int64(st, 4));
		}
		n[k]++;
	}
	if (done(c, st, rc)) {
		sqlite3_finalize(sf);
		return REPORT_EXIT_USAGE;
	}
	if (c->o->json)
		fputs(n[0] + n[1] + n[2] ? "\n ],\n \"cases\": [" : "],\n \"cases\": [", f);
	cur = "";
	while ((rc = sqlite3_step(sf)) == SQLITE_ROW) {
		int k = strcmp(col(sf, 0), "new") ? 1 : 0;
		if (c->o->json) {
			fputs(nf[0] + nf[1] ? ",\n  " : "\n  ", f);
			report_json_row(f, sf);
		} else {
			if (strcmp(cur, col(sf, 0))) {
				fprintf(f, k ? "\nCases fixed:\n" : "\nCases newly failing:\n");
				cur = k ? "fixed" : "new";
			}
			char name[200];
			snprintf(name, sizeof(name), "%s: %s", short_file(col(sf, 1)), col(sf, 2));
			fprintf(f, "  %c %-70.70s %s -> %s\n", k ? '-' : '+', name, col(sf, 3), col(sf, 4));
		}
		nf[k]++;
	}
	if (done(c, sf, rc))
		return REPORT_EXIT_USAGE;
	int gate = n[0] || nf[0];
	if (c->o->json)
		fprintf(f, "%s],\n \"new\": %d, \"fixed\": %d, \"persisting\": %d,"
			" \"new_failures\": %d, \"fixed_failures\": %d, \"exit\": %d}\n",
			nf[0] + nf[1] ? "\n " : "", n[0], n[1], n[2], nf[0], nf[1], gate);
	else
		fprintf(f, "\n%d new, %d fixed, %d persisting signature%s; %d case%s newly failing, %d fixed%s\n",
			n[0], n[1], n[2], n[2] == 1 ? "" : "s", nf[0], nf[0] == 1 ? "" : "s", nf[1],
			gate ? " (exit 1)" : "");
	return gate ? REPORT_EXIT_NEW : 0;
}

/* ---- matrix ---------------------------------------------------------- */

static const char *cell_text(const report_matrix *m, int v, char *buf)
{
	if (m->signatures) {
		if (!v)
			return "-";
		sprintf(buf, "%d", v);
		return buf;
	}
	return v < 0 ? "-" : report_class_names[v];
}

static int cmd_matrix(ctx *c)
{
	report_matrix m;
	char err[300];

	if (report_matrix_load(c->db, c->o->signatures, &m, err, sizeof(err))) {
		fprintf(c->err, "mmspec report: %s\n", err);
		return REPORT_EXIT_USAGE;
	}
	FILE *f = c->out;
	if (c->o->json) {
		fprintf(f, "{\"rows\": \"%s\", \"targets\": [", m.signatures ? "signatures" : "cases");
		for (int t = 0; t < m.nt; t++) {
			fprintf(f, "%s{\"label\": ", t ? ",\n  " : "\n  ");
			report_json_str(f, m.t[t].label);
			fputs(", \"target\": ", f);
			report_json_str(f, m.t[t].target);
			fputs(", \"kernel_release\": ", f);
			report_json_str(f, m.t[t].release);
			fprintf(f, ", \"latest_run\": %" PRId64 ", ", m.t[t].latest_run);
			json_counts(f, m.t[t].n);
			fputc('}', f);
		}
		fputs("],\n \"matrix\": [", f);
		int n = 0;
		for (int r = 0; r < m.nrows; r++) {
			if (!c->o->all && !m.rows[r].interesting)
				continue;
			fputs(n++ ? ",\n  " : "\n  ", f);
			if (m.signatures) {
				fputs("{\"signature\": ", f);
			} else {
				fputs("{\"file\": ", f);
				report_json_str(f, m.rows[r].file);
				fputs(", \"name\": ", f);
			}
			report_json_str(f, m.rows[r].name);
			fputs(", \"cells\": {", f);
			for (int t = 0; t < m.nt; t++) {
				char b[16];
				if (t)
					fputs(", ", f);
				report_json_str(f, m.t[t].label);
				fputs(": ", f);
				if (m.signatures)
					fprintf(f, "%d", m.rows[r].cell[t]);
				else if (m.rows[r].cell[t] < 0)
					fputs("null", f);
				else
					report_json_str(f, cell_text(&m, m.rows[r].cell[t], b));
			}
			fputs("}}", f);
		}
		fputs("]}\n", f);
		report_matrix_free(&m);
		return 0;
	}
	if (!m.nt) {
		fprintf(f, "no runs in %s\n", c->o->db_path);
		report_matrix_free(&m);
		return 0;
	}
	/* The row name gets what the target columns leave of 100. */
	int cw[64], namew = 100;
	for (int t = 0; t < m.nt && t < 64; t++) {
		cw[t] = (int)strlen(m.t[t].label);
		if (cw[t] < 5)
			cw[t] = 5;
		for (int k = 0; k < RC_COUNT && !m.signatures; k++) {
			char b[40];
			int l = snprintf(b, sizeof(b), "%" PRId64 " %s", m.t[t].n[k], report_class_names[k]);
			if (l > cw[t])
				cw[t] = l;
		}
		namew -= cw[t] + 2;
	}
	int longest = 9;
	for (int r = 0; r < m.nrows; r++)
		if ((c->o->all || m.rows[r].interesting) && (int)strlen(m.rows[r].name) > longest)
			longest = (int)strlen(m.rows[r].name);
	if (namew > longest)
		namew = longest;
	if (namew < 24)
		namew = 24;
	int shown = 0, hidden = 0;
	for (int r = 0; r < m.nrows; r++)
		if (c->o->all || m.rows[r].interesting)
			shown++;
		else
			hidden++;
	fprintf(f, "%s by target (%s)\n", m.signatures ? "Divergence signatures" : "Cases",
		m.signatures ? "divergences recorded on each target" : "the latest result on each target");
	fprintf(f, "%-*s", namew, m.signatures ? "signature" : "case");
	for (int t = 0; t < m.nt && t < 64; t++)
		fprintf(f, "  %*s", cw[t], m.t[t].label);
	fputc('\n', f);
	for (int r = 0; r < m.nrows; r++) {
		char b[16], name[400];
		if (!c->o->all && !m.rows[r].interesting)
			continue;
		snprintf(name, sizeof(name), "%s", m.rows[r].name);
		if ((int)strlen(name) > namew)
			strcpy(name + namew - 2, "..");
		fprintf(f, "%-*s", namew, name);
		for (int t = 0; t < m.nt && t < 64; t++)
			fprintf(f, "  %*s", cw[t], cell_text(&m, m.rows[r].cell[t], b));
		fputc('\n', f);
	}
	if (!m.signatures) {
		for (int k = 0, first = 1; k < RC_COUNT; k++) {
			char lc[8];
			int any = 0;
			for (int t = 0; t < m.nt && t < 64; t++)
				any |= m.t[t].n[k] != 0;
			if (!any)
				continue; /* a class no target has */
			lower(lc, report_class_names[k]);
			fprintf(f, "%-*s", namew, first ? "totals:" : "");
			first = 0;
			for (int t = 0; t < m.nt && t < 64; t++) {
				char b[24];
				snprintf(b, sizeof(b), "%" PRId64 " %s", m.t[t].n[k], lc);
				fprintf(f, "  %*s", cw[t], b);
			}
			fputc('\n', f);
		}
		fprintf(f, "%d case%s shown", shown, shown == 1 ? "" : "s");
		if (hidden)
			fprintf(f, "; %d that pass (or skip) on every target left out (--all shows them)", hidden);
		fputc('\n', f);
	}
	report_matrix_free(&m);
	return 0;
}

/* ---- export ---------------------------------------------------------- */

static void xml_esc(FILE *f, const char *s)
{
	/* XML 1.0 allows no control characters but tab and newline. */
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 && ch != '\n' && ch != '\t')
			fputc('?', f);
		else if (ch == '<')
			fputs("&lt;", f);
		else if (ch == '>')
			fputs("&gt;", f);
		else if (ch == '&')
			fputs("&amp;", f);
		else if (ch == '"')
			fputs("&quot;", f);
		else
			fputc(ch, f);
	}
}

#define OUTCOMES_SQL \
	"SELECT o.file, o.name, o.class, o.message, o.duration_ms, o.result_id," \
	" d.model_layout, d.kernel_layout, d.signature" \
	" FROM v_outcomes o LEFT JOIN divergences d ON d.id =" \
	"  (SELECT min(x.id) FROM divergences x WHERE x.result_id = o.result_id)" \
	" WHERE o.run_id = ?1 ORDER BY o.file, o.result_id"

static int export_junit(ctx *c, int64_t run, FILE *f)
{
	sqlite3_stmt *st = prep(c, OUTCOMES_SQL);
	report_tallies sys = { 0 }, files = { 0 };
	report_tally tot;
	char err[300], line[400];
	int rc;

	if (!st)
		return REPORT_EXIT_USAGE;
	if (report_tally_run(c->db, run, &sys, &files, &tot, err, sizeof(err))) {
		fprintf(c->err, "mmspec report: %s\n", err);
		sqlite3_finalize(st);
		return REPORT_EXIT_USAGE;
	}
	run_line(c, run, line, sizeof(line));
	sqlite3_bind_int64(st, 1, run);
	/* pytest's convention: an XFAIL is skipped, an XPASS passes. */
	int64_t n = 0;
	for (int k = 0; k < RC_COUNT; k++)
		n += tot.n[k];
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mmspec\" tests=\"%" PRId64
		"\" failures=\"%" PRId64 "\" errors=\"%" PRId64 "\" skipped=\"%" PRId64 "\">\n",
		n, tot.n[RC_FAIL], tot.n[RC_ERROR], tot.n[RC_SKIP] + tot.n[RC_XFAIL]);
	const char *cur = NULL;
	char curbuf[1024] = "";
	int fi = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *file = col(st, 0), *cls = col(st, 2), *msg = col(st, 3);
		if (!cur || strcmp(curbuf, file)) {
			if (cur)
				fputs("  </testsuite>\n", f);
			snprintf(curbuf, sizeof(curbuf), "%s", file);
			cur = curbuf;
			const int64_t *fn = NULL;
			for (; fi < files.n; fi++)
				if (!strcmp(files.v[fi].key, file)) {
					fn = files.v[fi].n;
					break;
				}
			fputs("  <testsuite name=\"", f);
			xml_esc(f, file);
			fprintf(f, "\" tests=\"%" PRId64 "\" failures=\"%" PRId64 "\" errors=\"%" PRId64
				"\" skipped=\"%" PRId64 "\">\n", fn ? fn[0] + fn[1] + fn[2] + fn[3] + fn[4] + fn[5] : 0,
				fn ? fn[RC_FAIL] : 0, fn ? fn[RC_ERROR] : 0, fn ? fn[RC_SKIP] + fn[RC_XFAIL] : 0);
			fputs("    <properties><property name=\"run\" value=\"", f);
			xml_esc(f, line);
			fputs("\"/></properties>\n", f);
			fi = 0;
		}
		const char *base = strrchr(file, '/');
		fputs("    <testcase classname=\"", f);
		xml_esc(f, base ? base + 1 : file);
		fputs("\" name=\"", f);
		xml_esc(f, col(st, 1));
		fprintf(f, "\" time=\"%.3f\"", sqlite3_column_double(st, 4) / 1000);
		if (!strcmp(cls, "PASS")) {
			fputs("/>\n", f);
			continue;
		}
		if (!strcmp(cls, "XPASS")) {
			fputs(">\n      <system-out>XPASS: passed, but a known divergence was expected on this"
			      " target</system-out>\n    </testcase>\n", f);
			continue;
		}
		fputs(">\n      ", f);
		if (!strcmp(cls, "SKIP") || !strcmp(cls, "XFAIL")) {
			fputs("<skipped message=\"", f);
			if (!strcmp(cls, "XFAIL"))
				fputs("XFAIL: a known divergence on this target: ", f);
			xml_esc(f, msg);
			fputs("\"/>\n", f);
		} else {
			fprintf(f, "<%s message=\"", !strcmp(cls, "FAIL") ? "failure" : "error");
			xml_esc(f, msg);
			fputs("\">", f);
			xml_esc(f, msg);
			if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
				fputs("\nsignature: ", f);
				xml_esc(f, col(st, 8));
				fputs("\nmodel:\n", f);
				xml_esc(f, col(st, 6));
				fputs("\nkernel:\n", f);
				xml_esc(f, col(st, 7));
			}
			fprintf(f, "</%s>\n", !strcmp(cls, "FAIL") ? "failure" : "error");
		}
		fputs("    </testcase>\n", f);
	}
	if (cur)
		fputs("  </testsuite>\n", f);
	fputs("</testsuites>\n", f);
	report_tallies_free(&sys);
	report_tallies_free(&files);
	return done(c, st, rc) ? REPORT_EXIT_USAGE : 0;
}

static void ktap_indented(FILE *f, const char *prefix, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		fprintf(f, "%s%.*s\n", prefix, len, p);
		p = e ? e + 1 : p + len;
	}
}

static int export_ktap(ctx *c, int64_t run, FILE *f)
{
	sqlite3_stmt *st = prep(c, OUTCOMES_SQL);
	sqlite3_stmt *nf = prep(c, "SELECT count(DISTINCT file) FROM v_outcomes WHERE run_id = ?1");
	int rc, k = 0, file_ok = 1, fno = 0;
	int64_t cnt[RC_COUNT] = { 0 };

	if (!st || !nf) {
		sqlite3_finalize(st);
		sqlite3_finalize(nf);
		return REPORT_EXIT_USAGE;
	}
	sqlite3_bind_int64(nf, 1, run);
	sqlite3_step(nf);
	fprintf(f, "KTAP version 1\n1..%d\n", sqlite3_column_int(nf, 0));
	sqlite3_finalize(nf);
	sqlite3_bind_int64(st, 1, run);
	/* One subtest per file, its cases counted in a second statement. */
	char cur[1024] = "";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *file = col(st, 0), *cls = col(st, 2), *msg = col(st, 3);
		if (strcmp(cur, file)) {
			if (cur[0])
				fprintf(f, "%s %d %s\n", file_ok ? "ok" : "not ok", fno, cur);
			snprintf(cur, sizeof(cur), "%s", file);
			sqlite3_stmt *nc = prep(c, "SELECT count(*) FROM v_outcomes WHERE run_id = ?1 AND file = ?2");
			int ncases = 0;
			if (nc) {
				sqlite3_bind_int64(nc, 1, run);
				sqlite3_bind_text(nc, 2, file, -1, SQLITE_TRANSIENT);
				if (sqlite3_step(nc) == SQLITE_ROW)
					ncases = sqlite3_column_int(nc, 0);
				sqlite3_finalize(nc);
			}
			fprintf(f, "    KTAP version 1\n    # Subtest: %s\n    1..%d\n", file, ncases);
			fno++;
			k = 0;
			file_ok = 1;
		}
		int cl;
		for (cl = 0; cl < RC_COUNT && strcmp(cls, report_class_names[cl]); cl++)
			;
		if (cl == RC_COUNT)
			cl = RC_ERROR;
		cnt[cl]++;
		/* As `mmspec run --format ktap`: a case expected to diverge is a
		 * TAP TODO, which does not fail its parent, failed or not. */
		int ok = cl == RC_PASS || cl == RC_SKIP || cl == RC_XPASS;
		file_ok = file_ok && (ok || cl == RC_XFAIL);
		if (!ok) {
			ktap_indented(f, "    # ", msg);
			if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
				fputs("    # model:\n", f);
				ktap_indented(f, "    #   ", col(st, 6));
				fputs("    # kernel:\n", f);
				ktap_indented(f, "    #   ", col(st, 7));
			}
		}
		fprintf(f, "    %s %d %s", ok ? "ok" : "not ok", ++k, col(st, 1));
		if (cl == RC_SKIP)
			fprintf(f, " # SKIP %s", msg);
		else if (cl == RC_XFAIL || cl == RC_XPASS)
			fprintf(f, " # TODO %s on this target", cl == RC_XFAIL ? "known divergence (XFAIL)"
									  : "known divergence did not show (XPASS)");
		fputc('\n', f);
	}
	if (cur[0])
		fprintf(f, "%s %d %s\n", file_ok ? "ok" : "not ok", fno, cur);
	fprintf(f, "# totals: pass:%" PRId64 " fail:%" PRId64 " xfail:%" PRId64 " xpass:%" PRId64
		" skip:%" PRId64 " error:%" PRId64 "\n", cnt[RC_PASS], cnt[RC_FAIL], cnt[RC_XFAIL],
		cnt[RC_XPASS], cnt[RC_SKIP], cnt[RC_ERROR]);
	return done(c, st, rc) ? REPORT_EXIT_USAGE : 0;
}

/* Every row of sql (bound to run) as the JSON member name. */
static int json_member(ctx *c, FILE *f, const char *name, const char *sql, int64_t run)
{
	sqlite3_stmt *st = prep(c, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	fprintf(f, ",\n \"%s\": ", name);
	FILE *save = c->out;
	c->out = f;
	int r = json_rows(c, st);
	c->out = save;
	return r;
}

static int export_json(ctx *c, int64_t run, FILE *f)
{
	fprintf(f, "{\"format\": \"mmspec-report\", \"schema\": %d, \"run_id\": %" PRId64, 3, run);
	if (json_member(c, f, "run", RUNS_SQL " WHERE v.id = ?1", run) ||
	    json_member(c, f, "results", "SELECT * FROM v_outcomes WHERE run_id = ?1 ORDER BY result_id", run) ||
	    json_member(c, f, "divergences", "SELECT * FROM divergences WHERE run_id = ?1 ORDER BY id", run) ||
	    json_member(c, f, "faults", "SELECT * FROM v_faults WHERE run_id = ?1 ORDER BY id", run) ||
	    json_member(c, f, "campaign_progress",
			"SELECT elapsed_s, programs, divergences, signatures, branches FROM campaign_progress"
			" WHERE run_id = ?1 ORDER BY elapsed_s", run))
		return REPORT_EXIT_USAGE;
	fputs("}\n", f);
	return 0;
}

static int cmd_html(ctx *c, const char *dir, int64_t run)
{
	char err[600];

	if (!dir) {
		fprintf(c->err, "mmspec report: html needs --out DIR\n");
		return REPORT_EXIT_USAGE;
	}
	if (report_html_write(c->db, c->o->db_path, run, dir, err, sizeof(err))) {
		fprintf(c->err, "mmspec report: %s\n", err);
		return REPORT_EXIT_BROKEN;
	}
	if (c->o->json) {
		fputs("{\"index\": ", c->out);
		char path[4200];
		snprintf(path, sizeof(path), "%s/index.html", dir);
		report_json_str(c->out, path);
		fputs("}\n", c->out);
	} else {
		fprintf(c->out, "wrote %s/index.html\n", dir);
	}
	return 0;
}

static int cmd_export(ctx *c)
{
	const char *fmt = c->o->format;
	int64_t run;

	if (!fmt || (strcmp(fmt, "json") && strcmp(fmt, "junit") && strcmp(fmt, "ktap") && strcmp(fmt, "html"))) {
		fprintf(c->err, "mmspec report: export needs --format json|junit|ktap|html\n");
		return REPORT_EXIT_USAGE;
	}
	const char *runarg = c->o->run ? c->o->run : c->o->npos > 1 ? c->o->pos[1] : NULL;
	run = runarg ? run_arg(c, runarg) : report_latest_run(c->db);
	if (run < 0 || (runarg && run == 0))
		return REPORT_EXIT_USAGE;
	if (run == 0 && strcmp(fmt, "html")) {
		fprintf(c->err, "mmspec report: no runs in %s\n", c->o->db_path);
		return REPORT_EXIT_USAGE;
	}
	if (!strcmp(fmt, "html"))
		return cmd_html(c, c->o->out, run);
	FILE *f = c->out;
	if (c->o->out && strcmp(c->o->out, "-")) {
		f = fopen(c->o->out, "w");
		if (!f) {
			fprintf(c->err, "mmspec report: %s: %s\n", c->o->out, strerror(errno));
			return REPORT_EXIT_BROKEN;
		}
	}
	int r = !strcmp(fmt, "json") ? export_json(c, run, f) : !strcmp(fmt, "junit") ? export_junit(c, run, f)
										  : export_ktap(c, run, f);
	if (f != c->out && fclose(f) && !r) {
		fprintf(c->err, "mmspec report: %s: %s\n", c->o->out, strerror(errno));
		return REPORT_EXIT_BROKEN;
	}
	return r;
}

/* ---- the command line ----------------------------------------------- */

int report_main(int argc, char **argv, FILE *out, FILE *err)
{
	opts o = { .db_path = "mmspec.db" };

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (!strcmp(a, "--json"))
			o.json = 1;
		else if (!strcmp(a, "--all"))
			o.all = 1;
		else if (!strcmp(a, "--signatures"))
			o.signatures = 1;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(out);
			return 0;
		} else if (!strcmp(a, "--db"))
			slot = &o.db_path;
		else if (!strcmp(a, "--run"))
			slot = &o.run;
		else if (!strcmp(a, "--signature"))
			slot = &o.signature;
		else if (!strcmp(a, "--syscall"))
			slot = &o.syscall;
		else if (!strcmp(a, "--since"))
			slot = &o.since;
		else if (!strcmp(a, "--format"))
			slot = &o.format;
		else if (!strcmp(a, "--out"))
			slot = &o.out;
		else if (!strcmp(a, "--limit")) {
			char *end;
			if (i + 1 >= argc || (o.limit = (int)strtol(argv[i + 1], &end, 10)) <= 0 || *end) {
				fprintf(err, "mmspec report: --limit takes a positive number\n");
				return REPORT_EXIT_USAGE;
			}
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(err, "mmspec report: unknown option '%s'\n", a);
			usage(err);
			return REPORT_EXIT_USAGE;
		} else if (o.npos < 8)
			o.pos[o.npos++] = a;
		else {
			fprintf(err, "mmspec report: too many arguments\n");
			return REPORT_EXIT_USAGE;
		}
		if (slot) {
			if (i + 1 >= argc) {
				fprintf(err, "mmspec report: %s needs a value\n", a);
				return REPORT_EXIT_USAGE;
			}
			*slot = argv[++i];
		}
	}
	if (!o.npos) {
		usage(err);
		return REPORT_EXIT_USAGE;
	}
	static const char *const cmds[] = { "runs", "summary", "divergences", "show", "diff", "matrix",
					    "export", "html" };
	const char *cmd = o.pos[0];
	size_t k;
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]) && strcmp(cmd, cmds[k]); k++)
		;
	if (k == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(err, "mmspec report: unknown command '%s'\n", cmd);
		usage(err);
		return REPORT_EXIT_USAGE;
	}
	ctx c = { NULL, &o, out, err };
	char msg[700];
	if (report_db_open(o.db_path, &c.db, msg, sizeof(msg))) {
		fprintf(err, "mmspec report: %s\n", msg);
		return REPORT_EXIT_USAGE;
	}
	int r;
	switch (k) {
	case 0: r = cmd_runs(&c); break;
	case 1: r = cmd_summary(&c); break;
	case 2: r = cmd_divergences(&c); break;
	case 3: r = cmd_show(&c); break;
	case 4: r = cmd_diff(&c); break;
	case 5: r = cmd_matrix(&c); break;
	case 6: r = cmd_export(&c); break;
	default: {
		int64_t run = o.run ? run_arg(&c, o.run) : 0;
		r = run < 0 || (o.run && run == 0) ? REPORT_EXIT_USAGE : cmd_html(&c, o.out, run);
	}
	}
	sqlite3_close(c.db);
	if (fflush(out) && !r)
		r = REPORT_EXIT_BROKEN;
	return r;
}
