/* SPDX-License-Identifier: MIT */
/*
 * test_report.c: unit tests of the reading side (reports/report.h):
 * `mmspec report` subcommands, the HTML report, `mmspec db merge`, and
 * the parser of the address-space drawings.
 *
 * The database is built through store.h calls: five runs on four targets
 * (host, a 6.1 VM, qemu-user with a known divergence, a fuzzing campaign
 * with progress rows, and host again with one divergence fixed and one
 * new), divergences carrying drawings in the harness's format
 * (harness/check.c describe_layout). Each subcommand runs through
 * report_main with its output captured, and the test checks the facts in
 * it. `test_report --make-db PATH` only writes that database, for the
 * HTML test in Chromium (tests/html_test.sh).
 */
#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "report.h"
#include "store.h"
#include "test.h"

#define CHECK_HAS(s, sub)                                                     \
	do {                                                                   \
		const char *s_ = (s);                                          \
		CHECK_MSG(s_ && strstr(s_, sub), "\"%s\" does not contain \"%s\"", \
			  s_ ? s_ : "(null)", sub);                            \
	} while (0)
#define CHECK_LACKS(s, sub)                                                   \
	do {                                                                   \
		const char *s_ = (s);                                          \
		CHECK_MSG(s_ && !strstr(s_, sub), "\"%s\" contains \"%s\"",     \
			  s_ ? s_ : "(null)", sub);                            \
	} while (0)

/* ---- files ----------------------------------------------------------- */

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];

	if (!tmpdir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/mmspec-report-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(3);
		}
	}
	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	return buf;
}

/* ---- the database ------------------------------------------------------ */

/* Drawings as harness/check.c's describe_layout writes them: the
 * mprotect-back-merge divergence, the kernel merged the middle page back
 * into its left neighbour and the model did not. */
static const char model_layout[] =
	"A-1p |.abbc.|\n"
	"  [A, A+1p) rw-p\n"
	"  [A+1p, A+3p) r--p\n"
	"  [A+3p, A+4p) rw-p\n";
static const char kernel_layout[] =
	"A-1p |.aabc.|\n"
	"  [A, A+2p) rw-p\n"
	"  [A+2p, A+3p) r--p\n"
	"  [A+3p, A+4p) rw-p\n";
/* A maps() drawing of the whole layout, absolute addresses, cut short by
 * the stored length as the harness's 600-byte buffer cuts them. */
static const char abs_layout[] =
	"0x127ce000 |abb...|...\n"
	"  [0x400000, 0x401000) r--p\n"
	"  [0x127ce000, 0x127cf000) rw-p\n"
	"  [0x127cf000, 0x127d1000) r--p\n"
	"  [0x";

static const char prog_merge[] =
	"case mprotect-merge-back\n"
	"  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
	"  mprotect(A+1p, 2p, PROT_READ) = 0\n"
	"  mprotect(A+1p, 1p, PROT_READ|PROT_WRITE) = 0\n"
	"  maps(A-1p, 6p) = \".aabc.\"\n";
static const char prog_pass[] =
	"case split-and-merge\n"
	"  mmap(A, 3p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
	"  mprotect(A+1p, 1p, PROT_READ) = 0\n"
	"  fork() = $c\n"
	"  [$c] load(A) = 0\n";
static const char prog_skip[] =
	"case needs-mseal\n"
	"  requires linux >= 6.10\n"
	"  mseal(A, 1p, 0) = 0\n";
static const char prog_fuzz[] =
	"mmap(A, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
	"mmap(A+4p, 34359738367p, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)\n"
	"mremap(A, 1p, 2p, 0) = A\n";

/* The signature with markup in it checks the HTML escaping. */
#define SIG_MERGE "mprotect:layout:bounds"
#define SIG_QEMU "load:signal:ok:SEGV_MAPERR"
#define SIG_FUZZ "mremap:return:<b>&\"x\"</b>"
#define SIG_NEW "mmap:errno:ok:ENOMEM"

static int64_t run_on(store *s, const char *kind, const char *target, const char *release, const char *profile)
{
	store_run_info ri = { kind, "0.1.0", target, release, profile, "{}", "mmspec run suites/", 0, "ci-1" };
	int64_t id = store_run_begin(s, &ri);
	CHECK(id > 0);
	return id;
}

static int64_t result(store *s, int64_t run, const char *file, const char *name, const char *prog,
		      int res, const char *msg, const char *expected)
{
	store_result_info r = { file, name, prog, res, msg, 1.5, expected };
	int64_t id = store_result(s, run, &r);
	CHECK(id > 0);
	return id;
}

static int64_t divergence(store *s, int64_t run, int64_t result_id, const char *prog, int step,
			  const char *step_text, const char *sys, const char *field, const char *sig,
			  const char *ml, const char *kl, const char *minimized, int rep, int att)
{
	store_divergence_info d = { result_id, prog, step, step_text, sys, field, "VMA [A+1p, A+3p) r--p",
				    "VMA [A+2p, A+3p) r--p", ml, kl, sig, minimized, rep, att };
	int64_t id = store_divergence(s, run, &d);
	CHECK(id > 0);
	return id;
}

