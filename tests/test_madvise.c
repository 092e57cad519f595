/* SPDX-License-Identifier: MIT */
/*
 * test_madvise.c: unit tests of the model's madvise advice beyond the flag
 * advice: guard regions, MADV_FREE's lazy freeing (and the drop the harness
 * adopts), MADV_POPULATE_*, MADV_COLD/PAGEOUT, MADV_REMOVE, THP advice.
 *
 * Table driven: each row runs its operations on a fresh model under one
 * profile; every operation has the result it must give (a return value, a
 * value read, a signal, or a page state), and rows cite the kernel function
 * that decides them.
 */
#include <inttypes.h>

#include "oracle.h"
#include "test.h"

#define P 4096ULL
#define RW (LX_PROT_READ | LX_PROT_WRITE)
#define R LX_PROT_READ
#define FX (LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED)
#define SHX (LX_MAP_SHARED | LX_MAP_ANONYMOUS | LX_MAP_FIXED)
#define E(x) (-(int64_t)LX_##x)
#define V(maj, min) (((maj) << 16) | ((min) << 8))

enum kind {
	END, MMAP, MUNMAP, MPROT, MADV, MLOCK, MREMAP, LOAD, STORE, FETCH,
	FORK,       /* the row's processes: 0 root, 1 the child */
	IN,         /* later ops run in process a */
	PAGE,       /* page at a: b is the state wanted (ST_*) */
	MINCORE,    /* mincore of one page at a: want is the byte */
	DROP,       /* oracle_page_drop(a) */
	MEMFD,      /* memfd_create + ftruncate(b); fd is kept for MMAPF */
	MMAPF,      /* mmap(a, b, c, d, fd, 0) */
	ALT,        /* oracle_page_read_alt(a): want 1 when there is one */
	RESOLVE,    /* oracle_page_resolve_alt(a, take = b) */
};

enum { ST_ABSENT, ST_PRESENT, ST_GUARD, ST_LAZY, ST_ZERO };

typedef struct op {
	enum kind k;
	uint64_t a, b, c, d;
	int64_t want;      /* return value, or the value read, or the mincore byte */
	int sig, code;     /* LOAD/STORE/FETCH: the signal wanted */
} op;

typedef struct row {
	const char *name;
	unsigned version;  /* 0: 6.18 */
	op ops[16];
} row;

