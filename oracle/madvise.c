/* SPDX-License-Identifier: MIT */
/*
 * madvise.c: madvise(2), mirroring mm/madvise.c of Linux 6.18 (do_madvise,
 * is_valid_madvise, madvise_walk_vmas, madvise_vma_behavior,
 * madvise_update_vma, can_madvise_modify, madvise_dontneed_free).
 *
 * The walk applies the advice to every mapped part of the range: a hole
 * sets a pending ENOMEM but the walk goes on, while the first hard error
 * stops it with earlier VMAs already changed. A split that fails for the
 * map count is reported as EAGAIN, not ENOMEM.
 *
 * Modelled: NORMAL, RANDOM, SEQUENTIAL, WILLNEED, DONTNEED,
 * DONTNEED_LOCKED, DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK, DONTDUMP,
 * DODUMP, GUARD_INSTALL, GUARD_REMOVE, FREE, POPULATE_READ,
 * POPULATE_WRITE, HUGEPAGE, NOHUGEPAGE, COLD, PAGEOUT (without swap, or
 * over page-cache and lazyfree pages only), REMOVE (shmem files). Other
 * valid advice (KSM, COLLAPSE with THP allowed, memory-failure injection) returns
 * ORACLE_UNMODELLED after the argument checks, so a case using it is
 * skipped rather than guessed.
 *
 * Guard regions (6.13+) live in the page tables only: a marker entry per
 * page (pages.c), no VMA flag, so installing one never splits a VMA.
 *
 * MADV_FREE and MADV_PAGEOUT leave the kernel a choice the model cannot
 * see (reclaim may or may not have taken a page): the model keeps the
 * pages and marks them (frame.lazyfree, frame.pageout, pte.maybe_unmapped,
 * frame.alt); the harness adopts the kernel's choice where a step shows it.
 */
#include "oracleInt.h"

/* A VMA-level "not modelled", turned into ORACLE_UNMODELLED by the walk. */
#define UNMODELLED (-100000)

static bool madvise_behavior_valid(const oracle_proc *p, int b)
{
	switch (b) {
	case LX_MADV_DOFORK: case LX_MADV_DONTFORK: case LX_MADV_NORMAL:
	case LX_MADV_SEQUENTIAL: case LX_MADV_RANDOM: case LX_MADV_REMOVE:
	case LX_MADV_WILLNEED: case LX_MADV_DONTNEED: case LX_MADV_DONTNEED_LOCKED:
	case LX_MADV_FREE: case LX_MADV_COLD: case LX_MADV_PAGEOUT:
	case LX_MADV_POPULATE_READ: case LX_MADV_POPULATE_WRITE:
	case LX_MADV_DONTDUMP: case LX_MADV_DODUMP:
	case LX_MADV_WIPEONFORK: case LX_MADV_KEEPONFORK:
		return true;
	case LX_MADV_MERGEABLE: case LX_MADV_UNMERGEABLE:
		return p->w->prof.ksm;
	case LX_MADV_SOFT_OFFLINE: case LX_MADV_HWPOISON:
		return p->w->prof.memory_failure;
	case LX_MADV_HUGEPAGE: case LX_MADV_NOHUGEPAGE: case LX_MADV_COLLAPSE:
		return p->w->prof.thp;
	case LX_MADV_GUARD_INSTALL: case LX_MADV_GUARD_REMOVE:
		return prof_at_least(p, 6, 13);
	default:
		return false;
	}
}

static bool modelled_advice(int b)
{
	switch (b) {
	case LX_MADV_NORMAL: case LX_MADV_RANDOM: case LX_MADV_SEQUENTIAL:
	case LX_MADV_WILLNEED: case LX_MADV_DONTNEED: case LX_MADV_DONTNEED_LOCKED:
	case LX_MADV_DONTFORK: case LX_MADV_DOFORK: case LX_MADV_WIPEONFORK:
	case LX_MADV_KEEPONFORK: case LX_MADV_DONTDUMP: case LX_MADV_DODUMP:
	case LX_MADV_GUARD_INSTALL: case LX_MADV_GUARD_REMOVE: case LX_MADV_FREE:
	case LX_MADV_POPULATE_READ: case LX_MADV_POPULATE_WRITE:
	case LX_MADV_HUGEPAGE: case LX_MADV_NOHUGEPAGE:
	case LX_MADV_COLD: case LX_MADV_PAGEOUT: case LX_MADV_REMOVE:
	case LX_MADV_COLLAPSE:
		return true;
	default:
		return false;
	}
}

