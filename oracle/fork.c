/* SPDX-License-Identifier: MIT */
/*
 * fork.c: fork, exit and wait, mirroring dup_mmap() (mm/mmap.c in 6.18),
 * anon_vma_fork() (mm/rmap.c), copy_page_range()/vma_needs_copy()
 * (mm/memory.c) and mm_init() (kernel/fork.c).
 *
 * The child gets every VMA but VM_DONTCOPY ones, with the same bounds,
 * flags (less VM_LOCKED/VM_LOCKONFAULT), pgoff and file; no merging happens.
 * A VMA whose parent had an anon_vma gets a new one whose chain includes the
 * parent's, so it is a "fork child" that will not merge with new neighbours.
 * Page tables are copied only where vma_needs_copy() says so (the parent VMA
 * has an anon_vma); private pages are then shared copy-on-write, write
 * protected on both sides. VM_WIPEONFORK VMAs get neither anon_vma nor pages.
 */
#include <stdlib.h>

#include "oracleInt.h"

int oracle_proc_pid(const oracle_proc *p) { return p->pid; }

/* copy_page_range() for one VMA: share every present page. */
static int copy_page_range(oracle_proc *dst, oracle_proc *src, const vma *v)
{
	uint64_t vpn = v->start >> PAGE_SHIFT, end = v->end >> PAGE_SHIFT;
	bool cow = (v->flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE; /* is_cow_mapping() */
	pte *e;
	while ((e = pte_next(src, vpn, end))) {
		vpn = e->vpn + 1;
		bool writable = e->writable;
		if (cow) {
			/* Both sides lose write access until the next write fault. */
			e->writable = false;
			writable = false;
		}
		if (!pte_install(dst, e->vpn, e->f, writable))
			return -LX_ENOMEM;
	}
	return 0;
}

static oracle_proc *dup_mmap(oracle_proc *p)
{
	oracle_world *w = p->w;
	oracle_proc *c = proc_new(w);
	if (!c)
		return NULL;
	c->parent = p;
	memcpy(c->rlim_cur, p->rlim_cur, sizeof(c->rlim_cur));
	memcpy(c->rlim_max, p->rlim_max, sizeof(c->rlim_max));
	c->caps = p->caps;
	c->placement = p->placement;
	c->mmap_base = p->mmap_base;
	c->start_brk = p->start_brk;
	c->brk = p->brk;
	c->start_stack = p->start_stack;
	c->start_data = p->start_data;
	c->end_data = p->end_data;
	memcpy(c->foreign_fd, p->foreign_fd, sizeof(c->foreign_fd));
	memcpy(c->foreign_noexec, p->foreign_noexec, sizeof(c->foreign_noexec));
	c->nforeign = p->nforeign;
	/* copy_files() -> dup_fd(): the child's descriptors share the files. */
	if (dup_fd(c, p))
		return NULL;
	/* mm_init(): locked_vm 0; def_flags keep only VM_NOHUGEPAGE (no MCL_FUTURE). */
	c->def_flags = p->def_flags & VM_NOHUGEPAGE;

	vma *prev = NULL;
	for (vma *v = vma_of(tree_first(&p->vmas)); v; v = vma_next(v)) {
		if (v->flags & VM_DONTCOPY)
			continue;
		vma *t = vma_alloc(c);
		if (!t)
			return NULL;
		*t = *v;
		memset(&t->node, 0, sizeof(t->node));
		t->av = NULL;
		t->av_forked = false;
		/* dup_mmap() copies VMAs one by one and never merges: copies
		 * that became indistinguishable (VM_LOCKED dropped, WIPEONFORK
		 * or a fresh anon_vma per copy) stay apart until an operation
		 * tries a merge at their boundary. */
		t->no_merge_check = true;
		t->flags &= ~VM_LOCKED_MASK;
		if (t->file)
			t->file->refs++;
		if (!(v->flags & VM_WIPEONFORK) && v->av) {
			/* anon_vma_fork(): a new anon_vma linked to the parent's. */
			anon_vma *av = anon_vma_new(w);
			if (!av) {
				oa_free(w, OA_VMA, t);
				return NULL;
			}
			anon_vma_set(t, av, true);
		}
		vma_link(c, t, prev);
		prev = t;
		vm_stat_account(c, t->flags, (int64_t)vma_pages(t));
		if (!(v->flags & VM_WIPEONFORK) && (v->av || (v->flags & (VM_PFNMAP | VM_MIXEDMAP | VM_MAYBE_GUARD))))
			if (copy_page_range(c, p, v))
				return NULL;
	}
	return c;
}

oracle_proc *oracle_fork(oracle_proc *p, int64_t *pid)
{
	/*
	 * kernel/fork.c copy_process(): is_rlimit_overlimit(UCOUNT_RLIMIT_NPROC)
	 * fails the fork with EAGAIN when the user's process count exceeds
	 * RLIMIT_NPROC, unless CAP_SYS_RESOURCE or CAP_SYS_ADMIN. The count
	 * is machine-wide for the user (other sandboxes share it) and the
	 * model does not know it, but it is at least 1 (this process): a
	 * limit of 0 fails for certain.
	 */
	if (rlimit(p, LX_RLIMIT_NPROC) == 0 && !capable(p, LX_CAP_SYS_RESOURCE) &&
	    !capable(p, LX_CAP_SYS_ADMIN)) {
		*pid = -LX_EAGAIN;
		return NULL;
	}
	oracle_proc *c = dup_mmap(p);
	if (!c) {
		if (!p->w->broken)
			p->w->broken = "out of memory or processes forking";
		*pid = -LX_ENOMEM;
		return NULL;
	}
	*pid = c->pid;
	oracle_after_mutation(p);
	return c;
}

void oracle_exit(oracle_proc *p, int status)
{
	/* exit_mmap(): everything goes, pages return to their other mappers. */
	proc_teardown(p);
	p->dead = true;
	p->exit_status = status & 0xff;
	oracle_after_mutation(p);
}

int64_t oracle_wait(oracle_proc *p, oracle_proc *child)
{
	if (!child || child->parent != p || child->reaped)
		return -LX_ECHILD;
	if (!child->dead)
		return -LX_EAGAIN; /* would block: the harness never lets a program get here */
	child->reaped = true;
	return child->exit_status;
}