static const row rows[] = {
	/* madvise_behavior_valid(): the advice is new in 6.13. */
	{ "guard-einval-on-6.12", V(6, 12),
	  { { MMAP, 0, P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, E(EINVAL) },
	    { MADV, 0, P, LX_MADV_GUARD_REMOVE, 0, E(EINVAL) } } },
	/* handle_pte_marker() -> VM_FAULT_SIGSEGV -> SEGV_MAPERR for every access. */
	{ "guard-faults-maperr", 0,
	  { { MMAP, 0, 2 * P, RW | LX_PROT_EXEC, FX, 0 }, { STORE, 0, 5, 0, 0, 0 },
	    { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 }, { PAGE, 0, ST_GUARD },
	    { LOAD, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR },
	    { STORE, 0, 1, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR },
	    { FETCH, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR },
	    { MINCORE, 0, 0, 0, 0, 0 }, { LOAD, P, 0, 0, 0, 0 } } },
	/* madvise_guard_remove(): the zapped page reads zero afterwards. */
	{ "guard-install-zaps-remove-clears", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 },
	    { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 }, { MADV, 0, P, LX_MADV_GUARD_REMOVE, 0, 0 },
	    { PAGE, 0, ST_ABSENT }, { LOAD, 0, 0, 0, 0, 0 } } },
	/* access_error() first: PROT_NONE is SEGV_ACCERR over a marker. */
	{ "guard-prot-none-accerr", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 },
	    { MPROT, 0, P, LX_PROT_NONE, 0, 0 }, { LOAD, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_ACCERR },
	    { MPROT, 0, P, RW, 0, 0 }, { LOAD, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR } } },
	/* is_valid_guard_vma(): locked memory refuses install, allows remove;
	 * mlock populates into the marker: EFAULT -> ENOMEM. */
	{ "guard-locked", 0,
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { MADV, P, P, LX_MADV_GUARD_INSTALL, 0, 0 },
	    { MLOCK, 0, 2 * P, 0, 0, E(ENOMEM) }, { PAGE, 0, ST_PRESENT },
	    { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, E(EINVAL) },
	    { MADV, 0, 2 * P, LX_MADV_GUARD_REMOVE, 0, 0 }, { PAGE, P, ST_ABSENT } } },
	/* zap_nonpresent_ptes(): DONTNEED keeps markers; munmap drops them. */
	{ "guard-dontneed-keeps-munmap-drops", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 },
	    { MADV, 0, P, LX_MADV_DONTNEED, 0, 0 }, { PAGE, 0, ST_GUARD },
	    { MUNMAP, 0, P, 0, 0, 0 }, { MMAP, 0, P, RW, FX, 0 }, { PAGE, 0, ST_ABSENT },
	    { LOAD, 0, 0, 0, 0, 0 } } },
	/* move_ptes(): markers move with mremap. */
	{ "guard-mremap-moves-markers", 0,
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { MADV, P, P, LX_MADV_GUARD_INSTALL, 0, 0 },
	    { MREMAP, 0, 2 * P, 8 * P, 0, (int64_t)(8 * P) }, { PAGE, 9 * P, ST_GUARD },
	    { LOAD, 9 * P, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR } } },
	/* anon_vma_prepare() in madvise_guard_install(): fork copies the
	 * markers of a VMA that never had a page (vma_needs_copy()). */
	{ "guard-fork-copies", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 }, { FORK },
	    { IN, 1 }, { PAGE, 0, ST_GUARD }, { LOAD, 0, 0, 0, 0, 0, LX_SIGSEGV, LX_SEGV_MAPERR } } },
	/* dup_mmap(): no page tables for VM_WIPEONFORK. */
	{ "guard-wipeonfork-child-clean", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 },
	    { MADV, 0, P, LX_MADV_WIPEONFORK, 0, 0 }, { FORK }, { IN, 1 }, { PAGE, 0, ST_ABSENT },
	    { LOAD, 0, 0, 0, 0, 0 } } },
	/* 6.13/6.14 wanted anonymous memory; 6.15 allows shmem. */
	{ "guard-shmem-6.14-einval", V(6, 14),
	  { { MMAP, 0, P, RW, SHX, 0 }, { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, E(EINVAL) } } },
	{ "guard-shmem-6.18-ok-data-survives", 0,
	  { { MMAP, 0, P, RW, SHX, 0 }, { STORE, 0, 9, 0, 0, 0 },
	    { MADV, 0, P, LX_MADV_GUARD_INSTALL, 0, 0 }, { MINCORE, 0, 0, 0, 0, 1 },
	    { MADV, 0, P, LX_MADV_GUARD_REMOVE, 0, 0 }, { LOAD, 0, 0, 0, 0, 9 } } },
	/* madvise_free_pte_range(): the page stays, lazyfree, until written. */
	{ "free-keeps-page-lazyfree", 0,
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { LOAD, P, 0, 0, 0, 0 },
	    { MADV, 0, 2 * P, LX_MADV_FREE, 0, 0 }, { PAGE, 0, ST_LAZY }, { PAGE, P, ST_ZERO },
	    { LOAD, 0, 0, 0, 0, 5 }, { STORE, 8, 1, 0, 0, 0 }, { PAGE, 0, ST_PRESENT },
	    { LOAD, 0, 0, 0, 0, 5 } } },
	/* The drop the harness adopts: the page goes, and reads zero. */
	{ "free-drop-reads-zero", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { DROP, 0 }, { PAGE, 0, ST_ABSENT }, { MINCORE, 0, 0, 0, 0, 0 }, { LOAD, 0, 0, 0, 0, 0 } } },
	/* A dirty (written) page cannot be dropped. */
	{ "free-store-then-drop-refused", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { STORE, 0, 6, 0, 0, 0 }, { DROP, 0 }, { LOAD, 0, 0, 0, 0, 6 } } },
	/* try_to_unmap() drops the folio from every process that maps it. */
	{ "free-fork-drop-both", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { FORK }, { DROP, 0 }, { PAGE, 0, ST_ABSENT }, { IN, 1 }, { PAGE, 0, ST_ABSENT },
	    { LOAD, 0, 0, 0, 0, 0 } } },
	/* The write that ends the lazyfree state may follow a drop: the page
	 * then holds zeroes plus the writes since, the other possible content. */
	{ "free-store-keeps-alternative", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { STORE, 8, 6, 0, 0, 0 }, { ALT, 0, 0, 0, 0, 1 }, { LOAD, 0, 0, 0, 0, 5 },
	    { RESOLVE, 0, 1 }, { ALT, 0, 0, 0, 0, 0 }, { LOAD, 0, 0, 0, 0, 0 }, { LOAD, 8, 0, 0, 0, 6 } } },
	{ "free-store-alternative-forgotten", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { STORE, 8, 6, 0, 0, 0 }, { RESOLVE, 0, 0 }, { ALT, 0, 0, 0, 0, 0 }, { LOAD, 0, 0, 0, 0, 5 } } },
	/* A COW copy of a droppable page carries the alternative (zero + the write). */
	{ "free-fork-cow-copy-alternative", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { FORK }, { IN, 1 }, { STORE, 8, 6, 0, 0, 0 }, { ALT, 0, 0, 0, 0, 1 }, { RESOLVE, 0, 1 },
	    { LOAD, 0, 0, 0, 0, 0 }, { IN, 0 }, { PAGE, 0, ST_LAZY }, { LOAD, 0, 0, 0, 0, 5 } } },
	/* madvise_dontneed_free_valid_vma() and madvise_free_single_vma(). */
	{ "free-errors", 0,
	  { { MMAP, 0, P, RW, SHX, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, E(EINVAL) },
	    { MMAP, P, P, RW, FX | LX_MAP_LOCKED, 0 }, { MADV, P, P, LX_MADV_FREE, 0, E(EINVAL) },
	    { MADV, 4 * P, P, LX_MADV_FREE, 0, E(ENOMEM) } } },
	/* A lock taken after the FREE stops later drops, not earlier ones: the
	 * page may still be found dropped (mlock of a read-only VMA only reads
	 * it, leaving it clean). */
	{ "free-then-readonly-lock-may-have-dropped", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { MPROT, 0, P, R, 0, 0 }, { MLOCK, 0, P, 0, 0, 0 }, { PAGE, 0, ST_LAZY }, { DROP, 0 },
	    { LOAD, 0, 0, 0, 0, 0 } } },
	/* A write-populating mlock dirties it; the page dropped before that
	 * would have been a fresh zero page: the alternative. */
	{ "free-then-mlock-write-alternative", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { STORE, 0, 5, 0, 0, 0 }, { MADV, 0, P, LX_MADV_FREE, 0, 0 },
	    { MLOCK, 0, P, 0, 0, 0 }, { PAGE, 0, ST_PRESENT }, { ALT, 0, 0, 0, 0, 1 },
	    { LOAD, 0, 0, 0, 0, 5 } } },
	/* faultin_page_range(): 6.9+ stops at the hole; before, the walk goes on. */
	{ "populate-hole-6.18", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { MMAP, 2 * P, P, RW, FX, 0 },
	    { MADV, 0, 3 * P, LX_MADV_POPULATE_WRITE, 0, E(ENOMEM) }, { PAGE, 0, ST_PRESENT },
	    { PAGE, 2 * P, ST_ABSENT } } },
	{ "populate-hole-6.1", V(6, 1),
	  { { MMAP, 0, P, RW, FX, 0 }, { MMAP, 2 * P, P, RW, FX, 0 },
	    { MADV, 0, 3 * P, LX_MADV_POPULATE_WRITE, 0, E(ENOMEM) }, { PAGE, 0, ST_PRESENT },
	    { PAGE, 2 * P, ST_PRESENT } } },
	/* check_vma_flags() -> EINVAL; a guard marker -> EFAULT. */
	{ "populate-einval-efault", 0,
	  { { MMAP, 0, P, R, FX, 0 }, { MADV, 0, P, LX_MADV_POPULATE_WRITE, 0, E(EINVAL) },
	    { MADV, 0, P, LX_MADV_POPULATE_READ, 0, 0 }, { PAGE, 0, ST_ZERO },
	    { MMAP, P, P, RW, FX, 0 }, { MADV, P, P, LX_MADV_GUARD_INSTALL, 0, 0 },
	    { MADV, P, P, LX_MADV_POPULATE_READ, 0, E(EFAULT) } } },
	/* can_madv_lru_vma(); PAGEOUT keeps anonymous pages without swap. */
	{ "cold-pageout", 0,
	  { { MMAP, 0, P, RW, FX | LX_MAP_LOCKED, 0 }, { MADV, 0, P, LX_MADV_PAGEOUT, 0, E(EINVAL) },
	    { MADV, 0, P, LX_MADV_COLD, 0, E(EINVAL) }, { MMAP, P, P, RW, FX, 0 },
	    { STORE, P, 3, 0, 0, 0 }, { MADV, P, P, LX_MADV_PAGEOUT, 0, 0 }, { PAGE, P, ST_PRESENT } } },
	/* madvise_remove(): EINVAL without a file, EACCES when not shared. */
	{ "remove-errors-and-punch", 0,
	  { { MMAP, 0, P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_REMOVE, 0, E(EINVAL) },
	    { MEMFD, 0, 2 * P }, { MMAPF, 2 * P, 2 * P, RW, LX_MAP_PRIVATE | LX_MAP_FIXED, 2 * P },
	    { MADV, 2 * P, P, LX_MADV_REMOVE, 0, E(EACCES) },
	    { MMAPF, 4 * P, 2 * P, RW, LX_MAP_SHARED | LX_MAP_FIXED, 4 * P },
	    { STORE, 4 * P, 7, 0, 0, 0 }, { MADV, 4 * P, P, LX_MADV_REMOVE, 0, 0 },
	    { PAGE, 4 * P, ST_ABSENT }, { MINCORE, 4 * P, 0, 0, 0, 0 }, { LOAD, 4 * P, 0, 0, 0, 0 } } },
	/* hugepage_madvise(): a flag change, so a split. */
	{ "hugepage-splits", 0,
	  { { MMAP, 0, 2 * P, RW, FX, 0 }, { MADV, 0, P, LX_MADV_HUGEPAGE, 0, 0 },
	    { MADV, 0, 2 * P, LX_MADV_NOHUGEPAGE, 0, 0 } } },
};

