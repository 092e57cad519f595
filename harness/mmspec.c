/* SPDX-License-Identifier: MIT */
/*
 * mmspec.c: the command line (contract in design/ARCHITECTURE.md).
 *
 *   mmspec check [--format text|ktap] [--filter GLOB] [-v] PATH...
 *   mmspec explain FILE[:CASE]
 *
 * Exit status: 0 all passed, 1 a failure, 2 bad usage or input (nothing
 * runs when any input file is malformed), 3 the harness itself broke.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <time.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "report.h"
#include "store.h"
#include "fuzz.h"
#include "mmspec_help.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_BROKEN 3

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmspec <command> [options]\n"
		"\n"
		"commands:\n"
		"  check [--format text|ktap] [--filter GLOB] [--profile X.Y[.Z]] [-v] PATH...\n"
		"        run case files (or folders of *.mmt) against the model alone\n"
		"  run [--db FILE] [--format text|ktap|junit] [--filter GLOB] [--jobs N]\n"
		"      [--target host|vm:KERNEL_IMAGE|qemu-user|wrap:CMD]\n"
		"      [--exec-wrapper CMD] [--exec PATH] [--maps-text] [--timeout MS]\n"
		"      [--profile X.Y] [-v] PATH...\n"
		"        run cases on the running kernel in sandboxes, compare with the model,\n"
		"        store everything in the database (default mmspec.db)\n"
		"  fuzz [--time D] [--jobs N] [--seed S] [--db FILE] [--target T] ...\n"
		"        a fuzzing campaign on the running kernel (docs/campaigns.md)\n"
		"  minimize [--db FILE] [--export PATH] FILE[:CASE] | ID\n"
		"        minimize a divergence; store it, export it as a suite case\n"
		"  repro --c [--db FILE] [-o OUT.c] FILE[:CASE] | ID\n"
		"        write a standalone C reproducer of a divergence\n"
		"  explain FILE[:CASE]\n"
		"        print the model's state after every step, the address space drawn as text\n"
		"  report [--db FILE] [--json] runs|summary|divergences|show|diff|matrix|export|html\n"
		"        read the database: what ran, failed and diverged (`mmspec report -h`)\n"
		"  db merge OUT IN...\n"
		"        combine databases from several machines into OUT, without duplicates\n"
		"  version\n"
		"\n"
		"exit status: 0 passed, 1 a failure, 2 bad usage or input, 3 the harness broke\n");
}

/* A growable list of file paths. */
typedef struct pathlist {
	char **v;
	size_t n, cap;
} pathlist;

static int pathlist_add(pathlist *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(path);
	return l->v[l->n++] ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

/* Adds PATH, or every *.mmt below it when it is a folder (sorted, recursive). */
static int collect(pathlist *l, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "mmspec: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return pathlist_add(l, path);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "mmspec: %s: %s\n", path, strerror(errno));
		return -1;
	}
	pathlist sub = { 0 };
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char full[4096];
		snprintf(full, sizeof(full), "%s%s%s", path,
			 has_suffix(path, "/") ? "" : "/", e->d_name);
		struct stat s2;
		if (stat(full, &s2))
			continue;
		if (S_ISDIR(s2.st_mode) || has_suffix(e->d_name, ".mmt"))
			rc |= pathlist_add(&sub, full);
	}
	closedir(d);
	if (sub.n)
		qsort(sub.v, sub.n, sizeof(*sub.v), cmp_str);
	for (size_t i = 0; i < sub.n; i++) {
		if (!rc)
			rc = collect(l, sub.v[i]);
		free(sub.v[i]);
	}
	free(sub.v);
	return rc;
}

/* Frees the path list and, when given, the parsed files. */
static void free_inputs(pathlist *paths, prog_file **files)
{
	for (size_t f = 0; f < paths->n; f++) {
		if (files)
			prog_file_free(files[f]);
		free(paths->v[f]);
	}
	free(files);
	free(paths->v);
	paths->v = NULL;
	paths->n = 0;
}

