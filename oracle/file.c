/* SPDX-License-Identifier: MIT */
/*
 * file.c: open descriptors and memfd files, mirroring fs/file.c (alloc_fd,
 * dup_fd), mm/memfd.c (memfd_create), fs/open.c (do_sys_ftruncate,
 * do_ftruncate, do_truncate), fs/attr.c (setattr_prepare, inode_newsize_ok)
 * and mm/shmem.c (shmem_setattr, shmem_truncate_range) of Linux 6.18.
 *
 * Each process has a descriptor table: fdt[fd] is the memfd open there. A
 * memfd is an oracle_file (a shmem inode and its struct file: nothing in
 * the case language can reopen or dup one, so they never differ); its page
 * cache is the file's `pages` tree, shared by every mapping of the file in
 * every process. fork copies the table (the child's descriptors share the
 * parent's files); exit closes them. The descriptors the executor keeps for
 * itself are "foreign" (oracle_proc_add_foreign_fd): they occupy their
 * numbers, so memfd_create never returns them.
 *
 * Faults on file pages are in pages.c (do_file_fault); mmap's file path is
 * in mmap.c.
 */
#include <stdlib.h>

#include "oracleInt.h"

#define MFD_NAME_PREFIX_LEN 6 /* "memfd:" */
#define MFD_NAME_MAX_LEN (255 - MFD_NAME_PREFIX_LEN) /* NAME_MAX - prefix */
#define MFD_ALL_FLAGS \
	(LX_MFD_CLOEXEC | LX_MFD_ALLOW_SEALING | LX_MFD_HUGETLB | LX_MFD_NOEXEC_SEAL | LX_MFD_EXEC)
#define MFD_HUGE_SHIFT 26
#define MFD_HUGE_MASK 0x3fU
#define NR_OPEN_DEFAULT 1048576ULL /* fs.nr_open */

oracle_file *fd_file(const oracle_proc *p, uint64_t fd)
{
	uint32_t n = (uint32_t)fd; /* descriptors are unsigned ints */
	return n < p->nfdt ? p->fdt[n] : NULL;
}

static bool fd_foreign(const oracle_proc *p, uint64_t fd)
{
	for (int i = 0; i < p->nforeign; i++)
		if ((uint64_t)(uint32_t)p->foreign_fd[i] == fd)
			return true;
	return false;
}

/* fd_install(): grows the table as expand_files() does. */
static int fd_install(oracle_proc *p, uint64_t fd, oracle_file *f)
{
	if (fd >= p->nfdt) {
		uint32_t n = p->nfdt ? p->nfdt : 16;
		while (n <= fd)
			n *= 2;
		oracle_file **t = realloc(p->fdt, n * sizeof(*t));
		if (!t) {
			p->w->broken = "out of memory growing a descriptor table";
			return -LX_ENOMEM;
		}
		memset(t + p->nfdt, 0, (n - p->nfdt) * sizeof(*t));
		p->fdt = t;
		p->nfdt = n;
	}
	p->fdt[fd] = f;
	return 0;
}

/*
 * alloc_fd(0, rlimit(RLIMIT_NOFILE)): the lowest free descriptor, EMFILE
 * when it is at or above the soft limit (or fs.nr_open).
 */
static int64_t get_unused_fd(const oracle_proc *p)
{
	uint64_t end = rlimit(p, LX_RLIMIT_NOFILE);
	if (end > NR_OPEN_DEFAULT)
		end = NR_OPEN_DEFAULT;
	for (uint64_t fd = 0; fd < end; fd++)
		if (!fd_file(p, fd) && !fd_foreign(p, fd))
			return (int64_t)fd;
	return -LX_EMFILE;
}

int dup_fd(oracle_proc *c, const oracle_proc *p)
{
	if (!p->nfdt)
		return 0;
	c->fdt = calloc(p->nfdt, sizeof(*c->fdt));
	if (!c->fdt) {
		c->w->broken = "out of memory copying a descriptor table";
		return -LX_ENOMEM;
	}
	c->nfdt = p->nfdt;
	for (uint32_t i = 0; i < p->nfdt; i++)
		if ((c->fdt[i] = p->fdt[i]))
			c->fdt[i]->refs++;
	return 0;
}

void exit_files(oracle_proc *p)
{
	for (uint32_t i = 0; i < p->nfdt; i++)
		if (p->fdt[i])
			file_put(p->w, p->fdt[i]);
	free(p->fdt);
	p->fdt = NULL;
	p->nfdt = 0;
}

