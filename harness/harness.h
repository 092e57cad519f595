/* SPDX-License-Identifier: MIT */
/*
 * harness.h: running cases. The public header of the harness layer; it
 * includes the program representation (prog.h).
 *
 * A case runs against a target: the model alone (mmspec check) or, later, the
 * model and a real kernel side by side (mmspec run). Every case ends in one
 * result class, the same everywhere (text, KTAP, JUnit, the database):
 * PASS, FAIL, SKIP (not applicable here) or ERROR (the harness itself broke).
 */
#ifndef MMSPEC_HARNESS_H
#define MMSPEC_HARNESS_H

#include "oracle.h"
#include "prog.h"

typedef enum harness_result {
	HARNESS_PASS,
	HARNESS_FAIL,
	HARNESS_SKIP,
	HARNESS_ERROR
} harness_result;

const char *harness_result_name(int r); /* "PASS", "FAIL", "SKIP", "ERROR" */

/* What a target offers, for `requires`. */
typedef struct harness_target {
	oracle_profile profile;   /* version and config facts */
	uint64_t caps_available;  /* capabilities the sandbox may keep */
	const char *configs[16];  /* config facts that hold: "SOFT_DIRTY", ... */
} harness_target;

/* The model's target: the default 6.18 profile, every capability available. */
void harness_target_model(harness_target *t);

/*
 * Checks a case's `requires` against a target. Returns true when the case
 * applies; otherwise false with the reason in why.
 */
bool harness_requires_met(const prog_case *c, const harness_target *t,
			  char *why, size_t cap);

/* Called after each step, for `mmspec explain` and verbose output. */
typedef struct harness_step_event {
	const prog_case *c;
	const prog_step *s;
	uint32_t index;
	const char *outcome;      /* what the model did: "= 0", "= -1 ENOMEM", "= SIGSEGV(SEGV_MAPERR)" */
	bool failed;              /* an explicit expectation did not hold */
	const oracle_proc *proc;  /* the process the step ran in */
	uint64_t arena;
} harness_step_event;
typedef void (*harness_step_fn)(const harness_step_event *ev, void *ctx);

typedef struct harness_case_report {
	harness_result result;
	uint32_t step;            /* index of the deciding step (FAIL, SKIP, ERROR) */
	uint32_t line;            /* its source line */
	char message[1024];       /* what happened: step, expected, got */
} harness_case_report;

/*
 * Runs one case against the model alone and checks every explicit
 * expectation. Never fails itself: problems end up in the report as ERROR.
 */
void harness_check_case(const prog_case *c, const harness_target *t,
			harness_step_fn on_step, void *ctx, harness_case_report *out);

/*
 * Compares a layout drawing with an expected one up to renaming of VMA
 * letters ("aab.cc" equals "xxy.zz"). Both must have the same length.
 */
bool harness_layout_equal(const char *got, const char *want);

#endif
