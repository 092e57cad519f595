/* SPDX-License-Identifier: MIT */
/*
 * test_fuzz_diff.c: the differential runner on the running kernel. Needs
 * root (the executor's sandbox drops to uid 65534); elsewhere it exits 77,
 * which ctest reports as skipped.
 *
 * Cases: a program both sides agree on; a divergence made on purpose by
 * comparing under the 6.1 profile (mseal is ENOSYS before 6.10, the 6.18
 * kernel seals); requires not met; an invalid program; a sandbox crash that
 * the runner survives; and the caller mapping memory after init without
 * disturbing the comparison (the executor lives in its own process).
 */
#include <dirent.h>
#include <sys/mman.h>
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

TEST(agree)
{
	prog_case c = parse_one("case t\n"
				"  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
				"  mprotect(A+1p, 1p, PROT_READ)\n"
				"  store(A+1p, 5)\n"
				"  load(A)\n"
				"  maps()\n");
	harness_case_report rep;
	harness_divergence div;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_PASS);
	CHECK_MSG(rep.result == HARNESS_PASS, "%s", rep.message);
	CHECK(div.signature[0] == 0);
	prog_case_clear(&c);
}

TEST(caller_may_map_after_init)
{
	/* New VMAs in the caller must not show in the sandbox's layout. */
	void *p = mmap(NULL, 5 << 12, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *q = malloc(8 << 20);
	CHECK(p != MAP_FAILED);
	prog_case c = parse_one("case t\n"
				"  mmap(NULL, 3p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
				"  munmap($x+1p, 1p)\n"
				"  maps()\n");
	harness_case_report rep;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, NULL), HARNESS_PASS);
	CHECK_MSG(rep.result == HARNESS_PASS, "%s", rep.message);
	prog_case_clear(&c);
	free(q);
	munmap(p, 5 << 12);
}

TEST(divergence_under_old_profile)
{
	prog_case c = parse_one("case t\n"
				"  mmap(A, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
				"  mseal(A, 2p, 0)\n");
	uint32_t v = fuzz_diff_model(d)->profile.version;
	fuzz_diff_set_profile(d, PROG_VERSION(6, 1, 0));
	CHECK_STR(fuzz_diff_profile(d), "6.1");
	harness_case_report rep;
	harness_divergence div;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_FAIL);
	CHECK_EQ_U64(div.step, 1);
	CHECK_STR(div.syscall, "mseal");
	CHECK_STR(div.signature, "mseal:return:ENOSYS:ok@6.1");
	/* Stable: the same run gives the same signature. */
	harness_divergence div2;
	fuzz_diff_run(d, &c, &rep, &div2);
	CHECK_STR(div2.signature, div.signature);
	fuzz_diff_set_profile(d, v);
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_PASS);
	prog_case_clear(&c);
}

TEST(executor_memory_in_the_signature)
{
	/* A load from the executor's own libc: the model knows the VMA, not
	 * its bytes. The divergence is marked as being in executor memory. */
	const exec_target_info *in = fuzz_diff_target(d);
	uint64_t at = 0;
	for (uint32_t k = 0; k < in->nvmas && !at; k++)
		if (strstr(in->vma[k].name, "libc") && (in->vma[k].prot & 1) && in->vma[k].pgoff == 0)
			at = in->vma[k].start;
	if (!at)
		return; /* a static binary: nothing to read */
	char text[200];
	snprintf(text, sizeof(text), "case t\n  load(0x%" PRIx64 ")\n", at);
	prog_case c = parse_one(text);
	harness_case_report rep;
	harness_divergence div;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_FAIL);
	CHECK_STR(div.signature, "load:value:ok:ok:executor-memory@6.18");
	prog_case_clear(&c);
}

TEST(requires_and_validity)
{
	prog_case c = parse_one("case t\n  requires linux < 3.0\n  munmap(A, 1p)\n");
	harness_case_report rep;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, NULL), HARNESS_SKIP);
	CHECK(strstr(rep.message, "requires linux") != NULL);
	prog_case_clear(&c);
	c = parse_one("case t\n  fork() = $c\n  [$c] exit(0)\n  [$c] munmap(A, 1p)\n");
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, NULL), HARNESS_ERROR);
	CHECK_EQ_U64(rep.step, 2);
	prog_case_clear(&c);
}

TEST(agreed_expectation_is_no_divergence)
{
	/* Both sides miss the program's expectation (EINVAL, not ENOMEM):
	 * the program was wrong, the model and the kernel agree. */
	prog_case c = parse_one("case t\n  mmap(A+1, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = -1 ENOMEM\n"
				"  munmap(A, 1p)\n");
	harness_case_report rep;
	harness_divergence div;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, &div), HARNESS_PASS);
	CHECK(strstr(rep.message, "agreed") != NULL);
	CHECK(div.signature[0] == 0);
	prog_case_clear(&c);
}

