/* SPDX-License-Identifier: MIT */
/*
 * fuzz_triage.c: what happens to a divergence once found. Reruns (how often
 * it reproduces), minimization (delta debugging over steps, then simpler
 * arguments, keeping the signature and the program valid), and export as a
 * suite case whose explicit expectations are the kernel's outcomes.
 *
 * Minimization, after Zeller and Hildebrandt's ddmin: split the steps into
 * n chunks; try each chunk alone and each complement; keep any candidate
 * that still diverges with the same signature; otherwise double n. Removing
 * steps can break a program (a $x whose binding step went, a wait() whose
 * exit() went), so every candidate is repaired first: a step that uses
 * what no longer exists goes too. Mappings the kernel placed are pinned
 * into the arena where the divergence stays (a reproducer then compares
 * their neighbours too). Then each argument is simplified (fewer
 * flag bits, a page instead of many, offsets nearer the arena, zero for
 * plain integers) as long as the signature holds, and a last pass tries
 * removing steps one by one.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"

/* ---- reruns ---- */

bool fuzz_same_divergence(fuzz_diff *d, const prog_case *c, const char *signature)
{
	harness_case_report rep;
	harness_divergence div;
	return fuzz_diff_run(d, c, &rep, &div) == HARNESS_FAIL && !strcmp(div.signature, signature);
}

int fuzz_rerun(fuzz_diff *d, const prog_case *c, const char *signature, int n)
{
	int hits = 0;
	for (int i = 0; i < n; i++)
		hits += fuzz_same_divergence(d, c, signature);
	return hits;
}

/* ---- building candidates ---- */

static bool expr_uses_unbound(const prog_expr *e, const bool *bound)
{
	for (unsigned t = 0; t < e->nterms; t++)
		if (!bound[e->term[t].var])
			return true;
	return false;
}

/*
 * Copies the steps of src marked in keep[] into dst, dropping (and
 * unmarking) every kept step that needs something no longer there: a
 * variable whose binding step went, a process whose fork() went or that
 * has exited, a wait() without its exit(). Returns 0, or -1 on OOM.
 */
static int build_candidate(const prog_case *src, bool *keep, prog_case *dst)
{
	bool bound[PROG_MAX_VARS] = { false }, exited[PROG_MAX_VARS] = { false };
	prog_case_clear(dst);
	prog_case_init(dst, src->name);
	dst->line = src->line;
	dst->nreq = src->nreq;
	memcpy(dst->req, src->req, sizeof(src->req));
	dst->nvars = src->nvars;
	memcpy(dst->var, src->var, sizeof(src->var));
	memcpy(dst->var_kind, src->var_kind, sizeof(src->var_kind));
	for (uint32_t i = 0; i < src->nsteps; i++) {
		if (!keep[i])
			continue;
		const prog_step *s = &src->steps[i];
		bool ok = true;
		if (s->proc != PROG_ROOT && (!bound[s->proc] || exited[s->proc]))
			ok = false;
		for (unsigned a = 0; a < s->nargs && ok; a++)
			if (prog_op_info_get(s->op)->argkind[a] == PROG_ARG_PROC) {
				uint8_t v = s->arg[a].term[0].var;
				ok = s->arg[a].nterms && bound[v] && exited[v];
			} else if (expr_uses_unbound(&s->arg[a], bound)) {
				ok = false;
			}
		if (ok && s->res.kind == PROG_RES_VALUE && expr_uses_unbound(&s->res.value, bound))
			ok = false;
		if (!ok) {
			keep[i] = false;
			continue;
		}
		prog_step *n = prog_case_add_step(dst, s->op);
		if (!n)
			return -1;
		*n = *s;
		if (s->res.kind == PROG_RES_BIND)
			bound[s->res.var] = true;
		if (s->op == PROG_EXIT && s->proc != PROG_ROOT)
			exited[s->proc] = true;
		if (s->op == PROG_WAIT)
			bound[s->arg[0].term[0].var] = false; /* reaped: gone for good */
	}
	return 0;
}

