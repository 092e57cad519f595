/* SPDX-License-Identifier: MIT */
/*
 * model_dump: the model's whole observable state after every step of a
 * fixed set of generated programs, as text, for comparing two builds.
 *
 * Changes meant only to make the model faster (allocation, data layout,
 * avoided work) must leave this output byte-for-byte the same: build the
 * old and the new tree, run both with the same arguments and compare
 * (`cmp`). For each program (fuzz_generate from the seed, then half of them
 * mutated by fuzz_mutate, so odd argument shapes appear too) and each of
 * the 6.18, 6.1 and 6.12 profiles it prints, after every step: the step's
 * outcome, the process's counters, every VMA with its identities, and for
 * every page of every VMA whether a PTE maps it, the page's identity and
 * flags and its first 16 bytes; then the case's result and message.
 * Usage: model_dump [PROGRAMS [SEED]] (defaults 2000 and 1), or
 * model_dump --files FILE|DIR... to dump the programs fuzz_program_from_bytes
 * makes of those files instead (a fuzz corpus: fuzz_model's seeds). Slow by
 * design (it reads every page after every step); it measures nothing.
 *
 * model_dump --reuse-check [PROGRAMS [SEED]] is a test (ctest model_reuse):
 * the model's pools (oracle/alloc.c) hand a new world the chunks of the
 * last ones, dirty; a field left uninitialised would make a program's dump
 * depend on what ran before it. The programs run forward, then backward,
 * and each one's dump must be the same both times. Exits 1 if not.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Where the dump goes: stdout, or a memory stream in --reuse-check. */
static FILE *out;

static void dump_proc(const oracle_proc *p)
{
	oracle_counters k;
	oracle_get_counters(p, &k);
	fprintf(out, "  counters %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
	       k.map_count, k.total_vm, k.data_vm, k.locked_vm, k.exec_vm, k.stack_vm);
	size_t n = oracle_vmas(p, 0, UINT64_MAX, NULL, 0);
	oracle_vma_info *v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		fprintf(out, "  (out of memory)\n");
		return;
	}
	oracle_vmas(p, 0, UINT64_MAX, v, n);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  vma %" PRIx64 "-%" PRIx64 " f=%" PRIx64 " pg=%" PRIx64 " file=%u anon=%u%s %s\n",
		       v[i].start, v[i].end, v[i].flags, v[i].pgoff, v[i].file_id, v[i].anon_id,
		       v[i].anon_forked ? " forked" : "", v[i].name);
		for (uint64_t a = v[i].start; a < v[i].end; a += 4096) {
			oracle_page_info pg;
			oracle_page(p, a, &pg);
			if (!pg.present && !pg.guard)
				continue;
			uint8_t b[16] = { 0 };
			if (pg.present)
				oracle_peek(p, a, b, sizeof(b));
			fprintf(out, "   %" PRIx64 " %c%c%c%c%c #%u", a, pg.zero_page ? 'z' : '-', pg.exclusive ? 'x' : '-',
			       pg.anon ? 'a' : '-', pg.guard ? 'g' : '-', pg.lazyfree ? 'l' : '-', pg.frame);
			for (size_t q = 0; q < sizeof(b); q++)
				fprintf(out, "%s%02x", q ? "" : " ", b[q]);
			fprintf(out, " unmap=%d drop=%d\n", oracle_page_may_unmap(p, a), oracle_page_may_drop(p, a));
		}
	}
	free(v);
}

static void on_step(const harness_step_event *ev, void *ctx)
{
	(void)ctx;
	fprintf(out, " step %u op %u %s%s\n", ev->index, ev->s->op, ev->outcome, ev->failed ? " FAILED" : "");
	if (ev->proc)
		dump_proc(ev->proc);
}

