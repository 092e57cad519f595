/* SPDX-License-Identifier: MIT */
/*
 * test_oracle.c: unit tests of the model, table driven.
 *
 * Each row is a short sequence of operations on a fresh model, every
 * operation with the result it must give, and the final layout of the arena
 * drawn one character per page ("aab.cc": a run of one letter is one VMA,
 * '.' is unmapped). Rows cite the kernel function that decides them.
 */
#include <inttypes.h>

#include "oracle.h"
#include "test.h"

#define P 4096ULL
#define RW (LX_PROT_READ | LX_PROT_WRITE)
#define R LX_PROT_READ
#define PA (LX_MAP_PRIVATE | LX_MAP_ANONYMOUS)
#define FX (PA | LX_MAP_FIXED)
#define E(x) (-(int64_t)LX_##x)

enum kind { MMAP, MUNMAP, MPROT, LOAD, STORE, END };

/* Addresses below 1 << 40 are offsets from the arena A; others are absolute
 * (ABS(0) spells the absolute address 0). */
typedef struct op {
	enum kind k;
	uint64_t a, b, c, d;
	uint64_t off;      /* mmap's offset argument */
	int64_t want;      /* return value (mmap: 0 means "at a"), or for LOAD the value read */
	int sig, code;     /* for LOAD/STORE: expected signal */
} op;

typedef struct row {
	const char *name;
	op ops[12];
	const char *draw;  /* layout of [A, A + strlen(draw) pages) at the end */
	unsigned version;  /* 0: the default profile (6.18) */
	uint64_t max_map_count;
} row;

#define ABS_ZERO 0x8000000000000001ULL
#define ABS(x) ((x) ? (x) : ABS_ZERO)
static uint64_t addr_of(uint64_t a, uint64_t arena)
{
	if (a == ABS_ZERO)
		return 0;
	return a < (1ULL << 40) ? arena + a : a;
}

static const row rows[] = {
	{ "mmap-fixed-4p", { { MMAP, 0, 4 * P, RW, FX, 0 }, { END } }, "aaaa" },
	{ "mprotect-middle-splits-in-three",
	  { { MMAP, 0, 4 * P, RW, FX, 0 }, { MPROT, P, 2 * P, R, 0, 0 }, { END } }, "abbc" },
	{ "mprotect-back-merges-all (vma_merge_existing_range both sides)",
	  { { MMAP, 0, 4 * P, RW, FX, 0 }, { MPROT, P, 2 * P, R, 0, 0 },
	    { MPROT, P, 2 * P, RW, 0, 0 }, { END } }, "aaaa" },
	{ "munmap-middle-leaves-hole",
	  { { MMAP, 0, 4 * P, RW, FX, 0 }, { MUNMAP, P, 2 * P, 0, 0, 0 }, { END } }, "a..b" },
	{ "adjacent-mmaps-merge (vma_merge_new_range)",
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { MMAP, 2 * P, 2 * P, RW, FX, 0 }, { END } }, "aaaa" },
	{ "mmap-between-two-merges-three",
	  { { MMAP, 0, P, RW, FX, 0 }, { MMAP, 2 * P, P, RW, FX, 0 },
	    { MMAP, P, P, RW, FX, 0 }, { END } }, "aaa" },
	{ "different-prot-no-merge",
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { MMAP, 2 * P, 2 * P, R, FX, 0 }, { END } }, "aabb" },
	{ "noreserve-blocks-merge (VM_NORESERVE differs)",
	  { { MMAP, 0, P, RW, FX, 0 }, { MMAP, P, P, RW, FX | LX_MAP_NORESERVE, 0 }, { END } }, "ab" },
	{ "map-stack-blocks-merge-6.7+ (VM_NOHUGEPAGE)",
	  { { MMAP, 0, P, RW, FX, 0 }, { MMAP, P, P, RW, FX | LX_MAP_STACK, 0 }, { END } }, "ab" },
	{ "map-stack-merges-on-6.1",
	  { { MMAP, 0, P, RW, FX, 0 }, { MMAP, P, P, RW, FX | LX_MAP_STACK, 0 }, { END } }, "aa",
	  (6u << 16) | (1u << 8) },
	{ "readonly-unfaulted-drops-account-and-merges (mprotect_fixup 6.12+)",
	  { { MMAP, 0, P, RW, FX, 0 }, { MPROT, 0, P, R, 0, 0 },
	    { MMAP, P, P, R, FX, 0 }, { END } }, "aa" },
	{ "readonly-after-write-fault-keeps-account",
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 7, 0, 0, 0 }, { MPROT, 0, P, R, 0, 0 },
	    { MMAP, P, P, R, FX, 0 }, { END } }, "ab" },
	{ "faulted-merges-with-unfaulted-6.18 (is_mergeable_anon_vma case 1)",
	  { { MMAP, P, P, RW, FX, 0 }, { STORE, P, 1, 0, 0, 0 }, { MPROT, P, P, R, 0, 0 },
	    { MMAP, 0, P, RW, FX, 0 }, { MPROT, P, P, RW, 0, 0 }, { END } }, "aa" },
	{ "faulted-stays-apart-from-unfaulted-6.12",
	  { { MMAP, P, P, RW, FX, 0 }, { STORE, P, 1, 0, 0, 0 }, { MPROT, P, P, R, 0, 0 },
	    { MMAP, 0, P, RW, FX, 0 }, { MPROT, P, P, RW, 0, 0 }, { END } }, "ab",
	  (6u << 16) | (12u << 8) },
	{ "mmap-errors-in-kernel-order",
	  { { MMAP, 0, 0, RW, FX, 0, E(EINVAL) },                       /* do_mmap: len == 0 */
	    { MMAP, 0, P, RW, FX, 1, E(EINVAL) },                       /* sys_mmap: offset */
	    { MMAP, 1, P, RW, FX, 0, E(EINVAL) },                       /* __get_unmapped_area */
	    { MMAP, 0, -1ULL, RW, FX, 0, E(ENOMEM) },                   /* PAGE_ALIGN wraps */
	    { MMAP, 0, P, RW, LX_MAP_ANONYMOUS | LX_MAP_FIXED, 0, E(EINVAL) }, /* type 0 */
	    { MMAP, 0, P, RW, LX_MAP_SHARED_VALIDATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, 0, E(EINVAL) },
	    { MMAP, 0, P, RW, LX_MAP_PRIVATE | LX_MAP_FIXED, 0, E(EBADF) }, /* fget fails */
	    { MMAP, ABS(0), P, RW, FX, 0, E(EPERM) },                   /* cap_mmap_addr */
	    { MMAP, ABS(0x7ffffffff000ULL), P, RW, FX, 0, E(ENOMEM) },  /* > TASK_SIZE - len */
	    { END } }, "." },
	{ "noreplace-eexist-before-type-check",
	  { { MMAP, 0, P, RW, FX, 0 },
	    { MMAP, 0, P, RW, LX_MAP_ANONYMOUS | LX_MAP_FIXED_NOREPLACE, 0, E(EEXIST) },
	    { MMAP, 0, P, RW, PA | LX_MAP_FIXED_NOREPLACE, 0, E(EEXIST) }, { END } }, "a" },
	{ "munmap-errors",
	  { { MUNMAP, 1, P, 0, 0, 0, E(EINVAL) }, { MUNMAP, 0, 0, 0, 0, 0, E(EINVAL) },
	    { MUNMAP, 0, P, 0, 0, 0, 0 }, { MUNMAP, 0, -4096ULL, 0, 0, 0, E(EINVAL) }, { END } }, "." },
	{ "mprotect-len0-before-prot-check",
	  { { MPROT, 0, 0, 0x10, 0, 0, 0 }, { MPROT, 0, P, 0x10, 0, 0, E(EINVAL) },
	    { MPROT, 1, P, R, 0, 0, E(EINVAL) }, { MPROT, 0, P, R, 0, 0, E(ENOMEM) },
	    { MPROT, 0, P, LX_PROT_GROWSDOWN | LX_PROT_GROWSUP, 0, 0, E(EINVAL) }, { END } }, "." },
	{ "mprotect-stops-at-hole-after-changing-first",
	  { { MMAP, 0, 4 * P, RW, FX, 0 }, { MUNMAP, 2 * P, P, 0, 0, 0 },
	    { MPROT, 0, 4 * P, R, 0, 0, E(ENOMEM) },
	    { STORE, 0, 1, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_ACCERR },
	    { STORE, 3 * P, 1, 0, 0, 0, 0, 0, 0 }, { END } }, "aa.b" },
	{ "mprotect-past-last-vma-changes-then-enomem",
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { MPROT, 0, 3 * P, R, 0, 0, E(ENOMEM) },
	    { STORE, P, 1, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_ACCERR }, { END } }, "aa." },
	{ "access-outcomes",
	  { { LOAD, 0, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR },
	    { MMAP, 0, P, LX_PROT_NONE, FX, 0 },
	    { LOAD, 0, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_ACCERR },
	    { MMAP, P, P, LX_PROT_WRITE, FX, 0 },
	    { LOAD, P, 0, 0, 0, 0, 0 },                                 /* write-only reads */
	    { STORE, P + 8, 0x41, 0, 0, 0, 0 }, { LOAD, P + 8, 0, 0, 0, 0, 0x41 },
	    { LOAD, ABS(0x8000000000000000ULL), 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SI_KERNEL },
	    { LOAD, ABS(0xffff888000000000ULL), 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR },
	    { END } }, "ab" },
	{ "map-fixed-replaces-contents",
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { STORE, P, 0x1234, 0, 0, 0 },
	    { MMAP, P, P, RW, FX, 0 }, { LOAD, P, 0, 0, 0, 0, 0 }, { END } }, "aa" },
	{ "store-crossing-into-unmapped-faults-upper-page",
	  { { MMAP, 0, P, RW, FX, 0 },
	    { STORE, P - 4, 1, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR }, { END } }, "a." },
	{ "split-fails-at-max-map-count (split_vma)",
	  { { MMAP, 0, 4 * P, RW, FX, 0 }, { MPROT, P, P, R, 0, 0, E(ENOMEM) }, { END } }, "aaaa",
	  0, 0 /* set below: the seeded layout's count */ },
};

