/* SPDX-License-Identifier: MIT */
/*
 * oracleInt.h: the model's private state, shared by the files of oracle/.
 *
 * The shapes follow the kernel: a world holds processes; a process has an
 * mm (VMAs in an ordered tree, counters, limits) and a page table (entries
 * in an ordered tree keyed by virtual page number); pages ("frames") are
 * reference counted so that sharing between page tables (COW after fork,
 * shared memory) is explicit.
 */
#ifndef ORACLE_INT_H
#define ORACLE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "oracle.h"
#include "tree.h"

#define PAGE_SIZE LX_PAGE_SIZE
#define PAGE_SHIFT LX_PAGE_SHIFT
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PMD_SIZE (2ULL << 20)
#define DEFAULT_MAP_WINDOW ((1ULL << 47) - PAGE_SIZE)
/* Return values carry an address or -errno, as in the kernel: only the top
 * 4095 values are errors (addresses at or above 1 << 63 are not). */
#define IS_ERR_VALUE(x) ((uint64_t)(int64_t)(x) >= (uint64_t)-4095)

/*
 * Model self-checks. NEVER(x) marks a state the model's own logic must never
 * reach; in checking builds it records a broken invariant.
 */
#ifdef ORACLE_CHECK_INVARIANTS
#include <assert.h>
#define ORACLE_ASSERT(x) assert(x)
#else
#define ORACLE_ASSERT(x) ((void)0)
#endif

/*
 * Flags a merge does not compare (VM_IGNORE_MERGE): soft-dirty, and the
 * sticky VM_MAYBE_GUARD, which the merged VMA keeps if any part had it
 * ("mm: implement sticky VMA flags", 6.19).
 */
#define VM_STICKY VM_MAYBE_GUARD
#define VM_IGNORE_MERGE (VM_SOFTDIRTY | VM_STICKY)

/* An anon_vma: identity is all the merge rules need. */
typedef struct anon_vma {
	uint32_t id;
	uint32_t refs;      /* VMAs pointing at it */
	oracle_world *w;    /* whose pool it goes back to */
} anon_vma;

/*
 * A shared object: shmem behind MAP_SHARED|MAP_ANONYMOUS, or a memfd. One
 * struct stands for both the inode and the struct file: a memfd's file is
 * only ever shared (fork), never reopened, so the two cannot differ.
 */
typedef struct oracle_file {
	uint32_t id;
	uint32_t refs;      /* VMAs and fds */
	uint64_t size;      /* bytes (i_size) */
	uint64_t hugetlb;   /* hugetlbfs: the huge page size; 0 otherwise */
	tree pages;         /* page cache: page index -> frame (pcache_entry) */
} oracle_file;

/*
 * A physical page. Programs store 8-byte words, so a page's contents are
 * kept as a few inline (word index, value) pairs and only become a full
 * PAGE_SIZE buffer when more words than fit inline are non-zero. All zero:
 * nwords == 0 and data == NULL.
 */
#define FRAME_INLINE_WORDS 6
typedef struct frame {
	uint32_t id;        /* the model's PFN */
	uint32_t mapcount;  /* PTEs mapping it */
	uint32_t refs;      /* mapcount + page-cache references */
	bool zero_page;     /* the shared zero page (never freed) */
	bool anon;          /* anonymous (not page cache) */
	bool lazyfree;      /* MADV_FREE made it clean and lazily freeable; a write
	                     * (a store, a write fault, GUP with FOLL_WRITE)
	                     * dirties it again and clears this */
	bool dirty;         /* written since it was allocated (a page-cache page
	                     * reclaim keeps when it cannot write it out) */
	bool pageout;       /* a page-cache page MADV_PAGEOUT may have reclaimed:
	                     * unmapped from every PTE (copies made by fork too),
	                     * and dropped from the cache if clean; cleared when
	                     * a PTE touches it, which puts it back in the cache
	                     * on both sides (the other PTEs stay maybe_unmapped) */
	struct frame *alt;  /* what the page holds if reclaim dropped it while it
	                     * was lazyfree, before the write that ended that:
	                     * zeroes plus the writes since (owned; NULL: none) */
	uint16_t nwords;
	uint16_t widx[FRAME_INLINE_WORDS];
	uint64_t wval[FRAME_INLINE_WORDS];
	uint8_t *data;      /* PAGE_SIZE bytes once materialised, else NULL */
} frame;

