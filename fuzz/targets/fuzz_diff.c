/* SPDX-License-Identifier: MIT */
/*
 * fuzz_diff.c: the model against the running kernel, through the sandbox.
 *
 * bytes -> program (fuzz_program_from_bytes) -> fuzz_diff_run. A divergence
 * (HARNESS_FAIL) is rerun three times to see how often it reproduces, then
 * recorded in the database named by $MMSPEC_FUZZ_DB (default fuzz.db) as a
 * run of kind "fuzz" with one failed result and its divergence, and then
 * reported to the fuzzer as a crash (abort) so that it keeps the input.
 * `mmspec minimize --db` and `mmspec repro` take it from there.
 *
 * Needs root: the executor reads PFNs from pagemap and hands capabilities
 * to the sandbox. Without root it says so and exits with status 77 (ctest
 * counts that as skipped). The executor lives in a server process that
 * fuzz_diff_init forks, so this process may allocate as it likes; every
 * program runs in a fresh sandbox, so persistent mode keeps no state
 * between inputs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "target.h"

static fuzz_diff *diff;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	(void)argc;
	(void)argv;
	if (geteuid() != 0) {
		fprintf(stderr, "fuzz_diff: needs root (the executor reads pagemap PFNs and keeps "
				"capabilities for the sandbox); skipped\n");
		exit(77);
	}
	if (fuzz_diff_init(&diff, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_diff: %s\n", err);
		exit(77);
	}
	return 0;
}

/* Writes the divergence to the database; failures are reported, not fatal. */
static void record(const prog_case *c, const harness_case_report *rep, const harness_divergence *div,
		   int reproduced, int attempts)
{
	const char *path = getenv("MMSPEC_FUZZ_DB");
	char err[512], host[256] = "", options[64];
	store *db = NULL;
	if (!path || !*path)
		path = "fuzz.db";
	if (store_open(path, &db, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_diff: cannot record the divergence: %s\n", err);
		return;
	}
	gethostname(host, sizeof(host) - 1);
	const exec_target_info *info = fuzz_diff_target(diff);
	snprintf(options, sizeof(options), "fuzz_diff target (%s)",
#ifdef __AFL_COMPILER
		 "AFL++"
#else
		 "libFuzzer or replay"
#endif
	);
	store_run_info ri = { "fuzz", MMSPEC_VERSION, "host", info->release, fuzz_diff_profile(diff),
			      NULL, options, 0, host, NULL, NULL };
	char *text = prog_case_to_string(c);
	char *step = div->step < c->nsteps ? prog_step_to_string(c, &c->steps[div->step]) : NULL;
	int64_t run = store_run_begin(db, &ri);
	int64_t res = -1;
	if (run > 0) {
		store_result_info r = { "fuzz_diff", c->name, text, HARNESS_FAIL, rep->message, 0, NULL };
		res = store_result(db, run, &r);
	}
	if (res > 0) {
		store_divergence_info d = {
			res, text, (int)div->step, step, div->syscall, div->field, div->model, div->kernel,
			div->model_layout, div->kernel_layout, div->signature, NULL, reproduced, attempts,
		};
		if (store_divergence(db, run, &d) < 0)
			res = -1;
		store_run_end(db, run, 0, 1, 0, 0);
	}
	if (res < 0)
		fprintf(stderr, "fuzz_diff: cannot record the divergence in %s: %s\n", path, store_error(db));
	else
		fprintf(stderr, "fuzz_diff: divergence %s recorded in %s\n", div->signature, path);
	free(text);
	free(step);
	store_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_config cfg;
	prog_case c;
	harness_case_report rep;
	harness_divergence div;
	if (!diff)
		LLVMFuzzerInitialize(NULL, NULL);
	target_config(&cfg);
	if (fuzz_program_from_bytes(data, size, &cfg, &c) != 0)
		return 0;
	memset(&div, 0, sizeof(div));
	harness_result r = fuzz_diff_run(diff, &c, &rep, &div);
	if (r == HARNESS_FAIL && div.signature[0]) {
		char sig[sizeof(div.signature)];
		snprintf(sig, sizeof(sig), "%s", div.signature);
		int again = fuzz_rerun(diff, &c, sig, 3);
		record(&c, &rep, &div, 1 + again, 4);
		char msg[1400];
		snprintf(msg, sizeof(msg), "divergence %s (reproduced %d of 4): %s", sig, 1 + again,
			 rep.message);
		target_fail("fuzz_diff", msg, &c);
	}
	prog_case_clear(&c);
	return 0;
}