static int normalize(prog_case *c);

typedef struct minimizer {
	fuzz_diff *d;
	const char *sig;
	uint32_t runs, budget;
	double deadline;          /* CLOCK_MONOTONIC seconds; 0: none */
	const volatile int *cancel;
	void (*progress)(void *arg, const prog_case *best, uint32_t runs);
	void *progress_arg;
	prog_case cand;
} minimizer;

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool out_of_budget(const minimizer *m)
{
	return m->runs >= m->budget || (m->cancel && *m->cancel) ||
	       (m->deadline > 0 && mono_s() > m->deadline);
}

/* Whether c still diverges the same way (one run on the kernel). */
static bool interesting(minimizer *m, const prog_case *c)
{
	char why[256];
	uint32_t bad;
	if (out_of_budget(m) || !harness_program_valid(c, why, sizeof(why), &bad))
		return false;
	m->runs++;
	if (getenv("MMSPEC_MINIMIZE_DEBUG")) {
		harness_case_report rep;
		harness_divergence div;
		harness_result r = fuzz_diff_run(m->d, c, &rep, &div);
		char *t = prog_case_to_string(c);
		fprintf(stderr, "--- %s %s %s\n%s", harness_result_name(r), div.signature, rep.message, t);
		free(t);
	}
	bool same = fuzz_same_divergence(m->d, c, m->sig);
	if (m->progress)
		m->progress(m->progress_arg, NULL, m->runs);
	return same;
}

/* The best program changed: tell the caller (it may keep it). */
static void improved(const minimizer *m, const prog_case *best)
{
	if (m->progress)
		m->progress(m->progress_arg, best, m->runs);
}

/*
 * Tries keep[] (with repair); on success the best program becomes the
 * candidate and the kept indices are compacted into idx. Returns true when
 * the candidate still diverges.
 */
static bool try_keep(minimizer *m, prog_case *best, bool *keep)
{
	if (build_candidate(best, keep, &m->cand) || normalize(&m->cand))
		return false;
	if (m->cand.nsteps == best->nsteps || !interesting(m, &m->cand))
		return false;
	prog_case tmp = *best;
	*best = m->cand;
	m->cand = tmp;
	improved(m, best);
	return true;
}

/* ddmin over the steps of best (in place). */
static void ddmin_steps(minimizer *m, prog_case *best)
{
	uint32_t n = 2;
	while (best->nsteps >= 2 && !out_of_budget(m)) {
		uint32_t len = best->nsteps;
		if (n > len)
			n = len;
		bool reduced = false;
		bool *keep = calloc(len, sizeof(bool));
		if (!keep)
			return;
		/* Each chunk alone, then each complement. */
		for (int pass = 0; pass < 2 && !reduced; pass++) {
			for (uint32_t k = 0; k < n && !reduced && !out_of_budget(m); k++) {
				uint32_t lo = (uint32_t)((uint64_t)len * k / n), hi = (uint32_t)((uint64_t)len * (k + 1) / n);
				for (uint32_t i = 0; i < len; i++) {
					bool in = i >= lo && i < hi;
					keep[i] = pass == 0 ? in : !in;
				}
				if (try_keep(m, best, keep)) {
					reduced = true;
					n = pass == 0 ? 2 : (n > 2 ? n - 1 : 2);
				}
			}
		}
		free(keep);
		if (reduced)
			continue;
		if (n >= len)
			break;
		n = n * 2 < len ? n * 2 : len;
	}
}

/* One step at a time, from the end (later steps depend on earlier ones). */
static bool remove_one_by_one(minimizer *m, prog_case *best)
{
	bool any = false;
	for (uint32_t i = best->nsteps; i-- > 0 && !out_of_budget(m);) {
		if (i >= best->nsteps)
			continue;
		bool *keep = malloc(best->nsteps * sizeof(bool));
		if (!keep)
			return any;
		for (uint32_t j = 0; j < best->nsteps; j++)
			keep[j] = j != i;
		if (try_keep(m, best, keep))
			any = true;
		free(keep);
	}
	return any;
}

