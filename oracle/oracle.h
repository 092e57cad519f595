/* SPDX-License-Identifier: MIT */
/*
 * oracle.h: the reference model of Linux process memory semantics.
 *
 * The oracle predicts what the kernel does for a sequence of memory syscalls
 * and memory accesses: return values and errno, the VMA layout, which accesses
 * fault with which signal, and what every touched page holds. It is pure C:
 * no system calls, no I/O, nothing from the other layers.
 *
 * Operations mirror the syscalls one to one. They take the raw argument values
 * and return what the raw syscall returns: a value >= 0, or -errno (as the
 * kernel's return register holds it). Invalid arguments give the kernel's
 * errno, never an assertion. Internals are named after the kernel functions
 * they mirror (vma_merge_new_range, split_vma, mprotect_fixup, ...) so a
 * divergence can be read side by side with mm/vma.c.
 *
 * Semantics that differ by kernel version or configuration are selected by an
 * oracle_profile at run time, never by #ifdef.
 */
#ifndef MMSPEC_ORACLE_H
#define MMSPEC_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux_abi.h"

/* VMA flags, with the kernel's values (include/linux/mm.h, x86-64). */
#define VM_READ 0x00000001ULL
#define VM_WRITE 0x00000002ULL
#define VM_EXEC 0x00000004ULL
#define VM_SHARED 0x00000008ULL
#define VM_MAYREAD 0x00000010ULL
#define VM_MAYWRITE 0x00000020ULL
#define VM_MAYEXEC 0x00000040ULL
#define VM_MAYSHARE 0x00000080ULL
#define VM_GROWSDOWN 0x00000100ULL
#define VM_PFNMAP 0x00000400ULL
#define VM_MAYBE_GUARD 0x00000800ULL /* "gu": the VMA may hold guard markers (see profile.maybe_guard) */
#define VM_LOCKED 0x00002000ULL
#define VM_IO 0x00004000ULL
#define VM_SEQ_READ 0x00008000ULL
#define VM_RAND_READ 0x00010000ULL
#define VM_DONTCOPY 0x00020000ULL
#define VM_DONTEXPAND 0x00040000ULL
#define VM_LOCKONFAULT 0x00080000ULL
#define VM_ACCOUNT 0x00100000ULL
#define VM_NORESERVE 0x00200000ULL
#define VM_HUGETLB 0x00400000ULL
#define VM_SYNC 0x00800000ULL
#define VM_ARCH_1 0x01000000ULL
#define VM_WIPEONFORK 0x02000000ULL
#define VM_DONTDUMP 0x04000000ULL
#define VM_SOFTDIRTY 0x08000000ULL
#define VM_MIXEDMAP 0x10000000ULL
#define VM_HUGEPAGE 0x20000000ULL
#define VM_NOHUGEPAGE 0x40000000ULL
#define VM_MERGEABLE 0x80000000ULL
#define VM_SHADOW_STACK (1ULL << 37)
#define VM_DROPPABLE (1ULL << 40)
#define VM_SEALED (1ULL << 42)

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
#define VM_STARTGAP_FLAGS (VM_GROWSDOWN | VM_SHADOW_STACK)

/*
 * What the model knows about the kernel it describes. Fill with
 * oracle_profile_default() and adjust; the executor fills it from the target
 * (uname, sysctls, config probes).
 */
