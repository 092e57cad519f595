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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_BROKEN 3

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmspec <command> [options]\n"
		"\n"
		"commands:\n"
		"  check [--format text|ktap] [--filter GLOB] [-v] PATH...\n"
		"        run case files (or folders of *.mmt) against the model alone\n"
		"  explain FILE[:CASE]\n"
		"        print the model's state after every step, the address space drawn as text\n"
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
	qsort(sub.v, sub.n, sizeof(*sub.v), cmp_str);
	for (size_t i = 0; i < sub.n; i++) {
		if (!rc)
			rc = collect(l, sub.v[i]);
		free(sub.v[i]);
	}
	free(sub.v);
	return rc;
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
	const char *format = "text", *filter = NULL;
	bool verbose = false;
	pathlist paths = { 0 };
	int i;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
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
			return EXIT_USAGE;
		} else if (collect(&paths, argv[i])) {
			return EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "ktap")) {
		fprintf(stderr, "mmspec check: --format takes text or ktap (junit comes with `run`)\n");
		return EXIT_USAGE;
	}
	if (!paths.n) {
		fprintf(stderr, "mmspec check: no case files given\n");
		return EXIT_USAGE;
	}
	prog_file **files;
	if (parse_all(&paths, &files))
		return EXIT_USAGE;

	harness_target target;
	harness_target_model(&target);
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
	for (size_t f = 0; f < paths.n; f++) {
		prog_file_free(files[f]);
		free(paths.v[f]);
	}
	free(files);
	free(paths.v);
	if (count[HARNESS_ERROR])
		return EXIT_BROKEN;
	return count[HARNESS_FAIL] ? EXIT_FAILED : 0;
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
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(cmd, "explain"))
		return cmd_explain(argc - 2, argv + 2);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("mmspec %s\n", MMSPEC_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mmspec: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
