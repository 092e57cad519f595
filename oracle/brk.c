/* SPDX-License-Identifier: MIT */
/*
 * brk.c: brk(2), mirroring mm/mmap.c (SYSCALL_DEFINE1(brk),
 * check_brk_limits) and mm/vma.c (do_brk_flags) of Linux 6.18.
 *
 * The raw syscall never fails visibly: it returns the new break, or the old
 * one unchanged. An unaligned break is stored and returned as is; growth
 * must leave a free page (and a stack guard gap below a growsdown VMA)
 * before the next mapping; shrinking unmaps whatever lies in the range.
 */
#include <stdlib.h>

#include "oracleInt.h"

/* include/linux/mm.h: check_data_rlimit(), applied to growing and shrinking. */
static bool data_rlimit_exceeded(const oracle_proc *p, uint64_t brk)
{
	uint64_t rlim = rlimit(p, LX_RLIMIT_DATA);
	if (rlim == LX_RLIM_INFINITY)
		return false;
	return (brk - p->start_brk) + (p->end_data - p->start_data) > rlim;
}

/* check_brk_limits(): get_unmapped_area(MAP_FIXED) range checks, then mlock limits. */
static bool brk_limits_ok(const oracle_proc *p, uint64_t addr, uint64_t len)
{
	const oracle_profile *pr = &p->w->prof;
	if (len > pr->task_size || addr > pr->task_size - len)
		return false;
	if (addr < pr->dac_mmap_min_addr && !capable(p, LX_CAP_SYS_RAWIO))
		return false;
	return mlock_future_ok(p, p->def_flags, len);
}

/* do_brk_flags(): expand the heap VMA ending at addr, or make a new one. */
static int do_brk_flags(oracle_proc *p, vma *brkvma, uint64_t addr, uint64_t len)
{
	uint64_t flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT |
			 p->def_flags;
	uint64_t pages = len >> PAGE_SHIFT;
	if (!may_expand_vm(p, flags, pages))
		return -LX_ENOMEM;
	if (p->map_count > p->w->prof.max_map_count)
		return -LX_ENOMEM;
	if (!vm_enough_memory(p, pages))
		return -LX_ENOMEM;
	vma *v = NULL;
	if (brkvma && brkvma->end == addr) {
		/* "just expand": only the left merge; in a fork child the heap's
		 * anon_vma had parents, so it never merges and a new VMA starts. */
		vmg g = { .prev = brkvma, .start = addr, .end = addr + len, .flags = flags,
			  .pgoff = addr >> PAGE_SHIFT, .just_expand = true };
		v = vma_merge_new_range(p, &g);
	}
	if (!v) {
		v = vma_new(p, addr, addr + len, flags, addr >> PAGE_SHIFT);
		if (!v)
			return -LX_ENOMEM;
		vma_link(p, v, brkvma);
	}
	p->total_vm += pages;
	p->data_vm += pages;
	if (flags & VM_LOCKED)
		p->locked_vm += pages;
	if (p->w->prof.soft_dirty)
		v->flags |= VM_SOFTDIRTY;
	return 0;
}

static int64_t sys_brk(oracle_proc *p, uint64_t brk)
{
	uint64_t origbrk = p->brk;
	if (brk < p->start_brk || data_rlimit_exceeded(p, brk))
		return (int64_t)origbrk;
	uint64_t newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(p->brk);
	if (oldbrk == newbrk) {
		p->brk = brk; /* the unaligned value is kept */
		return (int64_t)brk;
	}
	if (brk <= p->brk) {
		/* Shrink: unmap [newbrk, oldbrk), whatever lives there. */
		vma *v = find_vma_intersection(p, newbrk, oldbrk);
		if (!v || v->start >= oldbrk)
			return (int64_t)origbrk;
		gather gt;
		if (vms_gather_munmap_vmas(p, newbrk, oldbrk, &gt))
			return (int64_t)origbrk;
		gather_complete(p, &gt, oldbrk);
		p->brk = brk;
		return (int64_t)brk;
	}
	uint64_t len = newbrk - oldbrk;
	if (!brk_limits_ok(p, oldbrk, len))
		return (int64_t)origbrk;
	/* One free page must stay between the break and the next mapping. */
	vma *next = find_vma_intersection(p, oldbrk, newbrk + PAGE_SIZE + p->w->prof.stack_guard_gap);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(p, next))
		return (int64_t)origbrk;
	/* vma_prev_limit(start_brk): the VMA just below oldbrk, if it reaches past start_brk. */
	vma *brkvma = vma_of(tree_floor(&p->vmas, oldbrk - 1));
	if (brkvma && (brkvma->end > oldbrk || brkvma->end <= p->start_brk))
		brkvma = NULL;
	if (do_brk_flags(p, brkvma, oldbrk, len))
		return (int64_t)origbrk;
	p->brk = brk;
	if (p->def_flags & VM_LOCKED)
		mm_populate(p, oldbrk, len);
	return (int64_t)brk;
}

int64_t oracle_brk(oracle_proc *p, uint64_t addr)
{
	int64_t r = sys_brk(p, addr);
	oracle_after_mutation(p);
	return r;
}