typedef struct pcache_entry {
	tree_node node;     /* key: page index in the file */
	frame *f;
} pcache_entry;

typedef struct vma {
	tree_node node;     /* key: start */
	uint64_t start, end;
	uint64_t flags;     /* VM_* */
	uint64_t pgoff;
	oracle_file *file;  /* NULL: private anonymous */
	anon_vma *av;       /* NULL until the first anonymous page */
	bool av_forked;     /* anon_vma_chain not singular: "had uncowed parents" */
	/*
	 * The boundary at start, with the VMA just below, may legitimately be
	 * left unmerged (seeding, fork, stack growth, failure paths): the kernel
	 * merges only where an operation tries to, so a boundary nothing has
	 * tried since it appeared may join VMAs the checker would call
	 * mergeable. Operations that try a merge at a boundary clear this
	 * (vma_merge_new_range, vma_modify_flags); a split makes a new one.
	 */
	bool no_merge_check;
	bool special;       /* a special mapping ([vdso], [vvar]): vm_ops but no file */
	char name[32];
} vma;

/*
 * A page-table entry. Only touched pages have one. An entry without a frame
 * is a guard marker (MADV_GUARD_INSTALL, 6.13+): make_pte_marker(
 * PTE_MARKER_GUARD), a non-present entry that is not pte_none(), so faults
 * on it fail, fault-around skips it and fork and mremap carry it along.
 */
typedef struct pte {
	uint64_t vpn;       /* virtual page number */
	frame *f;           /* NULL: a guard marker */
	bool writable;      /* hardware write permission (false while COW-shared) */
	bool maybe_unmapped;/* reclaim (MADV_PAGEOUT) may have unmapped it: the
	                     * kernel's PTE may be absent until the next touch */
} pte;

static inline bool pte_is_guard(const pte *e) { return e && !e->f; }

/*
 * The page table: a radix tree of 512-entry levels as on x86-64, so a lookup
 * costs four loads whatever the size of the address space, and a walk over
 * an empty range skips a whole table at a time. User addresses are below
 * 1 << 47, so virtual page numbers have 35 bits: 8 + 9 + 9 + 9.
 */
#define PT_BITS 9
#define PT_ENTRIES 512
#define PT_TOP_ENTRIES 256
/*
 * A leaf holds its entries in place (a pte * into it stays valid until the
 * entry is cleared), with a bitmap of the slots in use: a lookup is one
 * load fewer than a pointer per slot, and pte_next() finds the next entry
 * 64 slots at a time. Only the header is zeroed when a leaf is made.
 */
typedef struct pt_leaf {
	uint64_t map[PT_ENTRIES / 64]; /* bit i: e[i] is an entry */
	uint32_t used;
	pte e[PT_ENTRIES];
} pt_leaf;
#define PT_LEAF_HEADER offsetof(pt_leaf, e)
typedef struct pt_mid { pt_leaf *e[PT_ENTRIES]; uint32_t used; } pt_mid;
typedef struct pt_upper { pt_mid *e[PT_ENTRIES]; uint32_t used; } pt_upper;
typedef struct page_table { pt_upper *top[PT_TOP_ENTRIES]; uint64_t count; } page_table;
#define PT_MAX_ADDR (1ULL << 47)

