/* SPDX-License-Identifier: MIT */
/*
 * report_html.c: the static HTML report, one self-contained index.html.
 *
 * No scripts, no fonts, no network: inline CSS and SVG only, so the file
 * opens from file:// anywhere and can be kept as a CI artifact. Sections:
 * the runs; one run's results by syscall (table and stacked bar chart) and
 * by file; divergence signatures with counts and first/last seen; the
 * target matrix; a timeline per fuzzing campaign (programs run and
 * distinct signatures over elapsed time); and an anchored section per
 * divergence (#d<ID>) with its program, both sides' values and the address
 * space around the divergent step drawn as two SVG strips, model above
 * kernel. Everything read from the database is HTML-escaped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reportInt.h"

#define esc report_html_esc

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px;color:#222}\n"
	"h1{font-size:22px;margin:16px 0 4px}h2{font-size:18px;border-bottom:1px solid #ccc;margin-top:28px}\n"
	"h3{font-size:15px;margin:18px 0 6px}nav a{margin-right:12px}\n"
	"table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}\n"
	"th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	".runs td{white-space:nowrap}.runs td:last-child{white-space:normal;font-size:12px}\n"
	"pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:6px;overflow-x:auto;font-size:12.5px}\n"
	".mark{background:#ffd6d6;font-weight:bold}.muted{color:#777}\n"
	".PASS{color:#17803d}.FAIL,.ERROR{color:#c0262d;font-weight:bold}.XFAIL{color:#b85c00}\n"
	".XPASS{color:#7a3db8}.SKIP{color:#777}\n"
	"article{border:1px solid #ddd;border-radius:4px;padding:4px 12px 10px;margin:12px 0}\n"
	"dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:6px 0}dt{color:#555}dd{margin:0;font-family:monospace}\n"
	"svg text{font:11px monospace}\n";

/* Colours of the result classes, as in the bar chart's legend. */
static const char *const class_fill[RC_COUNT] = { "#3fae5a", "#d9363e", "#f0962e", "#9b59d0", "#b8b8b8", "#333333" };

typedef struct html {
	sqlite3 *db;
	FILE *f;
	char *err;
	size_t cap;
	int failed;
} html;

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static sqlite3_stmt *prep(html *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK && !h->failed) {
		report_sql_error(h->db, rc, "reading the database", h->err, h->cap);
		h->failed = 1;
	}
	return rc == SQLITE_OK ? st : NULL;
}

static void finish(html *h, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && !h->failed) {
		report_sql_error(h->db, rc, "reading the database", h->err, h->cap);
		h->failed = 1;
	}
	sqlite3_finalize(st);
}

/* A cell of the current row, escaped; numbers right-aligned. */
static void td(html *h, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);
	fputs(t == SQLITE_INTEGER || t == SQLITE_FLOAT ? "<td class=\"n\">" : "<td>", h->f);
	esc(h->f, col(st, i));
	fputs("</td>", h->f);
}

/* ---- runs ------------------------------------------------------------ */

