/* SPDX-License-Identifier: MIT */
/*
 * prog_parse.c: the case-file parser (grammar in docs/case-format.md).
 *
 * The language is line oriented: every line is blank, a comment, a `case`
 * header, a `requires` line or one step, so the parser works one line at a
 * time with a small hand-written lexer and a recursive-descent expression
 * parser that folds every expression into a prog_expr as it goes.
 *
 * The lexer is a pure function of (line, offset): lookahead is just lexing
 * again further on, and a lexing error is a token that carries its message,
 * reported only if the parser actually reaches it. All state lives in a
 * struct parser on the caller's stack, so parsing is reentrant. The first
 * error stops the parse; everything built so far is freed with
 * prog_file_free, so an error never leaks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "linux_abi.h"
#include "prog_int.h"

/* Parentheses and unary signs nest at most this deep (bounds the recursion). */
#define MAX_DEPTH 64

enum tok_type {
	T_EOL,     /* end of line or start of a comment */
	T_ERR,     /* a lexing error: msg and err_at say what and where */
	T_IDENT,   /* [A-Za-z_][A-Za-z0-9_]* */
	T_NUM,     /* integer with its unit applied */
	T_VAR,     /* $name (start points at the '$') */
	T_STR,     /* "..." decoded into str */
	T_LPAREN, T_RPAREN, T_COMMA, T_EQ, T_PLUS, T_MINUS, T_PIPE,
	T_LBRACK, T_RBRACK, T_QUEST,
};

typedef struct tok {
	int type;
	size_t start, end;     /* byte offsets in the line */
	uint64_t val;          /* T_NUM */
	bool unit;             /* T_NUM: written with a unit suffix */
	size_t err_at;         /* T_ERR */
	char msg[200];         /* T_ERR */
	size_t slen;           /* T_STR */
	char str[PROG_STR_MAX];
} tok;

typedef struct parser {
	const char *text;
	size_t len;
	const char *line;      /* the current line, without its '\n' */
	size_t linelen;
	uint32_t lineno;
	prog_file *file;
	prog_case *cur;        /* the case being filled; NULL before the first */
	prog_diag *diag;
	tok t;                 /* the current token */
	int depth;
} parser;

/*
 * The folded form while parsing: coefficients are kept per variable index
 * and range-checked only at the end, so `$x+$x-$x` is fine.
 */
typedef struct lin {
	uint64_t k;
	int64_t arena;
	int64_t coef[PROG_MAX_VARS];
} lin;

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

