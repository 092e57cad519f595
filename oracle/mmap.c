/* SPDX-License-Identifier: MIT */
/*
 * mmap.c: mmap(2) and munmap(2), mirroring mm/mmap.c (do_mmap,
 * __get_unmapped_area), mm/vma.c (__mmap_region, __mmap_prepare),
 * arch/x86/kernel/sys_x86_64.c (arch_get_unmapped_area_topdown) and
 * mm/huge_memory.c (__thp_get_unmapped_area) of Linux 6.18.
 *
 * The checks run in the kernel's order, because the order decides which errno
 * a call with several problems gets (reference §2.1).
 */
#include <stdlib.h>

#include "oracleInt.h"

static uint64_t calc_vm_prot_bits(uint64_t prot)
{
	return ((prot & LX_PROT_READ) ? VM_READ : 0) |
	       ((prot & LX_PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & LX_PROT_EXEC) ? VM_EXEC : 0);
}

/* include/linux/mman.h: calc_vm_flag_bits(). MAP_STACK => VM_NOHUGEPAGE is 6.7+. */
static uint64_t calc_vm_flag_bits(const oracle_proc *p, uint64_t flags)
{
	uint64_t f = 0;
	if (flags & LX_MAP_GROWSDOWN)
		f |= VM_GROWSDOWN;
	if (flags & LX_MAP_LOCKED)
		f |= VM_LOCKED;
	if (flags & LX_MAP_SYNC)
		f |= VM_SYNC;
	if ((flags & LX_MAP_STACK) && p->w->prof.thp && prof_at_least(p, 6, 7))
		f |= VM_NOHUGEPAGE;
	return f;
}

static bool can_do_mlock(const oracle_proc *p)
{
	return rlimit(p, LX_RLIMIT_MEMLOCK) != 0 || capable(p, LX_CAP_IPC_LOCK);
}

/* mm/mmap.c: mlock_future_ok(). */
bool mlock_future_ok(const oracle_proc *p, uint64_t vm_flags, uint64_t bytes)
{
	if (!(vm_flags & VM_LOCKED) || capable(p, LX_CAP_IPC_LOCK))
		return true;
	uint64_t locked = (bytes >> PAGE_SHIFT) + p->locked_vm;
	return locked <= rlimit(p, LX_RLIMIT_MEMLOCK) >> PAGE_SHIFT;
}

/* mm/util.c: __vm_enough_memory() for the overcommit policies. */
bool vm_enough_memory(const oracle_proc *p, uint64_t pages)
{
	const oracle_profile *pr = &p->w->prof;
	if (pr->overcommit_memory == 1)
		return true;
	if (pr->overcommit_memory == 0)
		return pages <= pr->commit_guess_pages;
	/* OVERCOMMIT_NEVER depends on machine-wide commit state the model does not see. */
	return pages <= pr->commit_guess_pages;
}

uint64_t vm_start_gap(const oracle_proc *p, const vma *v)
{
	uint64_t gap = (v->flags & VM_GROWSDOWN) ? p->w->prof.stack_guard_gap
		       : (v->flags & VM_SHADOW_STACK) ? PAGE_SIZE : 0;
	uint64_t s = v->start - gap;
	return s > v->start ? 0 : s;
}

static vma *last_vma(const oracle_proc *p) { return vma_of(tree_last(&p->vmas)); }

/*
 * unmapped_area_topdown(): the highest free range within [low, high) that
 * holds len bytes, placed at its top, keeping stack guard gaps free.
 */