static void check_page(const row *rw, int i, oracle_proc *p, uint64_t addr, int want)
{
	oracle_page_info pg;
	oracle_page(p, addr, &pg);
	int got = pg.guard ? ST_GUARD : !pg.present ? ST_ABSENT : pg.zero_page ? ST_ZERO
		: pg.lazyfree ? ST_LAZY : ST_PRESENT;
	CHECK_MSG(got == want, "%s: op %d: page state %d, want %d", rw->name, i, got, want);
	CHECK_MSG(!pg.lazyfree || oracle_page_may_drop(p, addr),
		  "%s: op %d: a lazyfree page the model may not drop", rw->name, i);
}

static void run_row(const row *rw)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	if (rw->version)
		prof.version = rw->version;
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *procs[2] = { oracle_world_root(w), NULL }, *p = procs[0];
	uint64_t A = oracle_proc_seed_default(p), fd = -1ULL;
	for (int i = 0; i < 16 && rw->ops[i].k != END; i++) {
		const op *o = &rw->ops[i];
		int64_t got = 0;
		oracle_fault f = { 0, 0, 0 };
		uint64_t v = 0;
		uint8_t vec = 0xff;
		switch (o->k) {
		case MMAP:
			got = oracle_mmap(p, A + o->a, o->b, o->c, o->d, -1ULL, 0, 0);
			CHECK_MSG(got == (int64_t)(A + o->a), "%s: op %d: mmap = %" PRId64, rw->name, i, got);
			continue;
		case MMAPF:
			got = oracle_mmap(p, A + o->a, o->b, o->c, o->d, fd, 0, 0);
			CHECK_MSG(got == (int64_t)(A + o->a), "%s: op %d: mmap = %" PRId64, rw->name, i, got);
			continue;
		case MEMFD:
			fd = (uint64_t)oracle_memfd_create(p, "t", 0);
			CHECK(oracle_ftruncate(p, fd, o->b) == 0);
			continue;
		case MUNMAP: got = oracle_munmap(p, A + o->a, o->b); break;
		case MPROT: got = oracle_mprotect(p, A + o->a, o->b, o->c); break;
		case MADV: got = oracle_madvise(p, A + o->a, o->b, o->c); break;
		case MLOCK: got = oracle_mlock(p, A + o->a, o->b); break;
		case MREMAP:
			got = oracle_mremap(p, A + o->a, o->b, o->b,
					    LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, A + o->c, 0);
			if (got > 0)
				got -= (int64_t)A;
			break;
		case LOAD: f = oracle_load(p, A + o->a, &v); got = (int64_t)v; break;
		case STORE: f = oracle_store(p, A + o->a, o->b); break;
		case FETCH: f = oracle_fetch(p, A + o->a); break;
		case FORK: {
			int64_t pid;
			procs[1] = oracle_fork(p, &pid);
			CHECK(procs[1] != NULL);
			continue;
		}
		case IN: p = procs[o->a]; continue;
		case PAGE: check_page(rw, i, p, A + o->a, (int)o->b); continue;
		case MINCORE:
			CHECK(oracle_mincore(p, A + o->a, P, &vec, 1) == 0);
			got = vec;
			break;
		case DROP: oracle_page_drop(p, A + o->a); continue;
		case ALT: {
			uint8_t b[8];
			got = oracle_page_read_alt(p, A + o->a, 0, b, 8);
			break;
		}
		case RESOLVE: oracle_page_resolve_alt(p, A + o->a, o->b != 0); continue;
		default: continue;
		}
		CHECK_MSG(got == o->want, "%s: op %d: got %" PRId64 ", want %" PRId64, rw->name, i, got,
			  o->want);
		CHECK_MSG(f.signo == o->sig && f.code == o->code, "%s: op %d: signal %d/%d, want %d/%d",
			  rw->name, i, f.signo, f.code, o->sig, o->code);
	}
	CHECK_MSG(!oracle_check(w), "%s: invariant: %s", rw->name, oracle_check(w));
	oracle_world_free(w);
}