/* Parses every file; on the first malformed one prints FILE:LINE:COL and fails. */
static int parse_all(const pathlist *paths, prog_file ***files_out)
{
	prog_file **files = calloc(paths->n ? paths->n : 1, sizeof(*files));
	if (!files)
		return -1;
	for (size_t i = 0; i < paths->n; i++) {
		prog_diag d;
		if (prog_parse_file(paths->v[i], &files[i], &d)) {
			char msg[600];
			prog_diag_format(&d, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
			for (size_t j = 0; j < i; j++)
				prog_file_free(files[j]);
			free(files);
			return -1;
		}
	}
	*files_out = files;
	return 0;
}

static void print_indented(FILE *out, const char *prefix, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s%.*s\n", prefix, (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

static int cmd_check(int argc, char **argv)
{
	const char *format = "text", *filter = NULL, *profile = NULL;
	bool verbose = false;
	pathlist paths = { 0 };
	int i;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
			profile = argv[++i];
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			format = argv[++i];
		} else if (!strncmp(argv[i], "--format=", 9)) {
			format = argv[i] + 9;
		} else if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
			filter = argv[++i];
		} else if (!strncmp(argv[i], "--filter=", 9)) {
			filter = argv[i] + 9;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mmspec check: unknown option %s\n", argv[i]);
			free_inputs(&paths, NULL);
			return EXIT_USAGE;
		} else if (collect(&paths, argv[i])) {
			free_inputs(&paths, NULL);
			return EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "ktap")) {
		fprintf(stderr, "mmspec check: --format takes text or ktap (junit comes with `run`)\n");
		free_inputs(&paths, NULL);
		return EXIT_USAGE;
	}
	if (!paths.n) {
		fprintf(stderr, "mmspec check: no case files given\n");
		return EXIT_USAGE;
	}
	prog_file **files;
	if (parse_all(&paths, &files)) {
		free_inputs(&paths, NULL);
		return EXIT_USAGE;
	}

	harness_target target;
	harness_target_model(&target);
	if (profile) {
		unsigned maj = 0, min = 0, patch = 0;
		if (sscanf(profile, "%u.%u.%u", &maj, &min, &patch) < 2) {
			fprintf(stderr, "mmspec check: --profile takes MAJOR.MINOR[.PATCH], like 6.12\n");
			free_inputs(&paths, files);
			return EXIT_USAGE;
		}
		target.profile.version = PROG_VERSION(maj, min, patch > 255 ? 255 : patch);
	}
	bool ktap = !strcmp(format, "ktap");
	size_t total = 0;
	for (size_t f = 0; f < paths.n; f++)
		for (uint32_t c = 0; c < files[f]->ncases; c++)
			if (!filter || !fnmatch(filter, files[f]->cases[c].name, 0))
				total++;
	if (ktap)
		printf("KTAP version 1\n1..%zu\n", total);

	size_t count[4] = { 0 }, n = 0;
	for (size_t f = 0; f < paths.n; f++) {
		for (uint32_t ci = 0; ci < files[f]->ncases; ci++) {
			const prog_case *c = &files[f]->cases[ci];
			if (filter && fnmatch(filter, c->name, 0))
				continue;
			harness_case_report r;
			harness_check_case(c, &target, NULL, NULL, &r);
			count[r.result]++;
			n++;
			if (ktap) {
				if (r.result == HARNESS_FAIL || r.result == HARNESS_ERROR)
					print_indented(stdout, "# ", r.message);
				printf("%s %zu %s", r.result == HARNESS_PASS || r.result == HARNESS_SKIP
						     ? "ok" : "not ok", n, c->name);
				if (r.result == HARNESS_SKIP)
					printf(" # SKIP %s", r.message);
				printf("\n");
			} else if (r.result != HARNESS_PASS || verbose) {
				printf("%-5s %s:%u: %s\n", harness_result_name(r.result), paths.v[f],
				       r.line ? r.line : c->line, c->name);
				if (r.message[0])
					print_indented(stdout, "      ", r.message);
			}
		}
	}
	printf("# totals: pass:%zu fail:%zu xfail:0 xpass:0 skip:%zu error:%zu\n",
	       count[HARNESS_PASS], count[HARNESS_FAIL], count[HARNESS_SKIP], count[HARNESS_ERROR]);
	if (!ktap)
		printf("check: %zu cases in %zu files: %zu passed, %zu failed, %zu skipped, %zu errors\n",
		       n, paths.n, count[HARNESS_PASS], count[HARNESS_FAIL], count[HARNESS_SKIP],
		       count[HARNESS_ERROR]);
	free_inputs(&paths, files);
	if (count[HARNESS_ERROR])
		return EXIT_BROKEN;
	return count[HARNESS_FAIL] ? EXIT_FAILED : 0;
}


/* ---------- mmspec run ---------- */

typedef struct job {
	const char *file;
	const prog_case *c;
	harness_case_report rep;
	harness_divergence div;
	bool has_div;
	double ms;
	int64_t result_id;
	const prog_xfail *xf;     /* a known divergence on this target: XFAIL / XPASS */
} job;

