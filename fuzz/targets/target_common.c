/* SPDX-License-Identifier: MIT */
/*
 * target_common.c: the checks every fuzz target shares (target.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

void target_fail(const char *target, const char *what, const prog_case *c)
{
	fprintf(stderr, "%s: %s\n", target, what);
	if (c) {
		char *text = prog_case_to_string(c);
		fprintf(stderr, "--- program:\n%s---\n", text ? text : "(out of memory)\n");
		free(text);
	}
	fflush(stderr);
	abort();
}

/*
 * Prints c and parses the text back; returns the text (the caller frees it)
 * and the parsed file in *parsed, or NULL when out of memory.
 */
static char *print_parse(const char *target, const prog_case *c, prog_file **parsed)
{
	char *text = prog_case_to_string(c);
	if (!text)
		return NULL; /* out of memory is no finding */
	prog_file *f = NULL;
	prog_diag d;
	if (prog_parse_text("printed.mmt", text, strlen(text), &f, &d) != 0) {
		char msg[600];
		prog_diag_format(&d, msg, sizeof(msg));
		free(text);
		target_fail(target, msg, c);
	}
	if (f->ncases != 1 || !prog_case_equal(&f->cases[0], c)) {
		prog_file_free(f);
		free(text);
		target_fail(target, "printing and parsing the program changed it", c);
	}
	*parsed = f;
	return text;
}

void target_check_print_parse(const char *target, const prog_case *c)
{
	prog_file *f = NULL;
	char *text = print_parse(target, c, &f);
	if (!text)
		return;
	prog_file_free(f);
	free(text);
}

void target_check_round_trips(const char *target, const prog_case *c)
{
	prog_file *f = NULL;
	char *text = print_parse(target, c, &f);
	if (text) {
		/* Printing is a fixed point. */
		char *again = prog_case_to_string(&f->cases[0]);
		bool same = !again || !strcmp(again, text);
		free(again);
		prog_file_free(f);
		free(text);
		if (!same)
			target_fail(target, "printing the parsed program gave other text", c);
	}

	size_t n = prog_encode(c, NULL, 0);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return;
	prog_case back;
	const char *why = NULL;
	if (prog_encode(c, buf, n) != n || prog_decode(buf, n, &back, &why) != 0) {
		free(buf);
		char msg[200];
		snprintf(msg, sizeof(msg), "the encoding of the program does not decode: %s",
			 why ? why : "size changed");
		target_fail(target, msg, c);
	}
	free(buf);
	bool eq = prog_case_equal(&back, c);
	prog_case_clear(&back);
	if (!eq)
		target_fail(target, "encoding and decoding the program changed it", c);
}

void target_check_fuzz_bytes(const char *target, const uint8_t *data, size_t size)
{
	fuzz_config cfg;
	prog_case c;
	char why[512];
	uint32_t step;
	target_config(&cfg);
	if (fuzz_program_from_bytes(data, size, &cfg, &c) != 0)
		return; /* out of memory */
	if (!harness_program_valid(&c, why, sizeof(why), &step))
		target_fail(target, why, &c);
	target_check_round_trips(target, &c);
	static uint8_t buf[1 << 17];
	size_t n = fuzz_program_to_bytes(&c, &cfg, buf, sizeof(buf));
	if (c.nsteps && !n)
		target_fail(target, "fuzz_program_to_bytes cannot express a decoded program", &c);
	prog_case back;
	if (fuzz_program_from_bytes(buf, n, &cfg, &back) == 0) {
		bool eq = prog_case_equal(&back, &c);
		prog_case_clear(&back);
		if (!eq)
			target_fail(target, "to_bytes/from_bytes changed the program", &c);
	}
	prog_case_clear(&c);
}
