/* SPDX-License-Identifier: MIT */
/*
 * prog_print.c: the canonical text form of cases and steps.
 *
 * The printer is the parser's inverse: parsing what it prints gives a case
 * equal (prog_case_equal) to the one printed, and printing that again gives
 * the same text. Constants print by argument kind so the output reads like
 * strace and like the hand-written suites: addresses as A+4p or hex, lengths
 * as page counts, flags by name, errno values and signals by name. The rules
 * are listed in docs/case-format.md, "Canonical form".
 *
 * Printing an invalid case (see prog_case_check) never crashes, but the text
 * may not parse back.
 */
#include <inttypes.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "linux_abi.h"
#include "prog_int.h"

static void print_hex(FILE *out, uint64_t v)
{
	fprintf(out, "0x%" PRIx64, v);
}

/* A length's magnitude: 4p, 100, or hex once it is too long to read. */
static void print_len_mag(FILE *out, uint64_t m)
{
	if (m != 0 && m % LX_PAGE_SIZE == 0)
		fprintf(out, "%" PRIu64 "p", (uint64_t)(m / LX_PAGE_SIZE));
	else if (m <= UINT32_MAX)
		fprintf(out, "%" PRIu64, m);
	else
		print_hex(out, m);
}

/*
 * A flag set: the names of the kind's namespace in table order, each
 * consuming its mask bits, then any bits no name covers as one hex number.
 */