static int64_t apply(oracle_proc *p, const op *o, uint64_t arena, oracle_fault *f, uint64_t *val)
{
	memset(f, 0, sizeof(*f));
	switch (o->k) {
	case MMAP:
		return oracle_mmap(p, addr_of(o->a, arena), o->b, o->c, o->d, -1ULL, o->off, 0);
	case MUNMAP:
		return oracle_munmap(p, addr_of(o->a, arena), o->b);
	case MPROT:
		return oracle_mprotect(p, addr_of(o->a, arena), o->b, o->c);
	case LOAD:
		*f = oracle_load(p, addr_of(o->a, arena), val);
		return 0;
	case STORE:
		*f = oracle_store(p, addr_of(o->a, arena), o->b);
		return 0;
	default:
		return 0;
	}
}

TEST(table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const row *r = &rows[i];
		oracle_profile prof;
		oracle_profile_default(&prof);
		if (r->version)
			prof.version = r->version;
		oracle_world *w = oracle_world_new(&prof);
		oracle_proc *p = oracle_world_root(w);
		uint64_t arena = oracle_proc_seed_default(p);
		if (strstr(r->name, "max-map-count")) {
			/* Recreate with the limit at the count the sequence will reach. */
			oracle_world_free(w);
			prof.max_map_count = 20; /* 19 seeded VMAs + the arena mapping */
			w = oracle_world_new(&prof);
			p = oracle_world_root(w);
			arena = oracle_proc_seed_default(p);
		}
		for (const op *o = r->ops; o->k != END; o++) {
			oracle_fault f;
			uint64_t val = 0;
			int64_t got = apply(p, o, arena, &f, &val);
			if (o->k == LOAD || o->k == STORE) {
				CHECK_MSG(f.signo == o->sig && (!o->sig || f.code == o->code),
					  "%s: op %zu: signal %d/%d, want %d/%d", r->name,
					  (size_t)(o - r->ops), f.signo, f.code, o->sig, o->code);
				if (o->k == LOAD && !o->sig)
					CHECK_MSG(val == (uint64_t)o->want, "%s: load gave 0x%" PRIx64,
						  r->name, val);
			} else if (o->k == MMAP && o->want == 0) {
				CHECK_MSG(got == (int64_t)addr_of(o->a, arena),
					  "%s: op %zu: mmap gave %" PRId64, r->name,
					  (size_t)(o - r->ops), got);
			} else {
				CHECK_MSG(got == o->want, "%s: op %zu: got %" PRId64 ", want %" PRId64,
					  r->name, (size_t)(o - r->ops), got, o->want);
			}
			CHECK_MSG(!oracle_world_broken(w), "%s: %s", r->name, oracle_world_broken(w));
		}
		char draw[64];
		oracle_draw(p, arena, strlen(r->draw), draw, sizeof(draw));
		CHECK_MSG(!strcmp(draw, r->draw), "%s: layout %s, want %s", r->name, draw, r->draw);
		CHECK_MSG(!oracle_check(w), "%s: invariant: %s", r->name, oracle_check(w));
		oracle_world_free(w);
	}
}

/* Consecutive non-fixed mmaps stack downward from mmap_base and merge. */
TEST(topdown_placement_stacks_and_merges)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	oracle_proc_seed_default(p);
	int64_t a = oracle_mmap(p, 0, 3 * P, RW, PA, -1ULL, 0, 0);
	int64_t b = oracle_mmap(p, 0, 3 * P, RW, PA, -1ULL, 0, 0);
	CHECK(a > 0 && b > 0);
	CHECK_EQ_U64(b, a - 3 * P);
	oracle_vma_info v;
	CHECK(oracle_find_vma(p, a, &v));
	CHECK_EQ_U64(v.start, b);
	CHECK_EQ_U64(v.end, a + 3 * P);
	/* A free hint is honoured exactly; an occupied one is not. */
	int64_t h = oracle_mmap(p, 0x200000000000ULL, P, R, PA, -1ULL, 0, 0);
	CHECK_EQ_U64(h, 0x200000000000ULL);
	int64_t h2 = oracle_mmap(p, 0x200000000000ULL, P, R, PA, -1ULL, 0, 0);
	CHECK(h2 != h && h2 > 0);
	/* 2 MiB multiples get THP alignment (6.7+). */
	int64_t t = oracle_mmap(p, 0, 2ULL << 20, RW, PA, -1ULL, 0, 0);
	CHECK(t > 0 && !(t & ((2ULL << 20) - 1)));
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* In adopt mode the kernel's legal choice is taken, an illegal one is not. */
TEST(adopt_placement)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t arena = oracle_proc_seed_default(p);
	oracle_proc_set_placement(p, ORACLE_PLACE_ADOPT);
	int64_t a = oracle_mmap(p, 0, P, RW, PA, -1ULL, 0, arena + 100 * P);
	CHECK_EQ_U64(a, arena + 100 * P);
	/* Overlapping the mapping just made: not legal, the model predicts its own. */
	int64_t b = oracle_mmap(p, 0, P, RW, PA, -1ULL, 0, arena + 100 * P);
	CHECK(b > 0 && (uint64_t)b != arena + 100 * P);
	/* A usable hint must be honoured: another address is illegal. */
	int64_t c = oracle_mmap(p, arena + 200 * P, P, RW, PA, -1ULL, 0, arena + 300 * P);
	CHECK_EQ_U64(c, arena + 200 * P);
	oracle_world_free(w);
}

/* mmap may take map_count to max + 1; a split at max fails. */
TEST(max_map_count_off_by_one)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	prof.max_map_count = 25;
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t arena = oracle_proc_seed_default(p);
	uint64_t n0 = oracle_vma_count(p);
	int64_t r = 0;
	uint64_t i;
	for (i = 0; r >= 0; i++)
		r = oracle_mmap(p, arena + 2 * i * P, P, (i & 1) ? R : RW, FX, -1ULL, 0, 0);
	CHECK_EQ_U64(r, E(ENOMEM));
	CHECK_EQ_U64(oracle_vma_count(p), 26);
	CHECK_EQ_U64(i - 1, 26 - n0);
	/* Even replacing one VMA by one is refused above the limit (do_mmap checks first). */
	CHECK_EQ_U64(oracle_mmap(p, arena, P, RW, FX, -1ULL, 0, 0), E(ENOMEM));
	/* munmap of a whole VMA works; then one mmap fits again, reaching max + 1. */
	CHECK_EQ_U64(oracle_munmap(p, arena, P), 0);
	CHECK_EQ_U64(oracle_mmap(p, arena, P, RW, FX, -1ULL, 0, 0), arena);
	CHECK_EQ_U64(oracle_vma_count(p), 26);
	oracle_world_free(w);
}

