/* SPDX-License-Identifier: MIT */
/*
 * check.c: runs a case against the model, alone (`mmspec check`) or side by
 * side with what the kernel did (`mmspec run`).
 *
 * Arguments are evaluated against the arena base and the variables bound so
 * far; each step goes to the oracle; each explicit expectation (`= ...`) is
 * checked. With a kernel run, each step's outcome and the layout around it
 * are compared with the model's. The first unmet expectation or divergence
 * decides the case, because every later step depends on the state it left.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

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

void harness_target_from_exec(harness_target *t, const exec_target_info *in)
{
	harness_target_model(t);
	oracle_profile *p = &t->profile;
	p->version = in->version;
	p->dac_mmap_min_addr = in->mmap_min_addr;
	p->mmap_min_addr = in->mmap_min_effective > in->mmap_min_addr ? in->mmap_min_effective
								       : in->mmap_min_addr;
	p->max_map_count = in->max_map_count;
	p->overcommit_memory = in->overcommit_memory;
	if (in->commit_guess_pages)
		p->commit_guess_pages = in->commit_guess_pages;
	p->swap = in->swap_pages != 0;
	p->ksm = in->ksm;
	p->memory_failure = in->memory_failure;
	p->maybe_guard = in->maybe_guard;
	p->thp = in->thp;
	p->soft_dirty = in->soft_dirty;
	p->hugepage_sizes = in->hugepage_sizes;
	p->hugepages_free_2m = in->hugepages_free_2m;
	/* Only a root executor can hand capabilities to the sandbox. */
	t->caps_available = in->privileged ? in->cap_bounding : 0;
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

/* A config fact the profile knows: 1 or 0; -1 when the name is not one. */
static int config_fact(const harness_target *t, const char *name)
{
	if (!strcmp(name, "SOFT_DIRTY") || !strcmp(name, "MEM_SOFT_DIRTY"))
		return t->profile.soft_dirty;
	if (!strcmp(name, "TRANSPARENT_HUGEPAGE") || !strcmp(name, "THP"))
		return t->profile.thp;
	if (!strcmp(name, "KSM"))
		return t->profile.ksm;
	if (!strcmp(name, "MEMORY_FAILURE"))
		return t->profile.memory_failure;
	/* Guard regions mark their VMA VM_MAYBE_GUARD ("gu"): 6.19, some 6.18 builds. */
	if (!strcmp(name, "MAYBE_GUARD"))
		return t->profile.maybe_guard;
	/* An active swap device: reclaim (MADV_PAGEOUT) can swap anonymous pages out. */
	if (!strcmp(name, "SWAP"))
		return t->profile.swap;
	/* A 1 GiB hstate exists (the CPU has gigantic pages: pdpe1gb). */
	if (!strcmp(name, "HUGETLB_1G"))
		return (t->profile.hugepage_sizes >> 30) & 1;
	/* A 2 MiB hugetlb pool exists and has no free page. */
	if (!strcmp(name, "HUGETLB_EMPTY_POOL"))
		return ((t->profile.hugepage_sizes >> 21) & 1) && !t->profile.hugepages_free_2m;
	return -1;
}

static bool config_known(const harness_target *t, const char *name)
{
	int f = config_fact(t, name);
	if (f >= 0)
		return f;
	/* NOSWAP, NOMEMORY_FAILURE, ...: a known fact that does not hold. */
	if (!strncmp(name, "NO", 2) && (f = config_fact(t, name + 2)) >= 0)
		return !f;
	for (size_t i = 0; i < sizeof(t->configs) / sizeof(t->configs[0]) && t->configs[i]; i++)
		if (!strcmp(t->configs[i], name))
			return true;
	return false;
}