/* sanitize_flags() with check_sysctl_memfd_noexec(). */
static int sanitize_flags(const oracle_proc *p, uint32_t *flagsp)
{
	uint32_t flags = *flagsp;
	uint32_t all = MFD_ALL_FLAGS;
	/*
	 * MFD_NOEXEC_SEAL, MFD_EXEC and vm.memfd_noexec came with 6.3 (commit
	 * 105ff5339f49 "mm/memfd: add MFD_NOEXEC_SEAL and MFD_EXEC"); before,
	 * they are unknown bits, EINVAL like any other.
	 */
	if (!oracle_profile_at_least(&p->w->prof, 6, 3))
		all &= ~(uint32_t)(LX_MFD_NOEXEC_SEAL | LX_MFD_EXEC);
	if (!(flags & LX_MFD_HUGETLB)) {
		if (flags & ~all)
			return -LX_EINVAL;
	} else if (flags & ~(all | (MFD_HUGE_MASK << MFD_HUGE_SHIFT))) {
		return -LX_EINVAL; /* huge page size bits are allowed with MFD_HUGETLB only */
	}
	if (!oracle_profile_at_least(&p->w->prof, 6, 3)) {
		*flagsp = flags;
		return 0;
	}
	if ((flags & LX_MFD_EXEC) && (flags & LX_MFD_NOEXEC_SEAL))
		return -LX_EINVAL;
	int sysctl = p->w->prof.memfd_noexec;
	if (!(flags & (LX_MFD_EXEC | LX_MFD_NOEXEC_SEAL)))
		flags |= sysctl >= 1 ? LX_MFD_NOEXEC_SEAL : LX_MFD_EXEC;
	if (!(flags & LX_MFD_NOEXEC_SEAL) && sysctl >= 2)
		return -LX_EACCES; /* MEMFD_NOEXEC_SCOPE_NOEXEC_ENFORCED */
	*flagsp = flags;
	return 0;
}

static int64_t do_memfd_create(oracle_proc *p, const char *name, uint64_t flags64)
{
	uint32_t flags = (uint32_t)flags64; /* the syscall's flags are an unsigned int */
	int err = sanitize_flags(p, &flags);
	if (err)
		return err;
	/* alloc_name(): strncpy_from_user() of at most NAME_MAX - 6 + 1 bytes. */
	if (!name)
		return -LX_EFAULT;
	if (strnlen(name, MFD_NAME_MAX_LEN + 1) > MFD_NAME_MAX_LEN)
		return -LX_EINVAL;
	int64_t fd = get_unused_fd(p);
	if (fd < 0)
		return fd;
	/* alloc_file(): hugetlb_file_setup() or shmem_file_setup(), size 0. */
	uint64_t huge = 0;
	if (flags & LX_MFD_HUGETLB) {
		/* get_hstate_idx(): 0 is the default hstate (2 MiB on x86-64);
		 * a size without an hstate is ENODEV. */
		unsigned log = (flags >> MFD_HUGE_SHIFT) & MFD_HUGE_MASK;
		if (!log)
			log = 21;
		if (!((p->w->prof.hugepage_sizes >> log) & 1))
			return -LX_ENODEV;
		huge = 1ULL << log;
	}
	oracle_file *f = file_new(p->w);
	if (!f)
		return -LX_ENOMEM;
	f->hugetlb = huge;
	if (fd_install(p, (uint64_t)fd, f)) {
		file_put(p->w, f);
		return -LX_ENOMEM;
	}
	return fd;
}

int64_t oracle_memfd_create(oracle_proc *p, const char *name, uint64_t flags)
{
	int64_t r = do_memfd_create(p, name, flags);
	oracle_after_mutation(p);
	return r;
}

/*
 * unmap_mapping_range(mapping, first << PAGE_SHIFT, 0, even_cows = 1):
 * every PTE of every process that maps the file at an offset at or past
 * first goes, private copies (anonymous COW pages) included.
 */
static void unmap_mapping_range(oracle_world *w, oracle_file *f, uint64_t first)
{
	for (int i = 0; i < w->nprocs; i++) {
		oracle_proc *p = w->procs[i];
		for (vma *v = vma_of(tree_first(&p->vmas)); v; v = vma_next(v)) {
			if (v->file != f || v->pgoff + vma_pages(v) <= first)
				continue;
			uint64_t start = v->start;
			if (first > v->pgoff)
				start += (first - v->pgoff) << PAGE_SHIFT;
			zap_page_range_single(p, start, v->end); /* guard markers stay */
		}
	}
}

/*
 * shmem_truncate_range(inode, newsize, -1) -> shmem_undo_range(): the
 * page-cache pages wholly past newsize go; the page newsize falls inside
 * (truncate_inode_partial_folio()) keeps its head and has its tail zeroed,
 * and is dirtied first (folio_mark_dirty() before the partial truncation),
 * so a page only ever read is dirty from then on: MADV_PAGEOUT without swap
 * cannot write it out (shmem_writeout) and it stays in the page cache.
 */
