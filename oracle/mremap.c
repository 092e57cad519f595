/* SPDX-License-Identifier: MIT */
/*
 * mremap.c: mremap(2), mirroring mm/mremap.c of Linux 6.18 (do_mremap,
 * check_mremap_params, remap_move, check_prep_vma, mremap_to, mremap_at,
 * expand_vma, move_vma, unmap_source_vma, dontunmap_complete) and mm/vma.c
 * (copy_vma, vma_merge_extend). Reference: linux-mm-semantics.md section 7.
 *
 * 6.17 and later check every argument before they look for a VMA, and move
 * the VMAs of a MREMAP_FIXED range one by one (remap_move). Older kernels
 * (the SYSCALL_DEFINE5 body, mremap_to and vma_to_resize of 6.12 and 6.1)
 * look the VMA up first and move one VMA only; sys_mremap_legacy() follows
 * them. 6.15 and 6.16, half way through the rewrite, are taken as the old
 * order (not checked against their source).
 *
 * A move copies the VMA to its new range (merging with the neighbours
 * there, copy_vma), moves the page-table entries (contents, COW sharing and
 * frames go with them: move_page_tables) and unmaps the old range, or with
 * MREMAP_DONTUNMAP leaves it mapped and empty. What remains at the source
 * never merges (munmap does not), though an unfaulted VMA moved right next
 * to itself first merges with itself. A moved anonymous VMA keeps its pgoff
 * once it has an anon_vma, so it rarely merges at the destination; an
 * unfaulted one takes the new address's pgoff and does.
 *
 * A shared or memfd mapping can grow past the end of its object (the size
 * does not change; accesses there raise SIGBUS) and with old_len 0 a shared
 * mapping is duplicated: a second VMA of the same object.
 *
 * MREMAP_DONTUNMAP of a VM_LOCKED VMA: 6.18 counts the source's pages in
 * locked_vm for good (vrm_stat_account() charges the copy, and
 * dontunmap_complete() clears VM_LOCKED on the whole source VMA without
 * uncharging it; on 6.18.44 VmLck stays up by the source VMA's size after
 * munlockall() and munmap()): the model keeps them in locked_leaked, which
 * RLIMIT_MEMLOCK checks see through locked_vm.
 *
 * Not modelled (ORACLE_UNMODELLED): moving or growing special mappings
 * ([vdso] has its own vm_ops->mremap, [vvar] is VM_PFNMAP), and, before
 * 6.17, MREMAP_DONTUNMAP of a VM_LOCKED VMA (move_vma() returned before
 * charging the copy: not verified).
 */
#include "oracleInt.h"

enum remap_type { MREMAP_INVALID, MREMAP_NO_RESIZE, MREMAP_SHRINK, MREMAP_EXPAND };

/* struct vma_remap_struct */
typedef struct vrm {
	uint64_t addr, old_len, new_len, flags, new_addr, delta;
	enum remap_type remap_type;
	vma *v;
	bool populate_expand;
	bool locked_move;          /* 6.12, 6.1: a VM_LOCKED VMA moved (move_vma's *locked) */
	uint64_t kernel_result;    /* the kernel's raw return, for ADOPT placement */
} vrm;

#define MREMAP_MAYMOVE LX_MREMAP_MAYMOVE
#define MREMAP_FIXED LX_MREMAP_FIXED
#define MREMAP_DONTUNMAP LX_MREMAP_DONTUNMAP

/* ORACLE_UNMODELLED is not an error value to IS_ERR_VALUE: test for both. */
static bool failed(int64_t r) { return r == ORACLE_UNMODELLED || IS_ERR_VALUE(r); }

/* The pre-6.17 order and single-VMA moves (reference section 7.2). */
static bool legacy(const oracle_proc *p) { return !prof_at_least(p, 6, 17); }

/*
 * "mm/vma: fix anon_vma UAF on mremap() faulted, unfaulted merge" (upstream,
 * January 2026, Cc stable): copy_vma() merges through vmg->copied_from, so a
 * faulted fork child is not merged into an unfaulted neighbour, and a merged
 * target always takes the copied VMA's anon_vma. 6.18.2 lacks it; the first
 * 6.18.y with it is not pinned down, so any later 6.18.y is taken to have it.
 */