static int64_t unmapped_area_topdown(const oracle_proc *p, uint64_t info_len,
				     uint64_t low, uint64_t high, uint64_t align_mask)
{
	/* The search length covers the worst-case alignment overhead. */
	uint64_t len = info_len + align_mask;
	if (len < info_len)
		return -LX_ENOMEM;
	if (low < p->w->prof.mmap_min_addr)
		low = p->w->prof.mmap_min_addr;
retry:
	if (high <= low || high - low < len)
		return -LX_ENOMEM;
	vma *nxt = find_vma(p, high - 1), *prv;
	uint64_t gend;
	if (nxt && nxt->start < high) {
		gend = nxt->start;
		prv = vma_prev_of(nxt);
	} else {
		gend = high;
		prv = nxt ? vma_prev_of(nxt) : last_vma(p);
	}
	for (;;) {
		uint64_t gstart = prv ? prv->end : 0;
		if (gend <= low)
			return -LX_ENOMEM;
		uint64_t cs = gstart > low ? gstart : low;
		if (gend > cs && gend - cs >= len)
			break;
		if (!prv)
			return -LX_ENOMEM;
		gend = prv->start;
		prv = vma_prev_of(prv);
	}
	vma *above = find_vma(p, gend);
	if (above && (above->flags & VM_STARTGAP_FLAGS) && vm_start_gap(p, above) < gend) {
		high = vm_start_gap(p, above);
		goto retry;
	}
	uint64_t gap = gend - info_len;
	return (int64_t)(gap - (gap & align_mask));
}

/* arch_get_unmapped_area(): the bottom-up fallback, from the legacy base. */
static int64_t unmapped_area_bottomup(const oracle_proc *p, uint64_t len,
				      uint64_t low, uint64_t high)
{
	if (low < p->w->prof.mmap_min_addr)
		low = p->w->prof.mmap_min_addr;
	uint64_t cur = low;
	for (vma *v = find_vma(p, cur);; v = vma_next(v)) {
		uint64_t lim = v ? vm_start_gap(p, v) : high;
		if (lim > high)
			lim = high;
		if (lim > cur && lim - cur >= len)
			return (int64_t)cur;
		if (!v || v->end >= high)
			return -LX_ENOMEM;
		if (v->end > cur)
			cur = v->end;
	}
}

static bool mmap_address_hint_valid(const oracle_proc *p, uint64_t addr, uint64_t len)
{
	if (p->w->prof.task_size - len < addr)
		return false;
	return (addr > DEFAULT_MAP_WINDOW) == (addr + len > DEFAULT_MAP_WINDOW);
}

/* arch_get_unmapped_area_topdown() for x86-64. */
static int64_t arch_get_unmapped_area_topdown(const oracle_proc *p, uint64_t addr,
					      uint64_t len, uint64_t flags, uint64_t align_mask)
{
	if (len > p->w->prof.task_size)
		return -LX_ENOMEM;
	if (flags & LX_MAP_FIXED)
		return (int64_t)addr;
	if (flags & LX_MAP_32BIT) {
		/* arch_get_unmapped_area() with find_start_end()'s 1-2 GiB window:
		 * a page-aligned-up hint is taken when it ends below 2 GiB and is free. */
		if (len > 0x80000000ULL)
			return -LX_ENOMEM;
		if (addr) {
			uint64_t a = PAGE_ALIGN(addr);
			vma *v = find_vma(p, a);
			if (0x80000000ULL - len >= a && (!v || a + len <= vm_start_gap(p, v)))
				return (int64_t)a;
		}
		return unmapped_area_bottomup(p, len, 0x40000000ULL, 0x80000000ULL);
	}
	if (addr) {
		addr &= PAGE_MASK;
		if (mmap_address_hint_valid(p, addr, len)) {
			vma *v = find_vma(p, addr);
			if (!v || addr + len <= vm_start_gap(p, v))
				return (int64_t)addr;
		}
	}
	uint64_t low = (flags & LX_MAP_ABOVE4G) ? (1ULL << 32) : PAGE_SIZE;
	int64_t r = unmapped_area_topdown(p, len, low, p->mmap_base, align_mask);
	if (!IS_ERR_VALUE(r))
		return r;
	uint64_t legacy = PAGE_ALIGN(p->w->prof.task_size / 3);
	return unmapped_area_bottomup(p, len, legacy, p->w->prof.task_size);
}

