/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cli.c: `mmspec minimize` and `mmspec repro`, and what they share:
 * loading a program from FILE[:CASE] or from a divergence stored in the
 * database.
 *
 *   mmspec minimize [--db DB] [--export PATH] [--name NAME] [--profile X.Y]
 *                   [--reruns N] [--max-runs N] [--max-seconds S] [--target T]
 *                   FILE[:CASE] | ID
 *
 * minimize runs on the target of the run that found the divergence (ID),
 * or --target (default host): a qemu-user finding is minimized under
 * qemu-user, where it shows.
 *   mmspec repro --c [--db DB] [-o OUT.c] [--profile X.Y] FILE[:CASE] | ID
 *
 * Exit status of minimize: 0 minimized, 1 the program does not diverge
 * (nothing to minimize), 2 bad usage or input, 3 the harness broke.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "store.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_BROKEN 3

/* A program to work on and where it came from. */
typedef struct loaded {
	prog_case c;
	char source[600];         /* "suites/x.mmt:case" or "divergence 12 in mmspec.db" */
	char signature[200];      /* stored signature ("" for a file) */
	char model[160], kernel[160];
	char release[80], profile[16]; /* the run's, from the database */
	char target[4200];        /* the run's --target value ("" for a file) */
	int64_t div_id;           /* > 0: from the database */
} loaded;

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int parse_program_text(const char *what, const char *text, prog_case *out, char *err, size_t cap)
{
	prog_file *f = NULL;
	prog_diag dg;
	if (prog_parse_text(what, text, strlen(text), &f, &dg)) {
		prog_diag_format(&dg, err, cap);
		return -1;
	}
	if (f->ncases < 1) {
		snprintf(err, cap, "%s: no case in the stored program", what);
		prog_file_free(f);
		return -1;
	}
	prog_case_init(out, f->cases[0].name);
	int rc = prog_case_copy(out, &f->cases[0]);
	prog_file_free(f);
	return rc;
}

/* Reads divergence id from the database: its minimized program when it has
 * one and want_minimized, else the whole program. */
static int load_divergence(const char *db_path, int64_t id, bool want_minimized, loaded *l,
			   char *err, size_t cap)
{
	sqlite3 *db;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, cap, "%s: %s", db_path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT d.program, d.minimized, d.signature, d.model, d.kernel, r.kernel_release, r.profile, "
			       "r.target, CASE WHEN json_valid(r.config_json) THEN json_extract(r.config_json, '$.target') END "
			       "FROM divergences d LEFT JOIN runs r ON r.id = d.run_id WHERE d.id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, cap, "%s: not an mmspec database (%s)", db_path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *prog = (const char *)sqlite3_column_text(st, 0);
		const char *min = (const char *)sqlite3_column_text(st, 1);
		const char *sig = (const char *)sqlite3_column_text(st, 2);
		const char *m = (const char *)sqlite3_column_text(st, 3);
		const char *k = (const char *)sqlite3_column_text(st, 4);
		const char *rel = (const char *)sqlite3_column_text(st, 5);
		const char *prof = (const char *)sqlite3_column_text(st, 6);
		snprintf(l->release, sizeof(l->release), "%s", rel ? rel : "");
		snprintf(l->profile, sizeof(l->profile), "%s", prof ? prof : "");
		/* The run's --target value: stored in its config by mmspec fuzz;
		 * older rows and `mmspec run` rows have only the name, which is
		 * the value itself except for vm: (a release, not an image). */
		const char *tname = (const char *)sqlite3_column_text(st, 7);
		const char *tspec = (const char *)sqlite3_column_text(st, 8);
		snprintf(l->target, sizeof(l->target), "%s", tspec && *tspec ? tspec : tname ? tname : "");
		const char *text = want_minimized && min && *min ? min : prog;
		snprintf(l->signature, sizeof(l->signature), "%s", sig ? sig : "");
		snprintf(l->model, sizeof(l->model), "%s", m ? m : "");
		snprintf(l->kernel, sizeof(l->kernel), "%s", k ? k : "");
		snprintf(l->source, sizeof(l->source), "divergence %" PRId64 " in %s%s", id, db_path,
			 text == min ? " (minimized)" : "");
		l->div_id = id;
		if (!text)
			snprintf(err, cap, "%s: divergence %" PRId64 " has no program", db_path, id);
		else
			rc = parse_program_text(l->source, text, &l->c, err, cap);
	} else {
		snprintf(err, cap, "%s: no divergence with id %" PRId64, db_path, id);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* FILE[:CASE]: the named case, or the file's only case. */
static int load_file_case(const char *arg, loaded *l, char *err, size_t cap)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", arg);
	const char *want = NULL;
	char *colon = strrchr(path, ':');
	struct stat sb;
	if (colon && stat(path, &sb)) {
		*colon = 0;
		want = colon + 1;
	}
	prog_file *f;
	prog_diag dg;
	if (prog_parse_file(path, &f, &dg)) {
		prog_diag_format(&dg, err, cap);
		return -1;
	}
	const prog_case *pick = NULL;
	for (uint32_t i = 0; i < f->ncases; i++)
		if (want ? !strcmp(f->cases[i].name, want) : f->ncases == 1)
			pick = &f->cases[i];
	if (!pick) {
		if (want)
			snprintf(err, cap, "%.300s: no case named '%.63s'", path, want);
		else
			snprintf(err, cap, "%.300s has %u cases: name one as %.300s:CASE", path, f->ncases, path);
		prog_file_free(f);
		return -1;
	}
	prog_case_init(&l->c, pick->name);
	int rc = prog_case_copy(&l->c, pick);
	snprintf(l->source, sizeof(l->source), "%.400s:%.63s", path, pick->name);
	prog_file_free(f);
	return rc;
}