static bool copied_from_fix(const oracle_proc *p)
{
	uint32_t v = p->w->prof.version;
	if (prof_at_least(p, 6, 19))
		return true;
	return (v >> 8) == ((6u << 8) | 18u) && (v & 0xff) > 2;
}

static int64_t max_map_count(const oracle_proc *p) { return (int64_t)p->w->prof.max_map_count; }

static bool is_hugetlb(const vma *v) { return (v->flags & VM_HUGETLB) && v->file && v->file->hugetlb; }

/* Mappings whose move or growth the model leaves alone. */
static bool unmodelled_vma(const vma *v)
{
	return v->special || (v->flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP));
}

/* move_page_tables(): the entries of [old_addr, old_addr + len) move as they are. */
static int move_page_tables(oracle_proc *p, uint64_t old_addr, uint64_t new_addr, uint64_t len)
{
	uint64_t vpn = old_addr >> PAGE_SHIFT, end = (old_addr + len) >> PAGE_SHIFT;
	uint64_t shift = (new_addr >> PAGE_SHIFT) - vpn;
	pte *e;
	while ((e = pte_next(p, vpn, end))) {
		vpn = e->vpn + 1;
		ORACLE_ASSERT(!pte_lookup(p, e->vpn + shift));
		/* Install first: the frame never drops to no reference. */
		if (!pte_install(p, e->vpn + shift, e->f, e->writable))
			return -LX_ENOMEM;
		pte_clear(p, e);
	}
	return 0;
}

/* Marks v and the VMAs touching it as legitimately left unmerged. */
static void no_merge_around(vma *v)
{
	v->no_merge_check = true;
	vma *n = vma_next(v), *pr = vma_prev_of(v);
	if (n && n->start == v->end)
		n->no_merge_check = true;
	if (pr && pr->end == v->start)
		pr->no_merge_check = true;
}

/*
 * copy_vma(): the VMA for [addr, addr + len) at the destination, merged with
 * its neighbours there (vma_merge_copied_range) or a copy of *vmap. An
 * unfaulted anonymous VMA takes addr's pgoff. When the source merges into
 * the new VMA (an unfaulted VMA moved next to itself), *vmap is updated.
 */
static vma *copy_vma(oracle_proc *p, vma **vmap, uint64_t addr, uint64_t len, uint64_t pgoff)
{
	vma *v = *vmap;
	uint64_t vma_start = v->start;

	if (vma_is_anonymous(v) && !v->av)
		pgoff = addr >> PAGE_SHIFT;
	vma *next = find_vma(p, addr);
	vma *prev = next ? vma_prev_of(next) : vma_of(tree_last(&p->vmas));
	if (next && next->start < addr + len) {
		ORACLE_ASSERT(0); /* "should never get here" */
		return NULL;
	}
	vmg g = { .prev = prev, .next = next, .start = addr, .end = addr + len,
		  .flags = v->flags, .pgoff = pgoff, .file = v->file, .av = v->av };
	/* is_mergeable_anon_vma() case 1 with copied_from: a faulted fork
	 * child does not merge into an unfaulted neighbour. */
	if (prof_at_least(p, 6, 16) && copied_from_fix(p) && v->av && v->av_forked) {
		if (g.prev && !g.prev->av)
			g.prev = NULL;
		if (g.next && !g.next->av)
			g.next = NULL;
	}
	/* The merge may free the source itself (when it is next): keep what
	 * is needed of it. */
	anon_vma *src_av = v->av;
	bool src_forked = v->av_forked;
	vma *n = (g.prev || g.next) ? vma_merge_new_range(p, &g) : NULL;
	if (n) {
		/* vma_expand(): dup_anon_vma(target, copied_from). */
		if (src_av && !n->av)
			anon_vma_set(n, src_av, src_forked);
		if (vma_start >= n->start && vma_start < n->end)
			*vmap = n;
		return n;
	}
	n = vma_alloc(p);
	if (!n)
		return NULL;
	*n = *v;
	memset(&n->node, 0, sizeof(n->node));
	n->start = addr;
	n->end = addr + len;
	n->pgoff = pgoff;
	n->av = NULL;
	n->av_forked = false;
	n->no_merge_check = false;
	anon_vma_set(n, v->av, v->av_forked); /* anon_vma_clone() */
	if (n->file)
		n->file->refs++;
	vma_link(p, n, prev);
	return n;
}