__attribute__((format(printf, 3, 4)))
static int fail(parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	p->diag->line = p->lineno;
	p->diag->col = (uint32_t)off + 1;
	va_start(ap, fmt);
	vsnprintf(p->diag->msg, sizeof(p->diag->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Writes a token's text, or a printable stand-in, for messages. */
static void describe(const parser *p, const tok *t, char *buf, size_t cap)
{
	size_t n = t->end - t->start;
	if (t->type == T_EOL) {
		snprintf(buf, cap, "the end of the line");
		return;
	}
	if (n > 40)
		n = 40;
	snprintf(buf, cap, "`%.*s%s`", (int)n, p->line + t->start,
		 t->end - t->start > n ? "..." : "");
}

/* Fails on the current token: with its lexing error if it is one. */
static int fail_tok(parser *p, const char *what)
{
	char d[64];
	if (p->t.type == T_ERR)
		return fail(p, p->t.err_at, "%s", p->t.msg);
	describe(p, &p->t, d, sizeof(d));
	return fail(p, p->t.start, "%s, found %s", what, d);
}

/* ---------------------------------------------------------------------- */
/* Lexer                                                                   */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return is_alpha(c) || is_digit(c);
}

static size_t skip_space(const parser *p, size_t pos)
{
	while (pos < p->linelen && is_space(p->line[pos]))
		pos++;
	return pos;
}

static bool at_eol(const parser *p, size_t pos)
{
	return pos >= p->linelen || p->line[pos] == '#';
}

__attribute__((format(printf, 4, 5)))
static void lex_error(tok *t, size_t at, size_t end, const char *fmt, ...)
{
	va_list ap;
	t->type = T_ERR;
	t->err_at = at;
	t->end = end;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint64_t unit_value(char c)
{
	switch (c) {
	case 'p': return LX_PAGE_SIZE;
	case 'K': return 1ULL << 10;
	case 'M': return 1ULL << 20;
	case 'G': return 1ULL << 30;
	default: return 0;
	}
}

/*
 * A number is lexed like C's pp-number: the whole run of word characters,
 * so `12abc` is one bad token instead of a number followed by a name.
 */
static void lex_number(const parser *p, size_t pos, tok *t)
{
	const char *s = p->line;
	size_t end = pos, i;
	uint64_t v = 0;

	while (end < p->linelen && is_word(s[end]))
		end++;
	t->type = T_NUM;
	t->end = end;
	if (end - pos >= 2 && s[pos] == '0' && (s[pos + 1] == 'x' || s[pos + 1] == 'X')) {
		for (i = pos + 2; i < end && hex_digit(s[i]) >= 0; i++) {
			if (v >> 60) {
				lex_error(t, pos, end, "number `%.*s` does not fit in 64 bits",
					  (int)(end - pos), s + pos);
				return;
			}
			v = v << 4 | (uint64_t)hex_digit(s[i]);
		}
		if (i == pos + 2) {
			lex_error(t, pos, end, "bad number `%.*s`: no hex digits after 0x",
				  (int)(end - pos), s + pos);
			return;
		}
	} else {
		for (i = pos; i < end && is_digit(s[i]); i++) {
			uint64_t d = (uint64_t)(s[i] - '0');
			if (v > (UINT64_MAX - d) / 10) {
				lex_error(t, pos, end, "number `%.*s` does not fit in 64 bits",
					  (int)(end - pos), s + pos);
				return;
			}
			v = v * 10 + d;
		}
		if (s[pos] == '0' && i - pos > 1) {
			lex_error(t, pos, end, "number `%.*s` has a leading zero "
				  "(octal is not supported; write it in decimal or 0x hex)",
				  (int)(i - pos), s + pos);
			return;
		}
	}
	if (i < end) {
		size_t slen = end - i;
		bool letters = true;
		for (size_t j = i; j < end; j++)
			if (!((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
				letters = false;
		if (slen == 1 && unit_value(s[i])) {
			uint64_t u = unit_value(s[i]);
			if (v > UINT64_MAX / u) {
				lex_error(t, pos, end, "`%.*s` does not fit in 64 bits",
					  (int)(end - pos), s + pos);
				return;
			}
			v *= u;
			t->unit = true;
		} else if (letters) {
			lex_error(t, i, end, "unknown unit `%.*s` (units are p, K, M and G)",
				  (int)slen, s + i);
			return;
		} else {
			lex_error(t, pos, end, "bad number `%.*s`", (int)(end - pos), s + pos);
			return;
		}
	}
	t->val = v;
}

static void lex_string(const parser *p, size_t pos, tok *t)
{
	const char *s = p->line;
	size_t i = pos + 1;

	t->slen = 0;
	for (;;) {
		if (i >= p->linelen) {
			lex_error(t, pos, i, "unterminated string");
			return;
		}
		char c = s[i];
		if (c == '"') {
			i++;
			break;
		}
		if (t->slen == PROG_STR_MAX - 1) {
			lex_error(t, pos, i, "string longer than %d bytes", PROG_STR_MAX - 1);
			return;
		}
		if (c == '\\') {
			if (i + 1 >= p->linelen) {
				lex_error(t, pos, i + 1, "unterminated string");
				return;
			}
			switch (s[i + 1]) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case 'n': c = '\n'; break;
			default:
				if ((unsigned char)s[i + 1] < 0x20 || s[i + 1] == 0x7f)
					lex_error(t, i, i + 2, "unknown escape in string "
						  "(use \\\", \\\\ or \\n)");
				else
					lex_error(t, i, i + 2, "unknown escape `\\%c` in string "
						  "(use \\\", \\\\ or \\n)", s[i + 1]);
				return;
			}
			i += 2;
		} else if ((unsigned char)c < 0x20 || c == 0x7f) {
			lex_error(t, i, i + 1, "control character 0x%02x in string "
				  "(only \\n can be escaped)", (unsigned char)c);
			return;
		} else {
			i++;
		}
		t->str[t->slen++] = c;
	}
	t->str[t->slen] = '\0';
	t->type = T_STR;
	t->end = i;
}

static void lex_var(const parser *p, size_t pos, tok *t)
{
	const char *s = p->line;
	size_t end = pos + 1;

	while (end < p->linelen && is_word(s[end]))
		end++;
	t->end = end;
	if (end == pos + 1) {
		lex_error(t, pos, end, "expected a variable name after `$`");
		return;
	}
	bool ok = (s[pos + 1] >= 'a' && s[pos + 1] <= 'z') || s[pos + 1] == '_';
	for (size_t i = pos + 2; i < end; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || s[i] == '_'))
			ok = false;
	if (!ok) {
		lex_error(t, pos, end, "bad variable name `%.*s` (use $[a-z_][a-z0-9_]*)",
			  (int)(end - pos), s + pos);
		return;
	}
	if (end - pos - 1 >= PROG_NAME_MAX) {
		lex_error(t, pos, end, "variable name longer than %d characters",
			  PROG_NAME_MAX - 1);
		return;
	}
	t->type = T_VAR;
}

/*
 * Names of flags and operations, remembered: prog_flag_lookup and
 * prog_op_lookup compare the name with every entry of their tables, and
 * the fuzz targets parse every input. A small direct-mapped cache per
 * thread keeps the answers (found or not) for names it has seen; it holds
 * only what those functions answered, so parsing means the same.
 */
#define NAME_MEMO_SIZE 128
#define NAME_MEMO_LEN 32

typedef struct name_memo {
	uint8_t len; /* 0: empty */
	bool found;
	int32_t op;
	uint64_t value;
	char name[NAME_MEMO_LEN];
} name_memo;

static _Thread_local name_memo flag_memo[NAME_MEMO_SIZE], op_memo[NAME_MEMO_SIZE];

static name_memo *memo_slot(name_memo *tab, const char *name, size_t len, bool *hit)
{
	/* Names of one namespace share their beginning: hash the end. */
	uint32_t h = (uint32_t)len * 0x9e3779b1u;
	h ^= (unsigned char)name[len - 1] * 0x85ebca6bu;
	h ^= (unsigned char)name[len / 2] * 0xc2b2ae35u;
	h ^= (unsigned char)name[(len * 3) / 4] * 0x27d4eb2fu;
	h ^= h >> 15;
	name_memo *m = &tab[h % NAME_MEMO_SIZE];
	*hit = m->len == len && memcmp(m->name, name, len) == 0;
	return m;
}

static bool flag_lookup(const char *name, size_t len, uint64_t *value)
{
	if (len == 0 || len >= NAME_MEMO_LEN)
		return prog_flag_lookup(name, len, value);
	bool hit;
	name_memo *m = memo_slot(flag_memo, name, len, &hit);
	if (!hit) {
		m->value = 0;
		m->found = prog_flag_lookup(name, len, &m->value);
		memcpy(m->name, name, len);
		m->len = (uint8_t)len;
	}
	if (m->found)
		*value = m->value;
	return m->found;
}

static int op_lookup(const char *name, size_t len)
{
	if (len == 0 || len >= NAME_MEMO_LEN)
		return prog_op_lookup(name, len);
	bool hit;
	name_memo *m = memo_slot(op_memo, name, len, &hit);
	if (!hit) {
		m->op = prog_op_lookup(name, len);
		memcpy(m->name, name, len);
		m->len = (uint8_t)len;
	}
	return m->op;
}

/* Lexes the token at or after pos. Pure: the parser is not changed. */
static void lex(const parser *p, size_t pos, tok *t)
{
	t->unit = false;
	t->val = 0;
	pos = skip_space(p, pos);
	t->start = pos;
	t->end = pos;
	if (at_eol(p, pos)) {
		t->type = T_EOL;
		return;
	}
	char c = p->line[pos];
	int pt = -1;
	switch (c) {
	case '(': pt = T_LPAREN; break;
	case ')': pt = T_RPAREN; break;
	case ',': pt = T_COMMA; break;
	case '=': pt = T_EQ; break;
	case '+': pt = T_PLUS; break;
	case '-': pt = T_MINUS; break;
	case '|': pt = T_PIPE; break;
	case '[': pt = T_LBRACK; break;
	case ']': pt = T_RBRACK; break;
	case '?': pt = T_QUEST; break;
	default: break;
	}
	if (pt >= 0) {
		t->type = pt;
		t->end = pos + 1;
	} else if (c == '"') {
		lex_string(p, pos, t);
	} else if (c == '$') {
		lex_var(p, pos, t);
	} else if (is_digit(c)) {
		lex_number(p, pos, t);
	} else if (is_alpha(c)) {
		size_t end = pos;
		while (end < p->linelen && is_word(p->line[end]))
			end++;
		t->type = T_IDENT;
		t->end = end;
	} else if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f) {
		lex_error(t, pos, pos + 1, "unexpected character `%c`", c);
	} else {
		lex_error(t, pos, pos + 1, "unexpected byte 0x%02x", (unsigned char)c);
	}
}

static void next(parser *p)
{
	lex(p, p->t.end, &p->t);
}

static bool tok_is_n(const parser *p, const tok *t, const char *word, size_t n)
{
	return t->type == T_IDENT && t->end - t->start == n &&
	       memcmp(p->line + t->start, word, n) == 0;
}

/* Whether the token is the keyword `word` (a string literal). */
#define tok_is(p, t, word) tok_is_n((p), (t), "" word, sizeof(word) - 1)

/* ---------------------------------------------------------------------- */
/* Variables                                                               */

static int var_find(const prog_case *c, const char *name, size_t len)
{
	for (int i = 0; i < c->nvars; i++)
		if (len < PROG_NAME_MAX && memcmp(c->var[i], name, len) == 0 && c->var[i][len] == '\0')
			return i;
	return -1;
}

/* Resolves the current T_VAR token to a bound variable, or fails. */
static int var_use(parser *p)
{
	const char *name = p->line + p->t.start + 1;
	size_t len = p->t.end - p->t.start - 1;
	int v = var_find(p->cur, name, len);
	if (v < 0)
		return fail(p, p->t.start, "$%.*s used before it is bound", (int)len, name);
	return v;
}

static int proc_use(parser *p)
{
	int v;
	if (p->t.type != T_VAR)
		return fail_tok(p, "expected a process variable (bound by fork() = $c)");
	v = var_use(p);
	if (v < 0)
		return -1;
	if (p->cur->var_kind[v] != PROG_VAR_PROC)
		return fail(p, p->t.start, "$%s is not a process variable "
			    "(bind one with fork() = $c)", p->cur->var[v]);
	return v;
}

/* ---------------------------------------------------------------------- */
/* Expressions                                                             */

static int parse_or(parser *p, lin *out);

static bool lin_is_const(const parser *p, const lin *l)
{
	if (l->arena)
		return false;
	for (int i = 0; i < p->cur->nvars; i++)
		if (l->coef[i])
			return false;
	return true;
}

/*
 * Only the coefficients of the case's variables are cleared: every reader
 * of a lin stops at nvars, which cannot change while one expression is
 * parsed (a binding comes after its step's expressions), and clearing all
 * 64 was a large part of the fuzz targets' parse.
 */
static void lin_const(const parser *p, lin *l, uint64_t k)
{
	size_t nv = p->cur ? p->cur->nvars : PROG_MAX_VARS;
	l->k = k;
	l->arena = 0;
	memset(l->coef, 0, nv * sizeof(l->coef[0]));
}

static void lin_add(const parser *p, lin *a, const lin *b, int sign)
{
	a->k = sign > 0 ? a->k + b->k : a->k - b->k;
	a->arena += sign * b->arena;
	for (int i = 0; i < p->cur->nvars; i++)
		a->coef[i] += sign * b->coef[i];
}

static int enter(parser *p)
{
	if (++p->depth > MAX_DEPTH)
		return fail(p, p->t.start, "expression nested more than %d deep", MAX_DEPTH);
	return 0;
}

static int parse_primary(parser *p, lin *out)
{
	tok *t = &p->t;
	const char *name = p->line + t->start;
	size_t len = t->end - t->start;
	uint64_t v;

	switch (t->type) {
	case T_NUM:
		lin_const(p, out, t->val);
		next(p);
		return 0;
	case T_LPAREN: {
		if (enter(p) < 0)
			return -1;
		next(p);
		if (parse_or(p, out) < 0)
			return -1;
		p->depth--;
		if (t->type != T_RPAREN)
			return fail_tok(p, "missing `)`");
		size_t close = t->end;
		next(p);
		/* A unit directly after `)` scales the group: (1+2)p. */
		if (t->type == T_IDENT && t->start == close) {
			name = p->line + t->start;
			len = t->end - t->start;
			if (len != 1 || !unit_value(name[0]))
				return fail(p, t->start, "unknown unit `%.*s` (units are p, K, M and G)",
					    (int)len, name);
			if (!lin_is_const(p, out))
				return fail(p, t->start, "unit needs a constant");
			out->k *= unit_value(name[0]);
			next(p);
		}
		return 0;
	}
	case T_IDENT:
		if (len == 1 && name[0] == 'A') {
			lin_const(p, out, 0);
			out->arena = 1;
		} else if (len == 4 && memcmp(name, "NULL", 4) == 0) {
			lin_const(p, out, 0);
		} else if (flag_lookup(name, len, &v)) {
			lin_const(p, out, v);
		} else if (prog_flag_prefix(name, len)) {
			return fail(p, t->start, "unknown flag `%.*s`", (int)len, name);
		} else if (prog_errno_lookup(name, len) >= 0) {
			return fail(p, t->start, "`%.*s` is an errno: an error result is "
				    "written `= -1 %.*s`", (int)len, name, (int)len, name);
		} else {
			return fail(p, t->start, "unknown name `%.*s`", (int)len, name);
		}
		next(p);
		return 0;
	case T_VAR: {
		int var = var_use(p);
		if (var < 0)
			return -1;
		if (p->cur->var_kind[var] == PROG_VAR_PROC)
			return fail(p, t->start, "$%s is a process variable; it cannot be "
				    "used in an expression", p->cur->var[var]);
		lin_const(p, out, 0);
		out->coef[var] = 1;
		next(p);
		return 0;
	}
	case T_STR:
		return fail(p, t->start, "a string is only allowed as the name argument "
			    "of memfd_create or as the layout drawing of maps");
	default:
		return fail_tok(p, "expected an expression");
	}
}

static int parse_unary(parser *p, lin *out)
{
	if (p->t.type == T_MINUS || p->t.type == T_PLUS) {
		int neg = p->t.type == T_MINUS;
		if (enter(p) < 0)
			return -1;
		next(p);
		if (parse_unary(p, out) < 0)
			return -1;
		p->depth--;
		if (neg) {
			out->k = 0 - out->k;
			out->arena = -out->arena;
			for (int i = 0; i < p->cur->nvars; i++)
				out->coef[i] = -out->coef[i];
		}
		return 0;
	}
	return parse_primary(p, out);
}

static int parse_add(parser *p, lin *out)
{
	lin rhs;
	if (parse_unary(p, out) < 0)
		return -1;
	while (p->t.type == T_PLUS || p->t.type == T_MINUS) {
		int sign = p->t.type == T_PLUS ? 1 : -1;
		next(p);
		if (parse_unary(p, &rhs) < 0)
			return -1;
		lin_add(p, out, &rhs, sign);
	}
	return 0;
}

/* `|` binds looser than `+` and `-`, as in C. */
static int parse_or(parser *p, lin *out)
{
	lin rhs;
	if (parse_add(p, out) < 0)
		return -1;
	while (p->t.type == T_PIPE) {
		size_t at = p->t.start;
		if (!lin_is_const(p, out))
			return fail(p, at, "`|` needs constant operands");
		next(p);
		if (parse_add(p, &rhs) < 0)
			return -1;
		if (!lin_is_const(p, &rhs))
			return fail(p, at, "`|` needs constant operands");
		out->k |= rhs.k;
	}
	return 0;
}

/* Folds the parsed form into a prog_expr, enforcing the representation's limits. */
static int lin_finish(parser *p, const lin *l, size_t at, prog_expr *e)
{
	memset(e, 0, sizeof(*e));
	if (l->arena < INT8_MIN || l->arena > INT8_MAX)
		return fail(p, at, "coefficient of A out of range (%d..%d)", INT8_MIN, INT8_MAX);
	e->k = l->k;
	e->arena = (int32_t)l->arena;
	for (int i = 0; i < p->cur->nvars; i++) {
		if (!l->coef[i])
			continue;
		if (e->nterms == PROG_MAX_TERMS)
			return fail(p, at, "more than %d variables in one expression",
				    PROG_MAX_TERMS);
		if (l->coef[i] < INT8_MIN || l->coef[i] > INT8_MAX)
			return fail(p, at, "coefficient of $%s out of range (%d..%d)",
				    p->cur->var[i], INT8_MIN, INT8_MAX);
		e->term[e->nterms].var = (uint8_t)i;
		e->term[e->nterms].coef = (int8_t)l->coef[i];
		e->nterms++;
	}
	return 0;
}

static int parse_expr(parser *p, prog_expr *e)
{
	lin l;
	size_t at = p->t.start;
	p->depth = 0;
	if (parse_or(p, &l) < 0)
		return -1;
	return lin_finish(p, &l, at, e);
}

/* ---------------------------------------------------------------------- */
/* Results                                                                 */

static int parse_errnos(parser *p, prog_result *r)
{
	tok *t = &p->t;
	r->kind = PROG_RES_ERRNO;
	for (;;) {
		if (t->type != T_IDENT)
			return fail_tok(p, "expected an errno name");
		int e = prog_errno_lookup(p->line + t->start, t->end - t->start);
		if (e < 0)
			return fail(p, t->start, "unknown errno `%.*s`",
				    (int)(t->end - t->start), p->line + t->start);
		if (r->nerrno == PROG_MAX_ERRNOS)
			return fail(p, t->start, "more than %d errnos in one result",
				    PROG_MAX_ERRNOS);
		r->errnos[r->nerrno++] = (uint16_t)e;
		next(p);
		if (t->type != T_PIPE)
			break;
		next(p);
	}
	/* strace's "(Cannot allocate memory)" after the errno is skipped. */
	if (t->type == T_LPAREN) {
		const char *close = memchr(p->line + t->end, ')', p->linelen - t->end);
		if (!close)
			return fail(p, t->start, "missing `)` after the error description");
		lex(p, (size_t)(close - p->line) + 1, t);
	}
	return 0;
}

static int parse_signal(parser *p, prog_result *r, int signo)
{
	tok *t = &p->t;
	const char *name = p->line + t->start;
	int len = (int)(t->end - t->start), code;

	if (!prog_signal_is_result(signo))
		return fail(p, t->start, "%.*s is not a fault a step can report "
			    "(use SIGSEGV, SIGBUS or SIGTRAP)", len, name);
	next(p);
	if (t->type != T_LPAREN)
		return fail(p, t->start, "expected `(` and an si_code after %.*s, "
			    "as in SIGSEGV(SEGV_MAPERR)", len, name);
	next(p);
	if (t->type != T_IDENT)
		return fail_tok(p, "expected an si_code");
	if (!prog_si_code_lookup(signo, p->line + t->start, t->end - t->start, &code))
		return fail(p, t->start, "unknown si_code `%.*s` for %.*s",
			    (int)(t->end - t->start), p->line + t->start, len, name);
	next(p);
	if (t->type != T_RPAREN)
		return fail_tok(p, "missing `)`");
	next(p);
	r->kind = PROG_RES_SIGNAL;
	r->signo = signo;
	r->si_code = code;
	return 0;
}

/* maps(ADDR, LEN) = "aab.cc": one character per page of the window. */
static int parse_layout(parser *p, prog_step *s, int argc, const size_t *argpos)
{
	tok *t = &p->t;
	const prog_expr *len = &s->arg[1];

	if (s->op != PROG_MAPS)
		return fail(p, t->start, "a string result is only allowed for "
			    "maps(ADDR, LEN), as a layout drawing");
	if (argc == 0)
		return fail(p, t->start, "a layout drawing needs a window: "
			    "maps(ADDR, LEN), not maps()");
	if (!prog_expr_is_const(len))
		return fail(p, argpos[1], "the LEN of maps must be a constant when a "
			    "layout drawing is given");
	if (len->k == 0 || len->k % LX_PAGE_SIZE)
		return fail(p, argpos[1], "the LEN of maps must be a nonzero multiple "
			    "of 1p when a layout drawing is given");
	for (size_t i = 0; i < t->slen; i++) {
		char c = t->str[i];
		if (c != '.' && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			/* No escape precedes the first bad character, so offsets match. */
			if ((unsigned char)c >= 0x20 && c != 0x7f)
				return fail(p, t->start + 1 + i, "bad character `%c` in "
					    "layout drawing (use letters and `.`)", c);
			return fail(p, t->start + 1 + i, "bad character in layout "
				    "drawing (use letters and `.`)");
		}
	}
	if (t->slen == 0)
		return fail(p, t->start, "empty layout drawing");
	if (len->k / LX_PAGE_SIZE != t->slen)
		return fail(p, t->start, "layout drawing has %zu pages but LEN is %llu pages",
			    t->slen, (unsigned long long)(len->k / LX_PAGE_SIZE));
	memcpy(s->str, t->str, t->slen + 1);
	s->res.kind = PROG_RES_LAYOUT;
	next(p);
	return 0;
}

static int parse_result(parser *p, prog_step *s, int argc, const size_t *argpos)
{
	tok *t = &p->t;
	prog_result *r = &s->res;
	size_t at = t->start;
	tok a, b;

	switch (t->type) {
	case T_QUEST:
		r->kind = PROG_RES_ANY;
		next(p);
		break;
	case T_STR:
		if (parse_layout(p, s, argc, argpos) < 0)
			return -1;
		break;
	case T_IDENT: {
		int signo = prog_signal_lookup(p->line + t->start, t->end - t->start);
		if (signo >= 0) {
			if (parse_signal(p, r, signo) < 0)
				return -1;
			break;
		}
		goto value;
	}
	case T_MINUS:
		/* `-1 ENOMEM`: a name right after -1 makes it an errno list. */
		lex(p, t->end, &a);
		if (a.type == T_NUM && a.val == 1 && !a.unit) {
			lex(p, a.end, &b);
			if (b.type == T_IDENT) {
				*t = b;
				if (parse_errnos(p, r) < 0)
					return -1;
				break;
			}
		}
		goto value;
	case T_VAR: {
		const char *name = p->line + t->start + 1;
		size_t len = t->end - t->start - 1;
		if (var_find(p->cur, name, len) >= 0) {
			if (s->op == PROG_FORK)
				return fail(p, at, "the result of fork() must be `?` or a new "
					    "$variable that names the child ($%.*s is already bound)",
					    (int)len, name);
			goto value;
		}
		/*
		 * `= $x+1` with $x unbound is a use before binding; anything
		 * else after a new $x is trailing garbage, reported as such.
		 */
		lex(p, t->end, &a);
		if (a.type == T_PLUS || a.type == T_MINUS || a.type == T_PIPE)
			goto value;
		if (p->cur->nvars == PROG_MAX_VARS)
			return fail(p, t->start, "more than %d variables in one case",
				    PROG_MAX_VARS);
		int v = p->cur->nvars++;
		memcpy(p->cur->var[v], name, len);
		p->cur->var[v][len] = '\0';
		p->cur->var_kind[v] = s->op == PROG_FORK ? PROG_VAR_PROC : PROG_VAR_VALUE;
		r->kind = PROG_RES_BIND;
		r->var = (uint8_t)v;
		next(p);
		break;
	}
	default:
	value:
		if (parse_expr(p, &r->value) < 0)
			return -1;
		r->kind = PROG_RES_VALUE;
		break;
	}
	if (s->op == PROG_FORK && r->kind != PROG_RES_ANY && r->kind != PROG_RES_BIND)
		return fail(p, at, "the result of fork() must be `?` or a new $variable "
			    "that names the child");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                   */

static const char *count_text(const prog_op_info *info, char *buf, size_t cap)
{
	if (info->min_args != info->nargs)
		snprintf(buf, cap, "%u or %u arguments", info->min_args, info->nargs);
	else
		snprintf(buf, cap, "%u argument%s", info->nargs, info->nargs == 1 ? "" : "s");
	return buf;
}

static int parse_step(parser *p)
{
	tok *t = &p->t;
	prog_step s;
	size_t argpos[PROG_MAX_ARGS] = { 0 };
	char cnt[40];
	int argc = 0;

	memset(&s, 0, sizeof(s));
	s.proc = PROG_ROOT;
	s.line = p->lineno;
	if (!p->cur)
		return fail(p, t->start, "step before any `case` line");
	if (t->type == T_LBRACK) {
		next(p);
		if (tok_is(p, t, "pid"))
			return fail(p, t->start, "strace's `[pid N]` prefix is not "
				    "supported: bind the child with fork() = $c and write [$c]");
		int v = proc_use(p);
		if (v < 0)
			return -1;
		s.proc = (uint8_t)v;
		next(p);
		if (t->type != T_RBRACK)
			return fail_tok(p, "expected `]`");
		next(p);
	}
	if (t->type != T_IDENT)
		return fail_tok(p, "expected an operation");
	int op = op_lookup(p->line + t->start, t->end - t->start);
	if (op < 0)
		return fail(p, t->start, "unknown operation `%.*s`",
			    (int)(t->end - t->start), p->line + t->start);
	const prog_op_info *info = prog_op_info_get(op);
	s.op = (uint8_t)op;
	s.nargs = info->nargs;
	next(p);
	if (t->type != T_LPAREN)
		return fail_tok(p, "expected `(` after the operation name");
	next(p);
	if (t->type != T_RPAREN) {
		for (;;) {
			if (argc == info->nargs)
				return fail(p, t->start, "too many arguments: %s takes %s",
					    info->name, count_text(info, cnt, sizeof(cnt)));
			argpos[argc] = t->start;
			switch (info->argkind[argc]) {
			case PROG_ARG_STR:
				if (t->type != T_STR)
					return fail_tok(p, "expected a double-quoted string");
				memcpy(s.str, t->str, t->slen + 1);
				next(p);
				break;
			case PROG_ARG_PROC: {
				int v = proc_use(p);
				if (v < 0)
					return -1;
				s.arg[argc].nterms = 1;
				s.arg[argc].term[0].var = (uint8_t)v;
				s.arg[argc].term[0].coef = 1;
				next(p);
				break;
			}
			default:
				if (parse_expr(p, &s.arg[argc]) < 0)
					return -1;
				break;
			}
			argc++;
			if (t->type == T_COMMA) {
				next(p);
				continue;
			}
			if (t->type == T_RPAREN)
				break;
			if (t->type == T_EOL)
				return fail(p, t->start, "missing `)`");
			return fail_tok(p, "expected `,` or `)`");
		}
	}
	/* Optional trailing arguments are given all together or not at all. */
	if (argc != info->nargs && argc != info->min_args)
		return fail(p, t->start, "too few arguments: %s takes %s, got %d",
			    info->name, count_text(info, cnt, sizeof(cnt)), argc);
	next(p);
	if (t->type == T_EQ) {
		next(p);
		if (parse_result(p, &s, argc, argpos) < 0)
			return -1;
	}
	if (t->type != T_EOL) {
		if (t->type == T_ERR)
			return fail(p, t->err_at, "%s", t->msg);
		char d[64];
		describe(p, t, d, sizeof(d));
		return fail(p, t->start, "unexpected %s after the %s", d,
			    s.res.kind == PROG_RES_NONE ? "call" : "result");
	}
	if (p->cur->nsteps >= PROG_MAX_STEPS)
		return fail(p, 0, "more than %d steps in one case", PROG_MAX_STEPS);
	prog_step *dst = prog_case_add_step(p->cur, op);
	if (!dst)
		return fail(p, 0, "out of memory");
	*dst = s;
	return 0;
}

/* The end of a word for messages: up to a space or a comment. */
static size_t word_end(const parser *p, size_t pos)
{
	while (pos < p->linelen && !is_space(p->line[pos]) && p->line[pos] != '#')
		pos++;
	return pos;
}

static int expect_eol(parser *p, size_t pos, const char *after)
{
	pos = skip_space(p, pos);
	if (at_eol(p, pos))
		return 0;
	size_t end = word_end(p, pos);
	if (end == pos)
		end = pos + 1;
	return fail(p, pos, "unexpected `%.*s` after %s", (int)(end - pos),
		    p->line + pos, after);
}

static int parse_case(parser *p)
{
	size_t pos = skip_space(p, p->t.end), start = pos, end;
	prog_file *f = p->file;

	if (at_eol(p, pos))
		return fail(p, pos, "expected a case name after `case`");
	end = word_end(p, pos);
	for (size_t i = start; i < end; i++) {
		char c = p->line[i];
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '_' || c == '-')) {
			if ((unsigned char)c > 0x20 && c != 0x7f)
				return fail(p, i, "bad character `%c` in case name "
					    "(names are [a-z0-9._-]+)", c);
			return fail(p, i, "bad byte 0x%02x in case name "
				    "(names are [a-z0-9._-]+)", (unsigned char)c);
		}
	}
	if (end - start >= PROG_NAME_MAX)
		return fail(p, start, "case name longer than %d characters", PROG_NAME_MAX - 1);
	if (expect_eol(p, end, "the case name") < 0)
		return -1;
	for (uint32_t i = 0; i < f->ncases; i++)
		if (strlen(f->cases[i].name) == end - start &&
		    memcmp(f->cases[i].name, p->line + start, end - start) == 0)
			return fail(p, start, "duplicate case name `%s` (first at line %u)",
				    f->cases[i].name, f->cases[i].line);
	if (f->ncases == UINT32_MAX)
		return fail(p, start, "too many cases");
	prog_case *cases = realloc(f->cases, ((size_t)f->ncases + 1) * sizeof(*cases));
	if (!cases)
		return fail(p, start, "out of memory");
	f->cases = cases;
	p->cur = &cases[f->ncases++];
	char name[PROG_NAME_MAX];
	memcpy(name, p->line + start, end - start);
	name[end - start] = '\0';
	prog_case_init(p->cur, name);
	p->cur->line = p->lineno;
	return 0;
}

/* X.Y or X.Y.Z, packed with PROG_VERSION. */
static int parse_version(parser *p, size_t pos, size_t *endp, uint32_t *version)
{
	unsigned long part[3] = { 0, 0, 0 };
	const unsigned long max[3] = { 0xffff, 0xff, 0xff };
	size_t i = pos, end = word_end(p, pos);
	int n = 0;

	for (;;) {
		size_t d = i;
		while (i < end && is_digit(p->line[i])) {
			part[n] = part[n] * 10 + (unsigned long)(p->line[i] - '0');
			if (part[n] > max[n])
				return fail(p, pos, "kernel version `%.*s` out of range "
					    "(at most 65535.255.255)", (int)(end - pos), p->line + pos);
			i++;
		}
		if (i == d)
			break;
		n++;
		if (i == end || p->line[i] != '.' || n == 3)
			break;
		i++;
	}
	if (i != end || n < 2)
		return fail(p, pos, "bad kernel version `%.*s` (expected X.Y or X.Y.Z)",
			    (int)(end - pos), p->line + pos);
	*version = PROG_VERSION(part[0], part[1], part[2]);
	*endp = end;
	return 0;
}

static int parse_requires(parser *p)
{
	static const struct {
		const char *text;
		int cmp;
	} cmps[] = { { "<=", PROG_LE }, { ">=", PROG_GE }, { "==", PROG_EQ },
		     { "<", PROG_LT }, { ">", PROG_GT } };
	prog_case *c = p->cur;
	size_t pos, wend;

	if (!c)
		return fail(p, p->t.start, "`requires` outside a case");
	if (c->nsteps > 0)
		return fail(p, p->t.start, "`requires` must come before the first step "
			    "of the case");
	if (c->nreq == PROG_MAX_REQUIRES)
		return fail(p, p->t.start, "more than %d requires lines in one case",
			    PROG_MAX_REQUIRES);
	prog_require r;
	memset(&r, 0, sizeof(r));
	r.line = p->lineno;
	pos = skip_space(p, p->t.end);
	wend = pos;
	while (wend < p->linelen && is_word(p->line[wend]))
		wend++;
	size_t wlen = wend - pos;
	const char *w = p->line + pos;
	if (wlen == 5 && memcmp(w, "linux", 5) == 0) {
		r.kind = PROG_REQ_LINUX;
		pos = skip_space(p, wend);
		size_t i;
		for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
			size_t n = strlen(cmps[i].text);
			if (p->linelen - pos >= n && memcmp(p->line + pos, cmps[i].text, n) == 0) {
				r.cmp = (uint8_t)cmps[i].cmp;
				pos += n;
				break;
			}
		}
		if (i == sizeof(cmps) / sizeof(cmps[0]))
			return fail(p, pos, "expected <, <=, ==, >= or > after `linux`");
		pos = skip_space(p, pos);
		if (at_eol(p, pos))
			return fail(p, pos, "expected a kernel version such as 6.10");
		if (parse_version(p, pos, &wend, &r.version) < 0)
			return -1;
	} else if ((wlen == 3 && memcmp(w, "cap", 3) == 0) ||
		   (wlen == 6 && memcmp(w, "config", 6) == 0)) {
		bool cap = wlen == 3;
		pos = skip_space(p, wend);
		if (at_eol(p, pos))
			return fail(p, pos, cap ? "expected a capability such as CAP_IPC_LOCK"
					       : "expected a config name such as SOFT_DIRTY");
		wend = word_end(p, pos);
		for (size_t i = pos; i < wend; i++) {
			char ch = p->line[i];
			if (!((ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '_'))
				return fail(p, i, "bad character in `%.*s` (use [A-Z0-9_])",
					    (int)(wend - pos), p->line + pos);
		}
		if (wend - pos >= PROG_NAME_MAX)
			return fail(p, pos, "name longer than %d characters", PROG_NAME_MAX - 1);
		if (cap) {
			r.kind = PROG_REQ_CAP;
			r.cap = prog_cap_lookup(p->line + pos, wend - pos);
			if (r.cap < 0)
				return fail(p, pos, "unknown capability `%.*s`",
					    (int)(wend - pos), p->line + pos);
		} else {
			r.kind = PROG_REQ_CONFIG;
		}
		memcpy(r.name, p->line + pos, wend - pos);
		r.name[wend - pos] = '\0';
	} else if (at_eol(p, pos)) {
		return fail(p, pos, "expected linux, cap or config after `requires`");
	} else {
		size_t end = word_end(p, pos);
		if (end == pos)
			end = pos + 1;
		return fail(p, pos, "unknown requirement `%.*s` (use linux, cap or config)",
			    (int)(end - pos), p->line + pos);
	}
	if (expect_eol(p, wend, "the requirement") < 0)
		return -1;
	c->req[c->nreq++] = r;
	return 0;
}

/* `xfail target GLOB  # why` (docs/case-format.md, "Expected divergences"). */
static int parse_xfail(parser *p)
{
	prog_case *c = p->cur;
	if (!c)
		return fail(p, p->t.start, "`xfail` outside a case");
	if (c->nsteps > 0)
		return fail(p, p->t.start, "`xfail` must come before the first step of the case");
	if (c->nxfail == PROG_MAX_XFAILS)
		return fail(p, p->t.start, "more than %d xfail lines in one case", PROG_MAX_XFAILS);
	size_t pos = skip_space(p, p->t.end);
	size_t wend = word_end(p, pos);
	if (wend - pos != 6 || memcmp(p->line + pos, "target", 6))
		return fail(p, pos, "expected `target` after `xfail` (xfail target GLOB  # why)");
	pos = skip_space(p, wend);
	if (at_eol(p, pos))
		return fail(p, pos, "expected a target name or glob such as qemu-user or vm:6.1.*");
	wend = word_end(p, pos);
	for (size_t i = pos; i < wend; i++) {
		unsigned char ch = (unsigned char)p->line[i];
		if (ch <= 0x20 || ch >= 0x7f)
			return fail(p, i, "bad byte 0x%02x in the target", ch);
	}
	if (wend - pos >= PROG_NAME_MAX)
		return fail(p, pos, "target longer than %d characters", PROG_NAME_MAX - 1);
	prog_xfail x;
	memset(&x, 0, sizeof(x));
	x.line = p->lineno;
	memcpy(x.target, p->line + pos, wend - pos);
	size_t end = skip_space(p, wend);
	if (end < p->linelen && p->line[end] != '#')
		return expect_eol(p, end, "the target");
	if (end < p->linelen) {
		/* The comment is the reason: trimmed, printable ASCII. */
		size_t a = skip_space(p, end + 1), b = p->linelen;
		while (b > a && is_space(p->line[b - 1]))
			b--;
		for (size_t i = a; i < b; i++) {
			unsigned char ch = (unsigned char)p->line[i];
			if (ch < 0x20 || ch >= 0x7f)
				return fail(p, i, "bad byte 0x%02x in the xfail reason", ch);
		}
		if (b - a >= PROG_XFAIL_WHY_MAX)
			return fail(p, a, "xfail reason longer than %d characters", PROG_XFAIL_WHY_MAX - 1);
		memcpy(x.why, p->line + a, b - a);
	}
	for (unsigned i = 0; i < c->nxfail; i++)
		if (!strcmp(c->xfail[i].target, x.target))
			return fail(p, pos, "duplicate xfail target `%s` (first at line %u)", x.target,
				    c->xfail[i].line);
	c->xfail[c->nxfail++] = x;
	return 0;
}

static int parse_line(parser *p)
{
	lex(p, 0, &p->t);
	if (p->t.type == T_EOL)
		return 0;
	if (tok_is(p, &p->t, "case"))
		return parse_case(p);
	if (tok_is(p, &p->t, "requires"))
		return parse_requires(p);
	if (tok_is(p, &p->t, "xfail"))
		return parse_xfail(p);
	return parse_step(p);
}

/* ---------------------------------------------------------------------- */
/* Entry points                                                            */

int prog_parse_text(const char *path, const char *text, size_t len,
		    prog_file **out, prog_diag *diag)
{
	parser p;
	size_t pos = 0;

	*out = NULL;
	memset(diag, 0, sizeof(*diag));
	if (!path)
		path = "<text>";
	/* As snprintf("%s") would, without its cost: the fuzz targets parse
	 * every input. */
	memcpy(diag->file, path, strnlen(path, sizeof(diag->file) - 1));
	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	p.diag = diag;
	p.file = calloc(1, sizeof(*p.file));
	if (!p.file || !(p.file->path = strdup(path))) {
		snprintf(diag->msg, sizeof(diag->msg), "out of memory");
		prog_file_free(p.file);
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		p.line = text + pos;
		p.linelen = end - pos;
		if (p.lineno == UINT32_MAX) {
			snprintf(diag->msg, sizeof(diag->msg), "too many lines");
			goto fail;
		}
		p.lineno++;
		if (parse_line(&p) < 0)
			goto fail;
		pos = end + 1;
	}
	*out = p.file;
	return 0;
fail:
	prog_file_free(p.file);
	return -1;
}

int prog_parse_file(const char *path, prog_file **out, prog_diag *diag)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	if (!fp)
		goto io_error;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nbuf = realloc(buf, ncap);
			if (!nbuf) {
				errno = ENOMEM;
				goto io_error;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0) {
			if (ferror(fp))
				goto io_error;
			break;
		}
	}
	fclose(fp);
	rc = prog_parse_text(path, buf, len, out, diag);
	free(buf);
	return rc;
io_error:
	memset(diag, 0, sizeof(*diag));
	snprintf(diag->file, sizeof(diag->file), "%s", path);
	snprintf(diag->msg, sizeof(diag->msg), "cannot read the file: %s", strerror(errno));
	if (fp)
		fclose(fp);
	free(buf);
	return -1;
}

void prog_file_free(prog_file *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->ncases; i++)
		prog_case_clear(&f->cases[i]);
	free(f->cases);
	free(f->path);
	free(f);
}

/* Line 0 marks an error that is about the whole file (it could not be read). */
void prog_diag_format(const prog_diag *d, char *buf, size_t cap)
{
	if (!cap)
		return;
	if (d->line == 0)
		snprintf(buf, cap, "%s: %s", d->file, d->msg);
	else
		snprintf(buf, cap, "%s:%u:%u: %s", d->file, d->line, d->col, d->msg);
}
