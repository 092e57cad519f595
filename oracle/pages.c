/* SPDX-License-Identifier: MIT */
/*
 * pages.c: page tables, physical pages and shared objects.
 *
 * Only touched pages exist. A frame is one physical page with a map count;
 * page-table entries point at frames, so the zero page, COW sharing after
 * fork and shared memory are all the same mechanism: several PTEs, one frame.
 * A frame's contents are allocated on the first non-zero write.
 */
#include <stdlib.h>

#include "oracleInt.h"

#define PT_MAX_VPN (1ULL << (8 + 3 * PT_BITS))
#define IDX(vpn, level) (((vpn) >> (PT_BITS * (level))) & (PT_ENTRIES - 1))

static bool leaf_has(const pt_leaf *l, unsigned i) { return (l->map[i >> 6] >> (i & 63)) & 1; }

pte *pte_lookup(const oracle_proc *p, uint64_t vpn)
{
	if (vpn >= PT_MAX_VPN)
		return NULL;
	const pt_upper *u = p->pt.top[vpn >> (3 * PT_BITS)];
	const pt_mid *m = u ? u->e[IDX(vpn, 2)] : NULL;
	pt_leaf *l = m ? m->e[IDX(vpn, 1)] : NULL;
	unsigned i = IDX(vpn, 0);
	return l && leaf_has(l, i) ? &l->e[i] : NULL;
}

pte *pte_next(const oracle_proc *p, uint64_t vpn, uint64_t end_vpn)
{
	if (end_vpn > PT_MAX_VPN)
		end_vpn = PT_MAX_VPN;
	while (vpn < end_vpn) {
		const pt_upper *u = p->pt.top[vpn >> (3 * PT_BITS)];
		if (!u) {
			vpn = ((vpn >> (3 * PT_BITS)) + 1) << (3 * PT_BITS);
			continue;
		}
		const pt_mid *m = u->e[IDX(vpn, 2)];
		if (!m) {
			vpn = ((vpn >> (2 * PT_BITS)) + 1) << (2 * PT_BITS);
			continue;
		}
		pt_leaf *l = m->e[IDX(vpn, 1)];
		if (!l) {
			vpn = ((vpn >> PT_BITS) + 1) << PT_BITS;
			continue;
		}
		/* The bitmap, a word at a time from vpn's slot on. */
		uint64_t base = vpn & ~(uint64_t)(PT_ENTRIES - 1);
		unsigned i = IDX(vpn, 0);
		uint64_t bits = l->map[i >> 6] & (~0ULL << (i & 63));
		for (unsigned wd = i >> 6;;) {
			if (bits) {
				unsigned at = wd * 64 + (unsigned)__builtin_ctzll(bits);
				return base + at < end_vpn ? &l->e[at] : NULL;
			}
			if (++wd == PT_ENTRIES / 64)
				break;
			bits = l->map[wd];
		}
		vpn = base + PT_ENTRIES;
	}
	return NULL;
}

/* The leaf for vpn, allocating the tables on the way; NULL on OOM. */
static pt_leaf *pt_leaf_get(oracle_proc *p, uint64_t vpn)
{
	pt_upper **up = &p->pt.top[vpn >> (3 * PT_BITS)];
	if (!*up && !(*up = oa_alloc(p->w, OA_TABLE)))
		return NULL;
	pt_mid **mp = &(*up)->e[IDX(vpn, 2)];
	if (!*mp) {
		if (!(*mp = oa_alloc(p->w, OA_TABLE)))
			return NULL;
		(*up)->used++;
	}
	pt_leaf **lp = &(*mp)->e[IDX(vpn, 1)];
	if (!*lp) {
		if (!(*lp = oa_alloc(p->w, OA_LEAF)))
			return NULL;
		(*mp)->used++;
	}
	return *lp;
}

/* Clears vpn's slot and frees tables that became empty. */
static void pt_unset(oracle_proc *p, uint64_t vpn)
{
	pt_upper **up = &p->pt.top[vpn >> (3 * PT_BITS)];
	pt_mid **mp = &(*up)->e[IDX(vpn, 2)];
	pt_leaf **lp = &(*mp)->e[IDX(vpn, 1)];
	unsigned i = IDX(vpn, 0);
	(*lp)->map[i >> 6] &= ~(1ULL << (i & 63));
	if (--(*lp)->used)
		return;
	oa_free(p->w, OA_LEAF, *lp);
	*lp = NULL;
	if (--(*mp)->used)
		return;
	oa_free(p->w, OA_TABLE, *mp);
	*mp = NULL;
	if (--(*up)->used)
		return;
	oa_free(p->w, OA_TABLE, *up);
	*up = NULL;
}