static void runs_section(html *h)
{
	sqlite3_stmt *st = prep(h,
		"SELECT v.id, v.kind, replace(substr(v.started_at, 1, 16), 'T', ' '), v.target, v.kernel_release, v.profile,"
		" v.pass - (SELECT count(*) FROM results r WHERE r.run_id = v.id AND r.expected = 'FAIL' AND r.result = 'PASS'),"
		" v.fail - (SELECT count(*) FROM results r WHERE r.run_id = v.id AND r.expected = 'FAIL' AND r.result = 'FAIL'),"
		" (SELECT count(*) FROM results r WHERE r.run_id = v.id AND r.expected = 'FAIL' AND r.result = 'FAIL'),"
		" (SELECT count(*) FROM results r WHERE r.run_id = v.id AND r.expected = 'FAIL' AND r.result = 'PASS'),"
		" v.skip, v.error, v.divergences, v.status, ru.origin, ru.host"
		" FROM v_runs v JOIN runs ru ON ru.id = v.id ORDER BY v.id");
	int rc, n = 0;

	fputs("<section id=\"runs\"><h2>Runs</h2>\n<table class=\"runs\"><tr><th>run</th><th>kind</th>"
	      "<th>started (UTC)</th><th>target</th><th>kernel</th><th>profile</th><th>pass</th><th>fail</th>"
	      "<th>xfail</th><th>xpass</th><th>skip</th><th>error</th><th>div.</th><th>status</th>"
	      "<th>origin</th></tr>\n", h->f);
	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char label[24];
		fputs("<tr>", h->f);
		for (int i = 0; i < 3; i++)
			td(h, st, i);
		/* The target by its short name, the whole of it on hover. */
		report_target_label((const char *)sqlite3_column_text(st, 3),
				    (const char *)sqlite3_column_text(st, 4), label, sizeof(label));
		fputs("<td title=\"", h->f);
		esc(h->f, col(st, 3));
		fputs("\">", h->f);
		esc(h->f, label);
		fputs("</td>", h->f);
		for (int i = 4; i < 14; i++)
			td(h, st, i);
		fputs("<td>", h->f);
		esc(h->f, sqlite3_column_type(st, 14) != SQLITE_NULL ? col(st, 14) : col(st, 15));
		fputs("</td></tr>\n", h->f);
		n++;
	}
	finish(h, st, rc);
	fputs("</table>\n", h->f);
	if (!n)
		fputs("<p class=\"muted\">No runs recorded.</p>\n", h->f);
	fputs("</section>\n", h->f);
}

/* ---- results by syscall ---------------------------------------------- */

static void tally_table(html *h, const char *first, const report_tallies *t)
{
	fprintf(h->f, "<table><tr><th>%s</th>", first);
	for (int k = 0; k < RC_COUNT; k++)
		fprintf(h->f, "<th class=\"%s\">%s</th>", report_class_names[k], report_class_names[k]);
	fputs("</tr>\n", h->f);
	for (int i = 0; i < t->n; i++) {
		fputs("<tr><td>", h->f);
		esc(h->f, t->v[i].key);
		fputs("</td>", h->f);
		for (int k = 0; k < RC_COUNT; k++)
			fprintf(h->f, "<td class=\"n\">%" PRId64 "</td>", t->v[i].n[k]);
		fputs("</tr>\n", h->f);
	}
	fputs("</table>\n", h->f);
}

/* Horizontal stacked bars, one per syscall, scaled to the longest. */
static void bar_chart(html *h, const report_tallies *t)
{
	int64_t max = 1;
	const int label_w = 120, bar_w = 560, row_h = 18, top = 24;

	for (int i = 0; i < t->n; i++) {
		int64_t s = 0;
		for (int k = 0; k < RC_COUNT; k++)
			s += t->v[i].n[k];
		if (s > max)
			max = s;
	}
	int height = top + row_h * t->n + 8;
	fprintf(h->f, "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
		" role=\"img\" aria-label=\"results by syscall\">\n", label_w + bar_w + 60, height);
	/* The legend. */
	for (int k = 0, x = label_w; k < RC_COUNT; k++, x += 80)
		fprintf(h->f, "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"13\">%s</text>\n", x, class_fill[k], x + 14, report_class_names[k]);
	for (int i = 0; i < t->n; i++) {
		int y = top + i * row_h;
		double x = label_w;
		int64_t s = 0;
		fprintf(h->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6, y + 12);
		esc(h->f, t->v[i].key);
		fputs("</text>", h->f);
		for (int k = 0; k < RC_COUNT; k++) {
			double w = (double)t->v[i].n[k] * bar_w / (double)max;
			s += t->v[i].n[k];
			if (t->v[i].n[k] == 0)
				continue;
			fprintf(h->f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
				"<title>", x, y + 2, w < 1 ? 1 : w, row_h - 4, class_fill[k]);
			esc(h->f, t->v[i].key);
			fprintf(h->f, ": %" PRId64 " %s</title></rect>", t->v[i].n[k], report_class_names[k]);
			x += w;
		}
		fprintf(h->f, "<text x=\"%.1f\" y=\"%d\">%" PRId64 "</text>\n", x + 4, y + 12, s);
	}
	fputs("</svg>\n", h->f);
}