/*
 * move_vma(): prep_move_vma, vrm_calc_charge, copy_vma_and_data,
 * vrm_stat_account, then dontunmap_complete or unmap_source_vma.
 */
static int64_t move_vma(oracle_proc *p, vrm *r)
{
	vma *v = r->v;

	/* prep_move_vma(): stay 4 maps below the limit. */
	if ((int64_t)p->map_count >= max_map_count(p) - 3)
		return -LX_ENOMEM;
	/* vm_ops->may_split: hugetlb_vm_op_split() wants huge-page alignment. */
	if (is_hugetlb(v)) {
		uint64_t hmask = v->file->hugetlb - 1;
		if ((v->start != r->addr && (r->addr & hmask)) ||
		    (v->end != r->addr + r->old_len && ((r->addr + r->old_len) & hmask)))
			return -LX_EINVAL;
	}
	/* vrm_calc_charge(); 6.12 and 6.1 charge new_len - old_len (old_len
	 * already cut down to new_len after a shrink). */
	if (v->flags & VM_ACCOUNT) {
		uint64_t charged;
		if (r->flags & MREMAP_DONTUNMAP)
			charged = r->new_len >> PAGE_SHIFT;
		else if (legacy(p))
			charged = (r->new_len - r->old_len) >> PAGE_SHIFT;
		else
			charged = r->delta >> PAGE_SHIFT;
		if (!vm_enough_memory(p, charged))
			return -LX_ENOMEM;
	}
	if (unmodelled_vma(v))
		return ORACLE_UNMODELLED;
	if ((r->flags & MREMAP_DONTUNMAP) && (v->flags & VM_LOCKED) && legacy(p))
		return ORACLE_UNMODELLED;
	uint64_t new_pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);

	/* copy_vma_and_data() */
	vma *nv = copy_vma(p, &v, r->new_addr, r->new_len, new_pgoff);
	if (!nv)
		return -LX_ENOMEM;
	r->v = v;
	if (move_page_tables(p, r->addr, r->new_addr, r->old_len))
		return -LX_ENOMEM;

	/* vrm_stat_account(new_len), with the (possibly merged) source's flags.
	 * 6.12 and 6.1 add to locked_vm only after unmapping the source, and
	 * not at all with MREMAP_DONTUNMAP; the sum is the same. */
	uint64_t pages = r->new_len >> PAGE_SHIFT;
	uint64_t flags = v->flags;
	vm_stat_account(p, flags, (int64_t)pages);
	if (flags & VM_LOCKED)
		p->locked_vm += pages;

	if (r->flags & MREMAP_DONTUNMAP) {
		/* dontunmap_complete(): the whole source VMA loses its lock bits
		 * (no split), and its anon_vma if all of it was copied. */
		uint64_t start = r->addr, end = r->addr + r->old_len;
		if (v->flags & VM_LOCKED)
			p->locked_leaked += vma_pages(v);
		v->flags &= ~VM_LOCKED_MASK;
		if (nv != v && start == v->start && end == v->end)
			anon_vma_set(v, NULL, false);
		/* Nothing merges here, whatever the source now looks like. */
		no_merge_around(v);
		return (int64_t)r->new_addr;
	}
	/*
	 * unmap_source_vma(): VM_ACCOUNT is hidden during the unmap and put
	 * back on the pieces that remain, so the flags end as they were. The
	 * unmap cannot fail: the count was checked above. With old_len 0 (a
	 * shared mapping duplicated) do_vmi_munmap() refuses and the source
	 * stays.
	 */
	(void)do_vmi_munmap(p, r->addr, r->old_len);
	r->v = NULL;
	r->locked_move = flags & VM_LOCKED;
	return (int64_t)r->new_addr;
}