/* Lookups stay O(log n): 65,530 VMAs build and query without trouble. */
TEST(many_vmas)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t arena = oracle_proc_seed_default(p);
	/* The whole-model checker is O(n) per mutation; with it on, a smaller
	 * address space keeps the test quick while still exercising the tree. */
#ifdef ORACLE_CHECK_INVARIANTS
	const uint64_t total = 3000;
#else
	const uint64_t total = 65530;
#endif
	uint64_t target = total - oracle_vma_count(p);
	for (uint64_t i = 0; i < target; i++)
		CHECK_EQ_U64(oracle_mmap(p, arena + 2 * i * P, P, RW, FX, -1ULL, 0, 0), arena + 2 * i * P);
	CHECK_EQ_U64(oracle_vma_count(p), total);
	CHECK_EQ_U64(oracle_mprotect(p, arena, P, R), 0); /* no split needed */
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* brk: the old break on every failure, unaligned values kept, the free page. */
TEST(brk_semantics)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	oracle_proc_seed_default(p);
	uint64_t b = (uint64_t)oracle_brk(p, 0);
	CHECK_EQ_U64(b, 0x555555559000ULL);
	CHECK_EQ_U64(oracle_brk(p, b + 2 * P), b + 2 * P);
	CHECK_EQ_U64(oracle_brk(p, b + 2 * P + 1), b + 2 * P + 1);   /* same page: kept */
	CHECK_EQ_U64(oracle_brk(p, 0), b + 2 * P + 1);
	oracle_vma_info v;
	CHECK(oracle_find_vma(p, b, &v));
	CHECK_EQ_U64(v.start, b);                                    /* bss was a fork child */
	CHECK_EQ_U64(v.end, b + 3 * P);
	/* A mapping 10 pages up: growth must leave one free page before it. */
	CHECK_EQ_U64(oracle_mmap(p, b + 10 * P, P, R, FX, -1ULL, 0, 0), b + 10 * P);
	CHECK_EQ_U64(oracle_brk(p, b + 9 * P), b + 9 * P);
	CHECK_EQ_U64(oracle_brk(p, b + 9 * P + 1), b + 9 * P);
	/* Shrink unmaps; below start_brk nothing happens. */
	CHECK_EQ_U64(oracle_brk(p, b), b);
	CHECK(!oracle_find_vma(p, b, NULL));
	CHECK_EQ_U64(oracle_brk(p, b - P), b);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* fork: copy-on-write sharing, exclusivity coming back, read-only pages not copied. */
TEST(fork_cow)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t a = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, a, 3 * P, RW, FX, -1ULL, 0, 0), a);
	CHECK(!oracle_store(p, a, 0x11).signo);
	uint64_t v;
	CHECK(!oracle_load(p, a + 2 * P, &v).signo); /* zero page */
	int64_t pid;
	oracle_proc *c = oracle_fork(p, &pid);
	CHECK(c && pid > 0);
	oracle_page_info pp, cp;
	oracle_page(p, a, &pp);
	oracle_page(c, a, &cp);
	CHECK(pp.present && cp.present && pp.frame == cp.frame && !pp.exclusive && !cp.exclusive);
	/* The child writes: it gets its own page; the parent's is exclusive again. */
	CHECK(!oracle_store(c, a, 0x22).signo);
	oracle_page(p, a, &pp);
	oracle_page(c, a, &cp);
	CHECK(pp.frame != cp.frame && pp.exclusive && cp.exclusive);
	CHECK(!oracle_load(p, a, &v).signo && v == 0x11);
	CHECK(!oracle_load(c, a, &v).signo && v == 0x22);
	/* The VMA had an anon_vma, so the zero-page PTE was copied too. */
	oracle_page(c, a + 2 * P, &cp);
	CHECK(cp.present && cp.zero_page);
	/* A VMA that was only read: no anon_vma, no page tables copied. */
	CHECK_EQ_U64(oracle_mmap(p, a + 8 * P, P, LX_PROT_READ, FX, -1ULL, 0, 0), a + 8 * P);
	CHECK(!oracle_load(p, a + 8 * P, &v).signo);
	oracle_proc *c2 = oracle_fork(p, &pid);
	oracle_page(c2, a + 8 * P, &cp);
	CHECK(!cp.present);
	/* The child's copy of a faulted VMA is a fork child: it does not merge. */
	CHECK_EQ_U64(oracle_mmap(c2, a + 3 * P, P, RW, FX, -1ULL, 0, 0), a + 3 * P);
	CHECK_EQ_U64(oracle_vmas(c2, a, a + 4 * P, NULL, 0), 2);
	CHECK_EQ_U64(oracle_mmap(p, a + 3 * P, P, RW, FX, -1ULL, 0, 0), a + 3 * P);
	CHECK_EQ_U64(oracle_vmas(p, a, a + 4 * P, NULL, 0), 1);
	/* exit and wait */
	oracle_exit(c, 7);
	CHECK_EQ_U64(oracle_wait(p, c), 7);
	CHECK_EQ_U64(oracle_wait(p, c), E(ECHILD));
	/* The second child still shares the parent's first page, until it exits. */
	oracle_page(p, a, &pp);
	CHECK(!pp.exclusive);
	oracle_exit(c2, 0);
	oracle_page(p, a, &pp);
	CHECK(pp.exclusive);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/*
 * The mlock family (mm/mlock.c). Each row runs on a fresh default model
 * (RLIMIT_MEMLOCK 8 MiB, no capabilities unless the row sets them) and then
 * checks, page by page over the arena: the layout ("aab."), the lock state
 * ('L' VM_LOCKED, 'F' VM_LOCKED|VM_LOCKONFAULT, '-' neither, '.' unmapped),
 * which pages are present ('p') or not ('.'), and locked_vm.
 */
enum mlk { ML_MMAP, ML_MUNMAP, ML_MPROT, ML_MLOCK, ML_MLOCK2, ML_MUNLOCK, ML_MLOCKALL,
	   ML_MUNLOCKALL, ML_STORE, ML_END };

typedef struct mlop {
	enum mlk k;
	uint64_t a, b, c, d;   /* a: offset from the arena for address arguments */
	int64_t want;          /* mmap: 0 means "at a" */
} mlop;

typedef struct mlrow {
	const char *name;
	uint64_t memlock;      /* RLIMIT_MEMLOCK (soft and hard); 0 is 0, ML_DEFAULT keeps 8 MiB */
	bool ipc_lock;         /* CAP_IPC_LOCK */
	uint64_t max_map_count;/* 0: the default */
	mlop ops[12];
	const char *draw, *locks, *present;
	int64_t locked_vm;     /* -1: not checked (oracle_check() still ties it to the VMAs) */
} mlrow;

#define ML_DEFAULT UINT64_MAX
#define MLOCKED (FX | LX_MAP_LOCKED)

