/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gen.c: programs from bytes, generation and structure-aware mutation.
 *
 * The decoding reads the bytes as a stream of choices, one step after
 * another, and never rejects anything: bytes past the end read as 0, a
 * choice that cannot be honoured (exit() with no child to end) falls back to
 * an operation that always can. Each step is
 *
 *     op:u8  who:u8  form:u8  ...
 *
 * `op` picks the operation from a weighted table (a different table until
 * the first mmap, so programs start by mapping something); `who` picks the
 * process among the live ones (for exit() among the children that may end,
 * for wait() among the exited children whose parent lives); `form` 0xff
 * says that every argument follows explicitly (the form
 * fuzz_program_to_bytes writes, so that any generated program can be handed
 * back to a byte-level fuzzer), and any other value steers: the bytes that
 * follow pick addresses in the arena, at page boundaries and in the regions
 * earlier steps mapped, lengths of a few pages, valid flag sets, and now and
 * then an edge value or (cfg->unknown_bits) a bit Linux does not define.
 *
 * A decoded program is always "canonical": it passes harness_program_valid
 * and prog_case_check, carries no `= ...` but bindings, binds variables only
 * on mmap, mremap, brk, memfd_create, load and fork (named by role and
 * index: $m3, $fd4, $c5), keeps at most 3 children alive and lets a process
 * exit only once its own children have. fuzz_program_canonical turns any
 * valid case into that form (the mutator edits programs and then
 * canonicalizes them; the seed tool converts suites/ with it).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "linux_abi.h"

#define PAGE 4096ULL
#define MAX_LIVE 4            /* the root and at most 3 children at a time */
#define MAX_FORKS 8           /* children per program */
#define MAX_REGIONS 24
#define FORM_EXPLICIT 0xff
#define DEFAULT_STEPS 24
#define SHADOW_PAGES 128
#define SHADOW_BELOW 16       /* shadow[0] is the page at A-16p */
#define SH_MAPPED 1
#define SH_READ 2
#define SH_WRITE 4
/*
 * Regions the kernel placed (based on a variable) sit next to the
 * executor's own mappings, so steps aimed at them stay inside them: a
 * munmap or mprotect running past their end would hit memory the sandbox
 * itself lives in, and its contents are not the model's to predict. gen_addr
 * marks such an address's room with this bit, and gen_len keeps inside it.
 */
#define ROOM_STRICT 0x80000000u

/* ---------------------------------------------------------------------- */
/* Configuration                                                           */

void fuzz_config_default(fuzz_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_steps = DEFAULT_STEPS;
	cfg->op_mask = 0;
	cfg->multi_process = true;
	cfg->unknown_bits = true;
}

/*
 * Relative weights of the operations: most steps map, touch or change
 * pages; the rest appear often enough to meet everything else. Until the
 * first mmap the `boot` weights apply, so programs rarely start by probing
 * an empty arena.
 */
static const struct {
	uint8_t op, weight, boot;
} op_weights[] = {
	{ PROG_MMAP, 18, 120 },     { PROG_MUNMAP, 6, 2 },     { PROG_MPROTECT, 8, 2 },
	{ PROG_BRK, 3, 6 },         { PROG_MREMAP, 6, 2 },     { PROG_MADVISE, 7, 2 },
	{ PROG_MLOCK, 3, 1 },       { PROG_MLOCK2, 2, 1 },     { PROG_MUNLOCK, 2, 1 },
	{ PROG_MLOCKALL, 1, 1 },    { PROG_MUNLOCKALL, 1, 1 }, { PROG_MSEAL, 2, 1 },
	{ PROG_MINCORE, 2, 1 },     { PROG_FORK, 3, 2 },       { PROG_EXIT, 5, 1 },
	{ PROG_WAIT, 5, 1 },        { PROG_MEMFD_CREATE, 3, 12 }, { PROG_FTRUNCATE, 3, 1 },
	{ PROG_SETRLIMIT, 1, 2 },   { PROG_LOAD, 10, 2 },      { PROG_STORE, 13, 2 },
	{ PROG_FETCH, 3, 1 },       { PROG_MAPS, 2, 1 },       { PROG_PAGEMAP, 3, 1 },
};

static bool op_allowed(const fuzz_config *cfg, int op)
{
	if (!cfg->multi_process && (op == PROG_FORK || op == PROG_EXIT || op == PROG_WAIT))
		return false;
	return !cfg->op_mask || ((cfg->op_mask >> op) & 1);
}

/* Operations whose result may bind a value variable (fork binds a process). */
static bool bindable(int op)
{
	return op == PROG_MMAP || op == PROG_MREMAP || op == PROG_BRK || op == PROG_MEMFD_CREATE ||
	       op == PROG_LOAD;
}

static const char *var_prefix(int op)
{
	switch (op) {
	case PROG_MMAP: return "m";
	case PROG_MREMAP: return "r";
	case PROG_BRK: return "b";
	case PROG_MEMFD_CREATE: return "fd";
	case PROG_FORK: return "c";
	default: return "v";
	}
}

/* ---------------------------------------------------------------------- */
/* The state the choices depend on                                         */

/* A place earlier steps mapped (or the arena), as an expression. */
typedef struct region {
	prog_expr base;
	uint32_t pages;
} region;

typedef struct gstate {
	const fuzz_config *cfg;
	prog_case *c;                       /* the program being built */
	uint32_t max_steps;
	uint8_t table[2][256];              /* op by byte: [0] before the first mmap */
	int fallback;                       /* an op that is always possible, or -1 */
	/* Processes, by variable. */
	bool born[PROG_MAX_VARS], gone[PROG_MAX_VARS], waited[PROG_MAX_VARS];
	uint8_t parent[PROG_MAX_VARS];
	uint8_t live[MAX_LIVE];             /* live[0] is the root */
	unsigned nlive, nforks, nmmaps;
	/* Where things are. */
	region reg[MAX_REGIONS];
	unsigned nreg, reg_next;
	int memfd_var[4];                   /* the last memfd variables */
	unsigned nmemfd;
	int brk_var;                        /* $b bound by brk(NULL), or -1 */
	/*
	 * A rough picture of the arena: which pages of [A-16p, A+112p) the
	 * program's arena-relative steps should have mapped, and with what
	 * access (SH_*). It is a guess from the arguments (no model runs
	 * here), good enough to aim most steps at mapped memory.
	 */
	uint8_t shadow[SHADOW_PAGES];
	unsigned nmapped;
} gstate;

static void build_table(gstate *gs, int which)
{
	unsigned total = 0, n = 0;
	for (size_t i = 0; i < sizeof(op_weights) / sizeof(op_weights[0]); i++)
		if (op_allowed(gs->cfg, op_weights[i].op))
			total += which ? op_weights[i].weight : op_weights[i].boot;
	if (!total) {
		memset(gs->table[which], PROG_OP_COUNT, 256);
		return;
	}
	/* Each allowed op gets at least one byte, then bytes by weight. */
	unsigned acc = 0;
	for (size_t i = 0; i < sizeof(op_weights) / sizeof(op_weights[0]); i++) {
		if (!op_allowed(gs->cfg, op_weights[i].op))
			continue;
		acc += which ? op_weights[i].weight : op_weights[i].boot;
		unsigned end = (unsigned)((acc * 256ULL) / total);
		if (end <= n)
			end = n + 1;
		if (end > 256)
			end = 256;
		while (n < end)
			gs->table[which][n++] = op_weights[i].op;
	}
	while (n < 256) {
		gs->table[which][n] = gs->table[which][n - 1];
		n++;
	}
}

static void gs_init(gstate *gs, const fuzz_config *cfg, prog_case *c)
{
	memset(gs, 0, sizeof(*gs));
	gs->cfg = cfg;
	gs->c = c;
	gs->max_steps = cfg->max_steps ? cfg->max_steps : DEFAULT_STEPS;
	if (gs->max_steps > PROG_MAX_STEPS)
		gs->max_steps = PROG_MAX_STEPS;
	/* The tables and the fallback depend only on which ops the
	 * configuration allows (op_allowed); a campaign decodes many
	 * thousands of programs per second under one configuration, so the
	 * last ones built are kept. */
	static _Thread_local struct {
		bool valid, multi_process;
		uint64_t op_mask;
		uint8_t table[2][256];
		int fallback;
	} memo;
	if (memo.valid && memo.op_mask == cfg->op_mask && memo.multi_process == cfg->multi_process) {
		memcpy(gs->table, memo.table, sizeof(gs->table));
		gs->fallback = memo.fallback;
	} else {
		build_table(gs, 0);
		build_table(gs, 1);
		static const uint8_t fallbacks[] = { PROG_LOAD, PROG_STORE, PROG_MAPS, PROG_MMAP,
						     PROG_MUNMAP, PROG_MPROTECT, PROG_MADVISE };
		gs->fallback = -1;
		for (size_t i = 0; i < sizeof(fallbacks) && gs->fallback < 0; i++)
			if (op_allowed(cfg, fallbacks[i]))
				gs->fallback = fallbacks[i];
		for (int op = 0; op < PROG_OP_COUNT && gs->fallback < 0; op++)
			if (op_allowed(cfg, op) && op != PROG_FORK && op != PROG_EXIT && op != PROG_WAIT)
				gs->fallback = op;
		memcpy(memo.table, gs->table, sizeof(memo.table));
		memo.fallback = gs->fallback;
		memo.op_mask = cfg->op_mask;
		memo.multi_process = cfg->multi_process;
		memo.valid = true;
	}
	gs->live[0] = PROG_ROOT;
	gs->nlive = 1;
	gs->brk_var = -1;
	/* The arena is where programs map first. */
	gs->reg[0].base.arena = 1;
	gs->reg[0].pages = 8;
	gs->nreg = 1;
	gs->reg_next = 1;
}

