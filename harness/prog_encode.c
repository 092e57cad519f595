/* SPDX-License-Identifier: MIT */
/*
 * prog_encode.c: the in-memory case (lifetime, equality, evaluation), its
 * validator, and its binary encoding.
 *
 * The binary form is what the executor and the fuzzers consume: compact
 * (LEB128 varints, zigzag for signed values, per-expression presence bits),
 * versioned by a magic and a version byte, and position independent. The
 * layout is documented in docs/case-format.md, "Binary encoding".
 *
 * prog_decode takes bytes from anywhere (a fuzzer, a pipe, a database), so
 * every read is bounds-checked, every count is checked against its limit
 * before it is used, and the result must then pass prog_case_check, the same
 * definition of "valid" the parser's output satisfies. A byte string either
 * decodes to a case that prints, parses back and re-encodes to an equal case,
 * or is rejected with a constant reason.
 */
#include <stdlib.h>
#include <string.h>

#include "linux_abi.h"
#include "prog_int.h"

/* ---------------------------------------------------------------------- */
/* Lifetime                                                                */

void prog_case_init(prog_case *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	/* As snprintf("%s") would, without its cost: the fuzz targets make
	 * a case per input. */
	if (name) {
		size_t n = strnlen(name, sizeof(c->name) - 1);
		memcpy(c->name, name, n);
	}
}

void prog_case_clear(prog_case *c)
{
	free(c->steps);
	memset(c, 0, sizeof(*c));
}

/*
 * Deep copy. dst is overwritten, not freed first (clear it before reusing a
 * case). On OOM dst is left empty (as after prog_case_init(dst, NULL)).
 */
int prog_case_copy(prog_case *dst, const prog_case *src)
{
	*dst = *src;
	dst->steps = NULL;
	dst->cap_steps = 0;
	if (src->nsteps) {
		dst->steps = malloc((size_t)src->nsteps * sizeof(*dst->steps));
		if (!dst->steps) {
			prog_case_init(dst, NULL);
			return -1;
		}
		memcpy(dst->steps, src->steps, (size_t)src->nsteps * sizeof(*dst->steps));
		dst->cap_steps = src->nsteps;
	}
	return 0;
}

/*
 * Also returns NULL for an op that does not exist and when the case already
 * has PROG_MAX_STEPS steps; the case is unchanged then.
 */
prog_step *prog_case_add_step(prog_case *c, int op)
{
	const prog_op_info *info = prog_op_info_get(op);
	prog_step *s;

	if (!info || c->nsteps >= PROG_MAX_STEPS)
		return NULL;
	if (c->nsteps == c->cap_steps) {
		uint32_t cap = c->cap_steps ? c->cap_steps * 2 : 16;
		if (cap > PROG_MAX_STEPS)
			cap = PROG_MAX_STEPS;
		s = realloc(c->steps, (size_t)cap * sizeof(*s));
		if (!s)
			return NULL;
		c->steps = s;
		c->cap_steps = cap;
	}
	s = &c->steps[c->nsteps++];
	memset(s, 0, sizeof(*s));
	s->op = (uint8_t)op;
	s->nargs = info->nargs;
	s->proc = PROG_ROOT;
	return s;
}

/* ---------------------------------------------------------------------- */
/* Expressions and equality                                                */

bool prog_expr_is_const(const prog_expr *e)
{
	return e->arena == 0 && e->nterms == 0;
}

