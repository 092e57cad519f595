/* SPDX-License-Identifier: MIT */
/*
 * mlock.c: mlock(2), mlock2(2), munlock(2), mlockall(2) and munlockall(2),
 * mirroring mm/mlock.c (do_mlock, apply_vma_lock_flags, mlock_fixup,
 * count_mm_mlocked_page_nr, apply_mlockall_flags) and mm/gup.c
 * (__mm_populate, populate_vma_page_range) of Linux 6.18.
 *
 * Like mprotect, mlock and munlock are not atomic: they walk the VMAs of the
 * range in order and stop at the first hole, leaving the VMAs before it
 * changed. The flag change happens before the range is faulted in, so a
 * population error (PROT_NONE) reports ENOMEM with VM_LOCKED already set.
 * Reference: linux-mm-semantics.md section 6.
 */
#include "oracleInt.h"

/* mm/mlock.c: can_do_mlock(). */
static bool can_do_mlock(const oracle_proc *p)
{
	return rlimit(p, LX_RLIMIT_MEMLOCK) != 0 || capable(p, LX_CAP_IPC_LOCK);
}

/*
 * mlock_fixup(): [start, end) of v gets newflags. VM_SPECIAL, hugetlb and
 * VM_DROPPABLE VMAs (and the gate VMA, DAX and secretmem, which the model
 * has no way to hold) are left as they are and not counted; the call still
 * succeeds for them (though __mm_populate() may fail on them afterwards).
 * 6.18.y stable spells the test !vma_supports_mlock() (upstream
 * d239462787b0); the set of VMAs is the same.
 */
static int mlock_fixup(oracle_proc *p, vma *v, vma **pprev, uint64_t start, uint64_t end,
		       uint64_t newflags)
{
	uint64_t oldflags = v->flags;

	if (newflags == oldflags || (oldflags & (VM_SPECIAL | VM_HUGETLB | VM_DROPPABLE))) {
		*pprev = v;
		return 0;
	}
	int err = 0;
	vma *r = vma_modify_flags(p, *pprev, v, start, end, newflags, &err);
	if (!r)
		return err;

	/* Keep track of the amount of locked VM. */
	int64_t nr_pages = (int64_t)((end - start) >> PAGE_SHIFT);
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;
	p->locked_vm += (uint64_t)nr_pages;

	/* vm_flags_reset() / mlock_vma_pages_range(): the VMA gets newflags, with
	 * the sticky flags a merge added to them (vma_modify_flags() updates
	 * the caller's flags: "mm: implement sticky VMA flags"). */
	r->flags = newflags | (r->flags & VM_STICKY);
	*pprev = r;
	return 0;
}

/*
 * apply_vma_lock_flags(): start is page aligned and len a page multiple.
 * ENOMEM when start is in no VMA (nothing changes), at the first hole (the
 * VMAs before it are changed) and when the range runs past the last VMA.
 */
