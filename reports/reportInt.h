/* SPDX-License-Identifier: MIT */
/*
 * reportInt.h: internals shared by report.c (the terminal and JSON side),
 * report_html.c (the HTML report) and merge.c (`mmspec db merge`).
 *
 * The reports read the database through SQLite directly, on a read-only
 * connection of their own; store.h is used only to migrate an older file.
 */
#ifndef MMSPEC_REPORT_INT_H
#define MMSPEC_REPORT_INT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* Result classes as reports show them: the stored result read against the
 * case's expectation (results.expected). */
enum { RC_PASS, RC_FAIL, RC_XFAIL, RC_XPASS, RC_SKIP, RC_ERROR, RC_COUNT };
extern const char *const report_class_names[RC_COUNT];
int report_class_of(const char *result, const char *expected);

/*
 * Opens the database at path for reading. A missing file, a file that is
 * not an mmspec database, a corrupt or locked one and a newer schema are
 * refused with a message naming the file; an older schema is migrated
 * first (through store_open). Returns 0 or -1 (message in err).
 */
int report_db_open(const char *path, sqlite3 **db, char *err, size_t cap);

/* A message for an SQLite failure of rc on db: "locked", "corrupt", ... */
void report_sql_error(sqlite3 *db, int rc, const char *path, char *err, size_t cap);

/*
 * Resolves a run argument: an id, "last" (the latest run of any kind) or a
 * uuid or a prefix of one (8+ hex digits). Returns the id, 0 when there is
 * no such run, -1 on a database error (message in err).
 */
int64_t report_resolve_run(sqlite3 *db, const char *arg, char *err, size_t cap);
/* The latest run that recorded case results, a campaign's only when no
 * other run did (else the latest run); 0 if none. */
int64_t report_latest_run(sqlite3 *db);

/* JSON and HTML output. */
void report_json_str(FILE *f, const char *s);
void report_json_col(FILE *f, sqlite3_stmt *st, int col);
/* The current row as an object, one member per column. */
void report_json_row(FILE *f, sqlite3_stmt *st);
void report_html_esc(FILE *f, const char *s);

/* ---- case programs ---------------------------------------------------- */

/*
 * The syscall (or pseudo-call) a program line calls, "mmap", "load", ...
 * skipping an optional "[$c] " process prefix; "" when the line is not a
 * step (the case line, requires, blanks). name holds 32 bytes.
 */
int report_step_name(const char *line, size_t len, char name[32]);
/* Index (0-based) of the program line holding step `step`, or -1. */
int report_step_line(const char *program, int step);

/* ---- tallies: results by syscall and by file ------------------------- */

typedef struct report_tally {
	char key[160];
	int64_t n[RC_COUNT];
} report_tally;

typedef struct report_tallies {
	report_tally *v;
	int n, cap;
} report_tallies;

/*
 * Counts the results of run by class, by syscall and by file:
 * - a FAIL, XFAIL or ERROR counts once, for the syscall of its divergent
 *   step (the divergence's syscall, else the step quoted in its message);
 * - anything else (PASS, XPASS, SKIP, and a failure whose step is not
 *   known) counts once for each distinct syscall its program uses.
 * So the syscall rows tell "where it breaks" for failures and "how much is
 * covered" for passes; totals->n holds the per-result totals. Returns 0 or
 * -1 (message in err).
 */
int report_tally_run(sqlite3 *db, int64_t run, report_tallies *sys, report_tallies *files,
		     report_tally *totals, char *err, size_t cap);
void report_tallies_free(report_tallies *t);

/* ---- the target matrix ------------------------------------------------ */

/* A target as the matrix heads it: "host", "qemu-user", "vm:6.1" (a VM by
 * its kernel's major.minor), anything else as stored. */
void report_target_label(const char *target, const char *release, char *buf, size_t cap);

typedef struct report_target {
	char *target;        /* runs.target, NULL shown as "?" */
	char label[24];      /* "host", "vm:6.1", "qemu-user" */
	char *release;       /* kernel release of its latest run */
	int64_t latest_run;
	int64_t n[RC_COUNT]; /* latest results by class */
} report_target;

typedef struct report_matrix_row {
	char *file, *name;   /* case; or name = signature, file NULL */
	int *cell;           /* per target: class, -1 none (cases); count (signatures) */
	int interesting;     /* not the same class everywhere, or not all PASS */
} report_matrix_row;

typedef struct report_matrix {
	int signatures;      /* rows are signatures, cells counts */
	report_target *t;
	int nt;
	report_matrix_row *rows;
	int nrows;
} report_matrix;

int report_matrix_load(sqlite3 *db, int signatures, report_matrix *m, char *err, size_t cap);
void report_matrix_free(report_matrix *m);

/* Pages from the drawing's base to VMA i's start (end: 0) or end (end: 1);
 * INT64_MIN when they are not written alike. */
int64_t report_vma_page(const report_layout *l, int i, int end);

/* ---- HTML ------------------------------------------------------------- */

/* Writes DIR/index.html for the database (run: the run the summary shows,
 * 0 the latest). Returns 0 or -1 (message in err). */
int report_html_write(sqlite3 *db, const char *db_path, int64_t run, const char *dir,
		      char *err, size_t cap);

#endif