/* vrm_set_new_addr(): get_unmapped_area() for the new range. */
static int64_t vrm_set_new_addr(oracle_proc *p, vrm *r)
{
	vma *v = r->v;
	bool implies_new_addr = r->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
	uint64_t new_addr = implies_new_addr ? r->new_addr : 0;
	uint64_t map_flags = 0, hugetlb = is_hugetlb(v) ? v->file->hugetlb : 0;

	if (r->flags & MREMAP_FIXED)
		map_flags |= LX_MAP_FIXED;
	if (v->flags & VM_MAYSHARE)
		map_flags |= LX_MAP_SHARED;
	/*
	 * A file mapping places through its file's get_unmapped_area: a
	 * memfd's is shmem_get_unmapped_area(), which the model's MAP_SHARED
	 * path follows (no THP alignment), private or shared. (The model
	 * cannot tell a seeded disk file, whose ext4 thp_get_unmapped_area()
	 * aligns 2 MiB-multiple lengths, from a memfd.)
	 */
	if (v->file && !hugetlb)
		map_flags |= LX_MAP_SHARED;
	int64_t res = get_unmapped_area_adopt(p, new_addr, r->new_len, map_flags, hugetlb,
					      r->kernel_result);
	if (IS_ERR_VALUE(res))
		return res;
	r->new_addr = (uint64_t)res;
	return 0;
}

/*
 * mremap_to(): MREMAP_FIXED unmaps the destination first (for good, whatever
 * happens next), a shrink unmaps the source's tail, then the move.
 */
static int64_t mremap_to(oracle_proc *p, vrm *r)
{
	int err;
	if (r->flags & MREMAP_FIXED) {
		err = do_vmi_munmap(p, r->new_addr, r->new_len); /* do_munmap() */
		if (err)
			return err;
		/* A move inside one VMA may have split it: look again. */
		r->v = vma_lookup(p, r->addr);
		if (!r->v)
			return -LX_EFAULT;
	}
	if (r->remap_type == MREMAP_SHRINK) {
		/* shrink_vma(drop_lock = false) */
		err = do_vmi_munmap(p, r->addr + r->new_len, r->delta);
		if (err)
			return err;
		r->v = vma_lookup(p, r->addr);
		if (!r->v)
			return -LX_EFAULT;
		r->old_len = r->new_len;
	}
	/* MREMAP_DONTUNMAP expands by old_len since old_len == new_len. */
	if ((r->flags & MREMAP_DONTUNMAP) && !may_expand_vm(p, r->v->flags, r->old_len >> PAGE_SHIFT))
		return -LX_ENOMEM;
	int64_t e = vrm_set_new_addr(p, r);
	if (e)
		return e;
	return move_vma(p, r);
}

/* vma_expandable(): the delta bytes above v are free and allowed. */
static bool vma_expandable(oracle_proc *p, vma *v, uint64_t delta)
{
	uint64_t end = v->end + delta;
	if (end < v->end)
		return false;
	if (find_vma_intersection(p, v->end, end))
		return false;
	/* get_unmapped_area(NULL, vm_start, end - vm_start, 0, MAP_FIXED): no
	 * stack guard gap here, only TASK_SIZE and the mmap_min_addr check. */
	int64_t r = get_unmapped_area_adopt(p, v->start, end - v->start, LX_MAP_FIXED, 0, 0);
	return !IS_ERR_VALUE(r) && !(r & ~PAGE_MASK);
}

/* expand_vma_in_place(): vma_merge_extend() extends v and may take in next. */
static int64_t expand_vma_in_place(oracle_proc *p, vrm *r)
{
	vma *v = r->v;
	uint64_t pages = r->delta >> PAGE_SHIFT;
	if ((v->flags & VM_ACCOUNT) && !vm_enough_memory(p, pages))
		return -LX_ENOMEM;
	if (unmodelled_vma(v))
		return ORACLE_UNMODELLED;
	vmg g = { .prev = v, .next = vma_next(v), .start = v->end, .end = v->end + r->delta,
		  .flags = v->flags, .pgoff = v->pgoff + vma_pages(v), .file = v->file,
		  .av = v->av };
	vma *m = vma_merge_new_range(p, &g);
	if (!m)
		return -LX_ENOMEM;
	r->v = m;
	vm_stat_account(p, m->flags, (int64_t)pages);
	if (m->flags & VM_LOCKED)
		p->locked_vm += pages;
	return 0;
}