static void print_flags(FILE *out, int kind, uint64_t v)
{
	size_t n;
	const prog_flag *tab = prog_flag_table(kind, &n);
	uint64_t consumed = 0;
	bool first = true;

	if (v == 0) {
		fputs(kind == PROG_ARG_PROT ? "PROT_NONE" : "0", out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const prog_flag *f = &tab[i];
		if (f->input_only || (f->mask & consumed))
			continue;
		if (f->name) {
			if (f->bits == 0 || (v & f->mask) != f->bits)
				continue;
			fprintf(out, "%s%s", first ? "" : "|", f->name);
		} else {
			if (!(v & f->mask))
				continue;
			fputs(first ? "" : "|", out);
			print_hex(out, v & f->mask);
		}
		consumed |= f->mask;
		first = false;
	}
	if (v & ~consumed) {
		fputs(first ? "" : "|", out);
		print_hex(out, v & ~consumed);
	}
}

/* A single-valued namespace (MADV, RLIMIT): the name, else signed decimal. */
static void print_enum(FILE *out, int kind, uint64_t v)
{
	size_t n;
	const prog_flag *tab = prog_flag_table(kind, &n);
	for (size_t i = 0; i < n; i++)
		if (!tab[i].input_only && tab[i].name && tab[i].bits == v) {
			fputs(tab[i].name, out);
			return;
		}
	fprintf(out, "%" PRId64, (int64_t)v);
}

static void print_const(FILE *out, int kind, uint64_t k)
{
	switch (kind) {
	case PROG_ARG_ADDR:
		if (k == 0)
			fputs("NULL", out);
		else
			print_hex(out, k);
		break;
	case PROG_ARG_LEN:
		if ((int64_t)k < 0) {
			fputc('-', out);
			print_len_mag(out, 0 - k);
		} else {
			print_len_mag(out, k);
		}
		break;
	case PROG_ARG_VALUE:
		if (k == 0)
			fputc('0', out);
		else
			print_hex(out, k);
		break;
	case PROG_ARG_PROT:
	case PROG_ARG_MAP:
	case PROG_ARG_MCL:
	case PROG_ARG_MLOCK:
	case PROG_ARG_MREMAP:
	case PROG_ARG_MFD:
		print_flags(out, kind, k);
		break;
	case PROG_ARG_MADV:
	case PROG_ARG_RLIMIT:
		print_enum(out, kind, k);
		break;
	default:
		fprintf(out, "%" PRId64, (int64_t)k);
		break;
	}
}

static void print_var(FILE *out, const prog_case *c, unsigned v)
{
	if (c && v < c->nvars && v < PROG_MAX_VARS)
		fprintf(out, "$%s", c->var[v]);
	else
		fprintf(out, "$?%u", v);
}

/*
 * The grammar has no `*`, so a coefficient n prints as n copies of the
 * symbol: A+A, -$x-$x. The parser limits coefficients to int8, which bounds
 * the repetition.
 */
static void print_repeat(FILE *out, const prog_case *c, int64_t n, int var, bool *first)
{
	int64_t m = n < 0 ? -n : n;
	if (m > 128)
		m = 128; /* only an invalid case gets here; keep the text bounded */
	for (int64_t i = 0; i < m; i++) {
		if (n < 0)
			fputc('-', out);
		else if (!*first)
			fputc('+', out);
		if (var < 0)
			fputc('A', out);
		else
			print_var(out, c, (unsigned)var);
		*first = false;
	}
}

void prog_print_expr(FILE *out, const prog_case *c, const prog_expr *e, int argkind)
{
	bool first = true;

	if (prog_expr_is_const(e)) {
		print_const(out, argkind, e->k);
		return;
	}
	/*
	 * A first, then the variables by index (the order the parser stores
	 * them in, so code-built cases print canonically too), then the
	 * constant: A+4p, $x-1p, A-$x.
	 */
	unsigned n = e->nterms < PROG_MAX_TERMS ? e->nterms : PROG_MAX_TERMS;
	unsigned order[PROG_MAX_TERMS];
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		for (; j > 0 && e->term[order[j - 1]].var > e->term[i].var; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	print_repeat(out, c, e->arena, -1, &first);
	for (unsigned i = 0; i < n; i++)
		print_repeat(out, c, e->term[order[i]].coef, e->term[order[i]].var, &first);
	if (e->k) {
		bool neg = (int64_t)e->k < 0;
		uint64_t m = neg ? 0 - e->k : e->k;
		fputc(neg ? '-' : '+', out);
		if (m % LX_PAGE_SIZE == 0)
			fprintf(out, "%" PRIu64 "p", (uint64_t)(m / LX_PAGE_SIZE));
		else
			print_hex(out, m);
	}
	if (first && !e->k)
		fputc('0', out); /* only for invalid exprs: every coefficient 0 */
}

static void print_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (size_t i = 0; i < PROG_STR_MAX && s[i]; i++) {
		switch (s[i]) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		default: fputc(s[i], out); break;
		}
	}
	fputc('"', out);
}

static void print_result(FILE *out, const prog_case *c, const prog_step *s)
{
	const prog_result *r = &s->res;
	const char *name;

	switch (r->kind) {
	case PROG_RES_NONE:
		return;
	case PROG_RES_ANY:
		fputs(" = ?", out);
		return;
	case PROG_RES_VALUE:
		fputs(" = ", out);
		prog_print_expr(out, c, &r->value, prog_op_result_kind(s->op));
		return;
	case PROG_RES_ERRNO:
		fputs(" = -1 ", out);
		for (unsigned i = 0; i < r->nerrno && i < PROG_MAX_ERRNOS; i++) {
			if (i)
				fputc('|', out);
			name = prog_errno_str(r->errnos[i]);
			if (name)
				fputs(name, out);
			else
				fprintf(out, "%u", r->errnos[i]);
		}
		return;
	case PROG_RES_SIGNAL:
		fputs(" = ", out);
		name = prog_signal_str(r->signo);
		if (name)
			fputs(name, out);
		else
			fprintf(out, "%d", r->signo);
		fputc('(', out);
		name = prog_si_code_str(r->signo, r->si_code);
		if (name)
			fputs(name, out);
		else
			fprintf(out, "%d", r->si_code);
		fputc(')', out);
		return;
	case PROG_RES_BIND:
		fputs(" = ", out);
		print_var(out, c, r->var);
		return;
	case PROG_RES_LAYOUT:
		fputs(" = ", out);
		print_str(out, s->str);
		return;
	default:
		fprintf(out, " = <result kind %u>", r->kind);
		return;
	}
}