struct oracle_proc {
	oracle_world *w;
	int pid;
	tree vmas;
	page_table pt;
	uint64_t map_count;
	uint64_t total_vm, data_vm, locked_vm, exec_vm, stack_vm;
	/* Pages left in locked_vm by MREMAP_DONTUNMAP of a VM_LOCKED VMA
	 * (6.17+, mremap.c move_vma()): no VMA accounts for them any more. */
	uint64_t locked_leaked;
	uint64_t def_flags;
	uint64_t mmap_base, start_brk, brk, start_stack;
	uint64_t start_data, end_data;
	uint64_t rlim_cur[LX_RLIM_NLIMITS], rlim_max[LX_RLIM_NLIMITS];
	uint64_t caps;      /* bit n: capability n held */
	oracle_file **fdt;  /* open descriptors (memfds): fdt[fd], NULL when free */
	uint32_t nfdt;      /* slots in fdt */
	int foreign_fd[4];  /* read-only files without mmap (oracle_proc_add_foreign_fd) */
	bool foreign_noexec[4];
	int nforeign;
	oracle_placement placement;
	oracle_proc *parent;
	bool dead, reaped;
	int exit_status;
};

#define ORACLE_MAX_PROCS 64

/*
 * alloc.c: the world's objects come from pools it owns, freed all at once
 * with the world (ORACLE_POOLED), or each from calloc() under
 * AddressSanitizer, which must see every object's lifetime.
 */
#ifndef ORACLE_POOLED
#if defined(__SANITIZE_ADDRESS__)
#define ORACLE_POOLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ORACLE_POOLED 0
#endif
#endif
#endif
#ifndef ORACLE_POOLED
#define ORACLE_POOLED 1
#endif
enum oa_kind { OA_FRAME, OA_VMA, OA_PCACHE, OA_ANON_VMA, OA_FILE, OA_TABLE, OA_LEAF, OA_PAGE, OA_NKINDS };
typedef struct oa_pool {
	void *free[OA_NKINDS];   /* freed objects of each kind, linked through their first word */
	struct oa_chunk *chunks; /* every chunk of the world */
	char *bump, *end;        /* the unused rest of the newest chunk */
} oa_pool;
/* A zeroed object of kind k (of a leaf, its header only), or NULL when out
 * of memory. */
void *oa_alloc(oracle_world *w, enum oa_kind k);
/* Gives an object back (NULL: nothing). */
void oa_free(oracle_world *w, enum oa_kind k, void *p);
/* Drops every object of the world at once (pooled builds; else nothing). */
void oa_release(oracle_world *w);

struct oracle_world {
	oracle_profile prof;
	oracle_proc *procs[ORACLE_MAX_PROCS];
	int nprocs;
	uint32_t next_frame_id, next_anon_id, next_file_id;
	frame *zero;        /* the shared zero page */
	bool thp_disabled;  /* prctl(PR_SET_THP_DISABLE) in the root, so in every
	                     * process (MMF_DISABLE_THP is inherited by fork) */
	const char *broken;
	oa_pool pool;
};

static inline vma *vma_of(tree_node *n) { return n ? tree_entry(n, vma, node) : NULL; }
static inline uint64_t vma_pages(const vma *v) { return (v->end - v->start) >> PAGE_SHIFT; }
static inline bool capable(const oracle_proc *p, int cap) { return (p->caps >> cap) & 1; }
static inline uint64_t rlimit(const oracle_proc *p, int r) { return p->rlim_cur[r]; }
static inline bool prof_at_least(const oracle_proc *p, unsigned maj, unsigned min)
{
	return oracle_profile_at_least(&p->w->prof, maj, min);
}

