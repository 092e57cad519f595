/* SPDX-License-Identifier: MIT */
/*
 * world.c: profiles, the world of processes, seeding, inspection, drawing,
 * and the whole-model invariant checker.
 */
#include <stdlib.h>

#include "oracleInt.h"

void oracle_profile_default(oracle_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->version = (6u << 16) | (18u << 8);
	p->task_size = 0x7ffffffff000ULL;
	p->mmap_min_addr = 65536;      /* CONFIG_LSM_MMAP_MIN_ADDR on distribution kernels */
	p->dac_mmap_min_addr = 4096;   /* vm.mmap_min_addr default */
	p->max_map_count = 65530;
	p->stack_guard_gap = 256 * PAGE_SIZE;
	p->overcommit_memory = 0;
	p->commit_guess_pages = (24ULL << 30) >> PAGE_SHIFT;
	p->thp = true;
	p->ksm = true;
	p->memory_failure = true;
	p->soft_dirty = false;
	p->hugepage_sizes = (1ULL << 21) | (1ULL << 30);
	p->hugepages_free_2m = 0;
}

bool oracle_profile_at_least(const oracle_profile *p, unsigned major, unsigned minor)
{
	return p->version >= ((major << 16) | (minor << 8));
}

oracle_proc *proc_new(oracle_world *w)
{
	if (w->nprocs >= ORACLE_MAX_PROCS)
		return NULL;
	oracle_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->w = w;
	p->pid = w->nprocs + 1;
	tree_init(&p->vmas);
	for (int i = 0; i < LX_RLIM_NLIMITS; i++)
		p->rlim_cur[i] = p->rlim_max[i] = LX_RLIM_INFINITY;
	/* The usual defaults of a login session. */
	p->rlim_cur[LX_RLIMIT_STACK] = 8ULL << 20;
	p->rlim_cur[LX_RLIMIT_MEMLOCK] = p->rlim_max[LX_RLIMIT_MEMLOCK] = 8ULL << 20;
	p->rlim_cur[LX_RLIMIT_CORE] = 0;
	p->mmap_base = 0x7ffff7fff000ULL;
	p->placement = ORACLE_PLACE_STRICT;
	w->procs[w->nprocs++] = p;
	return p;
}

oracle_world *oracle_world_new(const oracle_profile *prof)
{
	oracle_world *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->prof = *prof;
	w->zero = calloc(1, sizeof(*w->zero));
	if (!w->zero || !proc_new(w)) {
		free(w->zero);
		free(w);
		return NULL;
	}
	w->zero->zero_page = true;
	w->zero->anon = true;
	w->zero->id = ++w->next_frame_id;
	w->zero->refs = 1;
	return w;
}

void proc_teardown(oracle_proc *p)
{
	tree_node *n;
	zap_page_range(p, 0, PT_MAX_ADDR);
	while ((n = tree_first(&p->vmas)))
		vma_unlink_free(p, vma_of(n));
	p->total_vm = p->data_vm = p->exec_vm = p->stack_vm = p->locked_vm = p->locked_leaked = 0;
	/* exit_files(), after exit_mm(): a file lives on while mapped or open elsewhere. */
	exit_files(p);
}

static void proc_free(oracle_proc *p)
{
	proc_teardown(p);
	free(p);
}

void oracle_world_free(oracle_world *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->nprocs; i++) {
		oracle_proc *p = w->procs[i];
		if (!ORACLE_POOLED) {
			proc_free(p);
		} else if (p) {
			/* Everything else the process holds is in the pool,
			 * dropped whole below: no walk over its pages. */
			free(p->fdt);
			free(p);
		}
	}
	oa_release(w);
	free(w->zero);
	free(w);
}

oracle_proc *oracle_world_root(oracle_world *w) { return w->procs[0]; }
const oracle_profile *oracle_world_profile(const oracle_world *w) { return &w->prof; }
const char *oracle_world_broken(const oracle_world *w) { return w->broken; }
void oracle_world_set_thp_disabled(oracle_world *w, bool on) { w->thp_disabled = on; }

void oracle_proc_set_layout(oracle_proc *p, uint64_t mmap_base, uint64_t start_brk,
			    uint64_t brk, uint64_t start_stack)
{
	p->mmap_base = mmap_base;
	p->start_brk = start_brk;
	p->brk = brk;
	p->start_stack = start_stack;
}

void oracle_proc_set_data(oracle_proc *p, uint64_t start_data, uint64_t end_data)
{
	p->start_data = start_data;
	p->end_data = end_data;
}

void oracle_proc_set_rlimit(oracle_proc *p, int resource, uint64_t cur, uint64_t max)
{
	if (resource >= 0 && resource < LX_RLIM_NLIMITS) {
		p->rlim_cur[resource] = cur;
		p->rlim_max[resource] = max;
	}
}