/* __thp_get_unmapped_area(): pad by 2 MiB, then align inside the padding. */
static int64_t thp_get_unmapped_area(const oracle_proc *p, uint64_t len, uint64_t flags)
{
	uint64_t size = PMD_SIZE, len_pad = len + size;
	if (len < size || len_pad < len)
		return 0;
	int64_t ret = arch_get_unmapped_area_topdown(p, 0, len_pad, flags, 0);
	if (IS_ERR_VALUE(ret))
		return 0;
	/* "Do not try to align if allocation at the hint succeeds": with no
	 * hint that is MAP_FIXED at address 0, which then meets cap_mmap_addr(). */
	if (ret == 0)
		return 0;
	uint64_t off_sub = (0 - (uint64_t)ret) & (size - 1);
	/* 6.1 lacks the "already aligned: take the top of the padding" branch. */
	if (!off_sub && prof_at_least(p, 6, 7))
		return ret + (int64_t)size;
	return ret + (int64_t)off_sub;
}

/*
 * __get_unmapped_area(). file: the mapping has a file (fd) behind it: a
 * memfd's shmem_get_unmapped_area() (no huge alignment with shmem THP off),
 * or a file without get_unmapped_area (6.18 aligns only anonymous memory
 * for THP).
 */
static int64_t get_unmapped_area_file(const oracle_proc *p, bool file, uint64_t addr,
				      uint64_t len, uint64_t flags, uint64_t hugetlb);

/* __get_unmapped_area() for anonymous memory. */
static int64_t get_unmapped_area(const oracle_proc *p, uint64_t addr, uint64_t len,
				 uint64_t flags, uint64_t hugetlb)
{
	return get_unmapped_area_file(p, false, addr, len, flags, hugetlb);
}

static int64_t get_unmapped_area_file(const oracle_proc *p, bool file, uint64_t addr,
				      uint64_t len, uint64_t flags, uint64_t hugetlb)
{
	const oracle_profile *pr = &p->w->prof;
	if (len > pr->task_size)
		return -LX_ENOMEM;
	int64_t r = 0;
	if (hugetlb) {
		/* hugetlb_get_unmapped_area(): sizes and MAP_FIXED addresses must be
		 * huge-page aligned; a hint is aligned up; the search aligns too
		 * (get_align_mask() for hugetlbfs files). */
		uint64_t hmask = hugetlb - 1;
		if (len & hmask)
			return -LX_EINVAL;
		if ((flags & LX_MAP_FIXED) && (addr & hmask))
			return -LX_EINVAL;
		uint64_t hint = addr ? (addr + hmask) & ~hmask : 0;
		r = arch_get_unmapped_area_topdown(p, hint, len, flags, hmask & PAGE_MASK);
	} else if ((flags & LX_MAP_SHARED) || file) {
		/* shmem_get_unmapped_area(): no huge alignment with shmem THP off. */
		r = arch_get_unmapped_area_topdown(p, addr, len, flags, 0);
	} else if (pr->thp && !addr && !(len & (PMD_SIZE - 1)) &&
		   prof_at_least(p, 6, 7)) {
		r = thp_get_unmapped_area(p, len, flags);
		if (r == 0)
			r = arch_get_unmapped_area_topdown(p, addr, len, flags, 0);
	} else {
		r = arch_get_unmapped_area_topdown(p, addr, len, flags, 0);
	}
	if (IS_ERR_VALUE(r))
		return r;
	if ((uint64_t)r > pr->task_size - len)
		return -LX_ENOMEM;
	if (r & ~PAGE_MASK)
		return -LX_EINVAL;
	/* security_mmap_addr() -> cap_mmap_addr(): below vm.mmap_min_addr needs CAP_SYS_RAWIO. */
	if ((uint64_t)r < pr->dac_mmap_min_addr && !capable(p, LX_CAP_SYS_RAWIO))
		return -LX_EPERM;
	return r;
}

