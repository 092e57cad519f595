/* SPDX-License-Identifier: MIT */
/* report_html.c: the static HTML report (in progress). */
#include "reportInt.h"

int report_html_write(sqlite3 *db, const char *db_path, int64_t run, const char *dir,
		      char *err, size_t cap)
{
	(void)db; (void)db_path; (void)run; (void)dir;
	snprintf(err, cap, "not yet");
	return -1;
}