int64_t oracle_setrlimit(oracle_proc *p, uint64_t resource, uint64_t soft, uint64_t hard)
{
	/* SYSCALL_DEFINE2(setrlimit, unsigned int, resource, ...): the upper 32
	 * bits of the register are dropped (found by fuzz_diff under AFL++:
	 * setrlimit(A, 0, 0) with A's low half 0 sets RLIMIT_CPU). */
	resource = (uint32_t)resource;
	if (resource >= LX_RLIM_NLIMITS)
		return -LX_EINVAL;
	if (soft > hard)
		return -LX_EINVAL;
	if (hard > p->rlim_max[resource] && !capable(p, LX_CAP_SYS_RESOURCE))
		return -LX_EPERM;
	/* fs.nr_open (1048576 by default) caps RLIMIT_NOFILE. */
	if (resource == LX_RLIMIT_NOFILE && hard > 1048576)
		return -LX_EPERM;
	p->rlim_cur[resource] = soft;
	p->rlim_max[resource] = hard;
	return 0;
}

void oracle_proc_set_cap(oracle_proc *p, int cap, bool on)
{
	if (cap < 0 || cap >= 64)
		return;
	if (on)
		p->caps |= 1ULL << cap;
	else
		p->caps &= ~(1ULL << cap);
}

void oracle_proc_set_placement(oracle_proc *p, oracle_placement mode) { p->placement = mode; }

int oracle_proc_add_foreign_fd(oracle_proc *p, int fd, bool noexec)
{
	if (p->nforeign >= 4)
		return -1;
	p->foreign_noexec[p->nforeign] = noexec;
	p->foreign_fd[p->nforeign++] = fd;
	return 0;
}

int oracle_proc_seed_vma(oracle_proc *p, const oracle_vma_info *in)
{
	if (in->start >= in->end || (in->start & ~PAGE_MASK) || (in->end & ~PAGE_MASK))
		return -1;
	if (find_vma_intersection(p, in->start, in->end))
		return -1;
	vma *v = vma_alloc(p);
	if (!v)
		return -1;
	v->start = in->start;
	v->end = in->end;
	v->flags = in->flags;
	v->pgoff = in->pgoff;
	v->no_merge_check = true;
	memcpy(v->name, in->name, sizeof(v->name));
	v->name[sizeof(v->name) - 1] = 0;
	v->special = v->name[0] == '[' && strcmp(v->name, "[heap]") && strcmp(v->name, "[stack]");
	if (!v->special && (in->file_id || (in->flags & VM_SHARED))) {
		v->file = file_new(p->w);
		if (!v->file) {
			oa_free(p->w, OA_VMA, v);
			return -1;
		}
		v->file->size = (in->pgoff << PAGE_SHIFT) + (in->end - in->start);
	}
	if (in->anon_id) {
		anon_vma *av = anon_vma_new(p->w);
		if (!av) {
			if (v->file)
				file_put(p->w, v->file);
			oa_free(p->w, OA_VMA, v);
			return -1;
		}
		anon_vma_set(v, av, in->anon_forked);
	}
	vma_link(p, v, NULL);
	vm_stat_account(p, v->flags, (int64_t)vma_pages(v));
	if (v->flags & VM_LOCKED)
		p->locked_vm += vma_pages(v);
	return 0;
}

/*
 * A 6.18 process started without ASLR: a small PIE program, its heap break,
 * the C library and the dynamic loader under mmap_base, vvar/vdso, and the
 * stack. Shapes and addresses follow what /proc/self/maps shows for such a
 * process (reference §5.1, §12.1).
 */
