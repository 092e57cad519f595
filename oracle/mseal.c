/* SPDX-License-Identifier: MIT */
/*
 * mseal.c: mseal(2), mirroring mm/mseal.c of Linux 6.18 (do_mseal,
 * range_contains_unmapped, mseal_apply). Absent before 6.10 (ENOSYS).
 *
 * The range must be mapped in full (ENOMEM, nothing sealed, otherwise);
 * VM_SEALED is then set VMA by VMA through vma_modify_flags, which may
 * split and merge. What sealing blocks is checked where the blocked
 * operations live: munmap and MAP_FIXED (vms_gather_munmap_vmas, atomic),
 * mprotect (per VMA, so partial), madvise discards on read-only anonymous
 * memory (can_madvise_modify), brk shrink (through munmap).
 */
#include "oracleInt.h"

static int64_t do_mseal(oracle_proc *p, uint64_t start, uint64_t len_in, uint64_t flags)
{
	if (!prof_at_least(p, 6, 10))
		return -LX_ENOSYS;
	if (flags)
		return -LX_EINVAL;
	if (start & ~PAGE_MASK)
		return -LX_EINVAL;
	uint64_t len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -LX_EINVAL;
	uint64_t end = start + len;
	if (end < start)
		return -LX_EINVAL;
	if (end == start)
		return 0;

	/* range_contains_unmapped(): any hole, at the start, inside or at the end. */
	uint64_t prev_end = start;
	for (vma *v = find_vma(p, start); v && v->start < end; v = vma_next(v)) {
		if (v->start > prev_end)
			return -LX_ENOMEM;
		prev_end = v->end;
	}
	if (prev_end < end)
		return -LX_ENOMEM;

	/* mseal_apply() */
	vma *v = find_vma(p, start);
	vma *prev = start > v->start ? v : vma_prev_of(v);
	uint64_t curr_start = start;
	while (v && curr_start < end) {
		uint64_t curr_end = v->end < end ? v->end : end;
		if (!(v->flags & VM_SEALED)) {
			int err = 0;
			vma *r = vma_modify_flags(p, prev, v, curr_start, curr_end, v->flags | VM_SEALED, &err);
			if (!r)
				return err;
			r->flags |= VM_SEALED;
			v = r;
		}
		prev = v;
		curr_start = curr_end;
		/*
		 * The iterator continues from the end of the range just handled:
		 * after a merge into the next VMA that is the merged VMA again
		 * (already sealed, so skipped), and only then what follows it.
		 * The loop ends on curr_start, not on v->start: a merge into the
		 * next VMA can leave v reaching past end with its start before
		 * it, and find_vma(end) would return that VMA forever.
		 */
		v = find_vma(p, curr_start);
	}
	return 0;
}

int64_t oracle_mseal(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags)
{
	int64_t r = do_mseal(p, addr, len, flags);
	oracle_after_mutation(p);
	return r;
}