static const mlrow mlock_rows[] = {
	{ "mlock-middle-splits-and-populates (mlock_fixup, __mm_populate)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MLOCK, P, 2 * P }, { ML_END } },
	  "abbc", "-LL-", ".pp.", 2 },
	{ "munlock-merges-back (vma_merge_existing_range both sides)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MLOCK, P, 2 * P }, { ML_MUNLOCK, P, 2 * P },
	    { ML_END } },
	  "aaaa", "----", ".pp.", 0 },
	{ "unaligned-start-rounds (do_mlock: len = PAGE_ALIGN(len + offset))", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MLOCK, P + 100, P }, { ML_MUNLOCK, 2 * P + 1, 1 },
	    { ML_END } },
	  "abcc", "-L--", ".pp.", 1 },
	{ "zero-length (apply_vma_lock_flags: end == start)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MLOCK, 0, 0 }, { ML_MLOCK, 8 * P, 0 },
	    { ML_MLOCK, 3 * P + 5, 0 }, { ML_MLOCK, 8 * P + 5, 0, 0, 0, E(ENOMEM) }, { ML_END } },
	  "aaab", "---L", "...p", 1 },
	{ "wrapping-length (limit first; PAGE_ALIGN to 0; end < start)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, P, RW, FX }, { ML_MLOCK, 0, -P, 0, 0, E(ENOMEM) }, { ML_MLOCK, 0, -1ULL },
	    { ML_MUNLOCK, 0, -P, 0, 0, E(EINVAL) }, { ML_MUNLOCK, 0, -1ULL }, { ML_END } },
	  "a", "-", ".", 0 },
	{ "limit-below-one-page-is-enomem-even-for-length-0", 4095, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MLOCK, 0, 1, 0, 0, E(ENOMEM) },
	    { ML_MLOCK, 0, 0 }, { ML_END } },
	  "aa", "--", "..", 0 },
	{ "wrapping-length-with-cap-is-einval", ML_DEFAULT, true, 0,
	  { { ML_MMAP, 0, P, RW, FX }, { ML_MLOCK, 0, -P, 0, 0, E(EINVAL) },
	    { ML_MLOCK2, 0, -P, 1, 0, E(EINVAL) }, { ML_END } },
	  "a", "-", ".", 0 },
	{ "unmapped-start-changes-nothing", ML_DEFAULT, false, 0,
	  { { ML_MMAP, P, 2 * P, RW, FX }, { ML_MLOCK, 0, 3 * P, 0, 0, E(ENOMEM) },
	    { ML_MUNLOCK, 0, P, 0, 0, E(ENOMEM) }, { ML_END } },
	  ".aa.", ".--.", "....", 0 },
	{ "hole-stops-after-first-vma-and-nothing-populates", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MUNMAP, 2 * P, P },
	    { ML_MLOCK, 0, 4 * P, 0, 0, E(ENOMEM) }, { ML_END } },
	  "aa.b", "LL.-", "....", 2 },
	{ "past-last-vma-locks-then-enomem", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MLOCK2, 0, 3 * P, 1, 0, E(ENOMEM) }, { ML_END } },
	  "aa.", "FF.", "...", 2 },
	{ "mlock2-flags (EINVAL; int truncation; ONFAULT populates nothing)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 3 * P, RW, FX }, { ML_MLOCK2, 0, P, 2, 0, E(EINVAL) },
	    { ML_MLOCK2, 0, P, 0x80000000ULL, 0, E(EINVAL) }, { ML_MLOCK2, 0, P, 1ULL << 32 },
	    { ML_MLOCK2, P, P, (1ULL << 32) | 1 }, { ML_END } },
	  "abc", "LF-", "p..", 2 },
	{ "eperm-with-zero-limit (can_do_mlock), not for munlock", 0, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MLOCK, 0, P, 0, 0, E(EPERM) },
	    { ML_MLOCK, 8 * P, 0, 0, 0, E(EPERM) }, { ML_MLOCK2, 0, P, 2, 0, E(EINVAL) },
	    { ML_MUNLOCK, 0, 2 * P }, { ML_MLOCKALL, LX_MCL_FUTURE, 0, 0, 0, E(EPERM) },
	    { ML_MLOCKALL, 0, 0, 0, 0, E(EINVAL) }, { ML_MUNLOCKALL },
	    { ML_MMAP, 4 * P, P, RW, MLOCKED, E(EPERM) }, { ML_END } },
	  "aa", "--", "..", 0 },
	{ "cap-ipc-lock-ignores-a-zero-limit", 0, true, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MLOCK, 0, P }, { ML_MMAP, 2 * P, P, RW, MLOCKED },
	    { ML_END } },
	  "abc", "L-L", "p.p", 2 },
	{ "limit-counts-already-locked-once (count_mm_mlocked_page_nr)", 4 * P, false, 0,
	  { { ML_MMAP, 0, 8 * P, RW, FX }, { ML_MLOCK, 0, 5 * P, 0, 0, E(ENOMEM) },
	    { ML_MLOCK, 0, 4 * P }, { ML_MLOCK, 0, 4 * P }, { ML_MLOCK, 2 * P, 2 * P },
	    { ML_MLOCK, 2 * P, 4 * P, 0, 0, E(ENOMEM) },
	    /* at the limit, not over it: length 0 gets through to apply_vma_lock_flags() */
	    { ML_MLOCK, 0, 0 }, { ML_END } },
	  "aaaabbbb", "LLLL----", "pppp....", 4 },
	{ "limit-partial-overlap-at-both-ends", 4 * P, false, 0,
	  { { ML_MMAP, 0, 8 * P, RW, FX }, { ML_MLOCK, P, 2 * P }, { ML_MLOCK, 5 * P, 2 * P },
	    /* 4 locked + 4 new - (1 + 1 already locked) = 6 > 4 */
	    { ML_MLOCK, 2 * P, 4 * P, 0, 0, E(ENOMEM) },
	    /* 4 + 6 - 4 = 6 > 4 */
	    { ML_MLOCK, P, 6 * P, 0, 0, E(ENOMEM) },
	    { ML_MUNLOCK, 6 * P, P }, { ML_MUNLOCK, P, P },
	    /* 2 + 4 - 2 = 4; [3P, 5P) merges with prev only: prev and next
	     * got different anon_vmas when they were populated */
	    { ML_MLOCK, 2 * P, 4 * P }, { ML_END } },
	  "aabbbcdd", "--LLLL--", ".pppppp.", 4 },
	{ "munmap-gives-locked-pages-back", 2 * P, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MMAP, 4 * P, P, RW, FX }, { ML_MLOCK, 0, 2 * P },
	    { ML_MLOCK, 4 * P, P, 0, 0, E(ENOMEM) }, { ML_MUNMAP, P, P }, { ML_MLOCK, 4 * P, P },
	    { ML_END } },
	  "a...b", "L...L", "p...p", 2 },
	{ "prot-none-is-enomem-yet-locked (populate_vma_page_range -EFAULT)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 2 * P, 0, FX }, { ML_MMAP, 2 * P, 2 * P, 0, FX },
	    { ML_MLOCK, 0, 2 * P, 0, 0, E(ENOMEM) }, { ML_MLOCK2, 2 * P, 2 * P, 1 },
	    { ML_MPROT, 0, 4 * P, RW }, { ML_END } },
	  "aabb", "LLFF", "pp..", 4 },
	{ "populate-stops-at-prot-none-after-earlier-vma", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MPROT, P, P, 0 },
	    { ML_MLOCK, 0, 4 * P, 0, 0, E(ENOMEM) }, { ML_END } },
	  "abcc", "LLLL", "p...", 4 },
	{ "read-only-locks-the-zero-page", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 2 * P, R, FX }, { ML_MLOCK, 0, 2 * P }, { ML_END } },
	  "aa", "LL", "pp", 2 },
	{ "hugetlb-is-skipped-and-fails-to-populate", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 2ULL << 20, RW, FX | LX_MAP_NORESERVE | LX_MAP_HUGETLB },
	    { ML_MLOCK, 0, P, 0, 0, E(ENOMEM) }, { ML_MUNLOCK, 0, 2ULL << 20 }, { ML_END } },
	  "aa", "--", "..", 0 },
	{ "droppable-is-skipped-but-populated", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, LX_MAP_DROPPABLE | LX_MAP_ANONYMOUS | LX_MAP_FIXED },
	    { ML_MLOCK, 0, P }, { ML_END } },
	  "aa", "--", "p.", 0 },
	{ "locked-neighbour-merges; two anon_vmas block the three-way merge", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MLOCK, 0, P }, { ML_MLOCK, P, P },
	    { ML_MLOCK, 3 * P, P }, { ML_MLOCK, 2 * P, P }, { ML_END } },
	  "aaab", "LLLL", "pppp", 4 },
	{ "split-refused-at-max-map-count (split_vma)", ML_DEFAULT, false, 20,
	  { { ML_MMAP, 0, 4 * P, RW, FX }, { ML_MLOCK, P, P, 0, 0, E(ENOMEM) },
	    { ML_MLOCK, 0, P, 0, 0, E(ENOMEM) }, { ML_MLOCK, 0, 4 * P }, { ML_END } },
	  "aaaa", "LLLL", "pppp", 4 },
	{ "mlockall-flags-einval (int flags)", ML_DEFAULT, false, 0,
	  { { ML_MLOCKALL, 0, 0, 0, 0, E(EINVAL) }, { ML_MLOCKALL, LX_MCL_ONFAULT, 0, 0, 0, E(EINVAL) },
	    { ML_MLOCKALL, 8, 0, 0, 0, E(EINVAL) }, { ML_MLOCKALL, 1ULL << 32, 0, 0, 0, E(EINVAL) },
	    { ML_MMAP, 0, P, RW, FX }, { ML_END } },
	  "a", "-", ".", 0 },
	{ "mlockall-current-within-the-limit (total_vm <= RLIMIT_MEMLOCK)", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MMAP, 2 * P, P, 0, FX },
	    { ML_MLOCKALL, LX_MCL_CURRENT }, { ML_MMAP, 3 * P, P, RW, FX }, { ML_END } },
	  "aabc", "LLL-", "pp..", -1 },
	{ "mlockall-current-over-the-limit-changes-nothing", 2 * P, false, 0,
	  { { ML_MMAP, 0, 2 * P, RW, FX },
	    { ML_MLOCKALL, LX_MCL_CURRENT | LX_MCL_FUTURE, 0, 0, 0, E(ENOMEM) },
	    { ML_MMAP, 2 * P, P, 0, FX }, { ML_END } },
	  "aab", "---", "...", 0 },
	{ "mlockall-future-and-calls-do-not-stack", ML_DEFAULT, false, 0,
	  { { ML_MMAP, 0, P, RW, FX }, { ML_MLOCKALL, LX_MCL_FUTURE | LX_MCL_ONFAULT },
	    { ML_MMAP, P, P, RW, FX }, { ML_MLOCKALL, LX_MCL_FUTURE }, { ML_MMAP, 2 * P, P, RW, FX },
	    { ML_MLOCKALL, (1ULL << 32) | LX_MCL_FUTURE | LX_MCL_ONFAULT },
	    { ML_MMAP, 4 * P, P, R, FX }, { ML_END } },
	  "abc.d", "-FL.F", "..p..", 3 },
	{ "mlockall-future-mmap-eagain (mlock_future_ok)", 2 * P, false, 0,
	  { { ML_MLOCKALL, LX_MCL_FUTURE }, { ML_MMAP, 0, 2 * P, RW, FX },
	    { ML_MMAP, 4 * P, P, 0, FX, E(EAGAIN) }, { ML_MUNLOCK, 0, P },
	    { ML_MMAP, 4 * P, P, 0, FX }, { ML_END } },
	  "ab..c", "-L..L", "pp...", 2 },
	{ "munlockall-clears-everything", ML_DEFAULT, false, 0,
	  { { ML_MLOCKALL, LX_MCL_FUTURE }, { ML_MMAP, 0, 2 * P, RW, FX }, { ML_MUNLOCKALL },
	    { ML_MMAP, 2 * P, P, RW, FX }, { ML_END } },
	  "aaa", "---", "pp.", 0 },
};

