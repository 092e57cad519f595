/* SPDX-License-Identifier: MIT */
/*
 * prog.h: the one program representation of mmspec, and its two encodings.
 *
 * A case file (*.mmt, grammar in docs/case-format.md) holds cases; a case is
 * a name, its `requires` lines and a list of steps. Each step is one syscall
 * or pseudo-call with expression arguments and an optional expected result.
 *
 * Expressions are kept folded, as linear forms:
 *     value = k + arena * A + sum(coef_i * $var_i)
 * Everything the grammar allows (integers, units, flag sets, A, $vars, +, -,
 * parentheses) folds to that shape, because units and `|` apply only to
 * constants. The folded form makes "print then parse gives the same program"
 * a structural equality and gives the executor a fixed-size, allocation-free
 * encoding.
 *
 * This module owns parsing, printing, binary encoding and validation; the
 * executor only decodes (the syzkaller split of prog/encoding.go and
 * prog/encodingexec.go).
 */
#ifndef MMSPEC_PROG_H
#define MMSPEC_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROG_MAX_ARGS 6
#define PROG_MAX_TERMS 3       /* distinct $vars in one expression */
#define PROG_MAX_VARS 64       /* per case */
#define PROG_MAX_ERRNOS 4      /* `= -1 EINVAL|ENOMEM|...` */
#define PROG_MAX_REQUIRES 8
#define PROG_MAX_XFAILS 4      /* `xfail target` lines per case */
#define PROG_XFAIL_WHY_MAX 160 /* an xfail's reason, with the NUL */
#define PROG_MAX_STEPS 4096
#define PROG_NAME_MAX 64       /* case and variable names, with the NUL */
#define PROG_STR_MAX 128       /* string arguments and layout drawings, with the NUL */
#define PROG_ROOT 0xff         /* step runs in the root process */

typedef enum prog_op {
	PROG_MMAP,
	PROG_MUNMAP,
	PROG_MPROTECT,
	PROG_BRK,
	PROG_MREMAP,
	PROG_MADVISE,
	PROG_MLOCK,
	PROG_MLOCK2,
	PROG_MUNLOCK,
	PROG_MLOCKALL,
	PROG_MUNLOCKALL,
	PROG_MSEAL,
	PROG_MINCORE,
	PROG_FORK,
	PROG_EXIT,
	PROG_WAIT,
	PROG_MEMFD_CREATE,
	PROG_FTRUNCATE,
	PROG_SETRLIMIT,
	/* Pseudo-calls. */
	PROG_LOAD,
	PROG_STORE,
	PROG_FETCH,
	PROG_MAPS,
	PROG_PAGEMAP,
	PROG_OP_COUNT
} prog_op;

/*
 * How an argument is read and printed: the flag namespace for flag sets, and
 * whether a constant prints as a page count, an address or a signed integer.
 */
typedef enum prog_argkind {
	PROG_ARG_ADDR,    /* address: A+2p, 0x7f..., NULL */
	PROG_ARG_LEN,     /* length: 4p, 100 */
	PROG_ARG_PROT,    /* PROT_* */
	PROG_ARG_MAP,     /* MAP_* */
	PROG_ARG_MADV,    /* MADV_* (a single value) */
	PROG_ARG_MCL,     /* MCL_* */
	PROG_ARG_MLOCK,   /* MLOCK_* */
	PROG_ARG_MREMAP,  /* MREMAP_* */
	PROG_ARG_MFD,     /* MFD_* */
	PROG_ARG_RLIMIT,  /* RLIMIT_* (a single value) */
	PROG_ARG_INT,     /* fd, exit status, flags of mseal: signed decimal */
	PROG_ARG_VALUE,   /* a stored 64-bit value: hex */
	PROG_ARG_STR,     /* a double-quoted string, kept in prog_step.str */
	PROG_ARG_PROC     /* a process variable: wait($c) */
} prog_argkind;

/* A folded expression (see the top of this file). */
typedef struct prog_expr {
	uint64_t k;       /* constant part, two's complement */
	int32_t arena;    /* coefficient of A */
	uint8_t nterms;   /* number of used entries in term[] */
	struct {
		uint8_t var;  /* index into prog_case.var[] */
		int8_t coef;  /* never 0 */
	} term[PROG_MAX_TERMS];
} prog_expr;