TEST(madvise_table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
}

/* The VMA flags THP advice sets, and that they split and merge. */
TEST(hugepage_flags)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t A = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, A, 3 * P, RW, FX, -1ULL, 0, 0), A);
	CHECK_EQ_U64(oracle_madvise(p, A + P, P, LX_MADV_HUGEPAGE), 0);
	oracle_vma_info vi;
	CHECK(oracle_find_vma(p, A + P, &vi) && (vi.flags & VM_HUGEPAGE) && !(vi.flags & VM_NOHUGEPAGE));
	CHECK_EQ_U64(oracle_vmas(p, A, A + 3 * P, NULL, 0), 3);
	CHECK_EQ_U64(oracle_madvise(p, A + P, P, LX_MADV_NOHUGEPAGE), 0);
	CHECK(oracle_find_vma(p, A + P, &vi) && !(vi.flags & VM_HUGEPAGE) && (vi.flags & VM_NOHUGEPAGE));
	CHECK_EQ_U64(oracle_madvise(p, A, 3 * P, LX_MADV_NOHUGEPAGE), 0);
	CHECK_EQ_U64(oracle_vmas(p, A, A + 3 * P, NULL, 0), 1);
	/* MADV_COLLAPSE: EINVAL with THP disabled for the process (the
	 * sandbox's prctl); a real collapse is not modelled. */
	CHECK(oracle_madvise(p, A, 3 * P, LX_MADV_COLLAPSE) == ORACLE_UNMODELLED);
	oracle_world_set_thp_disabled(w, true);
	CHECK_EQ_U64(oracle_madvise(p, A, 3 * P, LX_MADV_COLLAPSE), E(EINVAL));
	CHECK_EQ_U64(oracle_madvise(p, A + 8 * P, P, LX_MADV_COLLAPSE), E(ENOMEM));
	/* Without CONFIG_TRANSPARENT_HUGEPAGE the advice does not exist. */
	oracle_world_free(w);
	prof.thp = false;
	w = oracle_world_new(&prof);
	p = oracle_world_root(w);
	A = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, A, P, RW, FX, -1ULL, 0, 0), A);
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_HUGEPAGE), E(EINVAL));
	oracle_world_free(w);
}