static int64_t mlock_apply(oracle_proc *p, const mlop *o, uint64_t arena)
{
	switch (o->k) {
	case ML_MMAP:
		return oracle_mmap(p, arena + o->a, o->b, o->c, o->d, -1ULL, 0, 0);
	case ML_MUNMAP:
		return oracle_munmap(p, arena + o->a, o->b);
	case ML_MPROT:
		return oracle_mprotect(p, arena + o->a, o->b, o->c);
	case ML_MLOCK:
		return oracle_mlock(p, arena + o->a, o->b);
	case ML_MLOCK2:
		return oracle_mlock2(p, arena + o->a, o->b, o->c);
	case ML_MUNLOCK:
		return oracle_munlock(p, arena + o->a, o->b);
	case ML_MLOCKALL:
		return oracle_mlockall(p, o->a);
	case ML_MUNLOCKALL:
		return oracle_munlockall(p);
	case ML_STORE:
		return oracle_store(p, arena + o->a, o->b).signo;
	default:
		return 0;
	}
}

TEST(mlock_table)
{
	for (size_t i = 0; i < sizeof(mlock_rows) / sizeof(mlock_rows[0]); i++) {
		const mlrow *r = &mlock_rows[i];
		oracle_profile prof;
		oracle_profile_default(&prof);
		if (r->max_map_count)
			prof.max_map_count = r->max_map_count;
		oracle_world *w = oracle_world_new(&prof);
		oracle_proc *p = oracle_world_root(w);
		uint64_t arena = oracle_proc_seed_default(p);
		if (r->memlock != ML_DEFAULT)
			oracle_proc_set_rlimit(p, LX_RLIMIT_MEMLOCK, r->memlock, r->memlock);
		oracle_proc_set_cap(p, LX_CAP_IPC_LOCK, r->ipc_lock);
		for (const mlop *o = r->ops; o->k != ML_END; o++) {
			int64_t got = mlock_apply(p, o, arena);
			int64_t want = o->k == ML_MMAP && !o->want ? (int64_t)(arena + o->a) : o->want;
			CHECK_MSG(got == want, "%s: op %zu: got %" PRId64 ", want %" PRId64, r->name,
				  (size_t)(o - r->ops), got, want);
			CHECK_MSG(!oracle_world_broken(w), "%s: %s", r->name, oracle_world_broken(w));
		}
		size_t n = strlen(r->draw);
		char draw[64], locks[64], present[64];
		oracle_draw(p, arena, n, draw, sizeof(draw));
		for (size_t k = 0; k < n; k++) {
			oracle_vma_info v;
			oracle_page_info pg;
			uint64_t a = arena + k * P;
			if (!oracle_find_vma(p, a, &v))
				locks[k] = '.';
			else
				locks[k] = (v.flags & VM_LOCKONFAULT) ? 'F' : (v.flags & VM_LOCKED) ? 'L' : '-';
			oracle_page(p, a, &pg);
			present[k] = pg.present ? 'p' : '.';
		}
		locks[n] = present[n] = 0;
		CHECK_MSG(!strcmp(draw, r->draw), "%s: layout %s, want %s", r->name, draw, r->draw);
		CHECK_MSG(!strcmp(locks, r->locks), "%s: locks %s, want %s", r->name, locks, r->locks);
		CHECK_MSG(!strcmp(present, r->present), "%s: present %s, want %s", r->name, present,
			  r->present);
		oracle_counters c;
		oracle_get_counters(p, &c);
		if (r->locked_vm >= 0)
			CHECK_MSG(c.locked_vm == (uint64_t)r->locked_vm, "%s: locked_vm %" PRIu64
				  ", want %" PRId64, r->name, c.locked_vm, r->locked_vm);
		CHECK_MSG(!oracle_check(w), "%s: invariant: %s", r->name, oracle_check(w));
		oracle_world_free(w);
	}
}

/* MCL_FUTURE reaches brk: the new heap is locked and populated (or, with
 * MCL_ONFAULT, only locked), and growth past the limit keeps the old break. */
TEST(mlock_brk)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	oracle_proc_seed_default(p);
	oracle_proc_set_rlimit(p, LX_RLIMIT_MEMLOCK, 2 * P, 2 * P);
	uint64_t b = (uint64_t)oracle_brk(p, 0);
	CHECK_EQ_U64(oracle_mlockall(p, LX_MCL_FUTURE), 0);
	CHECK_EQ_U64(oracle_brk(p, b + 3 * P), b);                /* check_brk_limits: EAGAIN */
	CHECK_EQ_U64(oracle_brk(p, b + P), b + P);
	oracle_vma_info v;
	oracle_page_info pg;
	CHECK(oracle_find_vma(p, b, &v) && (v.flags & VM_LOCKED) && !(v.flags & VM_LOCKONFAULT));
	oracle_page(p, b, &pg);
	CHECK(pg.present && !pg.zero_page);
	CHECK_EQ_U64(oracle_mlockall(p, LX_MCL_FUTURE | LX_MCL_ONFAULT), 0);
	CHECK_EQ_U64(oracle_brk(p, b + 2 * P), b + 2 * P);
	CHECK(oracle_find_vma(p, b + P, &v) && (v.flags & VM_LOCKONFAULT));
	oracle_page(p, b + P, &pg);
	CHECK(!pg.present);
	CHECK_EQ_U64(oracle_brk(p, b + 3 * P), b + 2 * P);        /* 2 locked + 1 > 2 */
	oracle_counters c;
	oracle_get_counters(p, &c);
	CHECK_EQ_U64(c.locked_vm, 2);
	CHECK_EQ_U64(oracle_munlockall(p), 0);
	CHECK_EQ_U64(oracle_brk(p, b + 3 * P), b + 3 * P);
	oracle_get_counters(p, &c);
	CHECK_EQ_U64(c.locked_vm, 0);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* mseal: ENOSYS before 6.10; atomic munmap refusal, partial mprotect. */