static int load_program(const char *arg, const char *db_path, bool want_minimized, loaded *l,
			char *err, size_t cap)
{
	memset(l, 0, sizeof(*l));
	struct stat sb;
	if (all_digits(arg) && stat(arg, &sb)) {
		/* An id without --db: the default database, as `mmspec run` writes it. */
		return load_divergence(db_path ? db_path : "mmspec.db", strtoll(arg, NULL, 10), want_minimized,
				       l, err, cap);
	}
	return load_file_case(arg, l, err, cap);
}

/* "6.18" from a signature's "@6.18", or from --profile. */
static bool profile_version(const char *text, uint32_t *version)
{
	unsigned maj, min;
	if (!text || sscanf(text, "%u.%u", &maj, &min) != 2 || maj > 65535 || min > 255)
		return false;
	*version = PROG_VERSION(maj, min, 0);
	return true;
}

static void today(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%d", &tm);
}

/* Appends the exported case to path, renaming it if the file has one so named. */
static int export_to(const char *path, fuzz_diff *d, const prog_case *c, const char *want_name,
		     const char *comment, char *err, size_t cap)
{
	char name[PROG_NAME_MAX];
	snprintf(name, sizeof(name), "%s", want_name);
	prog_file *f = NULL;
	prog_diag dg;
	struct stat sb;
	if (!stat(path, &sb)) {
		if (prog_parse_file(path, &f, &dg)) {
			prog_diag_format(&dg, err, cap);
			return -1;
		}
		for (int n = 2; n < 1000; n++) {
			bool taken = false;
			for (uint32_t i = 0; i < f->ncases; i++)
				taken |= !strcmp(f->cases[i].name, name);
			if (!taken)
				break;
			char base[PROG_NAME_MAX - 8];
			snprintf(base, sizeof(base), "%.50s", want_name);
			snprintf(name, sizeof(name), "%.50s-%d", base, n);
		}
		prog_file_free(f);
	}
	bool nonempty = !stat(path, &sb) && sb.st_size > 0;
	FILE *out = fopen(path, "a");
	if (!out) {
		snprintf(err, cap, "%s: cannot write: %m", path);
		return -1;
	}
	if (nonempty)
		fputc('\n', out);
	int rc = fuzz_export_case(out, d, c, name, comment, err, cap);
	if (fclose(out) && !rc) {
		snprintf(err, cap, "%s: write failed: %m", path);
		rc = -1;
	}
	return rc;
}

