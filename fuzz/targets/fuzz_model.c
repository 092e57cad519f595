/* SPDX-License-Identifier: MIT */
/*
 * fuzz_model.c: the model alone, on every program the generator's byte
 * decoding can make.
 *
 * bytes -> program (fuzz_program_from_bytes) -> checks:
 * - the program is valid (harness_program_valid) and survives the print,
 *   parse and binary round trips, and fuzz_program_to_bytes expresses it;
 * - the model runs it under the 6.18 profile without breaking: a crash, an
 *   assertion or a broken invariant (with ORACLE_CHECK_INVARIANTS, as the
 *   `fuzz` and `debug` presets build it, the whole-model checker runs after
 *   every mutation and reports through oracle_world_broken) ends as an
 *   ERROR, which is the bug reported here;
 * - the same program under the 6.1 and 6.12 profiles, for crashes and
 *   broken invariants only (their answers differ by design).
 * Nothing here touches the kernel. Seeds: every case of suites/ in the
 * generator's canonical form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

static void run_profile(const prog_case *c, uint32_t version)
{
	harness_target t;
	harness_case_report rep;
	harness_target_model(&t);
	if (version)
		t.profile.version = version;
	harness_check_case(c, &t, NULL, NULL, &rep);
	if (rep.result == HARNESS_ERROR) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "the model broke under profile %u.%u: %s", t.profile.version >> 16,
			 (t.profile.version >> 8) & 0xff, rep.message);
		target_fail("fuzz_model", msg, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_config cfg;
	prog_case c;
	char why[512];
	uint32_t step;
	target_config(&cfg);
	if (fuzz_program_from_bytes(data, size, &cfg, &c) != 0)
		return 0;
	if (!harness_program_valid(&c, why, sizeof(why), &step))
		target_fail("fuzz_model", why, &c);
	target_check_round_trips("fuzz_model", &c);
	static uint8_t buf[1 << 17];
	size_t n = fuzz_program_to_bytes(&c, &cfg, buf, sizeof(buf));
	if (c.nsteps && !n)
		target_fail("fuzz_model", "fuzz_program_to_bytes cannot express a decoded program", &c);
	prog_case back;
	if (fuzz_program_from_bytes(buf, n, &cfg, &back) == 0) {
		bool eq = prog_case_equal(&back, &c);
		prog_case_clear(&back);
		if (!eq)
			target_fail("fuzz_model", "to_bytes/from_bytes changed the program", &c);
	}
	run_profile(&c, 0);
	run_profile(&c, PROG_VERSION(6, 1, 0));
	run_profile(&c, PROG_VERSION(6, 12, 0));
	prog_case_clear(&c);
	return 0;
}