/* Run ids and divergence ids of the standard database. */
static int64_t r_host, r_vm, r_qemu, r_fuzz, r_host2, d_merge, d_qemu, d_fuzz, d_new;

static void make_db(const char *path)
{
	char err[512];
	store *s = NULL;

	unlink(path);
	CHECK(store_open(path, &s, err, sizeof(err)) == 0);
	if (!s)
		return;
	/* 1: host, the merge bug. */
	r_host = run_on(s, "run", "host", "6.18.44", "6.18");
	result(s, r_host, "suites/fork.mmt", "split-and-merge", prog_pass, 0, NULL, NULL);
	int64_t res = result(s, r_host, "suites/merge.mmt", "mprotect-merge-back", prog_merge, 1,
			     "line 5: `maps(A-1p, 6p) = \".aabc.\"`: step's layout differs", NULL);
	d_merge = divergence(s, r_host, res, prog_merge, 3, "maps(A-1p, 6p) = \".aabc.\"", "maps", "layout",
			     SIG_MERGE, model_layout, kernel_layout,
			     "mprotect(A+1p, 1p, PROT_READ) = 0\nmaps(A, 3p) = \"aba\"\n", 2, 3);
	result(s, r_host, "suites/mseal.mmt", "needs-mseal", prog_skip, 2, "requires linux >= 6.10", NULL);
	store_run_end(s, r_host, 1, 1, 1, 0);
	/* 2: a 6.1 VM: the same bug, mseal skipped. */
	r_vm = run_on(s, "run", "vm:/srv/kernels/vmlinuz-6.1.0-37-cloud-amd64", "6.1.0-37-cloud-amd64", "6.1");
	result(s, r_vm, "suites/fork.mmt", "split-and-merge", prog_pass, 0, NULL, NULL);
	res = result(s, r_vm, "suites/merge.mmt", "mprotect-merge-back", prog_merge, 1, "layout differs", NULL);
	divergence(s, r_vm, res, prog_merge, 3, "maps(A-1p, 6p) = \".aabc.\"", "maps", "layout", SIG_MERGE,
		   model_layout, kernel_layout, NULL, 1, 1);
	result(s, r_vm, "suites/mseal.mmt", "needs-mseal", prog_skip, 2, "requires linux >= 6.10", NULL);
	store_run_end(s, r_vm, 1, 1, 1, 0);
	/* 3: qemu-user: split-and-merge is a known divergence there (XFAIL). */
	r_qemu = run_on(s, "run", "qemu-user", "6.18.44", "6.18");
	res = result(s, r_qemu, "suites/fork.mmt", "split-and-merge", prog_pass, 1,
		     "line 5: `[$c] load(A) = 0`: divergence in signal", "FAIL");
	d_qemu = divergence(s, r_qemu, res, prog_pass, 3, "[$c] load(A) = 0", "load", "signal", SIG_QEMU,
			    abs_layout, abs_layout, NULL, 3, 3);
	result(s, r_qemu, "suites/merge.mmt", "mprotect-merge-back", prog_merge, 0, NULL, NULL);
	store_run_end(s, r_qemu, 1, 1, 0, 0);
	/* 4: a fuzzing campaign on the host. */
	r_fuzz = run_on(s, "fuzz", "host", "6.18.44", "6.18");
	d_fuzz = divergence(s, r_fuzz, 0, prog_fuzz, 2, "mremap(A, 1p, 2p, 0) = A", "mremap", "return", SIG_FUZZ,
			    NULL, NULL, NULL, 0, 0);
	/* A campaign records its harness errors as results of pseudo-cases. */
	result(s, r_fuzz, "fuzz", "fuzz-error-w0-0", prog_fuzz, 3, "executor: lost", NULL);
	for (int i = 1; i <= 6; i++) {
		store_progress_info p = { 10.0 * i, 1000 * i, i / 2, i < 3 ? 0 : 1, 0 };
		CHECK(store_campaign_progress(s, r_fuzz, &p) > 0);
	}
	store_run_end(s, r_fuzz, 0, 0, 0, 0);
	/* 5: the host again: the merge bug fixed, a new one, a new failing case. */
	r_host2 = run_on(s, "run", "host", "6.18.44", "6.18");
	result(s, r_host2, "suites/fork.mmt", "split-and-merge", prog_pass, 0, NULL, NULL);
	result(s, r_host2, "suites/merge.mmt", "mprotect-merge-back", prog_merge, 0, NULL, NULL);
	res = result(s, r_host2, "suites/mmap.mmt", "mmap-overcommit", "case mmap-overcommit\n"
		     "  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM\n", 1,
		     "line 2: `mmap(NULL, 1p, ...)`: divergence in return", NULL);
	d_new = divergence(s, r_host2, res, "case mmap-overcommit\n  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM\n",
			   0, "mmap(NULL, 1p, ...)", "mmap", "return", SIG_NEW, NULL, NULL, NULL, 1, 1);
	store_run_end(s, r_host2, 2, 1, 0, 0);
	store_close(s);
}