/* Runs c under the three profiles, printing everything. */
static void dump_case(const char *name, const prog_case *c)
{
	const uint32_t versions[] = { 0, PROG_VERSION(6, 1, 0), PROG_VERSION(6, 12, 0) };
	for (size_t q = 0; q < sizeof(versions) / sizeof(versions[0]); q++) {
		harness_target t;
		harness_case_report rep;
		harness_target_model(&t);
		if (versions[q])
			t.profile.version = versions[q];
		fprintf(out, "program %s profile %x steps %u\n", name, t.profile.version, c->nsteps);
		harness_check_case(c, &t, on_step, NULL, &rep);
		fprintf(out, " result %s step %u: %s\n", harness_result_name(rep.result), rep.step, rep.message);
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Dumps the program decoded from one file, or from each file of a folder
 * in name order (so two builds see the same order). */
static int dump_path(const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "model_dump: %s: cannot stat\n", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d) {
			fprintf(stderr, "model_dump: %s: cannot open the folder\n", path);
			return -1;
		}
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *e;
		int rc = 0;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **t = realloc(names, cap * sizeof(*names));
				if (!t) {
					rc = -1;
					break;
				}
				names = t;
			}
			size_t len = strlen(path) + strlen(e->d_name) + 2;
			if (!(names[n] = malloc(len))) {
				rc = -1;
				break;
			}
			snprintf(names[n++], len, "%s/%s", path, e->d_name);
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(*names), cmp_names);
		for (size_t i = 0; i < n; i++) {
			if (!rc && dump_path(names[i]))
				rc = -1;
			free(names[i]);
		}
		free(names);
		return rc;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "model_dump: %s: cannot open\n", path);
		return -1;
	}
	static uint8_t buf[1 << 20];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fuzz_config cfg;
	fuzz_config_default(&cfg);
	prog_case c;
	if (fuzz_program_from_bytes(buf, len, &cfg, &c)) {
		fprintf(stderr, "model_dump: %s: out of memory decoding\n", path);
		return -1;
	}
	const char *base = strrchr(path, '/');
	dump_case(base ? base + 1 : path, &c);
	prog_case_clear(&c);
	return 0;
}

/* FNV-1a of a buffer. */
static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
	return h;
}

/* The hash of c's dump. */
static uint64_t dump_hash(const prog_case *c)
{
	char *buf = NULL;
	size_t len = 0;
	out = open_memstream(&buf, &len);
	if (!out) {
		fprintf(stderr, "model_dump: out of memory\n");
		exit(2);
	}
	dump_case("", c);
	fclose(out);
	out = stdout;
	uint64_t h = hash(buf, len);
	free(buf);
	return h;
}

static int reuse_check(unsigned long n, uint64_t seed)
{
	fuzz_config cfg;
	fuzz_rng r;
	fuzz_config_default(&cfg);
	fuzz_rng_seed(&r, seed);
	prog_case *cs = calloc(n ? n : 1, sizeof(*cs));
	uint64_t *h = calloc(n ? n : 1, sizeof(*h));
	if (!cs || !h) {
		fprintf(stderr, "model_dump: out of memory\n");
		return 2;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (fuzz_generate(&r, &cfg, &cs[i])) {
			fprintf(stderr, "model_dump: fuzz_generate failed at program %lu\n", i);
			return 2;
		}
		if (i & 1)
			fuzz_mutate(&r, &cfg, &cs[i], NULL);
	}
	for (unsigned long i = 0; i < n; i++)
		h[i] = dump_hash(&cs[i]);
	unsigned long bad = 0;
	for (unsigned long i = n; i-- > 0;) {
		if (dump_hash(&cs[i]) != h[i]) {
			char *text = prog_case_to_string(&cs[i]);
			fprintf(stderr, "model_dump: program %lu dumps differently after other programs ran:\n%s",
				i, text ? text : "(out of memory)\n");
			free(text);
			bad++;
		}
	}
	for (unsigned long i = 0; i < n; i++)
		prog_case_clear(&cs[i]);
	free(cs);
	free(h);
	printf("model_dump --reuse-check: %lu programs, each run twice under three profiles, %lu differ\n", n,
	       bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	out = stdout;
	if (argc > 1 && !strcmp(argv[1], "--reuse-check"))
		return reuse_check(argc > 2 ? strtoul(argv[2], NULL, 0) : 300,
				   argc > 3 ? strtoull(argv[3], NULL, 0) : 1);
	if (argc > 1 && !strcmp(argv[1], "--files")) {
		for (int i = 2; i < argc; i++)
			if (dump_path(argv[i]))
				return 1;
		return 0;
	}
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	fuzz_config cfg;
	fuzz_rng r;
	fuzz_config_default(&cfg);
	fuzz_rng_seed(&r, seed);
	for (unsigned long i = 0; i < n; i++) {
		prog_case c;
		if (fuzz_generate(&r, &cfg, &c)) {
			fprintf(stderr, "model_dump: fuzz_generate failed at program %lu\n", i);
			return 1;
		}
		if (i & 1)
			fuzz_mutate(&r, &cfg, &c, NULL);
		char name[32];
		snprintf(name, sizeof(name), "%lu", i);
		dump_case(name, &c);
		prog_case_clear(&c);
	}
	return 0;
}
