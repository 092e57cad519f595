/* SPDX-License-Identifier: MIT */
/*
 * oracle_scale: model operations per second at 16, 1,000 and 65,530 VMAs.
 *
 * The address space is filled with one-page VMAs separated by one-page holes
 * (so nothing merges), then a fixed mix of operations runs on random VMAs:
 * mprotect that splits a 3-page VMA and merges it back, MAP_FIXED into a
 * hole and munmap of it, loads and stores, and a non-fixed mmap + munmap.
 * The mix keeps the VMA count constant, so each figure is the cost at that
 * size. The goal (issue 2) is a per-operation cost at 65,530 VMAs under 3x
 * the cost at 16. Costs are given per operation of wall-clock time and of
 * this process's CPU time; the ratio is of CPU time, which other work on a
 * shared machine disturbs less. Prints figures; asserts nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "oracle.h"

#define P 4096ULL
#define RW (LX_PROT_READ | LX_PROT_WRITE)
#define FX (LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

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

/* Runs the mix at n VMAs; returns nanoseconds of wall-clock time per
 * operation, and of CPU time in *cpu_ns. */
static double measure(uint64_t n, uint64_t ops, double *cpu_ns)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t arena = oracle_proc_seed_default(p);
	uint64_t seeded = oracle_vma_count(p);
	/* At rest the count is n - 2, so the three-way split (+2) reaches n
	 * without hitting max_map_count (65,530 by default). */
	uint64_t slots = n > seeded + 2 ? n - seeded - 2 : 1;
	/* Slot i is 4 pages: a 3-page VMA then a 1-page hole. */
	for (uint64_t i = 0; i < slots; i++)
		oracle_mmap(p, arena + 4 * i * P, 3 * P, RW, FX, -1ULL, 0, 0);
	size_t before = oracle_vma_count(p);
	uint64_t sink = 0, done = 0, i = 0, a = arena;
	double t0 = now(), c0 = cpu_now();
	while (done < ops) {
		/* Each group of 8 operations works on one random slot, so the
		 * paired operations undo each other and the count stays put. */
		if ((done & 7) == 0) {
			i = next_rand() % slots;
			a = arena + 4 * i * P;
		}
		switch (done & 7) {
		case 0: /* split in three ... */
			sink += oracle_mprotect(p, a + P, P, LX_PROT_READ);
			break;
		case 1: /* ... and merge back */
			sink += oracle_mprotect(p, a + P, P, RW);
			break;
		case 2:
			sink += oracle_mmap(p, a + 3 * P, P, LX_PROT_READ, FX, -1ULL, 0, 0);
			break;
		case 3:
			sink += oracle_munmap(p, a + 3 * P, P);
			break;
		case 4: {
			oracle_fault f = oracle_store(p, a + (next_rand() % 3) * P, done);
			sink += f.signo;
			break;
		}
		case 5: {
			uint64_t v;
			oracle_fault f = oracle_load(p, a + (next_rand() % 3) * P, &v);
			sink += v + f.signo;
			break;
		}
		case 6: {
			int64_t x = oracle_mmap(p, 0, P, RW,
						LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_NORESERVE,
						-1ULL, 0, 0);
			sink += oracle_munmap(p, (uint64_t)x, P);
			break;
		}
		default:
			sink += oracle_vma_count(p);
			break;
		}
		done++;
	}
	double dt = now() - t0;
	*cpu_ns = (cpu_now() - c0) * 1e9 / (double)done;
	if (oracle_vma_count(p) != before)
		fprintf(stderr, "oracle_scale: at %" PRIu64 " VMAs the count drifted from %zu to %zu\n",
			n, before, oracle_vma_count(p));
	oracle_world_free(w);
	if (sink == 42)
		fprintf(stderr, "(unlikely)\n");
	return dt * 1e9 / (double)done;
}

int main(int argc, char **argv)
{
	uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000;
	const uint64_t sizes[] = { 16, 1000, 65530 };
	double ns[3], cpu[3];
	printf("oracle_scale: %" PRIu64 " operations per size (mprotect split+merge, MAP_FIXED+munmap, store, load, mmap+munmap)\n", ops);
	for (int i = 0; i < 3; i++) {
		ns[i] = measure(sizes[i], ops, &cpu[i]);
		printf("  %6" PRIu64 " VMAs: %8.1f ns/op  %12.0f ops/s   CPU: %8.1f ns/op\n", sizes[i], ns[i],
		       1e9 / ns[i], cpu[i]);
	}
	printf("  cost ratio 65530/16: %.2f of CPU time, %.2f of wall-clock time (goal: under 3)\n",
	       cpu[2] / cpu[0], ns[2] / ns[0]);
	return 0;
}
