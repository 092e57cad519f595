/* SPDX-License-Identifier: MIT */
/*
 * check.c: runs a case against the model alone (`mmspec check`).
 *
 * Arguments are evaluated against the arena base and the variables bound so
 * far; each step goes to the oracle; each explicit expectation (`= ...`) is
 * checked against what the model did. The first unmet expectation fails the
 * case, because every later step depends on the state it left.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

const char *harness_result_name(int r)
{
	switch (r) {
	case HARNESS_PASS: return "PASS";
	case HARNESS_FAIL: return "FAIL";
	case HARNESS_SKIP: return "SKIP";
	default: return "ERROR";
	}
}

void harness_target_model(harness_target *t)
{
	memset(t, 0, sizeof(*t));
	oracle_profile_default(&t->profile);
	t->caps_available = ~0ULL;
}

static bool version_cmp(uint32_t have, int cmp, uint32_t want)
{
	switch (cmp) {
	case PROG_LT: return have < want;
	case PROG_LE: return have <= want;
	case PROG_EQ: return have == want;
	case PROG_GE: return have >= want;
	default: return have > want;
	}
}

static bool config_known(const harness_target *t, const char *name)
{
	if (!strcmp(name, "SOFT_DIRTY") || !strcmp(name, "MEM_SOFT_DIRTY"))
		return t->profile.soft_dirty;
	if (!strcmp(name, "TRANSPARENT_HUGEPAGE") || !strcmp(name, "THP"))
		return t->profile.thp;
	for (size_t i = 0; i < sizeof(t->configs) / sizeof(t->configs[0]) && t->configs[i]; i++)
		if (!strcmp(t->configs[i], name))
			return true;
	return false;
}

bool harness_requires_met(const prog_case *c, const harness_target *t, char *why, size_t cap)
{
	/* The profile's version compares with the patch level masked off when
	 * the requirement names only major.minor. */
	for (unsigned i = 0; i < c->nreq; i++) {
		const prog_require *r = &c->req[i];
		switch (r->kind) {
		case PROG_REQ_LINUX: {
			uint32_t have = t->profile.version;
			if (!(r->version & 0xff))
				have &= ~0xffu;
			if (!version_cmp(have, r->cmp, r->version)) {
				snprintf(why, cap, "requires linux %s %u.%u (target is %u.%u)",
					 (const char *[]){ "<", "<=", "==", ">=", ">" }[r->cmp],
					 r->version >> 16, (r->version >> 8) & 0xff,
					 t->profile.version >> 16, (t->profile.version >> 8) & 0xff);
				return false;
			}
			break;
		}
		case PROG_REQ_CAP:
			if (r->cap < 0 || r->cap >= 64 || !((t->caps_available >> r->cap) & 1)) {
				snprintf(why, cap, "requires cap %s, which the sandbox cannot keep here", r->name);
				return false;
			}
			break;
		case PROG_REQ_CONFIG:
			if (!config_known(t, r->name)) {
				snprintf(why, cap, "requires config %s, which the target lacks", r->name);
				return false;
			}
			break;
		}
	}
	return true;
}

/* Run structure: each maximal run of one letter is one VMA; '.' is a hole. */
bool harness_layout_equal(const char *got, const char *want)
{
	size_t n = strlen(got);
	if (n != strlen(want))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((got[i] == '.') != (want[i] == '.'))
			return false;
		if (i && got[i] != '.') {
			bool got_boundary = got[i] != got[i - 1];
			bool want_boundary = want[i] != want[i - 1];
			if (got_boundary != want_boundary)
				return false;
		}
	}
	return true;
}

/* "A+4p", "A-1p" or hex: how a value near the arena reads best. */
static void format_value(char *buf, size_t cap, uint64_t v, uint64_t arena)
{
	int64_t d = (int64_t)(v - arena);
	if (d > -(int64_t)(1ULL << 32) && d < (int64_t)(1ULL << 32) && !(d & 0xfff)) {
		if (d == 0)
			snprintf(buf, cap, "A");
		else
			snprintf(buf, cap, "A%c%" PRId64 "p", d < 0 ? '-' : '+', (d < 0 ? -d : d) >> 12);
	} else {
		snprintf(buf, cap, "0x%" PRIx64, v);
	}
}

typedef struct outcome {
	bool is_probe;            /* load/store/fetch: a fault or a value */
	int64_t ret;              /* syscall: raw return (-errno on error) */
	oracle_fault fault;       /* probe */
	uint64_t value;           /* load: the value read */
	bool has_value;           /* load succeeded */
} outcome;