/* expand_vma(): in place when [addr, addr + old_len) ends the VMA, else move. */
static int64_t expand_vma(oracle_proc *p, vrm *r)
{
	if (r->v->end - r->addr == r->old_len && vma_expandable(p, r->v, r->delta)) {
		int64_t e = expand_vma_in_place(p, r);
		if (e)
			return e;
		return (int64_t)r->addr;
	}
	if (!(r->flags & MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	int64_t e = vrm_set_new_addr(p, r);
	if (e)
		return e;
	return move_vma(p, r);
}

/* mremap_at(): no new address: same size, shrink in place, or grow. */
static int64_t mremap_at(oracle_proc *p, vrm *r)
{
	switch (r->remap_type) {
	case MREMAP_NO_RESIZE:
		return (int64_t)r->addr;
	case MREMAP_SHRINK: {
		/* shrink_vma(): the tail goes, whatever VMAs it covers. */
		int err = do_vmi_munmap(p, r->addr + r->new_len, r->delta);
		if (err)
			return err;
		return (int64_t)r->addr;
	}
	case MREMAP_EXPAND:
		return expand_vma(p, r);
	default:
		return -LX_EINVAL;
	}
}

/* align_hugetlb(): lengths up to the huge page size; no growth. */
static bool align_hugetlb(vrm *r, const vma *v)
{
	uint64_t h = v->file->hugetlb;
	r->old_len = (r->old_len + h - 1) & ~(h - 1);
	r->new_len = (r->new_len + h - 1) & ~(h - 1);
	/* The raw new_addr is checked even when it is not used. */
	if ((r->addr & (h - 1)) || (r->new_addr & (h - 1)))
		return false;
	return r->new_len <= r->old_len;
}

static bool implies_new_addr(const vrm *r) { return r->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP); }

/* check_prep_vma() */
static int64_t check_prep_vma(oracle_proc *p, vrm *r)
{
	vma *v = r->v;
	if (!v)
		return -LX_EFAULT;
	if (v->flags & VM_SEALED)
		return -LX_EPERM;
	if (is_hugetlb(v) && !align_hugetlb(r, v))
		return -LX_EINVAL;
	r->delta = r->old_len > r->new_len ? r->old_len - r->new_len : r->new_len - r->old_len;
	r->remap_type = !r->delta ? MREMAP_NO_RESIZE
			: r->old_len > r->new_len ? MREMAP_SHRINK : MREMAP_EXPAND;
	if (!implies_new_addr(r))
		r->new_addr = r->addr;
	/* vrm_will_map_new(): only growth and moves are checked further. */
	if (r->remap_type != MREMAP_EXPAND && !implies_new_addr(r))
		return 0;
	uint64_t old_len = r->old_len, new_len = r->new_len;
	/* A zero old_len "duplicates" a shared mapping; private ones refuse. */
	if (!old_len && !(v->flags & (VM_SHARED | VM_MAYSHARE)))
		return -LX_EINVAL;
	if ((r->flags & MREMAP_DONTUNMAP) && (v->flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -LX_EINVAL;
	/* The unmapped tail of a shrink may cross VMA boundaries. */
	if (r->remap_type == MREMAP_SHRINK)
		old_len = new_len;
	if (old_len > v->end - r->addr)
		return -LX_EFAULT;
	if (new_len == old_len)
		return 0;
	if (v->flags & VM_LOCKED)
		r->populate_expand = true;
	uint64_t pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return -LX_EINVAL;
	if (v->flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -LX_EFAULT;
	if (!mlock_future_ok(p, v->flags, r->delta))
		return -LX_EAGAIN;
	if (!may_expand_vm(p, v->flags, r->delta >> PAGE_SHIFT))
		return -LX_ENOMEM;
	return 0;
}

/* check_mremap_params(): everything that needs no VMA. */
static int64_t check_mremap_params(oracle_proc *p, const vrm *r)
{
	uint64_t task_size = p->w->prof.task_size;
	if (r->flags & ~(uint64_t)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -LX_EINVAL;
	if (r->addr & ~PAGE_MASK)
		return -LX_EINVAL;
	if (!r->new_len)
		return -LX_EINVAL;
	if (r->new_len > task_size)
		return -LX_EINVAL;
	if (!implies_new_addr(r))
		return 0;
	if (r->new_addr > task_size - r->new_len)
		return -LX_EINVAL;
	if (r->new_addr & ~PAGE_MASK)
		return -LX_EINVAL;
	if (!(r->flags & MREMAP_MAYMOVE))
		return -LX_EINVAL;
	if ((r->flags & MREMAP_DONTUNMAP) && r->old_len != r->new_len)
		return -LX_EINVAL;
	/* vrm_overlaps() */
	if (r->addr + r->old_len > r->new_addr && r->new_addr + r->new_len > r->addr)
		return -LX_EINVAL;
	/* Both VMAs might be split in three before unmapping. */
	if ((int64_t)p->map_count + 2 >= max_map_count(p) - 3)
		return -LX_ENOMEM;
	return 0;
}

/*
 * remap_move() (6.17+): MREMAP_FIXED with equal lengths moves every VMA of
 * [addr, addr + old_len), keeping the gaps between them. A gap at the start
 * is EFAULT; an error part way leaves the VMAs before it moved.
 */
static int64_t remap_move(oracle_proc *p, vrm *r)
{
	uint64_t start = r->addr, end = r->addr + r->old_len;
	uint64_t target_addr = r->new_addr, last_end = 0, cursor = start;
	int64_t res = -LX_EFAULT;
	bool seen_vma = false;

	/* for_each_vma_range(): the search resumes at the end of the VMA last
	 * found, and ends there once that is past the range (even if a merge
	 * at the destination has grown a VMA across it). */
	while (cursor < end) {
		vma *v = find_vma(p, cursor);
		if (!v || v->start >= end)
			break;
		uint64_t vs = v->start, ve = v->end;
		uint64_t addr = vs > start ? vs : start;
		uint64_t len = (end < ve ? end : ve) - addr;
		if (!seen_vma && start < vs)
			return -LX_EFAULT;
		uint64_t offset = seen_vma ? vs - last_end : 0;
		last_end = ve;
		r->v = v;
		r->addr = addr;
		r->new_addr = target_addr + offset;
		r->old_len = r->new_len = len;
		/* vma_multi_allowed() holds for anonymous, shmem and hugetlb. */
		if (unmodelled_vma(v))
			return ORACLE_UNMODELLED;
		int64_t res_vma = check_prep_vma(p, r);
		if (!res_vma)
			res_vma = mremap_to(p, r);
		if (failed(res_vma))
			return res_vma;
		if (!seen_vma)
			res = res_vma;
		seen_vma = true;
		target_addr = (uint64_t)res_vma + r->new_len;
		cursor = ve;
	}
	return res;
}

static int64_t do_mremap(oracle_proc *p, vrm *r)
{
	int64_t res;
	r->old_len = PAGE_ALIGN(r->old_len);
	r->new_len = PAGE_ALIGN(r->new_len);

	res = check_mremap_params(p, r);
	if (res)
		return res;
	if ((r->flags & MREMAP_FIXED) && r->old_len == r->new_len) {
		res = remap_move(p, r);
	} else {
		r->v = vma_lookup(p, r->addr);
		res = check_prep_vma(p, r);
		if (res)
			return res;
		res = implies_new_addr(r) ? mremap_to(p, r) : mremap_at(p, r);
	}
	/* A VM_LOCKED VMA that grew has the growth populated. */
	if (!failed(res) && r->populate_expand)
		mm_populate(p, r->new_addr + r->old_len, r->delta);
	return res;
}

/* ------------------------------------------------------------ 6.12, 6.1 */

/* vma_to_resize(): the VMA at addr, checked for the resize or move. */
static int64_t vma_to_resize(oracle_proc *p, vrm *r)
{
	vma *v = vma_lookup(p, r->addr);
	if (!v)
		return -LX_EFAULT;
	r->v = v;
	if (!r->old_len && !(v->flags & (VM_SHARED | VM_MAYSHARE)))
		return -LX_EINVAL;
	if ((r->flags & MREMAP_DONTUNMAP) && (v->flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -LX_EINVAL;
	/* We can't remap across vm area boundaries. */
	if (r->old_len > v->end - r->addr)
		return -LX_EFAULT;
	if (r->new_len == r->old_len)
		return 0;
	uint64_t pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);
	if (pgoff + (r->new_len >> PAGE_SHIFT) < pgoff)
		return -LX_EINVAL;
	if (v->flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -LX_EFAULT;
	if (!mlock_future_ok(p, v->flags, r->new_len - r->old_len))
		return -LX_EAGAIN;
	if (!may_expand_vm(p, v->flags, (r->new_len - r->old_len) >> PAGE_SHIFT))
		return -LX_ENOMEM;
	return 0;
}

/* mremap_to() of 6.12 and 6.1: the new range is checked only here. */
static int64_t mremap_to_legacy(oracle_proc *p, vrm *r)
{
	uint64_t task_size = p->w->prof.task_size;
	if (r->new_addr & ~PAGE_MASK)
		return -LX_EINVAL;
	if (r->new_len > task_size || r->new_addr > task_size - r->new_len)
		return -LX_EINVAL;
	if (r->addr + r->old_len > r->new_addr && r->new_addr + r->new_len > r->addr)
		return -LX_EINVAL;
	if ((int64_t)p->map_count + 2 >= max_map_count(p) - 3)
		return -LX_ENOMEM;
	int err;
	if (r->flags & MREMAP_FIXED) {
		err = do_vmi_munmap(p, r->new_addr, r->new_len);
		if (err)
			return err;
	}
	if (r->old_len > r->new_len) {
		err = do_vmi_munmap(p, r->addr + r->new_len, r->old_len - r->new_len);
		if (err)
			return err;
		r->old_len = r->new_len;
	}
	int64_t e = vma_to_resize(p, r);
	if (e)
		return e;
	if ((r->flags & MREMAP_DONTUNMAP) && !may_expand_vm(p, r->v->flags, r->old_len >> PAGE_SHIFT))
		return -LX_ENOMEM;
	e = vrm_set_new_addr(p, r);
	if (e)
		return e;
	return move_vma(p, r);
}

/* SYSCALL_DEFINE5(mremap) of 6.12 (6.1 the same without sealing). */
static int64_t sys_mremap_legacy(oracle_proc *p, vrm *r)
{
	uint64_t flags = r->flags;
	if (flags & ~(uint64_t)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -LX_EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -LX_EINVAL;
	/* Compared before the lengths are page aligned. */
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || r->old_len != r->new_len))
		return -LX_EINVAL;
	if (r->addr & ~PAGE_MASK)
		return -LX_EINVAL;
	r->old_len = PAGE_ALIGN(r->old_len);
	r->new_len = PAGE_ALIGN(r->new_len);
	if (!r->new_len)
		return -LX_EINVAL;
	vma *v = vma_lookup(p, r->addr);
	if (!v)
		return -LX_EFAULT;
	if (prof_at_least(p, 6, 10) && (v->flags & VM_SEALED))
		return -LX_EPERM;
	if (is_hugetlb(v) && !align_hugetlb(r, v))
		return -LX_EINVAL;
	r->v = v;
	r->delta = r->old_len > r->new_len ? r->old_len - r->new_len : r->new_len - r->old_len;
	uint64_t old_len = r->old_len; /* the syscall's own copy, for populate */
	int64_t ret;
	bool locked = false;

	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		ret = mremap_to_legacy(p, r);
		locked = r->locked_move;
		goto out;
	}
	/* Always allow a shrinking remap: that just unmaps the unneeded pages. */
	if (r->old_len >= r->new_len) {
		if (r->old_len == r->new_len)
			return (int64_t)r->addr;
		int err = do_vmi_munmap(p, r->addr + r->new_len, r->old_len - r->new_len);
		return err ? err : (int64_t)r->addr;
	}
	ret = vma_to_resize(p, r);
	if (ret)
		return ret;
	v = r->v;
	if (r->old_len == v->end - r->addr && vma_expandable(p, v, r->delta)) {
		r->new_addr = r->addr;
		ret = expand_vma_in_place(p, r);
		if (ret)
			return ret;
		locked = r->v->flags & VM_LOCKED;
		ret = (int64_t)r->addr;
		goto out;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	ret = vrm_set_new_addr(p, r);
	if (ret)
		return ret;
	ret = move_vma(p, r);
	locked = r->locked_move;
out:
	if (failed(ret))
		locked = false;
	if (locked && r->new_len > old_len)
		mm_populate(p, r->new_addr + old_len, r->new_len - old_len);
	return ret;
}

int64_t oracle_mremap(oracle_proc *p, uint64_t addr, uint64_t old_len, uint64_t new_len,
		      uint64_t flags, uint64_t new_addr, uint64_t kernel_result)
{
	vrm r = { .addr = addr, .old_len = old_len, .new_len = new_len, .flags = flags,
		  .new_addr = new_addr, .remap_type = MREMAP_INVALID,
		  .kernel_result = kernel_result };
	int64_t res = legacy(p) ? sys_mremap_legacy(p, &r) : do_mremap(p, &r);
	oracle_after_mutation(p);
	return res;
}