int fuzz_cmd_minimize(int argc, char **argv)
{
	const char *db_path = NULL, *export_path = NULL, *name = NULL, *profile = NULL, *what = NULL;
	const char *target = NULL;
	int reruns = 5;
	fuzz_minimize_opts mo = { 0 };
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(n) (!strcmp(a, n) && v && (i++, 1))
		if (OPT("--db"))
			db_path = v;
		else if (OPT("--export"))
			export_path = v;
		else if (OPT("--name"))
			name = v;
		else if (OPT("--profile"))
			profile = v;
		else if (OPT("--reruns"))
			reruns = atoi(v);
		else if (OPT("--max-runs"))
			mo.max_runs = (uint32_t)strtoul(v, NULL, 10);
		else if (OPT("--max-seconds"))
			mo.max_seconds = atof(v);
		else if (OPT("--target"))
			target = v;
		else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mmspec minimize: unknown option or missing value: %s\n", a);
			return EXIT_USAGE;
		} else if (what) {
			fprintf(stderr, "mmspec minimize: one program at a time (%s and %s)\n", what, a);
			return EXIT_USAGE;
		} else {
			what = a;
		}
#undef OPT
	}
	uint32_t pv = 0;
	if (!what || reruns < 0 || reruns > 1000 || (profile && !profile_version(profile, &pv))) {
		fprintf(stderr, "usage: mmspec minimize [--db DB] [--export PATH] [--name NAME] [--profile X.Y]\n"
				"                       [--reruns N] [--max-runs N] [--max-seconds S] [--target T]\n"
				"                       FILE[:CASE] | ID\n");
		return EXIT_USAGE;
	}
	if (name) {
		char norm[PROG_NAME_MAX];
		fuzz_case_name(name, norm, sizeof(norm));
		if (strcmp(norm, name)) {
			fprintf(stderr, "mmspec minimize: --name takes [a-z0-9._-]+ (like %s)\n", norm);
			return EXIT_USAGE;
		}
	}
	char err[1024];
	loaded l;
	if (load_program(what, db_path, false, &l, err, sizeof(err))) {
		fprintf(stderr, "mmspec minimize: %s\n", err);
		return EXIT_USAGE;
	}
	/* The divergence's own target unless told otherwise. */
	if (!target && l.target[0]) {
		if (!strncmp(l.target, "vm:", 3) && access(l.target + 3, R_OK)) {
			fprintf(stderr, "mmspec minimize: divergence %" PRId64 " was found on %s; "
					"give --target vm:KERNEL_IMAGE to boot that kernel\n", l.div_id, l.target);
			prog_case_clear(&l.c);
			return EXIT_USAGE;
		}
		target = l.target;
	}
	if (fuzz_set_target(target, err, sizeof(err))) {
		fprintf(stderr, "mmspec minimize: %s\n", err);
		prog_case_clear(&l.c);
		return EXIT_USAGE;
	}
	fuzz_diff *d;
	if (fuzz_diff_init(&d, NULL, err, sizeof(err))) {
		fprintf(stderr, "mmspec minimize: cannot start the executor: %s\n", err);
		prog_case_clear(&l.c);
		return EXIT_BROKEN;
	}
	const char *at = strchr(l.signature, '@');
	if (profile)
		fuzz_diff_set_profile(d, pv);
	else if (at && profile_version(at + 1, &pv))
		fuzz_diff_set_profile(d, pv);

	harness_case_report rep;
	harness_divergence div;
	harness_result r = fuzz_diff_run(d, &l.c, &rep, &div);
	int rc = 0;
	if (r != HARNESS_FAIL) {
		printf("%s: %s on Linux %s (profile %s)%s%s\n", l.source,
		       r == HARNESS_PASS ? "no divergence" : harness_result_name(r),
		       fuzz_diff_target(d)->release, fuzz_diff_profile(d), rep.message[0] ? ": " : "",
		       rep.message);
		if (l.signature[0])
			printf("  (stored signature: %s)\n", l.signature);
		rc = r == HARNESS_PASS ? EXIT_FAILED : r == HARNESS_SKIP ? EXIT_FAILED : EXIT_BROKEN;
		/* A stored divergence that no longer shows (the model was fixed)
		 * keeps its row as the campaign left it: history, not state. */
		fuzz_diff_free(d);
		prog_case_clear(&l.c);
		return rc;
	}
	char sig[200];
	snprintf(sig, sizeof(sig), "%s", div.signature);
	if (l.signature[0] && strcmp(l.signature, sig) && !strchr(l.signature, '@')) {
		char with[200];
		snprintf(with, sizeof(with), "%s", l.signature);
		fuzz_signature_add_profile(with, sizeof(with), fuzz_diff_profile(d));
		if (strcmp(with, sig))
			printf("note: the stored signature was %s; minimizing %s\n", l.signature, sig);
	}
	int rep_n = fuzz_rerun(d, &l.c, sig, reruns);
	prog_case m;
	fuzz_minimize_stats st;
	if (fuzz_minimize(d, &l.c, sig, &mo, &m, &st) < 0) {
		fprintf(stderr, "mmspec minimize: out of memory\n");
		fuzz_diff_free(d);
		prog_case_clear(&l.c);
		return EXIT_BROKEN;
	}
	/* The minimized program's own divergence, for the record. */
	harness_divergence mdiv = div;
	fuzz_diff_run(d, &m, &rep, &mdiv);
	char *text = prog_case_to_string(&m);
	printf("%s: %s\n", l.source, sig);
	printf("  model %s; kernel %s\n", mdiv.model, mdiv.kernel);
	printf("  reproduced %d of %d reruns; minimized from %u to %u steps in %u runs%s\n", rep_n, reruns,
	       st.steps_before, st.steps_after, st.runs, st.budget_hit ? " (budget reached)" : "");
	printf("%s", text ? text : "");

	if (db_path) {
		store *s;
		if (store_open(db_path, &s, err, sizeof(err))) {
			fprintf(stderr, "mmspec minimize: %s\n", err);
			rc = EXIT_BROKEN;
		} else if (l.div_id > 0) {
			if (store_divergence_triage(s, l.div_id, text, rep_n, reruns)) {
				fprintf(stderr, "mmspec minimize: %s: %s\n", db_path, store_error(s));
				rc = EXIT_BROKEN;
			} else {
				printf("stored as the minimized program of divergence %" PRId64 " in %s\n", l.div_id, db_path);
			}
			store_close(s);
		} else {
			/* A file's divergence: a run of its own. */
			const exec_target_info *in = fuzz_diff_target(d);
			char host[256] = "", opts[2048] = "mmspec minimize", tname[4200];
			fuzz_diff_target_name(d, tname, sizeof(tname));
			gethostname(host, sizeof(host) - 1);
			for (int i = 0; i < argc; i++) {
				size_t n = strlen(opts);
				snprintf(opts + n, sizeof(opts) - n, " %s", argv[i]);
			}
			store_run_info ri = { "minimize", MMSPEC_VERSION, tname, in->release,
					      fuzz_diff_profile(d), NULL, opts, 0, host, NULL, NULL };
			int64_t run = store_run_begin(s, &ri);
			char *orig = prog_case_to_string(&l.c);
			char *stt = prog_step_to_string(&l.c, &l.c.steps[div.step < l.c.nsteps ? div.step : 0]);
			store_divergence_info di = { 0, orig, (int)div.step, stt, div.syscall, div.field,
						     div.model, div.kernel, div.model_layout, div.kernel_layout,
						     sig, text, rep_n, reruns };
			int64_t id = run > 0 ? store_divergence(s, run, &di) : -1;
			if (run > 0)
				store_run_end(s, run, 0, 1, 0, 0);
			if (id < 0) {
				fprintf(stderr, "mmspec minimize: %s: %s\n", db_path, store_error(s));
				rc = EXIT_BROKEN;
			} else {
				printf("stored as divergence %" PRId64 " in %s\n", id, db_path);
			}
			free(orig);
			free(stt);
			store_close(s);
		}
	}
	if (export_path) {
		char cname[PROG_NAME_MAX], date[32], comment[2048];
		if (name)
			snprintf(cname, sizeof(cname), "%s", name);
		else
			fuzz_case_name(sig, cname, sizeof(cname));
		today(date, sizeof(date));
		const exec_target_info *in = fuzz_diff_target(d);
		snprintf(comment, sizeof(comment),
			 "Minimized by mmspec minimize from %s.\n"
			 "signature: %s\n"
			 "kernel: Linux %s (%s), model profile %s, %s\n"
			 "The model predicted %s where the kernel gave %s; the expectations\n"
			 "below are the kernel's outcomes.",
			 l.source, sig, in->release, in->machine, fuzz_diff_profile(d), date, mdiv.model,
			 mdiv.kernel);
		if (export_to(export_path, d, &m, cname, comment, err, sizeof(err))) {
			fprintf(stderr, "mmspec minimize: %s\n", err);
			rc = EXIT_BROKEN;
		} else {
			printf("exported as case %s to %s\n", cname, export_path);
		}
	}
	free(text);
	prog_case_clear(&m);
	prog_case_clear(&l.c);
	fuzz_diff_free(d);
	return rc;
}