static void summary_section(html *h, int64_t run)
{
	report_tallies sys = { 0 }, files = { 0 };
	report_tally tot;

	fputs("<section id=\"summary\">", h->f);
	if (!run) {
		fputs("<h2>Results</h2><p class=\"muted\">No results recorded.</p></section>\n", h->f);
		return;
	}
	if (report_tally_run(h->db, run, &sys, &files, &tot, h->err, h->cap)) {
		h->failed = 1;
		return;
	}
	fprintf(h->f, "<h2>Results of run %" PRId64 " by syscall</h2>\n<p>", run);
	for (int k = 0; k < RC_COUNT; k++)
		fprintf(h->f, "%s<span class=\"%s\">%" PRId64 " %s</span>", k ? ", " : "", report_class_names[k],
			tot.n[k], report_class_names[k]);
	fputs(". A failure counts for the syscall of its divergent step; anything else once for each "
	      "syscall its case uses.</p>\n", h->f);
	bar_chart(h, &sys);
	tally_table(h, "syscall", &sys);
	fputs("<h3>By suite file</h3>\n", h->f);
	tally_table(h, "file", &files);
	fputs("</section>\n", h->f);
	report_tallies_free(&sys);
	report_tallies_free(&files);
}

/* ---- signatures ------------------------------------------------------- */

static void signatures_section(html *h)
{
	sqlite3_stmt *st = prep(h, "SELECT signature, count, runs, replace(substr(first_seen, 1, 19), 'T', ' '),"
				   " replace(substr(last_seen, 1, 19), 'T', ' '), first_run, last_run,"
				   " reproduced || '/' || attempts, example_id, syscall, field"
				   " FROM v_divergence_signatures ORDER BY count DESC, signature");
	int rc, n = 0;

	fputs("<section id=\"signatures\"><h2>Divergence signatures</h2>\n<table><tr><th>signature</th>"
	      "<th>count</th><th>runs</th><th>first seen</th><th>last seen</th><th>first run</th>"
	      "<th>last run</th><th>reproduced</th><th>example</th></tr>\n", h->f);
	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("<tr><td><code>", h->f);
		esc(h->f, col(st, 0));
		fputs("</code></td>", h->f);
		for (int i = 1; i < 8; i++)
			td(h, st, i);
		fprintf(h->f, "<td><a href=\"#d%lld\">#%lld</a></td></tr>\n", (long long)sqlite3_column_int64(st, 8),
			(long long)sqlite3_column_int64(st, 8));
		n++;
	}
	finish(h, st, rc);
	fputs("</table>\n", h->f);
	if (!n)
		fputs("<p class=\"muted\">No divergences recorded.</p>\n", h->f);
	fputs("</section>\n", h->f);
}

/* ---- matrix ----------------------------------------------------------- */

static void matrix_table(html *h, int signatures)
{
	report_matrix m;
	int shown = 0;

	if (report_matrix_load(h->db, signatures, &m, h->err, h->cap)) {
		h->failed = 1;
		return;
	}
	fprintf(h->f, "<h3>%s by target</h3>\n<table><tr><th>%s</th>", signatures ? "Signatures" : "Cases",
		signatures ? "signature" : "case");
	for (int t = 0; t < m.nt; t++) {
		fputs("<th title=\"", h->f);
		esc(h->f, m.t[t].target);
		fputs(" ", h->f);
		esc(h->f, m.t[t].release);
		fputs("\">", h->f);
		esc(h->f, m.t[t].label);
		fputs("</th>", h->f);
	}
	fputs("</tr>\n", h->f);
	for (int r = 0; r < m.nrows; r++) {
		if (!m.rows[r].interesting)
			continue;
		shown++;
		fputs("<tr><td>", h->f);
		if (m.rows[r].file) {
			fputs("<span class=\"muted\">", h->f);
			esc(h->f, m.rows[r].file);
			fputs(":</span> ", h->f);
		}
		esc(h->f, m.rows[r].name);
		fputs("</td>", h->f);
		for (int t = 0; t < m.nt; t++) {
			int v = m.rows[r].cell[t];
			if (signatures)
				fprintf(h->f, v ? "<td class=\"n\">%d</td>" : "<td class=\"n muted\">-</td>", v);
			else if (v < 0)
				fputs("<td class=\"muted\">-</td>", h->f);
			else
				fprintf(h->f, "<td class=\"%s\">%s</td>", report_class_names[v], report_class_names[v]);
		}
		fputs("</tr>\n", h->f);
	}
	if (!signatures) {
		fputs("<tr><th>latest results</th>", h->f);
		for (int t = 0; t < m.nt; t++) {
			fputs("<td>", h->f);
			for (int k = 0; k < RC_COUNT; k++)
				if (m.t[t].n[k])
					fprintf(h->f, "<span class=\"%s\">%" PRId64 "&nbsp;%s</span> ", report_class_names[k],
						m.t[t].n[k], report_class_names[k]);
			fputs("</td>", h->f);
		}
		fputs("</tr>\n", h->f);
	}
	fputs("</table>\n", h->f);
	if (!signatures && m.nrows > shown)
		fprintf(h->f, "<p class=\"muted\">%d case%s that pass%s (or skip) on every target left out.</p>\n",
			m.nrows - shown, m.nrows - shown == 1 ? "" : "s", m.nrows - shown == 1 ? "es" : "");
	report_matrix_free(&m);
}