static int apply_vma_lock_flags(oracle_proc *p, uint64_t start, uint64_t len, uint64_t flags)
{
	uint64_t end = start + len;
	if (end < start)
		return -LX_EINVAL;
	if (end == start)
		return 0;
	vma *v = vma_lookup(p, start);
	if (!v)
		return -LX_ENOMEM;
	vma *prev = start > v->start ? v : vma_prev_of(v);

	uint64_t nstart = start, tmp = v->start;
	while (v && v->start < end) {
		if (v->start != tmp)
			return -LX_ENOMEM;
		uint64_t newflags = (v->flags & ~VM_LOCKED_MASK) | flags;
		/* Here v->start <= nstart < v->end. */
		tmp = v->end < end ? v->end : end;
		int error = mlock_fixup(p, v, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		/* vma_iter_end(): continue after whatever VMA now holds the range. */
		tmp = prev->end;
		nstart = tmp;
		v = vma_next(prev);
	}
	if (tmp < end)
		return -LX_ENOMEM;
	return 0;
}

/*
 * count_mm_mlocked_page_nr(): the pages of [start, start + len) that are in
 * VM_LOCKED VMAs already (VM_LOCKONFAULT ones included), which an mlock over
 * them does not charge again.
 */
static uint64_t count_mm_mlocked_page_nr(const oracle_proc *p, uint64_t start, uint64_t len)
{
	uint64_t count = 0, end;

	/* Don't overflow past ULONG_MAX. */
	if (UINT64_MAX - len < start)
		end = UINT64_MAX;
	else
		end = start + len;
	for (vma *v = find_vma(p, start); v && v->start < end; v = vma_next(v)) {
		if (v->flags & VM_LOCKED) {
			if (start > v->start)
				count -= start - v->start;
			if (end < v->end) {
				count += end - v->start;
				break;
			}
			count += v->end - v->start;
		}
	}
	return count >> PAGE_SHIFT;
}

/*
 * populate_vma_page_range() as __mm_populate() sees it: VM_LOCKONFAULT is
 * "done" without faulting, an inaccessible (PROT_NONE) VMA is -EFAULT, and
 * a hugetlb VMA whose pool cannot supply a page fails its first fault
 * (VM_FAULT_SIGBUS, -EFAULT from GUP). Everything else is faulted in as
 * pages.c does it: write faults for private writable memory, read faults
 * (the zero page) otherwise.
 */
static int populate_range(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	if (v->flags & VM_LOCKONFAULT)
		return 0;
	if (!(v->flags & VM_ACCESS_FLAGS))
		return -LX_EFAULT;
	if ((v->flags & VM_HUGETLB) &&
	    !(v->file && v->file->hugetlb == PMD_SIZE && p->w->prof.hugepages_free_2m))
		return -LX_EFAULT;
	int ret = populate_vma_page_range(p, v, start, end); /* EFAULT past a file's end */
	return p->w->broken ? -LX_ENOMEM : ret;
}

/*
 * __mm_populate(): fault in [start, start + len) VMA by VMA, skipping
 * VM_IO/VM_PFNMAP ones and holes. With ignore_errors (mlockall, mmap) a
 * failing VMA is skipped; without (mlock) the first error is returned.
 */
static int __mm_populate(oracle_proc *p, uint64_t start, uint64_t len, bool ignore_errors)
{
	uint64_t end = start + len, nstart, nend;
	for (nstart = start; nstart < end; nstart = nend) {
		vma *v = find_vma_intersection(p, nstart, end);
		if (!v)
			break;
		nend = v->end < end ? v->end : end;
		if (v->flags & (VM_IO | VM_PFNMAP))
			continue;
		if (nstart < v->start)
			nstart = v->start;
		int ret = populate_range(p, v, nstart, nend);
		if (ret < 0) {
			if (ignore_errors)
				continue;
			return ret;
		}
	}
	return 0;
}

/* __mlock_posix_error_return(): GUP's errors as POSIX wants them from mlock. */
static int mlock_posix_error_return(int retval)
{
	if (retval == -LX_EFAULT)
		return -LX_ENOMEM;
	if (retval == -LX_ENOMEM)
		return -LX_EAGAIN;
	return retval;
}

static int do_mlock(oracle_proc *p, uint64_t start, uint64_t len, uint64_t flags)
{
	if (!can_do_mlock(p))
		return -LX_EPERM;

	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;

	uint64_t lock_limit = rlimit(p, LX_RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	uint64_t locked = len >> PAGE_SHIFT;
	bool cap = capable(p, LX_CAP_IPC_LOCK);

	locked += p->locked_vm;
	if (locked > lock_limit && !cap) {
		/* Pages of the range that are locked already are in locked_vm. */
		locked -= count_mm_mlocked_page_nr(p, start, len);
	}
	int error = -LX_ENOMEM;
	if (locked <= lock_limit || cap)
		error = apply_vma_lock_flags(p, start, len, flags);
	if (error)
		return error;

	error = __mm_populate(p, start, len, false);
	if (error)
		return mlock_posix_error_return(error);
	return 0;
}

int64_t oracle_mlock(oracle_proc *p, uint64_t addr, uint64_t len)
{
	int64_t r = do_mlock(p, addr, len, VM_LOCKED);
	oracle_after_mutation(p);
	return r;
}

/* SYSCALL_DEFINE3(mlock2): flags is an int, so the upper 32 bits are dropped. */
static int sys_mlock2(oracle_proc *p, uint64_t start, uint64_t len, uint64_t raw_flags)
{
	int flags = (int)(uint32_t)raw_flags;
	uint64_t vm_flags = VM_LOCKED;

	if (flags & ~LX_MLOCK_ONFAULT)
		return -LX_EINVAL;
	if (flags & LX_MLOCK_ONFAULT)
		vm_flags |= VM_LOCKONFAULT;
	return do_mlock(p, start, len, vm_flags);
}

int64_t oracle_mlock2(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags)
{
	int64_t r = sys_mlock2(p, addr, len, flags);
	oracle_after_mutation(p);
	return r;
}

/* SYSCALL_DEFINE2(munlock): the same rounding, no permission or limit check. */
static int sys_munlock(oracle_proc *p, uint64_t start, uint64_t len)
{
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	return apply_vma_lock_flags(p, start, len, 0);
}

int64_t oracle_munlock(oracle_proc *p, uint64_t addr, uint64_t len)
{
	int64_t r = sys_munlock(p, addr, len);
	oracle_after_mutation(p);
	return r;
}

/*
 * apply_mlockall_flags(): def_flags loses its lock bits first, so calls do
 * not stack; MCL_FUTURE sets them again. Without MCL_CURRENT (and not from
 * munlockall, flags 0) the existing VMAs are left alone. Per-VMA errors
 * are ignored.
 */
static int apply_mlockall_flags(oracle_proc *p, int flags)
{
	uint64_t to_add = 0;

	p->def_flags &= ~VM_LOCKED_MASK;
	if (flags & LX_MCL_FUTURE) {
		p->def_flags |= VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			p->def_flags |= VM_LOCKONFAULT;
		if (!(flags & LX_MCL_CURRENT))
			return 0;
	}
	if (flags & LX_MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	vma *prev = NULL;
	for (vma *v = vma_of(tree_first(&p->vmas)); v; v = vma_next(prev)) {
		uint64_t newflags = (v->flags & ~VM_LOCKED_MASK) | to_add;
		if (mlock_fixup(p, v, &prev, v->start, v->end, newflags))
			prev = v; /* "Ignore errors, but prev needs fixing up." */
	}
	return 0;
}

/* SYSCALL_DEFINE1(mlockall): flags is an int. */
static int sys_mlockall(oracle_proc *p, uint64_t raw_flags)
{
	int flags = (int)(uint32_t)raw_flags;

	if (!flags || (flags & ~(LX_MCL_CURRENT | LX_MCL_FUTURE | LX_MCL_ONFAULT)) ||
	    flags == LX_MCL_ONFAULT)
		return -LX_EINVAL;
	if (!can_do_mlock(p))
		return -LX_EPERM;

	uint64_t lock_limit = rlimit(p, LX_RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	int ret = -LX_ENOMEM;
	/* The whole address space counts against the limit, not what is resident. */
	if (!(flags & LX_MCL_CURRENT) || p->total_vm <= lock_limit || capable(p, LX_CAP_IPC_LOCK))
		ret = apply_mlockall_flags(p, flags);
	if (!ret && (flags & LX_MCL_CURRENT))
		__mm_populate(p, 0, p->w->prof.task_size, true); /* mm_populate(0, TASK_SIZE) */
	return ret;
}

int64_t oracle_mlockall(oracle_proc *p, uint64_t flags)
{
	int64_t r = sys_mlockall(p, flags);
	oracle_after_mutation(p);
	return r;
}

int64_t oracle_munlockall(oracle_proc *p)
{
	int64_t r = apply_mlockall_flags(p, 0);
	oracle_after_mutation(p);
	return r;
}
