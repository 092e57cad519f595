/* SPDX-License-Identifier: MIT */
/*
 * prog_int.h: internals shared by the files of the case-language module
 * (prog_names.c, prog_parse.c, prog_print.c, prog_encode.c). Nothing outside
 * harness/prog_*.c includes this; other code uses prog.h only.
 *
 * The name tables live in prog_names.c so that the parser, the printer and
 * the decoder's validator agree on one spelling of every constant. The case
 * validator lives in prog_encode.c: the decoder runs it on everything it
 * reads, and the tests run it on everything the parser produces, so "what the
 * parser can produce" and "what the decoder accepts" are one definition.
 */
#ifndef MMSPEC_PROG_INT_H
#define MMSPEC_PROG_INT_H

#include "prog.h"

/*
 * One name of a flag namespace. A name matches a value when
 * (value & mask) == bits; printing consumes the mask bits, so a multi-bit
 * field (the MAP_TYPE values, MAP_HUGE_2MB) is printed once. An entry with a
 * NULL name stands for "these mask bits, raw" (the unknown MAP_TYPE values).
 * input_only entries are accepted by the parser but never printed (aliases
 * such as MAP_ANON, and zero-valued names such as PROT_NONE).
 */
typedef struct prog_flag {
	const char *name;
	uint64_t bits;
	uint64_t mask;
	bool input_only;
} prog_flag;

/*
 * The names of one argument kind's namespace, in print order; *n gets the
 * count. Kinds without names (ADDR, LEN, INT, VALUE, STR, PROC) give n = 0.
 */
const prog_flag *prog_flag_table(int argkind, size_t *n);
/* True when the kind's values are single names (MADV, RLIMIT), not bit sets. */
bool prog_kind_is_enum(int argkind);
/* Looks a flag name up in every namespace. Returns true and sets *value. */
bool prog_flag_lookup(const char *name, size_t len, uint64_t *value);
/* True when the name has a known flag prefix (PROT_, MAP_, ...). */
bool prog_flag_prefix(const char *name, size_t len);

/* How an op's returned value prints: PROG_ARG_ADDR, _VALUE or _INT. */
int prog_op_result_kind(int op);
/* The index of the op's PROG_ARG_STR argument, or -1. */
int prog_op_str_arg(int op);

/* Capabilities: number for a name (-1 if unknown), name for a number (NULL). */
int prog_cap_lookup(const char *name, size_t len);
const char *prog_cap_name(int cap);

/*
 * The names of prog.h's prog_errno_name, prog_signal_name and
 * prog_si_code_name, but NULL when the value has none: the public functions
 * return a placeholder for messages, the printer and validator need to know.
 */
const char *prog_errno_str(int err);
const char *prog_signal_str(int signo);
const char *prog_si_code_str(int signo, int code);

/* Signals a step result may name (SIGSEGV, SIGBUS, SIGTRAP). */
bool prog_signal_is_result(int signo);
/* Signal number for a name, or -1. */
int prog_signal_lookup(const char *name, size_t len);
/* The si_code of signo with that name (specific or generic SI_*), or false. */
bool prog_si_code_lookup(int signo, const char *name, size_t len, int *code);

/*
 * Whether a layout drawing is well formed: 1..PROG_STR_MAX-1 characters from
 * [A-Za-z.]. Returns NULL if so, else a constant reason.
 */
const char *prog_layout_check(const char *s);
/* Whether a string argument holds only bytes the printer can write back. */
bool prog_str_printable(const char *s, size_t len);

/*
 * The whole-case validator: everything the parser guarantees (see
 * docs/case-format.md, "Valid cases"). Returns NULL when c is valid, else a
 * constant reason. Never reads outside c's declared sizes.
 */
const char *prog_case_check(const prog_case *c);

/* Expressions: is it a plain constant, and structural equality. */
bool prog_expr_is_const(const prog_expr *e);
bool prog_expr_equal(const prog_expr *a, const prog_expr *b);

#endif