/* The result's name as shown: XFAIL and XPASS for cases expected to diverge. */
static const char *job_result_name(const job *b)
{
	if (b->xf && b->rep.result == HARNESS_FAIL)
		return "XFAIL";
	if (b->xf && b->rep.result == HARNESS_PASS)
		return "XPASS";
	return harness_result_name(b->rep.result);
}

static void xml_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', out);
			else
				fputc(*s, out);
		}
	}
}

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

static void print_junit(FILE *out, const job *jobs, size_t n, const exec_target_info *info)
{
	size_t cnt[4] = { 0 };
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		cnt[jobs[i].xf && jobs[i].rep.result == HARNESS_FAIL ? HARNESS_SKIP : jobs[i].rep.result]++;
		total += jobs[i].ms;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"mmspec\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		n, cnt[HARNESS_FAIL], cnt[HARNESS_ERROR], cnt[HARNESS_SKIP], total / 1000);
	for (size_t i = 0; i < n;) {
		size_t j = i, c2[4] = { 0 };
		double t = 0;
		for (; j < n && !strcmp(jobs[j].file, jobs[i].file); j++) {
			c2[jobs[j].xf && jobs[j].rep.result == HARNESS_FAIL ? HARNESS_SKIP : jobs[j].rep.result]++;
			t += jobs[j].ms;
		}
		fprintf(out, "  <testsuite name=\"");
		xml_escape(out, jobs[i].file);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
			j - i, c2[HARNESS_FAIL], c2[HARNESS_ERROR], c2[HARNESS_SKIP], t / 1000);
		fprintf(out, "    <properties><property name=\"kernel\" value=\"");
		xml_escape(out, info->release);
		fprintf(out, "\"/></properties>\n");
		for (size_t k = i; k < j; k++) {
			const job *b = &jobs[k];
			fprintf(out, "    <testcase classname=\"");
			xml_escape(out, base_name(b->file));
			fprintf(out, "\" name=\"");
			xml_escape(out, b->c->name);
			fprintf(out, "\" file=\"");
			xml_escape(out, b->file);
			fprintf(out, "\" line=\"%u\" time=\"%.4f\"", b->c->line, b->ms / 1000);
			if (b->rep.result == HARNESS_PASS && !b->xf) {
				fprintf(out, "/>\n");
				continue;
			}
			if (b->xf && (b->rep.result == HARNESS_PASS || b->rep.result == HARNESS_FAIL)) {
				/* Expected failure: skipped with the reason; an unexpected pass says so. */
				fprintf(out, ">\n      <%s message=\"%s: ", b->rep.result == HARNESS_FAIL ? "skipped" : "system-out",
					job_result_name(b));
				xml_escape(out, b->xf->why[0] ? b->xf->why : "known divergence on this target");
				if (b->rep.result == HARNESS_FAIL) {
					fprintf(out, "\"/>\n    </testcase>\n");
				} else {
					fprintf(out, "\">XPASS</system-out>\n    </testcase>\n");
				}
				continue;
			}
			const char *tag = b->rep.result == HARNESS_FAIL ? "failure"
					  : b->rep.result == HARNESS_SKIP ? "skipped" : "error";
			fprintf(out, ">\n      <%s message=\"", tag);
			xml_escape(out, b->rep.message);
			fprintf(out, "\"");
			if (b->has_div) {
				fprintf(out, " type=\"");
				xml_escape(out, b->div.signature);
				fprintf(out, "\">");
				fprintf(out, "model:\n");
				xml_escape(out, b->div.model_layout);
				fprintf(out, "kernel:\n");
				xml_escape(out, b->div.kernel_layout);
				fprintf(out, "</%s>\n", tag);
			} else {
				fprintf(out, "/>\n");
			}
			fprintf(out, "    </testcase>\n");
		}
		fprintf(out, "  </testsuite>\n");
		i = j;
	}
	fprintf(out, "</testsuites>\n");
}