/* Runs `mmspec report ARGS` on db; returns the exit status, output in *out. */
static int report(char **out, char **errout, const char *db, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	size_t n1, n2;
	FILE *o, *e;

	argv[argc++] = "--db";
	argv[argc++] = (char *)db;
	va_start(ap, db);
	for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	o = open_memstream(out, &n1);
	e = open_memstream(errout, &n2);
	int rc = report_main(argc, argv, o, e);
	fclose(o);
	fclose(e);
	return rc;
}

#define REPORT(rc_, db_, ...)                                                 \
	do {                                                                   \
		free(out);                                                     \
		free(err);                                                     \
		out = err = NULL;                                              \
		rc_ = report(&out, &err, db_, __VA_ARGS__, (char *)NULL);      \
	} while (0)

static const char *db(void)
{
	static int made;
	const char *p = tpath("report.db");
	if (!made++)
		make_db(p);
	return p;
}

/* Longest line of s. */
static int widest(const char *s)
{
	int w = 0;
	for (const char *p = s; p && *p;) {
		const char *e = strchr(p, '\n');
		int l = e ? (int)(e - p) : (int)strlen(p);
		if (l > w)
			w = l;
		p = e ? e + 1 : p + l;
	}
	return w;
}

/* ---- drawings ------------------------------------------------------- */

TEST(drawings_parse_as_the_harness_writes_them)
{
	report_layout l;

	CHECK(report_layout_parse(model_layout, &l) == 0);
	CHECK_STR(l.base_text, "A-1p");
	CHECK(l.base.rel == 1 && l.base.v == -1);
	CHECK_STR(l.strip, ".abbc.");
	CHECK(!l.more);
	CHECK(l.nvmas == 3);
	CHECK(l.vmas[1].start.rel && l.vmas[1].start.v == 1 && l.vmas[1].end.v == 3);
	CHECK_STR(l.vmas[1].perms, "r--p");
	/* Page 0 of the strip is A-1p, a hole; 1 is A; 2 and 3 the r-- VMA. */
	CHECK_STR(l.page_perms[0], "");
	CHECK_STR(l.page_perms[1], "rw-p");
	CHECK_STR(l.page_perms[2], "r--p");
	CHECK_STR(l.page_perms[3], "r--p");
	CHECK_STR(l.page_perms[4], "rw-p");

	/* Absolute addresses, a window that went on, a line cut short. */
	CHECK(report_layout_parse(abs_layout, &l) == 0);
	CHECK(l.base.rel == 0 && l.base.v == 0x127ce000);
	CHECK(l.more);
	CHECK(l.nvmas == 3);
	CHECK_STR(l.page_perms[0], "rw-p");
	CHECK_STR(l.page_perms[1], "r--p");
	CHECK_STR(l.page_perms[2], "r--p");

	CHECK(report_layout_parse(NULL, &l) == -1);
	CHECK(report_layout_parse("", &l) == -1);
	CHECK(report_layout_parse("no strip here\n  [A, A+1p) rw-p\n", &l) == -1);
}

TEST(drawings_differ_where_holes_perms_or_boundaries_differ)
{
	report_layout m, k;
	char diff[REPORT_STRIP_MAX];

	CHECK(report_layout_parse(model_layout, &m) == 0);
	CHECK(report_layout_parse(kernel_layout, &k) == 0);
	/* ".abbc." against ".aabc.": page 2 is rw- on one side, r-- on the
	 * other; the boundary moved from before page 2 to before page 3. */
	CHECK(report_layout_diff(&m, &k, diff, REPORT_STRIP_MAX) == 2);
	CHECK(!diff[0] && !diff[1] && diff[2] && diff[3] && !diff[4] && !diff[5]);
	CHECK(report_layout_diff(&m, &m, diff, REPORT_STRIP_MAX) == 0);
	/* A hole on one side only. */
	CHECK(report_layout_parse("A |aa.|\n  [A, A+2p) rw-p\n", &m) == 0);
	CHECK(report_layout_parse("A |aaa|\n  [A, A+3p) rw-p\n", &k) == 0);
	CHECK(report_layout_diff(&m, &k, diff, REPORT_STRIP_MAX) == 1 && diff[2]);
}

/* ---- subcommands ----------------------------------------------------- */

TEST(runs_lists_every_run_with_its_classes)
{
	char *out = NULL, *err = NULL;
	int rc;

	REPORT(rc, db(), "runs");
	CHECK(rc == 0);
	CHECK_HAS(out, "qemu-user");
	CHECK_HAS(out, "vm:6.1 ");
	CHECK_HAS(out, "fuzz");
	CHECK(widest(out) <= 100);
	/* The qemu-user run: its FAIL was expected, so it shows as xfail. */
	const char *q = strstr(out, "\n 3  ");
	CHECK_MSG(q != NULL, "no line for run 3 in\n%s", out);
	if (q) {
		char line[200];
		sscanf(q + 1, "%199[^\n]", line);
		int id, pass, fail, xfail, xpass, skip, error, div;
		char kind[8], day[16], tod[8], target[32], kernel[32], prof[8];
		CHECK(sscanf(line, "%d %7s %15s %7s %31s %31s %7s %d %d %d/%d %d %d %d", &id, kind, day, tod, target,
			     kernel, prof, &pass, &fail, &xfail, &xpass, &skip, &error, &div) == 14);
		CHECK(pass == 1 && fail == 0 && xfail == 1 && xpass == 0 && skip == 0 && error == 0 && div == 1);
	}
	REPORT(rc, db(), "runs", "--json");
	CHECK(rc == 0);
	CHECK_HAS(out, "\"target\": \"qemu-user\"");
	CHECK_HAS(out, "\"xfail\": 1");
	CHECK(out && out[0] == '[');
	free(out);
	free(err);
}