/* is_discard(): the advice that may not touch a sealed read-only anonymous VMA. */
static bool is_discard(int b)
{
	switch (b) {
	case LX_MADV_FREE: case LX_MADV_DONTNEED: case LX_MADV_DONTNEED_LOCKED:
	case LX_MADV_REMOVE: case LX_MADV_DONTFORK: case LX_MADV_WIPEONFORK:
	case LX_MADV_GUARD_INSTALL:
		return true;
	default:
		return false;
	}
}

/*
 * madvise_free_single_vma() -> madvise_free_pte_range(): only anonymous
 * private memory; each present page other than the zero page is marked
 * clean and lazily freeable (folio_mark_lazyfree()) and stays mapped with
 * its contents. Guard markers are left alone (non_swap_entry()).
 */
static int madvise_free(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	if (!vma_is_anonymous(v))
		return -LX_EINVAL;
	uint64_t vpn = start >> PAGE_SHIFT, end_vpn = end >> PAGE_SHIFT;
	pte *e;
	while ((e = pte_next(p, vpn, end_vpn))) {
		vpn = e->vpn + 1;
		if (e->f && !e->f->zero_page && e->f->anon)
			e->f->lazyfree = true;
	}
	return 0;
}

/*
 * madvise_dontneed_free(): madvise_dontneed_free_valid_vma() first (hugetlb
 * only for DONTNEED, huge-page aligned; never VM_PFNMAP; VM_LOCKED only for
 * DONTNEED_LOCKED), then MADV_FREE marks pages lazyfree and DONTNEED zaps
 * the range's page-table entries.
 */
static int madvise_dontneed(oracle_proc *p, vma *v, uint64_t start, uint64_t end, int b)
{
	if (b == LX_MADV_FREE) {
		if ((v->flags & (VM_HUGETLB | VM_PFNMAP | VM_LOCKED)) || (v->file && v->file->hugetlb))
			return -LX_EINVAL;
		return madvise_free(p, v, start, end);
	}
	if (v->file && v->file->hugetlb) {
		/* hugetlb: start must be huge-page aligned; the end is rounded down. */
		uint64_t h = v->file->hugetlb;
		if (start & (h - 1))
			return -LX_EINVAL;
		end &= ~(h - 1);
		if (start >= end)
			return 0;
	} else {
		uint64_t forbidden = VM_PFNMAP | (b != LX_MADV_DONTNEED_LOCKED ? VM_LOCKED : 0);
		if (v->flags & forbidden)
			return -LX_EINVAL;
	}
	/* Private pages are gone (zero on the next touch); shared memory keeps
	 * its data in the page cache and only the mappings go. */
	zap_page_range_single(p, start, end); /* guard markers stay */
	return 0;
}

/*
 * is_valid_guard_vma(): never VM_SPECIAL or hugetlb memory, and locked
 * memory only for removal (installing zaps, which mlock forbids). 6.13 and
 * 6.14 also wanted anonymous memory that may be written (VM_MAYWRITE);
 * "mm: allow guard regions in file-backed and read-only mappings"
 * (Lorenzo Stoakes, 6.15) dropped that.
 */
static bool is_valid_guard_vma(const oracle_proc *p, const vma *v, bool allow_locked)
{
	uint64_t disallowed = VM_SPECIAL | VM_HUGETLB | (allow_locked ? 0 : VM_LOCKED);
	if (v->flags & disallowed)
		return false;
	if (!prof_at_least(p, 6, 15) && (!vma_is_anonymous(v) || !(v->flags & VM_MAYWRITE)))
		return false;
	return true;
}

/*
 * madvise_guard_install(): the VMA gets an anon_vma first (so that fork
 * copies its page tables: vma_needs_copy()), or VM_MAYBE_GUARD, then the range is zapped
 * (present pages go; markers already there stay) and every page gets a
 * guard marker. The kernel first tries to install without zapping and
 * zaps only when it meets a present page; the end state is the same.
 */
static int madvise_guard_install(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	if (!is_valid_guard_vma(p, v, false))
		return -LX_EINVAL;
	/*
	 * "mm: set the VM_MAYBE_GUARD flag on guard region install" (6.19;
	 * profile.maybe_guard): the whole VMA gets the sticky VM_MAYBE_GUARD
	 * (set atomically, no split), which makes fork copy its page tables
	 * (VM_COPY_ON_FORK), and only anonymous VMAs get an anon_vma.
	 */
	if (p->w->prof.maybe_guard) {
		v->flags |= VM_MAYBE_GUARD;
		if (vma_is_anonymous(v) && anon_vma_prepare(p, v))
			return -LX_ENOMEM;
	} else if (anon_vma_prepare(p, v)) {
		return -LX_ENOMEM;
	}
	zap_page_range_single(p, start, end);
	for (uint64_t vpn = start >> PAGE_SHIFT; vpn < end >> PAGE_SHIFT; vpn++)
		if (!pte_lookup(p, vpn) && !pte_install(p, vpn, NULL, false))
			return -LX_ENOMEM;
	return 0;
}

