/* SPDX-License-Identifier: MIT */
/*
 * vma.c: the VMA layout engine, mirroring mm/vma.c of Linux 6.18.
 *
 * Splits, the two merge paths (vma_merge_new_range for new mappings,
 * vma_merge_existing_range for attribute changes), vma_modify_flags, and the
 * gather/commit halves of munmap. Function names match the kernel's so a
 * divergence can be traced side by side with the source.
 *
 * One representation choice differs from the kernel: VMAs are keyed by their
 * start address, so a split always keeps the original struct as the lower
 * part and allocates the upper part. Which struct survives is not observable.
 */
#include <stdlib.h>

#include "oracleInt.h"

vma *find_vma(const oracle_proc *p, uint64_t addr)
{
	tree_node *n = tree_floor((tree *)&p->vmas, addr);
	if (n && vma_of(n)->end > addr)
		return vma_of(n);
	return vma_of(n ? tree_next(n) : tree_first(&p->vmas));
}

vma *vma_lookup(const oracle_proc *p, uint64_t addr)
{
	vma *v = vma_of(tree_floor((tree *)&p->vmas, addr));
	return v && addr < v->end ? v : NULL;
}

vma *find_vma_intersection(const oracle_proc *p, uint64_t start, uint64_t end)
{
	vma *v = find_vma(p, start);
	return v && v->start < end ? v : NULL;
}

vma *vma_next(const vma *v) { return vma_of(tree_next(&v->node)); }
vma *vma_prev_of(const vma *v) { return vma_of(tree_prev(&v->node)); }

void vma_mark_unmerged(vma *v)
{
	v->no_merge_check = true;
	vma *n = vma_next(v);
	if (n && n->start == v->end)
		n->no_merge_check = true;
}

/* An operation tried a merge at addr: the boundary there, if any, is checked
 * again (vma.no_merge_check). */
static void boundary_tried(oracle_proc *p, uint64_t addr)
{
	vma *v = vma_lookup(p, addr);
	if (v && v->start == addr)
		v->no_merge_check = false;
}

vma *vma_alloc(oracle_proc *p)
{
	vma *v = oa_alloc(p->w, OA_VMA);
	if (!v)
		p->w->broken = "out of memory allocating a VMA";
	return v;
}

vma *vma_new(oracle_proc *p, uint64_t start, uint64_t end, uint64_t flags, uint64_t pgoff)
{
	vma *v = vma_alloc(p);
	if (v) {
		v->start = start;
		v->end = end;
		v->flags = flags;
		v->pgoff = pgoff;
	}
	return v;
}

void vma_link(oracle_proc *p, vma *v, vma *pred)
{
	v->node.key = v->start;
	tree_insert_after(&p->vmas, pred ? &pred->node : NULL, &v->node);
	p->map_count++;
}

anon_vma *anon_vma_new(oracle_world *w)
{
	anon_vma *av = oa_alloc(w, OA_ANON_VMA);
	if (!av) {
		w->broken = "out of memory allocating an anon_vma";
		return NULL;
	}
	av->w = w;
	av->id = ++w->next_anon_id;
	return av;
}

static void anon_vma_put(anon_vma *av)
{
	if (av && --av->refs == 0)
		oa_free(av->w, OA_ANON_VMA, av);
}

void anon_vma_set(vma *v, anon_vma *av, bool forked)
{
	if (av)
		av->refs++;
	anon_vma_put(v->av);
	v->av = av;
	v->av_forked = av ? forked : false;
}

void vma_unlink_free(oracle_proc *p, vma *v)
{
	tree_remove(&p->vmas, &v->node);
	p->map_count--;
	anon_vma_put(v->av);
	if (v->file)
		file_put(p->w, v->file);
	oa_free(p->w, OA_VMA, v);
}

/*
 * Moves a VMA's range. A new start is written into the key in place: the
 * callers only move a start into space no other VMA occupies, so the VMA's
 * position in address order, and so in the tree, cannot change.
 */
