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

/* Reads present pages only; 0 for the rest. */
void oracle_peek(const oracle_proc *p, uint64_t addr, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const pte *e = canonical(addr + i) ? pte_lookup(p, (addr + i) >> PAGE_SHIFT) : NULL;
		buf[i] = 0;
		if (e)
			frame_read(e->f, (addr + i) & (PAGE_SIZE - 1), &buf[i], 1);
	}
}

const char *oracle_fetch_unmodelled_why(int code)
{
	switch (code) {
	case ORACLE_FETCH_RUNS_MORE:
		return "lets a second instruction run before the single-step trap (a system call, "
		       "a UMIP-emulated instruction or a load of SS)";
		/* (so what the probe does is no longer one instruction) */
	case ORACLE_FETCH_MEM_DIRECT:
		return "accesses memory relative to RIP or at an absolute address, which the model "
		       "does not follow";
	case ORACLE_FETCH_NEAR_END:
		return "starts within 14 bytes of the page end, where whether it takes bytes from the "
		       "next page or raises #GP (whose handler reads 15 bytes from RIP) is not known";
	default:
		return "is not modelled";
	}
}

/*
 * What fetch()'s one instruction does beyond its own first byte
 * (insn.c): the CPU fetches the bytes it needs from the next page, and a #GP
 * makes the kernel read 15 bytes from RIP, so both can fault the next page
 * in. The first byte's fetch worked: every fault from here on is the
 * instruction's, and the probe's result stays a success.
 */
static oracle_fault after_fetch(oracle_proc *p, uint64_t addr)
{
	oracle_fault ok = fault(0, 0, 0);
	uint64_t off = addr & (PAGE_SIZE - 1), rem = PAGE_SIZE - off;
	uint64_t next = (addr | (PAGE_SIZE - 1)) + 1;
	uint8_t b[15];
	unsigned avail = rem < 15 ? (unsigned)rem : 15;
	oracle_peek(p, addr, b, avail);
	insn_info in;
	bool next_touched = false;
	if (insn_decode(b, avail, &in)) {
		/* The instruction goes on in the next page: the CPU fetches it. */
		next_touched = true;
		if (!canonical(next) || access_page(p, next, ACC_FETCH).signo)
			return ok; /* #PF (or #GP) on the fetch: nothing runs */
		oracle_peek(p, next, b + avail, 15 - avail);
		(void)insn_decode(b, 15, &in);
	}
	if (in.cls == INSN_RUNS_MORE)
		return fault(ORACLE_SIG_UNMODELLED, ORACLE_FETCH_RUNS_MORE, addr);
	if (in.mem_direct)
		return fault(ORACLE_SIG_UNMODELLED, ORACLE_FETCH_MEM_DIRECT, addr);
	if (rem < 15 && !next_touched) {
		/* Once the next page was fetched, it is present: reading it
		 * again changes nothing. */
		if (!in.len_known || in.cls == INSN_FAULT_UNKNOWN)
			return fault(ORACLE_SIG_UNMODELLED, ORACLE_FETCH_NEAR_END, addr);
		/* fixup_umip_exception(): copy_from_user(buf, ip, 15), a read
		 * from the kernel; its faults are fixed up, never signalled. */
		if (in.cls == INSN_GP && canonical(next))
			(void)access_page(p, next, ACC_READ);
	}
	return ok;
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
	if (!f.signo)
		f = after_fetch(p, addr);
	oracle_after_mutation(p);
	return f;
}