typedef enum prog_result_kind {
	PROG_RES_NONE,    /* no `= ...`: compare the model with the kernel */
	PROG_RES_ANY,     /* `= ?` */
	PROG_RES_VALUE,   /* `= expr`: the returned or loaded value */
	PROG_RES_ERRNO,   /* `= -1 EINVAL|ENOMEM` */
	PROG_RES_SIGNAL,  /* `= SIGSEGV(SEGV_MAPERR)` */
	PROG_RES_BIND,    /* `= $x` on $x's first use: binds it */
	PROG_RES_LAYOUT   /* maps(ADDR, LEN) = "aab.cc": drawing in prog_step.str */
} prog_result_kind;

typedef struct prog_result {
	uint8_t kind;     /* prog_result_kind */
	uint8_t nerrno;   /* PROG_RES_ERRNO: entries in errnos[] */
	uint16_t errnos[PROG_MAX_ERRNOS];
	int32_t signo;    /* PROG_RES_SIGNAL: LX_SIGSEGV, LX_SIGBUS */
	int32_t si_code;  /* PROG_RES_SIGNAL: LX_SEGV_MAPERR, ... */
	uint8_t var;      /* PROG_RES_BIND */
	prog_expr value;  /* PROG_RES_VALUE */
} prog_result;

typedef struct prog_step {
	uint8_t op;       /* prog_op */
	uint8_t proc;     /* PROG_ROOT or the process variable from fork() */
	uint8_t nargs;    /* always prog_op_info(op)->nargs */
	prog_expr arg[PROG_MAX_ARGS];  /* the PROG_ARG_STR slot is unused */
	char str[PROG_STR_MAX];        /* the string argument, or the expected
	                                  layout drawing of PROG_RES_LAYOUT */
	prog_result res;
	uint32_t line;    /* source line, 0 when not parsed from text */
} prog_step;

typedef enum prog_require_kind {
	PROG_REQ_LINUX,   /* requires linux >= 6.10 */
	PROG_REQ_CAP,     /* requires cap CAP_IPC_LOCK */
	PROG_REQ_CONFIG   /* requires config SOFT_DIRTY */
} prog_require_kind;

typedef enum prog_cmp { PROG_LT, PROG_LE, PROG_EQ, PROG_GE, PROG_GT } prog_cmp;

typedef struct prog_require {
	uint8_t kind;     /* prog_require_kind */
	uint8_t cmp;      /* PROG_REQ_LINUX: prog_cmp */
	uint32_t version; /* PROG_REQ_LINUX: PROG_VERSION(major, minor, patch) */
	int32_t cap;      /* PROG_REQ_CAP: capability number */
	char name[PROG_NAME_MAX]; /* the word as written: CAP_IPC_LOCK, SOFT_DIRTY */
	uint32_t line;
} prog_require;

/*
 * `xfail target GLOB  # why`: the case is a known divergence on the targets
 * whose name (host, vm:RELEASE, qemu-user, wrap:CMD) matches GLOB (fnmatch).
 * There a FAIL is reported as XFAIL and a PASS as XPASS. The line's comment
 * is the reason, kept with the case.
 */
typedef struct prog_xfail {
	char target[PROG_NAME_MAX];
	char why[PROG_XFAIL_WHY_MAX];  /* "" when the line has no comment */
	uint32_t line;
} prog_xfail;

#define PROG_VERSION(maj, min, patch) (((uint32_t)(maj) << 16) | ((uint32_t)(min) << 8) | (uint32_t)(patch))

typedef enum prog_var_kind { PROG_VAR_VALUE, PROG_VAR_PROC } prog_var_kind;

typedef struct prog_case {
	char name[PROG_NAME_MAX];
	uint32_t line;    /* line of the `case` keyword */
	uint8_t nreq;
	prog_require req[PROG_MAX_REQUIRES];
	uint8_t nxfail;
	prog_xfail xfail[PROG_MAX_XFAILS];
	uint8_t nvars;
	char var[PROG_MAX_VARS][PROG_NAME_MAX]; /* without the '$' */
	uint8_t var_kind[PROG_MAX_VARS];        /* prog_var_kind */
	uint32_t nsteps;
	uint32_t cap_steps;
	prog_step *steps; /* owned; malloc'd */
} prog_case;