/* Terms compare as a set: the parser sorts them, code may not. */
bool prog_expr_equal(const prog_expr *a, const prog_expr *b)
{
	if (a->k != b->k || a->arena != b->arena || a->nterms != b->nterms)
		return false;
	for (unsigned i = 0; i < a->nterms && i < PROG_MAX_TERMS; i++) {
		bool found = false;
		for (unsigned j = 0; j < b->nterms && j < PROG_MAX_TERMS; j++)
			if (a->term[i].var == b->term[j].var && a->term[i].coef == b->term[j].coef)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

uint64_t prog_eval(const prog_expr *e, uint64_t arena, const uint64_t *vals)
{
	uint64_t v = e->k + (uint64_t)(int64_t)e->arena * arena;
	for (unsigned i = 0; i < e->nterms && i < PROG_MAX_TERMS; i++)
		v += (uint64_t)(int64_t)e->term[i].coef * vals[e->term[i].var];
	return v;
}

static bool result_equal(const prog_step *a, const prog_step *b)
{
	const prog_result *x = &a->res, *y = &b->res;
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case PROG_RES_VALUE:
		return prog_expr_equal(&x->value, &y->value);
	case PROG_RES_ERRNO:
		if (x->nerrno != y->nerrno)
			return false;
		for (unsigned i = 0; i < x->nerrno && i < PROG_MAX_ERRNOS; i++)
			if (x->errnos[i] != y->errnos[i])
				return false;
		return true;
	case PROG_RES_SIGNAL:
		return x->signo == y->signo && x->si_code == y->si_code;
	case PROG_RES_BIND:
		return x->var == y->var;
	case PROG_RES_LAYOUT:
		return strncmp(a->str, b->str, PROG_STR_MAX) == 0;
	default:
		return true;
	}
}

static bool step_equal(const prog_step *a, const prog_step *b)
{
	const prog_op_info *info = prog_op_info_get(a->op);
	if (a->op != b->op || a->proc != b->proc || a->nargs != b->nargs)
		return false;
	for (unsigned i = 0; i < a->nargs && i < PROG_MAX_ARGS; i++) {
		if (info && info->argkind[i] == PROG_ARG_STR) {
			if (strncmp(a->str, b->str, PROG_STR_MAX) != 0)
				return false;
		} else if (!prog_expr_equal(&a->arg[i], &b->arg[i])) {
			return false;
		}
	}
	return result_equal(a, b);
}

/*
 * Structural equality of what a case means and prints: source lines and
 * cap_steps are ignored, and so are fields a kind does not use (a
 * requirement's name for linux and cap, argument slots past nargs).
 */
bool prog_case_equal(const prog_case *a, const prog_case *b)
{
	if (strncmp(a->name, b->name, PROG_NAME_MAX) != 0 || a->nreq != b->nreq ||
	    a->nvars != b->nvars || a->nsteps != b->nsteps)
		return false;
	for (unsigned i = 0; i < a->nreq && i < PROG_MAX_REQUIRES; i++) {
		const prog_require *x = &a->req[i], *y = &b->req[i];
		if (x->kind != y->kind)
			return false;
		if (x->kind == PROG_REQ_LINUX && (x->cmp != y->cmp || x->version != y->version))
			return false;
		if (x->kind == PROG_REQ_CAP && x->cap != y->cap)
			return false;
		if (x->kind == PROG_REQ_CONFIG && strncmp(x->name, y->name, PROG_NAME_MAX) != 0)
			return false;
	}
	if (a->nxfail != b->nxfail)
		return false;
	for (unsigned i = 0; i < a->nxfail && i < PROG_MAX_XFAILS; i++)
		if (strncmp(a->xfail[i].target, b->xfail[i].target, PROG_NAME_MAX) != 0 ||
		    strncmp(a->xfail[i].why, b->xfail[i].why, PROG_XFAIL_WHY_MAX) != 0)
			return false;
	for (unsigned i = 0; i < a->nvars && i < PROG_MAX_VARS; i++)
		if (strncmp(a->var[i], b->var[i], PROG_NAME_MAX) != 0 ||
		    a->var_kind[i] != b->var_kind[i])
			return false;
	for (uint32_t i = 0; i < a->nsteps; i++)
		if (!step_equal(&a->steps[i], &b->steps[i]))
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Validation                                                              */

/* A NUL-terminated name inside cap bytes, 1+ characters from the class. */
static bool name_ok(const char *s, size_t cap, int cls)
{
	size_t n;
	for (n = 0; n < cap && s[n]; n++) {
		char c = s[n];
		bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
		bool digit = c >= '0' && c <= '9';
		bool ok;
		switch (cls) {
		case 'c': /* case names */
			ok = lower || digit || c == '.' || c == '_' || c == '-';
			break;
		case 'v': /* variables */
			ok = lower || c == '_' || (digit && n > 0);
			break;
		default: /* config words */
			ok = upper || digit || c == '_';
			break;
		}
		if (!ok)
			return false;
	}
	return n > 0 && n < cap;
}

static const char *check_expr(const prog_case *c, const prog_expr *e, unsigned nbound)
{
	if (e->nterms > PROG_MAX_TERMS)
		return "expression has too many terms";
	if (e->arena < INT8_MIN || e->arena > INT8_MAX)
		return "coefficient of A out of range";
	for (unsigned i = 0; i < e->nterms; i++) {
		unsigned v = e->term[i].var;
		if (e->term[i].coef == 0)
			return "expression term with coefficient 0";
		if (v >= nbound)
			return "variable used before it is bound";
		if (c->var_kind[v] != PROG_VAR_VALUE)
			return "process variable used in an expression";
		for (unsigned j = 0; j < i; j++)
			if (e->term[j].var == v)
				return "variable repeated in an expression";
	}
	return NULL;
}

static const char *check_result(const prog_case *c, const prog_step *s, unsigned *nbound)
{
	const prog_result *r = &s->res;
	const char *why;

	switch (r->kind) {
	case PROG_RES_NONE:
	case PROG_RES_ANY:
		break;
	case PROG_RES_VALUE:
		if ((why = check_expr(c, &r->value, *nbound)))
			return why;
		break;
	case PROG_RES_ERRNO:
		if (r->nerrno < 1 || r->nerrno > PROG_MAX_ERRNOS)
			return "bad errno count";
		for (unsigned i = 0; i < r->nerrno; i++)
			if (!prog_errno_str(r->errnos[i]))
				return "unknown errno";
		break;
	case PROG_RES_SIGNAL:
		if (!prog_signal_is_result(r->signo) || !prog_si_code_str(r->signo, r->si_code))
			return "unknown signal or si_code";
		break;
	case PROG_RES_BIND:
		/* Variables are numbered in binding order, as the parser does. */
		if (r->var != *nbound || r->var >= c->nvars)
			return "variable bound out of order";
		if (c->var_kind[r->var] != (s->op == PROG_FORK ? PROG_VAR_PROC : PROG_VAR_VALUE))
			return "variable kind does not match its binding";
		(*nbound)++;
		break;
	case PROG_RES_LAYOUT: {
		const prog_expr *len = &s->arg[1];
		if (s->op != PROG_MAPS)
			return "layout result on an op other than maps";
		if ((why = prog_layout_check(s->str)))
			return why;
		if (!prog_expr_is_const(len) || len->k % LX_PAGE_SIZE ||
		    len->k / LX_PAGE_SIZE != strlen(s->str))
			return "layout drawing does not match the maps window";
		break;
	}
	default:
		return "bad result kind";
	}
	if (s->op == PROG_FORK && r->kind != PROG_RES_NONE && r->kind != PROG_RES_ANY &&
	    r->kind != PROG_RES_BIND)
		return "fork result must be ?, none or a binding";
	return NULL;
}

static const char *check_step(const prog_case *c, const prog_step *s, unsigned *nbound)
{
	const prog_op_info *info = prog_op_info_get(s->op);
	const char *why;

	if (!info)
		return "bad op";
	if (s->nargs != info->nargs)
		return "bad argument count";
	if (s->proc != PROG_ROOT &&
	    (s->proc >= *nbound || c->var_kind[s->proc] != PROG_VAR_PROC))
		return "step runs in an unbound or non-process variable";
	for (unsigned i = 0; i < info->nargs; i++) {
		const prog_expr *e = &s->arg[i];
		switch (info->argkind[i]) {
		case PROG_ARG_STR: {
			const void *nul = memchr(s->str, '\0', PROG_STR_MAX);
			if (!nul)
				return "string argument not NUL-terminated";
			if (!prog_str_printable(s->str, (size_t)((const char *)nul - s->str)))
				return "string argument holds a control character";
			break;
		}
		case PROG_ARG_PROC:
			if (e->nterms != 1 || e->term[0].coef != 1 || e->k || e->arena ||
			    e->term[0].var >= *nbound ||
			    c->var_kind[e->term[0].var] != PROG_VAR_PROC)
				return "bad process argument";
			break;
		default:
			if ((why = check_expr(c, e, *nbound)))
				return why;
			break;
		}
	}
	return check_result(c, s, nbound);
}

const char *prog_case_check(const prog_case *c)
{
	unsigned nbound = 0;
	const char *why;

	if (!name_ok(c->name, PROG_NAME_MAX, 'c'))
		return "bad case name";
	if (c->nreq > PROG_MAX_REQUIRES)
		return "too many requires";
	for (unsigned i = 0; i < c->nreq; i++) {
		const prog_require *r = &c->req[i];
		switch (r->kind) {
		case PROG_REQ_LINUX:
			if (r->cmp > PROG_GT)
				return "bad version comparison";
			break;
		case PROG_REQ_CAP:
			if (!prog_cap_name(r->cap))
				return "unknown capability";
			break;
		case PROG_REQ_CONFIG:
			if (!name_ok(r->name, PROG_NAME_MAX, 'C'))
				return "bad config name";
			break;
		default:
			return "bad requirement kind";
		}
	}
	if (c->nxfail > PROG_MAX_XFAILS)
		return "too many xfail lines";
	for (unsigned i = 0; i < c->nxfail; i++) {
		const prog_xfail *x = &c->xfail[i];
		size_t n = strnlen(x->target, PROG_NAME_MAX);
		if (n == 0 || n == PROG_NAME_MAX || strnlen(x->why, PROG_XFAIL_WHY_MAX) == PROG_XFAIL_WHY_MAX)
			return "bad xfail target or reason";
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)x->target[k] <= 0x20 || (unsigned char)x->target[k] >= 0x7f ||
			    x->target[k] == '#')
				return "bad xfail target";
		for (size_t k = 0; x->why[k]; k++)
			if ((unsigned char)x->why[k] < 0x20 || (unsigned char)x->why[k] >= 0x7f)
				return "bad xfail reason";
	}
	if (c->nvars > PROG_MAX_VARS)
		return "too many variables";
	for (unsigned i = 0; i < c->nvars; i++) {
		if (!name_ok(c->var[i], PROG_NAME_MAX, 'v'))
			return "bad variable name";
		if (c->var_kind[i] > PROG_VAR_PROC)
			return "bad variable kind";
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->var[i], c->var[j]) == 0)
				return "duplicate variable name";
	}
	if (c->nsteps > PROG_MAX_STEPS)
		return "too many steps";
	if (c->nsteps && !c->steps)
		return "steps missing";
	for (uint32_t i = 0; i < c->nsteps; i++)
		if ((why = check_step(c, &c->steps[i], &nbound)))
			return why;
	if (nbound != c->nvars)
		return "variable never bound";
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Encoding                                                                */