typedef struct oracle_profile {
	uint32_t version;           /* (major << 16) | (minor << 8) | patch */
	uint64_t task_size;         /* TASK_SIZE: 0x7ffffffff000 on 4-level paging */
	uint64_t mmap_min_addr;     /* effective: max(vm.mmap_min_addr, LSM_MMAP_MIN_ADDR) */
	uint64_t dac_mmap_min_addr; /* vm.mmap_min_addr, for the EPERM check */
	uint64_t max_map_count;     /* vm.max_map_count */
	uint64_t stack_guard_gap;   /* bytes, 256 pages by default */
	int overcommit_memory;      /* vm.overcommit_memory: 0 guess, 1 always, 2 never */
	uint64_t commit_guess_pages;/* totalram + swap pages: the OVERCOMMIT_GUESS limit */
	bool thp;                   /* CONFIG_TRANSPARENT_HUGEPAGE built in */
	bool ksm;                   /* CONFIG_KSM: MADV_MERGEABLE/UNMERGEABLE exist */
	bool memory_failure;        /* CONFIG_MEMORY_FAILURE: MADV_HWPOISON/SOFT_OFFLINE exist */
	bool maybe_guard;           /* MADV_GUARD_INSTALL sets VM_MAYBE_GUARD instead of giving
	                             * file mappings an anon_vma (6.19; some 6.18 builds) */
	bool swap;                  /* a swap device is active: reclaim (MADV_PAGEOUT) can swap
	                             * anonymous pages out, which the model does not cover */
	bool soft_dirty;            /* CONFIG_MEM_SOFT_DIRTY */
	uint64_t hugepage_sizes;    /* bit n set: a 2^n-byte hstate exists */
	uint64_t hugepages_free_2m; /* free pages in the 2 MiB pool */
	int memfd_noexec;           /* vm.memfd_noexec: 0 (default), 1 or 2 */
	uint32_t plant;             /* ORACLE_PLANT_* bugs to show on purpose; only
	                               builds with MMSPEC_PLANT_BUGS honour it */
} oracle_profile;

/*
 * Planted bugs, to prove the fuzzing pipeline finds, minimizes and
 * reproduces model bugs (fuzz/, docs/campaigns.md). Compiled in only with
 * -DMMSPEC_PLANT_BUGS (build/mmspec-planted); every other build ignores
 * oracle_profile.plant.
 */
#define ORACLE_PLANT_MPROTECT_NOSPLIT 0x1u  /* mprotect changes whole VMAs, never splits */
#define ORACLE_PLANT_MISSED_COW 0x2u        /* a write to an anon page shared after fork
					       writes the shared page */
#define ORACLE_PLANT_MMAP_ERRNO_ORDER 0x4u  /* mmap looks the fd up before checking the
					       offset's alignment (EBADF for EINVAL) */

/* A 6.18 x86-64 profile with the defaults of a common distribution kernel. */
void oracle_profile_default(oracle_profile *p);
/* True when the profile's kernel is at least major.minor. */
bool oracle_profile_at_least(const oracle_profile *p, unsigned major, unsigned minor);

typedef struct oracle_world oracle_world;
typedef struct oracle_proc oracle_proc;

/*
 * How a mapping without MAP_FIXED gets its address. ADOPT: the caller passes
 * the kernel's choice; the model checks that it is a legal choice and takes
 * it (and predicts its own choice when it is not, so the difference shows).
 * STRICT: the model predicts the exact top-down choice from mmap_base.
 */
typedef enum oracle_placement { ORACLE_PLACE_STRICT, ORACLE_PLACE_ADOPT } oracle_placement;

/* Creates an empty world with one root process and no VMAs; NULL on OOM. */
oracle_world *oracle_world_new(const oracle_profile *p);
void oracle_world_free(oracle_world *w);
oracle_proc *oracle_world_root(oracle_world *w);
const oracle_profile *oracle_world_profile(const oracle_world *w);
/*
 * Set when the model itself could not continue (out of memory while
 * modelling): every later answer is meaningless. The message is constant.
 */
const char *oracle_world_broken(const oracle_world *w);
/*
 * The root process ran prctl(PR_SET_THP_DISABLE, 1) before the program (the
 * sandbox does): no process of the world may use THP, which only
 * MADV_COLLAPSE can observe (EINVAL). Off by default.
 */
void oracle_world_set_thp_disabled(oracle_world *w, bool on);

/* Process set-up (before the program runs). */
void oracle_proc_set_layout(oracle_proc *p, uint64_t mmap_base, uint64_t start_brk,
			    uint64_t brk, uint64_t start_stack);
/* The data segment, for RLIMIT_DATA in brk (mm->start_data, end_data). */
void oracle_proc_set_data(oracle_proc *p, uint64_t start_data, uint64_t end_data);
void oracle_proc_set_rlimit(oracle_proc *p, int resource, uint64_t cur, uint64_t max);
void oracle_proc_set_cap(oracle_proc *p, int cap, bool on);
void oracle_proc_set_placement(oracle_proc *p, oracle_placement mode);
/*
 * Declares an open descriptor the model does not otherwise know: a
 * read-only file without an mmap operation, like the /proc/self/maps the
 * executor keeps open. mmap of it fails on do_mmap()'s file path (EACCES,
 * EPERM on a noexec mount, ENODEV) instead of EBADF. Returns 0, or -1 when
 * the table is full.
 */