/*
 * Whether the kernel's choice for a non-fixed mapping is one it may make:
 * inside the allocator's range, free, clear of stack guard gaps, and equal
 * to the hint when the hint itself was usable.
 */
static bool placement_legal(const oracle_proc *p, uint64_t k, uint64_t hint,
			    uint64_t len, uint64_t flags, uint64_t align)
{
	const oracle_profile *pr = &p->w->prof;
	if ((k & ~PAGE_MASK) || (align && (k & (align - 1))) || k < pr->mmap_min_addr ||
	    k > pr->task_size - len)
		return false;
	vma *v = find_vma(p, k);
	if (v && k + len > vm_start_gap(p, v))
		return false;
	if (flags & LX_MAP_32BIT) {
		/* The bottom-up path takes a usable hint exactly (see above). */
		if (hint) {
			uint64_t h = PAGE_ALIGN(hint);
			vma *hv = find_vma(p, h);
			if (len <= 0x80000000ULL && 0x80000000ULL - len >= h &&
			    (!hv || h + len <= vm_start_gap(p, hv)))
				return k == h;
		}
		return k + len <= 0x80000000ULL;
	}
	if (hint) {
		uint64_t h = hint & PAGE_MASK;
		if (align)
			h = (hint + align - 1) & ~(align - 1);
		/* A hint that aligns up past the top wraps to 0: no hint at all
		 * (hugetlb_get_unmapped_area()'s ALIGN(addr, huge_page_size)). */
		if (h && mmap_address_hint_valid(p, h, len)) {
			vma *hv = find_vma(p, h);
			if (!hv || h + len <= vm_start_gap(p, hv))
				return k == h;
		}
	}
	return true;
}

/*
 * mremap's vrm_set_new_addr(): __get_unmapped_area() for the new range (addr
 * is the MAP_FIXED address, a hint, or 0), taking the kernel's own choice of
 * a non-fixed placement where it is a legal one, as do_mmap() does.
 */
int64_t get_unmapped_area_adopt(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags,
				uint64_t hugetlb, uint64_t kernel_result)
{
	int64_t r = get_unmapped_area(p, addr, len, flags, hugetlb);
	if (IS_ERR_VALUE(r) || (flags & LX_MAP_FIXED) || p->placement != ORACLE_PLACE_ADOPT ||
	    IS_ERR_VALUE(kernel_result) ||
	    !placement_legal(p, kernel_result, addr, len, flags, hugetlb))
		return r;
	return (int64_t)kernel_result;
}

/* mm_populate() with errors ignored, as mmap does it. */
void mm_populate(oracle_proc *p, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	for (vma *v = find_vma(p, start); v && v->start < end; v = vma_next(v)) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		populate_vma_page_range(p, v, s, e);
	}
}

/*
 * __mmap_region(): prepare (gather, limits, accounting), merge or create,
 * complete. hugetlb is the huge page size of a hugetlbfs mapping, else 0;
 * file is the memfd being mapped, else NULL.
 */