uint64_t oracle_proc_seed_default(oracle_proc *p)
{
	const uint64_t R = VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	const uint64_t RX = R | VM_EXEC, RW = R | VM_WRITE | VM_ACCOUNT;
	struct { uint64_t s, e, f; bool file; const char *name; } seed[] = {
		{ 0x555555554000, 0x555555555000, R, true, "" },
		{ 0x555555555000, 0x555555556000, RX, true, "" },
		{ 0x555555556000, 0x555555557000, R, true, "" },
		{ 0x555555557000, 0x555555558000, R, true, "" },
		{ 0x555555558000, 0x555555559000, RW, true, "" },
		{ 0x7ffff7d85000, 0x7ffff7dab000, R, true, "" },
		{ 0x7ffff7dab000, 0x7ffff7f00000, RX, true, "" },
		{ 0x7ffff7f00000, 0x7ffff7f55000, R, true, "" },
		{ 0x7ffff7f55000, 0x7ffff7f59000, R, true, "" },
		{ 0x7ffff7f59000, 0x7ffff7f5b000, RW, true, "" },
		{ 0x7ffff7f5b000, 0x7ffff7f68000, RW, false, "" },
		{ 0x7ffff7fc1000, 0x7ffff7fc5000, VM_READ | VM_MAYREAD | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP, false, "[vvar]" },
		{ 0x7ffff7fc5000, 0x7ffff7fc7000, VM_READ | VM_MAYREAD | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP, false, "[vvar_vclock]" },
		{ 0x7ffff7fc7000, 0x7ffff7fc9000, RX | VM_DONTEXPAND | VM_DONTDUMP, false, "[vdso]" },
		{ 0x7ffff7fc9000, 0x7ffff7fca000, R, true, "" },
		{ 0x7ffff7fca000, 0x7ffff7ff1000, RX, true, "" },
		{ 0x7ffff7ff1000, 0x7ffff7ffb000, R, true, "" },
		{ 0x7ffff7ffb000, 0x7ffff7fff000, RW, true, "" },
		{ 0x7ffffffde000, 0x7ffffffff000, RW | VM_GROWSDOWN, false, "[stack]" },
	};
	for (size_t i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
		oracle_vma_info v = { .start = seed[i].s, .end = seed[i].e, .flags = seed[i].f,
				      .pgoff = seed[i].s >> PAGE_SHIFT,
				      .file_id = seed[i].file ? (uint32_t)(i + 1) : 0,
				      .anon_id = (seed[i].f & VM_WRITE) ? (uint32_t)(i + 1) : 0 };
		if (seed[i].file)
			v.pgoff = 0;
		strncpy(v.name, seed[i].name, sizeof(v.name) - 1);
		oracle_proc_seed_vma(p, &v);
	}
	oracle_proc_set_layout(p, 0x7ffff7fff000ULL, 0x555555559000ULL, 0x555555559000ULL,
			       0x7fffffffe000ULL);
	oracle_proc_set_data(p, 0x555555558000ULL, 0x555555558010ULL);
	/* The sandbox's own read-only /proc/self/maps and smaps descriptors
	 * (harness/exec.c: 1000 and 1001, /proc mounted noexec). */
	oracle_proc_add_foreign_fd(p, 1000, true);
	oracle_proc_add_foreign_fd(p, 1001, true);
	return 0x100000000000ULL;
}

size_t oracle_vma_count(const oracle_proc *p) { return p->map_count; }

static void fill_info(const vma *v, oracle_vma_info *o)
{
	memset(o, 0, sizeof(*o));
	o->start = v->start;
	o->end = v->end;
	o->flags = v->flags;
	o->pgoff = v->pgoff;
	o->file_id = v->file ? v->file->id : 0;
	o->anon_id = v->av ? v->av->id : 0;
	o->anon_forked = v->av_forked;
	memcpy(o->name, v->name, sizeof(o->name));
}

size_t oracle_vmas(const oracle_proc *p, uint64_t start, uint64_t end,
		   oracle_vma_info *out, size_t cap)
{
	size_t n = 0;
	for (vma *v = find_vma(p, start); v && v->start < end; v = vma_next(v)) {
		if (n < cap)
			fill_info(v, &out[n]);
		n++;
	}
	return n;
}

bool oracle_find_vma(const oracle_proc *p, uint64_t addr, oracle_vma_info *out)
{
	vma *v = vma_lookup(p, addr);
	if (v && out)
		fill_info(v, out);
	return v != NULL;
}

void oracle_get_counters(const oracle_proc *p, oracle_counters *o)
{
	o->map_count = p->map_count;
	o->total_vm = p->total_vm;
	o->data_vm = p->data_vm;
	o->locked_vm = p->locked_vm;
	o->exec_vm = p->exec_vm;
	o->stack_vm = p->stack_vm;
}

static char vma_letter(int i)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	return letters[i % 52];
}

int oracle_draw(const oracle_proc *p, uint64_t start, uint64_t npages, char *buf, size_t cap)
{
	if (cap < npages + 1)
		return -1;
	memset(buf, '.', npages);
	buf[npages] = 0;
	uint64_t end = start + npages * PAGE_SIZE;
	int seen = 0;
	for (vma *v = find_vma(p, start); v && v->start < end; v = vma_next(v)) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		char c = vma_letter(seen++);
		for (uint64_t a = s; a < e; a += PAGE_SIZE)
			buf[(a - start) >> PAGE_SHIFT] = c;
	}
	return seen;
}

void oracle_perms(uint64_t flags, char buf[5])
{
	buf[0] = (flags & VM_READ) ? 'r' : '-';
	buf[1] = (flags & VM_WRITE) ? 'w' : '-';
	buf[2] = (flags & VM_EXEC) ? 'x' : '-';
	buf[3] = (flags & VM_MAYSHARE) ? 's' : 'p';
	buf[4] = 0;
}

