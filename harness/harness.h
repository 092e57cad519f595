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

#include "exec.h"
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
 * The model's watchdog: each case's model run (check or compare) gets this
 * much CPU time (ms; 0: the default, 10 s); past it the case is an ERROR
 * naming the step the model was in, instead of a hang. Not thread-safe:
 * cases run one at a time in a process (it uses ITIMER_PROF and SIGPROF).
 */
void harness_set_model_budget(unsigned ms);
/* For the watchdog's own test: HARNESS_MODEL_HOOK_LOOP makes the model
 * "loop" forever at step 1 of every case. 0 (none) otherwise. */
#define HARNESS_MODEL_HOOK_LOOP 1
extern volatile int harness_model_test_hook;

/* One divergence between the model and the kernel at one step. */
typedef struct harness_divergence {
	uint32_t step;
	uint32_t line;
	char syscall[24];         /* "mprotect", "load", "layout" */
	char field[16];           /* "return", "errno", "signal", "si_addr", "value", "layout" */
	char model[160];          /* what the model predicted */
	char kernel[160];         /* what the kernel did */
	char signature[200];      /* syscall:field:model-class:kernel-class */
	char model_layout[600];   /* the window drawn, one line per VMA and a page strip */
	char kernel_layout[600];
} harness_divergence;

/* A SIGSEGV or SIGBUS outcome of a probe, for the store. */
typedef struct harness_fault_event {
	uint32_t step;
	const char *side;         /* "kernel" or "model" */
	int signo, code;
	uint64_t addr;
} harness_fault_event;
typedef void (*harness_fault_fn)(const harness_fault_event *ev, void *ctx);

/* What the kernel did, for harness_compare_case. */
typedef struct harness_kernel {
	const exec_target_info *info; /* the target's facts and initial layout */
	const exec_obs *obs;          /* the observations of this case's run */
} harness_kernel;

/*
 * Whether a case can run at all as written: each step's process exists at
 * that point, the root never exits, every wait() follows the waited
 * process's exit() in its parent. False with the reason and step when not;
 * such a case is an ERROR and is never sent to an executor.
 */
bool harness_program_valid(const prog_case *c, char *why, size_t cap, uint32_t *step);

/* A model target matching an executor's target facts. */
void harness_target_from_exec(harness_target *t, const exec_target_info *info);

/*
 * Compares a case's run on the kernel with the model, seeded with the
 * sandbox's real initial layout and adopting the kernel's legal address
 * choices: per step the return value or errno, the probe outcome, the layout
 * around the step (and the whole layout at maps() and at the end), and every
 * explicit expectation on both sides. The first divergence fails the case and
 * is described in *div (when div is not NULL). Faults go to on_fault.
 */
void harness_compare_case(const prog_case *c, const harness_target *t,
			  const harness_kernel *k, harness_fault_fn on_fault, void *ctx,
			  harness_case_report *out, harness_divergence *div);

/*
 * Compares a layout drawing with an expected one up to renaming of VMA
 * letters ("aab.cc" equals "xxy.zz"). Both must have the same length.
 */
bool harness_layout_equal(const char *got, const char *want);

/*
 * An executor process (mmspec-exec) on the other end of two pipes. Start it
 * with a wrapper command (run as `sh -c 'exec $MMSPEC_WRAPPER exec_path'`,
 * the wrapper taken from the environment variable set by the caller) or
 * directly; its HELLO fills info.
 */
typedef struct exec_child {
	int pid;
	int to, from;             /* pipe ends: requests, replies */
	exec_target_info info;
	bool busy;
	size_t job;               /* the case it is running */
} exec_child;

int exec_child_start(exec_child *c, const char *exec_path, const char *wrapper, char *err, size_t cap);
int exec_child_send(exec_child *c, const exec_options *opt, const uint8_t *prog, size_t len);
int exec_child_recv(exec_child *c, exec_obs *obs, char *err, size_t cap);
void exec_child_stop(exec_child *c);

#endif