TEST(fork_and_wait)
{
	prog_case c = parse_one("case t\n"
				"  mmap(A, 1p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
				"  store(A, 7)\n"
				"  fork() = $c\n"
				"  [$c] store(A, 9)\n"
				"  [$c] exit(3)\n"
				"  wait($c) = 3\n"
				"  load(A) = 7\n");
	harness_case_report rep;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, NULL), HARNESS_PASS);
	CHECK_MSG(rep.result == HARNESS_PASS, "%s", rep.message);
	prog_case_clear(&c);
}

TEST(sandbox_crash_is_an_error)
{
	/* A sandbox that dies outside a probe: ERROR, and the runner goes on. */
	exec_options opt = { 0 };
	opt.test_hook = EXEC_HOOK_CRASH;
	fuzz_diff *d2;
	char err[512];
	CHECK(fuzz_diff_init(&d2, &opt, err, sizeof(err)) == 0);
	prog_case c = parse_one("case t\n  munmap(A, 1p)\n  munmap(A, 1p)\n");
	harness_case_report rep;
	for (int i = 0; i < 2; i++) {
		CHECK_EQ_U64(fuzz_diff_run(d2, &c, &rep, NULL), HARNESS_ERROR);
		CHECK_EQ_U64(rep.step, 1);
	}
	CHECK_EQ_U64(fuzz_diff_restarts(d2), 0);
	fuzz_diff_free(d2);
	prog_case_clear(&c);
}

TEST(slow_populate_is_not_comparable)
{
	/* Zeroing 512 MiB outlasts a 10 ms watchdog: legal kernel work, a SKIP
	 * naming the step in a campaign, not a harness ERROR. */
	exec_options opt = { 0 };
	opt.timeout_ms = 10;
	fuzz_diff *d2;
	char err[512];
	CHECK(fuzz_diff_init(&d2, &opt, err, sizeof(err)) == 0);
	prog_case c = parse_one("case t\n"
				"  munmap(A, 1p)\n"
				"  mmap(A, 512M, PROT_READ, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)\n");
	harness_case_report rep;
	CHECK_EQ_U64(fuzz_diff_run(d2, &c, &rep, NULL), HARNESS_SKIP);
	CHECK_MSG(strstr(rep.message, "populates 512 MiB") != NULL, "%s", rep.message);
	CHECK_EQ_U64(rep.step, 1);
	fuzz_diff_free(d2);
	prog_case_clear(&c);
}

TEST(destroying_the_executor_is_not_comparable)
{
	/*
	 * A program that unmaps everything takes the executor with it: in a
	 * campaign that is a SKIP naming the reason, not a harness ERROR; the
	 * runner goes on with a fresh sandbox.
	 */
	prog_case c = parse_one("case t\n"
				"  mmap(A, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
				"  munmap(NULL, 34359738367p)\n");
	harness_case_report rep;
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, NULL), HARNESS_SKIP);
	CHECK_MSG(strstr(rep.message, "executor's own memory") != NULL, "%s", rep.message);
	CHECK_EQ_U64(rep.step, 1);
	prog_case_clear(&c);
	/* A crash that is not the program's doing stays an ERROR (above). */
	c = parse_one("case t\n  munmap(A, 1p)\n");
	CHECK_EQ_U64(fuzz_diff_run(d, &c, &rep, NULL), HARNESS_PASS);
	prog_case_clear(&c);
}

/*
 * Every bundled case through the runner: what `mmspec run` (mmspec-exec
 * over pipes) passes must pass here too, or the server's layout differs
 * from the one the model is seeded with.
 */
TEST(suites_agree)
{
	DIR *dir = opendir(MMSPEC_SOURCE_DIR "/suites");
	CHECK(dir != NULL);
	if (!dir)
		return;
	struct dirent *e;
	int cases = 0;
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".mmt"))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/suites/%s", MMSPEC_SOURCE_DIR, e->d_name);
		prog_file *f;
		prog_diag dg;
		CHECK(prog_parse_file(path, &f, &dg) == 0);
		for (uint32_t i = 0; i < f->ncases; i++) {
			harness_case_report rep;
			harness_result r = fuzz_diff_run(d, &f->cases[i], &rep, NULL);
			CHECK_MSG(r == HARNESS_PASS || r == HARNESS_SKIP, "%s:%s: %s: %s", e->d_name,
				  f->cases[i].name, harness_result_name(r), rep.message);
			cases++;
		}
		prog_file_free(f);
	}
	closedir(dir);
	CHECK(cases > 100);
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
	CHECK_STR(fuzz_diff_profile(d), "6.18");
	int rc = test_main(argc, argv);
	fuzz_diff_free(d);
	return rc;
}