static int64_t mmap_region(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t vm_flags,
			   uint64_t pgoff, bool shared_anon, uint64_t hugetlb, oracle_file *file)
{
	uint64_t end = addr + len, pglen = len >> PAGE_SHIFT;
	gather gt;
	int err = vms_gather_munmap_vmas(p, addr, end, &gt);
	if (err)
		return err;
	if (!may_expand_vm(p, vm_flags, pglen - gt.nr_pages)) {
		gather_abort(p, &gt, end);
		return -LX_ENOMEM;
	}
	/* accountable_mapping(): private writable memory is charged (hugetlb has
	 * its own reservations instead). */
	if (!hugetlb && (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE) {
		uint64_t charged = pglen - gt.nr_accounted;
		if (charged && !vm_enough_memory(p, charged)) {
			gather_abort(p, &gt, end);
			return -LX_ENOMEM;
		}
		vm_flags |= VM_ACCOUNT;
	}
	/* Point of no return: the old mappings' pages are gone. */
	gather_complete(p, &gt, end);

	vma *prev = vma_of(tree_floor(&p->vmas, addr));
	if (prev && prev->end > addr)
		prev = NULL; /* cannot happen: the range is empty now */
	vma *next = prev ? vma_next(prev) : vma_of(tree_first(&p->vmas));
	if (next && next->start < end)
		next = NULL;

	if (hugetlb) {
		/*
		 * hugetlbfs_file_mmap(), called after the old mappings are gone,
		 * so its errors leave a hole (vms_abort_munmap_vmas): the file
		 * offset must be huge-page aligned, and without VM_NORESERVE the
		 * pool must hold the pages (hugetlb_reserve_pages).
		 */
		if (pgoff & ((hugetlb - 1) >> PAGE_SHIFT))
			return -LX_EINVAL;
		uint64_t need = len / hugetlb;
		uint64_t have = hugetlb == PMD_SIZE ? p->w->prof.hugepages_free_2m : 0;
		if (!(vm_flags & VM_NORESERVE) && need > have)
			return -LX_ENOMEM;
		vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
		vm_flags &= ~VM_LOCKED_MASK; /* __mmap_complete(): hugetlb is never locked */
	}
	/*
	 * shmem_zero_setup() -> shmem_acct_size() (mm/shmem.c): shared
	 * anonymous memory without VM_NORESERVE charges its whole size to the
	 * overcommit policy, also after the old mappings are gone, so a failure
	 * leaves a hole. Verified on 6.18.44: a 1 TiB MAP_SHARED|MAP_ANONYMOUS
	 * mapping fails with ENOMEM, with MAP_NORESERVE it succeeds (found by
	 * fuzz_model, where the model went on to populate it).
	 */
	if (shared_anon && !hugetlb && !(vm_flags & VM_NORESERVE) && !vm_enough_memory(p, pglen))
		return -LX_ENOMEM;
	vma *v = NULL;
	/* A new hugetlbfs or shmem file never matches a neighbour's; a memfd
	 * mapping merges with one of the same file at the contiguous offset. */
	if (!shared_anon && !hugetlb && (prev || next)) {
		vmg g = { .prev = prev, .next = next, .start = addr, .end = end,
			  .flags = vm_flags, .pgoff = pgoff, .file = file,
			  .next_first = !prof_at_least(p, 6, 12) };
		v = vma_merge_new_range(p, &g);
	}
	if (!v) {
		v = vma_new(p, addr, end, vm_flags, pgoff);
		if (!v)
			return -LX_ENOMEM;
		if (file) {
			/* The VMA holds a reference on the file (get_file()). */
			v->file = file;
			file->refs++;
		} else if (shared_anon || hugetlb) {
			/* shmem_zero_setup() or hugetlb_file_setup(): a fresh object. */
			v->file = file_new(p->w);
			if (!v->file) {
				oa_free(p->w, OA_VMA, v);
				return -LX_ENOMEM;
			}
			v->file->size = (pgoff << PAGE_SHIFT) + len;
			v->file->hugetlb = hugetlb;
		}
		vma_link(p, v, prev);
	}
	/* __mmap_complete() */
	vm_stat_account(p, vm_flags, (int64_t)pglen);
	/*
	 * "mm: prevent droppable mappings from being locked" (upstream
	 * d239462787b0): a MAP_DROPPABLE mapping made under MCL_FUTURE loses
	 * VM_LOCKED and is not counted in locked_vm (it is still populated).
	 * 6.18.2 lacks it, 6.18.44 has it as a stable backport; the first 6.18.y
	 * with it is not pinned down, so the model takes any later 6.18.y.
	 */
	bool droppable_unlocked = (vm_flags & VM_DROPPABLE) &&
				  (prof_at_least(p, 6, 19) ||
				   (p->w->prof.version >> 8 == ((6u << 8) | 18u) &&
				    (p->w->prof.version & 0xff) > 2));
	if ((vm_flags & VM_LOCKED) && droppable_unlocked) {
		v->flags &= ~VM_LOCKED_MASK;
		/* The lock bit goes after the merge attempt: leave it to the kernel. */
		vma_mark_unmerged(v);
	} else if (vm_flags & VM_LOCKED) {
		p->locked_vm += pglen;
	}
	if (p->w->prof.soft_dirty)
		v->flags |= VM_SOFTDIRTY;
	return (int64_t)addr;
}

/* do_mmap()'s tail for every kind of mapping: MAP_NORESERVE unless strict
 * overcommit, mmap_region(), then mm_populate() for VM_LOCKED or a
 * MAP_POPULATE without MAP_NONBLOCK (vm_mmap_pgoff()). */
static int64_t map_and_populate(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags,
				uint64_t vm_flags, uint64_t pgoff, bool shared_anon,
				oracle_file *file)
{
	if ((flags & LX_MAP_NORESERVE) && p->w->prof.overcommit_memory != 2)
		vm_flags |= VM_NORESERVE;
	int64_t ret = mmap_region(p, addr, len, vm_flags, pgoff, shared_anon, 0, file);
	if (!IS_ERR_VALUE(ret) && ((vm_flags & VM_LOCKED) ||
				   (flags & (LX_MAP_POPULATE | LX_MAP_NONBLOCK)) == LX_MAP_POPULATE))
		mm_populate(p, addr, len);
	return ret;
}

static int64_t do_mmap(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t prot,
		       uint64_t flags, uint64_t fd, uint64_t off, uint64_t kernel_result)
{
	const oracle_profile *pr = &p->w->prof;
	uint64_t hugetlb = 0; /* the huge page size of MAP_HUGETLB */
	int64_t ret;

#ifdef MMSPEC_PLANT_BUGS
	/* Planted: the descriptor before the offset (the kernel checks the
	 * offset in SYSCALL_DEFINE6(mmap), before ksys_mmap_pgoff's fget). */
	if ((pr->plant & ORACLE_PLANT_MMAP_ERRNO_ORDER) && !(flags & LX_MAP_ANONYMOUS) &&
	    !fd_file(p, fd) && (off & ~PAGE_MASK))
		return -LX_EBADF;
#endif
	/* SYSCALL_DEFINE6(mmap): the byte offset must be page aligned. */
	if (off & ~PAGE_MASK)
		return -LX_EINVAL;
	uint64_t pgoff = off >> PAGE_SHIFT;

	/* ksys_mmap_pgoff(): file lookup, hugetlb set-up. */
	int foreign = -1;
	oracle_file *file = NULL;
	if (!(flags & LX_MAP_ANONYMOUS)) {
		/* fget() takes an unsigned int: the upper bits are dropped. */
		file = fd_file(p, fd);
		for (int i = 0; !file && i < p->nforeign; i++)
			if (p->foreign_fd[i] == (int)(uint32_t)fd)
				foreign = i;
		if (!file && foreign < 0)
			return -LX_EBADF;
		/* An MFD_HUGETLB memfd: hugetlbfs file mappings are not modelled. */
		if (file && file->hugetlb)
			return ORACLE_UNMODELLED;
		if (flags & LX_MAP_HUGETLB)
			return -LX_EINVAL; /* MAP_HUGETLB on a file that is not hugetlbfs */
	} else if (flags & LX_MAP_HUGETLB) {
		unsigned log = (flags >> LX_MAP_HUGE_SHIFT) & LX_MAP_HUGE_MASK;
		if (log == 0)
			log = 21; /* default_hstate: 2 MiB on x86-64 */
		if (log >= 64 || !((pr->hugepage_sizes >> log) & 1))
			return -LX_EINVAL;
		hugetlb = 1ULL << log;
		len = (len + hugetlb - 1) & ~(hugetlb - 1);
	}

	/* do_mmap() */
	if (!len)
		return -LX_EINVAL;
	if (flags & LX_MAP_FIXED_NOREPLACE)
		flags |= LX_MAP_FIXED;
	uint64_t hint = 0;
	if (!(flags & LX_MAP_FIXED)) {
		/* round_hint_to_min() */
		addr &= PAGE_MASK;
		if (addr && addr < pr->mmap_min_addr)
			addr = PAGE_ALIGN(pr->mmap_min_addr);
		hint = addr;
	}
	len = PAGE_ALIGN(len);
	if (!len)
		return -LX_ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -LX_EOVERFLOW;
	if (p->map_count > pr->max_map_count)
		return -LX_ENOMEM;

	uint64_t vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(p, flags) |
			    p->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	ret = (flags & LX_MAP_ANONYMOUS) ? get_unmapped_area(p, addr, len, flags, hugetlb)
					 : get_unmapped_area_file(p, true, addr, len, flags, hugetlb);
	if (IS_ERR_VALUE(ret))
		return ret;
	/*
	 * MAP_32BIT searches bottom-up from find_start_end()'s begin, which is
	 * randomize_page(0x40000000, 0x02000000) for a PF_RANDOMIZE task: the
	 * model cannot know it. When the kernel found no room, that was a legal
	 * outcome if a search from the highest begin finds none either.
	 */
	if ((flags & LX_MAP_32BIT) && !(flags & LX_MAP_FIXED) && !hugetlb &&
	    p->placement == ORACLE_PLACE_ADOPT && kernel_result == (uint64_t)-LX_ENOMEM &&
	    (uint64_t)ret != PAGE_ALIGN(hint) &&
	    IS_ERR_VALUE(unmapped_area_bottomup(p, len, 0x40000000ULL + 0x02000000ULL - PAGE_SIZE,
						0x80000000ULL)))
		return -LX_ENOMEM;
	if (!(flags & LX_MAP_FIXED) && p->placement == ORACLE_PLACE_ADOPT &&
	    !IS_ERR_VALUE(kernel_result) &&
	    placement_legal(p, kernel_result, hint, len, flags, hugetlb))
		ret = (int64_t)kernel_result;
	addr = (uint64_t)ret;

	if ((flags & LX_MAP_FIXED_NOREPLACE) && find_vma_intersection(p, addr, addr + len))
		return -LX_EEXIST;
	if ((flags & LX_MAP_LOCKED) && !can_do_mlock(p))
		return -LX_EPERM;
	if (!mlock_future_ok(p, vm_flags, len))
		return -LX_EAGAIN;

	bool shared_anon = false;
	if (file) {
		/*
		 * do_mmap()'s file path for a memfd (a shmem file opened O_RDWR,
		 * with ->mmap, on a mount that allows exec): file_mmap_ok()
		 * (MAX_LFS_FILESIZE for a regular file), then the map type. With
		 * MAP_SHARED unknown flags are dropped, MAP_SHARED_VALIDATE refuses
		 * them (shmem has no MAP_SYNC); FMODE_WRITE and FMODE_READ are
		 * there, so no EACCES, and shmem_mmap() exists, so no ENODEV.
		 * Write seals would refuse shared writable mappings
		 * (memfd_check_seals_mmap()), but a program cannot set seals.
		 */
		if (pgoff > (0x7fffffffffffffffULL - len) >> PAGE_SHIFT)
			return -LX_EOVERFLOW;
		switch (flags & LX_MAP_TYPE) {
		case LX_MAP_SHARED:
			flags &= LX_LEGACY_MAP_MASK;
			/* fallthrough */
		case LX_MAP_SHARED_VALIDATE:
			if (flags & ~(uint64_t)LX_LEGACY_MAP_MASK)
				return -LX_EOPNOTSUPP;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			/* fallthrough */
		case LX_MAP_PRIVATE:
			if (vm_flags & VM_GROWSDOWN)
				return -LX_EINVAL;
			break;
		default:
			return -LX_EINVAL;
		}
		return map_and_populate(p, addr, len, flags, vm_flags, pgoff, false, file);
	}
	if (foreign >= 0) {
		/* do_mmap()'s file path for a read-only file without ->mmap. */
		if (pgoff > (0x7fffffffffffffffULL - len) >> PAGE_SHIFT)
			return -LX_EOVERFLOW; /* file_mmap_ok() */
		switch (flags & LX_MAP_TYPE) {
		case LX_MAP_SHARED:
			flags &= LX_LEGACY_MAP_MASK;
			/* fallthrough */
		case LX_MAP_SHARED_VALIDATE:
			if (flags & ~(uint64_t)LX_LEGACY_MAP_MASK)
				return -LX_EOPNOTSUPP;
			if (prot & LX_PROT_WRITE)
				return -LX_EACCES; /* no FMODE_WRITE */
			/* fallthrough */
		case LX_MAP_PRIVATE:
			if (p->foreign_noexec[foreign] && (vm_flags & VM_EXEC))
				return -LX_EPERM;
			return -LX_ENODEV; /* !can_mmap_file() */
		default:
			return -LX_EINVAL;
		}
	}
	if (hugetlb) {
		/* The hugetlbfs file takes do_mmap()'s file path: file_mmap_ok()
		 * (MAX_LFS_FILESIZE for a regular file) before the map type. */
		if (pgoff > (0x7fffffffffffffffULL - len) >> PAGE_SHIFT)
			return -LX_EOVERFLOW;
		switch (flags & LX_MAP_TYPE) {
		case LX_MAP_SHARED:
			flags &= LX_LEGACY_MAP_MASK; /* unknown flags are dropped ... */
			/* fallthrough */
		case LX_MAP_SHARED_VALIDATE:
			if (flags & ~(uint64_t)LX_LEGACY_MAP_MASK) /* ... or refused */
				return -LX_EOPNOTSUPP;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			/* fallthrough */
		case LX_MAP_PRIVATE:
			if (vm_flags & VM_GROWSDOWN)
				return -LX_EINVAL;
			break;
		default:
			return -LX_EINVAL;
		}
		/* MAP_NORESERVE: hugetlb skips its reservation whatever the overcommit mode. */
		if (flags & LX_MAP_NORESERVE)
			vm_flags |= VM_NORESERVE;
		ret = mmap_region(p, addr, len, vm_flags, pgoff, false, hugetlb, NULL);
		if (!IS_ERR_VALUE(ret) && (flags & (LX_MAP_POPULATE | LX_MAP_NONBLOCK)) == LX_MAP_POPULATE)
			mm_populate(p, addr, len);
		return ret;
	}
	switch (flags & LX_MAP_TYPE) {
	case LX_MAP_SHARED:
		if (vm_flags & VM_GROWSDOWN)
			return -LX_EINVAL;
		pgoff = 0;
		vm_flags |= VM_SHARED | VM_MAYSHARE;
		shared_anon = true;
		break;
	case LX_MAP_DROPPABLE:
		if (!prof_at_least(p, 6, 11))
			return -LX_EINVAL;
		if (flags & (LX_MAP_LOCKED | LX_MAP_HUGETLB))
			return -LX_EINVAL;
		if (vm_flags & VM_GROWSDOWN)
			return -LX_EINVAL;
		vm_flags |= VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
		/* fallthrough */
	case LX_MAP_PRIVATE:
		pgoff = addr >> PAGE_SHIFT;
		break;
	default:
		return -LX_EINVAL;
	}
	return map_and_populate(p, addr, len, flags, vm_flags, pgoff, shared_anon, NULL);
}

int64_t oracle_mmap(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t prot,
		    uint64_t flags, uint64_t fd, uint64_t off, uint64_t kernel_result)
{
	int64_t r = do_mmap(p, addr, len, prot, flags, fd, off, kernel_result);
	oracle_after_mutation(p);
	return r;
}

int64_t oracle_munmap(oracle_proc *p, uint64_t addr, uint64_t len)
{
	int64_t r = do_vmi_munmap(p, addr, len);
	oracle_after_mutation(p);
	return r;
}