int fuzz_cmd_repro(int argc, char **argv)
{
	const char *db_path = NULL, *out_path = NULL, *profile = NULL, *what = NULL;
	bool c_form = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(n) (!strcmp(a, n) && v && (i++, 1))
		if (!strcmp(a, "--c"))
			c_form = true;
		else if (OPT("--db"))
			db_path = v;
		else if (OPT("-o") || OPT("--output"))
			out_path = v;
		else if (OPT("--profile"))
			profile = v;
		else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mmspec repro: unknown option or missing value: %s\n", a);
			return EXIT_USAGE;
		} else if (what) {
			fprintf(stderr, "mmspec repro: one program at a time (%s and %s)\n", what, a);
			return EXIT_USAGE;
		} else {
			what = a;
		}
#undef OPT
	}
	uint32_t pv = 0;
	if (!what || !c_form || (profile && !profile_version(profile, &pv))) {
		fprintf(stderr, "usage: mmspec repro --c [--db DB] [-o OUT.c] [--profile X.Y] FILE[:CASE] | ID\n"
				"  (--c, a standalone C file, is the one form there is)\n");
		return EXIT_USAGE;
	}
	char err[1024];
	loaded l;
	if (load_program(what, db_path, true, &l, err, sizeof(err))) {
		fprintf(stderr, "mmspec repro: %s\n", err);
		return EXIT_USAGE;
	}
	/*
	 * The model predicts with this machine's facts, as `mmspec run` does:
	 * an executor (the fuzz_diff server) gathers them. Without one (not
	 * root, no fork) the profile's defaults, and the file says so.
	 */
	harness_target t;
	fuzz_diff *d = NULL;
	char derr[512];
	if (fuzz_diff_init(&d, NULL, derr, sizeof(derr)) == 0) {
		t = *fuzz_diff_model(d);
	} else {
		fprintf(stderr, "mmspec repro: no executor (%s): predicting with the profile's defaults\n", derr);
		harness_target_model(&t);
		fuzz_apply_plant(&t);
	}
	const char *at = strchr(l.signature, '@');
	if (profile || (at && profile_version(at + 1, &pv)) || profile_version(l.profile, &pv))
		t.profile.version = pv;
	FILE *out = out_path ? fopen(out_path, "w") : stdout;
	if (!out) {
		fprintf(stderr, "mmspec repro: %s: cannot write: %m\n", out_path);
		prog_case_clear(&l.c);
		fuzz_diff_free(d);
		return EXIT_USAGE;
	}
	fuzz_repro_info ri = { l.source, l.signature, l.model, l.kernel, l.release[0] ? l.release : NULL, 0, -1,
			       d ? fuzz_diff_target(d) : NULL };
	int rc = fuzz_repro_c(out, &l.c, &t, &ri, err, sizeof(err));
	if (out != stdout && fclose(out) && !rc) {
		snprintf(err, sizeof(err), "%s: write failed: %m", out_path);
		rc = -1;
	}
	if (rc)
		fprintf(stderr, "mmspec repro: %s\n", err);
	else if (out_path)
		fprintf(stderr, "mmspec repro: wrote %s (%u steps); build with: cc -O1 -o repro %s\n", out_path,
			l.c.nsteps, out_path);
	prog_case_clear(&l.c);
	fuzz_diff_free(d);
	return rc ? EXIT_BROKEN : 0;
}