typedef struct prog_file {
	char *path;       /* owned copy of the name it was parsed under */
	uint32_t ncases;
	prog_case *cases; /* owned */
} prog_file;

/* A parse error: where and what. */
typedef struct prog_diag {
	char file[256];
	uint32_t line, col; /* 1-based */
	char msg[256];
} prog_diag;

/* Static facts about each operation: its name and argument kinds. */
typedef struct prog_op_info {
	const char *name;
	uint8_t nargs;
	uint8_t min_args; /* trailing arguments past this may be omitted: they
	                     are 0 (mremap's new_address, maps()'s window) */
	uint8_t argkind[PROG_MAX_ARGS]; /* prog_argkind */
	bool mutates;     /* changes the address space (layout compared after it) */
	bool pseudo;      /* load, store, fetch, maps, pagemap */
} prog_op_info;

const prog_op_info *prog_op_info_get(int op);
/* Returns the op for a name, or -1. */
int prog_op_lookup(const char *name, size_t len);

/*
 * Parsing. Both return 0 and set *out (free with prog_file_free) on success;
 * on a malformed input they return -1, fill *diag with the first error and
 * set *out to NULL. The path is used in messages only for prog_parse_text.
 */
int prog_parse_file(const char *path, prog_file **out, prog_diag *diag);
int prog_parse_text(const char *path, const char *text, size_t len,
		    prog_file **out, prog_diag *diag);
void prog_file_free(prog_file *f);
/* Formats a diagnostic as "FILE:LINE:COLUMN: message". */
void prog_diag_format(const prog_diag *d, char *buf, size_t cap);

/* Case lifetime, for programs built in code (fuzzers, minimizer). */
void prog_case_init(prog_case *c, const char *name);
void prog_case_clear(prog_case *c);           /* frees steps, keeps nothing */
int prog_case_copy(prog_case *dst, const prog_case *src); /* 0, or -1 on OOM */
/* Appends a step; returns a pointer to it (zeroed, proc = PROG_ROOT), NULL on OOM. */
prog_step *prog_case_add_step(prog_case *c, int op);
bool prog_case_equal(const prog_case *a, const prog_case *b);

/*
 * Printing. Cases print in the canonical text form; parsing that text gives
 * a case equal (prog_case_equal) to the original.
 */
void prog_print_case(FILE *out, const prog_case *c);
void prog_print_step(FILE *out, const prog_case *c, const prog_step *s);
/* Same, into a malloc'd string (NULL on OOM). */
char *prog_case_to_string(const prog_case *c);
char *prog_step_to_string(const prog_case *c, const prog_step *s);
/* An expression as it would be printed for an argument of this kind. */
void prog_print_expr(FILE *out, const prog_case *c, const prog_expr *e, int argkind);

/*
 * Binary encoding: a compact, versioned, position-independent form of one
 * case (name, requires, variables, steps) for the executor and the fuzzers.
 * prog_encode writes at most cap bytes and returns the size the encoding
 * needs (call with cap 0 to size a buffer). prog_decode validates everything
 * it reads and accepts any byte string without crashing: it returns 0 and
 * fills *out (prog_case_clear it later), or -1 with *out cleared and a
 * constant reason in *why.
 */
size_t prog_encode(const prog_case *c, uint8_t *buf, size_t cap);
int prog_decode(const uint8_t *buf, size_t len, prog_case *out, const char **why);

/*
 * Evaluating an expression at run time. vals[i] is the value of variable i;
 * a process variable's value is its pid. Variables are known bound because
 * the parser rejects a use before the binding step. Returns the value.
 */
uint64_t prog_eval(const prog_expr *e, uint64_t arena, const uint64_t *vals);

/* Names of constants, for messages: "ENOMEM", "SIGSEGV", "SEGV_MAPERR". */
const char *prog_errno_name(int err);
int prog_errno_lookup(const char *name, size_t len);  /* -1 if unknown */
const char *prog_signal_name(int signo);
const char *prog_si_code_name(int signo, int code);

#endif
