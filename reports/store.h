/* SPDX-License-Identifier: MIT */
/*
 * store.h: the SQLite store of runs, case results, divergences and faults.
 *
 * One database file in WAL mode, with a versioned schema and migrations.
 * Several processes may write to one database at once (a busy timeout and
 * short transactions). Named SQL views answer the common questions, so
 * `sqlite3 mmspec.db` is a first-class way to query it (docs/querying.md).
 *
 * Every function returns 0 (or a row id > 0) on success and -1 on failure,
 * with a message in store_error(). A failed call leaves everything already
 * stored intact: a locked, corrupt or newer-schema database is reported,
 * never repaired or overwritten.
 */
#ifndef MMSPEC_STORE_H
#define MMSPEC_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct store store;

#define STORE_SCHEMA_VERSION 3

/*
 * Opens (creating if absent) and migrates the database at path. On failure
 * returns -1, sets *out to NULL and writes a message naming the file and the
 * problem into err: "mmspec.db: database is locked by another process",
 * "x.db: not an mmspec database (file is not a database)", "x.db: schema
 * version 7 is newer than this mmspec (1); upgrade mmspec".
 */
int store_open(const char *path, store **out, char *err, size_t errcap);
void store_close(store *s);
/* The last error on this handle, for messages. */
const char *store_error(const store *s);

/*
 * How long a call waits for another process's write transaction before it
 * fails with "database is locked by another process" (default 10000 ms;
 * store_open itself always uses the default). Returns -1 if ms < 0, and
 * then nothing is changed.
 */
#define STORE_BUSY_TIMEOUT_MS 10000
int store_set_busy_timeout(store *s, int ms);

/* What a run records about itself. Strings may be NULL. */
typedef struct store_run_info {
	const char *kind;           /* "run", "check", "fuzz" */
	const char *tool_version;   /* "0.1.0" */
	const char *target;         /* "host", "qemu-user", "vm:..." */
	const char *kernel_release; /* uname -r of the target */
	const char *profile;        /* "6.18", the model profile used */
	const char *config_json;    /* config facts: {"soft_dirty":false,...} */
	const char *options;        /* the command line */
	uint64_t seed;
	const char *host;           /* hostname of the controller */
	const char *uuid;           /* NULL: a fresh random one (merges pass theirs) */
	const char *origin;         /* NULL here; "FILE@HOST" for a merged run */
} store_run_info;

/* Starts a run; returns its id (> 0) or -1. */
int64_t store_run_begin(store *s, const store_run_info *info);
/* Ends a run with its totals (pass, fail, skip, error). */
int store_run_end(store *s, int64_t run_id, int64_t pass, int64_t fail,
		  int64_t skip, int64_t error);

/* Result classes, as in the harness: 0 PASS, 1 FAIL, 2 SKIP, 3 ERROR. */
typedef struct store_result_info {
	const char *file;           /* suites/mmap.mmt */
	const char *case_name;      /* mmap-len-zero */
	const char *program;        /* the case's canonical text */
	int result;
	const char *message;        /* why it failed, skipped or errored */
	double duration_ms;
	const char *expected;       /* NULL, or "FAIL": a known divergence on this
				       target (FAIL shows as XFAIL, PASS as XPASS) */
} store_result_info;

/* Records one case's result in a run; returns the result id (> 0) or -1. */
int64_t store_result(store *s, int64_t run_id, const store_result_info *r);

/* One divergence between the model and the target at one step. */
typedef struct store_divergence_info {
	int64_t result_id;          /* the case result it belongs to, or 0 (fuzzing) */
	const char *program;        /* the whole program, canonical text */
	int step;                   /* index of the divergent step */
	const char *step_text;      /* that step, as text */
	const char *syscall;        /* "mprotect", "load", ... */
	const char *field;          /* "return", "errno", "signal", "value", "layout" */
	const char *model;          /* what the model predicted */
	const char *kernel;         /* what the kernel did */
	const char *model_layout;   /* the address space drawn, model side */
	const char *kernel_layout;  /* the same for the kernel */
	const char *signature;      /* for deduplication */
	const char *minimized;      /* minimized program, or NULL */
	int reproduced;             /* times it reproduced ... */
	int attempts;               /* ... out of this many reruns */
} store_divergence_info;

int64_t store_divergence(store *s, int64_t run_id, const store_divergence_info *d);

/*
 * Triage results for a divergence already stored: its minimized program
 * (NULL keeps the old one) and how often it reproduced. Returns 0, or -1
 * (no such divergence, or a store error) with nothing changed.
 */
int store_divergence_triage(store *s, int64_t divergence_id, const char *minimized,
			    int reproduced, int attempts);

/* One status tick of a fuzzing campaign, for its timeline. */
typedef struct store_progress_info {
	double elapsed_s;
	int64_t programs;
	int64_t divergences;
	int64_t signatures;         /* distinct signatures so far */
	int64_t branches;           /* model branches reached, 0 if not measured */
} store_progress_info;

int64_t store_campaign_progress(store *s, int64_t run_id, const store_progress_info *p);

/* Every SIGSEGV/SIGBUS outcome of a probe, on either side. */
typedef struct store_fault_info {
	int64_t result_id;
	int step;
	const char *step_text;
	const char *side;           /* "kernel" or "model" */
	int signo, si_code;
	uint64_t addr;              /* si_addr; not named so because <signal.h>
				       defines si_addr as a macro */
} store_fault_info;

int64_t store_fault(store *s, int64_t run_id, const store_fault_info *f);

/*
 * Batching: results of one run can be written inside one transaction for
 * speed. store_begin/store_commit nest (only the outermost one counts).
 */
int store_begin(store *s);
int store_commit(store *s);

#endif