static bool proc_live(const gstate *gs, uint8_t p)
{
	for (unsigned i = 0; i < gs->nlive; i++)
		if (gs->live[i] == p)
			return true;
	return false;
}

static unsigned live_children(const gstate *gs, uint8_t p)
{
	unsigned n = 0;
	for (unsigned i = 1; i < gs->nlive; i++)
		if (gs->parent[gs->live[i]] == p)
			n++;
	return n;
}

/* Children that may exit now: alive, with no live children of their own. */
static unsigned exitable(const gstate *gs, uint8_t *out)
{
	unsigned n = 0;
	for (unsigned i = 1; i < gs->nlive; i++)
		if (!live_children(gs, gs->live[i]))
			out[n++] = gs->live[i];
	return n;
}

/* Exited, unreaped children whose parent is alive to reap them. */
static unsigned waitable(const gstate *gs, uint8_t *out)
{
	unsigned n = 0;
	for (unsigned v = 0; v < gs->c->nvars; v++)
		if (gs->gone[v] && !gs->waited[v] && proc_live(gs, gs->parent[v]))
			out[n++] = (uint8_t)v;
	return n;
}

static bool fork_possible(const gstate *gs)
{
	return gs->nlive < MAX_LIVE && gs->nforks < MAX_FORKS && gs->c->nvars < PROG_MAX_VARS;
}

static bool op_possible(const gstate *gs, int op)
{
	uint8_t tmp[PROG_MAX_VARS];
	if (op >= PROG_OP_COUNT || !op_allowed(gs->cfg, op))
		return false;
	if (op == PROG_FORK)
		return fork_possible(gs);
	if (op == PROG_EXIT)
		return exitable(gs, tmp) > 0;
	if (op == PROG_WAIT)
		return waitable(gs, tmp) > 0;
	return true;
}

static int choose_op(const gstate *gs, uint8_t b)
{
	int op = gs->table[gs->nmmaps ? 1 : 0][b];
	return op_possible(gs, op) ? op : gs->fallback;
}

/* The process a step runs in: mostly the root. */
static uint8_t choose_proc(const gstate *gs, uint8_t b)
{
	if (gs->nlive == 1 || b < 128)
		return PROG_ROOT;
	return gs->live[b % gs->nlive];
}

static void add_region(gstate *gs, const prog_expr *base, uint64_t len)
{
	region *r = &gs->reg[gs->reg_next];
	r->base = *base;
	uint64_t pages = len / PAGE + (len % PAGE != 0);
	if (!pages)
		pages = 1;
	r->pages = pages > 64 ? 64 : (uint32_t)pages;
	if (gs->nreg < MAX_REGIONS)
		gs->nreg++;
	/* The arena (slot 0) stays; the others are a ring. */
	gs->reg_next = gs->reg_next + 1 < MAX_REGIONS ? gs->reg_next + 1 : 1;
}

static prog_expr ex_const(uint64_t k);

static bool is_const(const prog_expr *e)
{
	return !e->arena && !e->nterms;
}

static bool is_value_var(const gstate *gs, unsigned v)
{
	return v < gs->c->nvars && gs->c->var_kind[v] == PROG_VAR_VALUE;
}

/*
 * The shadow pages [*lo, *hi) an arena-relative range covers; false when
 * the range is not A+constant with a constant page-multiple length, or
 * lies outside the window.
 */
static bool shadow_span(const prog_expr *addr, const prog_expr *len, int *lo, int *hi)
{
	if (addr->arena != 1 || addr->nterms || !is_const(len) || (addr->k & (PAGE - 1)) ||
	    !len->k || len->k > (1ULL << 30))
		return false;
	int64_t first = (int64_t)addr->k / (int64_t)PAGE + SHADOW_BELOW;
	int64_t last = first + (int64_t)((len->k + PAGE - 1) / PAGE);
	if (last <= 0 || first >= SHADOW_PAGES)
		return false;
	*lo = first < 0 ? 0 : (int)first;
	*hi = last > SHADOW_PAGES ? SHADOW_PAGES : (int)last;
	return true;
}

static uint8_t shadow_access(uint64_t prot)
{
	return (uint8_t)(SH_MAPPED | ((prot & LX_PROT_READ) ? SH_READ : 0) |
			 ((prot & LX_PROT_WRITE) ? SH_WRITE | SH_READ : 0));
}

static void shadow_set(gstate *gs, int lo, int hi, uint8_t v)
{
	for (int i = lo; i < hi; i++) {
		gs->nmapped += (v != 0) - (gs->shadow[i] != 0);
		gs->shadow[i] = v;
	}
}

static void shadow_track(gstate *gs, const prog_step *s)
{
	const prog_expr *a = s->arg;
	int lo, hi;
	switch (s->op) {
	case PROG_MMAP: {
		uint64_t flags = is_const(&a[3]) ? a[3].k : 0, type = flags & LX_MAP_TYPE;
		if (!(flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) || !is_const(&a[2]) ||
		    type < LX_MAP_SHARED || type > LX_MAP_SHARED_VALIDATE ||
		    (flags & (LX_MAP_HUGETLB | LX_MAP_GROWSDOWN)) || (a[2].k & LX_PROT_SEM) ||
		    (!(flags & LX_MAP_ANONYMOUS) && is_const(&a[4])))
			break;
		if (shadow_span(&a[0], &a[1], &lo, &hi))
			shadow_set(gs, lo, hi, shadow_access(a[2].k));
		break;
	}
	case PROG_MUNMAP:
		if (shadow_span(&a[0], &a[1], &lo, &hi))
			shadow_set(gs, lo, hi, 0);
		break;
	case PROG_MPROTECT:
		if (is_const(&a[2]) && !(a[2].k & LX_PROT_SEM) && shadow_span(&a[0], &a[1], &lo, &hi)) {
			bool all = true;
			for (int i = lo; i < hi; i++)
				all &= gs->shadow[i] != 0;
			if (all)
				shadow_set(gs, lo, hi, shadow_access(a[2].k));
		}
		break;
	case PROG_MREMAP: {
		uint64_t flags = is_const(&a[3]) ? a[3].k : ~0ULL;
		int nlo, nhi;
		if (flags & ~7ULL || !shadow_span(&a[0], &a[1], &lo, &hi))
			break;
		uint8_t v = gs->shadow[lo];
		if (!v)
			break;
		if (flags & LX_MREMAP_FIXED) {
			if (!shadow_span(&a[4], &a[2], &nlo, &nhi))
				break;
			if (!(flags & LX_MREMAP_DONTUNMAP))
				shadow_set(gs, lo, hi, 0);
			shadow_set(gs, nlo, nhi, v);
		} else if (is_const(&a[2]) && a[2].k < a[1].k) {
			prog_expr tail = a[0];
			tail.k += a[2].k;
			prog_expr cut = ex_const(a[1].k - a[2].k);
			if (shadow_span(&tail, &cut, &nlo, &nhi))
				shadow_set(gs, nlo, nhi, 0);
		}
		break;
	}
	default:
		break;
	}
}

