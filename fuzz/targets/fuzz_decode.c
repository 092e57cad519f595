/* SPDX-License-Identifier: MIT */
/*
 * fuzz_decode.c: both binary decodings on arbitrary bytes.
 *
 * prog_decode (the case encoding): any byte string decodes or is refused
 * with a constant reason. A decoded case passes the same round trips as a
 * parsed one (print -> parse, printing as a fixed point, encode -> decode),
 * and decoding is deterministic.
 *
 * fuzz_program_from_bytes (the generator's decoding, which fuzz_model runs):
 * the same bytes always give a valid program, which passes the same round
 * trips, and fuzz_program_to_bytes expresses it as bytes that decode to an
 * equal program. These checks were fuzz_model's; they moved here so that
 * fuzz_model spends its time on the model (docs/performance.md).
 *
 * Seeds: the encoding of every case of suites/.
 */
#include <stdlib.h>
#include <string.h>

#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prog_case c;
	const char *why = NULL;
	target_check_fuzz_bytes("fuzz_decode", data, size);
	if (prog_decode(data, size, &c, &why) != 0) {
		if (!why || !why[0])
			target_fail("fuzz_decode", "a refused input has no reason", NULL);
		if (c.nsteps || c.steps)
			target_fail("fuzz_decode", "a refused input left steps behind", NULL);
		return 0;
	}
	target_check_round_trips("fuzz_decode", &c);
	/* The same bytes decode to the same case. */
	prog_case again;
	if (prog_decode(data, size, &again, &why) != 0 || !prog_case_equal(&again, &c))
		target_fail("fuzz_decode", "decoding is not deterministic", &c);
	prog_case_clear(&again);
	prog_case_clear(&c);
	return 0;
}