/* madvise_guard_remove(): clears the markers, leaves pages alone; allowed
 * on locked memory ("a non-destructive action"). */
static int madvise_guard_remove(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	if (!is_valid_guard_vma(p, v, true))
		return -LX_EINVAL;
	uint64_t vpn = start >> PAGE_SHIFT, end_vpn = end >> PAGE_SHIFT;
	pte *e;
	while ((e = pte_next(p, vpn, end_vpn))) {
		vpn = e->vpn + 1;
		if (pte_is_guard(e))
			pte_clear(p, e);
	}
	return 0;
}

/*
 * check_vma_flags() for GUP without FOLL_FORCE: never VM_IO or VM_PFNMAP
 * memory; a write needs VM_WRITE (and no shadow stack), a read VM_READ.
 * MADV_POPULATE_* reports a failure here as EINVAL.
 */
static bool gup_vma_ok(const vma *v, bool write)
{
	if (v->flags & (VM_IO | VM_PFNMAP))
		return false;
	if (write)
		return (v->flags & VM_WRITE) && !(v->flags & VM_SHADOW_STACK);
	return (v->flags & VM_READ) != 0;
}

/*
 * One page of __get_user_pages(): follow_page_mask() finds a present page
 * (writable, for a write) and is done; otherwise faultin_page() faults it
 * in as an access would. A fault that fails (a guard marker, a file page
 * past EOF, an empty hugetlb pool) is -EFAULT (vm_fault_to_errno()).
 */
static int gup_one_page(oracle_proc *p, vma *v, uint64_t addr, bool write)
{
	if ((v->flags & VM_HUGETLB) &&
	    !(v->file && v->file->hugetlb == PMD_SIZE && p->w->prof.hugepages_free_2m))
		return -LX_EFAULT;
	int r = handle_mm_fault(p, v, addr, write);
	if (r > 0)
		return -LX_EFAULT;
	return r ? -LX_ENOMEM : 0;
}

/*
 * madvise_populate() since 6.9 ("mm/madvise: make MADV_POPULATE_(READ|
 * WRITE) handle VM_FAULT_RETRY properly"): not a VMA walk but one
 * faultin_page_range() over the range, __get_user_pages() with
 * FOLL_MADV_POPULATE: page by page, no VMA is ENOMEM (the pages before the
 * hole stay populated, nothing after it is), a VMA check_vma_flags()
 * refuses is EINVAL, a failed fault EFAULT.
 */
static int64_t madvise_populate(oracle_proc *p, uint64_t start, uint64_t end, bool write)
{
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		vma *v = vma_lookup(p, a);
		if (!v)
			return -LX_ENOMEM;
		if (!gup_vma_ok(v, write))
			return -LX_EINVAL;
		int r = gup_one_page(p, v, a, write);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Before 6.9, madvise_populate() ran inside madvise_walk_vmas(), one VMA at
 * a time: faultin_vma_page_range() checked the VMA first (EINVAL before any
 * of its pages), and a hole was the walk's pending ENOMEM, so the VMAs
 * after a hole were populated too.
 */
static int madvise_populate_vma(oracle_proc *p, vma *v, uint64_t start, uint64_t end, bool write)
{
	if (!gup_vma_ok(v, write))
		return -LX_EINVAL;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		int r = gup_one_page(p, v, a, write);
		if (r)
			return r;
	}
	return 0;
}

/*
 * madvise_remove(): punches a hole in the file behind a shared writable
 * mapping (vfs_fallocate(PUNCH_HOLE | KEEP_SIZE)): EINVAL for locked memory
 * and memory without a file (private anonymous), EACCES unless the mapping
 * is shared and may be written (vma_is_shared_maywrite()). The file's pages
 * go from every mapping; the next touch reads zero.
 */
static int madvise_remove(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	if (v->flags & VM_LOCKED)
		return -LX_EINVAL;
	if (!v->file)
		return -LX_EINVAL;
	if ((v->flags & (VM_SHARED | VM_MAYWRITE)) != (VM_SHARED | VM_MAYWRITE))
		return -LX_EACCES;
	if (v->file->hugetlb)
		return UNMODELLED; /* hugetlbfs_fallocate() */
	uint64_t first = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
	shmem_punch_hole(p->w, v->file, first, first + ((end - start) >> PAGE_SHIFT));
	return 0;
}