/*
 * PAGEOUT of page-cache pages: reclaim may unmap them; a clean one (never
 * written) leaves the page cache and reads zero, a dirty one stays cached.
 */
TEST(pageout_page_cache)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t A = oracle_proc_seed_default(p), v;
	uint8_t vec[2];
	CHECK_EQ_U64(oracle_mmap(p, A, 2 * P, RW, SHX, -1ULL, 0, 0), A);
	CHECK(!oracle_store(p, A, 1).signo);
	CHECK(!oracle_load(p, A + P, &v).signo);
	CHECK_EQ_U64(oracle_madvise(p, A, 2 * P, LX_MADV_PAGEOUT), 0);
	CHECK(oracle_page_may_unmap(p, A) && !oracle_page_may_drop(p, A));
	CHECK(oracle_page_may_unmap(p, A + P) && oracle_page_may_drop(p, A + P));
	oracle_page_drop(p, A);
	oracle_page_drop(p, A + P);
	CHECK_EQ_U64(oracle_mincore(p, A, 2 * P, vec, 2), 0);
	CHECK(vec[0] == 1 && vec[1] == 0);
	CHECK(!oracle_load(p, A, &v).signo && v == 1);
	/* Touching a page refaults it on both sides: no longer a candidate. */
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_PAGEOUT), 0);
	CHECK(oracle_page_may_unmap(p, A));
	CHECK(!oracle_load(p, A, &v).signo && v == 1);
	CHECK(!oracle_page_may_unmap(p, A));
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_COLD), 0);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
	prof.swap = true;
	w = oracle_world_new(&prof);
	p = oracle_world_root(w);
	A = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, A, P, RW, FX, -1ULL, 0, 0), A);
	CHECK(!oracle_store(p, A, 1).signo);
	CHECK(oracle_madvise(p, A, P, LX_MADV_PAGEOUT) == ORACLE_UNMODELLED);
	/* A clean lazyfree page is a discard, swap or not. */
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_FREE), 0);
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_PAGEOUT), 0);
	oracle_world_free(w);
}