static void format_outcome(char *buf, size_t cap, const outcome *o, uint64_t arena, int op)
{
	char v[64];
	if (o->is_probe) {
		if (o->fault.signo)
			snprintf(buf, cap, "= %s(%s)", prog_signal_name(o->fault.signo),
				 prog_si_code_name(o->fault.signo, o->fault.code));
		else if (o->has_value)
			snprintf(buf, cap, "= 0x%" PRIx64, o->value);
		else
			snprintf(buf, cap, "= 0");
		return;
	}
	if (o->ret < 0 && o->ret >= -4095) {
		snprintf(buf, cap, "= -1 %s", prog_errno_name((int)-o->ret));
		return;
	}
	if (op == PROG_MMAP) {
		format_value(v, sizeof(v), (uint64_t)o->ret, arena);
		snprintf(buf, cap, "= %s", v);
	} else {
		snprintf(buf, cap, "= %" PRId64, o->ret);
	}
}

static void format_expected(char *buf, size_t cap, const prog_result *r, uint64_t val, uint64_t arena)
{
	char v[64];
	switch (r->kind) {
	case PROG_RES_ERRNO: {
		size_t n = (size_t)snprintf(buf, cap, "-1 ");
		for (unsigned i = 0; i < r->nerrno && n < cap; i++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "|" : "",
					      prog_errno_name(r->errnos[i]));
		break;
	}
	case PROG_RES_SIGNAL:
		snprintf(buf, cap, "%s(%s)", prog_signal_name(r->signo),
			 prog_si_code_name(r->signo, r->si_code));
		break;
	case PROG_RES_VALUE:
		format_value(v, sizeof(v), val, arena);
		snprintf(buf, cap, "%s", v);
		break;
	default:
		snprintf(buf, cap, "a value");
	}
}

/* Checks one expectation; returns false (with a reason) when it does not hold. */
static bool expectation_holds(const prog_case *c, const prog_step *s, const outcome *o,
			      uint64_t *vals, uint64_t arena, char *why, size_t cap)
{
	const prog_result *r = &s->res;
	bool failed_call = !o->is_probe && o->ret < 0 && o->ret >= -4095;
	switch (r->kind) {
	case PROG_RES_NONE:
	case PROG_RES_ANY:
	case PROG_RES_LAYOUT:
		return true;
	case PROG_RES_BIND:
		if (failed_call || (o->is_probe && o->fault.signo)) {
			snprintf(why, cap, "expected a value to bind $%s", c->var[r->var]);
			return false;
		}
		vals[r->var] = o->is_probe ? o->value : (uint64_t)o->ret;
		return true;
	case PROG_RES_ERRNO:
		if (failed_call)
			for (unsigned i = 0; i < r->nerrno; i++)
				if (r->errnos[i] == -o->ret)
					return true;
		break;
	case PROG_RES_SIGNAL:
		if (o->is_probe && o->fault.signo == r->signo && o->fault.code == r->si_code)
			return true;
		break;
	case PROG_RES_VALUE: {
		uint64_t want = prog_eval(&r->value, arena, vals);
		if (o->is_probe) {
			if (!o->fault.signo && (o->has_value ? o->value : 0) == want)
				return true;
		} else if (!failed_call && (uint64_t)o->ret == want) {
			return true;
		}
		break;
	}
	}
	char exp[128];
	uint64_t want = r->kind == PROG_RES_VALUE ? prog_eval(&r->value, arena, vals) : 0;
	format_expected(exp, sizeof(exp), r, want, arena);
	snprintf(why, cap, "expected %s", exp);
	return false;
}

static void report(harness_case_report *out, harness_result res, uint32_t step,
		   uint32_t line, const char *fmt_a, const char *b, const char *c2)
{
	out->result = res;
	out->step = step;
	out->line = line;
	snprintf(out->message, sizeof(out->message), "%s%s%s", fmt_a, b ? b : "", c2 ? c2 : "");
}