TEST(summary_counts_failures_by_divergent_syscall_and_passes_by_every_syscall)
{
	char *out = NULL, *err = NULL, buf[16];
	int rc;

	snprintf(buf, sizeof(buf), "%lld", (long long)r_host);
	REPORT(rc, db(), "summary", buf, "--json");
	CHECK(rc == 0);
	/* split-and-merge passed: once for each of mmap, mprotect, fork, load. */
	CHECK_HAS(out, "{\"syscall\": \"fork\", \"pass\": 1, \"fail\": 0");
	CHECK_HAS(out, "{\"syscall\": \"load\", \"pass\": 1, \"fail\": 0");
	/* mprotect-merge-back failed at maps(): it counts there only. */
	CHECK_HAS(out, "{\"syscall\": \"maps\", \"pass\": 0, \"fail\": 1");
	CHECK_HAS(out, "{\"syscall\": \"mprotect\", \"pass\": 1, \"fail\": 0");
	CHECK_HAS(out, "{\"syscall\": \"mseal\", \"pass\": 0, \"fail\": 0, \"xfail\": 0, \"xpass\": 0, \"skip\": 1");
	CHECK_HAS(out, "{\"file\": \"suites/merge.mmt\", \"pass\": 0, \"fail\": 1");
	CHECK_HAS(out, "\"totals\": {\"pass\": 1, \"fail\": 1, \"xfail\": 0, \"xpass\": 0, \"skip\": 1, \"error\": 0}");

	snprintf(buf, sizeof(buf), "%lld", (long long)r_qemu);
	REPORT(rc, db(), "summary", buf);
	CHECK(rc == 0);
	CHECK_HAS(out, "1 pass, 0 fail, 1 xfail");
	CHECK_HAS(out, "qemu-user");
	CHECK(widest(out) <= 100);
	/* The XFAIL counts for load, the step it diverged at (from the divergence). */
	const char *l = strstr(out, "\nload ");
	CHECK(l != NULL);
	if (l) {
		int p, f, xf;
		CHECK(sscanf(l + 6, "%d %d %d", &p, &f, &xf) == 3 && p == 0 && f == 0 && xf == 1);
	}
	/* A campaign: its divergences by syscall. */
	snprintf(buf, sizeof(buf), "%lld", (long long)r_fuzz);
	REPORT(rc, db(), "summary", buf);
	CHECK(rc == 0);
	CHECK_HAS(out, "Divergences by syscall (of the divergent step):\nsyscall  divergences  signatures\nmremap             1           1\n");
	/* The latest run by default. */
	REPORT(rc, db(), "summary");
	CHECK(rc == 0);
	snprintf(buf, sizeof(buf), "run %lld ", (long long)r_host2);
	CHECK_HAS(out, buf);
	free(out);
	free(err);
}

TEST(divergences_filter_by_run_signature_syscall_and_since)
{
	char *out = NULL, *err = NULL, buf[16];
	int rc;

	REPORT(rc, db(), "divergences");
	CHECK(rc == 0);
	CHECK_HAS(out, "5 divergences, 4 signatures");
	CHECK_HAS(out, "(fuzz)");
	CHECK_HAS(out, "*split-and-merge");
	CHECK_HAS(out, "vm:6.1");
	CHECK_HAS(out, SIG_QEMU "\n");
	CHECK(widest(out) <= 100);
	REPORT(rc, db(), "divergences", "--signature", "mprotect:*", "--json");
	CHECK(rc == 0);
	CHECK_HAS(out, "\"signature\": \"" SIG_MERGE "\"");
	CHECK_LACKS(out, SIG_NEW);
	CHECK_LACKS(out, SIG_QEMU);
	REPORT(rc, db(), "divergences", "--syscall", "load");
	CHECK_HAS(out, "1 divergence, 1 signature");
	CHECK_HAS(out, SIG_QEMU);
	snprintf(buf, sizeof(buf), "%lld", (long long)r_fuzz);
	REPORT(rc, db(), "divergences", "--since", buf);
	CHECK_HAS(out, "2 divergences, 2 signatures");
	CHECK_LACKS(out, SIG_MERGE);
	REPORT(rc, db(), "divergences", "--since", "2000-01-01");
	CHECK_HAS(out, "5 divergences");
	REPORT(rc, db(), "divergences", "--since", "2999-01-01");
	CHECK_HAS(out, "no divergences match");
	REPORT(rc, db(), "divergences", "--run", "2");
	CHECK_HAS(out, "1 divergence, 1 signature");
	REPORT(rc, db(), "divergences", "--run", "99");
	CHECK(rc == 2);
	CHECK_HAS(err, "no run '99'");
	free(out);
	free(err);
}