/*
 * What the harness adopts from pagemap and mincore after reclaim: a lazyfree
 * page read again through zero bytes is the zero page; a page-cache page
 * reclaimed and then touched by a fork child is mapped by the child alone;
 * a clean one the child never mapped may be gone from the cache.
 */
TEST(reclaim_adoption)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t A = oracle_proc_seed_default(p), v;
	oracle_page_info pg;
	CHECK_EQ_U64(oracle_mmap(p, A, P, RW, FX, -1ULL, 0, 0), A);
	CHECK(!oracle_store(p, A + 8, 1).signo);
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_FREE), 0);
	oracle_page_drop_refault(p, A);
	oracle_page(p, A, &pg);
	CHECK(pg.present && pg.zero_page && !pg.exclusive);
	CHECK(!oracle_load(p, A + 8, &v).signo && v == 0);
	/* Shared memory: the parent's PTE of a reclaimed page; the child faults it. */
	CHECK_EQ_U64(oracle_mmap(p, A + 2 * P, 2 * P, RW, SHX, -1ULL, 0, 0), A + 2 * P);
	CHECK(!oracle_store(p, A + 2 * P, 5).signo);
	CHECK(!oracle_load(p, A + 3 * P, &v).signo);
	CHECK_EQ_U64(oracle_madvise(p, A + 2 * P, 2 * P, LX_MADV_PAGEOUT), 0);
	int64_t pid;
	oracle_proc *c = oracle_fork(p, &pid);
	CHECK(c != NULL);
	oracle_page(c, A + 3 * P, &pg);
	CHECK(!pg.present && oracle_page_may_drop(c, A + 3 * P)); /* clean, only cached */
	CHECK(!oracle_page_may_drop(c, A + 2 * P));              /* dirty: stays cached */
	CHECK(!oracle_load(c, A + 2 * P, &v).signo && v == 5);
	CHECK(oracle_page_may_unmap(p, A + 2 * P));
	oracle_page_unmap_others(c, A + 2 * P);
	oracle_page(p, A + 2 * P, &pg);
	CHECK(!pg.present);
	oracle_page(c, A + 2 * P, &pg);
	CHECK(pg.present && pg.exclusive);
	oracle_page_drop(c, A + 3 * P);
	uint8_t vec[2];
	CHECK_EQ_U64(oracle_mincore(p, A + 2 * P, 2 * P, vec, 2), 0);
	CHECK(vec[0] == 1 && vec[1] == 0);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