int oracle_proc_add_foreign_fd(oracle_proc *p, int fd, bool noexec);

/* A VMA as the model reports it (and as the executor seeds it). */
typedef struct oracle_vma_info {
	uint64_t start, end;
	uint64_t flags;     /* VM_* */
	uint64_t pgoff;     /* in pages; anonymous private: start >> 12 at creation */
	uint32_t file_id;   /* 0: anonymous private; else the file or shmem object */
	uint32_t anon_id;   /* 0: no anon_vma yet; else the anon_vma's identity */
	bool anon_forked;   /* the anon_vma chain is not singular (a fork child) */
	char name[32];      /* [heap], [stack], [vdso], or "" */
} oracle_vma_info;

/*
 * Seeds one VMA of the real initial layout, as is, without merging. Returns
 * 0, or -1 if it overlaps an existing VMA or is not page aligned (nothing is
 * changed then).
 */
int oracle_proc_seed_vma(oracle_proc *p, const oracle_vma_info *v);
/*
 * Seeds a plausible initial layout of a 6.18 process without ASLR (program,
 * heap, libraries, vdso, stack) for model-only runs, with the executor's
 * own descriptors 1000 and 1001 (read-only /proc files, as foreign fds).
 * The arena base it recommends (1 GiB free above and below) is returned.
 */
uint64_t oracle_proc_seed_default(oracle_proc *p);

/* Syscalls. Each returns what the raw syscall returns (>= 0, or -errno). */
int64_t oracle_mmap(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t prot,
		    uint64_t flags, uint64_t fd, uint64_t off, uint64_t kernel_result);
int64_t oracle_munmap(oracle_proc *p, uint64_t addr, uint64_t len);
int64_t oracle_mprotect(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t prot);
/*
 * The mlock family (mm/mlock.c). mlock2's and mlockall's flags are C ints in
 * the kernel: only the low 32 bits of the raw argument count.
 */
int64_t oracle_mlock(oracle_proc *p, uint64_t addr, uint64_t len);
int64_t oracle_mlock2(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags);
int64_t oracle_munlock(oracle_proc *p, uint64_t addr, uint64_t len);
int64_t oracle_mlockall(oracle_proc *p, uint64_t flags);
int64_t oracle_munlockall(oracle_proc *p);
/*
 * brk(addr): the raw syscall returns the new break, or the unchanged old one
 * on any failure; it never returns -errno (mm/mmap.c: SYSCALL_DEFINE1(brk)).
 */
int64_t oracle_brk(oracle_proc *p, uint64_t addr);
/*
 * A return value meaning "the model does not cover this (yet)": the
 * harness skips the case instead of comparing a guess.
 */
#define ORACLE_UNMODELLED INT64_MIN
/* madvise(addr, len, advice) (mm/madvise.c); ORACLE_UNMODELLED for advice
 * the model does not cover yet. */
int64_t oracle_madvise(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t advice);
/*
 * mincore(addr, len, vec) (mm/mincore.c). Writes one byte per page into
 * vec (cap bytes at most) for the pages it reports; bytes past a failure
 * are left as they were. vec NULL stands for an unwritable vector: EFAULT
 * at the first VMA's copy (ENOMEM first if addr is unmapped). Returns 0 or
 * -errno.
 */
int64_t oracle_mincore(oracle_proc *p, uint64_t addr, uint64_t len, uint8_t *vec, size_t cap);
/* mseal(addr, len, flags) (mm/mseal.c; ENOSYS before 6.10). */
int64_t oracle_mseal(oracle_proc *p, uint64_t addr, uint64_t len, uint64_t flags);
/*
 * mremap(addr, old_len, new_len, flags, new_addr) (mm/mremap.c). Like
 * oracle_mmap, kernel_result is the kernel's raw return where there is one:
 * a move without MREMAP_FIXED adopts the kernel's address when it is a legal
 * choice. ORACLE_UNMODELLED for what the model does not cover (mremap.c).
 */