TEST(mseal_profiles)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	prof.version = (6u << 16) | (1u << 8);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t a = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, a, 2 * P, RW, FX, -1ULL, 0, 0), a);
	CHECK_EQ_U64(oracle_mseal(p, a, P, 0), E(ENOSYS));
	oracle_world_free(w);

	oracle_profile_default(&prof);
	w = oracle_world_new(&prof);
	p = oracle_world_root(w);
	a = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, a, 3 * P, RW, FX, -1ULL, 0, 0), a);
	CHECK_EQ_U64(oracle_mseal(p, a, 4 * P, 0), E(ENOMEM));     /* a hole: nothing sealed */
	CHECK_EQ_U64(oracle_munmap(p, a + 2 * P, P), 0);
	CHECK_EQ_U64(oracle_mseal(p, a + P, P, 0), 0);
	CHECK_EQ_U64(oracle_munmap(p, a, 2 * P), E(EPERM));        /* atomic */
	CHECK_EQ_U64(oracle_vmas(p, a, a + 2 * P, NULL, 0), 2);
	CHECK_EQ_U64(oracle_mprotect(p, a, 2 * P, R), E(EPERM));   /* first VMA changed */
	CHECK(oracle_store(p, a, 1).signo == LX_SIGSEGV);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* memfd_create (mm/memfd.c): the errno order, the lowest free descriptor. */
TEST(memfd_create_errors)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	oracle_proc_seed_default(p);
	char name[260];
	memset(name, 'n', sizeof(name));
	/* sanitize_flags() before alloc_name(): bad flags win over a bad name. */
	CHECK_EQ_U64(oracle_memfd_create(p, NULL, 0x20), E(EINVAL));
	CHECK_EQ_U64(oracle_memfd_create(p, "a", LX_MFD_EXEC | LX_MFD_NOEXEC_SEAL), E(EINVAL));
	CHECK_EQ_U64(oracle_memfd_create(p, "a", LX_MAP_HUGE_2MB), E(EINVAL));
	CHECK_EQ_U64(oracle_memfd_create(p, NULL, 0), E(EFAULT));
	name[250] = 0; /* NAME_MAX - strlen("memfd:") = 249 is the longest */
	CHECK_EQ_U64(oracle_memfd_create(p, name, 0), E(EINVAL));
	name[249] = 0;
	CHECK_EQ_U64(oracle_memfd_create(p, name, 0), 0);
	/* flags is an unsigned int; MFD_HUGE_64KB has no hstate: ENODEV, no fd used. */
	CHECK_EQ_U64(oracle_memfd_create(p, "b", 0xffffffff00000000ULL), 1);
	CHECK_EQ_U64(oracle_memfd_create(p, "h", LX_MFD_HUGETLB | (16U << 26)), E(ENODEV));
	CHECK_EQ_U64(oracle_memfd_create(p, "h", LX_MFD_HUGETLB | LX_MAP_HUGE_1GB), 2);
	/* A hugetlb memfd is sized in huge pages; mapping it is not modelled. */
	CHECK_EQ_U64(oracle_ftruncate(p, 2, P), E(EINVAL));
	CHECK_EQ_U64(oracle_ftruncate(p, 2, 1ULL << 30), 0);
	CHECK(oracle_mmap(p, 0, 1ULL << 30, RW, LX_MAP_SHARED, 2, 0, 0) == ORACLE_UNMODELLED);
	/* The sandbox's descriptors (1000, 1001 here) are never handed out;
	 * RLIMIT_NOFILE bounds the search: EMFILE. */
	oracle_proc_set_rlimit(p, LX_RLIMIT_NOFILE, 4, 4);
	CHECK_EQ_U64(oracle_memfd_create(p, "c", 0), 3);
	CHECK_EQ_U64(oracle_memfd_create(p, "d", 0), E(EMFILE));
	CHECK(!oracle_check(w));
	oracle_world_free(w);

	/* vm.memfd_noexec = 2: no flag means MFD_NOEXEC_SEAL; MFD_EXEC is EACCES. */
	oracle_profile_default(&prof);
	prof.memfd_noexec = 2;
	w = oracle_world_new(&prof);
	p = oracle_world_root(w);
	CHECK_EQ_U64(oracle_memfd_create(p, "a", LX_MFD_EXEC), E(EACCES));
	CHECK_EQ_U64(oracle_memfd_create(p, "a", 0), 0);
	CHECK_EQ_U64(oracle_memfd_create(p, "a", LX_MFD_NOEXEC_SEAL), 1);
	oracle_proc_add_foreign_fd(p, 2, false);
	CHECK_EQ_U64(oracle_memfd_create(p, "b", 0), 3);
	oracle_world_free(w);
}

/* ftruncate (fs/open.c do_sys_ftruncate): EINVAL for the length first. */
TEST(ftruncate_errors)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	oracle_proc_seed_default(p); /* foreign descriptors 1000 and 1001 */
	CHECK_EQ_U64(oracle_ftruncate(p, 3, -1ULL), E(EINVAL));
	CHECK_EQ_U64(oracle_ftruncate(p, 3, 0), E(EBADF));
	CHECK_EQ_U64(oracle_ftruncate(p, 1000, 0), E(EINVAL)); /* no FMODE_WRITE */
	CHECK_EQ_U64(oracle_memfd_create(p, "a", 0), 0);
	CHECK_EQ_U64(oracle_ftruncate(p, 1ULL << 32, 5 * P), 0); /* fd 0 */
	/* Growth past RLIMIT_FSIZE is EFBIG (inode_newsize_ok(); the sandbox
	 * ignores the SIGXFSZ); shrinking, even to above the limit, is fine. */
	oracle_proc_set_rlimit(p, LX_RLIMIT_FSIZE, 4 * P, 4 * P);
	CHECK_EQ_U64(oracle_ftruncate(p, 0, 6 * P), E(EFBIG));
	CHECK_EQ_U64(oracle_ftruncate(p, 0, 5 * P), 0);
	CHECK_EQ_U64(oracle_ftruncate(p, 0, 4 * P + 1), 0);
	oracle_world_free(w);
}

/* do_mmap()'s file path for a memfd: errors, flags, merging. */
TEST(memfd_mmap_paths)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t a = oracle_proc_seed_default(p);
	const uint64_t SH = LX_MAP_SHARED | LX_MAP_FIXED, PR = LX_MAP_PRIVATE | LX_MAP_FIXED;
	int64_t fd = oracle_memfd_create(p, "a", 0), fd2 = oracle_memfd_create(p, "b", 0);
	CHECK(fd == 0 && fd2 == 1);
	CHECK_EQ_U64(oracle_ftruncate(p, fd, 8 * P), 0);
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, SH, 7, 0, 0), E(EBADF));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, SH, 7, 1, 0), E(EINVAL));
	CHECK_EQ_U64(oracle_mmap(p, a, 0, R, SH, fd, 0, 0), E(EINVAL));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, SH | LX_MAP_HUGETLB, fd, 0, 0), E(EINVAL));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, LX_MAP_SHARED_VALIDATE | LX_MAP_FIXED | LX_MAP_SYNC, fd, 0, 0),
		     E(EOPNOTSUPP));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, LX_MAP_SHARED_VALIDATE | LX_MAP_FIXED_NOREPLACE, fd, 0, 0),
		     E(EOPNOTSUPP));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, LX_MAP_FIXED, fd, 0, 0), E(EINVAL));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, SH | LX_MAP_GROWSDOWN, fd, 0, 0), E(EINVAL));
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, SH, fd, 0x7ffffffffffff000ULL, 0), E(EOVERFLOW));
	/* Same file, contiguous offsets: one VMA; another file or offset: not. */
	CHECK_EQ_U64(oracle_mmap(p, a, 2 * P, RW, SH, fd, 0, 0), a);
	CHECK_EQ_U64(oracle_mmap(p, a + 2 * P, 2 * P, RW, SH, fd, 2 * P, 0), a + 2 * P);
	CHECK_EQ_U64(oracle_mmap(p, a + 4 * P, P, RW, SH, fd, 5 * P, 0), a + 4 * P);
	CHECK_EQ_U64(oracle_mmap(p, a + 5 * P, P, RW, SH, fd2, 6 * P, 0), a + 5 * P);
	char draw[16];
	oracle_draw(p, a, 6, draw, sizeof(draw));
	CHECK(!strcmp(draw, "aaaabc"));
	/* VMA flags: shared has no VM_ACCOUNT; private writable has. */
	oracle_vma_info vi;
	CHECK(oracle_find_vma(p, a, &vi) && (vi.flags & VM_SHARED) && !(vi.flags & VM_ACCOUNT));
	CHECK_EQ_U64(oracle_mmap(p, a + 8 * P, P, RW, PR, fd, 0, 0), a + 8 * P);
	CHECK(oracle_find_vma(p, a + 8 * P, &vi) && !(vi.flags & VM_SHARED) && (vi.flags & VM_ACCOUNT) &&
	      vi.pgoff == 0);
	/* Non-fixed file mappings are not THP-aligned (shmem_get_unmapped_area). */
	int64_t m = oracle_mmap(p, 0, 512 * P, R, LX_MAP_PRIVATE, fd, 0, 0);
	CHECK(m > 0 && (m & (512 * P - 1)) != 0);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* Faults on memfd pages: sharing, private copies, SIGBUS, fault-around, truncation. */