/* vma.c: the VMA layout engine (mm/vma.c). */
vma *find_vma(const oracle_proc *p, uint64_t addr);          /* first with end > addr */
vma *vma_lookup(const oracle_proc *p, uint64_t addr);        /* containing addr */
vma *find_vma_intersection(const oracle_proc *p, uint64_t start, uint64_t end);
vma *vma_next(const vma *v);
vma *vma_prev_of(const vma *v);
vma *vma_alloc(oracle_proc *p);
/* A new, unlinked VMA over [start, end); NULL (world broken) on OOM. */
vma *vma_new(oracle_proc *p, uint64_t start, uint64_t end, uint64_t flags, uint64_t pgoff);
/* Links v into the tree; pred is its left neighbour if known (faster), else NULL. */
void vma_link(oracle_proc *p, vma *v, vma *pred);
void vma_unlink_free(oracle_proc *p, vma *v);
int split_vma(oracle_proc *p, vma *v, uint64_t addr, vma **lower, vma **upper);
int __split_vma(oracle_proc *p, vma *v, uint64_t addr, vma **lower, vma **upper);
bool vma_is_anonymous(const vma *v);
bool is_data_mapping(uint64_t flags);
void vm_stat_account(oracle_proc *p, uint64_t flags, int64_t npages);
bool may_expand_vm(const oracle_proc *p, uint64_t flags, uint64_t npages);
void anon_vma_set(vma *v, anon_vma *av, bool forked);
anon_vma *anon_vma_new(oracle_world *w);

/* A proposed VMA for the merge code (struct vma_merge_struct). */
typedef struct vmg {
	vma *prev, *middle, *next;
	uint64_t start, end, flags, pgoff;
	oracle_file *file;
	anon_vma *av;
	bool just_expand;
	bool next_first;      /* 6.1-6.11 mmap_region(): next wins when prev and next each could merge but not both */
} vmg;
vma *vma_merge_new_range(oracle_proc *p, vmg *g);
/*
 * insn.c: what fetch()'s one instruction is, as far as the next page and
 * the program's memory are concerned. Classes, in increasing order of
 * trouble: no #GP; #GP (the kernel reads 15 bytes from RIP); #GP or not
 * unknown; lets a second instruction run before the single-step trap.
 */
enum insn_class { INSN_PLAIN, INSN_GP, INSN_FAULT_UNKNOWN, INSN_RUNS_MORE };
typedef struct insn_info {
	unsigned len;          /* bytes the CPU fetches (at most 15) */
	bool len_known;        /* false: the CPU may fetch more than len */
	enum insn_class cls;
	bool mem_direct;       /* a data access relative to RIP or absolute */
} insn_info;
/* Decodes the instruction in b[0, avail). Returns 1 when it needs bytes
 * past avail (avail < 15), else 0 with *out filled. Never fails. */
int insn_decode(const uint8_t *b, unsigned avail, insn_info *out);

/* Marks both boundaries of v (below and above) as legitimately unmerged. */
void vma_mark_unmerged(vma *v);
/* vma_modify_flags: merge or split so [start,end) of v gets flags. NULL + *err on failure. */
vma *vma_modify_flags(oracle_proc *p, vma *prev, vma *v, uint64_t start,
		      uint64_t end, uint64_t newflags, int *err);
/*
 * Unmapping, shared by munmap and MAP_FIXED (vms_gather_munmap_vmas): the
 * VMAs in [start, end) are gathered, splitting at the ends; an error keeps
 * the splits (gather_abort marks them for the checker); gather_complete
 * removes the gathered VMAs and their pages.
 */
typedef struct gather {
	vma *first;            /* first VMA inside [start, end), or NULL */
	uint64_t nr_pages, nr_accounted;
} gather;
int vms_gather_munmap_vmas(oracle_proc *p, uint64_t start, uint64_t end, gather *gt);
void gather_abort(oracle_proc *p, gather *gt, uint64_t end);
void gather_complete(oracle_proc *p, gather *gt, uint64_t end);
int do_vmi_munmap(oracle_proc *p, uint64_t start, uint64_t len);

/* mmap.c: shared with brk. */
bool mlock_future_ok(const oracle_proc *p, uint64_t vm_flags, uint64_t bytes);
bool vm_enough_memory(const oracle_proc *p, uint64_t pages);
uint64_t vm_start_gap(const oracle_proc *p, const vma *v);
void mm_populate(oracle_proc *p, uint64_t start, uint64_t len);
/* mmap.c, for mremap: get_unmapped_area() adopting the kernel's legal choice. */
int64_t get_unmapped_area_adopt(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags,
				uint64_t hugetlb, uint64_t kernel_result);