#define MAGIC "MMSP"
#define VERSION 1
#define FLAG_LINES 0x01   /* source line numbers follow the case, requires, steps */
#define FLAG_XFAIL 0x02   /* xfail lines follow the requires */

/* Expression tag byte. */
#define EX_NTERMS 0x03
#define EX_ARENA 0x04
#define EX_K 0x08

typedef struct writer {
	uint8_t *buf;
	size_t cap, n;
} writer;

static void put(writer *w, uint8_t b)
{
	if (w->n < w->cap)
		w->buf[w->n] = b;
	w->n++;
}

static void put_uv(writer *w, uint64_t v)
{
	while (v >= 0x80) {
		put(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put(w, (uint8_t)v);
}

static void put_sv(writer *w, int64_t v)
{
	put_uv(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_str(writer *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	put_uv(w, n);
	for (size_t i = 0; i < n; i++)
		put(w, (uint8_t)s[i]);
}

static void put_expr(writer *w, const prog_expr *e)
{
	unsigned nterms = e->nterms > PROG_MAX_TERMS ? PROG_MAX_TERMS : e->nterms;
	put(w, (uint8_t)(nterms | (e->arena ? EX_ARENA : 0) | (e->k ? EX_K : 0)));
	if (e->k)
		put_sv(w, (int64_t)e->k);
	if (e->arena)
		put_sv(w, e->arena);
	for (unsigned i = 0; i < nterms; i++) {
		put(w, e->term[i].var);
		put(w, (uint8_t)e->term[i].coef);
	}
}

/*
 * Encodes a valid case (prog_case_check). An invalid one still encodes
 * without reading outside the case, but may decode differently or not at all.
 */
size_t prog_encode(const prog_case *c, uint8_t *buf, size_t cap)
{
	writer w = { buf, cap, 0 };
	bool lines = c->line != 0;
	unsigned nreq = c->nreq > PROG_MAX_REQUIRES ? PROG_MAX_REQUIRES : c->nreq;
	unsigned nvars = c->nvars > PROG_MAX_VARS ? PROG_MAX_VARS : c->nvars;

	for (unsigned i = 0; i < nreq; i++)
		lines |= c->req[i].line != 0;
	for (uint32_t i = 0; i < c->nsteps; i++)
		lines |= c->steps[i].line != 0;

	for (size_t i = 0; i < 4; i++)
		put(&w, (uint8_t)MAGIC[i]);
	put(&w, VERSION);
	unsigned nxfail = c->nxfail > PROG_MAX_XFAILS ? PROG_MAX_XFAILS : c->nxfail;
	put(&w, (uint8_t)((lines ? FLAG_LINES : 0) | (nxfail ? FLAG_XFAIL : 0)));
	put_str(&w, c->name, PROG_NAME_MAX);
	if (lines)
		put_uv(&w, c->line);

	put(&w, (uint8_t)nreq);
	for (unsigned i = 0; i < nreq; i++) {
		const prog_require *r = &c->req[i];
		put(&w, r->kind);
		switch (r->kind) {
		case PROG_REQ_LINUX:
			put(&w, r->cmp);
			put_uv(&w, r->version);
			break;
		case PROG_REQ_CAP:
			put_sv(&w, r->cap);
			break;
		default:
			put_str(&w, r->name, PROG_NAME_MAX);
			break;
		}
		if (lines)
			put_uv(&w, r->line);
	}
	if (nxfail) {
		put(&w, (uint8_t)nxfail);
		for (unsigned i = 0; i < nxfail; i++) {
			put_str(&w, c->xfail[i].target, PROG_NAME_MAX);
			put_str(&w, c->xfail[i].why, PROG_XFAIL_WHY_MAX);
			if (lines)
				put_uv(&w, c->xfail[i].line);
		}
	}

	put(&w, (uint8_t)nvars);
	for (unsigned i = 0; i < nvars; i++) {
		put(&w, c->var_kind[i]);
		put_str(&w, c->var[i], PROG_NAME_MAX);
	}

	put_uv(&w, c->nsteps);
	for (uint32_t i = 0; i < c->nsteps; i++) {
		const prog_step *s = &c->steps[i];
		const prog_op_info *info = prog_op_info_get(s->op);
		unsigned nargs = info ? info->nargs : 0;
		put(&w, s->op);
		put(&w, s->proc);
		if (lines)
			put_uv(&w, s->line);
		for (unsigned a = 0; a < nargs; a++) {
			if (info->argkind[a] == PROG_ARG_STR)
				put_str(&w, s->str, PROG_STR_MAX);
			else if (info->argkind[a] == PROG_ARG_PROC)
				put(&w, s->arg[a].term[0].var);
			else
				put_expr(&w, &s->arg[a]);
		}
		const prog_result *r = &s->res;
		put(&w, r->kind);
		switch (r->kind) {
		case PROG_RES_VALUE:
			put_expr(&w, &r->value);
			break;
		case PROG_RES_ERRNO: {
			unsigned n = r->nerrno > PROG_MAX_ERRNOS ? PROG_MAX_ERRNOS : r->nerrno;
			put(&w, (uint8_t)n);
			for (unsigned e = 0; e < n; e++)
				put_uv(&w, r->errnos[e]);
			break;
		}
		case PROG_RES_SIGNAL:
			put_sv(&w, r->signo);
			put_sv(&w, r->si_code);
			break;
		case PROG_RES_BIND:
			put(&w, r->var);
			break;
		case PROG_RES_LAYOUT:
			put_str(&w, s->str, PROG_STR_MAX);
			break;
		default:
			break;
		}
	}
	return w.n;
}

/* ---------------------------------------------------------------------- */
/* Decoding                                                                */

typedef struct reader {
	const uint8_t *p, *end;
	const char *why;  /* first failure */
} reader;

static bool bad(reader *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return false;
}

static bool get(reader *r, uint8_t *b)
{
	if (r->p >= r->end)
		return bad(r, "truncated");
	*b = *r->p++;
	return true;
}

static bool get_uv(reader *r, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b;
		if (!get(r, &b))
			return false;
		if (shift == 63 && b > 1)
			return bad(r, "varint overflows 64 bits");
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		if (shift == 63)
			return bad(r, "varint overflows 64 bits");
	}
	*v = x;
	return true;
}

static bool get_sv(reader *r, int64_t *v)
{
	uint64_t u;
	if (!get_uv(r, &u))
		return false;
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return true;
}

/* A bounded count: at most max. */
static bool get_count(reader *r, uint64_t max, uint64_t *n, const char *why)
{
	if (!get_uv(r, n))
		return false;
	if (*n > max)
		return bad(r, why);
	return true;
}

static bool get_u32(reader *r, uint32_t *v)
{
	uint64_t x;
	if (!get_uv(r, &x))
		return false;
	if (x > UINT32_MAX)
		return bad(r, "value out of range");
	*v = (uint32_t)x;
	return true;
}

static bool get_i32(reader *r, int32_t *v)
{
	int64_t x;
	if (!get_sv(r, &x))
		return false;
	if (x < INT32_MIN || x > INT32_MAX)
		return bad(r, "value out of range");
	*v = (int32_t)x;
	return true;
}

/* A string of fewer than cap bytes, without NUL; stored NUL-terminated. */
static bool get_str(reader *r, char *s, size_t cap)
{
	uint64_t n;
	if (!get_count(r, cap - 1, &n, "string too long"))
		return false;
	if ((uint64_t)(r->end - r->p) < n)
		return bad(r, "truncated");
	if (memchr(r->p, '\0', (size_t)n))
		return bad(r, "NUL inside a string");
	memcpy(s, r->p, (size_t)n);
	s[n] = '\0';
	r->p += n;
	return true;
}

static bool get_expr(reader *r, prog_expr *e)
{
	uint8_t tag, b;
	int64_t k = 0;

	memset(e, 0, sizeof(*e));
	if (!get(r, &tag))
		return false;
	if (tag & ~(EX_NTERMS | EX_ARENA | EX_K))
		return bad(r, "bad expression tag");
	if ((tag & EX_NTERMS) > PROG_MAX_TERMS)
		return bad(r, "expression has too many terms");
	if (tag & EX_K) {
		if (!get_sv(r, &k))
			return false;
		if (k == 0)
			return bad(r, "non-canonical expression constant");
		e->k = (uint64_t)k;
	}
	if (tag & EX_ARENA) {
		if (!get_i32(r, &e->arena))
			return false;
		if (e->arena == 0)
			return bad(r, "non-canonical arena coefficient");
	}
	e->nterms = tag & EX_NTERMS;
	for (unsigned i = 0; i < e->nterms; i++) {
		if (!get(r, &e->term[i].var) || !get(r, &b))
			return false;
		e->term[i].coef = (int8_t)b;
	}
	return true;
}

static bool get_step(reader *r, prog_step *s, bool lines)
{
	const prog_op_info *info;
	prog_result *res = &s->res;
	uint8_t b;
	uint64_t n;

	if (!get(r, &s->op) || !get(r, &s->proc))
		return false;
	if (!(info = prog_op_info_get(s->op)))
		return bad(r, "bad op");
	if (lines && !get_u32(r, &s->line))
		return false;
	s->nargs = info->nargs;
	for (unsigned a = 0; a < info->nargs; a++) {
		if (info->argkind[a] == PROG_ARG_STR) {
			if (!get_str(r, s->str, PROG_STR_MAX))
				return false;
		} else if (info->argkind[a] == PROG_ARG_PROC) {
			if (!get(r, &b))
				return false;
			s->arg[a].nterms = 1;
			s->arg[a].term[0].var = b;
			s->arg[a].term[0].coef = 1;
		} else if (!get_expr(r, &s->arg[a])) {
			return false;
		}
	}
	if (!get(r, &res->kind))
		return false;
	switch (res->kind) {
	case PROG_RES_NONE:
	case PROG_RES_ANY:
		return true;
	case PROG_RES_VALUE:
		return get_expr(r, &res->value);
	case PROG_RES_ERRNO:
		if (!get(r, &res->nerrno))
			return false;
		if (res->nerrno > PROG_MAX_ERRNOS)
			return bad(r, "bad errno count");
		for (unsigned e = 0; e < res->nerrno; e++) {
			if (!get_count(r, UINT16_MAX, &n, "errno out of range"))
				return false;
			res->errnos[e] = (uint16_t)n;
		}
		return true;
	case PROG_RES_SIGNAL:
		return get_i32(r, &res->signo) && get_i32(r, &res->si_code);
	case PROG_RES_BIND:
		return get(r, &res->var);
	case PROG_RES_LAYOUT:
		if (prog_op_str_arg(s->op) >= 0)
			return bad(r, "layout result on an op with a string argument");
		return get_str(r, s->str, PROG_STR_MAX);
	default:
		return bad(r, "bad result kind");
	}
}

static bool get_case(reader *r, prog_case *c)
{
	uint8_t b, flags;
	uint64_t n;
	bool lines;

	for (size_t i = 0; i < 4; i++)
		if (!get(r, &b) || b != (uint8_t)MAGIC[i])
			return bad(r, "bad magic");
	if (!get(r, &b))
		return false;
	if (b != VERSION)
		return bad(r, "unsupported version");
	if (!get(r, &flags))
		return false;
	if (flags & ~(FLAG_LINES | FLAG_XFAIL))
		return bad(r, "unknown flags");
	lines = flags & FLAG_LINES;
	if (!get_str(r, c->name, sizeof(c->name)))
		return false;
	if (lines && !get_u32(r, &c->line))
		return false;

	if (!get(r, &c->nreq))
		return false;
	if (c->nreq > PROG_MAX_REQUIRES)
		return bad(r, "too many requires");
	for (unsigned i = 0; i < c->nreq; i++) {
		prog_require *q = &c->req[i];
		const char *name;
		if (!get(r, &q->kind))
			return false;
		switch (q->kind) {
		case PROG_REQ_LINUX:
			if (!get(r, &q->cmp) || !get_u32(r, &q->version))
				return false;
			break;
		case PROG_REQ_CAP:
			if (!get_i32(r, &q->cap))
				return false;
			if (!(name = prog_cap_name(q->cap)))
				return bad(r, "unknown capability");
			snprintf(q->name, sizeof(q->name), "%s", name);
			break;
		case PROG_REQ_CONFIG:
			if (!get_str(r, q->name, sizeof(q->name)))
				return false;
			break;
		default:
			return bad(r, "bad requirement kind");
		}
		if (lines && !get_u32(r, &q->line))
			return false;
	}
	if (flags & FLAG_XFAIL) {
		if (!get(r, &c->nxfail))
			return false;
		if (c->nxfail == 0 || c->nxfail > PROG_MAX_XFAILS)
			return bad(r, "bad xfail count");
		for (unsigned i = 0; i < c->nxfail; i++) {
			prog_xfail *x = &c->xfail[i];
			if (!get_str(r, x->target, sizeof(x->target)) || !get_str(r, x->why, sizeof(x->why)))
				return false;
			if (lines && !get_u32(r, &x->line))
				return false;
		}
	}

	if (!get(r, &c->nvars))
		return false;
	if (c->nvars > PROG_MAX_VARS)
		return bad(r, "too many variables");
	for (unsigned i = 0; i < c->nvars; i++)
		if (!get(r, &c->var_kind[i]) || !get_str(r, c->var[i], PROG_NAME_MAX))
			return false;

	if (!get_count(r, PROG_MAX_STEPS, &n, "too many steps"))
		return false;
	/* Every step takes at least 3 bytes: refuse to allocate for air. */
	if (n > (uint64_t)(r->end - r->p) / 3)
		return bad(r, "truncated");
	if (n) {
		c->steps = calloc((size_t)n, sizeof(*c->steps));
		if (!c->steps)
			return bad(r, "out of memory");
		c->cap_steps = (uint32_t)n;
	}
	for (uint32_t i = 0; i < n; i++) {
		c->nsteps = i + 1;
		if (!get_step(r, &c->steps[i], lines))
			return false;
	}
	if (r->p != r->end)
		return bad(r, "trailing bytes after the case");
	return true;
}

int prog_decode(const uint8_t *buf, size_t len, prog_case *out, const char **why)
{
	static const uint8_t empty[1];
	reader r = { buf ? buf : empty, buf ? buf + len : empty, NULL };
	const char *invalid;

	prog_case_init(out, NULL);
	if (!get_case(&r, out)) {
		prog_case_clear(out);
		if (why)
			*why = r.why;
		return -1;
	}
	if ((invalid = prog_case_check(out))) {
		prog_case_clear(out);
		if (why)
			*why = invalid;
		return -1;
	}
	if (why)
		*why = NULL;
	return 0;
}