TEST(memfd_faults_and_truncate)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t a = oracle_proc_seed_default(p), v;
	const uint64_t SH = LX_MAP_SHARED | LX_MAP_FIXED, PR = LX_MAP_PRIVATE | LX_MAP_FIXED;
	int64_t fd = oracle_memfd_create(p, "a", 0);
	CHECK_EQ_U64(oracle_ftruncate(p, fd, 2 * P + 100), 0);
	CHECK_EQ_U64(oracle_mmap(p, a, 4 * P, RW, SH, fd, 0, 0), a);
	CHECK_EQ_U64(oracle_mmap(p, a + 16 * P, 4 * P, RW, PR, fd, 0, 0), a + 16 * P);
	/* The last page is accessible whole; the next is SIGBUS, read or write. */
	oracle_fault f = oracle_load(p, a + 3 * P, &v);
	CHECK(f.signo == LX_SIGBUS && f.code == LX_BUS_ADRERR && f.addr == a + 3 * P);
	CHECK(oracle_store(p, a + 19 * P + 8, 1).signo == LX_SIGBUS);
	CHECK(!oracle_store(p, a + 2 * P + 1000, 0x77).signo);
	/* The private mapping reads the shared page (a file page), then copies it. */
	CHECK(!oracle_store(p, a, 0x11).signo);
	CHECK(!oracle_load(p, a + 16 * P, &v).signo && v == 0x11);
	oracle_page_info sp, pp;
	oracle_page(p, a, &sp);
	oracle_page(p, a + 16 * P, &pp);
	CHECK(pp.present && !pp.anon && pp.frame == sp.frame && !pp.exclusive);
	/* Fault-around mapped the cached page 2 read-only as well. */
	oracle_page(p, a + 18 * P, &pp);
	CHECK(pp.present && !pp.anon);
	oracle_page(p, a + 17 * P, &pp);
	CHECK(!pp.present);
	CHECK(!oracle_store(p, a + 16 * P + 8, 0x22).signo);
	oracle_page(p, a + 16 * P, &pp);
	oracle_page(p, a, &sp);
	CHECK(pp.anon && pp.exclusive && pp.frame != sp.frame && sp.exclusive);
	CHECK(!oracle_store(p, a, 0x33).signo);
	CHECK(!oracle_load(p, a + 16 * P, &v).signo && v == 0x11);
	/* A private copy of page 2, then a shrink into page 1: page 2 goes from
	 * both mappings (the copy too); page 1's tail is zeroed in the cache. */
	CHECK(!oracle_store(p, a + 18 * P, 0x44).signo);
	CHECK(!oracle_store(p, a + P + 2000, 0x55).signo);
	CHECK_EQ_U64(oracle_ftruncate(p, fd, P + 100), 0);
	oracle_page(p, a + 18 * P, &pp);
	CHECK(!pp.present);
	CHECK(oracle_load(p, a + 18 * P, &v).signo == LX_SIGBUS);
	CHECK(!oracle_load(p, a + P + 2000, &v).signo && v == 0);
	/* Bytes stored past the end inside the last page survive growth. */
	CHECK(!oracle_store(p, a + P + 3000, 0x66).signo);
	CHECK_EQ_U64(oracle_ftruncate(p, fd, 4 * P), 0);
	CHECK(!oracle_load(p, a + P + 3000, &v).signo && v == 0x66);
	CHECK(!oracle_load(p, a + 2 * P + 1000, &v).signo && v == 0);
	/* DONTNEED on the private mapping: the file's contents come back. */
	CHECK(!oracle_load(p, a + 16 * P, &v).signo && v == 0x11);
	CHECK_EQ_U64(oracle_madvise(p, a + 16 * P, 4 * P, LX_MADV_DONTNEED), 0);
	CHECK(!oracle_load(p, a + 16 * P, &v).signo && v == 0x33);
	/* mincore answers from the page cache where no PTE is. */
	uint8_t vec[4];
	CHECK_EQ_U64(oracle_madvise(p, a, 4 * P, LX_MADV_DONTNEED), 0);
	CHECK_EQ_U64(oracle_mincore(p, a, 4 * P, vec, sizeof(vec)), 0);
	CHECK(vec[0] == 1 && vec[1] == 1 && vec[2] == 1 && vec[3] == 0);
	/* mlock past the end: the pages before are faulted in, then ENOMEM. */
	CHECK_EQ_U64(oracle_ftruncate(p, fd, 2 * P), 0);
	CHECK_EQ_U64(oracle_mlock(p, a, 4 * P), E(ENOMEM));
	oracle_page(p, a + P, &sp);
	CHECK(sp.present);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* fork copies the descriptor table; files outlive the processes that map them. */
TEST(memfd_fork_fd_table)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t a = oracle_proc_seed_default(p), v;
	int64_t fd = oracle_memfd_create(p, "a", 0), pid;
	CHECK_EQ_U64(oracle_ftruncate(p, fd, P), 0);
	CHECK_EQ_U64(oracle_mmap(p, a, P, RW, LX_MAP_SHARED | LX_MAP_FIXED, fd, 0, 0), a);
	CHECK(!oracle_store(p, a, 0x5).signo);
	oracle_proc *c = oracle_fork(p, &pid);
	CHECK(c != NULL);
	/* Shared file pages are not copied to the child (no anon_vma). */
	oracle_page_info cp;
	oracle_page(c, a, &cp);
	CHECK(!cp.present);
	CHECK_EQ_U64(oracle_memfd_create(c, "b", 0), 1);
	CHECK_EQ_U64(oracle_memfd_create(p, "c", 0), 1);
	CHECK_EQ_U64(oracle_mmap(c, a + 4 * P, P, RW, LX_MAP_SHARED | LX_MAP_FIXED, fd, 0, 0), a + 4 * P);
	CHECK(!oracle_load(c, a + 4 * P, &v).signo && v == 0x5);
	CHECK(!oracle_store(c, a + 4 * P, 0x6).signo);
	CHECK_EQ_U64(oracle_ftruncate(c, fd, 0), 0);
	CHECK(oracle_load(p, a, &v).signo == LX_SIGBUS);
	CHECK_EQ_U64(oracle_ftruncate(c, fd, P), 0);
	CHECK(!oracle_store(c, a + 4 * P, 0x7).signo);
	oracle_exit(c, 0);
	CHECK_EQ_U64(oracle_wait(p, c), 0);
	/* Unmapped everywhere, the file keeps its page through the descriptor. */
	CHECK_EQ_U64(oracle_munmap(p, a, P), 0);
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, LX_MAP_PRIVATE | LX_MAP_FIXED, fd, 0, 0), a);
	CHECK(!oracle_load(p, a, &v).signo && v == 0x7);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/* The layout of [a, a + strlen(want) pages) drawn, compared with want. */
static int layout_is(oracle_proc *p, uint64_t a, const char *want)
{
	char d[64];
	oracle_draw(p, a, strlen(want), d, sizeof(d));
	if (strcmp(d, want))
		fprintf(stderr, "layout %s, want %s\n", d, want);
	return !strcmp(d, want);
}

static oracle_world *mremap_world(unsigned version, oracle_proc **pp, uint64_t *arena)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	if (version)
		prof.version = version;
	oracle_world *w = oracle_world_new(&prof);
	*pp = oracle_world_root(w);
	*arena = oracle_proc_seed_default(*pp);
	return w;
}

#define MM LX_MREMAP_MAYMOVE
#define MF (LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED)
#define MD (LX_MREMAP_MAYMOVE | LX_MREMAP_DONTUNMAP)

/*
 * mremap (mm/mremap.c): 6.18's check order, growth in place and its merge,
 * moves carrying pages and pgoff, DONTUNMAP, the multi-VMA move, the
 * 6.12 order, map_count, and what is left unmodelled.
 */