/* pages.c: page tables and frames. */
pte *pte_lookup(const oracle_proc *p, uint64_t vpn);
/* The first entry at or after vpn and below end_vpn, or NULL. */
pte *pte_next(const oracle_proc *p, uint64_t vpn, uint64_t end_vpn);
frame *frame_new(oracle_world *w, bool anon);
void frame_get(frame *f);
void frame_put(oracle_world *w, frame *f);
/* Installs an entry for vpn mapping f (NULL: a guard marker); NULL on OOM. */
pte *pte_install(oracle_proc *p, uint64_t vpn, frame *f, bool writable);
void pte_clear(oracle_proc *p, pte *e);
/* unmap_vmas() (ZAP_FLAG_DROP_MARKER): every entry in [start, end) goes,
 * guard markers too; for munmap and exit. */
void zap_page_range(oracle_proc *p, uint64_t start, uint64_t end);
/* zap_page_range_single() without ZAP_FLAG_DROP_MARKER: the pages in
 * [start, end) are unmapped, guard markers stay (MADV_DONTNEED, truncation). */
void zap_page_range_single(oracle_proc *p, uint64_t start, uint64_t end);
int anon_vma_prepare(oracle_proc *p, vma *v);
/*
 * Faults a page in as a read or write would; 0, VM_FAULT_SIGBUS (a file
 * page wholly past the end of its file), VM_FAULT_SIGSEGV (a guard marker),
 * or -LX_ENOMEM (the model is out of memory).
 */
#define VM_FAULT_SIGBUS 1
#define VM_FAULT_SIGSEGV 2  /* a guard marker: handle_pte_marker() */
int handle_mm_fault(oracle_proc *p, vma *v, uint64_t addr, bool write);
/* Faults [start, end) in as GUP does for populate; stops at the first
 * failing page (past a file's end, a guard marker) and returns -LX_EFAULT
 * for it (GUP's errno: vm_fault_to_errno()), else 0. */
int populate_vma_page_range(oracle_proc *p, vma *v, uint64_t start, uint64_t end);
/* Zeroes the bytes [off, PAGE_SIZE) of a frame. */
int frame_zero_from(oracle_world *w, frame *f, size_t off);
/* Reads n bytes at off (off + n <= PAGE_SIZE). */
void frame_read(const frame *f, size_t off, uint8_t *buf, size_t n);
/* Writes n bytes at off; returns -1 (world broken) when out of memory. */
int frame_write(oracle_world *w, frame *f, size_t off, const uint8_t *buf, size_t n);
/* Gives dst the contents of src (dst was all zero). */
int frame_copy(oracle_world *w, frame *dst, const frame *src);
oracle_file *file_new(oracle_world *w);
void file_put(oracle_world *w, oracle_file *f);
/* Drops the page-cache pages from index first on (truncation, last put). */
void pcache_drop_from(oracle_world *w, oracle_file *f, uint64_t first);

/* file.c: descriptors (fs/file.c) and shmem files (mm/memfd.c, mm/shmem.c). */
oracle_file *fd_file(const oracle_proc *p, uint64_t fd);   /* fget(): NULL if not a memfd */
int dup_fd(oracle_proc *child, const oracle_proc *parent); /* fork's copy of the table */
void exit_files(oracle_proc *p);                           /* closes every descriptor */
/* MADV_REMOVE's hole punch over the pages [first, last) of a shmem file. */
void shmem_punch_hole(oracle_world *w, oracle_file *f, uint64_t first, uint64_t last);

/* world.c: process lifetime. */
oracle_proc *proc_new(oracle_world *w);
void proc_teardown(oracle_proc *p);

/* Debug-build hook: run the whole-model checker after a mutation. */
void oracle_after_mutation(oracle_proc *p);

#endif