int64_t oracle_mremap(oracle_proc *p, uint64_t addr, uint64_t old_len, uint64_t new_len,
		      uint64_t flags, uint64_t new_addr, uint64_t kernel_result);
/* setrlimit(resource, {soft, hard}) (kernel/sys.c: do_prlimit). */
int64_t oracle_setrlimit(oracle_proc *p, uint64_t resource, uint64_t soft, uint64_t hard);
/*
 * memfd_create(name, flags) (mm/memfd.c): a new shmem file of size 0 on the
 * lowest free descriptor. name is the user string (NULL: an unreadable
 * pointer, EFAULT); flags is a C unsigned int (upper bits dropped). File
 * seals cannot be changed by a program (there is no fcntl), so they are not
 * tracked. An MFD_HUGETLB file gets its descriptor, but mapping it is
 * ORACLE_UNMODELLED.
 */
int64_t oracle_memfd_create(oracle_proc *p, const char *name, uint64_t flags);
/*
 * ftruncate(fd, length) (fs/open.c do_sys_ftruncate, mm/shmem.c
 * shmem_setattr): a shrink drops the page-cache pages past the new end,
 * unmaps them from every mapping (private copies too) and zeroes the tail
 * of the new last page. Growth past RLIMIT_FSIZE (SIGXFSZ) is
 * ORACLE_UNMODELLED.
 */
int64_t oracle_ftruncate(oracle_proc *p, uint64_t fd, uint64_t length);

/*
 * Processes. fork() copies the address space as dup_mmap() does and returns
 * the child (NULL when the model is out of processes or memory); *pid gets
 * the model's pid for it. exit() tears the child's address space down;
 * wait() reaps an exited child of p and returns its exit status, or -ECHILD.
 */
oracle_proc *oracle_fork(oracle_proc *p, int64_t *pid);
void oracle_exit(oracle_proc *p, int status);
int64_t oracle_wait(oracle_proc *p, oracle_proc *child);
int oracle_proc_pid(const oracle_proc *p);

/* Memory accesses: 8-byte loads and stores, and instruction fetch. */
typedef struct oracle_fault {
	int signo;          /* 0: the access succeeded; else LX_SIGSEGV, LX_SIGBUS */
	int code;           /* si_code */
	uint64_t addr;      /* si_addr */
} oracle_fault;
/*
 * signo of a fetch() the model cannot predict (the harness skips the case):
 * code says why (oracle_fetch_unmodelled_why), addr is the target.
 */
#define ORACLE_SIG_UNMODELLED (-1)
enum {
	ORACLE_FETCH_RUNS_MORE = 1, /* a second instruction runs before the trap */
	ORACLE_FETCH_MEM_DIRECT,    /* a data access relative to RIP or absolute */
	ORACLE_FETCH_NEAR_END,      /* near a page end: length or #GP unknown */
};
const char *oracle_fetch_unmodelled_why(int code);
/* Copies n bytes of the model's memory at addr into buf where pages are
 * present (0 elsewhere), touching nothing; for messages. */
void oracle_peek(const oracle_proc *p, uint64_t addr, uint8_t *buf, size_t n);

oracle_fault oracle_load(oracle_proc *p, uint64_t addr, uint64_t *value);
oracle_fault oracle_store(oracle_proc *p, uint64_t addr, uint64_t value);
oracle_fault oracle_fetch(oracle_proc *p, uint64_t addr);

/* Inspection. */
size_t oracle_vma_count(const oracle_proc *p);   /* map_count */
/* Fills up to cap VMAs intersecting [start, end), in address order; returns the total. */
size_t oracle_vmas(const oracle_proc *p, uint64_t start, uint64_t end,
		   oracle_vma_info *out, size_t cap);
/* Finds the VMA containing addr; returns false if none. */
bool oracle_find_vma(const oracle_proc *p, uint64_t addr, oracle_vma_info *out);

