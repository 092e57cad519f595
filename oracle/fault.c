/* SPDX-License-Identifier: MIT */
/*
 * fault.c: what an 8-byte load, an 8-byte store or an instruction fetch does,
 * mirroring arch/x86/mm/fault.c (do_user_addr_fault, access_error) and the
 * stack expansion of mm/mmap.c (expand_downwards) in Linux 6.18.
 *
 * An access that crosses a page boundary touches the lower page first, as
 * the CPU does: the lower page may be faulted in before the upper one faults.
 */
#include "oracleInt.h"

enum access { ACC_READ, ACC_WRITE, ACC_FETCH };

static oracle_fault fault(int signo, int code, uint64_t addr)
{
	oracle_fault f = { signo, code, addr };
	return f;
}

/* x86-64 with 4-level paging: bits 63..47 must all equal bit 47. */
static bool canonical(uint64_t a)
{
	uint64_t top = a >> 47;
	return top == 0 || top == 0x1ffff;
}

/*
 * lock_mm_and_find_vma() -> expand_downwards(): an access below a
 * VM_GROWSDOWN VMA (the first VMA above the address) tries to grow it down
 * to the address's page. The order matters: the guard-gap check comes
 * first, then the VMA gets its anon_vma (anon_vma_prepare) even when the
 * accounting checks after that refuse the growth, which changes how the VMA
 * merges and whether mprotect may drop VM_ACCOUNT later.
 */
static vma *expand_stack(oracle_proc *p, uint64_t addr)
{
	vma *v = find_vma(p, addr);
	if (!v || !(v->flags & VM_GROWSDOWN) || addr >= v->start)
		return NULL;
	const oracle_profile *pr = &p->w->prof;
	addr &= PAGE_MASK;
	if (addr < pr->mmap_min_addr)
		return NULL;
	/* find_vma() returned v, so prev ends at or below addr. */
	vma *prev = vma_prev_of(v);
	if (prev && !(prev->flags & VM_GROWSDOWN) && (prev->flags & VM_ACCESS_FLAGS) &&
	    addr - prev->end < pr->stack_guard_gap)
		return NULL;
	if (anon_vma_prepare(p, v))
		return NULL;
	uint64_t grow = (v->start - addr) >> PAGE_SHIFT;
	uint64_t size = v->end - addr;
	if (grow > v->pgoff)
		return NULL;
	/* acct_stack_growth() */
	if (!may_expand_vm(p, v->flags, grow))
		return NULL;
	if (size > rlimit(p, LX_RLIMIT_STACK))
		return NULL;
	if (!mlock_future_ok(p, v->flags, grow << PAGE_SHIFT))
		return NULL;
	if (!vm_enough_memory(p, grow))
		return NULL;
	/* The stack grows into free space below it: its tree position holds.
	 * expand_downwards() never merges, even when it now touches prev. */
	v->start = addr;
	v->node.key = addr;
	v->pgoff -= grow;
	if (prev && prev->end == addr)
		prev->no_merge_check = v->no_merge_check = true;
	vm_stat_account(p, v->flags, (int64_t)grow);
	if (v->flags & VM_LOCKED)
		p->locked_vm += grow;
	return v;
}

/* One page's worth of an access: finds the VMA, checks, faults the page in. */
static oracle_fault access_page(oracle_proc *p, uint64_t addr, enum access acc)
{
	if (!canonical(addr))
		return fault(LX_SIGSEGV, LX_SI_KERNEL, 0); /* #GP, not a page fault */
	if (addr >= p->w->prof.task_size)
		return fault(LX_SIGSEGV, LX_SEGV_MAPERR, addr);
	vma *v = vma_lookup(p, addr);
	if (!v) {
		v = expand_stack(p, addr);
		oracle_after_mutation(p);
		if (!v)
			return fault(LX_SIGSEGV, LX_SEGV_MAPERR, addr);
	}
	/* access_error() */
	if (acc == ACC_WRITE && !(v->flags & VM_WRITE))
		return fault(LX_SIGSEGV, LX_SEGV_ACCERR, addr);
	if (!(v->flags & VM_ACCESS_FLAGS))
		return fault(LX_SIGSEGV, LX_SEGV_ACCERR, addr);
	/* hugetlb_fault() -> hugetlb_no_page(): no page in the pool is SIGBUS. */
	if (v->file && v->file->hugetlb && !pte_lookup(p, addr >> PAGE_SHIFT) &&
	    !(v->file->hugetlb == PMD_SIZE && p->w->prof.hugepages_free_2m))
		return fault(LX_SIGBUS, LX_BUS_ADRERR, addr);
	int r = handle_mm_fault(p, v, addr, acc == ACC_WRITE);
	/* A file page wholly past the end of the file: do_sigbus(). */
	if (r == VM_FAULT_SIGBUS)
		return fault(LX_SIGBUS, LX_BUS_ADRERR, addr);
	/* A guard marker: mm_fault_error() -> bad_area_nosemaphore(), which
	 * is SEGV_MAPERR (for fetches too: the fault comes before NX). */
	if (r == VM_FAULT_SIGSEGV)
		return fault(LX_SIGSEGV, LX_SEGV_MAPERR, addr);
	if (r)
		return fault(LX_SIGSEGV, LX_SEGV_MAPERR, addr); /* model OOM: world is broken */
	/* A fetch from a non-exec VMA faults the page in, then hits NX. */
	if (acc == ACC_FETCH && !(v->flags & VM_EXEC))
		return fault(LX_SIGSEGV, LX_SEGV_ACCERR, addr);
	return fault(0, 0, 0);
}