static void vma_set_range(oracle_proc *p, vma *v, uint64_t start, uint64_t end,
			  uint64_t pgoff)
{
	(void)p;
	v->start = start;
	v->node.key = start;
	v->end = end;
	v->pgoff = pgoff;
}

bool vma_is_anonymous(const vma *v) { return v->file == NULL; }

/* mm/internal.h: is_data_mapping(); VM_STACK is VM_GROWSDOWN on x86. */
bool is_data_mapping(uint64_t flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) == VM_WRITE;
}

/* mm/mmap.c: vm_stat_account(). */
void vm_stat_account(oracle_proc *p, uint64_t flags, int64_t npages)
{
	p->total_vm += npages;
	if ((flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) == VM_EXEC)
		p->exec_vm += npages;
	else if (flags & VM_GROWSDOWN)
		p->stack_vm += npages;
	else if (is_data_mapping(flags))
		p->data_vm += npages;
}

/* mm/mmap.c: may_expand_vm(): RLIMIT_AS, then RLIMIT_DATA for data mappings. */
bool may_expand_vm(const oracle_proc *p, uint64_t flags, uint64_t npages)
{
	if (p->total_vm + npages > rlimit(p, LX_RLIMIT_AS) >> PAGE_SHIFT)
		return false;
	if (is_data_mapping(flags) &&
	    p->data_vm + npages > rlimit(p, LX_RLIMIT_DATA) >> PAGE_SHIFT) {
		/* The Valgrind workaround: RLIMIT_DATA == 0 checks the hard limit. */
		if (rlimit(p, LX_RLIMIT_DATA) == 0 &&
		    p->data_vm + npages <= p->rlim_max[LX_RLIMIT_DATA] >> PAGE_SHIFT)
			return true;
		return false;
	}
	return true;
}

/*
 * __split_vma(): v keeps [v->start, addr), a new VMA takes [addr, v->end).
 * No map_count check (munmap and MAP_FIXED use this). Returns 0, -EINVAL
 * when vm_ops->may_split refuses (hugetlb alignment, special mappings), or
 * -ENOMEM when the model runs out of memory.
 */
int __split_vma(oracle_proc *p, vma *v, uint64_t addr, vma **lower, vma **upper)
{
	ORACLE_ASSERT(addr > v->start && addr < v->end && !(addr & ~PAGE_MASK));
	/* vm_ops->may_split: hugetlb_vm_op_split() refuses unaligned splits. */
	if (v->file && v->file->hugetlb && (addr & (v->file->hugetlb - 1)))
		return -LX_EINVAL;
	/* special_mapping_split() (mm/mmap.c): [vdso], [vvar] and the other
	 * special mappings are never split, so munmap, mprotect, MAP_FIXED
	 * and the rest fail with EINVAL over part of one (found by fuzz_diff). */
	if (v->special)
		return -LX_EINVAL;
	vma *n = vma_alloc(p);
	if (!n)
		return -LX_ENOMEM;
	*n = *v;
	memset(&n->node, 0, sizeof(n->node));
	n->start = addr;
	n->pgoff = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	n->av = NULL;
	anon_vma_set(n, v->av, v->av_forked);     /* anon_vma_clone() */
	n->no_merge_check = false;                /* a new boundary */
	if (n->file)
		n->file->refs++;
	v->end = addr;
	vma_link(p, n, v);
	if (lower)
		*lower = v;
	if (upper)
		*upper = n;
	return 0;
}

/* split_vma(): fails with ENOMEM at map_count >= max_map_count. */
int split_vma(oracle_proc *p, vma *v, uint64_t addr, vma **lower, vma **upper)
{
	if (p->map_count >= p->w->prof.max_map_count)
		return -LX_ENOMEM;
	return __split_vma(p, v, addr, lower, upper);
}

/* is_mergeable_vma(): flags (but VM_IGNORE_MERGE), file; policy/uffd/names are always default here. */
static bool is_mergeable_vma(const vmg *g, const vma *v)
{
	if ((v->flags ^ g->flags) & ~VM_IGNORE_MERGE)
		return false;
	return v->file == g->file;
}