/* ---- simpler arguments ---- */

static bool expr_const(const prog_expr *e)
{
	return !e->arena && !e->nterms;
}

/* Candidate replacements for one argument, simplest first; returns how many. */
static int simpler_values(int kind, const prog_expr *e, prog_expr *out, int cap)
{
	int n = 0;
#define ADD(x)                                                     \
	do {                                                       \
		prog_expr v_ = (x);                                \
		if (n < cap && memcmp(&v_, e, sizeof(v_)))         \
			out[n++] = v_;                             \
	} while (0)
	prog_expr v = *e;
	switch (kind) {
	case PROG_ARG_LEN:
		if (expr_const(e) && e->k > 4096) {
			v.k = 4096;
			ADD(v);
			v.k = (e->k / 2 + 4095) & ~4095ULL;
			ADD(v);
			v.k = e->k - 4096;
			ADD(v);
		}
		break;
	case PROG_ARG_ADDR: {
		int64_t off = (int64_t)e->k;
		if (e->arena || e->nterms) {
			/* Nearer the arena or the variable: the offset toward 0. */
			if (off != 0) {
				v.k = 0;
				ADD(v);
				v.k = (uint64_t)(off / 2 / 4096 * 4096);
				ADD(v);
				v.k = (uint64_t)(off > 0 ? off - 4096 : off + 4096);
				if ((off > 0) == ((int64_t)v.k > 0))
					ADD(v);
			}
		}
		break;
	}
	case PROG_ARG_PROT:
	case PROG_ARG_MAP:
	case PROG_ARG_MLOCK:
	case PROG_ARG_MREMAP:
	case PROG_ARG_MCL:
	case PROG_ARG_MFD:
		if (expr_const(e))
			for (int b = 63; b >= 0; b--)
				if ((e->k >> b) & 1) {
					v = *e;
					v.k &= ~(1ULL << b);
					ADD(v);
				}
		break;
	case PROG_ARG_VALUE:
		if (expr_const(e) && e->k > 1) {
			v.k = 1;
			ADD(v);
		}
		break;
	default:
		break;
	}
#undef ADD
	return n;
}

static bool simplify_args(minimizer *m, prog_case *best)
{
	bool any = false;
	for (uint32_t i = 0; i < best->nsteps && !out_of_budget(m); i++) {
		const prog_op_info *oi = prog_op_info_get(best->steps[i].op);
		for (unsigned a = 0; a < oi->nargs && !out_of_budget(m); a++) {
			prog_expr alts[70];
			int na = simpler_values(oi->argkind[a], &best->steps[i].arg[a], alts, 70);
			for (int q = 0; q < na && !out_of_budget(m); q++) {
				prog_expr old = best->steps[i].arg[a];
				best->steps[i].arg[a] = alts[q];
				if (interesting(m, best)) {
					any = true;
					improved(m, best);
					/* Keep going from the new value: it may simplify further. */
					na = simpler_values(oi->argkind[a], &best->steps[i].arg[a], alts, 70);
					q = -1;
				} else {
					best->steps[i].arg[a] = old;
				}
			}
		}
	}
	return any;
}

/*
 * A store that only faults its page in before a fork() can often go, with
 * MAP_POPULATE on the private mapping that made the page: one step fewer.
 * Tries, for each store, each earlier private mmap() without MAP_POPULATE.
 */
