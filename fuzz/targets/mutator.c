/* SPDX-License-Identifier: MIT */
/*
 * mutator.c: libFuzzer's structure-aware mutation for the targets whose
 * input is a program's bytes (fuzz_model, fuzz_diff).
 *
 * LLVMFuzzerCustomMutator decodes the input, applies fuzz_mutate (insert,
 * delete, duplicate, change a step or one argument, splice) and writes the
 * program back with fuzz_program_to_bytes; one time in four it leaves the
 * bytes to libFuzzer's own mutations instead, which the decoding turns into
 * other valid programs too. LLVMFuzzerCustomCrossOver splices two programs
 * with fuzz_crossover. Both are deterministic in libFuzzer's seed.
 */
#include <string.h>

#include "target.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	fuzz_config cfg;
	fuzz_rng r;
	prog_case c;
	target_config(&cfg);
	fuzz_rng_seed(&r, seed);
	if (fuzz_rng_below(&r, 4) == 0 || fuzz_program_from_bytes(data, size, &cfg, &c) != 0)
		return LLVMFuzzerMutate(data, size, max_size);
	size_t n = 0;
	if (fuzz_mutate(&r, &cfg, &c, NULL) == 0)
		n = fuzz_program_to_bytes(&c, &cfg, data, max_size);
	bool empty = c.nsteps == 0;
	prog_case_clear(&c);
	if (!n && !empty)
		return LLVMFuzzerMutate(data, size, max_size);
	return n;
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out, unsigned int seed)
{
	fuzz_config cfg;
	fuzz_rng r;
	prog_case a, b;
	target_config(&cfg);
	fuzz_rng_seed(&r, seed);
	if (fuzz_program_from_bytes(data1, size1, &cfg, &a) != 0)
		return 0;
	if (fuzz_program_from_bytes(data2, size2, &cfg, &b) != 0) {
		prog_case_clear(&a);
		return 0;
	}
	size_t n = 0;
	if (fuzz_crossover(&r, &cfg, &a, &b) == 0)
		n = fuzz_program_to_bytes(&a, &cfg, out, max_out);
	prog_case_clear(&a);
	prog_case_clear(&b);
	return n;
}