void oracle_vmflags_string(uint64_t flags, char *buf, size_t cap)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ VM_READ, "rd" }, { VM_WRITE, "wr" }, { VM_EXEC, "ex" }, { VM_SHARED, "sh" },
		{ VM_MAYREAD, "mr" }, { VM_MAYWRITE, "mw" }, { VM_MAYEXEC, "me" },
		{ VM_MAYSHARE, "ms" }, { VM_GROWSDOWN, "gd" }, { VM_PFNMAP, "pf" },
		{ VM_LOCKED, "lo" }, { VM_IO, "io" }, { VM_SEQ_READ, "sr" },
		{ VM_RAND_READ, "rr" }, { VM_DONTCOPY, "dc" }, { VM_DONTEXPAND, "de" },
		{ VM_LOCKONFAULT, "lf" }, { VM_ACCOUNT, "ac" }, { VM_NORESERVE, "nr" },
		{ VM_HUGETLB, "ht" }, { VM_SYNC, "sf" }, { VM_ARCH_1, "ar" },
		{ VM_WIPEONFORK, "wf" }, { VM_DONTDUMP, "dd" }, { VM_SOFTDIRTY, "sd" },
		{ VM_MAYBE_GUARD, "gu" }, { VM_MIXEDMAP, "mm" }, { VM_HUGEPAGE, "hg" }, { VM_NOHUGEPAGE, "nh" },
		{ VM_MERGEABLE, "mg" }, { VM_SHADOW_STACK, "ss" }, { VM_DROPPABLE, "dp" },
		{ VM_SEALED, "sl" },
	};
	size_t n = 0;
	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		size_t need = (n ? 1 : 0) + 2;
		if (n + need + 1 > cap)
			break;
		if (n)
			buf[n++] = ' ';
		buf[n++] = names[i].name[0];
		buf[n++] = names[i].name[1];
		buf[n] = 0;
	}
}

/* The two VMAs are adjacent and nothing the kernel knows tells them apart. */
static bool obviously_mergeable(const vma *a, const vma *b)
{
	return a->end == b->start && !(a->flags & VM_SPECIAL) &&
	       !((a->flags ^ b->flags) & ~VM_SOFTDIRTY) && a->file == b->file &&
	       b->pgoff == a->pgoff + vma_pages(a) && a->av == b->av &&
	       !a->av_forked && !b->av_forked;
}

static const char *check_proc(const oracle_proc *p)
{
	if (tree_validate(&p->vmas))
		return "VMA tree is malformed";
	if (p->vmas.count != p->map_count)
		return "map_count does not match the number of VMAs";
	oracle_proc tmp;
	memset(&tmp, 0, sizeof(tmp));
	const vma *prev = NULL;
	uint64_t locked = 0;
	for (tree_node *n = tree_first(&p->vmas); n; n = tree_next(n)) {
		const vma *v = vma_of(n);
		if (n->key != v->start)
			return "VMA keyed by something other than its start";
		if (v->start >= v->end)
			return "empty or inverted VMA";
		if ((v->start | v->end) & ~PAGE_MASK)
			return "VMA not page aligned";
		if (prev && prev->end > v->start)
			return "VMAs overlap";
		/* The boundary between prev and v is v's (vma.no_merge_check). */
		if (prev && obviously_mergeable(prev, v) && !v->no_merge_check)
			return "adjacent VMAs that the kernel would have merged";
		if (v->av && !v->av->refs)
			return "anon_vma without references";
		vm_stat_account(&tmp, v->flags, (int64_t)vma_pages(v));
		if (v->flags & VM_LOCKED)
			locked += vma_pages(v);
		prev = v;
	}
	if (tmp.total_vm != p->total_vm || tmp.data_vm != p->data_vm ||
	    tmp.exec_vm != p->exec_vm || tmp.stack_vm != p->stack_vm)
		return "VM counters do not match the VMAs";
	if (locked + p->locked_leaked != p->locked_vm)
		return "locked_vm does not match the VM_LOCKED VMAs";
	uint64_t entries = 0;
	for (const pte *e = pte_next(p, 0, ~0ULL); e; e = pte_next(p, e->vpn + 1, ~0ULL)) {
		entries++;
		if (!vma_lookup(p, e->vpn << PAGE_SHIFT))
			return "page-table entry outside every VMA";
		if (e->f && (!e->f->mapcount || e->f->refs < e->f->mapcount))
			return "frame reference counts below its mappings";
	}
	if (entries != p->pt.count)
		return "page-table entry count does not match the table";
	return NULL;
}

const char *oracle_check(const oracle_world *w)
{
	for (int i = 0; i < w->nprocs; i++) {
		const char *m = check_proc(w->procs[i]);
		if (m)
			return m;
	}
	return NULL;
}

void oracle_after_mutation(oracle_proc *p)
{
#ifdef ORACLE_CHECK_INVARIANTS
	if (!p->w->broken)
		p->w->broken = oracle_check(p->w);
#else
	(void)p;
#endif
}