bool harness_requires_met(const prog_case *c, const harness_target *t, char *why, size_t cap)
{
	for (unsigned i = 0; i < c->nreq; i++) {
		const prog_require *r = &c->req[i];
		switch (r->kind) {
		case PROG_REQ_LINUX: {
			/* A requirement naming only major.minor ignores the patch level. */
			uint32_t have = t->profile.version;
			if (!(r->version & 0xff))
				have &= ~0xffu;
			if (!version_cmp(have, r->cmp, r->version)) {
				static const char *ops[] = { "<", "<=", "==", ">=", ">" };
				snprintf(why, cap, "requires linux %s %u.%u (target is %u.%u)", ops[r->cmp],
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
		if (i && got[i] != '.' && (got[i] != got[i - 1]) != (want[i] != want[i - 1]))
			return false;
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

/* What one side did at one step. */
typedef struct outcome {
	bool is_probe;            /* load/store/fetch: a fault or a value */
	int64_t ret;              /* syscall: raw return (-errno on error) */
	int signo, code;          /* probe */
	uint64_t addr;            /* probe: si_addr */
	uint64_t value;           /* load: the value read */
	bool has_value;
} outcome;

static bool is_err(int64_t r) { return r < 0 && r >= -4095; }

static void format_outcome(char *buf, size_t cap, const outcome *o, uint64_t arena, int op)
{
	char v[64];
	if (o->is_probe) {
		if (o->signo)
			snprintf(buf, cap, "= %s(%s)", prog_signal_name(o->signo),
				 prog_si_code_name(o->signo, o->code));
		else if (o->has_value)
			snprintf(buf, cap, "= 0x%" PRIx64, o->value);
		else
			snprintf(buf, cap, "= 0");
		return;
	}
	if (is_err(o->ret)) {
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
		if (val < 4096)
			snprintf(buf, cap, "%" PRIu64, val);
		else
			format_value(buf, cap, val, arena);
		break;
	default:
		snprintf(buf, cap, "a value");
	}
}

/* Whether an outcome meets the step's explicit expectation. */
static bool expectation_holds(const prog_step *s, const outcome *o, const uint64_t *vals,
			      uint64_t arena)
{
	const prog_result *r = &s->res;
	bool failed_call = !o->is_probe && is_err(o->ret);
	switch (r->kind) {
	case PROG_RES_NONE:
	case PROG_RES_ANY:
	case PROG_RES_LAYOUT:
		return true;
	case PROG_RES_BIND:
		/* "= $x binds $x on first use" (the contract): whatever the call
		 * returned, a failure's raw -errno too, since the model and the
		 * kernel are compared anyway. Only a fork() must succeed (its
		 * variable names a process) and a faulting probe has no value. */
		return !(failed_call && s->op == PROG_FORK) && !(o->is_probe && o->signo);
	case PROG_RES_ERRNO:
		if (failed_call)
			for (unsigned i = 0; i < r->nerrno; i++)
				if (r->errnos[i] == -o->ret)
					return true;
		return false;
	case PROG_RES_SIGNAL:
		return o->is_probe && o->signo == r->signo && o->code == r->si_code;
	case PROG_RES_VALUE: {
		uint64_t want = prog_eval(&r->value, arena, vals);
		if (o->is_probe)
			return !o->signo && (o->has_value ? o->value : 0) == want;
		return !failed_call && (uint64_t)o->ret == want;
	}
	}
	return false;
}

/* The state of one case run. */
typedef struct run {
	const prog_case *c;
	const harness_target *t;
	const harness_kernel *k;   /* NULL: model only */
	oracle_world *w;
	oracle_proc *root;
	oracle_proc *procs[PROG_MAX_VARS]; /* the processes fork() bound, by variable */
	/* Kernel PFNs and model frames seen since the last step that could free
	 * a page: a one-to-one map, so that sharing (COW after fork, the zero
	 * page) must agree on both sides. A freed page's PFN may come back for
	 * an unrelated page, so the map only spans such quiet stretches. */
	uint8_t mincore[EXEC_PAGEMAP_STEP];  /* the model's last mincore() vector */
	uint32_t npfn;
	oracle_proc *cur;                  /* the process the current step runs in */
	uint64_t arena;
	uint64_t vals[PROG_MAX_VARS];
	harness_case_report *out;
	harness_divergence *div;
	/* The first step that aimed a change at the executor's own memory
	 * (step_hits_executor), UINT32_MAX if none, and what it hit. */
	uint32_t hit_step;
	char hit_what[160];
	/* Last, and not zeroed when a case starts (12 KiB per case, most of
	 * a fuzz program's set-up): only the first npfn entries are read. */
	uint64_t pfn[1024];
	uint32_t frame[1024];
} run;

static void fail(run *r, harness_result res, uint32_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(run *r, harness_result res, uint32_t i, const char *fmt, ...)
{
	va_list ap;
	r->out->result = res;
	r->out->step = i;
	r->out->line = i < r->c->nsteps ? r->c->steps[i].line : r->c->line;
	va_start(ap, fmt);
	vsnprintf(r->out->message, sizeof(r->out->message), fmt, ap);
	va_end(ap);
}

/* Seeds the model with the sandbox's initial layout and limits. */
static void seed_from_kernel(run *r)
{
	const exec_target_info *in = r->k->info;
	for (uint32_t i = 0; i < in->nvmas; i++) {
		const exec_vma *v = &in->vma[i];
		oracle_vma_info s = { .start = v->start, .end = v->end };
		s.flags = v->vmflags;
		if (!s.flags)
			s.flags = ((v->prot & 1) ? VM_READ | VM_MAYREAD : 0) |
				  ((v->prot & 2) ? VM_WRITE | VM_MAYWRITE : 0) |
				  ((v->prot & 4) ? VM_EXEC | VM_MAYEXEC : 0) |
				  ((v->prot & 8) ? VM_SHARED | VM_MAYSHARE : 0);
		bool special = v->name[0] == '[' && strcmp(v->name, "[heap]") && strcmp(v->name, "[stack]");
		bool file = v->name[0] && v->name[0] != '[';
		s.file_id = file || special ? i + 1 : 0;
		s.pgoff = file ? v->pgoff >> 12 : v->start >> 12;
		/* Pages the parent wrote have an anon_vma, and in the forked
		 * sandbox that anon_vma's chain has the parent's in it too. */
		s.anon_id = v->anon ? i + 1 : 0;
		s.anon_forked = v->anon;
		snprintf(s.name, sizeof(s.name), "%s", v->name);
		oracle_proc_seed_vma(r->root, &s);
	}
	for (int i = 0; i < 16; i++)
		oracle_proc_set_rlimit(r->root, i, in->rlim_cur[i], in->rlim_max[i]);
	oracle_proc_set_layout(r->root, 0x7ffff7fff000ULL, in->start_brk, in->brk, in->start_stack);
	oracle_proc_set_data(r->root, in->start_data, in->end_data);
	oracle_proc_set_placement(r->root, ORACLE_PLACE_ADOPT);
	for (int i = 0; i < 2; i++)
		oracle_proc_add_foreign_fd(r->root, in->own_fds[i], in->proc_noexec);
	r->arena = r->k->obs->arena;
}

/* Runs step i on the model; the kernel's outcome (if any) guides placement. */
static void model_step(run *r, const prog_step *s, const uint64_t *a, const outcome *kern,
		       outcome *o, char *drawing, size_t dcap)
{
	memset(o, 0, sizeof(*o));
	oracle_proc *p = r->cur;
	oracle_fault f = { 0, 0, 0 };
	switch (s->op) {
	case PROG_MMAP:
		o->ret = oracle_mmap(p, a[0], a[1], a[2], a[3], a[4], a[5],
				     kern ? (uint64_t)kern->ret : (uint64_t)-LX_ENOMEM);
		break;
	case PROG_MUNMAP:
		o->ret = oracle_munmap(p, a[0], a[1]);
		break;
	case PROG_MPROTECT:
		o->ret = oracle_mprotect(p, a[0], a[1], a[2]);
		break;
	case PROG_SETRLIMIT:
		o->ret = oracle_setrlimit(p, a[0], a[1], a[2]);
		break;
	case PROG_BRK:
		o->ret = oracle_brk(p, a[0]);
		break;
	case PROG_MADVISE:
		o->ret = oracle_madvise(p, a[0], a[1], a[2]);
		break;
	case PROG_MSEAL:
		o->ret = oracle_mseal(p, a[0], a[1], a[2]);
		break;
	case PROG_MREMAP:
		o->ret = oracle_mremap(p, a[0], a[1], a[2], a[3], a[4],
				       kern ? (uint64_t)kern->ret : (uint64_t)-LX_ENOMEM);
		break;
	case PROG_MINCORE:
		memset(r->mincore, 0xff, sizeof(r->mincore));
		/* The executor passes its 64 KiB vector (exec.c mincore_vec) only
		 * when it holds the range, NULL otherwise; the model keeps the
		 * first EXEC_PAGEMAP_STEP bytes, all the executor reports. */
		o->ret = oracle_mincore(p, a[0], a[1], a[1] <= ((uint64_t)1 << 16 << 12) ? r->mincore : NULL,
					sizeof(r->mincore));
		break;
	case PROG_MLOCK:
		o->ret = oracle_mlock(p, a[0], a[1]);
		break;
	case PROG_MLOCK2:
		o->ret = oracle_mlock2(p, a[0], a[1], a[2]);
		break;
	case PROG_MUNLOCK:
		o->ret = oracle_munlock(p, a[0], a[1]);
		break;
	case PROG_MLOCKALL:
		o->ret = oracle_mlockall(p, a[0]);
		break;
	case PROG_MUNLOCKALL:
		o->ret = oracle_munlockall(p);
		break;
	case PROG_MEMFD_CREATE:
		o->ret = oracle_memfd_create(p, s->str, a[1]);
		break;
	case PROG_FTRUNCATE:
		o->ret = oracle_ftruncate(p, a[0], a[1]);
		break;
	case PROG_FORK: {
		oracle_proc *c = oracle_fork(p, &o->ret);
		if (c && s->res.kind == PROG_RES_BIND)
			r->procs[s->res.var] = c;
		break;
	}
	case PROG_EXIT:
		oracle_exit(p, (int)a[0]);
		break;
	case PROG_WAIT:
		o->ret = oracle_wait(p, r->procs[s->arg[0].term[0].var]);
		break;
	case PROG_LOAD:
		o->is_probe = true;
		f = oracle_load(p, a[0], &o->value);
		o->has_value = !f.signo;
		break;
	case PROG_STORE:
		o->is_probe = true;
		f = oracle_store(p, a[0], a[1]);
		break;
	case PROG_FETCH:
		o->is_probe = true;
		f = oracle_fetch(p, a[0]);
		break;
	case PROG_MAPS:
		if (s->res.kind == PROG_RES_LAYOUT)
			oracle_draw(p, a[0], a[1] >> 12, drawing, dcap);
		break;
	default:
		break;
	}
	o->signo = f.signo;
	o->code = f.code;
	o->addr = f.addr;
}

/*
 * Compares a pagemap() step: per page, the kernel's /proc/PID/pagemap entry
 * (read with PFNs by the privileged executor) against the model's page
 * state. PFNs are compared through the run's PFN<->frame map, so two pages
 * are the same page on one side exactly when they are on the other.
 */
static bool compare_pagemap(run *r, uint32_t i, uint64_t addr, uint64_t len, const uint64_t *pm,
			    uint32_t n, bool pool_full)
{
	/* How many entries the kernel reads: fs/proc/task_mmu.c
	 * pagemap_read() walks from the start page up to mm->task_size only
	 * (a start past it reads nothing: "watch out for wraparound"), so a
	 * range that passes TASK_SIZE or wraps past 2^64 ends there. The
	 * executor asks for at most EXEC_PAGEMAP_STEP pages and may be cut
	 * short by its per-program pool (pool_full). */
	uint64_t base = addr & ~0xfffULL, top = r->t->profile.task_size;
	uint64_t want = len / 4096 + ((len % 4096) != 0);
	if (want > EXEC_PAGEMAP_STEP)
		want = EXEC_PAGEMAP_STEP;
	if (base >= top)
		want = 0;
	else if (want > (top - base) / 4096)
		want = (top - base) / 4096;
	if (n > want || (n < want && !pool_full)) {
		if (r->div) {
			harness_divergence *d = r->div;
			memset(d, 0, sizeof(*d));
			d->step = i;
			d->line = r->c->steps[i].line;
			snprintf(d->syscall, sizeof(d->syscall), "pagemap");
			snprintf(d->field, sizeof(d->field), "entries");
			snprintf(d->model, sizeof(d->model), "%" PRIu64, want);
			snprintf(d->kernel, sizeof(d->kernel), "%u", n);
			snprintf(d->signature, sizeof(d->signature), "pagemap:entries");
		}
		char *text = prog_step_to_string(r->c, &r->c->steps[i]);
		fail(r, HARNESS_FAIL, i, "line %u: `%s`: pagemap entries read differ: model %" PRIu64 ", kernel %u",
		     r->c->steps[i].line, text ? text : "?", want, n);
		free(text);
		return false;
	}
	for (uint32_t j = 0; j < n; j++) {
		uint64_t e = pm[j], va = (addr & ~0xfffULL) + (uint64_t)j * 4096;
		bool kp = (e >> 63) & 1, ksw = (e >> 62) & 1, kfile = (e >> 61) & 1;
		bool kex = (e >> 56) & 1, ksd = (e >> 55) & 1;
		uint64_t kpfn = e & ((1ULL << 55) - 1);
		oracle_page_info m;
		oracle_page(r->cur, va, &m);
		/* A guard marker is a non-present swap-type entry (PM_SWAP);
		 * PM_GUARD_REGION (bit 58) names it since 6.15 ("fs/proc/
		 * task_mmu: add guard region bit to pagemap"). */
		bool kguard = (e >> 58) & 1;
		bool guard_bit = oracle_profile_at_least(&r->t->profile, 6, 15);
		const char *what = NULL;
		if (kp != m.present)
			what = "present";
		else if (m.guard && !(ksw && (kguard || !guard_bit)))
			what = "guard";
		else if (!m.guard && kguard)
			what = "guard";
		else if (ksw && !m.guard)
			what = "swapped";
		else if (ksd && !r->t->profile.soft_dirty)
			what = "soft-dirty";
		else if (kp && kfile != !m.anon)
			what = "file/shared";
		else if (kp && kex != m.exclusive)
			what = "exclusive";
		else if (kp && kpfn) {
			uint32_t q;
			for (q = 0; q < r->npfn; q++)
				if (r->pfn[q] == kpfn || r->frame[q] == m.frame)
					break;
			if (q == r->npfn) {
				if (r->npfn < 1024) {
					r->pfn[r->npfn] = kpfn;
					r->frame[r->npfn++] = m.frame;
				}
			} else if (r->pfn[q] != kpfn || r->frame[q] != m.frame) {
				what = "sharing";
			}
		}
		if (!what)
			continue;
		char where[48], mdesc[160], kdesc[160];
		format_value(where, sizeof(where), va, r->arena);
		snprintf(mdesc, sizeof(mdesc), "%s: %s%s%s%s frame %u", where,
			 m.present ? "present" : m.guard ? "guard marker" : "not present", m.present && m.exclusive ? " exclusive" : "",
			 m.present ? (m.anon ? " anon" : " file/shared") : "", m.zero_page ? " zero-page" : "",
			 m.frame);
		snprintf(kdesc, sizeof(kdesc), "%s: %s%s%s%s%s pfn 0x%" PRIx64, where,
			 kp ? "present" : kguard ? "guard marker" : "not present", kex ? " exclusive" : "",
			 kp ? (kfile ? " file/shared" : " anon") : "", ksw ? " swapped" : "",
			 ksd ? " soft-dirty" : "", kpfn);
		if (r->div) {
			harness_divergence *d = r->div;
			memset(d, 0, sizeof(*d));
			d->step = i;
			d->line = r->c->steps[i].line;
			snprintf(d->syscall, sizeof(d->syscall), "pagemap");
			snprintf(d->field, sizeof(d->field), "page");
			snprintf(d->model, sizeof(d->model), "%s", mdesc);
			snprintf(d->kernel, sizeof(d->kernel), "%s", kdesc);
			snprintf(d->signature, sizeof(d->signature), "pagemap:page:%s", what);
		}
		char *text = prog_step_to_string(r->c, &r->c->steps[i]);
		fail(r, HARNESS_FAIL, i, "line %u: `%s`: page state differs (%s): model %s; kernel %s",
		     r->c->steps[i].line, text ? text : "?", what, mdesc, kdesc);
		free(text);
		return false;
	}
	return true;
}

/*
 * MADV_FREE'd pages: the kernel may discard a clean lazyfree page at any
 * moment (reclaim), and the model cannot know when, so where the kernel
 * shows that it did, the model takes that choice, as it takes the kernel's
 * legal mmap addresses. Before a pagemap() or mincore() step: a page the
 * kernel shows absent that the model may drop is dropped.
 */
static void adopt_drops_before(run *r, const prog_step *s, const uint64_t *a,
			       const exec_step_obs *kobs)
{
	if (!kobs || (s->op != PROG_PAGEMAP && s->op != PROG_MINCORE))
		return;
	bool dropped = false;
	for (uint32_t q = 0; q < kobs->pm_count; q++) {
		uint64_t e = r->k->obs->pm[kobs->pm_first + q];
		uint64_t va = (a[0] & ~0xfffULL) + (uint64_t)q * 4096;
		bool absent = s->op == PROG_PAGEMAP ? !((e >> 63) & 1) : ((uint8_t)e & 1) == 0;
		/* pagemap shows any unmapping; mincore only a page that left
		 * the page cache too (the model's may_drop pages). */
		bool may = s->op == PROG_PAGEMAP ? oracle_page_may_unmap(r->cur, va)
						 : oracle_page_may_drop(r->cur, va);
		if (absent && may) {
			oracle_page_drop(r->cur, va);
			dropped = true;
			continue;
		}
		/* Dropped, then read again by an access that could not tell
		 * (its bytes were zero anyway): the kernel maps the zero page,
		 * present and not exclusive, where the model still has its
		 * exclusive lazyfree page. */
		oracle_page_info mp;
		oracle_page(r->cur, va, &mp);
		uint64_t kpfn = e & ((1ULL << 55) - 1);
		bool kzero = r->k->info->zero_pfn && kpfn == r->k->info->zero_pfn;
		if (s->op == PROG_PAGEMAP && ((e >> 63) & 1) && !((e >> 61) & 1) && !((e >> 56) & 1) &&
		    mp.present && !mp.zero_page && mp.lazyfree && (mp.exclusive || kzero)) {
			oracle_page_drop_refault(r->cur, va);
			dropped = true;
		}
		/* Mapped here only on the kernel side: the other PTEs the
		 * model has of the page were unmapped by reclaim. */
		if (s->op == PROG_PAGEMAP && ((e >> 63) & 1) && ((e >> 56) & 1) && mp.present &&
		    !mp.exclusive && !mp.zero_page) {
			oracle_page_unmap_others(r->cur, va);
			dropped = true;
		}
	}
	if (dropped)
		r->npfn = 0;
}

/*
 * After a load: the kernel may have read another legal value than the
 * model's. Each page the load touched may hold what the model has, or
 * zeroes if the model may drop it (lazyfree), or its other possible content
 * (oracle_page_read_alt(): dropped before the write that dirtied it again).
 * When the kernel's value matches one such choice (the lower page's, the
 * upper's, or both), the model takes it and the load runs again (true).
 * When the kernel read the model's value, an alternative it rules out is
 * forgotten.
 */
static bool adopt_after_load(run *r, uint64_t addr, const outcome *m, const outcome *k)
{
	if (!k || m->signo || k->signo)
		return false;
	uint64_t pg[2] = { addr & ~0xfffULL, (addr + 7) & ~0xfffULL };
	int npg = pg[0] == pg[1] ? 1 : 2;
	uint8_t keep[8], choice[2][3][8];
	bool ok[2][3] = { { false } };
	memcpy(keep, &m->value, 8);
	for (int j = 0; j < npg; j++) {
		/* The bytes of the load that lie in page j: [lo, hi). */
		unsigned lo = j ? (unsigned)(pg[1] - addr) : 0, hi = j || npg == 1 ? 8 : (unsigned)(pg[1] - addr);
		memcpy(choice[j][0], keep, 8);
		memcpy(choice[j][1], keep, 8);
		memcpy(choice[j][2], keep, 8);
		memset(choice[j][1] + lo, 0, hi - lo);
		ok[j][0] = true;
		ok[j][1] = oracle_page_may_drop(r->cur, pg[j]);
		ok[j][2] = oracle_page_read_alt(r->cur, pg[j], (size_t)((addr + lo) & 0xfff), choice[j][2] + lo,
						hi - lo);
	}
	if (m->value == k->value) {
		for (int j = 0; j < npg; j++)
			if (ok[j][2] && memcmp(choice[j][2], keep, 8))
				oracle_page_resolve_alt(r->cur, pg[j], false);
		return false;
	}
	for (int c0 = 0; c0 < 3; c0++) {
		for (int c1 = 0; c1 < (npg == 2 ? 3 : 1); c1++) {
			if ((!c0 && !c1) || !ok[0][c0] || (npg == 2 && !ok[1][c1]))
				continue;
			uint8_t v[8];
			memcpy(v, keep, 8);
			int lo1 = npg == 2 ? (int)(pg[1] - addr) : 8;
			memcpy(v, choice[0][c0], (size_t)lo1);
			if (npg == 2)
				memcpy(v + lo1, choice[1][c1] + lo1, (size_t)(8 - lo1));
			uint64_t val;
			memcpy(&val, v, 8);
			if (val != k->value)
				continue;
			int c[2] = { c0, c1 };
			for (int j = 0; j < npg; j++) {
				if (c[j] == 1)
					oracle_page_drop(r->cur, pg[j]);
				else if (c[j] == 2)
					oracle_page_resolve_alt(r->cur, pg[j], true);
			}
			r->npfn = 0;
			return true;
		}
	}
	return false;
}

/* Why the model skips a valid madvise advice (for the SKIP message). */
static const char *madvise_unmodelled_why(uint64_t advice)
{
	switch ((int)(uint32_t)advice) {
	case LX_MADV_PAGEOUT:
		return "with swap, anonymous pages may be swapped out";
	case LX_MADV_REMOVE:
		return "hole punching in hugetlbfs files";
	case LX_MADV_COLLAPSE:
		return "collapsing pages into a THP";
	case LX_MADV_MERGEABLE:
	case LX_MADV_UNMERGEABLE:
		return "KSM";
	case LX_MADV_HWPOISON:
	case LX_MADV_SOFT_OFFLINE:
		return "memory-failure injection";
	default:
		return NULL;
	}
}

static bool modelled(int op)
{
	return op == PROG_MMAP || op == PROG_MUNMAP || op == PROG_MPROTECT || op == PROG_SETRLIMIT ||
	       op == PROG_BRK || op == PROG_MADVISE || op == PROG_MSEAL || op == PROG_MREMAP || op == PROG_MINCORE || op == PROG_MLOCK || op == PROG_MLOCK2 || op == PROG_MUNLOCK ||
	       op == PROG_MLOCKALL || op == PROG_MUNLOCKALL ||
	       op == PROG_LOAD || op == PROG_STORE || op == PROG_FETCH || op == PROG_MAPS ||
	       op == PROG_PAGEMAP || op == PROG_FORK || op == PROG_EXIT || op == PROG_WAIT ||
	       op == PROG_MEMFD_CREATE || op == PROG_FTRUNCATE;
}

/* Draws a list of VMAs over [lo, lo + npages pages): letters per VMA, '.' holes. */
static void draw_vmas(const exec_vma *v, uint32_t n, uint64_t lo, uint64_t npages, char *buf)
{
	memset(buf, '.', npages);
	buf[npages] = 0;
	int letter = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (v[i].end <= lo || v[i].start >= lo + npages * 4096)
			continue;
		char c = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[letter++ % 52];
		for (uint64_t a = v[i].start > lo ? v[i].start : lo; a < v[i].end && a < lo + npages * 4096; a += 4096)
			buf[(a - lo) >> 12] = c;
	}
}

static void perms_of(uint32_t prot, char out[5])
{
	out[0] = (prot & 1) ? 'r' : '-';
	out[1] = (prot & 2) ? 'w' : '-';
	out[2] = (prot & 4) ? 'x' : '-';
	out[3] = (prot & 8) ? 's' : 'p';
	out[4] = 0;
}

static uint32_t prot_of_flags(uint64_t f)
{
	return ((f & VM_READ) ? 1 : 0) | ((f & VM_WRITE) ? 2 : 0) | ((f & VM_EXEC) ? 4 : 0) |
	       ((f & VM_MAYSHARE) ? 8 : 0);
}

/* Describes a VMA list (one per line) and a page strip of the window. */
static void describe_layout(char *buf, size_t cap, const exec_vma *v, uint32_t n, uint64_t lo,
			    uint64_t hi, uint64_t arena)
{
	size_t used = 0;
	uint64_t pages = (hi - lo) >> 12;
	if (pages > 64)
		pages = 64;
	char strip[65];
	draw_vmas(v, n, lo, pages, strip);
	char base[48];
	format_value(base, sizeof(base), lo, arena);
	used += (size_t)snprintf(buf + used, cap - used, "%s |%s|%s\n", base, strip,
				 (hi - lo) >> 12 > 64 ? "..." : "");
	/*
	 * Only the VMAs that meet the drawn strip are listed: a whole layout has a
	 * dozen VMAs of the executor and libc that would fill the buffer before
	 * the ones the strip draws. The others are counted on a last line.
	 */
	uint32_t outside = 0;
	uint64_t drawn_hi = lo + (pages << 12);
	for (uint32_t i = 0; i < n; i++) {
		char perms[5], s[48], e[48];
		if (v[i].end <= lo || v[i].start >= drawn_hi) {
			outside++;
			continue;
		}
		if (used >= cap)
			continue;
		perms_of(v[i].prot, perms);
		format_value(s, sizeof(s), v[i].start, arena);
		format_value(e, sizeof(e), v[i].end, arena);
		used += (size_t)snprintf(buf + used, cap - used, "  [%s, %s) %s\n", s, e, perms);
	}
	if (outside && used < cap)
		snprintf(buf + used, cap - used, "  (%u more VMAs outside the strip)\n", outside);
}

/*
 * The VmFlags the model tracks and compares at maps() steps. Left out:
 * soft-dirty (kernel config), and flags set by things the model does not
 * see (ar, io, pf, de, mm, mg, um/uw, ht, ss).
 */
#define TRACKED_VMFLAGS                                                                   \
	(VM_READ | VM_WRITE | VM_EXEC | VM_SHARED | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | \
	 VM_MAYSHARE | VM_GROWSDOWN | VM_LOCKED | VM_SEQ_READ | VM_RAND_READ | VM_DONTCOPY | \
	 VM_LOCKONFAULT | VM_ACCOUNT | VM_NORESERVE | VM_SYNC | VM_WIPEONFORK | VM_DONTDUMP | \
	 VM_HUGEPAGE | VM_NOHUGEPAGE | VM_DROPPABLE | VM_SEALED | VM_MAYBE_GUARD)

/* The model's VMAs in [lo, hi) as exec_vma records. */
static uint32_t model_vmas(const run *r, uint64_t lo, uint64_t hi, exec_vma *out, uint32_t cap)
{
	static oracle_vma_info tmp[1024];
	size_t n = oracle_vmas(r->cur, lo, hi, tmp, 1024);
	uint32_t m = 0;
	uint64_t shown = TRACKED_VMFLAGS;
	/*
	 * smaps shows VM_LOCKONFAULT ("lf") only since 6.2: commit 8614d6c5eda0
	 * added it to show_smap_vma_flags(). Before, the flag is set but unseen.
	 */
	if (!oracle_profile_at_least(&r->t->profile, 6, 2))
		shown &= ~VM_LOCKONFAULT;
	for (size_t i = 0; i < n && i < 1024 && m < cap; i++, m++) {
		memset(&out[m], 0, sizeof(out[m]));
		out[m].start = tmp[i].start;
		out[m].end = tmp[i].end;
		out[m].prot = prot_of_flags(tmp[i].flags);
		out[m].vmflags = tmp[i].flags & shown;
	}
	return n > cap ? cap + 1 : m; /* cap + 1: too many to compare */
}

/* Compares the kernel's VMAs in a window with the model's; false on a difference. */
static bool compare_layout(run *r, uint32_t i, const char *what, const exec_vma *kv, uint32_t kn,
			   uint64_t lo, uint64_t hi)
{
	static exec_vma mv[1024];
	uint32_t mn = model_vmas(r, lo, hi, mv, 1024);
	uint32_t j;
	/* VmFlags are compared where the kernel side read them (maps() steps). */
	bool flags = kn && kv[0].vmflags;
	for (j = 0; j < kn && j < mn; j++)
		if (kv[j].start != mv[j].start || kv[j].end != mv[j].end || kv[j].prot != mv[j].prot ||
		    (flags && (kv[j].vmflags & TRACKED_VMFLAGS) != mv[j].vmflags))
			break;
	if (j == kn && j == mn)
		return true;
	/* Describe around the first difference. */
	uint64_t at = j < kn ? kv[j].start : mv[j].start;
	if (j < kn && j < mn && mv[j].start < at)
		at = mv[j].start;
	uint64_t wlo = at > lo + 4096 ? at - 4096 : lo, whi = hi;
	harness_divergence *d = r->div;
	if (d) {
		memset(d, 0, sizeof(*d));
		d->step = i;
		d->line = i < r->c->nsteps ? r->c->steps[i].line : 0;
		snprintf(d->syscall, sizeof(d->syscall), "%s",
			 i < r->c->nsteps ? prog_op_info_get(r->c->steps[i].op)->name : "end");
		snprintf(d->field, sizeof(d->field), "layout");
		char perms[5], s1[48], e1[48];
		if (j < mn) {
			perms_of(mv[j].prot, perms);
			format_value(s1, sizeof(s1), mv[j].start, r->arena);
			format_value(e1, sizeof(e1), mv[j].end, r->arena);
			snprintf(d->model, sizeof(d->model), "VMA [%s, %s) %s", s1, e1, perms);
		} else {
			snprintf(d->model, sizeof(d->model), "no VMA");
		}
		if (j < kn) {
			perms_of(kv[j].prot, perms);
			format_value(s1, sizeof(s1), kv[j].start, r->arena);
			format_value(e1, sizeof(e1), kv[j].end, r->arena);
			snprintf(d->kernel, sizeof(d->kernel), "VMA [%s, %s) %s", s1, e1, perms);
		} else {
			snprintf(d->kernel, sizeof(d->kernel), "no VMA");
		}
		bool bounds = j < kn && j < mn && (kv[j].start != mv[j].start || kv[j].end != mv[j].end);
		bool perms_differ = j < kn && j < mn && kv[j].prot != mv[j].prot;
		if (j < kn && j < mn && !bounds && !perms_differ) {
			char kf[128], mf[128];
			oracle_vmflags_string(kv[j].vmflags & TRACKED_VMFLAGS, kf, sizeof(kf));
			oracle_vmflags_string(mv[j].vmflags, mf, sizeof(mf));
			size_t ml = strlen(d->model), kl = strlen(d->kernel);
			snprintf(d->model + ml, sizeof(d->model) - ml, " [%s]", mf);
			snprintf(d->kernel + kl, sizeof(d->kernel) - kl, " [%s]", kf);
		}
		snprintf(d->signature, sizeof(d->signature), "%s:layout:%s", d->syscall,
			 j < kn && j < mn ? (bounds ? "bounds" : perms_differ ? "perms" : "vmflags")
					  : (j < kn ? "kernel-extra" : "model-extra"));
		describe_layout(d->model_layout, sizeof(d->model_layout), mv, mn > 1024 ? 1024 : mn,
				wlo, whi, r->arena);
		describe_layout(d->kernel_layout, sizeof(d->kernel_layout), kv, kn, wlo, whi, r->arena);
	}
	char *text = i < r->c->nsteps ? prog_step_to_string(r->c, &r->c->steps[i]) : NULL;
	fail(r, HARNESS_FAIL, i, "line %u: `%s`: %s layout differs: model %s, kernel %s",
	     i < r->c->nsteps ? r->c->steps[i].line : 0, text ? text : "end of case", what,
	     d ? d->model : "?", d ? d->kernel : "?");
	free(text);
	return false;
}

static void outcome_class(char *buf, size_t cap, const outcome *o)
{
	if (o->is_probe)
		snprintf(buf, cap, "%s", o->signo ? prog_si_code_name(o->signo, o->code) : "ok");
	else if (is_err(o->ret))
		snprintf(buf, cap, "%s", prog_errno_name((int)-o->ret));
	else
		snprintf(buf, cap, "ok");
}

/* Compares the two outcomes of a step; false (and the case failed) on a difference. */
static bool compare_outcomes(run *r, uint32_t i, const outcome *m, const outcome *k, const char *mtext,
			     const char *ktext)
{
	const prog_step *s = &r->c->steps[i];
	const char *field = NULL;
	if (m->is_probe) {
		if (m->signo != k->signo || m->code != k->code)
			field = "signal";
		else if (m->signo && m->addr != k->addr)
			field = "si_addr";
		else if (!m->signo && s->op == PROG_LOAD && m->value != k->value)
			field = "value";
	} else if (s->op == PROG_FORK) {
		/* pids differ by nature: both must have forked, or failed alike. */
		if (is_err(m->ret) != is_err(k->ret) || (is_err(m->ret) && m->ret != k->ret))
			field = is_err(m->ret) && is_err(k->ret) ? "errno" : "return";
	} else if (m->ret != k->ret) {
		field = is_err(m->ret) || is_err(k->ret) ? (is_err(m->ret) && is_err(k->ret) ? "errno" : "return")
							 : "return";
	}
	if (!field)
		return true;
	char mc[32], kc[32];
	outcome_class(mc, sizeof(mc), m);
	outcome_class(kc, sizeof(kc), k);
	if (r->div) {
		harness_divergence *d = r->div;
		memset(d, 0, sizeof(*d));
		d->step = i;
		d->line = s->line;
		snprintf(d->syscall, sizeof(d->syscall), "%s", prog_op_info_get(s->op)->name);
		snprintf(d->field, sizeof(d->field), "%s", field);
		if (!strcmp(field, "si_addr")) {
			snprintf(d->model, sizeof(d->model), "%.120s si_addr=0x%" PRIx64, mtext, m->addr);
			snprintf(d->kernel, sizeof(d->kernel), "%.120s si_addr=0x%" PRIx64, ktext, k->addr);
		} else {
			snprintf(d->model, sizeof(d->model), "%s", mtext);
			snprintf(d->kernel, sizeof(d->kernel), "%s", ktext);
		}
		snprintf(d->signature, sizeof(d->signature), "%s:%s:%s:%s", d->syscall, field, mc, kc);
		/* Both address spaces around the step, drawn the same way. */
		uint64_t a[PROG_MAX_ARGS] = { 0 }, lo, hi;
		for (unsigned q = 0; q < s->nargs; q++)
			a[q] = prog_eval(&s->arg[q], r->arena, r->vals);
		if (exec_step_window(s, a, k->ret, &lo, &hi)) {
			static exec_vma mv[1024];
			uint32_t mn = model_vmas(r, lo, hi, mv, 1024);
			const exec_step_obs *ko = &r->k->obs->step[i];
			describe_layout(d->model_layout, sizeof(d->model_layout), mv, mn > 1024 ? 1024 : mn,
					lo, hi, r->arena);
			describe_layout(d->kernel_layout, sizeof(d->kernel_layout),
					&r->k->obs->vma[ko->layout_first], ko->layout_count, lo, hi, r->arena);
		}
	}
	char *text = prog_step_to_string(r->c, s);
	fail(r, HARNESS_FAIL, i, "line %u: `%s`: divergence in %s: model %s, kernel %s%s", s->line,
	     text ? text : "?", field, mtext, ktext,
	     !strcmp(field, "si_addr") ? " (si_addr differs)" : "");
	free(text);
	return false;
}

/*
 * Process lifetimes, which the executor relies on (it runs each step in its
 * process, in program order): a process exists from its fork() to its
 * exit(); the root never exits; wait($c) runs in $c's parent after $c
 * exited (earlier, it would block forever).
 */
/*
 * With CAP_SYS_ADMIN kept in the sandbox, madvise(MADV_HWPOISON or
 * MADV_SOFT_OFFLINE) would really poison or offline a page of this
 * machine (madvise_inject_error()). An advice that could be one of them
 * (computed from A or variables) counts as one.
 */
static bool may_inject_memory_failure(const prog_case *c, const prog_step *st)
{
	bool admin = false;
	for (unsigned i = 0; i < c->nreq; i++)
		admin |= c->req[i].kind == PROG_REQ_CAP && c->req[i].cap == LX_CAP_SYS_ADMIN;
	if (!admin || st->op != PROG_MADVISE || st->nargs < 3)
		return false;
	const prog_expr *e = &st->arg[2];
	uint32_t advice = (uint32_t)e->k;
	return e->arena || e->nterms || advice == LX_MADV_HWPOISON || advice == LX_MADV_SOFT_OFFLINE;
}

bool harness_program_valid(const prog_case *c, char *why, size_t cap, uint32_t *step)
{
	bool born[PROG_MAX_VARS] = { false }, gone[PROG_MAX_VARS] = { false };
	uint8_t parent[PROG_MAX_VARS];
	memset(parent, PROG_ROOT, sizeof(parent));
	for (uint32_t i = 0; i < c->nsteps; i++) {
		const prog_step *st = &c->steps[i];
		uint8_t o = st->proc;
		const char *bad = NULL;
		if (o != PROG_ROOT && (!born[o] || gone[o]))
			bad = "the step's process does not exist here (before its fork() or after its exit())";
		else if (st->op == PROG_EXIT && o == PROG_ROOT)
			bad = "the root process cannot exit(); exit a forked process";
		else if (may_inject_memory_failure(c, st))
			bad = "with CAP_SYS_ADMIN kept, MADV_HWPOISON or MADV_SOFT_OFFLINE would poison or "
			      "offline a real page of this machine";
		else if (st->op == PROG_WAIT) {
			uint8_t w = st->arg[0].term[0].var;
			if (!gone[w])
				bad = "wait() before that process's exit() would block forever";
			else if (parent[w] != o)
				bad = "wait() must run in the waited process's parent";
		}
		if (bad) {
			char *text = prog_step_to_string(c, st);
			snprintf(why, cap, "line %u: `%s`: invalid program: %s", st->line,
				 text ? text : "?", bad);
			free(text);
			*step = i;
			return false;
		}
		if (st->op == PROG_FORK && st->res.kind == PROG_RES_BIND) {
			born[st->res.var] = true;
			parent[st->res.var] = o;
		}
		if (st->op == PROG_EXIT)
			gone[o] = true;
	}
	return true;
}

/*
 * The model's watchdog. The model has no system calls to time out: a model
 * bug that loops would hang `mmspec run` and `check`. Each case runs under
 * a CPU-time budget (ITIMER_PROF, so a busy machine does not fire it; the
 * executor is another process and does not count); when it runs out, the
 * SIGPROF handler jumps back to run_case, which reports an ERROR naming the
 * step the model was in and abandons that model state (kept, not freed:
 * it may be half-way through a change).
 */
static unsigned model_budget_ms = 10000;
static sigjmp_buf model_watch_jmp;
static volatile sig_atomic_t model_watch_armed;
static volatile uint32_t model_watch_step;
volatile int harness_model_test_hook;
static oracle_world *abandoned_worlds[64];
static unsigned n_abandoned;

void harness_set_model_budget(unsigned ms)
{
	model_budget_ms = ms ? ms : 10000;
}

static void on_model_watchdog(int sig)
{
	(void)sig;
	if (model_watch_armed) {
		model_watch_armed = 0;
		siglongjmp(model_watch_jmp, 1);
	}
}

static void model_watch_arm(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_model_watchdog;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, old);
	struct itimerval it = { { 0, 0 }, { model_budget_ms / 1000, (model_budget_ms % 1000) * 1000 } };
	model_watch_armed = 1;
	setitimer(ITIMER_PROF, &it, NULL);
}

static void model_watch_disarm(const struct sigaction *old)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	model_watch_armed = 0;
	setitimer(ITIMER_PROF, &off, NULL);
	sigaction(SIGPROF, old, NULL);
}

/* Whether the model declined the step as not covered (ORACLE_UNMODELLED,
 * or a fetch() whose instruction it cannot follow). */
static bool unmodelled_outcome(const outcome *o)
{
	return o->is_probe ? o->signo == ORACLE_SIG_UNMODELLED : o->ret == ORACLE_UNMODELLED;
}

/* The SKIP message for an unmodelled step: a fetch() says why, with the
 * instruction's first bytes as the model has them. */
static void skip_unmodelled(run *r, uint32_t i, const prog_step *s, const outcome *o,
			    const uint64_t *a)
{
	char *text = prog_step_to_string(r->c, s);
	if (o->is_probe) {
		uint8_t b[8];
		oracle_peek(r->cur, o->addr, b, sizeof(b));
		fail(r, HARNESS_SKIP, i, "line %u: `%s`: the instruction there (%02x %02x %02x %02x "
		     "%02x %02x %02x %02x ...) %s: not modelled", s->line, text ? text : "?",
		     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
		     oracle_fetch_unmodelled_why(o->code));
	} else {
		const char *reason = s->op == PROG_MADVISE ? madvise_unmodelled_why(a[2]) : NULL;
		/* What oracle_mmap() and oracle_mremap() return ORACLE_UNMODELLED
		 * for (oracle/mmap.c, oracle/file.c, oracle/mremap.c). */
		if (s->op == PROG_MMAP && !(a[3] & LX_MAP_ANONYMOUS))
			reason = "a mapping of an MFD_HUGETLB memfd (hugetlbfs file mappings)";
		else if (s->op == PROG_MREMAP)
			reason = "a special mapping ([vdso], [vvar]), or before 6.17 MREMAP_DONTUNMAP of a "
				 "locked VMA";
		fail(r, HARNESS_SKIP, i, "line %u: `%s` is not modelled yet%s%s", s->line, text ? text : "?",
		     reason ? ": " : "", reason ? reason : "");
	}
	free(text);
}

/*
 * Whether step s, with argument values a, aims a change at memory the
 * sandbox itself lives in: the VMAs of its initial layout (the executor's
 * text, data, heap and stack, the observation buffer, the fence). The kernel
 * does what the program asks, and the sandbox may die or hang then or at
 * any later step (a store into its data, munmap of its text, DONTNEED of
 * its heap); the model, seeded with that layout, predicts the call fine, but
 * nothing can be compared once the sandbox is gone. `mmspec run` keeps such
 * a program an ERROR (tests/run/self-destruct.mmt; fuzz campaigns make it a
 * SKIP, fuzz_diff.c), and names the step and what it hit, so the reader
 * need not guess why the sandbox died. On a hit, writes what was hit to
 * what.
 */
static bool step_hits_executor(const run *r, const prog_step *s, const uint64_t *a,
			       char *what, size_t cap)
{
	const exec_target_info *in = r->k->info;
	uint64_t lo[2] = { 0, 0 }, hi[2] = { 0, 0 };
	switch (s->op) {
	case PROG_MMAP:
		if (!(a[3] & LX_MAP_FIXED)) /* only MAP_FIXED replaces what is there */
			return false;
		/* fall through */
	case PROG_MUNMAP:
	case PROG_MPROTECT:
	case PROG_MADVISE:
	case PROG_MLOCK:
	case PROG_MLOCK2:
	case PROG_MUNLOCK:
	case PROG_MSEAL:
		lo[0] = a[0], hi[0] = a[0] + a[1];
		break;
	case PROG_MREMAP:
		lo[0] = a[0], hi[0] = a[0] + a[1];
		if (a[3] & (LX_MREMAP_FIXED | LX_MREMAP_DONTUNMAP)) /* a new address */
			lo[1] = a[4], hi[1] = a[4] + a[2];
		break;
	case PROG_BRK:
		/* A shrink unmaps [PAGE_ALIGN(brk), old brk) (brk syscall). */
		if (a[0] >= in->start_brk && a[0] < in->brk)
			lo[0] = a[0], hi[0] = in->brk;
		break;
	case PROG_STORE:
		lo[0] = a[0], hi[0] = a[0] + 8;
		break;
	default:
		return false;
	}
	for (int q = 0; q < 2; q++) {
		if (hi[q] < lo[q])
			hi[q] = UINT64_MAX; /* wrapped: everything above */
		for (uint32_t v = 0; v < in->nvmas && hi[q] > lo[q]; v++) {
			const exec_vma *e = &in->vma[v];
			if (e->start < hi[q] && lo[q] < e->end) {
				snprintf(what, cap, "the executor's %s VMA [0x%" PRIx64 ", 0x%" PRIx64 ")",
					 e->name[0] ? e->name : "anonymous", e->start, e->end);
				return true;
			}
		}
	}
	return false;
}

/* The sandbox's RLIMIT_CPU, in seconds (exec.c's exec_sandbox_rlimits). */
static uint64_t sandbox_cpu_limit(void)
{
	for (size_t q = 0; q < exec_sandbox_rlimit_count; q++)
		if (exec_sandbox_rlimits[q].resource == 0 /* RLIMIT_CPU */)
			return exec_sandbox_rlimits[q].value;
	return UINT64_MAX;
}

/*
 * Whether a step that succeeded set RLIMIT_CPU's soft limit below the
 * sandbox's own. Past that, when the sandbox dies depends on how much CPU
 * it happened to use by the next tick's check (kernel/time/
 * posix-cpu-timers.c check_process_timers(); a soft limit of 0 counts as
 * 1 s, kernel/sys.c do_prlimit()), which no model can know: a campaign saw
 * an end:layout divergence that reproduced 0 times of 5. The resource is
 * the register's low 32 bits (kernel/sys.c setrlimit).
 */
static bool cpu_limit_lowered(const prog_step *s, const uint64_t *a, const outcome *mo)
{
	return s->op == PROG_SETRLIMIT && !mo->is_probe && mo->ret == 0 && (uint32_t)a[0] == 0 &&
	       a[1] < sandbox_cpu_limit();
}

static void skip_cpu_limit(run *r, uint32_t i, const prog_step *s)
{
	char *text = prog_step_to_string(r->c, s);
	fail(r, HARNESS_SKIP, i, "line %u: `%s` lowers RLIMIT_CPU below the sandbox's %" PRIu64
	     " s: the kernel may send SIGXCPU (soft) or SIGKILL (hard) at any later CPU-second "
	     "tick (kernel/time/posix-cpu-timers.c check_process_timers()), even before the call "
	     "returns, so nothing from it on is comparable", s->line, text ? text : "?", sandbox_cpu_limit());
	free(text);
}

static void run_case(const prog_case *c, const harness_target *t, const harness_kernel *k,
		     harness_step_fn on_step, harness_fault_fn on_fault, void *ctx,
		     harness_case_report *out, harness_divergence *div)
{
	char why[512];
	memset(out, 0, sizeof(*out));
	out->result = HARNESS_PASS;
	run r;
	memset(&r, 0, offsetof(run, pfn));
	r.c = c;
	r.t = t;
	r.k = k;
	r.out = out;
	r.div = div;
	r.hit_step = UINT32_MAX;
	uint32_t i0 = 0;
	if (!harness_requires_met(c, t, why, sizeof(why))) {
		fail(&r, HARNESS_SKIP, 0, "%s", why);
		out->line = c->line;
		return;
	}
	/* Steps the model does not cover yet make the case a SKIP, decided up
	 * front so that nothing half-runs. */
	for (uint32_t i = 0; i < c->nsteps; i++) {
		if (!modelled(c->steps[i].op)) {
			fail(&r, HARNESS_SKIP, i, "%s is not modelled yet", prog_op_info_get(c->steps[i].op)->name);
			return;
		}
	}
	if (!harness_program_valid(c, why, sizeof(why), &i0)) {
		fail(&r, HARNESS_ERROR, i0, "%s", why);
		return;
	}
	if (k && k->obs->status == EXEC_BAD_PROGRAM) {
		fail(&r, HARNESS_ERROR, 0, "the executor rejected the program: %s", k->obs->error);
		return;
	}
	if (k && k->obs->status == EXEC_SETUP_FAILED) {
		fail(&r, HARNESS_ERROR, 0, "%s", k->obs->error);
		return;
	}
	if (k && k->obs->vma_overflow) {
		fail(&r, HARNESS_ERROR, 0, "the kernel side recorded more than %d VMAs in total; "
		     "its layouts are incomplete (split the case)", EXEC_MAX_VMAS);
		return;
	}
	r.w = oracle_world_new(&t->profile);
	if (!r.w) {
		fail(&r, HARNESS_ERROR, 0, "out of memory creating the model");
		return;
	}
	r.root = oracle_world_root(r.w);
	if (k)
		seed_from_kernel(&r);
	else {
		r.arena = oracle_proc_seed_default(r.root);
		for (size_t i = 0; i < exec_sandbox_rlimit_count; i++)
			oracle_proc_set_rlimit(r.root, exec_sandbox_rlimits[i].resource,
					       exec_sandbox_rlimits[i].value, exec_sandbox_rlimits[i].value);
	}
	/* Every sandbox runs prctl(PR_SET_THP_DISABLE, 1) (exec.c). */
	oracle_world_set_thp_disabled(r.w, true);
	for (unsigned i = 0; i < c->nreq; i++)
		if (c->req[i].kind == PROG_REQ_CAP)
			oracle_proc_set_cap(r.root, c->req[i].cap, true);

	struct sigaction old_prof;
	model_watch_step = 0;
	if (sigsetjmp(model_watch_jmp, 1)) {
		model_watch_disarm(&old_prof);
		uint32_t at = model_watch_step;
		char *text = prog_step_to_string(c, &c->steps[at]);
		fail(&r, HARNESS_ERROR, at, "line %u: `%s`: the model did not finish the step within %u ms "
		     "of CPU time (a model bug that loops); the model's state was abandoned",
		     c->steps[at].line, text ? text : "?", model_budget_ms);
		free(text);
		/* Kept, never freed: it may be half-way through a change. */
		abandoned_worlds[n_abandoned++ % 64] = r.w;
		return;
	}
	model_watch_arm(&old_prof);
	uint32_t i;
	for (i = 0; i < c->nsteps; i++) {
		const prog_step *s = &c->steps[i];
		model_watch_step = i;
		/* The watchdog's own test: a model that never finishes step 1. */
		if (harness_model_test_hook == HARNESS_MODEL_HOOK_LOOP && i == 1)
			for (volatile uint64_t spin = 0;; spin++)
				;
		r.cur = s->proc == PROG_ROOT ? r.root : r.procs[s->proc];
		if (!r.cur) {
			fail(&r, HARNESS_ERROR, i, "the model has no process for this step (fork failed?)");
			break;
		}
		uint64_t a[PROG_MAX_ARGS] = { 0 };
		for (unsigned q = 0; q < s->nargs; q++)
			a[q] = prog_eval(&s->arg[q], r.arena, r.vals);

		outcome ko = { 0 }, *kp = NULL;
		const exec_step_obs *kobs = NULL;
		if (k) {
			if (i >= k->obs->steps_done || !k->obs->step[i].done) {
				/* A step the model does not cover is a SKIP even when the
				 * kernel could not finish it: ask the model first. */
				outcome mo;
				char scratch[PROG_STR_MAX];
				model_step(&r, s, a, NULL, &mo, scratch, sizeof(scratch));
				if (unmodelled_outcome(&mo)) {
					skip_unmodelled(&r, i, s, &mo, a);
					break;
				}
				/* setrlimit(RLIMIT_CPU, 0, 0): the hard limit's
				 * SIGKILL may come before the call reports back. */
				if (cpu_limit_lowered(s, a, &mo)) {
					skip_cpu_limit(&r, i, s);
					break;
				}
				char *text = prog_step_to_string(c, s);
				if (r.hit_step == UINT32_MAX &&
				    step_hits_executor(&r, s, a, r.hit_what, sizeof(r.hit_what)))
					r.hit_step = i;
				/* (Only a sandbox that died of a signal or hung,
				 * as the executor's error says (exec.c): a forked
				 * process that could not reopen its maps has its
				 * own reason, already in the error.) */
				if (r.hit_step != UINT32_MAX &&
				    (!strncmp(k->obs->error, "the sandbox died of signal", 26) ||
				     !strncmp(k->obs->error, "the watchdog killed", 19))) {
					char *hit = prog_step_to_string(c, &c->steps[r.hit_step]);
					fail(&r, HARNESS_ERROR, i, "line %u: `%s`: the kernel side did not finish the "
					     "step: %s; line %u `%s` changed %s: the program destroyed the "
					     "sandbox's own memory", s->line, text ? text : "?",
					     k->obs->error[0] ? k->obs->error : "the sandbox stopped",
					     c->steps[r.hit_step].line, hit ? hit : "?", r.hit_what);
					free(hit);
					free(text);
					break;
				}
				fail(&r, HARNESS_ERROR, i, "line %u: `%s`: the kernel side did not finish the step: %s",
				     s->line, text ? text : "?",
				     k->obs->error[0] ? k->obs->error : "the sandbox stopped");
				free(text);
				break;
			}
			kobs = &k->obs->step[i];
			if (r.hit_step == UINT32_MAX &&
			    step_hits_executor(&r, s, a, r.hit_what, sizeof(r.hit_what)))
				r.hit_step = i;
			ko.is_probe = s->op == PROG_LOAD || s->op == PROG_STORE || s->op == PROG_FETCH;
			ko.ret = kobs->ret;
			ko.signo = kobs->signo;
			ko.code = kobs->code;
			ko.addr = kobs->addr;
			ko.value = kobs->value;
			ko.has_value = s->op == PROG_LOAD && !kobs->signo;
			kp = &ko;
		}
		outcome mo;
		char drawing[PROG_STR_MAX] = "";
		adopt_drops_before(&r, s, a, kobs);
		model_step(&r, s, a, kp, &mo, drawing, sizeof(drawing));
		if (s->op == PROG_LOAD && adopt_after_load(&r, a[0], &mo, kp))
			model_step(&r, s, a, kp, &mo, drawing, sizeof(drawing));
		if (unmodelled_outcome(&mo)) {
			skip_unmodelled(&r, i, s, &mo, a);
			break;
		}

		/* The model's outcome as text only where something reads it (a
		 * comparison with the kernel, an on_step callback, an expectation
		 * that may fail): most steps of a model-only fuzz run have none. */
		char mtext[160] = "", ktext[160] = "";
		bool need_text = kp || on_step || s->res.kind != PROG_RES_NONE;
		if (!need_text)
			;
		else if (s->op == PROG_MAPS && s->res.kind == PROG_RES_LAYOUT)
			snprintf(mtext, sizeof(mtext), "= \"%s\"", drawing);
		else if (s->op == PROG_MAPS || s->op == PROG_PAGEMAP)
			snprintf(mtext, sizeof(mtext), "(compared with a kernel only)");
		else
			format_outcome(mtext, sizeof(mtext), &mo, r.arena, s->op);
		if (kp)
			format_outcome(ktext, sizeof(ktext), kp, r.arena, s->op);

		if (on_fault && mo.is_probe && mo.signo) {
			harness_fault_event ev = { i, "model", mo.signo, mo.code, mo.addr };
			on_fault(&ev, ctx);
		}
		if (on_fault && kp && kp->is_probe && kp->signo) {
			harness_fault_event ev = { i, "kernel", kp->signo, kp->code, kp->addr };
			on_fault(&ev, ctx);
		}

		const char *broken = oracle_world_broken(r.w);
		bool ok = true;
		/* The model and the kernel first: a divergence is the finding. */
		if (!broken && kp && s->op != PROG_MAPS && s->op != PROG_PAGEMAP)
			ok = compare_outcomes(&r, i, &mo, kp, mtext, ktext);
		/* Then the case's own expectations, on both sides. */
		if (ok && !broken) {
			bool mok = expectation_holds(s, &mo, r.vals, r.arena);
			bool kok = !kp || expectation_holds(s, kp, r.vals, r.arena);
			bool lok = true;
			char kdraw[PROG_STR_MAX] = "";
			if (s->res.kind == PROG_RES_LAYOUT) {
				lok = harness_layout_equal(drawing, s->str);
				if (kobs) {
					uint64_t np = a[1] >> 12;
					if (np < sizeof(kdraw))
						draw_vmas(&k->obs->vma[kobs->layout_first], kobs->layout_count,
							  a[0], np, kdraw);
					lok = lok && harness_layout_equal(kdraw, s->str);
				}
			}
			if (!mok || !kok || !lok) {
				char exp[160];
				uint64_t want = s->res.kind == PROG_RES_VALUE ? prog_eval(&s->res.value, r.arena, r.vals) : 0;
				if (s->res.kind == PROG_RES_LAYOUT)
					snprintf(exp, sizeof(exp), "\"%.*s\"", PROG_STR_MAX, s->str);
				else if (s->res.kind == PROG_RES_BIND)
					snprintf(exp, sizeof(exp), "a value to bind $%s", c->var[s->res.var]);
				else
					format_expected(exp, sizeof(exp), &s->res, want, r.arena);
				char *text = prog_step_to_string(c, s);
				if (kp)
					fail(&r, HARNESS_FAIL, i, "line %u: `%s`: expected %s, model %s, kernel %s",
					     s->line, text ? text : "?", exp, mtext,
					     s->res.kind == PROG_RES_LAYOUT ? kdraw : ktext);
				else
					fail(&r, HARNESS_FAIL, i, "line %u: `%s`: expected %s, model %s", s->line,
					     text ? text : "?", exp, mtext);
				free(text);
				ok = false;
			}
		}
		/* Steps that may free a page end the PFN map's stretch. */
		if (prog_op_info_get(s->op)->mutates || s->op == PROG_STORE || s->op == PROG_EXIT ||
		    s->op == PROG_FTRUNCATE)
			r.npfn = 0;
		/* Bind with the kernel's value: the model adopted it where legal. */
		if (ok && s->res.kind == PROG_RES_BIND) {
			const outcome *src = kp ? kp : &mo;
			r.vals[s->res.var] = src->is_probe ? src->value : (uint64_t)src->ret;
		}
		if (ok && !broken && kobs && s->op == PROG_MINCORE) {
			/* The vector, byte by byte (0xff: not written). */
			for (uint32_t q = 0; q < kobs->pm_count && ok; q++) {
				uint8_t kb = (uint8_t)k->obs->pm[kobs->pm_first + q], mb = r.mincore[q];
				if (kb == mb)
					continue;
				char where[48];
				format_value(where, sizeof(where), (a[0] & ~0xfffULL) + (uint64_t)q * 4096, r.arena);
				if (r.div) {
					memset(r.div, 0, sizeof(*r.div));
					r.div->step = i;
					r.div->line = s->line;
					snprintf(r.div->syscall, sizeof(r.div->syscall), "mincore");
					snprintf(r.div->field, sizeof(r.div->field), "vec");
					snprintf(r.div->model, sizeof(r.div->model), "%s: %d", where, mb == 0xff ? -1 : mb);
					snprintf(r.div->kernel, sizeof(r.div->kernel), "%s: %d", where, kb == 0xff ? -1 : kb);
					snprintf(r.div->signature, sizeof(r.div->signature), "mincore:vec:%d:%d",
						 mb == 0xff ? -1 : mb, kb == 0xff ? -1 : kb);
				}
				char *text = prog_step_to_string(c, s);
				fail(&r, HARNESS_FAIL, i, "line %u: `%s`: residency differs at %s: model %d, kernel %d "
				     "(-1: not written)", s->line, text ? text : "?", where,
				     mb == 0xff ? -1 : mb, kb == 0xff ? -1 : kb);
				free(text);
				ok = false;
			}
		}
		if (ok && !broken && kobs && s->op == PROG_PAGEMAP)
			ok = compare_pagemap(&r, i, a[0], a[1], &k->obs->pm[kobs->pm_first], kobs->pm_count,
					     kobs->pm_first + kobs->pm_count >= EXEC_MAX_PAGEMAP);
		/* The layout around the step (or all of it at maps()). */
		/* (An empty window is not compared: exec_step_window() gives one
		 * for an mremap whose lengths wrap, such as old_len -1315p and
		 * new_len -16p, where "the VMAs meeting [lo, lo)" means nothing
		 * to the PROCMAP_QUERY walk and the VMA around lo to the maps
		 * text and to oracle_vmas().) */
		if (ok && !broken && kobs && kobs->layout_taken) {
			uint64_t lo = 0, hi = 0x7ffffffff000ULL;
			if (!kobs->layout_full)
				exec_step_window(s, a, kp->ret, &lo, &hi);
			if (lo < hi)
				ok = compare_layout(&r, i, kobs->layout_full ? "whole" : "step's",
						    &k->obs->vma[kobs->layout_first], kobs->layout_count,
						    lo, hi);
		}
		if (on_step) {
			harness_step_event ev = { c, s, i, mtext, !ok, r.cur, r.arena };
			on_step(&ev, ctx);
		}
		if (broken) {
			char *text = prog_step_to_string(c, s);
			fail(&r, HARNESS_ERROR, i, "model invariant broken after `%s`: %s", text ? text : "?", broken);
			free(text);
			break;
		}
		if (!ok)
			break;
		if (k && cpu_limit_lowered(s, a, &mo)) {
			skip_cpu_limit(&r, i, s);
			break;
		}
	}
	/* The whole layout after the last step, of the root process. */
	r.cur = r.root;
	if (k && i == c->nsteps && out->result == HARNESS_PASS)
		compare_layout(&r, c->nsteps, "final", &k->obs->vma[k->obs->final_first],
			       k->obs->final_count, 0, 0x7ffffffff000ULL);
	model_watch_disarm(&old_prof);
	oracle_world_free(r.w);
}

void harness_check_case(const prog_case *c, const harness_target *t,
			harness_step_fn on_step, void *ctx, harness_case_report *out)
{
	run_case(c, t, NULL, on_step, NULL, ctx, out, NULL);
}

void harness_compare_case(const prog_case *c, const harness_target *t,
			  const harness_kernel *k, harness_fault_fn on_fault, void *ctx,
			  harness_case_report *out, harness_divergence *div)
{
	run_case(c, t, k, NULL, on_fault, ctx, out, div);
}