TEST(mremap_paths)
{
	oracle_proc *p;
	uint64_t a;
	oracle_world *w = mremap_world(0, &p, &a);
	const uint64_t K = 0xffffffffffffffffULL; /* no kernel result */

	/* check_mremap_params() before vma_lookup(): EINVAL, not EFAULT. */
	CHECK_EQ_U64(oracle_mremap(p, a, P, P, MF, a + 10 * P + 1, K), E(EINVAL));
	CHECK_EQ_U64(oracle_mremap(p, a, P, P, MF, a + 10 * P, K), E(EFAULT));
	CHECK_EQ_U64(oracle_mremap(p, a, P, 0, 0, 0, K), E(EINVAL));

	/* Growth in place merges the next VMA (vma_merge_extend). */
	CHECK_EQ_U64(oracle_mmap(p, a, 2 * P, RW, FX, -1ULL, 0, 0), a);
	CHECK_EQ_U64(oracle_mmap(p, a + 3 * P, P, RW, FX, -1ULL, 0, 0), a + 3 * P);
	CHECK(oracle_store(p, a, 0x11).signo == 0);
	CHECK_EQ_U64(oracle_mremap(p, a, 2 * P, 3 * P, 0, 0, K), a);
	CHECK(layout_is(p, a, "aaaa."));
	/* Blocked without MAYMOVE: ENOMEM; with it, a move that keeps the page. */
	CHECK_EQ_U64(oracle_mmap(p, a + 4 * P, P, R, FX, -1ULL, 0, 0), a + 4 * P);
	CHECK_EQ_U64(oracle_mremap(p, a, 4 * P, 6 * P, 0, 0, K), E(ENOMEM));
	oracle_page_info before, after;
	oracle_page(p, a, &before);
	CHECK_EQ_U64(oracle_mremap(p, a, 4 * P, 4 * P, MF, a + 20 * P, K), a + 20 * P);
	oracle_page(p, a + 20 * P, &after);
	CHECK(after.present && after.frame == before.frame);
	uint64_t v = 0;
	CHECK(oracle_load(p, a + 20 * P, &v).signo == 0 && v == 0x11);
	CHECK(oracle_load(p, a, &v).signo == LX_SIGSEGV);
	/* Faulted: the old pgoff stays, so no merge at the destination. */
	oracle_vma_info vi;
	CHECK(oracle_find_vma(p, a + 20 * P, &vi) && vi.pgoff == a >> 12);
	CHECK(layout_is(p, a, "....a"));
	CHECK(oracle_check(w) == NULL);

	/* Unfaulted: pgoff becomes the destination's, and it merges. */
	CHECK_EQ_U64(oracle_mmap(p, a + 40 * P, 2 * P, RW, FX, -1ULL, 0, 0), a + 40 * P);
	CHECK_EQ_U64(oracle_mmap(p, a + 50 * P, P, RW, FX, -1ULL, 0, 0), a + 50 * P);
	CHECK_EQ_U64(oracle_mremap(p, a + 50 * P, P, P, MF, a + 42 * P, K), a + 42 * P);
	CHECK(layout_is(p, a + 40 * P, "aaa."));

	/* DONTUNMAP: the source stays, empty; the page moved. */
	CHECK(oracle_store(p, a + 40 * P, 0x40).signo == 0);
	CHECK_EQ_U64(oracle_mremap(p, a + 40 * P, P, P, MD | LX_MREMAP_FIXED, a + 60 * P, K),
		     a + 60 * P);
	CHECK(oracle_load(p, a + 60 * P, &v).signo == 0 && v == 0x40);
	CHECK(oracle_load(p, a + 40 * P, &v).signo == 0 && v == 0);
	CHECK(layout_is(p, a + 40 * P, "aaa."));

	/* remap_move(): several VMAs, the gap kept; a gap at the start: EFAULT. */
	CHECK_EQ_U64(oracle_mmap(p, a + 80 * P, P, R, FX, -1ULL, 0, 0), a + 80 * P);
	CHECK_EQ_U64(oracle_mmap(p, a + 82 * P, P, RW, FX, -1ULL, 0, 0), a + 82 * P);
	CHECK_EQ_U64(oracle_mremap(p, a + 79 * P, 4 * P, 4 * P, MF, a + 90 * P, K), E(EFAULT));
	CHECK_EQ_U64(oracle_mremap(p, a + 80 * P, 3 * P, 3 * P, MF, a + 90 * P, K), a + 90 * P);
	CHECK(layout_is(p, a + 80 * P, "..........a.b.."));

	/* A shared mapping with old_len 0 is duplicated; a private one refuses. */
	CHECK_EQ_U64(oracle_mmap(p, a + 100 * P, P, RW, LX_MAP_SHARED | LX_MAP_ANONYMOUS | LX_MAP_FIXED,
				 -1ULL, 0, 0), a + 100 * P);
	CHECK(oracle_store(p, a + 100 * P, 0x64).signo == 0);
	CHECK_EQ_U64(oracle_mremap(p, a + 100 * P, 0, P, MF, a + 102 * P, K), a + 102 * P);
	CHECK(oracle_load(p, a + 102 * P, &v).signo == 0 && v == 0x64);
	CHECK_EQ_U64(oracle_mremap(p, a + 90 * P, 0, P, MM, 0, K), E(EINVAL));

	/* MREMAP_DONTUNMAP of a VM_LOCKED VMA: 6.18 charges the copy and
	 * clears VM_LOCKED on the source without uncharging it; locked_vm
	 * keeps the source's pages for good (VmLck on 6.18.44). */
	oracle_counters cnt;
	oracle_get_counters(p, &cnt);
	uint64_t locked0 = cnt.locked_vm;
	CHECK_EQ_U64(oracle_mmap(p, a + 120 * P, 2 * P, RW, FX | LX_MAP_LOCKED, -1ULL, 0, 0), a + 120 * P);
	CHECK_EQ_U64(oracle_mremap(p, a + 120 * P, 2 * P, 2 * P, MD | LX_MREMAP_FIXED, a + 130 * P, K),
		     a + 130 * P);
	oracle_get_counters(p, &cnt);
	CHECK_EQ_U64(cnt.locked_vm, locked0 + 4);
	CHECK_EQ_U64(oracle_munlockall(p), 0);
	oracle_get_counters(p, &cnt);
	CHECK_EQ_U64(cnt.locked_vm, 2);
	CHECK(oracle_check(w) == NULL);
	oracle_world_free(w);

	/* 6.12: vma_lookup() first (EFAULT), DONTUNMAP compares unaligned lengths. */
	w = mremap_world((6u << 16) | (12u << 8), &p, &a);
	CHECK_EQ_U64(oracle_mremap(p, a, P, P, MF, a + 10 * P + 1, K), E(EFAULT));
	CHECK_EQ_U64(oracle_mmap(p, a, 3 * P, R, FX, -1ULL, 0, 0), a);
	CHECK_EQ_U64(oracle_mremap(p, a, P, P - 1, MD, 0, K), E(EINVAL));
	/* No multi-VMA moves: a FIXED shrink across VMAs unmaps the
	 * destination and the tail, then fails (gVisor Fixed_ShrinkingAcrossVMAs). */
	CHECK_EQ_U64(oracle_mprotect(p, a, P, 0), 0);
	CHECK_EQ_U64(oracle_mmap(p, a + 10 * P, 2 * P, 0, FX, -1ULL, 0, 0), a + 10 * P);
	CHECK_EQ_U64(oracle_mremap(p, a, 3 * P, 2 * P, MF, a + 10 * P, K), E(EFAULT));
	CHECK(layout_is(p, a, "ab.........."));
	CHECK(oracle_check(w) == NULL);
	oracle_world_free(w);

	/* map_count: a FIXED move needs map_count + 2 < max_map_count - 3. */
	oracle_profile prof;
	oracle_profile_default(&prof);
	prof.max_map_count = 26;
	w = oracle_world_new(&prof);
	p = oracle_world_root(w);
	a = oracle_proc_seed_default(p); /* 19 VMAs */
	CHECK_EQ_U64(oracle_mmap(p, a, P, RW, FX, -1ULL, 0, 0), a);
	CHECK_EQ_U64(oracle_mremap(p, a, P, P, MF, a + 10 * P, K), a + 10 * P);
	CHECK_EQ_U64(oracle_mmap(p, a, P, R, FX, -1ULL, 0, 0), a); /* 21 VMAs */
	CHECK_EQ_U64(oracle_mremap(p, a, P, P, MF, a + 20 * P, K), E(ENOMEM));
	/* Growth that moves checks only map_count >= max - 3 (prep_move_vma). */
	CHECK_EQ_U64(oracle_mremap(p, a + 10 * P, P, 2 * P, MM, 0, K) > 0, 1);
	oracle_world_free(w);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
