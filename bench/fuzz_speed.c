/* SPDX-License-Identifier: MIT */
/*
 * fuzz_speed: executions per second of the fuzz targets' paths, on one core.
 *
 * Inputs are the bytes of 2,000 generated programs (seed 1, default
 * configuration). Figures, each over the whole set repeated:
 * - decode: bytes -> program (fuzz_program_from_bytes) alone;
 * - model: bytes -> program -> the model under the 6.18 profile
 *   (harness_check_case), the core of fuzz_model;
 * - fuzz_model: the whole target (validity, print -> parse, the model under
 *   one profile chosen from the input bytes);
 * - mutate: fuzz_mutate + fuzz_program_to_bytes, the custom mutator's work;
 * - print, parse: bytes -> program -> text (prog_case_to_string), and on to
 *   a parsed program compared with the first: fuzz_model's round trip;
 * - fuzz_diff (root only): bytes -> program -> fuzz_diff_run on the kernel,
 *   next to a bare fork+_exit+wait from this process, the floor of
 *   fork-per-program execution that bench/exec_throughput also reports.
 * Each figure is given per second of wall-clock time and per second of this
 * process's CPU time (the second is what one idle core would do; they
 * differ when other work shares the machine). Prints figures; never fails
 * on time. Usage: fuzz_speed [SECONDS_PER_FIGURE [FIGURE...]], figures
 * named decode, model, target, mutate, diff (default: all).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define NPROG 2000

static uint8_t *input[NPROG];
static size_t input_len[NPROG];
static double budget = 2.0;

enum what { DECODE, MODEL, TARGET, MUTATE, PRINT, PARSE, DIFF };

static fuzz_diff *diff;

static void one(enum what w, size_t i, fuzz_rng *r)
{
	fuzz_config cfg;
	prog_case c;
	harness_target t;
	harness_case_report rep;
	static uint8_t out[1 << 17];
	fuzz_config_default(&cfg);
	switch (w) {
	case TARGET:
		LLVMFuzzerTestOneInput(input[i], input_len[i]);
		return;
	default:
		break;
	}
	if (fuzz_program_from_bytes(input[i], input_len[i], &cfg, &c))
		return;
	if (w == PRINT || w == PARSE) {
		char *text = prog_case_to_string(&c);
		prog_file *f = NULL;
		prog_diag d;
		if (text && w == PARSE && prog_parse_text("x.mmt", text, strlen(text), &f, &d) == 0) {
			if (f->ncases != 1 || !prog_case_equal(&f->cases[0], &c))
				abort();
			prog_file_free(f);
		}
		free(text);
	} else if (w == MODEL) {
		harness_target_model(&t);
		harness_check_case(&c, &t, NULL, NULL, &rep);
	} else if (w == MUTATE) {
		if (fuzz_mutate(r, &cfg, &c, NULL) == 0)
			fuzz_program_to_bytes(&c, &cfg, out, sizeof(out));
	} else if (w == DIFF) {
		harness_divergence div;
		fuzz_diff_run(diff, &c, &rep, &div);
	}
	prog_case_clear(&c);
}

/* Runs w over the inputs, round after round, for about `budget` seconds. */
static double rate(enum what w, unsigned long *runs, double *cpu_rate)
{
	fuzz_rng r;
	fuzz_rng_seed(&r, 2);
	unsigned long n = 0;
	double t0 = now(), c0 = cpu_now(), t;
	do {
		for (size_t i = 0; i < NPROG; i++)
			one(w, i, &r);
		n += NPROG;
		t = now() - t0;
	} while (t < budget && !(w == DIFF && n >= NPROG));
	*runs = n;
	*cpu_rate = n / (cpu_now() - c0);
	return n / t;
}

static bool wanted(int argc, char **argv, const char *name)
{
	if (argc <= 2)
		return true;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		budget = atof(argv[1]);
	fuzz_config cfg;
	fuzz_rng r;
	fuzz_config_default(&cfg);
	fuzz_rng_seed(&r, 1);
	size_t steps = 0, bytes = 0;
	for (size_t i = 0; i < NPROG; i++) {
		prog_case c;
		static uint8_t buf[1 << 17];
		if (fuzz_generate(&r, &cfg, &c))
			return 3;
		input_len[i] = fuzz_program_to_bytes(&c, &cfg, buf, sizeof(buf));
		input[i] = malloc(input_len[i] ? input_len[i] : 1);
		memcpy(input[i], buf, input_len[i]);
		steps += c.nsteps;
		bytes += input_len[i];
		prog_case_clear(&c);
	}
	printf("fuzz_speed: %d generated programs, %.1f steps and %.0f bytes each on average\n", NPROG,
	       (double)steps / NPROG, (double)bytes / NPROG);
	static const char *names[] = {
		"decode (bytes -> program)", "model (bytes -> program -> model, 6.18)",
		"fuzz_model target (+ print/parse, 1 profile)", "mutate (fuzz_mutate + to_bytes)",
		"print (bytes -> program -> text)", "parse (bytes -> program -> text -> program)",
	};
	static const char *keys[] = { "decode", "model", "target", "mutate", "print", "parse" };
	printf("  %-48s %10s %12s\n", "", "wall /s", "CPU /s");
	for (int w = DECODE; w <= PARSE; w++) {
		unsigned long n;
		double c;
		if (!wanted(argc, argv, keys[w]))
			continue;
		double x = rate((enum what)w, &n, &c);
		printf("  %-48s %10.0f %12.0f  (%6.2f us CPU each, %lu runs)\n", names[w], x, c, 1e6 / c, n);
	}
	if (!wanted(argc, argv, "diff"))
		return 0;
	if (geteuid() != 0) {
		printf("  fuzz_diff: skipped (needs root)\n");
		return 0;
	}
	char err[256];
	if (fuzz_diff_init(&diff, NULL, err, sizeof(err))) {
		printf("  fuzz_diff: skipped (%s)\n", err);
		return 0;
	}
	double t0 = now();
	int forks = 4000;
	for (int i = 0; i < forks; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	double bare = now() - t0;
	unsigned long n;
	double c;
	double x = rate(DIFF, &n, &c);
	printf("  %-48s %10.0f %12s  (%6.0f us wall each, %lu runs)\n",
	       "fuzz_diff (bytes -> program -> kernel + model)", x, "-", 1e6 / x, n);
	printf("  %-48s %10.0f %12s  (%6.0f us wall each)\n", "bare fork+_exit+wait (floor, as exec_throughput)",
	       forks / bare, "-", bare / forks * 1e6);
	fuzz_diff_free(diff);
	return 0;
}
