/* SPDX-License-Identifier: MIT */
/*
 * report.h: the reading side of the store: `mmspec report` and `mmspec db`.
 *
 * `mmspec report` answers, from the database alone, what ran, what failed
 * and diverged, where and since when, and draws one divergence's address
 * spaces, model against kernel; `report diff` gates CI on new signatures;
 * `report html` writes a static, self-contained HTML report. `mmspec db
 * merge` combines databases recorded on several machines into one.
 * docs/querying.md describes the commands and the views they read.
 *
 * Exit statuses, as the rest of mmspec: 0 done, 1 `report diff` found new
 * signatures or failures, 2 bad usage, an unknown run or id, or a database
 * that is missing, corrupt, locked or newer than this mmspec, 3 an output
 * could not be written.
 */
#ifndef MMSPEC_REPORT_H
#define MMSPEC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_EXIT_NEW 1
#define REPORT_EXIT_USAGE 2
#define REPORT_EXIT_BROKEN 3

/*
 * `mmspec report ARGS...` (argv[0] is the first argument after "report"),
 * writing its output to out and its diagnostics to err. Returns the exit
 * status. Never writes to the database except to migrate an older schema.
 */
int report_main(int argc, char **argv, FILE *out, FILE *err);

/* `mmspec db ARGS...` (merge). Returns the exit status. */
int report_db_main(int argc, char **argv, FILE *out, FILE *err);

/* What a merge did, for its summary line. */
typedef struct report_merge_stats {
	int64_t runs_added, runs_skipped;
	int64_t cases_added, results, divergences, faults, progress;
} report_merge_stats;

/*
 * Merges the databases in[0..nin) into out_path (created if absent), in
 * one transaction: runs are keyed by runs.uuid and a run already in the
 * output is skipped with everything that belongs to it; cases are keyed by
 * (file, name); results, divergences, faults and campaign_progress rows
 * follow their run with their ids remapped. A merged run keeps its origin,
 * or gets "INFILE@HOST" (HOST: the run's host) when it had none. Inputs are
 * opened read-only. Returns 0, or -1 with a message naming the file in err;
 * on failure the output is as it was (a new output file is removed).
 */
int report_merge(const char *out_path, const char *const *in, int nin,
		 report_merge_stats *stats, char *err, size_t errcap);

/* ---- address-space drawings ------------------------------------------ */

/*
 * One side's drawing as harness/check.c writes it (describe_layout): a
 * page strip "BASE |aab..c|" (one character per page from BASE, a letter
 * per VMA, '.' a hole, "..." after it when the window was longer), then
 * one line per VMA "  [START, END) PERMS". Addresses read "A", "A+3p",
 * "A-1p" (pages from the arena) or "0x7f...". Drawings cut short by the
 * stored length keep what they parsed.
 */
#define REPORT_STRIP_MAX 128
#define REPORT_VMAS_MAX 64

typedef struct report_addr {
	int rel;            /* 1: pages from A; 0: an absolute address */
	int64_t v;          /* pages from A when rel, else the address */
} report_addr;

typedef struct report_vma {
	report_addr start, end;
	char perms[8];      /* "rw-p" */
} report_vma;

typedef struct report_layout {
	char base_text[48]; /* "A+9p" */
	report_addr base;
	char strip[REPORT_STRIP_MAX + 1];
	int more;           /* the window went on past the strip */
	int nvmas;
	report_vma vmas[REPORT_VMAS_MAX];
	char page_perms[REPORT_STRIP_MAX][8]; /* per strip page: its VMA's perms, "" hole */
} report_layout;

/*
 * Parses a drawing. Returns 0 when at least the strip was read, -1 when
 * text is NULL, empty or has no strip (then *out is zeroed).
 */
int report_layout_parse(const char *text, report_layout *out);

/*
 * Marks the pages where two drawings differ: one side a hole and the other
 * not, different permissions, or a VMA boundary on one side only. Fills
 * diff[i] with 1 or 0 for i < the longer strip. Returns how many differ.
 */
int report_layout_diff(const report_layout *m, const report_layout *k, char *diff, int cap);

#endif
