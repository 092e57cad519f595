/* SPDX-License-Identifier: MIT */
/* fuzz_repro.c: placeholder until the C reproducer lands. */
#include <stdio.h>
#include "fuzz.h"
int fuzz_cmd_repro(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mmspec repro: not yet\n");
	return 2;
}