static void print_ktap(FILE *out, const job *jobs, size_t n)
{
	size_t files = 0;
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(jobs[i].file, jobs[i - 1].file))
			files++;
	fprintf(out, "KTAP version 1\n1..%zu\n", files);
	size_t fno = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool ok = true;
		while (j < n && !strcmp(jobs[j].file, jobs[i].file))
			j++;
		fprintf(out, "    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", jobs[i].file, j - i);
		for (size_t k = i; k < j; k++) {
			const job *b = &jobs[k];
			bool pass = b->rep.result == HARNESS_PASS || b->rep.result == HARNESS_SKIP;
			/* TAP's TODO: an expected failure, which does not fail the parent. */
			bool todo = b->xf && (b->rep.result == HARNESS_PASS || b->rep.result == HARNESS_FAIL);
			ok = ok && (pass || todo);
			if (!pass) {
				print_indented(out, "    # ", b->rep.message);
				if (b->has_div) {
					fprintf(out, "    # model:\n");
					print_indented(out, "    #   ", b->div.model_layout);
					fprintf(out, "    # kernel:\n");
					print_indented(out, "    #   ", b->div.kernel_layout);
				}
			}
			fprintf(out, "    %s %zu %s", pass ? "ok" : "not ok", k - i + 1, b->c->name);
			if (b->rep.result == HARNESS_SKIP)
				fprintf(out, " # SKIP %s", b->rep.message);
			else if (todo)
				fprintf(out, " # TODO %s", b->xf->why[0] ? b->xf->why : "known divergence on this target");
			fprintf(out, "\n");
		}
		fprintf(out, "%s %zu %s\n", ok ? "ok" : "not ok", ++fno, jobs[i].file);
		i = j;
	}
}

static void print_text_result(FILE *out, const job *b)
{
	fprintf(out, "%-5s %s:%u: %s\n", job_result_name(b), b->file,
		b->rep.line ? b->rep.line : b->c->line, b->c->name);
	if (b->xf)
		fprintf(out, "      expected divergence on this target (line %u): %s\n", b->xf->line,
			b->xf->why[0] ? b->xf->why : "no reason given");
	if (b->rep.message[0])
		print_indented(out, "      ", b->rep.message);
	if (b->has_div) {
		/* The two address spaces side by side. */
		char ml[640], kl[640];
		snprintf(ml, sizeof(ml), "%s", b->div.model_layout);
		snprintf(kl, sizeof(kl), "%s", b->div.kernel_layout);
		fprintf(out, "      %-40s %s\n", "model:", "kernel:");
		char *mp = ml, *kp = kl;
		while (*mp || *kp) {
			char *me = strchr(mp, '\n'), *ke = strchr(kp, '\n');
			if (me)
				*me = 0;
			if (ke)
				*ke = 0;
			fprintf(out, "      %-40s %s\n", mp, kp);
			mp = me ? me + 1 : mp + strlen(mp);
			kp = ke ? ke + 1 : kp + strlen(kp);
		}
		fprintf(out, "      signature: %s\n", b->div.signature);
	}
}

/* Faults seen while comparing one case, stored once its result row exists. */
typedef struct fault_buf {
	size_t n;
	harness_fault_event ev[256];
} fault_buf;

static void collect_fault(const harness_fault_event *ev, void *vctx)
{
	fault_buf *fb = vctx;
	if (fb->n < sizeof(fb->ev) / sizeof(fb->ev[0]))
		fb->ev[fb->n++] = *ev;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void default_exec_path(char *buf, size_t cap)
{
	char self[4000];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(buf, cap, "mmspec-exec");
		return;
	}
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, cap, "%s/mmspec-exec", self);
}

static int cmd_run(int argc, char **argv)
{
	const char *format = "text", *filter = NULL, *db_path = "mmspec.db", *wrapper = NULL;
	const char *target_spec = NULL;
	char exec_path[4096], target_wrapper[4400], target_name[4200];
	default_exec_path(exec_path, sizeof(exec_path));
	int jobs_n = 1;
	bool verbose = false, maps_text = false;
	uint32_t timeout = 10000;
	const char *profile_override = NULL;
	uint32_t test_hook = 0; /* --test-hook hang|crash|exit: the harness's own tests */
	pathlist paths = { 0 };
	char cmdline[2048] = "mmspec run";
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(cmdline);
		snprintf(cmdline + l, sizeof(cmdline) - l, " %s", argv[i]);
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && (i++, 1))
		if (OPT("--format"))
			format = v;
		else if (OPT("--filter"))
			filter = v;
		else if (OPT("--db"))
			db_path = v;
		else if (OPT("--jobs"))
			jobs_n = atoi(v);
		else if (OPT("--exec-wrapper"))
			wrapper = v;
		else if (OPT("--target"))
			target_spec = v;
		else if (OPT("--exec"))
			snprintf(exec_path, sizeof(exec_path), "%s", v);
		else if (OPT("--timeout"))
			timeout = (uint32_t)atoi(v);
		else if (OPT("--profile"))
			profile_override = v;
		else if (OPT("--test-hook"))
			test_hook = !strcmp(v, "hang") ? EXEC_HOOK_HANG : !strcmp(v, "crash") ? EXEC_HOOK_CRASH
				    : !strcmp(v, "exit") ? EXEC_HOOK_EXIT : 0;
		else if (!strcmp(a, "--maps-text"))
			maps_text = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			verbose = true;
		else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mmspec run: unknown option or missing value: %s\n", a);
			free_inputs(&paths, NULL);
			return EXIT_USAGE;
		} else if (collect(&paths, a)) {
			free_inputs(&paths, NULL);
			return EXIT_USAGE;
		}