/* Updates the state after step s was added to the program. */
static void track(gstate *gs, const prog_step *s)
{
	shadow_track(gs, s);
	const prog_expr *a = s->arg;
	bool bound = s->res.kind == PROG_RES_BIND;
	switch (s->op) {
	case PROG_FORK:
		if (bound) {
			uint8_t v = s->res.var;
			gs->born[v] = true;
			gs->parent[v] = s->proc;
			if (gs->nlive < MAX_LIVE)
				gs->live[gs->nlive++] = v;
			gs->nforks++;
		}
		break;
	case PROG_EXIT:
		if (s->proc != PROG_ROOT) {
			gs->gone[s->proc] = true;
			for (unsigned i = 1; i < gs->nlive; i++)
				if (gs->live[i] == s->proc) {
					memmove(&gs->live[i], &gs->live[i + 1], gs->nlive - i - 1);
					gs->nlive--;
					break;
				}
		}
		break;
	case PROG_WAIT:
		gs->waited[a[0].term[0].var] = true;
		break;
	case PROG_MMAP: {
		gs->nmmaps++;
		/* Only mappings that look as if they worked become regions, so
		 * later steps mostly aim at mapped memory. */
		uint64_t flags = is_const(&a[3]) ? a[3].k : 0, type = flags & LX_MAP_TYPE;
		bool sane = is_const(&a[1]) && a[1].k && a[1].k <= 64 * PAGE && !(a[1].k & (PAGE - 1)) &&
			    !(a[0].k & (PAGE - 1)) && type >= LX_MAP_SHARED && type <= LX_MAP_SHARED_VALIDATE &&
			    ((flags & LX_MAP_ANONYMOUS) || !is_const(&a[4])) &&
			    !(flags & (LX_MAP_HUGETLB | LX_MAP_GROWSDOWN));
		if (!sane)
			break;
		if (bound) {
			prog_expr e = { 0 };
			e.nterms = 1;
			e.term[0].var = s->res.var;
			e.term[0].coef = 1;
			add_region(gs, &e, a[1].k);
		} else if ((flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) && !is_const(&a[0])) {
			add_region(gs, &a[0], a[1].k);
		}
		break;
	}
	case PROG_MREMAP:
		if (bound) {
			prog_expr e = { 0 };
			e.nterms = 1;
			e.term[0].var = s->res.var;
			e.term[0].coef = 1;
			add_region(gs, &e, a[2].k);
		} else if (is_const(&a[3]) && (a[3].k & LX_MREMAP_FIXED) && !a[4].nterms) {
			add_region(gs, &a[4], a[2].k);
		}
		break;
	case PROG_MEMFD_CREATE:
		if (bound) {
			gs->memfd_var[gs->nmemfd % 4] = s->res.var;
			gs->nmemfd++;
		}
		break;
	case PROG_BRK:
		if (bound)
			gs->brk_var = s->res.var;
		break;
	default:
		break;
	}
}

/* Binds the step's result to a new variable named by role and index. */
static bool bind_var(gstate *gs, prog_step *s)
{
	prog_case *c = gs->c;
	if (c->nvars >= PROG_MAX_VARS)
		return false;
	unsigned v = c->nvars++;
	snprintf(c->var[v], PROG_NAME_MAX, "%s%u", var_prefix(s->op), v);
	c->var_kind[v] = s->op == PROG_FORK ? PROG_VAR_PROC : PROG_VAR_VALUE;
	s->res.kind = PROG_RES_BIND;
	s->res.var = (uint8_t)v;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Expressions                                                             */

static prog_expr ex_const(uint64_t k)
{
	prog_expr e = { 0 };
	e.k = k;
	return e;
}

static prog_expr ex_arena(int64_t off)
{
	prog_expr e = { 0 };
	e.arena = 1;
	e.k = (uint64_t)off;
	return e;
}

static prog_expr ex_var(unsigned v, int64_t off)
{
	prog_expr e = { 0 };
	e.nterms = 1;
	e.term[0].var = (uint8_t)v;
	e.term[0].coef = 1;
	e.k = (uint64_t)off;
	return e;
}

/* Adds coef * A; false (nothing changed) when the coefficient would leave -128..127. */
static bool add_arena(prog_expr *e, int coef)
{
	int a = e->arena + coef;
	if (a < -128 || a > 127)
		return false;
	e->arena = a;
	return true;
}

/* Adds coef * $v, merging with an existing term; false when it cannot. */
static bool add_term(prog_expr *e, unsigned v, int coef)
{
	if (!coef)
		return true;
	for (unsigned i = 0; i < e->nterms; i++) {
		if (e->term[i].var != v)
			continue;
		int sum = e->term[i].coef + coef;
		if (sum < -128 || sum > 127)
			return false;
		if (sum) {
			e->term[i].coef = (int8_t)sum;
		} else {
			e->term[i] = e->term[e->nterms - 1];
			e->nterms--;
		}
		return true;
	}
	if (e->nterms >= PROG_MAX_TERMS)
		return false;
	e->term[e->nterms].var = (uint8_t)v;
	e->term[e->nterms].coef = (int8_t)coef;
	e->nterms++;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Reading bytes                                                           */

typedef struct reader {
	const uint8_t *p;
	size_t n, pos;
} reader;

static uint8_t u8(reader *r)
{
	return r->pos < r->n ? r->p[r->pos++] : 0;
}

static uint64_t u64(reader *r)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)u8(r) << (8 * i);
	return v;
}

/* The explicit form of an expression: tag, [k:8], [arena:1], (var, coef)*. */
static prog_expr rd_expr(const gstate *gs, reader *r)
{
	prog_expr e = { 0 };
	uint8_t tag = u8(r);
	unsigned nterms = tag & 3;
	if (tag & 8)
		e.k = u64(r);
	if (tag & 4)
		e.arena = (int8_t)u8(r);
	/* Value variables bound so far; a reference to anything else is
	 * taken modulo them, or becomes the arena when there are none. The
	 * list is made only when a term needs it. */
	uint8_t vals[PROG_MAX_VARS];
	unsigned nvals = 0;
	bool listed = false;
	for (unsigned i = 0; i < nterms; i++) {
		unsigned v = u8(r);
		int coef = (int8_t)u8(r);
		if (!is_value_var(gs, v)) {
			for (unsigned q = 0; !listed && q < gs->c->nvars; q++)
				if (gs->c->var_kind[q] == PROG_VAR_VALUE)
					vals[nvals++] = (uint8_t)q;
			listed = true;
			if (!nvals) {
				add_arena(&e, coef);
				continue;
			}
			v = vals[v % nvals];
		}
		add_term(&e, v, coef);
	}
	return e;
}

/* Strings: printable ASCII and newline; other bytes map to letters. */
static char str_char(uint8_t b)
{
	if ((b >= 0x20 && b < 0x7f) || b == '\n')
		return (char)b;
	return (char)('a' + b % 26);
}

static void rd_str(reader *r, char *out)
{
	unsigned len = u8(r) % PROG_STR_MAX;
	for (unsigned i = 0; i < len; i++)
		out[i] = str_char(u8(r));
	out[len] = 0;
}

/* ---------------------------------------------------------------------- */
/* Steered choices                                                         */

/*
 * A region: once something is mapped, mostly one of the mappings (the
 * latest ones most often), sometimes the arena as a whole.
 */
static const region *pick_region(const gstate *gs, reader *r)
{
	uint8_t b = u8(r);
	if (gs->nreg == 1 || b < 20)
		return &gs->reg[0];
	unsigned n = gs->nreg - 1;
	/* Slot of the k-th latest region in the ring of slots 1..MAX_REGIONS-1. */
	unsigned k = b < 144 ? b % (n < 3 ? n : 3) : b % n;
	unsigned latest = gs->reg_next == 1 ? MAX_REGIONS - 1 : gs->reg_next - 1;
	unsigned slot = latest;
	for (unsigned i = 0; i < k; i++)
		slot = slot == 1 ? MAX_REGIONS - 1 : slot - 1;
	return &gs->reg[slot];
}


static prog_expr special_addr(uint8_t b)
{
	switch (b % 13) {
	case 0: return ex_const(0);
	case 1: return ex_const(PAGE);                       /* below mmap_min_addr */
	case 2: return ex_const(0x10000 - PAGE);
	case 3: return ex_const(0x10000);
	case 4: return ex_const(0x7ffffffff000ULL - PAGE);   /* TASK_SIZE's last page */
	case 5: return ex_const(0x7ffffffff000ULL);          /* TASK_SIZE */
	case 6: return ex_const(1ULL << 47);                 /* non-canonical */
	case 7: return ex_const(0xffffffffff600000ULL);      /* vsyscall */
	case 8: return ex_const(0xfffffffffffff000ULL);
	case 9: return ex_arena(-(int64_t)PAGE);             /* just below the arena */
	case 10: return ex_arena(1LL << 30);                 /* the arena's far end */
	case 11: return ex_const(0x400000);
	default: return ex_const(1ULL << 32);
	}
}

/*
 * A page the shadow says is mapped, and the run of mapped pages around it
 * (shadow indexes). False when nothing is.
 */
static bool pick_mapped(const gstate *gs, reader *r, uint8_t want, int *page, int *lo, int *hi)
{
	if (!gs->nmapped)
		return false;
	unsigned n = 0;
	for (int i = 0; i < SHADOW_PAGES; i++)
		n += (gs->shadow[i] & want) == want && gs->shadow[i];
	if (!n) {
		want = SH_MAPPED;
		n = gs->nmapped;
	}
	unsigned idx = (u8(r) | (unsigned)u8(r) << 8) % n;
	int p = 0;
	for (int i = 0; i < SHADOW_PAGES; i++)
		if (gs->shadow[i] && (gs->shadow[i] & want) == want && !idx--) {
			p = i;
			break;
		}
	int l = p, h = p + 1;
	while (l > 0 && gs->shadow[l - 1])
		l--;
	while (h < SHADOW_PAGES && gs->shadow[h])
		h++;
	*page = p;
	*lo = l;
	*hi = h;
	return true;
}

/*
 * An address for a syscall: in a region (at or next to its pages), in the
 * arena, after a variable, NULL, an edge value, or unaligned. *room gets
 * the pages from the address to the end of its region (0 if unknown).
 */