/* can_madv_lru_vma(): COLD and PAGEOUT leave locked, PFN and hugetlb memory alone. */
static bool can_madv_lru_vma(const vma *v)
{
	return !(v->flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB));
}

/*
 * madvise_cold() / madvise_pageout() -> madvise_cold_or_pageout_pte_range().
 * COLD only deactivates pages (clears young bits): nothing a program can
 * see changes. PAGEOUT reclaims the pages mapped by this process alone
 * (folio_mapcount() == 1, and on the LRU: a page still in another CPU's
 * LRU batch is skipped, so which pages go is not certain):
 * - a clean lazyfree anonymous page is discarded (try_to_unmap_one()); the
 *   model already counts it as one the kernel may drop at any time, and
 *   the harness adopts the kernel's choice;
 * - any other anonymous page stays where there is no swap (add_to_swap()
 *   fails); with swap it would be swapped out, which the model does not
 *   cover (ORACLE_UNMODELLED);
 * - a page-cache page is unmapped, and leaves the page cache when clean
 *   (__remove_mapping()); a dirty shmem page stays cached (shmem_writeout()
 *   without swap redirties it). The model marks such pages (frame.pageout)
 *   and the harness adopts what the kernel did.
 * A shared file mapping of a file the process may not write is left alone
 * (can_do_file_pageout()); a memfd is always the process's own.
 */
static int madvise_cold_or_pageout(oracle_proc *p, vma *v, uint64_t start, uint64_t end, int b)
{
	if (!can_madv_lru_vma(v))
		return -LX_EINVAL;
	if (b == LX_MADV_COLD)
		return 0;
	uint64_t vpn = start >> PAGE_SHIFT, end_vpn = end >> PAGE_SHIFT;
	pte *e;
	while ((e = pte_next(p, vpn, end_vpn))) {
		vpn = e->vpn + 1;
		if (!e->f || e->f->zero_page || e->f->mapcount != 1)
			continue;
		if (p->w->prof.swap && e->f->anon && !e->f->lazyfree && !(v->flags & VM_DROPPABLE))
			return UNMODELLED;
	}
	/* Page-cache pages: marked, so the harness can adopt the reclaim. */
	for (vpn = start >> PAGE_SHIFT; (e = pte_next(p, vpn, end_vpn)); vpn = e->vpn + 1) {
		if (e->f && !e->f->zero_page && !e->f->anon && e->f->mapcount == 1) {
			e->f->pageout = true;
			e->maybe_unmapped = true;
		}
		/* MAP_DROPPABLE: try_to_unmap_one() discards the anonymous
		 * folio of a VM_DROPPABLE VMA, dirty or not, swap or not (it
		 * is never swap-backed): the page may go, as a lazyfree one. */
		if (e->f && !e->f->zero_page && e->f->anon && e->f->mapcount == 1 &&
		    (v->flags & VM_DROPPABLE))
			e->f->lazyfree = true;
	}
	return 0;
}