#undef OPT
	}
	const char *bad = NULL;
	unsigned profile_maj = 0, profile_min = 0;
	if (strcmp(format, "text") && strcmp(format, "ktap") && strcmp(format, "junit"))
		bad = "--format takes text, ktap or junit";
	else if (profile_override &&
		 sscanf(profile_override, "%u.%u", &profile_maj, &profile_min) != 2)
		bad = "--profile takes MAJOR.MINOR, like 6.12";
	else if (jobs_n < 1 || jobs_n > 64)
		bad = "--jobs takes 1 to 64";
	else if (!paths.n)
		bad = "no case files given";
	else if (target_spec && wrapper)
		bad = "--target and --exec-wrapper are one choice: use --target wrap:CMD";
	if (!bad && target_spec) {
		/* mmspec-vm sits next to the executor. */
		char dir[4096], terr[512];
		snprintf(dir, sizeof(dir), "%s", exec_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof(dir), ".");
		if (harness_target_resolve(target_spec, dir, target_wrapper, sizeof(target_wrapper), terr, sizeof(terr))) {
			fprintf(stderr, "mmspec run: %s\n", terr);
			free_inputs(&paths, NULL);
			return EXIT_USAGE;
		}
		wrapper = target_wrapper[0] ? target_wrapper : NULL;
	}
	if (bad) {
		fprintf(stderr, "mmspec run: %s\n", bad);
		free_inputs(&paths, NULL);
		return EXIT_USAGE;
	}
	prog_file **files;
	if (parse_all(&paths, &files)) {
		free_inputs(&paths, NULL);
		return EXIT_USAGE;
	}

	char err[512];
	store *db = NULL;
	if (store_open(db_path, &db, err, sizeof(err))) {
		fprintf(stderr, "mmspec run: %s\n", err);
		free_inputs(&paths, files);
		return EXIT_USAGE;
	}

	exec_child *kids = calloc((size_t)jobs_n, sizeof(*kids));
	for (int i = 0; i < jobs_n; i++) {
		if (exec_child_start(&kids[i], exec_path, wrapper, err, sizeof(err))) {
			fprintf(stderr, "mmspec run: cannot start the executor: %s\n", err);
			for (int k = 0; k < i; k++)
				exec_child_stop(&kids[k]);
			free(kids);
			store_close(db);
			free_inputs(&paths, files);
			return EXIT_BROKEN;
		}
	}
	const exec_target_info *info = &kids[0].info;
	harness_target target;
	harness_target_from_exec(&target, info);
	if (profile_override)
		target.profile.version = PROG_VERSION(profile_maj, profile_min, 0);

	size_t njobs = 0;
	for (size_t f = 0; f < paths.n; f++)
		for (uint32_t c = 0; c < files[f]->ncases; c++)
			if (!filter || !fnmatch(filter, files[f]->cases[c].name, 0))
				njobs++;
	job *jobs = calloc(njobs ? njobs : 1, sizeof(*jobs));
	size_t n = 0;
	for (size_t f = 0; f < paths.n; f++)
		for (uint32_t c = 0; c < files[f]->ncases; c++)
			if (!filter || !fnmatch(filter, files[f]->cases[c].name, 0)) {
				jobs[n].file = paths.v[f];
				jobs[n++].c = &files[f]->cases[c];
			}

	char hostname[256] = "";
	gethostname(hostname, sizeof(hostname) - 1);
	char config[512], profile[32];
	snprintf(config, sizeof(config),
		 "{\"thp\":%s,\"soft_dirty\":%s,\"procmap_query\":%s,\"mmap_min_addr\":%" PRIu64
		 ",\"mmap_min_effective\":%" PRIu64 ",\"max_map_count\":%" PRIu64
		 ",\"overcommit_memory\":%d,\"layout_method\":\"%s\",\"arena\":\"0x%" PRIx64 "\"}",
		 info->thp ? "true" : "false", info->soft_dirty ? "true" : "false",
		 info->procmap_query ? "true" : "false", info->mmap_min_addr, info->mmap_min_effective,
		 info->max_map_count, info->overcommit_memory,
		 maps_text || !info->procmap_query ? "/proc/self/maps" : "PROCMAP_QUERY", info->arena);
	snprintf(profile, sizeof(profile), "%u.%u", target.profile.version >> 16,
		 (target.profile.version >> 8) & 0xff);
	harness_target_name(target_spec, wrapper, info, target_name, sizeof(target_name));
	store_run_info ri = { "run", MMSPEC_VERSION, target_name, info->release, profile,
			      config, cmdline, 0, hostname };
	int64_t run_id = store_run_begin(db, &ri);
	if (run_id < 0) {
		fprintf(stderr, "mmspec run: %s: %s\n", db_path, store_error(db));
		for (int k = 0; k < jobs_n; k++)
			exec_child_stop(&kids[k]);
		free(kids);
		free(jobs);
		store_close(db);
		free_inputs(&paths, files);
		return EXIT_USAGE;
	}

	static exec_obs obs;
	static uint8_t enc[1 << 20];
	bool tty = isatty(2) && strcmp(format, "junit");
	size_t next = 0, done = 0, counts[4] = { 0 }, xfails = 0, xpasses = 0;
	double t0 = now_ms();
	int broken = 0;
	double started[64] = { 0 };
	while (done < n) {
		/* Hand out work to idle executors; SKIPs never need one. */
		for (int k = 0; k < jobs_n && next < n; k++) {
			if (kids[k].busy || kids[k].pid <= 0)
				continue;
			while (next < n) {
				job *j = &jobs[next];
				char why[512];
				uint32_t bad_step;
				if (!harness_requires_met(j->c, &target, why, sizeof(why))) {
					j->rep.result = HARNESS_SKIP;
					j->rep.line = j->c->line;
					snprintf(j->rep.message, sizeof(j->rep.message), "%s", why);
					next++;
					done++;
					continue;
				}
				if (!harness_program_valid(j->c, why, sizeof(why), &bad_step)) {
					j->rep.result = HARNESS_ERROR;
					j->rep.step = bad_step;
					j->rep.line = j->c->steps[bad_step].line;
					snprintf(j->rep.message, sizeof(j->rep.message), "%s", why);
					next++;
					done++;
					continue;
				}
				size_t len = prog_encode(j->c, enc, sizeof(enc));
				exec_options opt = { 0 };
				for (unsigned q = 0; q < j->c->nreq; q++)
					if (j->c->req[q].kind == PROG_REQ_CAP && j->c->req[q].cap >= 0)
						opt.keep_caps |= 1ULL << j->c->req[q].cap;
				opt.timeout_ms = timeout;
				opt.maps_text = maps_text;
				opt.test_hook = test_hook;
				if (len > sizeof(enc) || exec_child_send(&kids[k], &opt, enc, len)) {
					j->rep.result = HARNESS_ERROR;
					snprintf(j->rep.message, sizeof(j->rep.message),
						 "cannot send the program to the executor");
					next++;
					done++;
					continue;
				}
				kids[k].busy = true;
				kids[k].job = next++;
				started[k] = now_ms();
				break;
			}
		}
		/* Wait for any busy executor to answer. */
		struct pollfd pfd[64];
		int np = 0, idx[64];
		for (int k = 0; k < jobs_n; k++)
			if (kids[k].busy) {
				pfd[np].fd = kids[k].from;
				pfd[np].events = POLLIN;
				idx[np++] = k;
			}
		if (!np)
			continue;
		if (poll(pfd, (nfds_t)np, -1) < 0 && errno != EINTR)
			break;
		for (int q = 0; q < np; q++) {
			if (!(pfd[q].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			exec_child *kc = &kids[idx[q]];
			job *j = &jobs[kc->job];
			kc->busy = false;
			j->ms = now_ms() - started[idx[q]];
			if (exec_child_recv(kc, &obs, err, sizeof(err))) {
				j->rep.result = HARNESS_ERROR;
				snprintf(j->rep.message, sizeof(j->rep.message), "%s", err);
				exec_child_stop(kc);
				if (exec_child_start(kc, exec_path, wrapper, err, sizeof(err)))
					broken = 1;
			} else {
				harness_kernel hk = { &kc->info, &obs };
				static fault_buf fb;
				fb.n = 0;
				harness_compare_case(j->c, &target, &hk, collect_fault, &fb, &j->rep, &j->div);
				j->xf = harness_xfail_match(j->c, target_name);
				j->has_div = j->rep.result == HARNESS_FAIL && j->div.signature[0];
				/* One short transaction per case: result, faults, divergence. */
				char *text = prog_case_to_string(j->c);
				store_result_info sr = { j->file, j->c->name, text, j->rep.result,
							 j->rep.message, j->ms, j->xf ? "FAIL" : NULL };
				store_begin(db);
				j->result_id = store_result(db, run_id, &sr);
				for (size_t q2 = 0; q2 < fb.n && j->result_id > 0; q2++) {
					const harness_fault_event *ev = &fb.ev[q2];
					char *stt = prog_step_to_string(j->c, &j->c->steps[ev->step]);
					store_fault_info fi = { j->result_id, (int)ev->step, stt, ev->side,
								ev->signo, ev->code, ev->addr };
					store_fault(db, run_id, &fi);
					free(stt);
				}
				if (j->has_div) {
					char *st = prog_step_to_string(j->c, &j->c->steps[j->div.step < j->c->nsteps ? j->div.step : 0]);
					store_divergence_info d = { j->result_id, text, (int)j->div.step, st,
								    j->div.syscall, j->div.field, j->div.model,
								    j->div.kernel, j->div.model_layout,
								    j->div.kernel_layout, j->div.signature, NULL, 1, 1 };
					store_divergence(db, run_id, &d);
					free(st);
				}
				store_commit(db);
				free(text);
			}
			done++;
		}
		if (tty)
			fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, n, jobs[done ? done - 1 : 0].c->name);
		if (broken)
			break;
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	/* SKIPs and unsent cases are recorded too. */
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].result_id == 0) {
			if (i >= next) {
				jobs[i].rep.result = HARNESS_ERROR;
				snprintf(jobs[i].rep.message, sizeof(jobs[i].rep.message), "not run: the executor could not be restarted");
			}
			char *text = prog_case_to_string(jobs[i].c);
			store_result_info sr = { jobs[i].file, jobs[i].c->name, text, jobs[i].rep.result,
						 jobs[i].rep.message, jobs[i].ms };
			jobs[i].result_id = store_result(db, run_id, &sr);
			free(text);
		}
		if (jobs[i].xf && jobs[i].rep.result == HARNESS_FAIL)
			xfails++;
		else if (jobs[i].xf && jobs[i].rep.result == HARNESS_PASS)
			xpasses++;
		else
			counts[jobs[i].rep.result]++;
	}
	store_run_end(db, run_id, (int64_t)(counts[HARNESS_PASS] + xpasses), (int64_t)(counts[HARNESS_FAIL] + xfails),
		      (int64_t)counts[HARNESS_SKIP], (int64_t)counts[HARNESS_ERROR]);
	double secs = (now_ms() - t0) / 1000;

	if (!strcmp(format, "junit")) {
		print_junit(stdout, jobs, n, info);
	} else if (!strcmp(format, "ktap")) {
		print_ktap(stdout, jobs, n);
		printf("# totals: pass:%zu fail:%zu xfail:%zu xpass:%zu skip:%zu error:%zu\n",
		       counts[HARNESS_PASS], counts[HARNESS_FAIL], xfails, xpasses, counts[HARNESS_SKIP],
		       counts[HARNESS_ERROR]);
	} else {
		for (size_t i = 0; i < n; i++)
			if (jobs[i].rep.result != HARNESS_PASS || jobs[i].xf || verbose)
				print_text_result(stdout, &jobs[i]);
		char xs[64] = "";
		if (xfails || xpasses)
			snprintf(xs, sizeof(xs), ", %zu expected failures, %zu unexpected passes", xfails, xpasses);
		printf("run %" PRId64 " on Linux %s (%s, %s): %zu cases in %.2f s: %zu passed, %zu failed, %zu skipped, %zu errors%s; stored in %s\n",
		       run_id, info->release, target_name,
		       maps_text || !info->procmap_query ? "/proc/self/maps" : "PROCMAP_QUERY", n, secs,
		       counts[HARNESS_PASS], counts[HARNESS_FAIL], counts[HARNESS_SKIP],
		       counts[HARNESS_ERROR], xs, db_path);
	}
	for (int k = 0; k < jobs_n; k++)
		exec_child_stop(&kids[k]);
	free(kids);
	free(jobs);
	store_close(db);
	free_inputs(&paths, files);
	if (counts[HARNESS_ERROR] || broken)
		return EXIT_BROKEN;
	return counts[HARNESS_FAIL] ? EXIT_FAILED : 0;
}