static int shmem_truncate_range(oracle_world *w, oracle_file *f, uint64_t newsize)
{
	pcache_drop_from(w, f, PAGE_ALIGN(newsize) >> PAGE_SHIFT);
	if (newsize & ~PAGE_MASK) {
		tree_node *n = tree_floor(&f->pages, newsize >> PAGE_SHIFT);
		if (n && n->key == newsize >> PAGE_SHIFT) {
			frame *pg = tree_entry(n, pcache_entry, node)->f;
			pg->dirty = true;
			return frame_zero_from(w, pg, newsize & ~PAGE_MASK);
		}
	}
	return 0;
}

/*
 * shmem_fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) over the
 * whole pages [first, last): unmap_mapping_range(..., even_cows = 0) takes
 * the page-cache pages out of every mapping but leaves private COW copies
 * ("hole-punching leaves COWed pages") and guard markers, then
 * shmem_truncate_range() frees the pages; i_size stays.
 */
void shmem_punch_hole(oracle_world *w, oracle_file *f, uint64_t first, uint64_t last)
{
	for (int i = 0; i < w->nprocs; i++) {
		oracle_proc *p = w->procs[i];
		for (vma *v = vma_of(tree_first(&p->vmas)); v; v = vma_next(v)) {
			uint64_t lo = v->pgoff > first ? v->pgoff : first;
			uint64_t hi = v->pgoff + vma_pages(v) < last ? v->pgoff + vma_pages(v) : last;
			if (v->file != f || lo >= hi)
				continue;
			uint64_t vpn = (v->start >> PAGE_SHIFT) + (lo - v->pgoff);
			uint64_t end_vpn = vpn + (hi - lo);
			pte *e;
			while ((e = pte_next(p, vpn, end_vpn))) {
				vpn = e->vpn + 1;
				if (e->f && !e->f->anon)
					pte_clear(p, e);
			}
		}
	}
	tree_node *n = tree_ceil(&f->pages, first);
	while (n && n->key < last) {
		tree_node *next = tree_next(n);
		pcache_entry *pc = tree_entry(n, pcache_entry, node);
		tree_remove(&f->pages, n);
		frame_put(w, pc->f);
		oa_free(w, OA_PCACHE, pc);
		n = next;
	}
}

static int64_t do_ftruncate(oracle_proc *p, uint64_t fd, uint64_t length)
{
	/* do_sys_ftruncate(): the length is an off_t, checked before the fd. */
	if ((int64_t)length < 0)
		return -LX_EINVAL;
	oracle_file *f = fd_file(p, fd);
	if (!f)
		/* fdget() fails: EBADF. The executor's own /proc files are open
		 * read-only: do_ftruncate() refuses them without FMODE_WRITE. */
		return fd_foreign(p, (uint32_t)fd) ? -LX_EINVAL : -LX_EBADF;
	/* do_ftruncate(): a memfd is a regular file opened O_RDWR|O_LARGEFILE,
	 * never append-only. shmem_setattr() and hugetlbfs_setattr() begin
	 * with setattr_prepare() -> inode_newsize_ok(): growth past
	 * RLIMIT_FSIZE sends SIGXFSZ and fails with EFBIG (the executor's
	 * sandbox ignores SIGXFSZ, so the program sees the EFBIG);
	 * MAX_LFS_FILESIZE is every non-negative off_t. */
	uint64_t oldsize = f->size, newsize = length;
	uint64_t limit = rlimit(p, LX_RLIMIT_FSIZE);
	if (newsize > oldsize && limit != LX_RLIM_INFINITY && newsize > limit)
		return -LX_EFBIG;
	if (f->hugetlb) {
		/* hugetlbfs_setattr(): whole huge pages only. Nothing of such a
		 * file is ever mapped in the model (mmap is unmodelled). */
		if (newsize & (f->hugetlb - 1))
			return -LX_EINVAL;
		f->size = newsize;
		return 0;
	}
	/* shmem_setattr(): seals (F_SEAL_SHRINK/GROW) cannot be set by a
	 * program; a memfd is VM_NORESERVE, so shmem_reacct_size() charges
	 * nothing. Growth only moves i_size: bytes written through a mapping
	 * past the old end of the last page stay and are now file contents. */
	f->size = newsize;
	if (newsize <= oldsize) {
		uint64_t holebegin = PAGE_ALIGN(newsize);
		if (oldsize > holebegin)
			unmap_mapping_range(p->w, f, holebegin >> PAGE_SHIFT);
		/* if (info->alloced): a page was ever allocated. */
		if (f->pages.count && shmem_truncate_range(p->w, f, newsize))
			return -LX_ENOMEM;
	}
	return 0;
}

int64_t oracle_ftruncate(oracle_proc *p, uint64_t fd, uint64_t length)
{
	int64_t r = do_ftruncate(p, fd, length);
	oracle_after_mutation(p);
	return r;
}