/* ---- campaign timelines ---------------------------------------------- */

static void timeline(html *h, int64_t run)
{
	sqlite3_stmt *st = prep(h, "SELECT elapsed_s, programs, signatures, divergences FROM campaign_progress"
				   " WHERE run_id = ?1 ORDER BY elapsed_s, id");
	enum { W = 640, H = 220, L = 60, R = 60, T = 16, B = 36 };
	double *xs = NULL;
	int64_t *ps = NULL, *ss = NULL;
	int n = 0, cap = 0, rc;

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			double *nx = realloc(xs, (size_t)cap * sizeof(*xs));
			int64_t *np = realloc(ps, (size_t)cap * sizeof(*ps)), *ns = realloc(ss, (size_t)cap * sizeof(*ss));
			if (nx)
				xs = nx;
			if (np)
				ps = np;
			if (ns)
				ss = ns;
			if (!nx || !np || !ns)
				break;
		}
		xs[n] = sqlite3_column_double(st, 0);
		ps[n] = sqlite3_column_int64(st, 1);
		ss[n++] = sqlite3_column_int64(st, 2);
	}
	finish(h, st, rc == SQLITE_ROW ? SQLITE_DONE : rc);
	double xmax = 1;
	int64_t pmax = 1, smax = 1;
	for (int i = 0; i < n; i++) {
		if (xs[i] > xmax)
			xmax = xs[i];
		if (ps[i] > pmax)
			pmax = ps[i];
		if (ss[i] > smax)
			smax = ss[i];
	}
	fprintf(h->f, "<h3>Campaign run %" PRId64 ": %d status ticks over %.0f s, %" PRId64 " programs, %" PRId64
		" distinct signature%s</h3>\n", run, n, n ? xs[n - 1] : 0.0, n ? ps[n - 1] : 0, n ? ss[n - 1] : 0,
		n && ss[n - 1] == 1 ? "" : "s");
	fprintf(h->f, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
		" role=\"img\" aria-label=\"campaign timeline\">\n", W, H);
	int pw = W - L - R, ph = H - T - B;
	fprintf(h->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#bbb\"/>\n",
		L, T, pw, ph);
	/* Axes: programs on the left (blue), signatures on the right (red). */
	fprintf(h->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#2463b0\">%" PRId64 "</text>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#2463b0\">0</text>\n", L - 4, T + 10, pmax,
		L - 4, T + ph);
	fprintf(h->f, "<text x=\"%d\" y=\"%d\" fill=\"#c0262d\">%" PRId64 "</text>"
		"<text x=\"%d\" y=\"%d\" fill=\"#c0262d\">0</text>\n", L + pw + 4, T + 10, smax, L + pw + 4, T + ph);
	fprintf(h->f, "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f s</text>\n",
		L, T + ph + 14, L + pw, T + ph + 14, xmax);
	fprintf(h->f, "<text x=\"%d\" y=\"%d\" fill=\"#2463b0\">programs run</text>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#c0262d\">distinct signatures</text>\n",
		L, H - 4, L + pw, H - 4);
	for (int s = 0; s < 2; s++) {
		fprintf(h->f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			s ? "signatures" : "programs", s ? "#c0262d" : "#2463b0");
		for (int i = 0; i < n; i++) {
			double v = s ? (double)ss[i] / (double)smax : (double)ps[i] / (double)pmax;
			fprintf(h->f, "%.1f,%.1f ", L + xs[i] / xmax * pw, T + ph - v * ph);
		}
		fputs("\"/>\n", h->f);
	}
	fputs("</svg>\n", h->f);
	free(xs);
	free(ps);
	free(ss);
}