/* explain: the window around the arena that the case uses. */
typedef struct explain_ctx {
	uint64_t lo, hi;      /* window [lo, hi) in bytes */
	bool sizing;          /* first pass: only grow the window */
} explain_ctx;

static void explain_step(const harness_step_event *ev, void *vctx)
{
	explain_ctx *x = vctx;
	if (x->sizing) {
		x->lo = ev->arena;
		oracle_vma_info v[64];
		size_t n = oracle_vmas(ev->proc, ev->arena, ev->arena + (1ULL << 30), v, 64);
		for (size_t i = 0; i < n && i < 64; i++)
			if (v[i].end > x->hi)
				x->hi = v[i].end;
		return;
	}
	char *text = prog_step_to_string(ev->c, ev->s);
	const char *t = text ? text : "?";
	while (*t == ' ')
		t++;
	printf("%4u  %s\n", ev->s->line, t);
	printf("      model %s%s\n", ev->outcome, ev->failed ? "   <-- expectation not met" : "");
	free(text);

	uint64_t pages = (x->hi - x->lo) >> 12;
	if (pages) {
		uint64_t shown = pages > 96 ? 96 : pages;
		char draw[100];
		oracle_draw(ev->proc, x->lo, shown, draw, sizeof(draw));
		printf("      A  |%s|%s\n", draw, shown < pages ? " ..." : "");
		oracle_vma_info v[26];
		size_t n = oracle_vmas(ev->proc, x->lo, x->lo + shown * 4096, v, 26);
		if (n) {
			printf("         ");
			for (size_t i = 0; i < n && i < 26; i++) {
				char perms[5], flags[200];
				oracle_perms(v[i].flags, perms);
				oracle_vmflags_string(v[i].flags & ~(VM_READ | VM_WRITE | VM_EXEC |
								       VM_MAYREAD | VM_MAYWRITE |
								       VM_MAYEXEC),
						      flags, sizeof(flags));
				printf("%s%c=%s%s%s%s", i ? "  " : "",
				       "abcdefghijklmnopqrstuvwxyz"[i % 26], perms,
				       flags[0] ? "[" : "", flags, flags[0] ? "]" : "");
				if (v[i].anon_id)
					printf("{anon %u}", v[i].anon_id);
			}
			printf("\n");
		}
	}
	oracle_counters cnt;
	oracle_get_counters(ev->proc, &cnt);
	printf("         %" PRIu64 " VMAs, total_vm %" PRIu64 " pages, data_vm %" PRIu64
	       ", locked_vm %" PRIu64 "\n", cnt.map_count, cnt.total_vm, cnt.data_vm, cnt.locked_vm);
}

