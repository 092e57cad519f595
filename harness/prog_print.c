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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "linux_abi.h"
#include "prog_int.h"

/*
 * The printer writes into a growing buffer of its own, with numbers
 * formatted by hand: the fuzz targets print every input, and stdio's
 * vfprintf and per-character calls were most of the print's cost. The
 * FILE * entry points write the buffer out at the end. On out of memory
 * the buffer stops growing and remembers it (oom).
 */
typedef struct pbuf {
	char *buf;
	size_t len, cap;
	bool oom;
	char small[512]; /* the first bytes, before any malloc */
} pbuf;

#define out_init(b) ((b)->buf = (b)->small, (b)->len = 0, (b)->cap = sizeof((b)->small), (b)->oom = false)

static bool out_grow(pbuf *b, size_t need)
{
	if (b->oom)
		return false;
	size_t cap = b->cap * 2;
	while (cap < b->len + need)
		cap *= 2;
	char *nb;
	if (b->buf == b->small) {
		nb = malloc(cap);
		if (nb)
			memcpy(nb, b->small, b->len);
	} else {
		nb = realloc(b->buf, cap);
	}
	if (!nb) {
		b->oom = true;
		return false;
	}
	b->buf = nb;
	b->cap = cap;
	return true;
}

static inline void out_putn(pbuf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap && !out_grow(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static inline void out_putc(pbuf *b, char ch)
{
	if (b->len + 1 > b->cap && !out_grow(b, 1))
		return;
	b->buf[b->len++] = ch;
}

static inline void out_puts(pbuf *b, const char *s)
{
	out_putn(b, s, strlen(s));
}

static void out_free(pbuf *b)
{
	if (b->buf != b->small)
		free(b->buf);
}

/* For the rare lines (requires, xfail, placeholders of invalid cases). */
__attribute__((format(printf, 2, 3))) static void out_printf(pbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		out_putn(b, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out_putn(b, big, (size_t)n);
	free(big);
}

/* v in decimal, as printf's %PRIu64. */
static void out_udec(pbuf *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_putn(b, tmp + i, sizeof(tmp) - i);
}

/* v in signed decimal, as printf's %PRId64 (and %d). */
static void out_sdec(pbuf *b, int64_t v)
{
	if (v < 0) {
		out_putc(b, '-');
		out_udec(b, 0 - (uint64_t)v);
	} else {
		out_udec(b, (uint64_t)v);
	}
}

/* v as printf's "0x%" PRIx64: lower case, no leading zeros, 0x0 for 0. */
static void print_hex(pbuf *out, uint64_t v)
{
	char tmp[18];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	out_putn(out, tmp + i, sizeof(tmp) - i);
}

/* A length's magnitude: 4p, 100, or hex once it is too long to read. */
static void print_len_mag(pbuf *out, uint64_t m)
{
	if (m != 0 && m % LX_PAGE_SIZE == 0) {
		out_udec(out, m / LX_PAGE_SIZE);
		out_putc(out, 'p');
	} else if (m <= UINT32_MAX) {
		out_udec(out, m);
	} else {
		print_hex(out, m);
	}
}

/*
 * A flag set: the names of the kind's namespace in table order, each
 * consuming its mask bits, then any bits no name covers as one hex number.
 */
static void print_flags(pbuf *out, int kind, uint64_t v)
{
	size_t n;
	const prog_flag *tab = prog_flag_table(kind, &n);
	uint64_t consumed = 0;
	bool first = true;

	if (v == 0) {
		out_puts(out, kind == PROG_ARG_PROT ? "PROT_NONE" : "0");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const prog_flag *f = &tab[i];
		if (f->input_only || (f->mask & consumed))
			continue;
		if (f->name) {
			if (f->bits == 0 || (v & f->mask) != f->bits)
				continue;
			if (!first)
				out_putc(out, '|');
			out_puts(out, f->name);
		} else {
			if (!(v & f->mask))
				continue;
			out_puts(out, first ? "" : "|");
			print_hex(out, v & f->mask);
		}
		consumed |= f->mask;
		first = false;
	}
	if (v & ~consumed) {
		out_puts(out, first ? "" : "|");
		print_hex(out, v & ~consumed);
	}
}

/* A single-valued namespace (MADV, RLIMIT): the name, else signed decimal. */
static void print_enum(pbuf *out, int kind, uint64_t v)
{
	size_t n;
	const prog_flag *tab = prog_flag_table(kind, &n);
	for (size_t i = 0; i < n; i++)
		if (!tab[i].input_only && tab[i].name && tab[i].bits == v) {
			out_puts(out, tab[i].name);
			return;
		}
	out_sdec(out, (int64_t)v);
}

static void print_const(pbuf *out, int kind, uint64_t k)
{
	switch (kind) {
	case PROG_ARG_ADDR:
		if (k == 0)
			out_puts(out, "NULL");
		else
			print_hex(out, k);
		break;
	case PROG_ARG_LEN:
		if ((int64_t)k < 0) {
			out_putc(out, '-');
			print_len_mag(out, 0 - k);
		} else {
			print_len_mag(out, k);
		}
		break;
	case PROG_ARG_VALUE:
		if (k == 0)
			out_putc(out, '0');
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
		out_sdec(out, (int64_t)k);
		break;
	}
}

static void print_var(pbuf *out, const prog_case *c, unsigned v)
{
	if (c && v < c->nvars && v < PROG_MAX_VARS) {
		out_putc(out, '$');
		out_putn(out, c->var[v], strnlen(c->var[v], PROG_NAME_MAX));
	} else {
		out_putn(out, "$?", 2);
		out_udec(out, v);
	}
}

/*
 * The grammar has no `*`, so a coefficient n prints as n copies of the
 * symbol: A+A, -$x-$x. The parser limits coefficients to int8, which bounds
 * the repetition.
 */
static void print_repeat(pbuf *out, const prog_case *c, int64_t n, int var, bool *first)
{
	int64_t m = n < 0 ? -n : n;
	if (m > 128)
		m = 128; /* only an invalid case gets here; keep the text bounded */
	for (int64_t i = 0; i < m; i++) {
		if (n < 0)
			out_putc(out, '-');
		else if (!*first)
			out_putc(out, '+');
		if (var < 0)
			out_putc(out, 'A');
		else
			print_var(out, c, (unsigned)var);
		*first = false;
	}
}

static void print_expr(pbuf *out, const prog_case *c, const prog_expr *e, int argkind)
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
		out_putc(out, neg ? '-' : '+');
		if (m % LX_PAGE_SIZE == 0) {
			out_udec(out, m / LX_PAGE_SIZE);
			out_putc(out, 'p');
		} else {
			print_hex(out, m);
		}
	}
	if (first && !e->k)
		out_putc(out, '0'); /* only for invalid exprs: every coefficient 0 */
}

static void print_str(pbuf *out, const char *s)
{
	out_putc(out, '"');
	for (size_t i = 0; i < PROG_STR_MAX && s[i]; i++) {
		switch (s[i]) {
		case '"': out_puts(out, "\\\""); break;
		case '\\': out_puts(out, "\\\\"); break;
		case '\n': out_puts(out, "\\n"); break;
		default: out_putc(out, s[i]); break;
		}
	}
	out_putc(out, '"');
}

static void print_result(pbuf *out, const prog_case *c, const prog_step *s)
{
	const prog_result *r = &s->res;
	const char *name;

	switch (r->kind) {
	case PROG_RES_NONE:
		return;
	case PROG_RES_ANY:
		out_puts(out, " = ?");
		return;
	case PROG_RES_VALUE:
		out_puts(out, " = ");
		print_expr(out, c, &r->value, prog_op_result_kind(s->op));
		return;
	case PROG_RES_ERRNO:
		out_puts(out, " = -1 ");
		for (unsigned i = 0; i < r->nerrno && i < PROG_MAX_ERRNOS; i++) {
			if (i)
				out_putc(out, '|');
			name = prog_errno_str(r->errnos[i]);
			if (name)
				out_puts(out, name);
			else
				out_udec(out, r->errnos[i]);
		}
		return;
	case PROG_RES_SIGNAL:
		out_puts(out, " = ");
		name = prog_signal_str(r->signo);
		if (name)
			out_puts(out, name);
		else
			out_sdec(out, r->signo);
		out_putc(out, '(');
		name = prog_si_code_str(r->signo, r->si_code);
		if (name)
			out_puts(out, name);
		else
			out_sdec(out, r->si_code);
		out_putc(out, ')');
		return;
	case PROG_RES_BIND:
		out_puts(out, " = ");
		print_var(out, c, r->var);
		return;
	case PROG_RES_LAYOUT:
		out_puts(out, " = ");
		print_str(out, s->str);
		return;
	default:
		out_printf(out, " = <result kind %u>", r->kind);
		return;
	}
}

/* Prints the step without indentation or newline: `[$c] op(args) = result`. */
static void print_step(pbuf *out, const prog_case *c, const prog_step *s)
{
	const prog_op_info *info = prog_op_info_get(s->op);
	unsigned count;

	if (s->proc != PROG_ROOT) {
		out_putc(out, '[');
		print_var(out, c, s->proc);
		out_puts(out, "] ");
	}
	if (!info) {
		out_printf(out, "<op %u>()", s->op);
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
	out_puts(out, info->name);
	out_putc(out, '(');
	for (unsigned i = 0; i < count; i++) {
		if (i)
			out_puts(out, ", ");
		if (info->argkind[i] == PROG_ARG_STR)
			print_str(out, s->str);
		else
			print_expr(out, c, &s->arg[i], info->argkind[i]);
	}
	out_putc(out, ')');
	print_result(out, c, s);
}

static void print_require(pbuf *out, const prog_require *r)
{
	static const char *const cmps[] = { "<", "<=", "==", ">=", ">" };
	const char *name;

	switch (r->kind) {
	case PROG_REQ_LINUX:
		out_printf(out, "requires linux %s %u.%u", r->cmp <= PROG_GT ? cmps[r->cmp] : "?",
			r->version >> 16, (r->version >> 8) & 0xff);
		if (r->version & 0xff)
			out_printf(out, ".%u", r->version & 0xff);
		break;
	case PROG_REQ_CAP:
		name = prog_cap_name(r->cap);
		out_printf(out, "requires cap %s", name ? name : "?");
		break;
	case PROG_REQ_CONFIG:
		out_printf(out, "requires config %.*s", PROG_NAME_MAX, r->name);
		break;
	default:
		out_printf(out, "requires <kind %u>", r->kind);
		break;
	}
}

static void print_case(pbuf *out, const prog_case *c)
{
	out_putn(out, "case ", 5);
	out_putn(out, c->name, strnlen(c->name, PROG_NAME_MAX));
	out_putc(out, '\n');
	for (unsigned i = 0; i < c->nreq && i < PROG_MAX_REQUIRES; i++) {
		out_puts(out, "  ");
		print_require(out, &c->req[i]);
		out_putc(out, '\n');
	}
	for (unsigned i = 0; i < c->nxfail && i < PROG_MAX_XFAILS; i++) {
		const prog_xfail *x = &c->xfail[i];
		out_printf(out, "  xfail target %.*s", PROG_NAME_MAX, x->target);
		if (x->why[0])
			out_printf(out, "  # %.*s", PROG_XFAIL_WHY_MAX, x->why);
		out_putc(out, '\n');
	}
	for (uint32_t i = 0; i < c->nsteps; i++) {
		out_puts(out, "  ");
		print_step(out, c, &c->steps[i]);
		out_putc(out, '\n');
	}
}

/* Hands the text over as a malloc'd, NUL-terminated string (NULL on OOM). */
static char *out_take(pbuf *b)
{
	out_putc(b, '\0');
	if (b->oom) {
		out_free(b);
		return NULL;
	}
	if (b->buf != b->small)
		return b->buf;
	char *s = malloc(b->len);
	if (s)
		memcpy(s, b->buf, b->len);
	return s;
}

/* Writes the text to a stream; a failed write shows on the stream. */
static void out_write(pbuf *b, FILE *out)
{
	if (b->len)
		fwrite(b->buf, 1, b->len, out);
	out_free(b);
}

void prog_print_expr(FILE *out, const prog_case *c, const prog_expr *e, int argkind)
{
	pbuf b;
	out_init(&b);
	print_expr(&b, c, e, argkind);
	out_write(&b, out);
}

void prog_print_step(FILE *out, const prog_case *c, const prog_step *s)
{
	pbuf b;
	out_init(&b);
	print_step(&b, c, s);
	out_write(&b, out);
}

void prog_print_case(FILE *out, const prog_case *c)
{
	pbuf b;
	out_init(&b);
	print_case(&b, c);
	out_write(&b, out);
}

char *prog_case_to_string(const prog_case *c)
{
	pbuf b;
	out_init(&b);
	print_case(&b, c);
	return out_take(&b);
}

char *prog_step_to_string(const prog_case *c, const prog_step *s)
{
	pbuf b;
	out_init(&b);
	print_step(&b, c, s);
	return out_take(&b);
}
