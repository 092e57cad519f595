/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: the fuzzing layer. Programs from bytes, generation and mutation
 * (fuzz_gen.c), the in-process differential runner (fuzz_diff.c), triage
 * (fuzz_triage.c: reruns, minimization, C reproducers) and the campaign
 * driver behind `mmspec fuzz` (fuzz_campaign.c).
 *
 * Depends on harness (prog.h, exec.h, harness.h) and, for the campaign and
 * triage, on reports (store.h). Nothing in oracle/ or harness/ includes it.
 *
 * The API below is the contract between the generator half and the
 * kernel half of this layer; extend it, keep these meanings.
 */
#ifndef MMSPEC_FUZZ_H
#define MMSPEC_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

/* ---- randomness: a small, seedable, deterministic generator ---------- */

typedef struct fuzz_rng {
	uint64_t s[4];
} fuzz_rng;

void fuzz_rng_seed(fuzz_rng *r, uint64_t seed);
uint64_t fuzz_rng_next(fuzz_rng *r);
/* Uniform in [0, n); n == 0 gives 0. */
uint64_t fuzz_rng_below(fuzz_rng *r, uint64_t n);

/* ---- what programs look like ---------------------------------------- */

/* Which operations a generated program may use, and how big it gets. */
typedef struct fuzz_config {
	uint32_t max_steps;       /* default 24 */
	uint64_t op_mask;         /* bit (1 << prog_op): allowed; 0 means every op */
	bool multi_process;       /* fork/exit/wait */
	bool unknown_bits;        /* occasionally set flag bits Linux does not define */
} fuzz_config;

/* 24 steps, every op, several processes, unknown flag bits now and then.
 * max_steps 0 is read as 24 by the generator. */
void fuzz_config_default(fuzz_config *cfg);

/*
 * Programs from bytes: a total decoding. Every byte string, including the
 * empty one, gives a valid program (harness_program_valid holds, the text
 * form parses back to an equal case); the bytes steer the choice of
 * operation, process, and arguments toward the arena, page boundaries and
 * existing VMAs, small page counts and valid flag sets. Returns 0, or -1 on
 * out of memory only (then *out is cleared). Deterministic: the same bytes
 * give the same program.
 */
int fuzz_program_from_bytes(const uint8_t *data, size_t len, const fuzz_config *cfg,
			    prog_case *out);
/*
 * The inverse, for structure-aware mutation: bytes that decode to a program
 * equal to c (for programs fuzz_program_from_bytes can produce). Returns the
 * length written (at most cap), or 0 when c cannot be expressed or cap is
 * too small. The empty program's bytes are the empty string, so 0 is
 * also its (correct) answer: check c->nsteps before calling 0 a failure.
 * The bytes use the decoding's explicit form (every argument written out);
 * a byte-level mutator that changes them still gets a valid program.
 */
size_t fuzz_program_to_bytes(const prog_case *c, const fuzz_config *cfg,
			     uint8_t *buf, size_t cap);

/* A fresh random program. 0, or -1 on out of memory (*out cleared). */
int fuzz_generate(fuzz_rng *r, const fuzz_config *cfg, prog_case *out);
/*
 * Mutates c in place: insert, delete or duplicate a step, change a step or
 * one argument, or (when other is not NULL) splice in steps of other. The
 * result is always a valid program. 0, or -1 on out of memory (c unchanged).
 */
int fuzz_mutate(fuzz_rng *r, const fuzz_config *cfg, prog_case *c, const prog_case *other);
/*
 * Extension: always splices (a run of other's steps into c, after a prefix
 * of c, with or without c's rest), for LLVMFuzzerCustomCrossOver. Other
 * NULL or empty: an ordinary fuzz_mutate. 0, or -1 on out of memory (c
 * unchanged).
 */
int fuzz_crossover(fuzz_rng *r, const fuzz_config *cfg, prog_case *c, const prog_case *other);
/*
 * Extension: the program as the generator would write it, which
 * fuzz_program_to_bytes can always express: named "fuzz", no requires,
 * results other than bindings dropped, bindings only on mmap, mremap, brk,
 * memfd_create, load and fork (variables renamed $m0, $fd1, $c2, ...),
 * steps that cannot run under cfg's rules left out (ops it does not allow,
 * steps of processes never made or already gone, exits of processes with
 * live children, more than 3 live children or 8 forks), variables of
 * dropped bindings replaced by the arena, at most cfg->max_steps steps.
 * For seeds from suites/ and the mutator. 0, or -1 on out of memory (*out
 * cleared).
 */
int fuzz_program_canonical(const prog_case *c, const fuzz_config *cfg, prog_case *out);

/* ---- running a program on the kernel and the model ------------------ */

