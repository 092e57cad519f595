/* SPDX-License-Identifier: MIT */
/*
 * exec_throughput: programs per second through the sandbox executor.
 *
 * A 16-step program (mmaps, a split and merge, stores, loads, a faulting
 * probe, munmap) runs again and again, one fork per program, with one
 * executor and with two executors in parallel processes; the cost of a bare
 * fork+_exit+wait from the same process is measured in the same run, since
 * it bounds what fork-per-program can reach. A third figure adds the model
 * comparison the controller does for each program. Prints figures; asserts
 * nothing (issue 3's goal: 5,000 programs per second on two cores).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const char program[] =
	"case bench\n"
	"  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
	"  store(A, 1) = 0\n"
	"  store(A+1p, 2) = 0\n"
	"  load(A) = 1\n"
	"  mprotect(A+1p, 1p, PROT_READ) = 0\n"
	"  store(A+1p, 3) = SIGSEGV(SEGV_ACCERR)\n"
	"  load(A+1p) = 2\n"
	"  mprotect(A+1p, 1p, PROT_READ|PROT_WRITE) = 0\n"
	"  mmap(A+8p, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A+8p\n"
	"  load(A+8p) = 0\n"
	"  load(A+6p) = SIGSEGV(SEGV_MAPERR)\n"
	"  munmap(A+2p, 1p) = 0\n"
	"  store(A+3p, 4) = 0\n"
	"  load(A+3p) = 4\n"
	"  munmap(A, 10p) = 0\n"
	"  load(A) = SIGSEGV(SEGV_MAPERR)\n";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs n programs in this process; returns seconds. */
static double run_programs(const uint8_t *enc, size_t len, int n, const prog_case *c,
			   const exec_target_info *info, bool compare, int *bad)
{
	harness_target t;
	harness_target_from_exec(&t, info);
	double t0 = now();
	for (int i = 0; i < n; i++) {
		const exec_obs *o = exec_run(enc, len, NULL);
		if (o->status != EXEC_OK)
			(*bad)++;
		if (compare) {
			harness_kernel k = { info, o };
			harness_case_report r;
			static harness_divergence dv;
			harness_compare_case(c, &t, &k, NULL, NULL, &r, &dv);
			if (r.result != HARNESS_PASS && (*bad)++ == 0)
				fprintf(stderr, "exec_throughput: %s: %s\nmodel:\n%s\nkernel:\n%s\n",
					harness_result_name(r.result), r.message, dv.model_layout,
					dv.kernel_layout);
		}
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4000;
	static exec_target_info info;
	char err[256];
	if (exec_init(&info, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	prog_file *f;
	prog_diag d;
	if (prog_parse_text("bench", program, strlen(program), &f, &d)) {
		fprintf(stderr, "%s\n", d.msg);
		return 1;
	}
	static uint8_t enc[1 << 16];
	size_t len = prog_encode(&f->cases[0], enc, sizeof(enc));

	/* The floor: a bare fork, _exit and wait from this same process. */
	double t0 = now();
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	double bare = now() - t0;

	int bad = 0;
	double one = run_programs(enc, len, n, &f->cases[0], &info, false, &bad);
	double with_model = run_programs(enc, len, n, &f->cases[0], &info, true, &bad);

	/* Two executors: two processes, each its own pristine parent. */
	int *shared_bad = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	t0 = now();
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			static exec_target_info info2;
			if (exec_init(&info2, err, sizeof(err)))
				_exit(1);
			int b = 0;
			run_programs(enc, len, n, &f->cases[0], &info2, true, &b);
			__atomic_add_fetch(shared_bad, b, __ATOMIC_SEQ_CST);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++)
		waitpid(kids[k], NULL, 0);
	double two = now() - t0;

	printf("exec_throughput: %d programs of %u steps each (fork per program)\n", n, f->cases[0].nsteps);
	printf("  bare fork+_exit+wait:            %9.0f /s  (%6.1f us each)\n", n / bare, bare / n * 1e6);
	printf("  one executor:                    %9.0f programs/s  (%6.1f us each)\n", n / one, one / n * 1e6);
	printf("  one executor + model comparison: %9.0f programs/s  (%6.1f us each)\n", n / with_model,
	       with_model / n * 1e6);
	printf("  two executors + model (2 procs): %9.0f programs/s\n", 2 * n / two);
	printf("  programs not passing: %d (should be 0)\n", bad + *shared_bad);
	prog_file_free(f);
	return 0;
}