static void campaigns_section(html *h)
{
	sqlite3_stmt *st = prep(h, "SELECT DISTINCT run_id FROM campaign_progress ORDER BY run_id");
	int rc, n = 0;

	fputs("<section id=\"campaigns\"><h2>Fuzzing campaigns</h2>\n", h->f);
	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		timeline(h, sqlite3_column_int64(st, 0));
		n++;
	}
	finish(h, st, rc);
	if (!n)
		fputs("<p class=\"muted\">No campaign recorded progress (`mmspec fuzz` does).</p>\n", h->f);
	fputs("</section>\n", h->f);
}

/* ---- divergences ------------------------------------------------------ */

/* A fill per permission string: what the page allows, at a glance. */
static const char *perm_fill(const char *p)
{
	if (!p[0])
		return "#ffffff";
	if (p[0] == '?')
		return "#dddddd";
	int r = p[0] == 'r', w = p[1] == 'w', x = p[2] == 'x', s = p[3] == 's';
	if (x)
		return s ? "#e6a25a" : "#f4c27a";
	if (w)
		return s ? "#5fb37a" : "#9ad4a6";
	if (r)
		return s ? "#6e9fd6" : "#a9c8ec";
	return "#c9c9c9";
}

/* Two strips, model above kernel, a cell per page, differing pages outlined red. */
static void strips_svg(html *h, const report_layout *m, const report_layout *k)
{
	char diff[REPORT_STRIP_MAX];
	int nd = report_layout_diff(m, k, diff, REPORT_STRIP_MAX);
	int ml = (int)strlen(m->strip), kl = (int)strlen(k->strip), n = ml > kl ? ml : kl;
	int cw = n ? 768 / n : 16, lw = 60, rowh = 26;

	if (cw > 24)
		cw = 24;
	if (cw < 8)
		cw = 8;
	int width = lw + n * cw + 20, height = 2 * rowh + 34;
	if (width < 520)
		width = 520; /* room for the caption */
	fprintf(h->f, "<svg class=\"strip\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
		" role=\"img\" aria-label=\"address space, model against kernel\">\n", width, height);
	for (int side = 0; side < 2; side++) {
		const report_layout *l = side ? k : m;
		int y = 4 + side * rowh, len = side ? kl : ml;
		fprintf(h->f, "<text x=\"0\" y=\"%d\">%s</text>\n", y + 15, side ? "kernel" : "model");
		for (int i = 0; i < n; i++) {
			char ch = i < len ? l->strip[i] : '.';
			const char *perms = i < len ? l->page_perms[i] : "";
			fprintf(h->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"%s\""
				" stroke-width=\"%s\"><title>", lw + i * cw, y, cw, rowh - 4,
				ch == '.' ? "#ffffff" : perm_fill(perms), diff[i] ? "#d00" : "#999",
				diff[i] ? "2" : "0.5");
			fprintf(h->f, "%s page %d from ", side ? "kernel" : "model", i);
			esc(h->f, l->base_text);
			fputs(": ", h->f);
			if (ch == '.')
				fputs("hole", h->f);
			else
				esc(h->f, perms);
			fputs("</title></rect>", h->f);
			if (cw >= 10 && ch != '.')
				fprintf(h->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%c</text>",
					lw + i * cw + cw / 2, y + 15, ch == '<' || ch == '&' ? '?' : ch);
			fputc('\n', h->f);
		}
	}
	int y = 4 + 2 * rowh;
	for (int i = 0; i < n; i++)
		if (diff[i])
			fprintf(h->f, "<path d=\"M%d %d l4 7 h-8 z\" fill=\"#d00\"/>", lw + i * cw + cw / 2, y);
	fprintf(h->f, "\n<text x=\"%d\" y=\"%d\">", lw, y + 22);
	esc(h->f, m->base_text);
	fprintf(h->f, " (one cell per page; %d page%s differ%s)</text>\n</svg>\n", nd, nd == 1 ? "" : "s",
		nd == 1 ? "s" : "");
}

