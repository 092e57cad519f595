/* SPDX-License-Identifier: MIT */
/*
 * test_fuzz_triage.c: triage on the running kernel (root; else exit 77,
 * skipped). The divergence is made on purpose: under the 6.1 profile the
 * model says mseal() is ENOSYS, the 6.18 kernel seals. Checked: reruns,
 * the minimizer (shortest program, same signature, a valid program even
 * when the binding and fork steps it removes are used later), the export
 * (kernel outcomes as expectations, parses back, holds on the kernel) and
 * the names.
 */
#include <unistd.h>

#include "fuzz.h"
#include "test.h"

static fuzz_diff *d;

static prog_case parse_one(const char *text)
{
	prog_file *f = NULL;
	prog_diag dg;
	prog_case c;
	prog_case_init(&c, "x");
	if (prog_parse_text("test", text, strlen(text), &f, &dg)) {
		fprintf(stderr, "parse: %s\n", dg.msg);
		return c;
	}
	prog_case_copy(&c, &f->cases[0]);
	prog_file_free(f);
	return c;
}

static const char *noisy =
	"case noisy\n"
	"  mmap(A, 8p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
	"  mmap(NULL, 3p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
	"  store(A, 5)\n"
	"  fork() = $c\n"
	"  [$c] store(A, 9)\n"
	"  mprotect(A+2p, 2p, PROT_READ)\n"
	"  [$c] exit(0)\n"
	"  wait($c) = 0\n"
	"  munmap($x+1p, 1p)\n"
	"  mseal(A+4p, 3p, 0)\n"
	"  load($x)\n"
	"  load(A)\n";

TEST(rerun_and_minimize)
{
	prog_case c = parse_one(noisy);
	harness_case_report rep;
	harness_divergence div;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_FAIL);
	CHECK_STR(div.signature, "mseal:return:ENOSYS:ok@6.1");
	CHECK_EQ_U64(fuzz_rerun(d, &c, div.signature, 3), 3);
	CHECK_EQ_U64(fuzz_rerun(d, &c, "munmap:return:ok:EINVAL@6.1", 2), 0);

	prog_case m;
	fuzz_minimize_stats st;
	CHECK(fuzz_minimize(d, &c, div.signature, NULL, &m, &st) == 0);
	CHECK(st.reproduced);
	CHECK_EQ_U64(st.steps_before, 12);
	/* mmap and mseal: nothing less diverges the same way. */
	CHECK_EQ_U64(m.nsteps, 2);
	CHECK_EQ_U64(m.steps[0].op, PROG_MMAP);
	CHECK_EQ_U64(m.steps[1].op, PROG_MSEAL);
	/* Simpler arguments: one page, an offset of 0 from the arena. */
	CHECK_EQ_U64(m.steps[1].arg[1].k, 4096);
	CHECK_EQ_U64(m.steps[1].arg[0].k, 0);
	char why[256];
	uint32_t bad;
	CHECK(harness_program_valid(&m, why, sizeof(why), &bad));
	CHECK(fuzz_same_divergence(d, &m, div.signature));
	prog_case_clear(&m);

	/* A program that does not show the signature: returns 1, a copy. */
	CHECK(fuzz_minimize(d, &c, "mprotect:layout:bounds@6.1", NULL, &m, &st) == 1);
	CHECK(!st.reproduced);
	CHECK_EQ_U64(m.nsteps, c.nsteps);
	prog_case_clear(&m);
	prog_case_clear(&c);
}