TEST(show_marks_the_step_and_draws_both_sides)
{
	char *out = NULL, *err = NULL, buf[16];
	int rc;

	snprintf(buf, sizeof(buf), "%lld", (long long)d_merge);
	REPORT(rc, db(), "show", buf);
	CHECK(rc == 0);
	CHECK_HAS(out, "signature  " SIG_MERGE "   (2 divergences in 2 runs)");
	CHECK_HAS(out, " >>   maps(A-1p, 6p) = \".aabc.\"");
	CHECK_HAS(out, "model      VMA [A+1p, A+3p) r--p");
	CHECK_HAS(out, "kernel     VMA [A+2p, A+3p) r--p");
	CHECK_HAS(out, "reproduced 2 of 3 reruns (66%)");
	CHECK_HAS(out, "one character per page from A-1p");
	CHECK_HAS(out, "  model   |.abbc.|\n  kernel  |.aabc.|\n             ^^  2 pages differ");
	CHECK_HAS(out, "! [A, A+1p) rw-p");
	CHECK_HAS(out, "[A, A+2p) rw-p");
	CHECK_HAS(out, "minimized program:\n    mprotect(A+1p, 1p, PROT_READ) = 0");
	char want[700];
	snprintf(want, sizeof(want), "mmspec repro --db %s --c %s", db(), buf);
	CHECK_HAS(out, want);
	CHECK(widest(out) <= 100);

	REPORT(rc, db(), "show", buf, "--json");
	CHECK(rc == 0);
	CHECK_HAS(out, "\"model_drawing\": {\"base\": \"A-1p\", \"strip\": \".abbc.\"");
	CHECK_HAS(out, "\"repro_command\": \"mmspec repro --db ");
	CHECK_HAS(out, "\"program_line\": 4");

	/* A fuzzing divergence: no case, no drawing. */
	snprintf(buf, sizeof(buf), "%lld", (long long)d_fuzz);
	REPORT(rc, db(), "show", buf);
	CHECK(rc == 0);
	CHECK_HAS(out, "(found by fuzzing)");
	/* Its long mmap line is wrapped to fit 100 columns. */
	CHECK(widest(out) <= 100);
	CHECK_HAS(out, "    mmap(A, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n");
	CHECK_HAS(out, " >> mremap(A, 1p, 2p, 0) = A");
	CHECK_HAS(out, "no drawing was stored");
	CHECK_HAS(out, "reproduced not rerun yet");

	/* A whole-layout drawing cut short by the harness's buffer. */
	snprintf(buf, sizeof(buf), "%lld", (long long)d_qemu);
	REPORT(rc, db(), "show", buf);
	CHECK(rc == 0);
	CHECK_HAS(out, "  model   |abb..|\n  kernel  |abb..|\n");
	CHECK_HAS(out, "(the stored VMA lists were cut short; the strips are whole)");
	CHECK_HAS(out, "(a known divergence on this target: XFAIL)");
	REPORT(rc, db(), "show", "4242");
	CHECK(rc == 2);
	CHECK_HAS(err, "no divergence 4242");
	REPORT(rc, db(), "show", "x");
	CHECK(rc == 2);
	free(out);
	free(err);
}

TEST(diff_lists_new_fixed_persisting_and_exits_1_on_new)
{
	char *out = NULL, *err = NULL, a[16], b[16];
	int rc;

	snprintf(a, sizeof(a), "%lld", (long long)r_host);
	snprintf(b, sizeof(b), "%lld", (long long)r_host2);
	REPORT(rc, db(), "diff", a, b);
	CHECK(rc == 1);
	CHECK_HAS(out, "New signatures:\n  + " SIG_NEW);
	CHECK_HAS(out, "Fixed signatures:\n  - " SIG_MERGE);
	CHECK_HAS(out, "Cases newly failing:\n  + suites/mmap.mmt: mmap-overcommit");
	CHECK_HAS(out, "Cases fixed:\n  - suites/merge.mmt: mprotect-merge-back");
	CHECK_HAS(out, "1 new, 1 fixed, 0 persisting");
	/* Backwards: the merge bug is new, nothing gates the other way round?
	 * It does: it is new in run 1 relative to run 5. */
	REPORT(rc, db(), "diff", b, a);
	CHECK(rc == 1);
	CHECK_HAS(out, "+ " SIG_MERGE);
	/* Host against the VM: the same signature persists, nothing new. */
	REPORT(rc, db(), "diff", a, "2", "--json");
	CHECK(rc == 0);
	CHECK_HAS(out, "\"status\": \"persisting\", \"signature\": \"" SIG_MERGE "\"");
	CHECK_HAS(out, "\"new\": 0, \"fixed\": 0, \"persisting\": 1");
	CHECK_HAS(out, "\"exit\": 0");
	/* An expected divergence (qemu-user's XFAIL) does not gate. */
	REPORT(rc, db(), "diff", "2", "3");
	CHECK(rc == 0);
	CHECK_LACKS(out, SIG_QEMU);
	REPORT(rc, db(), "diff", a, "77");
	CHECK(rc == 2);
	CHECK_HAS(err, "no run '77'");
	REPORT(rc, db(), "diff", a);
	CHECK(rc == 2);
	free(out);
	free(err);
}