/*
 * VM_MAYBE_GUARD (profile.maybe_guard): the whole VMA is marked without a
 * split; the mark is sticky across merges; fork copies the page tables of
 * a guarded file VMA, which has no anon_vma and merges in the child.
 */
TEST(maybe_guard)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	prof.maybe_guard = true;
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t A = oracle_proc_seed_default(p), v;
	oracle_vma_info vi;
	CHECK_EQ_U64(oracle_mmap(p, A, 3 * P, RW, FX, -1ULL, 0, 0), A);
	CHECK_EQ_U64(oracle_mmap(p, A + 3 * P, P, R, FX, -1ULL, 0, 0), A + 3 * P);
	CHECK_EQ_U64(oracle_madvise(p, A + P, P, LX_MADV_GUARD_INSTALL), 0);
	CHECK(oracle_find_vma(p, A, &vi) && vi.start == A && vi.end == A + 3 * P &&
	      (vi.flags & VM_MAYBE_GUARD) && vi.anon_id);
	CHECK_EQ_U64(oracle_mprotect(p, A + 3 * P, P, RW), 0);
	CHECK(oracle_find_vma(p, A + 3 * P, &vi) && vi.start == A && vi.end == A + 4 * P &&
	      (vi.flags & VM_MAYBE_GUARD));
	CHECK_EQ_U64(oracle_madvise(p, A, 4 * P, LX_MADV_GUARD_REMOVE), 0);
	CHECK(oracle_find_vma(p, A, &vi) && (vi.flags & VM_MAYBE_GUARD));
	/* A shared (file) VMA: marked, no anon_vma; the child copies the markers. */
	CHECK_EQ_U64(oracle_mmap(p, A + 8 * P, P, RW, SHX, -1ULL, 0, 0), A + 8 * P);
	CHECK_EQ_U64(oracle_madvise(p, A + 8 * P, P, LX_MADV_GUARD_INSTALL), 0);
	CHECK(oracle_find_vma(p, A + 8 * P, &vi) && !vi.anon_id && (vi.flags & VM_MAYBE_GUARD));
	int64_t pid;
	oracle_proc *c = oracle_fork(p, &pid);
	CHECK(c != NULL);
	CHECK(oracle_load(c, A + 8 * P, &v).signo == LX_SIGSEGV);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
	/* Without it: an anon_vma, no flag. */
	prof.maybe_guard = false;
	w = oracle_world_new(&prof);
	p = oracle_world_root(w);
	A = oracle_proc_seed_default(p);
	CHECK_EQ_U64(oracle_mmap(p, A, P, RW, SHX, -1ULL, 0, 0), A);
	CHECK_EQ_U64(oracle_madvise(p, A, P, LX_MADV_GUARD_INSTALL), 0);
	CHECK(oracle_find_vma(p, A, &vi) && vi.anon_id && !(vi.flags & VM_MAYBE_GUARD));
	oracle_world_free(w);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
