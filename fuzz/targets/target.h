/* SPDX-License-Identifier: MIT */
/*
 * target.h: what the fuzz targets in this folder share. Each target file
 * defines LLVMFuzzerTestOneInput (and, where it has state to set up,
 * LLVMFuzzerInitialize); it is linked with libFuzzer (the `fuzz` preset),
 * with replay_main.c as a standalone replayer (the default preset, for
 * ctest), or with replay_main.c compiled by afl-clang-fast as an AFL++
 * persistent-mode main (the `afl` preset). mutator.c adds libFuzzer's
 * custom mutator and crossover to the targets that take programs as bytes.
 *
 * A target reports a bug by printing what broke and calling abort(), so
 * every fuzzer keeps the input as a crash.
 */
#ifndef MMSPEC_FUZZ_TARGET_H
#define MMSPEC_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The configuration every target decodes programs with. */
static inline void target_config(fuzz_config *cfg)
{
	fuzz_config_default(cfg);
}

/*
 * Prints "TARGET: what" and the program (when not NULL) to stderr, then
 * aborts: the fuzzer keeps the input.
 */
void target_fail(const char *target, const char *what, const prog_case *c)
	__attribute__((noreturn));

/*
 * The print -> parse round trip of one case: the printed text parses to one
 * case equal to c; otherwise calls target_fail. What fuzz_model checks.
 */
void target_check_print_parse(const char *target, const prog_case *c);
/*
 * The print -> parse round trip, printing as a fixed point (the parsed case
 * prints the same text) and the encode -> decode round trip of one case; on
 * a difference calls target_fail. Used by fuzz_parse and fuzz_decode.
 */
void target_check_round_trips(const char *target, const prog_case *c);
/*
 * The generator's byte decoding on arbitrary bytes: the program decoded
 * from them (fuzz_program_from_bytes) is valid, passes
 * target_check_round_trips, and fuzz_program_to_bytes expresses it as bytes
 * that decode to an equal program. Used by fuzz_decode.
 */
void target_check_fuzz_bytes(const char *target, const uint8_t *data, size_t size);

#endif