TEST(matrix_shows_the_latest_result_per_case_and_target)
{
	char *out = NULL, *err = NULL;
	int rc;

	REPORT(rc, db(), "matrix");
	CHECK(rc == 0);
	/* Columns: host, the 6.1 VM by its release, qemu-user. */
	const char *h = strstr(out ? out : "", "host");
	const char *v = strstr(out ? out : "", "vm:6.1");
	const char *q = strstr(out ? out : "", "qemu-user");
	CHECK(h && v && q && h < v && v < q);
	/* split-and-merge: PASS on the host and the VM, XFAIL on qemu-user. */
	CHECK(strstr(out ? out : "", "split-and-merge") != NULL);
	const char *row = out ? strstr(out, "\nsplit-and-merge") : NULL;
	if (row) {
		char name[64], c1[8], c2[8], c3[8];
		CHECK(sscanf(row + 1, "%63s %7s %7s %7s", name, c1, c2, c3) == 4);
		CHECK_STR(c1, "PASS");
		CHECK_STR(c2, "PASS");
		CHECK_STR(c3, "XFAIL");
	}
	/* mprotect-merge-back: fixed on the host (latest run 5), FAIL on 6.1. */
	row = out ? strstr(out, "\nmprotect-merge-back") : NULL;
	CHECK(row != NULL);
	if (row) {
		char name[64], c1[8], c2[8], c3[8];
		CHECK(sscanf(row + 1, "%63s %7s %7s %7s", name, c1, c2, c3) == 4);
		CHECK_STR(c1, "PASS");
		CHECK_STR(c2, "FAIL");
		CHECK_STR(c3, "PASS");
	}
	CHECK(widest(out) <= 100);
	/* A campaign's error records are not suite cases. */
	CHECK_LACKS(out, "fuzz-error");
	REPORT(rc, db(), "matrix", "--signatures", "--json");
	CHECK(rc == 0);
	CHECK_HAS(out, "{\"signature\": \"" SIG_MERGE "\", \"cells\": {\"host\": 1, \"vm:6.1\": 1, \"qemu-user\": 0}}");
	CHECK_HAS(out, "\"label\": \"vm:6.1\", \"target\": \"vm:/srv/kernels/vmlinuz-6.1.0-37-cloud-amd64\"");
	free(out);
	free(err);
}

TEST(export_writes_ktap_junit_and_json)
{
	char *out = NULL, *err = NULL;
	int rc;

	REPORT(rc, db(), "export", "--format", "ktap", "--run", "3");
	CHECK(rc == 0);
	CHECK_HAS(out, "KTAP version 1\n1..2\n");
	CHECK_HAS(out, "    # line 5: `[$c] load(A) = 0`: divergence in signal\n"
		       "    # model:\n");
	CHECK_HAS(out, "    not ok 1 split-and-merge # TODO known divergence (XFAIL) on this target\n");
	CHECK_HAS(out, "ok 1 suites/fork.mmt\n");
	CHECK_HAS(out, "# totals: pass:1 fail:0 xfail:1 xpass:0 skip:0 error:0");
	REPORT(rc, db(), "export", "--format", "ktap", "1");
	CHECK_HAS(out, "    not ok 1 mprotect-merge-back");
	CHECK_HAS(out, "    # model:\n    #   A-1p |.abbc.|");
	CHECK_HAS(out, "    ok 1 needs-mseal # SKIP requires linux >= 6.10");
	REPORT(rc, db(), "export", "--format", "junit", "--run", "3");
	CHECK(rc == 0);
	CHECK_HAS(out, "<testsuites name=\"mmspec\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\">");
	CHECK_HAS(out, "<skipped message=\"XFAIL: a known divergence on this target: line 5");
	REPORT(rc, db(), "export", "--format", "junit", "--run", "1");
	CHECK_HAS(out, "<failure message=\"line 5: `maps(A-1p, 6p) = &quot;.aabc.&quot;`");
	REPORT(rc, db(), "export", "--format", "json", "--run", "4");
	CHECK(rc == 0);
	CHECK_HAS(out, "\"campaign_progress\": [\n {\"elapsed_s\": 10, \"programs\": 1000");
	CHECK_HAS(out, "\"signature\": \"mremap:return:<b>&\\\"x\\\"</b>\"");
	REPORT(rc, db(), "export", "--format", "yaml");
	CHECK(rc == 2);
	CHECK_HAS(err, "--format json|junit|ktap|html");
	free(out);
	free(err);
}