static prog_expr gen_addr(const gstate *gs, reader *r, uint32_t *room)
{
	uint8_t b = u8(r);
	int pg, lo, hi;
	*room = 0;
	if (b < 130 && pick_mapped(gs, r, SH_MAPPED, &pg, &lo, &hi)) {
		/* A mapped run: its start, a page in it, or just outside it. */
		uint8_t o = u8(r);
		int at = o < 90 ? lo : o < 200 ? pg : o < 228 ? lo - 1 : hi;
		*room = at >= lo && at < hi ? (uint32_t)(hi - at) : 1;
		return ex_arena((int64_t)(at - SHADOW_BELOW) * (int64_t)PAGE);
	}
	if (b < 210) {
		const region *g = pick_region(gs, r);
		uint8_t o = u8(r);
		int64_t off;
		if (g->base.nterms)
			off = o % g->pages;                  /* kernel-placed: stay inside */
		else if (o < 200)
			off = o % g->pages;
		else if (o < 230)
			off = (int64_t)(o % 5) - 2;          /* around the start */
		else
			off = (int64_t)g->pages + (o % 3) - 1; /* around the end */
		prog_expr e = g->base;
		e.k += (uint64_t)(off * (int64_t)PAGE);
		*room = off >= 0 && off < (int64_t)g->pages ? g->pages - (uint32_t)off : 1;
		if (g->base.nterms)
			*room |= ROOM_STRICT;
		return e;
	}
	if (b < 222)
		return ex_const(0);
	if (b < 240)
		return special_addr(u8(r));
	/* Unaligned, in the arena. */
	uint8_t p = u8(r);
	return ex_arena((int64_t)(p % 16) * (int64_t)PAGE + 1 + (int64_t)u8(r) * 16);
}

/* An address for a probe: mostly inside regions, at words that matter. */
static prog_expr gen_probe(const gstate *gs, reader *r, uint8_t want, bool fetch)
{
	uint8_t b = u8(r);
	/* Mostly pages the access should work on, sometimes any mapped page. */
	uint8_t acc = u8(r) < 200 ? want : SH_MAPPED;
	prog_expr e;
	int64_t off;
	int pg, lo, hi;
	bool strict = false;
	if (b < 195 && pick_mapped(gs, r, acc, &pg, &lo, &hi)) {
		e = ex_arena(0);
		off = (int64_t)(pg - SHADOW_BELOW) * (int64_t)PAGE;
	} else if (b < 236) {
		const region *g = pick_region(gs, r);
		e = g->base;
		strict = g->base.nterms > 0;
		uint8_t p = u8(r);
		off = (int64_t)(p < 240 || strict ? p % g->pages : g->pages) * (int64_t)PAGE;
		if (strict) {
			/* Inside, and away from the region's edges. */
			e.k += (uint64_t)off + 8 * (uint64_t)(u8(r) % 511);
			return e;
		}
	} else {
		static const uint64_t edge[] = { 0, 0xffffffffff600000ULL, 0xffffffffff600400ULL,
						 1ULL << 47, 0x7ffffffff000ULL - 8, 0xffff800000000000ULL,
						 0x7ffffffff000ULL - PAGE };
		return ex_const(edge[u8(r) % (sizeof(edge) / sizeof(edge[0]))]);
	}
	/* Where in the page: its start, any word, the words at its edges. */
	uint8_t w = u8(r);
	if (fetch || w < 140)
		off += 0;
	else if (w < 180)
		off += 8 * (int64_t)u8(r);
	else if (w < 200)
		off += (int64_t)PAGE - 8;            /* the page's last word */
	else if (w < 220)
		off += (int64_t)PAGE - 4;            /* crosses into the next page */
	else if (w < 235)
		off -= 8;                            /* the previous page's last word */
	else
		off += 1 + u8(r);
	e.k += (uint64_t)off;
	return e;
}

/* A length: mostly a few pages, the room left in a region, edge values. */
static prog_expr gen_len(reader *r, uint32_t room)
{
	uint8_t b = u8(r);
	if (room & ROOM_STRICT) {
		room &= ~ROOM_STRICT;
		uint64_t n = 1 + u8(r) % 4;
		return ex_const((b < 128 && n < room ? n : room) * PAGE);
	}
	if (b < 110) {
		uint64_t n = 1 + u8(r) % 4;
		return ex_const((room && room < n ? room : n) * PAGE);
	}
	if (b < 170)
		return ex_const((room ? room : 2) * PAGE);
	if (b < 185)
		return ex_const((1 + u8(r) % 16) * PAGE);
	if (b < 195)
		return ex_const(0);
	if (b < 215)
		return ex_const((u8(r) % 4) * PAGE + 1 + (uint64_t)u8(r) * 16);
	if (b < 238) {
		/* Edges that fail fast or stay small: a 1 GiB length with
		 * MAP_POPULATE or mlock would cost the model (and the kernel)
		 * 262,144 page faults for nothing new, and a length just under
		 * TASK_SIZE lets munmap(NULL, len) take the sandbox's own
		 * mappings away. */
		static const uint64_t big[] = { 2ULL << 20, 4ULL << 20, 1ULL << 47, (uint64_t)-PAGE,
						~0ULL, 1ULL << 48, 256 * PAGE, 512 * PAGE };
		return ex_const(big[u8(r) % 8]);
	}
	return ex_const((uint64_t)u8(r) * PAGE);
}

static uint64_t unknown_bit(reader *r)
{
	return 1ULL << (u8(r) % 64);
}

static prog_expr gen_prot(const gstate *gs, reader *r)
{
	static const uint64_t table[] = {
		LX_PROT_READ | LX_PROT_WRITE, LX_PROT_READ | LX_PROT_WRITE, LX_PROT_READ | LX_PROT_WRITE,
		LX_PROT_READ | LX_PROT_WRITE, LX_PROT_READ | LX_PROT_WRITE, LX_PROT_READ | LX_PROT_WRITE,
		LX_PROT_READ | LX_PROT_WRITE, LX_PROT_READ | LX_PROT_WRITE, LX_PROT_READ, LX_PROT_READ,
		LX_PROT_READ, LX_PROT_READ, LX_PROT_READ, LX_PROT_NONE, LX_PROT_NONE, LX_PROT_NONE,
		LX_PROT_READ | LX_PROT_EXEC, LX_PROT_READ | LX_PROT_EXEC,
		LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC, LX_PROT_WRITE, LX_PROT_EXEC,
		LX_PROT_WRITE | LX_PROT_EXEC, LX_PROT_READ | LX_PROT_GROWSDOWN,
		LX_PROT_READ | LX_PROT_WRITE | LX_PROT_GROWSUP, LX_PROT_READ | LX_PROT_SEM,
		LX_PROT_GROWSDOWN | LX_PROT_GROWSUP,
	};
	uint8_t b = u8(r);
	if (gs->cfg->unknown_bits && b >= 250)
		return ex_const(LX_PROT_READ | unknown_bit(r));
	return ex_const(table[b % (sizeof(table) / sizeof(table[0]))]);
}

/* Flags added to a mapping: mostly none. */
static uint64_t gen_map_extra(const gstate *gs, reader *r)
{
	static const uint64_t extra[] = {
		LX_MAP_POPULATE, LX_MAP_POPULATE, LX_MAP_POPULATE, LX_MAP_NORESERVE, LX_MAP_NORESERVE,
		LX_MAP_LOCKED, LX_MAP_LOCKED, LX_MAP_GROWSDOWN, LX_MAP_GROWSDOWN, LX_MAP_STACK,
		LX_MAP_NONBLOCK, LX_MAP_DENYWRITE, LX_MAP_EXECUTABLE, LX_MAP_32BIT,
		LX_MAP_UNINITIALIZED, LX_MAP_SYNC, LX_MAP_HUGETLB, LX_MAP_HUGETLB | LX_MAP_HUGE_2MB,
		LX_MAP_ABOVE4G, LX_MAP_POPULATE | LX_MAP_LOCKED,
	};
	uint8_t b = u8(r);
	if (b < 160)
		return 0;
	if (gs->cfg->unknown_bits && b >= 250)
		return unknown_bit(r);
	return extra[u8(r) % (sizeof(extra) / sizeof(extra[0]))];
}

static prog_expr memfd_fd(const gstate *gs, reader *r)
{
	uint8_t b = u8(r);
	if (gs->nmemfd && b < 230) {
		unsigned n = gs->nmemfd < 4 ? gs->nmemfd : 4;
		return ex_var((unsigned)gs->memfd_var[b % n], 0);
	}
	static const int64_t raw[] = { 3, 4, -1, 1000, 0 };
	return ex_const((uint64_t)raw[b % 5]);
}