static void program_pre(html *h, const char *prog, int step)
{
	int mark = step >= 0 ? report_step_line(prog, step) : -1, line = 0;

	fputs("<pre>", h->f);
	for (const char *p = prog; p && *p; line++) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *s = strndup(p, len);
		if (line == mark)
			fputs("<span class=\"mark\">", h->f);
		esc(h->f, s);
		if (line == mark)
			fputs("</span>   &lt;-- divergent step", h->f);
		fputc('\n', h->f);
		free(s);
		p = e ? e + 1 : p + len;
	}
	fputs("</pre>\n", h->f);
}

static void divergence_article(html *h, sqlite3_stmt *st, const char *db_path)
{
	long long id = sqlite3_column_int64(st, 0);
	int step = sqlite3_column_int(st, 8), rep = sqlite3_column_int(st, 18), att = sqlite3_column_int(st, 19);
	report_layout m, k;
	FILE *f = h->f;

	fprintf(f, "<article id=\"d%lld\"><h3>Divergence #%lld: <code>", id, id);
	esc(f, col(st, 16));
	fputs("</code></h3>\n<dl>", f);
	fprintf(f, "<dt>run</dt><dd>%lld (", (long long)sqlite3_column_int64(st, 1));
	esc(f, col(st, 2));
	fputs(", Linux ", f);
	esc(f, col(st, 3));
	fputs(", profile ", f);
	esc(f, col(st, 4));
	fputs(")</dd><dt>case</dt><dd>", f);
	if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
		esc(f, col(st, 5));
		fputs(": ", f);
		esc(f, col(st, 6));
		if (sqlite3_column_int(st, 21))
			fputs(" <span class=\"XFAIL\">(known on this target: XFAIL)</span>", f);
	} else {
		fputs("(found by fuzzing)", f);
	}
	fprintf(f, "</dd><dt>step %d</dt><dd>", step);
	esc(f, col(st, 9));
	fputs("</dd><dt>field</dt><dd>", f);
	esc(f, col(st, 11));
	fputs(" of ", f);
	esc(f, col(st, 10));
	fputs("</dd><dt>model</dt><dd>", f);
	esc(f, col(st, 12));
	fputs("</dd><dt>kernel</dt><dd>", f);
	esc(f, col(st, 13));
	if (att)
		fprintf(f, "</dd><dt>reproduced</dt><dd>%d of %d reruns (%d%%)", rep, att, rep * 100 / att);
	else
		fputs("</dd><dt>reproduced</dt><dd>not rerun yet", f);
	fputs("</dd><dt>C reproducer</dt><dd>mmspec repro ", f);
	if (strcmp(db_path, "mmspec.db")) {
		fputs("--db ", f);
		esc(f, db_path);
		fputc(' ', f);
	}
	fprintf(f, "--c %lld</dd></dl>\n", id);
	program_pre(h, col(st, 7), step);
	int mok = report_layout_parse((const char *)sqlite3_column_text(st, 14), &m) == 0;
	int kok = report_layout_parse((const char *)sqlite3_column_text(st, 15), &k) == 0;
	if (mok && kok) {
		fprintf(f, "<p>The address space at step %d, model above kernel:</p>\n", step);
		strips_svg(h, &m, &k);
	}
	if (sqlite3_column_type(st, 14) != SQLITE_NULL || sqlite3_column_type(st, 15) != SQLITE_NULL) {
		fputs("<details><summary>the drawings as stored</summary><table><tr><th>model</th><th>kernel</th></tr>"
		      "<tr><td><pre>", f);
		esc(f, col(st, 14));
		fputs("</pre></td><td><pre>", f);
		esc(f, col(st, 15));
		fputs("</pre></td></tr></table></details>\n", f);
	}
	if (sqlite3_column_type(st, 17) != SQLITE_NULL) {
		fputs("<p>Minimized program:</p>\n", f);
		program_pre(h, col(st, 17), -1);
	} else {
		fputs("<p class=\"muted\">Not minimized yet.</p>\n", f);
	}
	fputs("</article>\n", f);
}