TEST(html_report_holds_the_facts_escaped)
{
	char *out = NULL, *err = NULL;
	int rc;
	const char *dir = tpath("html");

	REPORT(rc, db(), "html", "--out", dir);
	CHECK(rc == 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/index.html", dir);
	char *page = read_all(path);
	CHECK(page != NULL);
	if (page) {
		CHECK_HAS(page, "<!DOCTYPE html>");
		CHECK_HAS(page, "<svg class=\"bars\"");
		CHECK_HAS(page, "<svg class=\"strip\"");
		CHECK_HAS(page, "<svg class=\"timeline\"");
		CHECK_HAS(page, "<polyline class=\"programs\"");
		CHECK_HAS(page, "<code>" SIG_MERGE "</code>");
		CHECK_HAS(page, "mremap:return:&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;");
		CHECK_LACKS(page, "<b>&");
		char anchor[40];
		snprintf(anchor, sizeof(anchor), "<article id=\"d%lld\">", (long long)d_merge);
		CHECK_HAS(page, anchor);
		CHECK_HAS(page, "2 of 3 reruns (66%)");
		CHECK_HAS(page, "vm:6.1</th>");
		CHECK_HAS(page, "<td class=\"XFAIL\">XFAIL</td>");
		/* Self-contained: nothing fetched from anywhere. */
		CHECK_LACKS(page, "href=\"http");
		CHECK_LACKS(page, "src=");
		CHECK_LACKS(page, "url(");
		CHECK_LACKS(page, "<script");
		CHECK_LACKS(page, "<link");
	}
	free(page);
	free(out);
	free(err);
}

/* ---- bad databases ---------------------------------------------------- */

TEST(missing_corrupt_and_unknown_are_clear_errors)
{
	char *out = NULL, *err = NULL;
	int rc;

	REPORT(rc, tpath("nope.db"), "runs");
	CHECK(rc == 2);
	CHECK_HAS(err, "nope.db: no such database");
	const char *junk = tpath("junk.db");
	FILE *f = fopen(junk, "w");
	if (f) {
		for (int i = 0; i < 400; i++)
			fputs("not sqlite at all\n", f);
		fclose(f);
	}
	REPORT(rc, junk, "summary");
	CHECK(rc == 2);
	CHECK_HAS(err, "junk.db: not an mmspec database");
	/* A real database with a page overwritten. */
	const char *bad = tpath("corrupt.db");
	make_db(bad);
	int fd = open(bad, O_WRONLY);
	char zero[4096];
	memset(zero, 0x5a, sizeof(zero));
	CHECK(fd >= 0 && pwrite(fd, zero, sizeof(zero), 4096 * 2) == (ssize_t)sizeof(zero));
	close(fd);
	REPORT(rc, bad, "runs");
	CHECK(rc == 2);
	CHECK_HAS(err, "corrupt");
	REPORT(rc, db(), "frobnicate");
	CHECK(rc == 2);
	CHECK_HAS(err, "unknown command 'frobnicate'");
	REPORT(rc, db(), "summary", "12345");
	CHECK(rc == 2);
	CHECK_HAS(err, "no run '12345'");
	free(out);
	free(err);
}

TEST(a_locked_database_is_reported_as_locked)
{
	char *out = NULL, *err = NULL;
	int rc;
	const char *path = tpath("locked.db");
	sqlite3 *holder = NULL;

	make_db(path);
	/* Another connection holding the file exclusively: even WAL readers
	 * cannot read it then. */
	CHECK(sqlite3_open(path, &holder) == SQLITE_OK);
	CHECK(sqlite3_exec(holder, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;"
			   " INSERT INTO cases (file, name) VALUES ('lock', 'held')", NULL, NULL, NULL) == SQLITE_OK);
	REPORT(rc, path, "runs");
	CHECK(rc == 2);
	CHECK_HAS(err, "database is locked by another process");
	sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(holder);
	REPORT(rc, path, "runs");
	CHECK(rc == 0);
	free(out);
	free(err);
}

/* ---- merge ------------------------------------------------------------ */

static int64_t qi(const char *path, const char *sql)
{
	sqlite3 *d = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &d, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(d);
	return v;
}

/* Everything merge writes, as one fingerprint. */
static void fingerprint(const char *path, char *buf, size_t cap)
{
	snprintf(buf, cap, "%lld %lld %lld %lld %lld %lld %lld",
		 (long long)qi(path, "SELECT count(*) FROM runs"), (long long)qi(path, "SELECT count(*) FROM cases"),
		 (long long)qi(path, "SELECT count(*) FROM results"),
		 (long long)qi(path, "SELECT count(*) FROM divergences"),
		 (long long)qi(path, "SELECT count(*) FROM faults"),
		 (long long)qi(path, "SELECT count(*) FROM campaign_progress"),
		 (long long)qi(path, "SELECT total(length(coalesce(origin, ''))) FROM runs"));
}

TEST(merging_twice_adds_nothing)
{
	const char *in = tpath("m-in.db"), *outp = tpath("m-out.db");
	const char *ins[1] = { in };
	report_merge_stats st;
	char err[800], f1[200], f2[200];

	make_db(in);
	unlink(outp);
	CHECK(report_merge(outp, ins, 1, &st, err, sizeof(err)) == 0);
	CHECK(st.runs_added == 5 && st.runs_skipped == 0);
	CHECK(st.results == 12 && st.divergences == 5 && st.progress == 6 && st.cases_added == 5);
	fingerprint(outp, f1, sizeof(f1));
	CHECK(report_merge(outp, ins, 1, &st, err, sizeof(err)) == 0);
	CHECK(st.runs_added == 0 && st.runs_skipped == 5 && st.results == 0);
	fingerprint(outp, f2, sizeof(f2));
	CHECK_STR(f2, f1);
	/* Every run keeps where it came from; everything still joins up. */
	char want[700];
	snprintf(want, sizeof(want), "SELECT count(*) FROM runs WHERE origin = '%s@ci-1'", in);
	CHECK(qi(outp, want) == 5);
	CHECK(qi(outp, "SELECT count(*) FROM divergences d JOIN results r ON r.id = d.result_id"
		       " WHERE r.run_id != d.run_id") == 0);
	CHECK(qi(outp, "SELECT count(*) FROM divergences WHERE result_id IS NULL") == 1);
	CHECK(qi(outp, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
	CHECK(qi(outp, "SELECT count(*) FROM v_matrix") == qi(in, "SELECT count(*) FROM v_matrix"));
}

TEST(merging_overlapping_databases_keeps_one_copy_of_each_run)
{
	const char *a = tpath("o-a.db"), *b = tpath("o-b.db"), *outp = tpath("o-out.db");
	report_merge_stats st;
	char err[800];
	store *s = NULL;

	make_db(a);
	/* b: a's runs merged in, then a run of its own on another machine. */
	unlink(b);
	const char *one[1] = { a };
	CHECK(report_merge(b, one, 1, &st, err, sizeof(err)) == 0);
	CHECK(store_open(b, &s, err, sizeof(err)) == 0);
	if (s) {
		store_run_info ri = { "run", "0.1.0", "host", "6.12.48", "6.12", "{}", "mmspec run", 0, "ci-2" };
		int64_t run = store_run_begin(s, &ri);
		store_result_info r = { "suites/fork.mmt", "split-and-merge", prog_pass, 0, NULL, 1, NULL };
		CHECK(store_result(s, run, &r) > 0);
		store_result_info r2 = { "suites/new.mmt", "only-on-b", prog_pass, 0, NULL, 1, NULL };
		CHECK(store_result(s, run, &r2) > 0);
		store_run_end(s, run, 2, 0, 0, 0);
		store_close(s);
	}
	unlink(outp);
	const char *both[2] = { a, b };
	CHECK(report_merge(outp, both, 2, &st, err, sizeof(err)) == 0);
	CHECK(st.runs_added == 6 && st.runs_skipped == 5);
	CHECK(qi(outp, "SELECT count(*) FROM runs") == 6);
	CHECK(qi(outp, "SELECT count(*) FROM cases") == 6);
	CHECK(qi(outp, "SELECT count(*) FROM results") == 14);
	CHECK(qi(outp, "SELECT count(DISTINCT uuid) FROM runs") == 6);
	/* The run made on b says so; a's runs keep the origin b gave them. */
	char want[700];
	snprintf(want, sizeof(want), "SELECT count(*) FROM runs WHERE origin = '%s@ci-2'", b);
	CHECK(qi(outp, want) == 1);
	snprintf(want, sizeof(want), "SELECT count(*) FROM runs WHERE origin = '%s@ci-1'", a);
	CHECK(qi(outp, want) == 5);
}

TEST(a_corrupt_or_locked_input_leaves_out_unchanged)
{
	const char *good = tpath("c-good.db"), *bad = tpath("c-bad.db"), *outp = tpath("c-out.db");
	report_merge_stats st;
	char err[800], before[200], after[200];

	make_db(good);
	unlink(outp);
	const char *one[1] = { good };
	CHECK(report_merge(outp, one, 1, &st, err, sizeof(err)) == 0);
	fingerprint(outp, before, sizeof(before));

	/* A corrupt input after a good one: nothing of either lands. */
	make_db(bad);
	int fd = open(bad, O_WRONLY);
	char junk[4096];
	memset(junk, 0x5a, sizeof(junk));
	CHECK(fd >= 0 && pwrite(fd, junk, sizeof(junk), 4096 * 3) == (ssize_t)sizeof(junk));
	close(fd);
	const char *two[2] = { good, bad };
	err[0] = 0;
	CHECK(report_merge(outp, two, 2, &st, err, sizeof(err)) == -1);
	CHECK_HAS(err, "c-bad.db");
	CHECK_HAS(err, "corrupt");
	fingerprint(outp, after, sizeof(after));
	CHECK_STR(after, before);

	/* A locked input. */
	const char *held = tpath("c-held.db");
	make_db(held);
	sqlite3 *holder = NULL;
	CHECK(sqlite3_open(held, &holder) == SQLITE_OK);
	CHECK(sqlite3_exec(holder, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;"
			   " INSERT INTO cases (file, name) VALUES ('lock', 'held')", NULL, NULL, NULL) == SQLITE_OK);
	const char *lk[1] = { held };
	CHECK(report_merge(outp, lk, 1, &st, err, sizeof(err)) == -1);
	CHECK_HAS(err, "c-held.db: database is locked by another process");
	sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(holder);
	fingerprint(outp, after, sizeof(after));
	CHECK_STR(after, before);

	/* A new OUT is not left behind when the merge fails. */
	const char *fresh = tpath("c-fresh.db");
	unlink(fresh);
	const char *badone[1] = { bad };
	CHECK(report_merge(fresh, badone, 1, &st, err, sizeof(err)) == -1);
	CHECK(access(fresh, F_OK) != 0);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--make-db")) {
		make_db(argv[2]);
		return test_failed_checks ? 1 : 0;
	}
	db(); /* the run and divergence ids the tests use */
	int rc = test_main(argc, argv);
	remove_tree(tmpdir);
	return rc;
}