static void gen_mmap(gstate *gs, reader *r, prog_step *s, uint8_t form)
{
	prog_expr *a = s->arg;
	uint32_t room;
	uint64_t type = LX_MAP_PRIVATE, flags;
	bool bind = false;
	a[4] = ex_const((uint64_t)-1);
	a[5] = ex_const(0);
	if (form < 140) {
		/* Fixed anonymous mappings in the arena and over earlier ones. */
		if (form >= 105)
			type = LX_MAP_SHARED;
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		a[2] = gen_prot(gs, r);
		flags = type | LX_MAP_ANONYMOUS | LX_MAP_FIXED | gen_map_extra(gs, r);
	} else if (form < 185) {
		/*
		 * Placed by the kernel; the result is bound. Mostly with a hint
		 * in the arena's free upper part, which the kernel honours, so
		 * neighbours are the program's own; sometimes NULL, top-down
		 * next to the executor's mappings.
		 */
		uint8_t h = u8(r);
		a[0] = h < 70 ? ex_const(0) : ex_arena((256 + 16 * (int64_t)(h % 48)) * (int64_t)PAGE);
		a[1] = ex_const((1 + u8(r) % 8) * PAGE);
		a[2] = gen_prot(gs, r);
		uint8_t t = u8(r);
		type = t < 190 ? LX_MAP_PRIVATE : LX_MAP_SHARED;
		flags = type | LX_MAP_ANONYMOUS | (t % 5 == 0 ? LX_MAP_POPULATE : 0) |
			(t % 7 == 0 ? LX_MAP_NORESERVE : 0);
		bind = true;
	} else if (form < 215) {
		/* A memfd, shared mostly. */
		uint8_t t = u8(r);
		type = t < 180 ? LX_MAP_SHARED : LX_MAP_PRIVATE;
		a[4] = memfd_fd(gs, r);
		bool fixed = t & 1;
		bool anon = !gs->nmemfd && t < 240; /* no memfd yet: shared memory */
		if (anon)
			a[4] = ex_const((uint64_t)-1);
		if (fixed) {
			a[0] = gen_addr(gs, r, &room);
			a[1] = gen_len(r, room);
		} else {
			a[0] = ex_const(0);
			a[1] = ex_const((1 + u8(r) % 8) * PAGE);
			bind = !is_const(&a[4]) || anon;
		}
		a[2] = gen_prot(gs, r);
		a[5] = ex_const(anon ? 0 : (u8(r) % 4) * PAGE);
		flags = type | (fixed ? LX_MAP_FIXED : 0) | (anon ? LX_MAP_ANONYMOUS : 0) |
			(t % 6 == 0 ? LX_MAP_POPULATE : 0);
	} else if (form < 228) {
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		a[2] = gen_prot(gs, r);
		flags = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED_NOREPLACE | gen_map_extra(gs, r);
	} else if (form < 245) {
		/* Odd flag combinations: raw types, several flags at once. */
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		a[2] = gen_prot(gs, r);
		flags = u8(r) % 16;
		uint8_t m = u8(r), n = u8(r);
		static const uint64_t bits[] = { LX_MAP_FIXED, LX_MAP_ANONYMOUS, LX_MAP_POPULATE,
						 LX_MAP_LOCKED, LX_MAP_GROWSDOWN, LX_MAP_NORESERVE,
						 LX_MAP_STACK, LX_MAP_FIXED_NOREPLACE, LX_MAP_HUGETLB,
						 LX_MAP_SYNC, LX_MAP_32BIT, LX_MAP_ABOVE4G, LX_MAP_NONBLOCK,
						 LX_MAP_UNINITIALIZED, LX_MAP_DENYWRITE, LX_MAP_EXECUTABLE };
		for (int i = 0; i < 8; i++)
			if ((m >> i) & 1)
				flags |= bits[(i + n) % 16];
		if (gs->cfg->unknown_bits && (n & 0x80))
			flags |= unknown_bit(r);
		if (!(flags & LX_MAP_ANONYMOUS))
			a[4] = memfd_fd(gs, r);
	} else {
		/* Argument errors: no length, a bad offset, no descriptor. */
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		a[2] = gen_prot(gs, r);
		uint8_t k = u8(r);
		flags = LX_MAP_PRIVATE | LX_MAP_FIXED;
		if (k % 3 == 0) {
			a[5] = ex_const(1 + u8(r));          /* unaligned offset, fd -1 */
		} else if (k % 3 == 1) {
			flags |= LX_MAP_ANONYMOUS;
			a[5] = ex_const((uint64_t)-PAGE);    /* offset overflows */
		} else {
			flags |= LX_MAP_ANONYMOUS;
			a[1] = ex_const(0);
		}
	}
	a[3] = ex_const(flags);
	if (bind)
		bind_var(gs, s);
}

static uint64_t gen_advice(const gstate *gs, reader *r)
{
	static const uint8_t common[] = {
		LX_MADV_DONTNEED, LX_MADV_DONTNEED, LX_MADV_DONTNEED, LX_MADV_DONTNEED, LX_MADV_WILLNEED,
		LX_MADV_NORMAL, LX_MADV_RANDOM, LX_MADV_SEQUENTIAL, LX_MADV_DONTFORK, LX_MADV_DONTFORK,
		LX_MADV_DOFORK, LX_MADV_WIPEONFORK, LX_MADV_WIPEONFORK, LX_MADV_KEEPONFORK,
		LX_MADV_DONTDUMP, LX_MADV_DODUMP, LX_MADV_DONTNEED_LOCKED, LX_MADV_FREE, LX_MADV_FREE,
	};
	static const uint8_t other[] = {
		LX_MADV_REMOVE, LX_MADV_COLD, LX_MADV_PAGEOUT, LX_MADV_POPULATE_READ,
		LX_MADV_POPULATE_WRITE, LX_MADV_HUGEPAGE, LX_MADV_NOHUGEPAGE, LX_MADV_GUARD_INSTALL,
		LX_MADV_GUARD_INSTALL, LX_MADV_GUARD_REMOVE, LX_MADV_MERGEABLE, LX_MADV_UNMERGEABLE,
		LX_MADV_COLLAPSE, LX_MADV_SOFT_OFFLINE,
	};
	static const int64_t invalid[] = { 5, 6, 7, 26, 99, 104, -1, 1 << 20 };
	uint8_t b = u8(r);
	if (b < 170)
		return common[u8(r) % sizeof(common)];
	if (b < 243)
		return other[u8(r) % sizeof(other)];
	return (uint64_t)invalid[u8(r) % 8];
}

static prog_expr gen_rlimit_value(reader *r)
{
	static const uint64_t v[] = { 0, PAGE, 4 * PAGE, 16 * PAGE, 64 * PAGE, 1ULL << 20,
				      8ULL << 20, 64ULL << 20, 1ULL << 30, ~0ULL, ~0ULL, ~0ULL };
	return ex_const(v[u8(r) % (sizeof(v) / sizeof(v[0]))]);
}