static int cmd_explain(int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: mmspec explain FILE[:CASE]\n");
		return EXIT_USAGE;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s", argv[0]);
	const char *want = NULL;
	char *colon = strrchr(path, ':');
	struct stat st;
	if (colon && stat(path, &st)) {
		*colon = 0;
		want = colon + 1;
	}
	prog_file *f;
	prog_diag d;
	if (prog_parse_file(path, &f, &d)) {
		char msg[600];
		prog_diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return EXIT_USAGE;
	}
	harness_target target;
	harness_target_model(&target);
	int rc = 0, shown = 0;
	for (uint32_t i = 0; i < f->ncases; i++) {
		const prog_case *c = &f->cases[i];
		if (want && strcmp(want, c->name))
			continue;
		shown++;
		explain_ctx x = { 0, 0, true };
		harness_case_report r;
		harness_check_case(c, &target, explain_step, &x, &r);
		/* The arena window: from A to the end of the last VMA the case made there. */
		if (x.hi < x.lo)
			x.hi = x.lo;
		x.sizing = false;
		printf("case %s   (%s:%u; A = 0x%" PRIx64 ", one character per page from A)\n",
		       c->name, path, c->line, x.lo);
		harness_check_case(c, &target, explain_step, &x, &r);
		printf("=> %s%s%s\n\n", harness_result_name(r.result), r.message[0] ? ": " : "",
		       r.message);
		if (r.result == HARNESS_ERROR)
			rc = EXIT_BROKEN;
		else if (r.result == HARNESS_FAIL && rc == 0)
			rc = EXIT_FAILED;
	}
	prog_file_free(f);
	if (!shown) {
		fprintf(stderr, "mmspec explain: no case named '%s' in %s\n", want ? want : "", path);
		return EXIT_USAGE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (mmspec_wants_help(argc - 2, argv + 2) && mmspec_command_help(cmd, stdout))
		return 0;
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "explain"))
		return cmd_explain(argc - 2, argv + 2);
	if (!strcmp(cmd, "fuzz") || !strcmp(cmd, "minimize") || !strcmp(cmd, "repro"))
		return (cmd[0] == 'f' ? fuzz_cmd_fuzz : cmd[0] == 'm' ? fuzz_cmd_minimize : fuzz_cmd_repro)(argc - 2, argv + 2);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("mmspec %s\n", MMSPEC_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "report") || !strcmp(cmd, "db"))
		return (cmd[0] == 'r' ? report_main : report_db_main)(argc - 2, argv + 2, stdout, stderr);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mmspec: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