/*
 * The in-process differential runner: one executor (exec_init once, a
 * sandbox per program) and the comparator. fuzz_diff_init returns 0, or -1
 * with a message in err (not root, no fork, ...).
 */
typedef struct fuzz_diff fuzz_diff;
int fuzz_diff_init(fuzz_diff **out, const exec_options *opt, char *err, size_t cap);
void fuzz_diff_free(fuzz_diff *d);
const exec_target_info *fuzz_diff_target(const fuzz_diff *d);
/*
 * Runs c on the kernel and compares with the model. Returns the result
 * class (HARNESS_PASS, FAIL for a divergence with *div filled, SKIP, ERROR)
 * with the report in *rep.
 */
harness_result fuzz_diff_run(fuzz_diff *d, const prog_case *c, harness_case_report *rep,
			     harness_divergence *div);

/*
 * Extensions (fuzz_diff.c). The executor runs in a server process that
 * fuzz_diff_init starts at once: a fork that re-executes the calling binary
 * (/proc/self/exe; a constructor in fuzz_diff.c makes it the server before
 * main runs), where exec_init happens in a fresh address space. So the
 * caller may allocate, map and open databases freely afterwards. Where the
 * binary cannot be the executor (ASan builds), mmspec-exec is used instead
 * ($MMSPEC_EXEC, or next to the binary, or one folder up). A program whose
 * run kills the server is an ERROR and the server restarts.
 *
 * A run that FAILs carries a signature ending in "@MAJOR.MINOR", the model
 * profile it was compared under ("mprotect:return:ok:ENOMEM@6.18"), and,
 * before it, ":executor-memory" when the divergent step reached memory the
 * sandbox had before the program (not its heap or stack): the model knows
 * that memory by its bounds only. A FAIL
 * of the program's own expectation on which both sides agreed (`= $x` on a
 * call that failed on both) is no divergence: it is a PASS whose message
 * says where the comparison stopped.
 */
/*
 * Extension: the target of every fuzz_diff this process starts after the
 * call, as `mmspec run --target` takes it (harness_target_resolve): "host"
 * (or NULL: the in-process server), "qemu-user", "wrap:CMD", "vm:IMAGE".
 * The others run mmspec-exec over the pipe protocol behind their wrapper;
 * vm: boots one VM per fuzz_diff. 0, or -1 with a message in err.
 */
int fuzz_set_target(const char *spec, char *err, size_t cap);
/* The --target value last set ("host" by default). */
const char *fuzz_target_spec(void);
/* The target's name as runs.target stores it ("host", "qemu-user",
 * "vm:6.12.74+deb13-cloud-amd64", "wrap:CMD"): harness_target_name. */
void fuzz_diff_target_name(const fuzz_diff *d, char *out, size_t cap);

/* The model side's target (profile, capabilities), to adjust before runs. */
harness_target *fuzz_diff_model(fuzz_diff *d);
/* Compares under another kernel version's profile (PROG_VERSION). */
void fuzz_diff_set_profile(fuzz_diff *d, uint32_t version);
/* "6.18": the profile in use, as signatures name it. */
const char *fuzz_diff_profile(const fuzz_diff *d);
/* How often the executor had to be restarted. */
uint64_t fuzz_diff_restarts(const fuzz_diff *d);
/* The observations of the last run (valid until the next). */
const exec_obs *fuzz_diff_last_obs(const fuzz_diff *d);
/*
 * Planted bugs (oracle.h ORACLE_PLANT_*): fuzz_plant_parse reads a list like
 * "mprotect-nosplit,missed-cow" into a mask (0, or -1 naming the unknown
 * name in err). fuzz_apply_plant sets t's profile from the MMSPEC_PLANT
 * environment variable in a build with MMSPEC_PLANT_BUGS (build/mmspec-
 * planted); other builds warn once on stderr and change nothing.
 */
int fuzz_plant_parse(const char *spec, uint32_t *mask, char *err, size_t cap);
void fuzz_apply_plant(harness_target *t);
/* Appends "@PROFILE" to a harness signature, once. */
void fuzz_signature_add_profile(char *sig, size_t cap, const char *profile);

/* ---- triage (fuzz_triage.c) ---------------------------------------- */

/* One run of c: true when it FAILs with exactly this signature. */
bool fuzz_same_divergence(fuzz_diff *d, const prog_case *c, const char *signature);
/* Reruns c n times; returns how many showed the same signature again. */
int fuzz_rerun(fuzz_diff *d, const prog_case *c, const char *signature, int n);