/* Fills the arguments of s by steering; form is the step's form byte. */
static void gen_args(gstate *gs, reader *r, prog_step *s, uint8_t form)
{
	prog_expr *a = s->arg;
	uint32_t room = 0;
	switch (s->op) {
	case PROG_MMAP:
		gen_mmap(gs, r, s, form);
		break;
	case PROG_MUNMAP:
	case PROG_MLOCK:
	case PROG_MUNLOCK:
	case PROG_MINCORE:
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		break;
	case PROG_MPROTECT:
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		a[2] = gen_prot(gs, r);
		break;
	case PROG_BRK:
		if (gs->brk_var >= 0 && form < 200)
			a[0] = ex_var((unsigned)gs->brk_var, ((int64_t)(u8(r) % 12) - 3) * (int64_t)PAGE);
		else if (form < 230)
			bind_var(gs, s); /* brk(NULL) = $b: the current break */
		else
			a[0] = gen_addr(gs, r, &room);
		break;
	case PROG_MREMAP: {
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		uint8_t f = u8(r);
		uint64_t flags;
		if (f < 100)
			flags = LX_MREMAP_MAYMOVE;
		else if (f < 150)
			flags = 0;
		else if (f < 190)
			flags = LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED;
		else if (f < 215)
			flags = LX_MREMAP_MAYMOVE | LX_MREMAP_DONTUNMAP;
		else if (f < 228)
			flags = LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED | LX_MREMAP_DONTUNMAP;
		else if (f < 245 || !gs->cfg->unknown_bits)
			flags = f & 7;
		else
			flags = LX_MREMAP_MAYMOVE | unknown_bit(r);
		a[2] = (flags & LX_MREMAP_DONTUNMAP) && form < 200 ? a[1] : gen_len(r, 0);
		a[3] = ex_const(flags);
		if (flags & LX_MREMAP_FIXED) {
			/* Moved onto a kernel-placed region, a long mapping would
			 * cover the executor's memory next to it: into the arena. */
			a[4] = gen_addr(gs, r, &room);
			if (room & ROOM_STRICT)
				a[4] = ex_arena((64 + (int64_t)(u8(r) % 64)) * (int64_t)PAGE);
		}
		break;
	}
	case PROG_MADVISE:
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		/* madvise walks on across holes (ENOMEM at the end): a huge range
		 * from the arena would reach the executor's own memory and kill
		 * the sandbox. Lengths that wrap past an arena address (EINVAL)
		 * stay; from an absolute one (NULL) they would not wrap. */
		if (a[1].k > (4ULL << 20) && (a[1].k < (uint64_t)-(1ULL << 32) || is_const(&a[0])))
			a[1].k = 512 * PAGE;
		a[2] = ex_const(gen_advice(gs, r));
		break;
	case PROG_MLOCK2: {
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		uint8_t f = u8(r);
		a[2] = ex_const(f < 120 ? 0 : f < 240 ? LX_MLOCK_ONFAULT
			     : gs->cfg->unknown_bits ? unknown_bit(r) : 2);
		break;
	}
	case PROG_MLOCKALL: {
		static const uint64_t t[] = { LX_MCL_CURRENT, LX_MCL_CURRENT, LX_MCL_FUTURE,
					      LX_MCL_CURRENT | LX_MCL_FUTURE, LX_MCL_CURRENT | LX_MCL_ONFAULT,
					      LX_MCL_FUTURE | LX_MCL_ONFAULT,
					      LX_MCL_CURRENT | LX_MCL_FUTURE | LX_MCL_ONFAULT, 0,
					      LX_MCL_ONFAULT, 8 };
		a[0] = ex_const(t[form % (sizeof(t) / sizeof(t[0]))]);
		break;
	}
	case PROG_MSEAL:
		a[0] = gen_addr(gs, r, &room);
		a[1] = gen_len(r, room);
		a[2] = ex_const(form < 240 ? 0 : form & 3);
		break;
	case PROG_EXIT:
		a[0] = ex_const(form < 200 ? (uint64_t)(form % 4) : form < 250 ? 255 : (uint64_t)-1);
		break;
	case PROG_MEMFD_CREATE: {
		static const char *names[] = { "f", "g", "mem", "a.b", "memfd-x" };
		static const uint64_t flags[] = {
			0, 0, 0, LX_MFD_CLOEXEC, LX_MFD_ALLOW_SEALING, LX_MFD_CLOEXEC | LX_MFD_ALLOW_SEALING,
			LX_MFD_NOEXEC_SEAL, LX_MFD_EXEC, LX_MFD_CLOEXEC | LX_MFD_NOEXEC_SEAL,
			/* errors and the hugetlb file the model does not map */
			LX_MFD_EXEC | LX_MFD_NOEXEC_SEAL, LX_MFD_HUGETLB, 0x40, 0x80000000ULL,
		};
		snprintf(s->str, PROG_STR_MAX, "%s", names[form % 5]);
		uint8_t f = u8(r);
		unsigned i = f < 230 ? f % 9 : 9 + f % 4;
		a[1] = ex_const(flags[i]);
		if (i < 9)
			bind_var(gs, s);
		break;
	}
	case PROG_FTRUNCATE: {
		a[0] = memfd_fd(gs, r);
		uint8_t l = u8(r);
		if (l < 180)
			a[1] = ex_const((l % 9) * PAGE);
		else if (l < 230)
			a[1] = ex_const((l % 4) * PAGE + 1 + (uint64_t)u8(r) * 8);
		else /* not past RLIMIT_FSIZE: SIGXFSZ would kill the sandbox */
			a[1] = ex_const(l < 245 ? 64 * PAGE : (uint64_t)-1);
		break;
	}
	case PROG_SETRLIMIT: {
		static const uint8_t res[] = { LX_RLIMIT_MEMLOCK, LX_RLIMIT_MEMLOCK, LX_RLIMIT_MEMLOCK,
					       LX_RLIMIT_MEMLOCK, LX_RLIMIT_DATA, LX_RLIMIT_DATA,
					       LX_RLIMIT_AS, LX_RLIMIT_STACK, LX_RLIMIT_FSIZE,
					       LX_RLIMIT_NOFILE, LX_RLIMIT_CPU, 16 };
		a[0] = ex_const(res[form % sizeof(res)]);
		a[1] = gen_rlimit_value(r);
		uint8_t h = u8(r);
		a[2] = h < 170 ? ex_const(~0ULL) : h < 230 ? a[1] : gen_rlimit_value(r);
		/* RLIMIT_CPU below the sandbox's 20 s lets SIGXCPU/SIGKILL end
		 * the sandbox at a CPU-second tick no model can predict (the
		 * harness SKIPs the rest of such a program): keep it at 20. */
		if (a[0].k == LX_RLIMIT_CPU)
			for (int q = 1; q <= 2; q++)
				if (a[q].k < 20)
					a[q].k = 20;
		break;
	}
	case PROG_LOAD:
		/* No binding here: a load that faults would end the case. */
		a[0] = gen_probe(gs, r, SH_READ, false);
		break;
	case PROG_STORE: {
		a[0] = gen_probe(gs, r, SH_WRITE, false);
		uint8_t v = u8(r);
		a[1] = ex_const(v < 128 ? 1 + (uint64_t)(v & 0x7f) : v < 200 ? u64(r) : v < 230 ? 0 : ~0ULL);
		break;
	}
	case PROG_FETCH:
		a[0] = gen_probe(gs, r, SH_READ, true);
		break;
	case PROG_MAPS:
		if (form >= 128) {
			const region *g = pick_region(gs, r);
			a[0] = g->base;
			a[1] = ex_const((uint64_t)(g->pages + 2) * PAGE);
		}
		break;
	case PROG_PAGEMAP: {
		const region *g = pick_region(gs, r);
		uint32_t off = u8(r) % (g->pages + !g->base.nterms), n = 1 + u8(r) % 8;
		a[0] = g->base;
		a[0].k += (uint64_t)off * PAGE;
		if (g->base.nterms && n > g->pages - off)
			n = g->pages - off; /* kernel-placed: stay inside */
		a[1] = ex_const(n * PAGE);
		break;
	}
	default: /* fork, wait, munlockall: set by the caller or no arguments */
		break;
	}
}

/* The explicit form: every argument as written. */
static void rd_args(gstate *gs, reader *r, prog_step *s)
{
	const prog_op_info *info = prog_op_info_get(s->op);
	for (unsigned i = 0; i < info->nargs; i++) {
		if (info->argkind[i] == PROG_ARG_STR)
			rd_str(r, s->str);
		else if (info->argkind[i] != PROG_ARG_PROC)
			s->arg[i] = rd_expr(gs, r);
	}
	if (bindable(s->op) && (u8(r) & 1))
		bind_var(gs, s);
}

/*
 * Decodes one step and appends it; force >= 0 overrides the op byte when
 * that op is possible. Returns 0, 1 when no step can be made (nothing is
 * allowed), or -1 on out of memory.
 */
static int decode_step(gstate *gs, reader *r, int force)
{
	uint8_t tmp[PROG_MAX_VARS];
	int op = choose_op(gs, u8(r));
	if (force >= 0 && op_possible(gs, force))
		op = force;
	if (op < 0)
		return 1;
	uint8_t who = u8(r), proc = PROG_ROOT;
	int target = -1;
	if (op == PROG_EXIT) {
		unsigned n = exitable(gs, tmp);
		proc = tmp[who % n];
	} else if (op == PROG_WAIT) {
		unsigned n = waitable(gs, tmp);
		target = tmp[who % n];
		proc = gs->parent[target];
	} else {
		proc = choose_proc(gs, who);
	}
	prog_step *s = prog_case_add_step(gs->c, op);
	if (!s)
		return -1;
	s->proc = proc;
	if (target >= 0)
		s->arg[0] = ex_var((unsigned)target, 0);
	if (op == PROG_FORK)
		bind_var(gs, s);
	uint8_t form = u8(r);
	if (form == FORM_EXPLICIT)
		rd_args(gs, r, s);
	else
		gen_args(gs, r, s, form);
	track(gs, s);
	return 0;
}