static void divergences_section(html *h, const char *db_path)
{
	/* Every signature's example, and the latest 300 others. */
	sqlite3_stmt *st = prep(h,
		"SELECT d.id, d.run_id, ru.target, ru.kernel_release, ru.profile, c.file, c.name, d.program,"
		" d.step, d.step_text, d.syscall, d.field, d.model, d.kernel, d.model_layout, d.kernel_layout,"
		" d.signature, d.minimized, d.reproduced, d.attempts, d.created_at, r.expected = 'FAIL'"
		" FROM divergences d JOIN runs ru ON ru.id = d.run_id"
		" LEFT JOIN results r ON r.id = d.result_id LEFT JOIN cases c ON c.id = r.case_id"
		" WHERE d.id IN (SELECT example_id FROM v_divergence_signatures)"
		"    OR d.id IN (SELECT id FROM divergences ORDER BY id DESC LIMIT 300)"
		" ORDER BY d.signature, d.id");
	sqlite3_stmt *cnt = prep(h, "SELECT count(*) FROM divergences");
	int rc, n = 0;
	long long total = 0;

	if (cnt && sqlite3_step(cnt) == SQLITE_ROW)
		total = sqlite3_column_int64(cnt, 0);
	sqlite3_finalize(cnt);
	fputs("<section id=\"divergences\"><h2>Divergences</h2>\n", h->f);
	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		divergence_article(h, st, db_path);
		n++;
	}
	finish(h, st, rc);
	if (!n)
		fputs("<p class=\"muted\">None.</p>\n", h->f);
	else if (n < total)
		fprintf(h->f, "<p class=\"muted\">%d of %lld divergences shown: every signature's example and the"
			" latest ones; `mmspec report show ID` shows any.</p>\n", n, total);
	fputs("</section>\n", h->f);
}

/* ---- the page ------------------------------------------------------- */

int report_html_write(sqlite3 *db, const char *db_path, int64_t run, const char *dir,
		      char *err, size_t cap)
{
	char path[4200], tmp[4300];
	html h = { db, NULL, err, cap, 0 };

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		snprintf(err, cap, "%s: cannot create the directory: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/index.html", dir);
	snprintf(tmp, sizeof(tmp), "%s/.index.html.%d", dir, (int)getpid());
	h.f = fopen(tmp, "w");
	if (!h.f) {
		snprintf(err, cap, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (!run)
		run = report_latest_run(db);
	time_t now = time(NULL);
	char stamp[40];
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>mmspec report: ", h.f);
	esc(h.f, db_path);
	fprintf(h.f, "</title>\n<style>\n%s</style></head><body>\n<h1>mmspec report</h1>\n<p class=\"muted\">", css);
	esc(h.f, db_path);
	fprintf(h.f, ", written %s</p>\n<nav><a href=\"#runs\">runs</a><a href=\"#summary\">results</a>"
		"<a href=\"#signatures\">signatures</a><a href=\"#matrix\">target matrix</a>"
		"<a href=\"#campaigns\">campaigns</a><a href=\"#divergences\">divergences</a></nav>\n", stamp);
	runs_section(&h);
	if (!h.failed)
		summary_section(&h, run);
	if (!h.failed)
		signatures_section(&h);
	if (!h.failed) {
		fputs("<section id=\"matrix\"><h2>Target matrix</h2>\n<p>The latest result of each case on each "
		      "target, and the divergences recorded on each.</p>\n", h.f);
		matrix_table(&h, 0);
		if (!h.failed)
			matrix_table(&h, 1);
		fputs("</section>\n", h.f);
	}
	if (!h.failed)
		campaigns_section(&h);
	if (!h.failed)
		divergences_section(&h, db_path);
	fputs("</body></html>\n", h.f);
	if (ferror(h.f) && !h.failed) {
		snprintf(err, cap, "%s: write error", tmp);
		h.failed = 1;
	}
	if (fclose(h.f) && !h.failed) {
		snprintf(err, cap, "%s: %s", tmp, strerror(errno));
		h.failed = 1;
	}
	if (!h.failed && rename(tmp, path) < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		h.failed = 1;
	}
	if (h.failed)
		unlink(tmp);
	return h.failed ? -1 : 0;
}