TEST(minimize_keeps_bindings_and_processes)
{
	/* The divergence needs $x (the mseal is on the kernel's mapping) and
	 * runs in the child: both the binding and the fork must stay. */
	prog_case c = parse_one("case k\n"
				"  mmap(A, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
				"  mmap(NULL, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
				"  store(A, 1)\n"
				"  fork() = $c\n"
				"  load(A)\n"
				"  [$c] munmap(A, 1p)\n"
				"  [$c] mseal($x, 2p)\n");
	harness_case_report rep;
	harness_divergence div;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_FAIL);
	prog_case m;
	fuzz_minimize_stats st;
	CHECK(fuzz_minimize(d, &c, div.signature, NULL, &m, &st) == 0);
	CHECK_EQ_U64(m.nsteps, 3);
	char *text = prog_case_to_string(&m);
	CHECK_MSG(text && strstr(text, "= $x") && strstr(text, "fork() = $c") && strstr(text, "[$c] mseal($x"),
		  "%s", text ? text : "");
	free(text);
	prog_case_clear(&m);
	prog_case_clear(&c);
}

TEST(export_pins_the_kernel)
{
	prog_case c = parse_one("case e\n"
				"  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
				"  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
				"  munmap(A+1, 1p)\n"
				"  load(A+4p)\n"
				"  store(A, 7)\n"
				"  load(A)\n"
				"  mseal(A, 1p)\n");
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(fuzz_export_case(f, d, &c, "exported", "line one\nline two", err, sizeof(err)) == 0);
	fclose(f);
	CHECK(strstr(buf, "# line one\n# line two\ncase exported\n") != NULL);
	CHECK(strstr(buf, "  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = A\n") != NULL);
	CHECK(strstr(buf, "= $x\n") != NULL);
	CHECK_MSG(strstr(buf, "munmap(A+0x1, 1p) = -1 EINVAL\n") != NULL, "%s", buf);
	CHECK(strstr(buf, "load(A+4p) = SIGSEGV(SEGV_MAPERR)\n") != NULL);
	CHECK(strstr(buf, "load(A) = 0x7\n") != NULL);
	CHECK(strstr(buf, "mseal(A, 1p) = 0\n") != NULL);
	/* It parses, and holds on the kernel; under 6.1 the model fails it. */
	prog_case e = parse_one(buf);
	harness_case_report rep;
	CHECK_EQ_U64(fuzz_diff_run(d, &e, &rep, NULL), HARNESS_FAIL);
	uint32_t v = fuzz_diff_model(d)->profile.version;
	fuzz_diff_set_profile(d, PROG_VERSION(6, 18, 0));
	CHECK_EQ_U64(fuzz_diff_run(d, &e, &rep, NULL), HARNESS_PASS);
	fuzz_diff_set_profile(d, v);
	prog_case_clear(&e);
	prog_case_clear(&c);
	free(buf);
}

TEST(names)
{
	char n[64];
	fuzz_case_name("mprotect:layout:bounds@6.18", n, sizeof(n));
	CHECK_STR(n, "mprotect-layout-bounds-6.18");
	fuzz_case_name("::", n, sizeof(n));
	CHECK_STR(n, "case");
	uint32_t mask;
	char err[200];
	CHECK(fuzz_plant_parse("missed-cow,mprotect-nosplit", &mask, err, sizeof(err)) == 0);
	CHECK_EQ_U64(mask, ORACLE_PLANT_MISSED_COW | ORACLE_PLANT_MPROTECT_NOSPLIT);
	CHECK(fuzz_plant_parse("mmap-errno-order|bogus", &mask, err, sizeof(err)) == -1);
	CHECK(strstr(err, "'bogus'") != NULL);
	char sig[200] = "load:value:ok:ok";
	fuzz_signature_add_profile(sig, sizeof(sig), "6.12");
	fuzz_signature_add_profile(sig, sizeof(sig), "6.12");
	CHECK_STR(sig, "load:value:ok:ok@6.12");
}

int main(int argc, char **argv)
{
	if (geteuid() != 0) {
		printf("SKIP: the executor's sandbox needs root\n");
		return 77;
	}
	char err[512];
	if (fuzz_diff_init(&d, NULL, err, sizeof(err))) {
		fprintf(stderr, "fuzz_diff_init: %s\n", err);
		return 1;
	}
	fuzz_diff_set_profile(d, PROG_VERSION(6, 1, 0));
	int rc = test_main(argc, argv);
	fuzz_diff_free(d);
	return rc;
}