static bool fold_stores(minimizer *m, prog_case *best)
{
	bool any = false;
	for (uint32_t i = 0; i < best->nsteps && !out_of_budget(m); i++) {
		if (best->steps[i].op != PROG_STORE)
			continue;
		for (uint32_t j = i; j-- > 0 && !out_of_budget(m);) {
			const prog_step *s = &best->steps[j];
			uint64_t f = s->arg[3].k;
			if (s->op != PROG_MMAP || s->arg[3].nterms || s->arg[3].arena ||
			    (f & LX_MAP_TYPE) != LX_MAP_PRIVATE || (f & LX_MAP_POPULATE) || s->proc != best->steps[i].proc)
				continue;
			bool *keep = malloc(best->nsteps * sizeof(bool));
			if (!keep)
				return any;
			for (uint32_t q = 0; q < best->nsteps; q++)
				keep[q] = q != i;
			if (!build_candidate(best, keep, &m->cand) && !normalize(&m->cand) &&
			    m->cand.nsteps == best->nsteps - 1) {
				m->cand.steps[j].arg[3].k |= LX_MAP_POPULATE;
				if (interesting(m, &m->cand)) {
					prog_case tmp = *best;
					*best = m->cand;
					m->cand = tmp;
					any = true;
					improved(m, best);
					free(keep);
					i = (uint32_t)-1; /* indices moved: start over */
					break;
				}
			}
			free(keep);
		}
	}
	return any;
}

/*
 * A mapping the kernel placed (mmap without MAP_FIXED) lands wherever the
 * kernel likes, next to neighbours the model only knows by their bounds, so
 * a reproducer can compare only the step's own pages there. Pinned into the
 * arena with MAP_FIXED (each at its own 16 MiB slot, 512 MiB above A, away
 * from the arena-relative steps) the same divergence is compared whole,
 * neighbours included: try each such mmap, keep it where the signature holds.
 */
static bool pin_to_arena(minimizer *m, prog_case *best)
{
	bool any = false;
	uint32_t slot = 0;
	for (uint32_t i = 0; i < best->nsteps && !out_of_budget(m); i++) {
		prog_step *s = &best->steps[i];
		if (s->op != PROG_MMAP || !expr_const(&s->arg[0]) || !expr_const(&s->arg[3]) ||
		    (s->arg[3].k & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)))
			continue;
		prog_expr old_addr = s->arg[0], old_flags = s->arg[3];
		s->arg[0] = (prog_expr){ .k = (512ULL << 20) + (uint64_t)slot++ * (16ULL << 20), .arena = 1 };
		s->arg[3].k |= LX_MAP_FIXED;
		if (interesting(m, best)) {
			any = true;
			improved(m, best);
		} else {
			s->arg[0] = old_addr;
			s->arg[3] = old_flags;
		}
	}
	return any;
}

/* Reparses the printed program: fresh line numbers, variables in order. */
static int normalize(prog_case *c)
{
	char *text = prog_case_to_string(c);
	if (!text)
		return -1;
	prog_file *f = NULL;
	prog_diag dg;
	int rc = prog_parse_text("minimized", text, strlen(text), &f, &dg);
	free(text);
	if (rc || f->ncases != 1) {
		prog_file_free(f);
		return -1;
	}
	prog_case tmp;
	prog_case_init(&tmp, c->name);
	if (prog_case_copy(&tmp, &f->cases[0])) {
		prog_file_free(f);
		return -1;
	}
	prog_file_free(f);
	prog_case_clear(c);
	*c = tmp;
	return 0;
}

