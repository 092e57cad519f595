/* SPDX-License-Identifier: MIT */
/*
 * afl_mutator.c: fuzz_mutate as an AFL++ custom mutator, for fuzz_model and
 * fuzz_diff (AFL_CUSTOM_MUTATOR_LIBRARY=build-afl/fuzz/libmmspec_afl_mutator.so).
 *
 * afl_custom_fuzz decodes the input, mutates the program (insert, delete,
 * duplicate, change a step or an argument, or splice with the additional
 * test case AFL++ offers) and returns its bytes. AFL++ keeps running its own
 * byte-level stages too (unless AFL_CUSTOM_MUTATOR_ONLY is set), which the
 * total decoding turns into valid programs as well.
 */
#include <stdlib.h>
#include <string.h>

#include "target.h"

typedef struct afl_mut {
	fuzz_rng rng;
	fuzz_config cfg;
	uint8_t *buf;
	size_t cap;
} afl_mut;

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *in, size_t in_size, uint8_t **out, uint8_t *add,
		       size_t add_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	afl_mut *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	fuzz_rng_seed(&m->rng, seed);
	target_config(&m->cfg);
	return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *in, size_t in_size, uint8_t **out, uint8_t *add,
		       size_t add_size, size_t max_size)
{
	afl_mut *m = data;
	prog_case c, other;
	bool have_other = false;
	*out = in;
	if (fuzz_program_from_bytes(in, in_size, &m->cfg, &c) != 0)
		return in_size;
	if (add && add_size && fuzz_rng_below(&m->rng, 4) == 0)
		have_other = fuzz_program_from_bytes(add, add_size, &m->cfg, &other) == 0;
	if (m->cap < max_size) {
		uint8_t *b = realloc(m->buf, max_size);
		if (!b) {
			prog_case_clear(&c);
			if (have_other)
				prog_case_clear(&other);
			return in_size;
		}
		m->buf = b;
		m->cap = max_size;
	}
	size_t n = in_size;
	int rc = have_other ? fuzz_crossover(&m->rng, &m->cfg, &c, &other)
			    : fuzz_mutate(&m->rng, &m->cfg, &c, NULL);
	if (rc == 0) {
		size_t w = fuzz_program_to_bytes(&c, &m->cfg, m->buf, max_size);
		if (w || !c.nsteps) {
			*out = m->buf;
			n = w;
		}
	}
	prog_case_clear(&c);
	if (have_other)
		prog_case_clear(&other);
	return n;
}

void afl_custom_deinit(void *data)
{
	afl_mut *m = data;
	if (m)
		free(m->buf);
	free(m);
}