/* Prints the step without indentation or newline: `[$c] op(args) = result`. */
void prog_print_step(FILE *out, const prog_case *c, const prog_step *s)
{
	const prog_op_info *info = prog_op_info_get(s->op);
	unsigned count;

	if (s->proc != PROG_ROOT) {
		fputc('[', out);
		print_var(out, c, s->proc);
		fputs("] ", out);
	}
	if (!info) {
		fprintf(out, "<op %u>()", s->op);
		print_result(out, c, s);
		return;
	}
	/* Optional trailing arguments are left out when they are all 0. */
	count = info->nargs;
	if (info->min_args < info->nargs) {
		bool zero = true;
		for (unsigned i = info->min_args; i < info->nargs; i++)
			if (!prog_expr_is_const(&s->arg[i]) || s->arg[i].k)
				zero = false;
		if (zero)
			count = info->min_args;
	}
	fprintf(out, "%s(", info->name);
	for (unsigned i = 0; i < count; i++) {
		if (i)
			fputs(", ", out);
		if (info->argkind[i] == PROG_ARG_STR)
			print_str(out, s->str);
		else
			prog_print_expr(out, c, &s->arg[i], info->argkind[i]);
	}
	fputc(')', out);
	print_result(out, c, s);
}

static void print_require(FILE *out, const prog_require *r)
{
	static const char *const cmps[] = { "<", "<=", "==", ">=", ">" };
	const char *name;

	switch (r->kind) {
	case PROG_REQ_LINUX:
		fprintf(out, "requires linux %s %u.%u", r->cmp <= PROG_GT ? cmps[r->cmp] : "?",
			r->version >> 16, (r->version >> 8) & 0xff);
		if (r->version & 0xff)
			fprintf(out, ".%u", r->version & 0xff);
		break;
	case PROG_REQ_CAP:
		name = prog_cap_name(r->cap);
		fprintf(out, "requires cap %s", name ? name : "?");
		break;
	case PROG_REQ_CONFIG:
		fprintf(out, "requires config %.*s", PROG_NAME_MAX, r->name);
		break;
	default:
		fprintf(out, "requires <kind %u>", r->kind);
		break;
	}
}

void prog_print_case(FILE *out, const prog_case *c)
{
	fprintf(out, "case %.*s\n", PROG_NAME_MAX, c->name);
	for (unsigned i = 0; i < c->nreq && i < PROG_MAX_REQUIRES; i++) {
		fputs("  ", out);
		print_require(out, &c->req[i]);
		fputc('\n', out);
	}
	for (unsigned i = 0; i < c->nxfail && i < PROG_MAX_XFAILS; i++) {
		const prog_xfail *x = &c->xfail[i];
		fprintf(out, "  xfail target %.*s", PROG_NAME_MAX, x->target);
		if (x->why[0])
			fprintf(out, "  # %.*s", PROG_XFAIL_WHY_MAX, x->why);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < c->nsteps; i++) {
		fputs("  ", out);
		prog_print_step(out, c, &c->steps[i]);
		fputc('\n', out);
	}
}

char *prog_case_to_string(const prog_case *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	/* The stream is this call's own: stdio's lock per character is
	 * wasted (the fuzz targets print every input). */
	__fsetlocking(out, FSETLOCKING_BYCALLER);
	prog_print_case(out, c);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *prog_step_to_string(const prog_case *c, const prog_step *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	/* The stream is this call's own: stdio's lock per character is
	 * wasted (the fuzz targets print every input). */
	__fsetlocking(out, FSETLOCKING_BYCALLER);
	prog_print_step(out, c, s);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