void harness_check_case(const prog_case *c, const harness_target *t,
			harness_step_fn on_step, void *ctx, harness_case_report *out)
{
	char why[512];
	memset(out, 0, sizeof(*out));
	out->result = HARNESS_PASS;
	if (!harness_requires_met(c, t, why, sizeof(why))) {
		report(out, HARNESS_SKIP, 0, c->line, why, NULL, NULL);
		return;
	}
	/* Steps the model does not cover yet make the case a SKIP, decided up
	 * front so that nothing half-runs. */
	for (uint32_t i = 0; i < c->nsteps; i++) {
		int op = c->steps[i].op;
		if (op != PROG_MMAP && op != PROG_MUNMAP && op != PROG_MPROTECT &&
		    op != PROG_SETRLIMIT && op != PROG_LOAD && op != PROG_STORE &&
		    op != PROG_FETCH && op != PROG_MAPS && op != PROG_PAGEMAP) {
			snprintf(why, sizeof(why), "%s is not modelled yet", prog_op_info_get(op)->name);
			report(out, HARNESS_SKIP, i, c->steps[i].line, why, NULL, NULL);
			return;
		}
		if (c->steps[i].proc != PROG_ROOT) {
			report(out, HARNESS_SKIP, i, c->steps[i].line,
			       "multi-process steps are not modelled yet", NULL, NULL);
			return;
		}
	}

	oracle_world *w = oracle_world_new(&t->profile);
	if (!w) {
		report(out, HARNESS_ERROR, 0, c->line, "out of memory creating the model", NULL, NULL);
		return;
	}
	oracle_proc *root = oracle_world_root(w);
	uint64_t arena = oracle_proc_seed_default(root);
	for (unsigned i = 0; i < c->nreq; i++)
		if (c->req[i].kind == PROG_REQ_CAP)
			oracle_proc_set_cap(root, c->req[i].cap, true);

	uint64_t vals[PROG_MAX_VARS] = { 0 };
	for (uint32_t i = 0; i < c->nsteps; i++) {
		const prog_step *s = &c->steps[i];
		uint64_t a[PROG_MAX_ARGS] = { 0 };
		for (unsigned k = 0; k < s->nargs; k++)
			a[k] = prog_eval(&s->arg[k], arena, vals);
		outcome o = { 0 };
		bool layout_failed = false;
		char drawing[PROG_STR_MAX];
		switch (s->op) {
		case PROG_MMAP:
			o.ret = oracle_mmap(root, a[0], a[1], a[2], a[3], a[4], a[5], 0);
			break;
		case PROG_MUNMAP:
			o.ret = oracle_munmap(root, a[0], a[1]);
			break;
		case PROG_MPROTECT:
			o.ret = oracle_mprotect(root, a[0], a[1], a[2]);
			break;
		case PROG_SETRLIMIT:
			o.ret = oracle_setrlimit(root, a[0], a[1], a[2]);
			break;
		case PROG_LOAD:
			o.is_probe = true;
			o.fault = oracle_load(root, a[0], &o.value);
			o.has_value = !o.fault.signo;
			break;
		case PROG_STORE:
			o.is_probe = true;
			o.fault = oracle_store(root, a[0], a[1]);
			break;
		case PROG_FETCH:
			o.is_probe = true;
			o.fault = oracle_fetch(root, a[0]);
			break;
		case PROG_MAPS:
			if (s->res.kind == PROG_RES_LAYOUT) {
				uint64_t npages = a[1] >> 12;
				oracle_draw(root, a[0], npages, drawing, sizeof(drawing));
				layout_failed = !harness_layout_equal(drawing, s->str);
			}
			break;
		default:
			break;
		}
		char got[160];
		if (s->op == PROG_MAPS && s->res.kind == PROG_RES_LAYOUT)
			snprintf(got, sizeof(got), "= \"%s\"", drawing);
		else if (s->op == PROG_MAPS || s->op == PROG_PAGEMAP)
			snprintf(got, sizeof(got), "(compared with a kernel only)");
		else
			format_outcome(got, sizeof(got), &o, arena, s->op);

		bool ok = !layout_failed &&
			  expectation_holds(c, s, &o, vals, arena, why, sizeof(why));
		if (layout_failed)
			snprintf(why, sizeof(why), "expected \"%s\"", s->str);
		const char *broken = oracle_world_broken(w);
		if (on_step) {
			harness_step_event ev = { c, s, i, got, !ok, root, arena };
			on_step(&ev, ctx);
		}
		if (broken) {
			char *text = prog_step_to_string(c, s);
			char msg[768];
			snprintf(msg, sizeof(msg), "model invariant broken after `%s`: %s",
				 text ? text : "?", broken);
			free(text);
			report(out, HARNESS_ERROR, i, s->line, msg, NULL, NULL);
			break;
		}
		if (!ok) {
			char *text = prog_step_to_string(c, s);
			char msg[1024];
			snprintf(msg, sizeof(msg), "line %u: `%s`: %s, model %s", s->line,
				 text ? text : "?", why, got);
			free(text);
			report(out, HARNESS_FAIL, i, s->line, msg, NULL, NULL);
			break;
		}
	}
	oracle_world_free(w);
}