/* Per-page state, as /proc/pid/pagemap and mincore would show it. */
typedef struct oracle_page_info {
	bool present;       /* a PTE maps a page */
	bool zero_page;     /* the shared zero page */
	bool exclusive;     /* mapped by this process only (pagemap bit 56) */
	bool anon;          /* an anonymous page (pagemap bit 61 clear) */
	bool guard;         /* a guard marker, not present (pagemap bits 62 and 58) */
	bool lazyfree;      /* MADV_FREE'd and clean since: reclaim may drop it */
	uint32_t frame;     /* the model's page identity, to see sharing */
} oracle_page_info;
void oracle_page(const oracle_proc *p, uint64_t addr, oracle_page_info *out);

/*
 * MADV_FREE leaves a page mapped with its contents, but the kernel may
 * discard it whenever reclaim runs, until the next write to it; the model
 * cannot know when. oracle_page_may_drop() says whether the page at addr is
 * such a page; oracle_page_drop() makes the model take the kernel's choice
 * to discard it (when a load, pagemap or mincore showed that it did): the
 * page is unmapped from every process, and reads zero from then on. It does
 * nothing where oracle_page_may_unmap() (below) is false.
 */
bool oracle_page_may_drop(const oracle_proc *p, uint64_t addr);
void oracle_page_drop(oracle_proc *p, uint64_t addr);
/*
 * MADV_PAGEOUT likewise may or may not reclaim a page-cache page (a page
 * still in another CPU's LRU batch is skipped): reclaim unmaps it, and drops
 * it from the page cache when clean (it then reads zero, so
 * oracle_page_may_drop() is true for it); a dirty one stays cached and reads
 * the same. oracle_page_may_unmap() is true for both kinds and for lazyfree
 * pages; oracle_page_drop() does what reclaim would.
 */
bool oracle_page_may_unmap(const oracle_proc *p, uint64_t addr);
/*
 * The kernel shows the page at addr mapped by this PTE only: the model's
 * other PTEs of it that reclaim may have unmapped go.
 */
void oracle_page_unmap_others(oracle_proc *p, uint64_t addr);
/*
 * The page was dropped and then read again (a load, a fetch, a read
 * populate): it is the zero page now. For a private anonymous page that
 * oracle_page_may_drop(); nothing otherwise.
 */
void oracle_page_drop_refault(oracle_proc *p, uint64_t addr);
/*
 * The write that ends a page's lazyfree state may come after the kernel
 * dropped it; then the write faulted in a fresh page, which holds zeroes
 * plus the writes since. The model keeps that other possible content
 * beside the page until a load tells them apart. oracle_page_read_alt()
 * reads n bytes at off of it (false: the page has none);
 * oracle_page_resolve_alt() takes it as the page's contents (take) or
 * forgets it (the kernel showed the page was kept).
 */
bool oracle_page_read_alt(const oracle_proc *p, uint64_t addr, size_t off, uint8_t *buf, size_t n);
void oracle_page_resolve_alt(oracle_proc *p, uint64_t addr, bool take);

typedef struct oracle_counters {
	uint64_t map_count, total_vm, data_vm, locked_vm, exec_vm, stack_vm;
} oracle_counters;
void oracle_get_counters(const oracle_proc *p, oracle_counters *out);

/*
 * Whole-model invariant check: VMAs sorted, disjoint, page aligned, no two
 * adjacent VMAs that the kernel would have merged left unmerged where the
 * model's own operations made them, counters consistent with the VMAs, page
 * entries inside VMAs. Returns NULL when sound, else a constant description
 * of the first broken invariant. Runs after every mutation when built with
 * ORACLE_CHECK_INVARIANTS.
 */
const char *oracle_check(const oracle_world *w);

/*
 * Draws the pages of [start, start + npages*4096) as text, one character per
 * page: '.' unmapped, and a letter per VMA (a run of one letter is one VMA; a
 * new VMA takes the next letter). Writes npages characters and a NUL into buf
 * (cap >= npages + 1). Returns the number of VMAs seen.
 */
int oracle_draw(const oracle_proc *p, uint64_t start, uint64_t npages, char *buf, size_t cap);
/* "rw-p" style permissions of a VMA flag set, into buf[5]. */
void oracle_perms(uint64_t flags, char buf[5]);
/* smaps VmFlags mnemonics ("rd wr mr mw me ac"), into buf. */
void oracle_vmflags_string(uint64_t flags, char *buf, size_t cap);

#endif