int fuzz_program_from_bytes(const uint8_t *data, size_t len, const fuzz_config *cfg,
			    prog_case *out)
{
	gstate gs;
	reader r = { data, data ? len : 0, 0 };
	prog_case_init(out, "fuzz");
	gs_init(&gs, cfg, out);
	while (r.pos < r.n && out->nsteps < gs.max_steps) {
		int st = decode_step(&gs, &r, -1);
		if (st < 0) {
			prog_case_clear(out);
			return -1;
		}
		if (st > 0)
			break;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Programs back to bytes                                                  */

typedef struct writer {
	uint8_t *p;
	size_t cap, n;
	bool full;
} writer;

static void w8(writer *w, uint8_t b)
{
	if (w->n < w->cap)
		w->p[w->n++] = b;
	else
		w->full = true;
}

static void w_expr(writer *w, const prog_expr *e)
{
	uint8_t tag = (uint8_t)(e->nterms & 3);
	if (e->k)
		tag |= 8;
	if (e->arena)
		tag |= 4;
	w8(w, tag);
	if (e->k)
		for (int i = 0; i < 8; i++)
			w8(w, (uint8_t)(e->k >> (8 * i)));
	if (e->arena)
		w8(w, (uint8_t)(int8_t)e->arena);
	for (unsigned i = 0; i < e->nterms && i < PROG_MAX_TERMS; i++) {
		w8(w, e->term[i].var);
		w8(w, (uint8_t)e->term[i].coef);
	}
}

/* The first byte value whose choice is `want`, or -1: choose_op() of each
 * byte, with op_possible() worked out once per op instead of per byte. */
static int find_op_byte(const gstate *gs, int want)
{
	int8_t possible[PROG_OP_COUNT + 1];
	memset(possible, -1, sizeof(possible));
	const uint8_t *table = gs->table[gs->nmmaps ? 1 : 0];
	for (int b = 0; b < 256; b++) {
		int op = table[b], slot = op < PROG_OP_COUNT ? op : PROG_OP_COUNT;
		if (possible[slot] < 0)
			possible[slot] = op_possible(gs, op);
		if ((possible[slot] ? op : gs->fallback) == want)
			return b;
	}
	return -1;
}

static int find_who_byte(const gstate *gs, const prog_step *s)
{
	uint8_t tmp[PROG_MAX_VARS];
	for (int b = 0; b < 256; b++) {
		if (s->op == PROG_EXIT) {
			unsigned n = exitable(gs, tmp);
			if (n && tmp[b % n] == s->proc)
				return b;
		} else if (s->op == PROG_WAIT) {
			unsigned n = waitable(gs, tmp);
			if (n && tmp[b % n] == s->arg[0].term[0].var && gs->parent[tmp[b % n]] == s->proc)
				return b;
		} else if (choose_proc(gs, (uint8_t)b) == s->proc) {
			return b;
		}
	}
	return -1;
}

static bool str_expressible(const char *s)
{
	size_t n = strnlen(s, PROG_STR_MAX);
	if (n >= PROG_STR_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (str_char((uint8_t)s[i]) != s[i])
			return false;
	return true;
}

size_t fuzz_program_to_bytes(const prog_case *c, const fuzz_config *cfg, uint8_t *buf, size_t cap)
{
	gstate gs;
	prog_case shadow;
	writer w = { buf, cap, 0, false };
	size_t result = 0;

	if (strcmp(c->name, "fuzz") || c->nreq)
		return 0;
	prog_case_init(&shadow, "fuzz");
	gs_init(&gs, cfg, &shadow);
	if (c->nsteps > gs.max_steps)
		goto out;
	for (uint32_t i = 0; i < c->nsteps; i++) {
		const prog_step *s = &c->steps[i];
		const prog_op_info *info = prog_op_info_get(s->op);
		int ob = find_op_byte(&gs, s->op), wb = find_who_byte(&gs, s);
		if (!info || ob < 0 || wb < 0)
			goto out;
		bool want_bind = s->op == PROG_FORK || (bindable(s->op) && s->res.kind == PROG_RES_BIND);
		if (want_bind ? s->res.kind != PROG_RES_BIND : s->res.kind != PROG_RES_NONE)
			goto out;
		if (want_bind && s->res.var != shadow.nvars)
			goto out;
		w8(&w, (uint8_t)ob);
		w8(&w, (uint8_t)wb);
		w8(&w, FORM_EXPLICIT);
		for (unsigned q = 0; q < info->nargs; q++) {
			if (info->argkind[q] == PROG_ARG_STR) {
				if (!str_expressible(s->str))
					goto out;
				size_t n = strlen(s->str);
				w8(&w, (uint8_t)n);
				for (size_t k = 0; k < n; k++)
					w8(&w, (uint8_t)s->str[k]);
			} else if (info->argkind[q] != PROG_ARG_PROC) {
				w_expr(&w, &s->arg[q]);
			}
		}
		if (bindable(s->op))
			w8(&w, want_bind ? 1 : 0);
		/* Mirror the step in the shadow program so later choices match. */
		prog_step *d = prog_case_add_step(&shadow, s->op);
		if (!d)
			goto out;
		*d = *s;
		d->line = 0;
		if (want_bind) {
			d->res.kind = PROG_RES_NONE;
			if (!bind_var(&gs, d) || strcmp(shadow.var[d->res.var], c->var[s->res.var]))
				goto out;
		}
		track(&gs, d);
		if (w.full)
			goto out;
	}
	if (c->nvars == shadow.nvars)
		result = w.n;
out:
	prog_case_clear(&shadow);
	return result;
}

/* ---------------------------------------------------------------------- */
/* Canonical programs                                                      */

/* A step to place in a program being rebuilt, and which case it came from. */
typedef struct src_step {
	const prog_step *s;
	uint8_t src;      /* 0 or 1: the namespace of its variables */
} src_step;

/* Rewrites e's variables through map; a lost variable becomes the arena. */
static prog_expr remap_expr(const gstate *gs, const int *map, const prog_expr *in)
{
	prog_expr e = *in;
	e.nterms = 0;
	for (unsigned i = 0; i < in->nterms && i < PROG_MAX_TERMS; i++) {
		int v = in->term[i].var < PROG_MAX_VARS ? map[in->term[i].var] : -1;
		if (v < 0 || !is_value_var(gs, (unsigned)v) || !add_term(&e, (unsigned)v, in->term[i].coef))
			add_arena(&e, in->term[i].coef);
	}
	if (e.arena < -128 || e.arena > 127)
		e.arena = 0;
	return e;
}

/*
 * Rebuilds a program from steps of up to two cases: each step's process and
 * variables are mapped into the new program; a step that cannot run there
 * (its process is gone or was never made, an exit or wait that is no longer
 * valid, a fork over the limits) is left out, and so are results other than
 * bindings. Returns 0, or -1 on out of memory (out cleared).
 */
static int rebuild(const fuzz_config *cfg, const src_step *in, size_t n, prog_case *out)
{
	gstate gs;
	int map[2][PROG_MAX_VARS];
	memset(map, 0xff, sizeof(map));
	prog_case_init(out, "fuzz");
	gs_init(&gs, cfg, out);
	for (size_t i = 0; i < n && out->nsteps < gs.max_steps; i++) {
		const prog_step *s = in[i].s;
		int *m = map[in[i].src & 1];
		const prog_op_info *info = prog_op_info_get(s->op);
		bool ok = info && op_allowed(cfg, s->op);
		uint8_t proc = PROG_ROOT;
		int target = -1;
		if (ok && s->proc != PROG_ROOT) {
			int p = s->proc < PROG_MAX_VARS ? m[s->proc] : -1;
			ok = p >= 0 && proc_live(&gs, (uint8_t)p);
			proc = (uint8_t)(p < 0 ? 0 : p);
		}
		if (ok && s->op == PROG_FORK)
			ok = fork_possible(&gs);
		if (ok && s->op == PROG_EXIT)
			ok = proc != PROG_ROOT && !live_children(&gs, proc);
		if (ok && s->op == PROG_WAIT) {
			unsigned v = s->arg[0].term[0].var;
			target = v < PROG_MAX_VARS ? m[v] : -1;
			ok = target >= 0 && gs.gone[target] && !gs.waited[target] &&
			     gs.parent[target] == proc;
		}
		if (!ok) {
			if (s->res.kind == PROG_RES_BIND && s->res.var < PROG_MAX_VARS)
				m[s->res.var] = -1;
			continue;
		}
		prog_step *d = prog_case_add_step(out, s->op);
		if (!d) {
			prog_case_clear(out);
			return -1;
		}
		d->proc = proc;
		for (unsigned q = 0; q < info->nargs; q++) {
			if (info->argkind[q] == PROG_ARG_STR) {
				size_t len = strnlen(s->str, PROG_STR_MAX - 1);
				for (size_t k = 0; k < len; k++)
					d->str[k] = str_char((uint8_t)s->str[k]);
				d->str[len] = 0;
			} else if (info->argkind[q] == PROG_ARG_PROC) {
				d->arg[q] = ex_var((unsigned)target, 0);
			} else {
				d->arg[q] = remap_expr(&gs, m, &s->arg[q]);
			}
		}
		if (s->op == PROG_FORK || (bindable(s->op) && s->res.kind == PROG_RES_BIND)) {
			bool b = bind_var(&gs, d);
			if (s->res.kind == PROG_RES_BIND && s->res.var < PROG_MAX_VARS)
				m[s->res.var] = b ? d->res.var : -1;
		} else if (s->res.kind == PROG_RES_BIND && s->res.var < PROG_MAX_VARS) {
			m[s->res.var] = -1;
		}
		track(&gs, d);
	}
	return 0;
}

int fuzz_program_canonical(const prog_case *c, const fuzz_config *cfg, prog_case *out)
{
	src_step *list = malloc((c->nsteps + 1) * sizeof(*list));
	if (!list) {
		prog_case_init(out, NULL);
		return -1;
	}
	for (uint32_t i = 0; i < c->nsteps; i++)
		list[i] = (src_step){ &c->steps[i], 0 };
	int rc = rebuild(cfg, list, c->nsteps, out);
	free(list);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Generation and mutation                                                 */

static void random_bytes(fuzz_rng *r, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = fuzz_rng_next(r);
		for (size_t k = 0; k < 8 && i + k < n; k++)
			buf[i + k] = (uint8_t)(v >> (8 * k));
	}
}

/* Steered bytes for one step: never the explicit form. */
static void step_bytes(fuzz_rng *r, uint8_t *buf, size_t n)
{
	random_bytes(r, buf, n);
	if (buf[2] == FORM_EXPLICIT)
		buf[2] = (uint8_t)fuzz_rng_below(r, FORM_EXPLICIT);
}

int fuzz_generate(fuzz_rng *r, const fuzz_config *cfg, prog_case *out)
{
	gstate gs;
	uint8_t bytes[64];
	prog_case_init(out, "fuzz");
	gs_init(&gs, cfg, out);
	uint32_t want = 1 + (uint32_t)fuzz_rng_below(r, gs.max_steps);
	while (out->nsteps < want) {
		step_bytes(r, bytes, sizeof(bytes));
		reader rd = { bytes, sizeof(bytes), 0 };
		int st = decode_step(&gs, &rd, -1);
		if (st < 0) {
			prog_case_clear(out);
			return -1;
		}
		if (st > 0)
			break;
	}
	return 0;
}

/*
 * One new step for position `at` of c (whose steps before it are canonical):
 * decoded from random bytes in the state those steps leave. Its variables
 * are numbered in c's namespace. Returns 0, 1 when nothing can be made, -1
 * on out of memory.
 */
static int new_step(fuzz_rng *r, const fuzz_config *cfg, const prog_case *c, uint32_t at,
		    int force, prog_step *out)
{
	gstate gs;
	prog_case pre;
	uint8_t bytes[64];
	src_step *list = malloc((at + 1) * sizeof(*list));
	if (!list)
		return -1;
	for (uint32_t i = 0; i < at; i++)
		list[i] = (src_step){ &c->steps[i], 0 };
	fuzz_config big = *cfg;
	big.max_steps = PROG_MAX_STEPS;
	int rc = rebuild(&big, list, at, &pre);
	free(list);
	if (rc)
		return -1;
	gs_init(&gs, &big, &pre);
	for (uint32_t i = 0; i < pre.nsteps; i++)
		track(&gs, &pre.steps[i]);
	step_bytes(r, bytes, sizeof(bytes));
	reader rd = { bytes, sizeof(bytes), 0 };
	rc = decode_step(&gs, &rd, force);
	if (rc == 0)
		*out = pre.steps[pre.nsteps - 1];
	prog_case_clear(&pre);
	return rc;
}

/*
 * The executor's fence: kernel-placed mappings (mmap(NULL) and the like,
 * expressions with variable terms) sit next to the executor's own memory,
 * behind a 64 MiB PROT_NONE fence (harness/exec.c FENCE_LEN). An offset or
 * a length from such a mapping past the fence reaches the executor's
 * buffers, which the model knows only by their bounds (fuzz_diff.c tags
 * such findings ":executor-memory"): mutations keep both below it.
 */
#define FENCE_BYTES (64ULL << 20)

static void below_fence(prog_expr *e)
{
	int64_t v = (int64_t)e->k;
	if (v >= (int64_t)FENCE_BYTES || v <= -(int64_t)FENCE_BYTES)
		e->k = (uint64_t)(v % (int64_t)(FENCE_BYTES / 2));
}

/* Whether an address argument of s is relative to a kernel-placed mapping. */
static bool kernel_placed(const prog_step *s)
{
	const prog_op_info *info = prog_op_info_get(s->op);
	for (unsigned q = 0; q < info->nargs; q++)
		if (info->argkind[q] == PROG_ARG_ADDR && s->arg[q].nterms)
			return true;
	return false;
}

/* Changes one argument of step s (in the state before it) a little or a lot. */
static int change_arg(fuzz_rng *r, const fuzz_config *cfg, const prog_case *c, uint32_t at,
		      prog_step *s)
{
	const prog_op_info *info = prog_op_info_get(s->op);
	unsigned slots[PROG_MAX_ARGS], n = 0;
	for (unsigned q = 0; q < info->nargs; q++)
		if (info->argkind[q] != PROG_ARG_PROC && info->argkind[q] != PROG_ARG_STR)
			slots[n++] = q;
	if (!n)
		return 1;
	unsigned q = slots[fuzz_rng_below(r, n)];
	prog_expr *e = &s->arg[q];
	switch (fuzz_rng_below(r, 6)) {
	case 0: /* a page either way */
		e->k += fuzz_rng_below(r, 2) ? PAGE : (uint64_t)-PAGE;
		break;
	case 1: /* a few bytes: unaligned, or crossing a page */
		e->k += 1 + fuzz_rng_below(r, 8);
		break;
	case 2: /* one bit */
		e->k ^= 1ULL << fuzz_rng_below(r, 64);
		break;
	case 3: /* an edge value */
		*e = ex_const(fuzz_rng_below(r, 2) ? 0 : ~0ULL);
		break;
	default: {
		/* A fresh steered value of the argument's kind, in context. */
		prog_step fresh;
		int rc = new_step(r, cfg, c, at, s->op, &fresh);
		if (rc)
			return rc;
		if (fresh.op == s->op)
			s->arg[q] = fresh.arg[q];
		else
			e->k += PAGE;
		break;
	}
	}
	if (e->nterms || (info->argkind[q] == PROG_ARG_LEN && kernel_placed(s)))
		below_fence(e);
	return 0;
}

static int mutate(fuzz_rng *r, const fuzz_config *cfg, prog_case *c, const prog_case *other,
		  bool splice_only)
{
	prog_case base;
	if (fuzz_program_canonical(c, cfg, &base))
		return -1;
	uint32_t n = base.nsteps, on = other ? other->nsteps : 0;
	src_step *list = malloc((n + on + 2) * sizeof(*list));
	prog_step extra;
	prog_case result;
	int rc = -1;
	if (!list)
		goto out;
	for (int attempt = 0; attempt < 16; attempt++) {
		size_t k = 0;
		uint32_t kind = splice_only ? 5 : n ? (uint32_t)fuzz_rng_below(r, 100) : 0;
		if (!splice_only)
			kind = kind < 25 ? 0 : kind < 40 ? 1 : kind < 50 ? 2 : kind < 65 ? 3 : kind < 90 ? 4 : 5;
		if (kind == 5 && !on)
			kind = 4;
		uint32_t at = (uint32_t)fuzz_rng_below(r, kind == 0 ? n + 1 : n);
		int st = 0;
		switch (kind) {
		case 0: /* insert a step */
		case 3: /* change a step */
			st = new_step(r, cfg, &base, at, -1, &extra);
			if (st)
				break;
			for (uint32_t i = 0; i < at; i++)
				list[k++] = (src_step){ &base.steps[i], 0 };
			list[k++] = (src_step){ &extra, 0 };
			for (uint32_t i = at + (kind == 3); i < n; i++)
				list[k++] = (src_step){ &base.steps[i], 0 };
			break;
		case 1: { /* delete one step or a short run of them */
			uint32_t most = n - at < 4 ? n - at : 4;
			uint32_t len = fuzz_rng_below(r, 4) ? 1 : 1 + (uint32_t)fuzz_rng_below(r, most);
			for (uint32_t i = 0; i < n; i++)
				if (i < at || i >= at + len)
					list[k++] = (src_step){ &base.steps[i], 0 };
			break;
		}
		case 2: /* duplicate a step */
			for (uint32_t i = 0; i < n; i++) {
				list[k++] = (src_step){ &base.steps[i], 0 };
				if (i == at)
					list[k++] = (src_step){ &base.steps[i], 0 };
			}
			break;
		case 4: /* change one argument */
			extra = base.steps[at];
			st = change_arg(r, cfg, &base, at, &extra);
			if (st)
				break;
			for (uint32_t i = 0; i < n; i++)
				list[k++] = (src_step){ i == at ? &extra : &base.steps[i], 0 };
			break;
		default: { /* splice: our prefix, then a run of the other's steps, maybe our rest */
			uint32_t from = (uint32_t)fuzz_rng_below(r, on);
			uint32_t len = 1 + (uint32_t)fuzz_rng_below(r, on - from);
			bool rest = fuzz_rng_below(r, 2);
			at = (uint32_t)fuzz_rng_below(r, n + 1);
			for (uint32_t i = 0; i < at; i++)
				list[k++] = (src_step){ &base.steps[i], 0 };
			for (uint32_t i = from; i < from + len; i++)
				list[k++] = (src_step){ &other->steps[i], 1 };
			for (uint32_t i = at; rest && i < n; i++)
				list[k++] = (src_step){ &base.steps[i], 0 };
			break;
		}
		}
		if (st < 0)
			goto out;
		if (st > 0)
			continue;
		if (rebuild(cfg, list, k, &result))
			goto out;
		if (!prog_case_equal(&result, &base) || attempt == 15) {
			prog_case_clear(c);
			*c = result;
			rc = 0;
			goto out;
		}
		prog_case_clear(&result);
	}
	/* Nothing could change (nothing allowed): c stays as it was, canonical. */
	prog_case_clear(c);
	*c = base;
	prog_case_init(&base, NULL);
	rc = 0;
out:
	free(list);
	prog_case_clear(&base);
	return rc;
}

int fuzz_mutate(fuzz_rng *r, const fuzz_config *cfg, prog_case *c, const prog_case *other)
{
	return mutate(r, cfg, c, other, false);
}

int fuzz_crossover(fuzz_rng *r, const fuzz_config *cfg, prog_case *c, const prog_case *other)
{
	if (!other || !other->nsteps)
		return mutate(r, cfg, c, NULL, false);
	return mutate(r, cfg, c, other, true);
}