static bool vma_had_uncowed_parents(const vma *v)
{
	return v && v->av && v->av_forked;
}

/*
 * is_mergeable_anon_vma(). 6.16 and later (upstream 879bca0a2c4f, "mm/vma:
 * fix incorrectly disallowed anonymous VMA merges") distinguish three cases
 * and let a faulted VMA merge with an unfaulted neighbour. Before, a NULL
 * anon_vma on one side merged only when the other VMA's anon_vma_chain was
 * singular, which an unfaulted target (empty chain) never is.
 */
static bool is_mergeable_anon_vma(const oracle_proc *p, const vmg *g, const vma *tgt)
{
	anon_vma *tgt_anon = tgt->av, *src_anon = g->av;
	if (prof_at_least(p, 6, 16)) {
		if (!tgt_anon && src_anon)
			return !vma_had_uncowed_parents(g->middle);
		if (tgt_anon && !src_anon)
			return !vma_had_uncowed_parents(tgt);
		return src_anon == tgt_anon;
	}
	bool tgt_singular = tgt_anon && !tgt->av_forked;
	if ((!src_anon || !tgt_anon) && tgt_singular)
		return true;
	return src_anon == tgt_anon;
}

/* can_vma_merge_before(): the proposed range can merge in front of next. */
static bool can_vma_merge_before(const oracle_proc *p, const vmg *g)
{
	uint64_t pglen = (g->end - g->start) >> PAGE_SHIFT;
	return is_mergeable_vma(g, g->next) && is_mergeable_anon_vma(p, g, g->next) &&
	       g->next->pgoff == g->pgoff + pglen;
}

/* can_vma_merge_after(): the proposed range can merge behind prev. */
static bool can_vma_merge_after(const oracle_proc *p, const vmg *g)
{
	return is_mergeable_vma(g, g->prev) && is_mergeable_anon_vma(p, g, g->prev) &&
	       g->prev->pgoff + vma_pages(g->prev) == g->pgoff;
}

static bool can_vma_merge_left(const oracle_proc *p, const vmg *g)
{
	return g->prev && g->prev->end == g->start && can_vma_merge_after(p, g);
}

static bool can_vma_merge_right(const oracle_proc *p, const vmg *g, bool can_merge_left)
{
	if (!g->next || g->end != g->next->start || !can_vma_merge_before(p, g))
		return false;
	if (!can_merge_left)
		return true;
	/* prev and next must also be compatible with each other. */
	return !g->prev->av || !g->next->av || g->prev->av == g->next->av;
}

/* dup_anon_vma(): the expanding VMA takes the anon_vma of the one it absorbs. */
static void dup_anon_vma(vma *dst, const vma *src)
{
	if (src->av && !dst->av)
		anon_vma_set(dst, src->av, src->av_forked);
}

static void remove_merged(oracle_proc *p, vma *v)
{
	vma_unlink_free(p, v);
}

vma *vma_merge_new_range(oracle_proc *p, vmg *g)
{
	vma *prev = g->prev, *next = g->next;
	if ((g->flags & VM_SPECIAL) || (!prev && !next))
		return NULL;
	bool left = can_vma_merge_left(p, g);
	bool right = !g->just_expand && can_vma_merge_right(p, g, left);
	/* Both boundaries of the new range are tried (the upper one unless
	 * only expanding); a right merge moves next's start to g->start. */
	if (next && next->start == g->end && !g->just_expand)
		next->no_merge_check = false;
	/* Sticky flags of every part end up on the merged VMA. */
	uint64_t sticky = g->flags & VM_STICKY;
	/*
	 * Before 6.12, mmap_region() tried next first and then prev with
	 * next's anon_vma (v6.1 mm/mmap.c, "Attempt to expand an old
	 * mapping"): when both could merge alone but not together, next
	 * grew down. 6.12's vma_merge_new_range() (commit cacded5e42b9) tries
	 * prev first.
	 */
	if (g->next_first && left && !right && !g->just_expand && can_vma_merge_right(p, g, false)) {
		left = false;
		right = true;
	}
	if (left && right) {
		dup_anon_vma(prev, next);
		uint64_t end = next->end;
		sticky |= next->flags & VM_STICKY;
		remove_merged(p, next);
		vma_set_range(p, prev, prev->start, end, prev->pgoff);
		prev->flags |= sticky;
		return prev;
	}
	if (left) {
		vma_set_range(p, prev, prev->start, g->end, prev->pgoff);
		prev->flags |= sticky;
		return prev;
	}
	if (right) {
		vma_set_range(p, next, g->start, next->end, g->pgoff);
		next->flags |= sticky;
		return next;
	}
	return NULL;
}