/* madvise_vma_behavior() for [start, end) of v; *vp gets the resulting VMA. */
static int madvise_vma_behavior(oracle_proc *p, vma *prev, vma **vp, uint64_t start,
				uint64_t end, int b)
{
	vma *v = *vp;
	uint64_t new_flags = v->flags;

	/* can_madvise_modify() */
	if ((v->flags & VM_SEALED) && is_discard(b) && vma_is_anonymous(v) && !(v->flags & VM_WRITE))
		return -LX_EPERM;

	switch (b) {
	case LX_MADV_WILLNEED:
		return 0; /* readahead only: nothing the model can see */
	case LX_MADV_FREE:
	case LX_MADV_DONTNEED:
	case LX_MADV_DONTNEED_LOCKED:
		return madvise_dontneed(p, v, start, end, b);
	case LX_MADV_COLD:
	case LX_MADV_PAGEOUT:
		return madvise_cold_or_pageout(p, v, start, end, b);
	case LX_MADV_REMOVE:
		return madvise_remove(p, v, start, end);
	case LX_MADV_COLLAPSE:
		/* madvise_collapse(): thp_vma_allowable_order() is false for
		 * every VMA of a process with THP disabled (vma_thp_disabled():
		 * MMF_DISABLE_THP_COMPLETELY; MMF_DISABLE_THP in the older
		 * hugepage_vma_check()). Collapsing itself is not modelled. */
		return p->w->thp_disabled ? -LX_EINVAL : UNMODELLED;
	case LX_MADV_POPULATE_READ:
	case LX_MADV_POPULATE_WRITE:
		return madvise_populate_vma(p, v, start, end, b == LX_MADV_POPULATE_WRITE);
	case LX_MADV_GUARD_INSTALL:
		return madvise_guard_install(p, v, start, end);
	case LX_MADV_GUARD_REMOVE:
		return madvise_guard_remove(p, v, start, end);
	case LX_MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case LX_MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case LX_MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case LX_MADV_DONTFORK:
		new_flags |= VM_DONTCOPY;
		break;
	case LX_MADV_DOFORK:
		if (new_flags & VM_IO)
			return -LX_EINVAL;
		new_flags &= ~VM_DONTCOPY;
		break;
	case LX_MADV_WIPEONFORK:
		/* Only anonymous private memory. */
		if (v->file || (new_flags & VM_SHARED))
			return -LX_EINVAL;
		new_flags |= VM_WIPEONFORK;
		break;
	case LX_MADV_KEEPONFORK:
		if (new_flags & VM_DROPPABLE)
			return -LX_EINVAL;
		new_flags &= ~VM_WIPEONFORK;
		break;
	case LX_MADV_DONTDUMP:
		new_flags |= VM_DONTDUMP;
		break;
	case LX_MADV_HUGEPAGE:
		/* hugepage_madvise(): even with THP disabled for the process
		 * (PR_SET_THP_DISABLE, as the sandbox does), the flag is set. */
		new_flags = (new_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case LX_MADV_NOHUGEPAGE:
		new_flags = (new_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	case LX_MADV_DODUMP:
		if ((!(v->flags & VM_HUGETLB) && (new_flags & VM_SPECIAL)) || (new_flags & VM_DROPPABLE))
			return -LX_EINVAL;
		new_flags &= ~VM_DONTDUMP;
		break;
	default:
		return -LX_EINVAL;
	}
	/* madvise_update_vma() */
	if (new_flags == v->flags)
		return 0;
	int err = 0;
	vma *r = vma_modify_flags(p, prev, v, start, end, new_flags, &err);
	if (!r)
		return err == -LX_ENOMEM ? -LX_EAGAIN : err;
	r->flags = new_flags | (r->flags & (VM_SOFTDIRTY | VM_STICKY));
	*vp = r;
	return 0;
}

static int64_t do_madvise(oracle_proc *p, uint64_t start, uint64_t len_in, int b)
{
	/* is_valid_madvise() / madvise_should_skip() */
	if (!madvise_behavior_valid(p, b))
		return -LX_EINVAL;
	if (start & ~PAGE_MASK)
		return -LX_EINVAL;
	uint64_t len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -LX_EINVAL;
	if (start + len < start)
		return -LX_EINVAL;
	if (start + len == start)
		return 0;
	/* madvise_do_behavior() -> madvise_inject_error(): memory-failure
	 * injection needs CAP_SYS_ADMIN. With it, a page would really be
	 * poisoned or offlined: never modelled (nor anything to run). */
	if (b == LX_MADV_HWPOISON || b == LX_MADV_SOFT_OFFLINE)
		return capable(p, LX_CAP_SYS_ADMIN) ? ORACLE_UNMODELLED : -LX_EPERM;
	if (!modelled_advice(b))
		return ORACLE_UNMODELLED;
	/* madvise_do_behavior(): populate is no VMA walk since 6.9. */
	if ((b == LX_MADV_POPULATE_READ || b == LX_MADV_POPULATE_WRITE) && prof_at_least(p, 6, 9))
		return madvise_populate(p, start, start + len, b == LX_MADV_POPULATE_WRITE);

	/* madvise_walk_vmas() */
	uint64_t last_end = start + len, end;
	int unmapped_error = 0;
	vma *v = find_vma(p, start);
	vma *prev = v ? (start > v->start ? v : vma_prev_of(v)) : NULL;
	for (;;) {
		if (!v)
			return -LX_ENOMEM;
		if (start < v->start) {
			unmapped_error = -LX_ENOMEM;
			start = v->start;
			if (start >= last_end)
				break;
		}
		end = v->end < last_end ? v->end : last_end;
		int err = madvise_vma_behavior(p, prev, &v, start, end, b);
		if (err)
			return err == UNMODELLED ? ORACLE_UNMODELLED : err;
		prev = v;
		if (end < v->end)
			end = v->end;
		if (end >= last_end)
			break;
		v = find_vma(p, v->end);
		start = end;
	}
	return unmapped_error;
}

int64_t oracle_madvise(oracle_proc *p, uint64_t start, uint64_t len, uint64_t advice)
{
	/* The syscall's behavior argument is an int: upper bits are dropped. */
	int64_t r = do_madvise(p, start, len, (int)(uint32_t)advice);
	oracle_after_mutation(p);
	return r;
}