static oracle_fault access_range(oracle_proc *p, uint64_t addr, uint64_t len,
				 enum access acc)
{
	uint64_t last = addr + len - 1;
	/* A non-canonical byte anywhere in the access is a #GP at address
	 * generation, before any page is touched. */
	if (!canonical(addr) || !canonical(last))
		return fault(LX_SIGSEGV, LX_SI_KERNEL, 0);
	oracle_fault f = access_page(p, addr, acc);
	if (f.signo || (addr >> PAGE_SHIFT) == (last >> PAGE_SHIFT))
		return f;
	return access_page(p, last & PAGE_MASK, acc);
}

static void copy_bytes(oracle_proc *p, uint64_t addr, uint8_t *buf, size_t n, bool write)
{
	for (size_t i = 0; i < n;) {
		uint64_t a = addr + i;
		size_t off = a & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
		if (chunk > n - i)
			chunk = n - i;
		pte *e = pte_lookup(p, a >> PAGE_SHIFT);
		if (!e) {
			p->w->broken = "access to a page that was just faulted in found no PTE";
			return;
		}
		if (write) {
			frame_write(p->w, e->f, off, buf + i, chunk);
			if (e->f->alt) /* the other possible content gets the write too */
				frame_write(p->w, e->f->alt, off, buf + i, chunk);
		}
		else
			frame_read(e->f, off, buf + i, chunk);
		i += chunk;
	}
}

oracle_fault oracle_load(oracle_proc *p, uint64_t addr, uint64_t *value)
{
	uint8_t buf[8];
	oracle_fault f = access_range(p, addr, 8, ACC_READ);
	*value = 0;
	if (!f.signo) {
		copy_bytes(p, addr, buf, 8, false);
		memcpy(value, buf, 8); /* x86-64 is little endian; so is the model's host */
	}
	oracle_after_mutation(p);
	return f;
}

oracle_fault oracle_store(oracle_proc *p, uint64_t addr, uint64_t value)
{
	uint8_t buf[8];
	oracle_fault f = access_range(p, addr, 8, ACC_WRITE);
	if (!f.signo) {
		memcpy(buf, &value, 8);
		copy_bytes(p, addr, buf, 8, true);
	}
	oracle_after_mutation(p);
	return f;
}

/* The vsyscall page (vsyscall=xonly, the default): fetches are emulated. */
#define VSYSCALL_ADDR 0xffffffffff600000ULL

oracle_fault oracle_fetch(oracle_proc *p, uint64_t addr)
{
	if (addr - VSYSCALL_ADDR < PAGE_SIZE) {
		/* emulate_vsyscall(): entries at 0x000, 0x400 and 0x800 run as
		 * system calls; any other offset is force_sig(SIGSEGV). */
		uint64_t off = addr - VSYSCALL_ADDR;
		if (off % 0x400 == 0 && off < 0xc00)
			return fault(0, 0, 0);
		return fault(LX_SIGSEGV, LX_SI_KERNEL, 0);
	}
	oracle_fault f = access_page(p, addr, ACC_FETCH);
	/*
	 * An instruction at the last byte of a page takes its next bytes from
	 * the next page, which the CPU then fetches (faulting it in, or failing
	 * after the probe's own fetch succeeded: that is still a success).
	 * Only one-byte opcodes stay inside the page; zero-filled memory holds
	 * `00 00` (add %al,(%rax)), two bytes.
	 */
	if (!f.signo && (addr & (PAGE_SIZE - 1)) == PAGE_SIZE - 1) {
		uint8_t op = 0;
		pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
		if (e)
			frame_read(e->f, PAGE_SIZE - 1, &op, 1);
		static const uint8_t one_byte[] = { 0x90, 0xc3, 0xcb, 0xcc, 0xf4, 0xf5, 0xf8, 0xf9,
						     0xfa, 0xfb, 0xfc, 0xfd, 0x98, 0x99, 0x9e, 0x9f,
						     0xc9, 0xec, 0xed, 0xee, 0xef, 0xa4, 0xa5, 0xa6,
						     0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
		bool single = (op >= 0x50 && op <= 0x5f) || (op >= 0x91 && op <= 0x97);
		for (size_t i = 0; i < sizeof(one_byte) && !single; i++)
			single = op == one_byte[i];
		if (!single && canonical(addr + 1))
			(void)access_page(p, addr + 1, ACC_FETCH);
	}
	oracle_after_mutation(p);
	return f;
}