/* vma_modify(): the boundaries at start and end were tried (or made by a split). */
static vma *modified(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	boundary_tried(p, start);
	boundary_tried(p, end);
	return v;
}

/*
 * vma_merge_existing_range(): [g->start, g->end) of g->middle is getting
 * g->flags. Merges with prev only if the range starts at middle's start, with
 * next only if it ends at middle's end.
 */
static vma *vma_merge_existing_range(oracle_proc *p, vmg *g)
{
	vma *middle = g->middle, *prev = g->prev, *next = NULL;
	bool left_side = g->start == middle->start;
	bool right_side = g->end == middle->end;
	bool merge_left = false, merge_right = false;

	if ((g->flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;
	if (left_side)
		merge_left = can_vma_merge_left(p, g);
	if (right_side) {
		next = g->next = vma_next(middle);
		merge_right = can_vma_merge_right(p, g, merge_left);
	}
	if (!merge_left && !merge_right)
		return NULL;

	bool remove_middle = left_side && right_side;
	/* Sticky flags: the range's new flags and every VMA merged. */
	uint64_t sticky = (g->flags & VM_STICKY) | (merge_left ? prev->flags & VM_STICKY : 0) |
			  (merge_right ? next->flags & VM_STICKY : 0);
	if (merge_left && merge_right) {
		/* prev extends over middle and next; both go. */
		dup_anon_vma(prev, next->av ? next : middle);
		uint64_t end = next->end;
		remove_merged(p, middle);
		remove_merged(p, next);
		vma_set_range(p, prev, prev->start, end, prev->pgoff);
		prev->flags |= sticky;
		return prev;
	}
	if (merge_left) {
		dup_anon_vma(prev, middle);
		uint64_t end = g->end;
		if (remove_middle) {
			remove_merged(p, middle);
		} else {
			uint64_t delta = (end - middle->start) >> PAGE_SHIFT;
			vma_set_range(p, middle, end, middle->end, middle->pgoff + delta);
		}
		vma_set_range(p, prev, prev->start, end, prev->pgoff);
		prev->flags |= sticky;
		return prev;
	}
	/* merge_right: next extends down over the range. */
	uint64_t pglen = (g->end - g->start) >> PAGE_SHIFT;
	dup_anon_vma(next, middle);
	if (remove_middle) {
		uint64_t start = middle->start;
		remove_merged(p, middle);
		vma_set_range(p, next, start, next->end, next->pgoff - pglen);
	} else {
		middle->end = g->start;
		vma_set_range(p, next, g->start, next->end, next->pgoff - pglen);
	}
	next->flags |= sticky;
	return next;
}

vma *vma_modify_flags(oracle_proc *p, vma *prev, vma *v, uint64_t start,
		      uint64_t end, uint64_t newflags, int *err)
{
	vmg g = {
		.prev = prev, .middle = v, .start = start, .end = end,
		.flags = newflags, .pgoff = v->pgoff + ((start - v->start) >> PAGE_SHIFT),
		.file = v->file, .av = v->av,
	};
	vma *merged = vma_merge_existing_range(p, &g);
	if (merged)
		return modified(p, merged, start, end);
	if (v->start < start) {
		vma *upper;
		int e = split_vma(p, v, start, NULL, &upper);
		if (e) {
			*err = e;
			return NULL;
		}
		v = upper;
	}
	if (v->end > end) {
		int e = split_vma(p, v, end, NULL, NULL);
		if (e) {
			/* The first split stays: the kernel does not undo it. */
			v->no_merge_check = true;
			if (vma_prev_of(v))
				vma_prev_of(v)->no_merge_check = true;
			*err = e;
			return NULL;
		}
	}
	return modified(p, v, start, end);
}

/*
 * The VMAs a MAP_FIXED mapping replaces are gathered first (split at the
 * ends); any error after that re-attaches them but keeps the splits.
 */
int vms_gather_munmap_vmas(oracle_proc *p, uint64_t start, uint64_t end, gather *gt)
{
	gt->first = NULL;
	gt->nr_pages = gt->nr_accounted = 0;
	vma *v = find_vma_intersection(p, start, end);
	if (!v)
		return 0;
	bool split_start = false;
	if (start > v->start) {
		if (end < v->end && p->map_count >= p->w->prof.max_map_count)
			return -LX_ENOMEM;
		if (v->flags & VM_SEALED)
			return -LX_EPERM;
		vma *upper;
		int e = __split_vma(p, v, start, NULL, &upper);
		if (e)
			return e;
		v = upper;
		split_start = true;
	}
	for (vma *it = v; it && it->start < end; it = vma_next(it)) {
		if (it->flags & VM_SEALED) {
			if (split_start)
				vma_prev_of(v)->no_merge_check = v->no_merge_check = true;
			return -LX_EPERM;
		}
		if (it->end > end) {
			int e = __split_vma(p, it, end, NULL, NULL);
			if (e) {
				if (split_start)
					vma_prev_of(v)->no_merge_check = v->no_merge_check = true;
				return e;
			}
		}
		gt->nr_pages += vma_pages(it);
		if (it->flags & VM_ACCOUNT)
			gt->nr_accounted += vma_pages(it);
	}
	gt->first = v;
	return 0;
}

/* On a failure after gathering, the split pieces stay as they are. */
void gather_abort(oracle_proc *p, gather *gt, uint64_t end)
{
	if (!gt->first)
		return;
	gt->first->no_merge_check = true;
	if (vma_prev_of(gt->first))
		vma_prev_of(gt->first)->no_merge_check = true;
	vma *last = vma_prev_of(gt->first);
	for (vma *it = gt->first; it && it->start < end; it = vma_next(it))
		last = it;
	if (last) {
		last->no_merge_check = true;
		if (vma_next(last))
			vma_next(last)->no_merge_check = true;
	}
}

void gather_complete(oracle_proc *p, gather *gt, uint64_t end)
{
	vma *next;
	for (vma *it = gt->first; it && it->start < end; it = next) {
		next = vma_next(it);
		uint64_t n = vma_pages(it);
		vm_stat_account(p, it->flags, -(int64_t)n);
		if (it->flags & VM_LOCKED)
			p->locked_vm -= n;
		zap_page_range(p, it->start, it->end);
		vma_unlink_free(p, it);
	}
}

/*
 * do_vmi_munmap(): the argument checks, then the same gather/commit as a
 * MAP_FIXED mmap. A sealed VMA anywhere in the range fails the whole call
 * with EPERM before anything is unmapped; splits made before stay.
 */
int do_vmi_munmap(oracle_proc *p, uint64_t start, uint64_t len)
{
	uint64_t task_size = p->w->prof.task_size;
	if ((start & ~PAGE_MASK) || start > task_size || len > task_size - start)
		return -LX_EINVAL;
	uint64_t end = start + PAGE_ALIGN(len);
	if (end == start)
		return -LX_EINVAL;
	gather gt;
	int err = vms_gather_munmap_vmas(p, start, end, &gt);
	if (err)
		return err;
	/* munmap never merges; neighbours may now sit next to a hole, nothing more. */
	gather_complete(p, &gt, end);
	return 0;
}
