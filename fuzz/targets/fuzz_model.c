/* SPDX-License-Identifier: MIT */
/*
 * fuzz_model.c: the model alone, on every program the generator's byte
 * decoding can make.
 *
 * bytes -> program (fuzz_program_from_bytes) -> checks:
 * - the program is valid (harness_program_valid) and prints as text that
 *   parses back to an equal program;
 * - the model runs it without breaking: a crash, an assertion or a broken
 *   invariant (with ORACLE_CHECK_INVARIANTS, as the `fuzz` and `debug`
 *   presets build it, the whole-model checker runs after every mutation and
 *   reports through oracle_world_broken) ends as an ERROR, which is the bug
 *   reported here.
 *
 * One profile per input: 6.18, 6.1 or 6.12, chosen by a hash of the input
 * bytes modulo 3, so an input always runs the same way (libFuzzer and AFL++
 * need a deterministic target) and a campaign, whose inputs differ, runs
 * all three about equally. Under 6.1 and 6.12 only crashes and broken
 * invariants count (their answers differ from 6.18's by design). A crash
 * found under one profile replays under that profile from the same bytes.
 *
 * The other checks this target once made live where they belong (none was
 * dropped): printing as a fixed point and the prog_encode/prog_decode round
 * trip in fuzz_parse and fuzz_decode, fuzz_program_to_bytes and back in
 * fuzz_decode. Nothing here touches the kernel. Seeds: every case of
 * suites/ in the generator's canonical form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

/*
 * The profile an input runs under: 0 (the default, 6.18), 6.1 or 6.12, from
 * a hash of all its bytes, so any change to the input can change it.
 */
static uint32_t input_profile(const uint8_t *data, size_t size)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ size;
	size_t i = 0;
	for (; i + 8 <= size; i += 8) {
		uint64_t w;
		memcpy(&w, data + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	for (; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3u;
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	static const uint32_t versions[3] = { 0, PROG_VERSION(6, 1, 0), PROG_VERSION(6, 12, 0) };
	return versions[h % 3];
}

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
	target_check_print_parse("fuzz_model", &c);
	run_profile(&c, input_profile(data, size));
	prog_case_clear(&c);
	return 0;
}
