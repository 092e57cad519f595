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

int main(int argc, char **argv) { return test_main(argc, argv); }
