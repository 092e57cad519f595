/* SPDX-License-Identifier: MIT */
/*
 * mprotect.c: mprotect(2), mirroring mm/mprotect.c (do_mprotect_pkey,
 * mprotect_fixup) of Linux 6.18.
 *
 * mprotect is not atomic: it walks the VMAs of the range in order and stops
 * at the first hole or error, leaving the VMAs before it changed.
 */
#include "oracleInt.h"

static uint64_t calc_vm_prot_bits(uint64_t prot)
{
	return ((prot & LX_PROT_READ) ? VM_READ : 0) |
	       ((prot & LX_PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & LX_PROT_EXEC) ? VM_EXEC : 0);
}

/* mprotect_fixup(): one VMA's part of the range gets newflags. */
static int mprotect_fixup(oracle_proc *p, vma *v, vma **pprev, uint64_t start,
			  uint64_t end, uint64_t newflags)
{
#ifdef MMSPEC_PLANT_BUGS
	if (p->w->prof.plant & ORACLE_PLANT_MPROTECT_NOSPLIT) {
		start = v->start; /* planted: the whole VMA, no split */
		end = v->end;
	}
#endif
	uint64_t oldflags = v->flags, nrpages = (end - start) >> PAGE_SHIFT;

	if (v->flags & VM_SEALED)
		return -LX_EPERM;
	if (newflags == oldflags) {
		*pprev = v;
		return 0;
	}
	if (newflags & VM_WRITE) {
		/* Check space limits when the area turns into data. */
		if (!may_expand_vm(p, newflags, nrpages) && may_expand_vm(p, oldflags, nrpages))
			return -LX_ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
			const oracle_profile *pr = &p->w->prof;
			if (pr->overcommit_memory != 1 && nrpages > pr->commit_guess_pages)
				return -LX_ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(v) && !v->av &&
		   prof_at_least(p, 6, 5)) {
		/*
		 * Never-faulted anonymous memory gives its commit charge back
		 * when it stops being writable (6.1 never does; the exact
		 * version that started is not pinned down, reference §1.5).
		 */
		newflags &= ~VM_ACCOUNT;
	}

	int err = 0;
	vma *r = vma_modify_flags(p, *pprev, v, start, end, newflags, &err);
	if (!r)
		return err;
	*pprev = r;
	r->flags = newflags | (r->flags & (VM_SOFTDIRTY | VM_STICKY));

	/* A private locked VMA becoming writable is populated to break COW. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED && (newflags & VM_WRITE))
		populate_vma_page_range(p, r, start, end);

	vm_stat_account(p, oldflags, -(int64_t)nrpages);
	vm_stat_account(p, newflags, (int64_t)nrpages);
	return 0;
}

static int64_t do_mprotect_pkey(oracle_proc *p, uint64_t start, uint64_t len, uint64_t prot)
{
	const uint64_t grows = prot & (LX_PROT_GROWSDOWN | LX_PROT_GROWSUP);

	prot &= ~(uint64_t)(LX_PROT_GROWSDOWN | LX_PROT_GROWSUP);
	if (grows == (LX_PROT_GROWSDOWN | LX_PROT_GROWSUP))
		return -LX_EINVAL;
	if (start & ~PAGE_MASK)
		return -LX_EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	uint64_t end = start + len;
	if (end <= start)
		return -LX_ENOMEM;
	/* arch_validate_prot(): the generic version, x86 has no PROT_ extras. */
	if (prot & ~(uint64_t)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC | LX_PROT_SEM))
		return -LX_EINVAL;

	vma *v = find_vma_intersection(p, start, end);
	if (!v)
		return -LX_ENOMEM;
	if (grows & LX_PROT_GROWSDOWN) {
		if (v->start >= end)
			return -LX_ENOMEM;
		start = v->start;
		if (!(v->flags & VM_GROWSDOWN))
			return -LX_EINVAL;
	} else {
		if (v->start > start)
			return -LX_ENOMEM;
		if (grows & LX_PROT_GROWSUP)
			return -LX_EINVAL; /* x86 has no VM_GROWSUP */
	}

	vma *prev = start > v->start ? v : vma_prev_of(v);
	uint64_t nstart = start, tmp = v->start;
	int error = 0;
	while (v && v->start < end) {
		if (v->start != tmp) {
			error = -LX_ENOMEM;
			break;
		}
		uint64_t newflags = calc_vm_prot_bits(prot) | (v->flags & ~VM_ACCESS_FLAGS);
		/* newflags >> 4 puts VM_MAY* in place of VM_*. */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			error = -LX_EACCES;
			break;
		}
		tmp = v->end < end ? v->end : end;
		error = mprotect_fixup(p, v, &prev, nstart, tmp, newflags);
		if (error)
			break;
		/* Continue after whatever VMA now holds the range (it may have merged). */
		tmp = prev->end;
		nstart = tmp;
		v = vma_next(prev);
	}
	if (!error && tmp < end)
		error = -LX_ENOMEM;
	return error;
}

int64_t oracle_mprotect(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t prot)
{
	int64_t r = do_mprotect_pkey(p, addr, len, prot);
	oracle_after_mutation(p);
	return r;
}