int fuzz_minimize(fuzz_diff *d, const prog_case *c, const char *signature,
		  const fuzz_minimize_opts *opts, prog_case *out, fuzz_minimize_stats *st)
{
	minimizer m = { .d = d, .sig = signature, .budget = 4000 };
	if (opts && opts->max_runs)
		m.budget = opts->max_runs;
	if (opts && opts->max_seconds > 0)
		m.deadline = mono_s() + opts->max_seconds;
	if (opts) {
		m.cancel = opts->cancel;
		m.progress = opts->progress;
		m.progress_arg = opts->progress_arg;
	}
	prog_case_init(&m.cand, c->name);
	prog_case best;
	prog_case_init(&best, c->name);
	if (prog_case_copy(&best, c))
		return -1;
	/* Expectations other than bindings only stop the comparison early. */
	for (uint32_t i = 0; i < best.nsteps; i++)
		if (best.steps[i].res.kind != PROG_RES_BIND)
			best.steps[i].res.kind = PROG_RES_NONE;
	if (st)
		memset(st, 0, sizeof(*st));
	uint32_t before = best.nsteps;
	bool ok = interesting(&m, &best);
	if (ok) {
		/* Nothing after the divergent step matters (unless it is the
		 * final layout's). */
		harness_case_report rep;
		harness_divergence div;
		if (fuzz_diff_run(d, &best, &rep, &div) == HARNESS_FAIL && div.step + 1 < best.nsteps) {
			bool *keep = malloc(best.nsteps * sizeof(bool));
			if (keep) {
				for (uint32_t i = 0; i < best.nsteps; i++)
					keep[i] = i <= div.step;
				try_keep(&m, &best, keep);
				free(keep);
			}
		}
		ddmin_steps(&m, &best);
		pin_to_arena(&m, &best);
		for (int round = 0; round < 3 && !out_of_budget(&m); round++) {
			bool a = simplify_args(&m, &best);
			bool b = remove_one_by_one(&m, &best);
			bool f = fold_stores(&m, &best);
			if (!a && !b && !f)
				break;
		}
	}
	prog_case_clear(&m.cand);
	if (st) {
		st->runs = m.runs;
		st->steps_before = before;
		st->steps_after = best.nsteps;
		st->reproduced = ok;
		st->budget_hit = out_of_budget(&m);
		st->cancelled = m.cancel && *m.cancel;
	}
	normalize(&best);
	*out = best;
	return ok ? 0 : 1;
}

/* ---- export as a suite case ---- */

void fuzz_case_name(const char *signature, char *buf, size_t cap)
{
	size_t n = 0;
	bool dash = false;
	for (const char *p = signature; *p && n + 1 < cap; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_') {
			buf[n++] = ch;
			dash = false;
		} else if (!dash && n) {
			buf[n++] = '-';
			dash = true;
		}
	}
	while (n && buf[n - 1] == '-')
		n--;
	if (!n && cap > 5)
		n = (size_t)snprintf(buf, cap, "case");
	buf[n] = 0;
}

static bool is_err(int64_t r)
{
	return r < 0 && r >= -4095;
}

/* An expression for a kernel address: A+Np near the arena, else false. */
static bool arena_expr(uint64_t v, uint64_t arena, prog_expr *e)
{
	int64_t off = (int64_t)(v - arena);
	if (off <= -(int64_t)(1ULL << 32) || off >= (int64_t)(1ULL << 32))
		return false;
	memset(e, 0, sizeof(*e));
	e->arena = 1;
	e->k = (uint64_t)off;
	return true;
}

static void const_expr(prog_expr *e, uint64_t v)
{
	memset(e, 0, sizeof(*e));
	e->k = v;
}

/* The kernel's outcome of a step as an explicit expectation. */
static void kernel_expectation(prog_step *s, const exec_step_obs *o, uint64_t arena)
{
	prog_result *r = &s->res;
	if (r->kind == PROG_RES_BIND)
		return;
	memset(r, 0, sizeof(*r));
	switch (s->op) {
	case PROG_LOAD:
	case PROG_STORE:
	case PROG_FETCH:
		if (o->signo) {
			r->kind = PROG_RES_SIGNAL;
			r->signo = o->signo;
			r->si_code = o->code;
		} else {
			r->kind = PROG_RES_VALUE;
			const_expr(&r->value, s->op == PROG_LOAD ? o->value : 0);
		}
		return;
	case PROG_MAPS:
	case PROG_PAGEMAP:
	case PROG_FORK:
	case PROG_EXIT:
	case PROG_BRK:
		return;
	default:
		break;
	}
	if (is_err(o->ret)) {
		r->kind = PROG_RES_ERRNO;
		r->nerrno = 1;
		r->errnos[0] = (uint16_t)-o->ret;
		return;
	}
	if (s->op == PROG_MMAP || s->op == PROG_MREMAP) {
		if (arena_expr((uint64_t)o->ret, arena, &r->value))
			r->kind = PROG_RES_VALUE;
		return;
	}
	r->kind = PROG_RES_VALUE;
	const_expr(&r->value, (uint64_t)o->ret);
}