frame *frame_new(oracle_world *w, bool anon)
{
	frame *f = oa_alloc(w, OA_FRAME);
	if (!f) {
		w->broken = "out of memory allocating a page";
		return NULL;
	}
	f->id = ++w->next_frame_id;
	f->anon = anon;
	return f;
}

void frame_get(frame *f) { f->refs++; }

void frame_put(oracle_world *w, frame *f)
{
	if (--f->refs == 0 && !f->zero_page) {
		if (f->alt) {
			oa_free(w, OA_PAGE, f->alt->data);
			oa_free(w, OA_FRAME, f->alt);
		}
		oa_free(w, OA_PAGE, f->data);
		oa_free(w, OA_FRAME, f);
	}
}

static uint64_t frame_word(const frame *f, unsigned idx)
{
	for (unsigned i = 0; i < f->nwords; i++)
		if (f->widx[i] == idx)
			return f->wval[i];
	return 0;
}

void frame_read(const frame *f, size_t off, uint8_t *buf, size_t n)
{
	if (f->data) {
		memcpy(buf, f->data + off, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t word = frame_word(f, (unsigned)((off + i) >> 3));
		buf[i] = (uint8_t)(word >> (8 * ((off + i) & 7)));
	}
}

/* Turns the inline words into a full page buffer. */
static int frame_materialise(oracle_world *w, frame *f)
{
	f->data = oa_alloc(w, OA_PAGE);
	if (!f->data) {
		w->broken = "out of memory allocating page contents";
		return -1;
	}
	for (unsigned i = 0; i < f->nwords; i++)
		memcpy(f->data + 8 * f->widx[i], &f->wval[i], 8);
	f->nwords = 0;
	return 0;
}

int frame_write(oracle_world *w, frame *f, size_t off, const uint8_t *buf, size_t n)
{
	if (f->data) {
		memcpy(f->data + off, buf, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned idx = (unsigned)((off + i) >> 3), shift = 8 * ((off + i) & 7);
		unsigned k;
		for (k = 0; k < f->nwords && f->widx[k] != idx; k++)
			;
		if (k == f->nwords) {
			if (f->nwords == FRAME_INLINE_WORDS) {
				if (frame_materialise(w, f))
					return -1;
				return frame_write(w, f, off + i, buf + i, n - i);
			}
			f->widx[k] = (uint16_t)idx;
			f->wval[k] = 0;
			f->nwords++;
		}
		f->wval[k] = (f->wval[k] & ~(0xffULL << shift)) | ((uint64_t)buf[i] << shift);
	}
	return 0;
}

int frame_copy(oracle_world *w, frame *dst, const frame *src)
{
	if (src->data) {
		dst->data = oa_alloc(w, OA_PAGE);
		if (!dst->data) {
			w->broken = "out of memory allocating page contents";
			return -1;
		}
		memcpy(dst->data, src->data, PAGE_SIZE);
		return 0;
	}
	dst->nwords = src->nwords;
	memcpy(dst->widx, src->widx, sizeof(dst->widx));
	memcpy(dst->wval, src->wval, sizeof(dst->wval));
	return 0;
}

int frame_zero_from(oracle_world *w, frame *f, size_t off)
{
	(void)w;
	if (off >= PAGE_SIZE)
		return 0;
	if (f->data) {
		memset(f->data + off, 0, PAGE_SIZE - off);
		return 0;
	}
	unsigned k = 0;
	for (unsigned i = 0; i < f->nwords; i++) {
		size_t first = (size_t)f->widx[i] * 8;
		uint64_t val = f->wval[i];
		if (first >= off)
			continue;
		if (first + 8 > off)
			val &= (1ULL << (8 * (off - first))) - 1;
		f->widx[k] = f->widx[i];
		f->wval[k++] = val;
	}
	f->nwords = (uint16_t)k;
	return 0;
}

pte *pte_install(oracle_proc *p, uint64_t vpn, frame *f, bool writable)
{
	pt_leaf *leaf = vpn < PT_MAX_VPN ? pt_leaf_get(p, vpn) : NULL;
	if (!leaf) {
		p->w->broken = "out of memory allocating a page table";
		return NULL;
	}
	unsigned i = IDX(vpn, 0);
	pte *e = &leaf->e[i];
	memset(e, 0, sizeof(*e));
	e->vpn = vpn;
	e->f = f;
	e->writable = writable && f;
	if (f) {
		f->mapcount++;
		frame_get(f);
	}
	leaf->map[i >> 6] |= 1ULL << (i & 63);
	leaf->used++;
	p->pt.count++;
	return e;
}

void pte_clear(oracle_proc *p, pte *e)
{
	/* The entry lives in its leaf, which pt_unset() may free. */
	frame *f = e->f;
	pt_unset(p, e->vpn);
	p->pt.count--;
	if (f) {
		f->mapcount--;
		frame_put(p->w, f);
	}
}

static void zap_range(oracle_proc *p, uint64_t start, uint64_t end, bool drop_markers)
{
	uint64_t vpn = start >> PAGE_SHIFT, end_vpn = end >> PAGE_SHIFT;
	pte *e;
	while ((e = pte_next(p, vpn, end_vpn))) {
		vpn = e->vpn + 1;
		if (pte_is_guard(e) && !drop_markers)
			continue;
		pte_clear(p, e);
	}
}

void zap_page_range(oracle_proc *p, uint64_t start, uint64_t end)
{
	zap_range(p, start, end, true);
}

/*
 * zap_nonpresent_ptes(): "Ordinary zapping should not remove guard PTE
 * markers": only a caller passing ZAP_FLAG_DROP_MARKER (unmap_vmas() for
 * munmap and exit) drops them.
 */
void zap_page_range_single(oracle_proc *p, uint64_t start, uint64_t end)
{
	zap_range(p, start, end, false);
}

oracle_file *file_new(oracle_world *w)
{
	oracle_file *f = oa_alloc(w, OA_FILE);
	if (!f) {
		w->broken = "out of memory allocating a shared object";
		return NULL;
	}
	f->id = ++w->next_file_id;
	f->refs = 1;
	tree_init(&f->pages);
	return f;
}

void pcache_drop_from(oracle_world *w, oracle_file *f, uint64_t first)
{
	tree_node *n = tree_ceil(&f->pages, first);
	while (n) {
		tree_node *next = tree_next(n);
		pcache_entry *pc = tree_entry(n, pcache_entry, node);
		tree_remove(&f->pages, n);
		frame_put(w, pc->f);
		oa_free(w, OA_PCACHE, pc);
		n = next;
	}
}

void file_put(oracle_world *w, oracle_file *f)
{
	if (--f->refs)
		return;
	pcache_drop_from(w, f, 0);
	oa_free(w, OA_FILE, f);
}

/* The page-cache page at index, created (zero-filled) if absent. */
static frame *pcache_get(oracle_world *w, oracle_file *file, uint64_t index)
{
	tree_node *n = tree_floor(&file->pages, index);
	if (n && n->key == index)
		return tree_entry(n, pcache_entry, node)->f;
	pcache_entry *pc = oa_alloc(w, OA_PCACHE);
	frame *f = pc ? frame_new(w, false) : NULL;
	if (!f) {
		oa_free(w, OA_PCACHE, pc);
		w->broken = "out of memory allocating a page-cache page";
		return NULL;
	}
	frame_get(f);
	pc->f = f;
	pc->node.key = index;
	/* n, the floor of index, is its predecessor: insert beside it
	 * instead of walking from the root again (populate inserts page
	 * after page in order). */
	tree_insert_after(&file->pages, n, &pc->node);
	return f;
}

/*
 * anon_vma_prepare(): the first anonymous page of a VMA gives it an anon_vma,
 * reusing a neighbour's when find_mergeable_anon_vma() allows (next first,
 * then prev), so that later mprotect can merge them back.
 */
static bool anon_vma_compatible(const vma *a, const vma *b)
{
	return a->end == b->start && a->file == b->file &&
	       !((a->flags ^ b->flags) & ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE)) &&
	       b->pgoff == a->pgoff + ((b->start - a->start) >> PAGE_SHIFT);
}

int anon_vma_prepare(oracle_proc *p, vma *v)
{
	if (v->av)
		return 0;
	vma *next = vma_next(v), *prev = vma_prev_of(v);
	anon_vma *av = NULL;
	if (next && anon_vma_compatible(v, next) && next->av && !next->av_forked)
		av = next->av;
	else if (prev && anon_vma_compatible(prev, v) && prev->av && !prev->av_forked)
		av = prev->av;
	if (!av) {
		av = anon_vma_new(p->w);
		if (!av)
			return -LX_ENOMEM;
	}
	anon_vma_set(v, av, false);
	/*
	 * Sharing a neighbour's anon_vma can make two VMAs that could not merge
	 * when they were created indistinguishable now; the kernel leaves them
	 * apart until an operation tries a merge, so the checker must too.
	 */
	if (next && next->av == av)
		v->no_merge_check = next->no_merge_check = true;
	if (prev && prev->av == av)
		v->no_merge_check = prev->no_merge_check = true;
	return 0;
}

static uint64_t vma_pgoff_of(const vma *v, uint64_t addr)
{
	return v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
}

/* The page at index lies wholly past the end of the file (i_size). */
static bool beyond_eof(const oracle_file *f, uint64_t index)
{
	return index >= (f->size >> PAGE_SHIFT) + ((f->size & ~PAGE_MASK) != 0);
}

/* The PTE a file page gets: writable in a shared writable mapping (shmem
 * wants no write notification), read-only (to be COWed) in a private one. */
static bool file_pte_writable(const vma *v)
{
	return (v->flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE);
}

/*
 * do_fault_around() -> filemap_map_pages(): a read fault first maps every
 * page-cache page that is already there around the faulting address: the
 * fault_around_bytes (64 KiB, 16 pages) aligned block of virtual addresses,
 * clamped to the VMA, to the page table (2 MiB) and to the end of the file.
 * Pages that have a PTE already (a private copy, say) are left alone; the
 * others are mapped read-only in private mappings. Nothing is allocated.
 */
/*
 * A page MADV_PAGEOUT may have reclaimed gets a PTE again: the kernel
 * refaulted it (back into the cache if it had left), so this PTE is
 * certain; every other PTE of it may still be unmapped there.
 */
static void pageout_refaulted(oracle_world *w, frame *f)
{
	for (int i = 0; i < w->nprocs; i++) {
		oracle_proc *q = w->procs[i];
		uint64_t vpn = 0;
		pte *o;
		for (; q && !q->dead && (o = pte_next(q, vpn, ~0ULL)); vpn = o->vpn + 1)
			if (o->f == f)
				o->maybe_unmapped = true;
	}
	f->pageout = false;
}

static void do_fault_around(oracle_proc *p, vma *v, uint64_t addr)
{
	const uint64_t nr_pages = 16;
	uint64_t pte_off = (addr >> PAGE_SHIFT) & (PT_ENTRIES - 1);
	uint64_t vma_off = (addr - v->start) >> PAGE_SHIFT;
	uint64_t from = pte_off & ~(nr_pages - 1);
	uint64_t lo = pte_off - (pte_off < vma_off ? pte_off : vma_off);
	if (lo > from)
		from = lo;
	uint64_t to = from + nr_pages;
	if (to > PT_ENTRIES)
		to = PT_ENTRIES;
	if (to > pte_off + vma_pages(v) - vma_off)
		to = pte_off + vma_pages(v) - vma_off;
	uint64_t pgoff = vma_pgoff_of(v, addr);
	uint64_t start_pgoff = pgoff + from - pte_off, end_pgoff = pgoff + (to - 1) - pte_off;
	oracle_file *f = v->file;
	for (tree_node *n = tree_ceil(&f->pages, start_pgoff); n && n->key <= end_pgoff;
	     n = tree_next(n)) {
		if (beyond_eof(f, n->key)) /* next_uptodate_folio(): max_idx */
			break;
		uint64_t vpn = (v->start >> PAGE_SHIFT) + (n->key - v->pgoff);
		if (pte_lookup(p, vpn))
			continue;
		frame *pg = tree_entry(n, pcache_entry, node)->f;
		if (!pte_install(p, vpn, pg, file_pte_writable(v)))
			return;
		/* A dirty page PAGEOUT unmapped stays cached (no swap to write
		 * it to): fault-around maps it here for certain, after the
		 * reclaim, which can no longer take this PTE. (A clean one may
		 * have left the cache, and then fault-around would not map
		 * it: the harness adopts what the kernel shows.) */
		if (pg->pageout && pg->dirty) {
			pageout_refaulted(p->w, pg);
			pte *e = pte_lookup(p, vpn);
			if (e)
				e->maybe_unmapped = false;
		}
	}
}

/*
 * do_fault() for a page of a shmem file (a memfd, or the object behind a
 * shared anonymous mapping) with no PTE yet. Reads go through
 * do_read_fault() (fault-around, then shmem_fault()); writes through
 * do_cow_fault() in private mappings (the anon_vma first, then a private
 * copy of the file page) and do_shared_fault() in shared ones. shmem_fault()
 * allocates a zeroed page-cache page for a hole, for reads too, and fails
 * a page wholly past the end of the file with SIGBUS.
 */
static int do_file_fault(oracle_proc *p, vma *v, uint64_t addr, bool write)
{
	uint64_t vpn = addr >> PAGE_SHIFT, index = vma_pgoff_of(v, addr);
	if (!write) {
		do_fault_around(p, v, addr);
		if (pte_lookup(p, vpn))
			return 0;
		if (beyond_eof(v->file, index))
			return VM_FAULT_SIGBUS;
		frame *f = pcache_get(p->w, v->file, index);
		if (!f)
			return -LX_ENOMEM;
		return pte_install(p, vpn, f, file_pte_writable(v)) ? 0 : -LX_ENOMEM;
	}
	if (!(v->flags & VM_SHARED)) {
		if (anon_vma_prepare(p, v))
			return -LX_ENOMEM;
		if (beyond_eof(v->file, index))
			return VM_FAULT_SIGBUS;
		frame *src = pcache_get(p->w, v->file, index);
		frame *copy = src ? frame_new(p->w, true) : NULL;
		if (!copy)
			return -LX_ENOMEM;
		if (frame_copy(p->w, copy, src)) {
			oa_free(p->w, OA_FRAME, copy);
			return -LX_ENOMEM;
		}
		if (!pte_install(p, vpn, copy, true)) {
			oa_free(p->w, OA_PAGE, copy->data);
			oa_free(p->w, OA_FRAME, copy);
			return -LX_ENOMEM;
		}
		return 0;
	}
	if (beyond_eof(v->file, index))
		return VM_FAULT_SIGBUS;
	frame *f = pcache_get(p->w, v->file, index);
	if (!f)
		return -LX_ENOMEM;
	return pte_install(p, vpn, f, true) ? 0 : -LX_ENOMEM;
}

/*
 * handle_mm_fault(): make the page at addr present as a read (or write)
 * access would. The caller has done access_error(). Private anonymous reads
 * map the zero page without an anon_vma; writes allocate (or COW-copy) an
 * exclusive page; file pages (shmem) come from the page cache.
 */
static int do_handle_mm_fault(oracle_proc *p, vma *v, uint64_t addr, bool write);

/*
 * A read of a page-cache page that MADV_PAGEOUT may have unmapped: if
 * reclaim did (shrink_folio_list() -> try_to_unmap(); the usual case, the
 * page is skipped only while it sits in another CPU's LRU batch), the read
 * faults again, and do_read_fault() -> do_fault_around() maps the cached
 * neighbours that have no PTE, as the first read did. The model keeps the
 * page mapped, so it maps those neighbours too, each as uncertain as the
 * refault (maybe_unmapped): a pagemap() that shows one absent drops it
 * (the harness's adoption), one that shows it present settles it.
 */
static void refault_around(oracle_proc *p, vma *v, uint64_t addr)
{
	uint64_t block = (addr >> PAGE_SHIFT) & ~15ULL;
	bool had[16];
	for (int i = 0; i < 16; i++)
		had[i] = pte_lookup(p, block + (uint64_t)i) != NULL;
	do_fault_around(p, v, addr);
	for (int i = 0; i < 16; i++) {
		pte *n = had[i] ? NULL : pte_lookup(p, block + (uint64_t)i);
		if (n)
			n->maybe_unmapped = true;
	}
}

int handle_mm_fault(oracle_proc *p, vma *v, uint64_t addr, bool write)
{
	const pte *was = pte_lookup(p, addr >> PAGE_SHIFT);
	if (!write && was && was->f && v->file && !v->file->hugetlb && !was->f->anon &&
	    (was->maybe_unmapped || was->f->pageout))
		refault_around(p, v, addr);
	int r = do_handle_mm_fault(p, v, addr, write);
	/*
	 * A write to a lazyfree page (the CPU setting the dirty bit of its
	 * still-writable PTE, or GUP's FOLL_TOUCH marking the folio dirty)
	 * makes it dirty again: try_to_unmap_one() then keeps it ("the folio
	 * was redirtied, it cannot be discarded") instead of discarding it.
	 */
	pte *e = r ? NULL : pte_lookup(p, addr >> PAGE_SHIFT);
	if (e && e->f && e->f->pageout)
		pageout_refaulted(p->w, e->f);
	if (e)
		e->maybe_unmapped = false;
	if (write && e && e->f) {
		e->f->dirty = true;
		/* Had reclaim dropped the page before this write (at any time
		 * since the FREE, even if the VMA is locked now), the write
		 * would have faulted in a fresh zero page: keep that other
		 * possible content until a load tells them apart. */
		if (e->f->lazyfree && !e->f->alt)
			e->f->alt = frame_new(p->w, true);
		e->f->lazyfree = false;
	}
	return r;
}

static int do_handle_mm_fault(oracle_proc *p, vma *v, uint64_t addr, bool write)
{
	uint64_t vpn = addr >> PAGE_SHIFT;
	pte *e = pte_lookup(p, vpn);

	if (v->file && v->file->hugetlb) {
		if (e)
			return 0;
		frame *f = pcache_get(p->w, v->file, vma_pgoff_of(v, addr));
		if (!f)
			return -LX_ENOMEM;
		return pte_install(p, vpn, f, (v->flags & VM_WRITE) != 0) ? 0 : -LX_ENOMEM;
	}
	/* do_swap_page() -> handle_pte_marker(): a guard marker is
	 * VM_FAULT_SIGSEGV, whatever the access. */
	if (pte_is_guard(e))
		return VM_FAULT_SIGSEGV;
	if (!e) {
		if (v->file)
			return do_file_fault(p, v, addr, write);
		if (!write)
			return pte_install(p, vpn, p->w->zero, false) ? 0 : -LX_ENOMEM;
		if (anon_vma_prepare(p, v))
			return -LX_ENOMEM;
		frame *f = frame_new(p->w, true);
		if (!f)
			return -LX_ENOMEM;
		return pte_install(p, vpn, f, true) ? 0 : -LX_ENOMEM;
	}
	if (!write || e->writable)
		return 0;
	/* do_wp_page(): a shared mapping writes its page in place. */
	if (v->flags & (VM_SHARED | VM_MAYSHARE)) {
		e->writable = true;
		return 0;
	}
	/* Reuse an exclusive anonymous page, else copy (the zero page, a
	 * page shared after fork, or a file page: wp_page_copy()). */
	if (!e->f->zero_page && e->f->anon && e->f->mapcount == 1) {
		e->writable = true;
		return 0;
	}
#ifdef MMSPEC_PLANT_BUGS
	if ((p->w->prof.plant & ORACLE_PLANT_MISSED_COW) && !e->f->zero_page && e->f->anon) {
		e->writable = true; /* planted: the page shared after fork is written */
		return 0;
	}
#endif
	if (anon_vma_prepare(p, v))
		return -LX_ENOMEM;
	/* Lazyfree: the kernel may have dropped it at any time since the
	 * FREE (a lock taken since stops only later drops). */
	bool droppable = e->f->lazyfree;
	frame *copy = frame_new(p->w, true);
	if (!copy)
		return -LX_ENOMEM;
	if (frame_copy(p->w, copy, e->f))
		return -LX_ENOMEM;
	/* The copy of a page that may have been dropped (or that has another
	 * possible content) has the copy of that other content too. */
	if (droppable || e->f->alt) {
		copy->alt = frame_new(p->w, true);
		if (!copy->alt || (e->f->alt && !droppable && frame_copy(p->w, copy->alt, e->f->alt)))
			return -LX_ENOMEM;
	}
	/* The PTE's reference moves from the old frame to the copy. */
	frame_get(copy);
	copy->mapcount++;
	e->f->mapcount--;
	frame_put(p->w, e->f);
	e->f = copy;
	e->writable = true;
	return 0;
}

/*
 * populate_vma_page_range(): what mlock and MAP_POPULATE fault in. Private
 * writable memory is write-faulted (real pages, private copies of file
 * pages); everything else is read-faulted. PROT_NONE and VM_LOCKONFAULT are
 * left alone. GUP stops at the first page that fails (a file page past the
 * end of the file) with EFAULT.
 */
int populate_vma_page_range(oracle_proc *p, vma *v, uint64_t start, uint64_t end)
{
	if (v->flags & (VM_IO | VM_PFNMAP))
		return 0;
	/* An empty hugetlb pool populates nothing (the error is ignored). */
	if ((v->flags & VM_HUGETLB) && !(v->file && v->file->hugetlb == PMD_SIZE &&
					  p->w->prof.hugepages_free_2m))
		return 0;
	if (v->flags & VM_LOCKONFAULT)
		return 0;
	if (!(v->flags & VM_ACCESS_FLAGS))
		return 0;
	bool write = (v->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		int r = handle_mm_fault(p, v, a, write);
		if (r)
			return r > 0 ? -LX_EFAULT : -LX_ENOMEM;
	}
	return 0;
}

/*
 * A clean lazyfree page may be discarded by reclaim at any time
 * (shrink_folio_list() -> try_to_unmap_one(): a !swapbacked anonymous folio
 * that is not dirty goes to "discard"). A VM_LOCKED VMA stops later drops
 * (try_to_unmap_one() gives up on it), but MADV_FREE is refused on locked
 * memory, so a page in a VMA locked now was unlocked after its FREE and may
 * have been dropped then: for what a program can observe, the lock changes
 * nothing. The same holds for a page-cache page MADV_PAGEOUT may have
 * reclaimed.
 */
/*
 * The page reclaim would take at addr: the one mapped there, else (no PTE,
 * or a guard marker) the page-cache page of the file the VMA maps there,
 * which another process may have mapped when MADV_PAGEOUT ran.
 */
static frame *reclaim_candidate(const oracle_proc *p, uint64_t addr)
{
	pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
	if (e && e->f)
		return e->f;
	const vma *v = vma_lookup(p, addr);
	if (!v || !v->file || v->file->hugetlb)
		return NULL;
	uint64_t index = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	tree_node *n = tree_floor(&v->file->pages, index);
	return n && n->key == index ? tree_entry(n, pcache_entry, node)->f : NULL;
}

bool oracle_page_may_drop(const oracle_proc *p, uint64_t addr)
{
	const frame *f = reclaim_candidate(p, addr);
	return f && (f->lazyfree || (f->pageout && !f->dirty));
}

bool oracle_page_may_unmap(const oracle_proc *p, uint64_t addr)
{
	pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
	return e && e->f && (e->f->lazyfree || e->f->pageout || e->maybe_unmapped);
}

void oracle_page_unmap_others(oracle_proc *p, uint64_t addr)
{
	pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
	if (!e || !e->f)
		return;
	frame *f = e->f;
	oracle_world *w = p->w;
	for (int i = 0; i < w->nprocs; i++) {
		oracle_proc *q = w->procs[i];
		uint64_t vpn = 0;
		pte *o;
		while (q && !q->dead && (o = pte_next(q, vpn, ~0ULL))) {
			vpn = o->vpn + 1;
			if (o != e && o->f == f && (o->maybe_unmapped || f->pageout))
				pte_clear(q, o);
		}
	}
	oracle_after_mutation(p);
}

bool oracle_page_read_alt(const oracle_proc *p, uint64_t addr, size_t off, uint8_t *buf, size_t n)
{
	pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
	if (!e || !e->f || !e->f->alt)
		return false;
	frame_read(e->f->alt, off, buf, n);
	return true;
}

void oracle_page_resolve_alt(oracle_proc *p, uint64_t addr, bool take)
{
	pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
	if (!e || !e->f || !e->f->alt)
		return;
	frame *f = e->f, *alt = f->alt;
	if (take) {
		/* Swap the contents: the frame (its identity, its mappings)
		 * stays; what it holds becomes the alternative's. */
		frame tmp = *f;
		f->nwords = alt->nwords;
		memcpy(f->widx, alt->widx, sizeof(f->widx));
		memcpy(f->wval, alt->wval, sizeof(f->wval));
		f->data = alt->data;
		alt->nwords = tmp.nwords;
		memcpy(alt->widx, tmp.widx, sizeof(alt->widx));
		memcpy(alt->wval, tmp.wval, sizeof(alt->wval));
		alt->data = tmp.data;
	}
	f->alt = NULL;
	oa_free(p->w, OA_PAGE, alt->data);
	oa_free(p->w, OA_FRAME, alt);
	oracle_after_mutation(p);
}

/*
 * The reclaim: every PTE of every process mapping the folio goes (the rmap
 * walk of try_to_unmap()). A lazyfree anonymous page is freed (the next
 * touch faults in a fresh zero page); a clean page-cache page leaves the
 * page cache too (__remove_mapping()); a dirty one stays there (shmem
 * cannot write it out without swap) and refaults with its contents.
 */
void oracle_page_drop(oracle_proc *p, uint64_t addr)
{
	frame *f = reclaim_candidate(p, addr);
	pte *here = pte_lookup(p, addr >> PAGE_SHIFT);
	if (f && !f->lazyfree && !f->pageout && here && here->f == f && here->maybe_unmapped) {
		/* Reclaim unmapped this PTE; the page has been touched through
		 * another since, so it is cached and mapped there. */
		pte_clear(p, here);
		oracle_after_mutation(p);
		return;
	}
	if (!f || !(f->lazyfree || f->pageout))
		return;
	oracle_world *w = p->w;
	frame_get(f); /* keep it while its references go */
	if (!f->anon && !f->dirty) {
		const vma *v = vma_lookup(p, addr);
		uint64_t index = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
		tree_node *n = v->file ? tree_floor(&v->file->pages, index) : NULL;
		if (n && n->key == index && tree_entry(n, pcache_entry, node)->f == f) {
			pcache_entry *pc = tree_entry(n, pcache_entry, node);
			tree_remove(&v->file->pages, n);
			frame_put(w, f);
			oa_free(w, OA_PCACHE, pc);
		}
	}
	f->pageout = false;
	for (int i = 0; i < w->nprocs; i++) {
		oracle_proc *q = w->procs[i];
		if (!q || q->dead)
			continue;
		uint64_t vpn = 0;
		pte *e;
		while (f->mapcount && (e = pte_next(q, vpn, ~0ULL))) {
			vpn = e->vpn + 1;
			if (e->f == f)
				pte_clear(q, e);
		}
	}
	frame_put(w, f);
	oracle_after_mutation(p);
}

void oracle_page_drop_refault(oracle_proc *p, uint64_t addr)
{
	const vma *v = vma_lookup(p, addr);
	if (!v || v->file || !oracle_page_may_drop(p, addr))
		return;
	oracle_page_drop(p, addr);
	/* do_anonymous_page() for a read: the zero page, read-only. */
	pte_install(p, addr >> PAGE_SHIFT, p->w->zero, false);
	oracle_after_mutation(p);
}

void oracle_page(const oracle_proc *p, uint64_t addr, oracle_page_info *out)
{
	memset(out, 0, sizeof(*out));
	pte *e = pte_lookup(p, addr >> PAGE_SHIFT);
	if (!e)
		return;
	if (pte_is_guard(e)) {
		out->guard = true;
		return;
	}
	out->present = true;
	out->zero_page = e->f->zero_page;
	out->anon = e->f->anon || e->f->zero_page;
	out->exclusive = !e->f->zero_page && e->f->mapcount == 1;
	out->lazyfree = e->f->lazyfree;
	out->frame = e->f->id;
}

/* Whether the page cache of f holds a page at index (mincore_page()). */
static bool pcache_has(oracle_file *f, uint64_t index)
{
	tree_node *n = tree_floor(&f->pages, index);
	return n && n->key == index;
}

static int64_t do_mincore(oracle_proc *p, uint64_t start, uint64_t len, uint8_t *vec, size_t cap)
{
	if (start & ~PAGE_MASK)
		return -LX_EINVAL;
	/*
	 * access_ok(start, len) on x86-64: start + len must not wrap nor pass
	 * the user limit. 6.12 and later: sum <= TASK_SIZE_MAX (6.12's
	 * valid_user_address() against USER_PTR_MAX = TASK_SIZE_MAX, and the
	 * generic __access_ok() of asm-generic/access_ok.h once x86 dropped its
	 * own; 6.18.44 takes mincore(0x7ffffffff000, 0)). Before 6.12 only the
	 * sign bit counted: valid_user_address(x) was (long)x >= 0.
	 */
	uint64_t sum = start + len;
	bool user_ok = prof_at_least(p, 6, 12) ? sum <= 0x7ffffffff000ULL : (int64_t)sum >= 0;
	if (sum < start || !user_ok)
		return -LX_ENOMEM;
	uint64_t pages = (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0);
	uint64_t done = 0;
	while (done < pages) {
		uint64_t addr = start + done * PAGE_SIZE;
		vma *v = vma_lookup(p, addr);
		if (!v)
			return -LX_ENOMEM; /* the prefix is already in vec */
		/*
		 * The syscall copies each VMA's part to the user vector as it
		 * goes (copy_to_user() after each do_mincore()): an unwritable
		 * vector (NULL) fails with EFAULT at the first copy.
		 */
		if (!vec)
			return -LX_EFAULT;
		uint64_t end = v->end < start + pages * PAGE_SIZE ? v->end : start + pages * PAGE_SIZE;
		for (uint64_t a = addr; a < end; a += PAGE_SIZE, done++) {
			/* mincore_pte_range(): pte_none_mostly() takes a guard
			 * marker for a hole, so the page cache answers for it. */
			uint8_t b;
			pte *e;
			if (v->special || (v->flags & VM_PFNMAP)) {
				b = 1; /* !can_do_mincore(): every page reported resident */
			} else if ((e = pte_lookup(p, a >> PAGE_SHIFT)) && !pte_is_guard(e)) {
				b = 1;
			} else if (v->file) {
				/* Not mapped here: the page cache answers. */
				b = pcache_has(v->file, v->pgoff + ((a - v->start) >> PAGE_SHIFT));
			} else {
				b = 0;
			}
			if (done < cap)
				vec[done] = b;
		}
	}
	return 0;
}

int64_t oracle_mincore(oracle_proc *p, uint64_t addr, uint64_t len, uint8_t *vec, size_t cap)
{
	return do_mincore(p, addr, len, vec, cap);
}