typedef struct fuzz_minimize_opts {
	uint32_t max_runs;        /* kernel runs at most; 0: 4000 */
	double max_seconds;       /* wall-clock budget; 0: none */
	const volatile int *cancel; /* stop early (keeping the best so far) once *cancel != 0 */
	/*
	 * Extension: called after every kernel run, with the best program so
	 * far when that run made it smaller or simpler (else NULL), so a
	 * caller can keep it (a campaign stores it: nothing is lost if it is
	 * stopped). NULL: not called.
	 */
	void (*progress)(void *arg, const prog_case *best, uint32_t runs);
	void *progress_arg;
} fuzz_minimize_opts;

typedef struct fuzz_minimize_stats {
	uint32_t runs;            /* kernel runs spent */
	uint32_t steps_before, steps_after;
	bool reproduced;          /* the first run showed the signature */
	bool budget_hit;          /* stopped by max_runs, max_seconds or cancel */
	bool cancelled;           /* extension: stopped by *cancel (cut short) */
} fuzz_minimize_stats;

/*
 * Minimizes c keeping its divergence's signature: ddmin over the steps,
 * then simpler arguments, then single steps again. Every candidate is a
 * valid program (a step that would use a removed binding, process or exit
 * is removed with it). Expectations other than `= $x` bindings are dropped
 * first (they only stop a comparison early). *out receives a new case (free
 * with prog_case_clear), the smallest found: c itself (expectations
 * dropped) when nothing smaller diverges alike. Returns 0; 1 when c did not
 * show the signature on its first run (then *out is that copy); -1 on OOM.
 */
int fuzz_minimize(fuzz_diff *d, const prog_case *c, const char *signature,
		  const fuzz_minimize_opts *opts, prog_case *out, fuzz_minimize_stats *st);

/*
 * Runs c on the kernel and writes it as a suite case named name: every step
 * gets an explicit `= ...` from the kernel's outcome (errno, value, address
 * as A+Np, signal; bindings kept; addresses the kernel chose outside the
 * arena and brk() results stay unchecked), and when the divergence is in a
 * layout a `maps(ADDR, LEN) = "..."` step after the divergent step pins the
 * kernel's layout there. The comment lines (each without '#') go above it.
 * Returns 0, or -1 with a message in err (the run was SKIP or ERROR).
 */
int fuzz_export_case(FILE *out, fuzz_diff *d, const prog_case *c, const char *name,
		     const char *comment, char *err, size_t cap);

/* A case name from a signature: "mprotect:layout:bounds@6.18" ->
 * "mprotect-layout-bounds-6.18" (at most cap - 1 characters of [a-z0-9._-]). */
void fuzz_case_name(const char *signature, char *buf, size_t cap);

/*
 * A standalone C reproducer of c (fuzz_repro.c): one file that builds with
 * plain cc and needs nothing of mmspec. It runs c on the kernel it runs on
 * with raw syscall(), probes loads, stores and fetches with sigsetjmp, runs
 * fork/exit/wait in real processes, and prints each step's result next to
 * the model's prediction (computed now, by the model alone under t, with
 * the legal alternatives `mmspec run` adopts: a lazyfree page reclaim may
 * have dropped reads zeroes, a MAP_32BIT search may find no room), then
 * "DIVERGES at step N" (exit 1), "agrees" (exit 0), or, where the machine's
 * facts differ from info->facts and something differed, "UNDECIDED" (exit 4). Returns 0, or -1 with
 * a message in err (the model cannot run c, or writing failed).
 */
typedef struct fuzz_repro_info {
	const char *source;         /* "divergence 12 in mmspec.db", for the header */
	const char *signature;      /* may be NULL */
	const char *model, *kernel; /* the recorded outcomes, may be NULL */
	const char *kernel_release; /* where it was found, may be NULL */
	uint64_t arena;             /* the arena to ask for; 0: the executor's default */
	int focus_step;             /* a step whose layout is always printed; -1: none */
	/*
	 * The facts of the machine the reproducer is written on (an executor's
	 * exec_init), which t was made from (harness_target_from_exec): the
	 * file prints them, sets the sandbox's limits from them, and checks at
	 * run time that the machine it runs on has the same, saying so rather
	 * than claiming a divergence where they differ. NULL: the profile's
	 * defaults, nothing checked.
	 */
	const exec_target_info *facts;
} fuzz_repro_info;

int fuzz_repro_c(FILE *out, const prog_case *c, const harness_target *t, const fuzz_repro_info *info,
		 char *err, size_t cap);

/* ---- the command line (fuzz_cli.c, fuzz_campaign.c, fuzz_repro.c) --- */

int fuzz_cmd_minimize(int argc, char **argv);
int fuzz_cmd_repro(int argc, char **argv);
int fuzz_cmd_fuzz(int argc, char **argv);

#endif