/* Draws the kernel's VMAs over [lo, lo + n pages). */
static void draw(const exec_vma *v, uint32_t nv, uint64_t lo, uint64_t n, char *buf)
{
	memset(buf, '.', n);
	buf[n] = 0;
	int letter = 0;
	for (uint32_t i = 0; i < nv; i++) {
		if (v[i].end <= lo || v[i].start >= lo + n * 4096)
			continue;
		char ch = "abcdefghijklmnopqrstuvwxyz"[letter++ % 26];
		for (uint64_t a = v[i].start > lo ? v[i].start : lo; a < v[i].end && a < lo + n * 4096; a += 4096)
			buf[(a - lo) >> 12] = ch;
	}
}

int fuzz_export_case(FILE *out, fuzz_diff *d, const prog_case *c, const char *name,
		     const char *comment, char *err, size_t cap)
{
	harness_case_report rep;
	harness_divergence div;
	harness_result res = fuzz_diff_run(d, c, &rep, &div);
	if (res == HARNESS_SKIP || res == HARNESS_ERROR) {
		snprintf(err, cap, "the case did not run on the kernel (%s): %s", harness_result_name(res),
			 rep.message);
		return -1;
	}
	const exec_obs *o = fuzz_diff_last_obs(d);
	prog_case e;
	prog_case_init(&e, name);
	e.nreq = c->nreq;
	memcpy(e.req, c->req, sizeof(c->req));
	e.nvars = c->nvars;
	memcpy(e.var, c->var, sizeof(c->var));
	memcpy(e.var_kind, c->var_kind, sizeof(c->var_kind));
	bool layout = res == HARNESS_FAIL && !strcmp(div.field, "layout");
	for (uint32_t i = 0; i < c->nsteps; i++) {
		prog_step *s = prog_case_add_step(&e, c->steps[i].op);
		if (!s) {
			prog_case_clear(&e);
			snprintf(err, cap, "out of memory");
			return -1;
		}
		*s = c->steps[i];
		if (i < o->steps_done && o->step[i].done)
			kernel_expectation(s, &o->step[i], o->arena);
		/* The kernel's layout where the model's differed. */
		uint64_t a[PROG_MAX_ARGS] = { 0 }, lo, hi;
		const exec_step_obs *so = &o->step[i];
		if (!layout || i != div.step || !so->done || !so->layout_taken)
			continue;
		for (unsigned q = 0; q < s->nargs; q++)
			a[q] = prog_eval(&s->arg[q], o->arena, o->vals);
		if (so->layout_full) {
			/* maps(): the arena's part of the whole layout. */
			lo = o->arena;
			hi = o->arena;
			for (uint32_t v = 0; v < so->layout_count; v++) {
				const exec_vma *x = &o->vma[so->layout_first + v];
				if (x->end > o->arena && x->start < o->arena + (1ULL << 30) && x->end > hi)
					hi = x->end;
			}
		} else if (!exec_step_window(s, a, so->ret, &lo, &hi)) {
			continue;
		}
		uint64_t pages = (hi - lo) >> 12;
		prog_expr at;
		if (!pages || pages >= PROG_STR_MAX || !arena_expr(lo, o->arena, &at))
			continue;
		prog_step *m = prog_case_add_step(&e, PROG_MAPS);
		if (!m)
			break;
		m->proc = s->proc;
		m->arg[0] = at;
		const_expr(&m->arg[1], pages << 12);
		m->res.kind = PROG_RES_LAYOUT;
		draw(&o->vma[so->layout_first], so->layout_count, lo, pages, m->str);
	}
	if (comment)
		for (const char *p = comment; *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(out, "# %.*s\n", (int)n, p);
			p += n + (nl ? 1 : 0);
		}
	prog_print_case(out, &e);
	prog_case_clear(&e);
	return 0;
}
