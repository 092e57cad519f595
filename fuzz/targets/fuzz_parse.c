/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse.c: the case-language parser on arbitrary text.
 *
 * Any text either parses or is refused with a diagnostic that names a line
 * and says something. Every case that parses prints in canonical form,
 * parses back to an equal case, prints the same text again, and survives
 * the binary encoding. Seeds: every case of suites/ as text; dictionary:
 * fuzz/mmspec.dict.
 */
#include <stdlib.h>
#include <string.h>

#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prog_file *f = NULL;
	prog_diag d;
	memset(&d, 0, sizeof(d));
	if (prog_parse_text("input.mmt", (const char *)data, size, &f, &d) != 0) {
		if (f)
			target_fail("fuzz_parse", "a refused input left a result behind", NULL);
		if (!d.msg[0] || d.line == 0)
			target_fail("fuzz_parse", "a refused input has no diagnostic or no line", NULL);
		return 0;
	}
	for (uint32_t i = 0; i < f->ncases; i++)
		target_check_round_trips("fuzz_parse", &f->cases[i]);
	prog_file_free(f);
	return 0;
}
