/* SPDX-License-Identifier: MIT */
/* merge.c: mmspec db merge (in progress). */
#include "reportInt.h"

int report_db_main(int argc, char **argv, FILE *out, FILE *err)
{
	(void)argc; (void)argv; (void)out;
	fprintf(err, "not yet\n");
	return 2;
}
