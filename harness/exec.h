/* SPDX-License-Identifier: MIT */
/*
 * exec.h: the executor. It runs one encoded program on the real kernel in a
 * forked sandbox and returns what happened, step by step.
 *
 * The process that calls exec_* is the pristine parent: it snapshots its own
 * layout once (exec_init) and then forks one sandbox per program. The
 * sandbox allocates nothing after the fork, so its layout is the snapshot
 * and the model can be seeded with it. Observations go to a shared buffer as
 * they happen, so a sandbox that crashes or hangs loses nothing it already
 * did.
 *
 * Used in-process (libFuzzer and AFL++ targets) and by mmspec-exec, which
 * speaks the pipe protocol of docs/executor-protocol.md.
 */
#ifndef MMSPEC_EXEC_H
#define MMSPEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prog.h"

#define EXEC_MAGIC 0x4d4d4f42u       /* "MMOB" */
#define EXEC_VERSION 5
#define EXEC_MAX_VMAS 16384          /* VMA records per program (all steps) */
#define EXEC_SNAPSHOT_VMAS 512
#define EXEC_MAX_PAGEMAP 16384       /* pagemap entries per program (all steps) */
#define EXEC_PAGEMAP_STEP 512        /* pages one pagemap() step reads at most */

/* A VMA as observed. prot: PROCMAP_QUERY's bits (1 R, 2 W, 4 X, 8 shared). */
typedef struct exec_vma {
	uint64_t start, end;
	uint64_t pgoff;          /* bytes, as /proc/pid/maps shows it */
	uint64_t vmflags;        /* VM_* from smaps VmFlags (snapshot only, else 0) */
	uint32_t prot;
	uint32_t anon;           /* snapshot: the VMA has anonymous pages (an anon_vma) */
	char name[32];           /* [heap], [stack], [vdso], file basename, or "" */
} exec_vma;

enum exec_status {
	EXEC_OK = 0,             /* every step ran */
	EXEC_CRASHED = 1,        /* the sandbox died outside a probe (crash_signal) */
	EXEC_TIMEOUT = 2,        /* the watchdog killed it */
	EXEC_SETUP_FAILED = 3,   /* the sandbox could not be set up (error) */
	EXEC_BAD_PROGRAM = 4,    /* the program did not decode (error) */
	/* The program changed the executor's own memory so that the sandbox
	 * cannot go on (error says how: a fork() after it marked that memory
	 * VM_DONTCOPY or VM_WIPEONFORK). Nothing to compare from that step on;
	 * the harness did not break. */
	EXEC_SELF_HARM = 5
};

/* What one step did. */
typedef struct exec_step_obs {
	int64_t ret;             /* syscall: the raw return (-errno on failure) */
	int32_t signo, code;     /* probe: the signal and si_code, 0 if none */
	uint64_t addr;           /* probe: si_addr */
	uint64_t value;          /* load: the value read */
	uint32_t done;           /* 1 once the step has completed */
	uint32_t layout_first;   /* layout after the step: vma[first .. first+count) */
	uint32_t layout_count;
	uint16_t layout_full;    /* 1: the whole address space; 0: the step's window */
	uint16_t layout_taken;   /* 1: a layout was recorded (it may hold no VMA) */
	uint32_t pm_first;       /* pagemap(): entries pm[first .. first+count) */
	uint32_t pm_count;
} exec_step_obs;

typedef struct exec_obs {
	uint32_t magic, version;
	uint32_t status;         /* enum exec_status */
	int32_t crash_signal;
	uint32_t steps_done;
	uint32_t nvmas;
	uint32_t final_first;    /* the whole layout after the last step */
	uint32_t final_count;
	uint32_t vma_overflow;   /* more VMA records than EXEC_MAX_VMAS: layouts incomplete */
	/* Shared by the program's processes while it runs. */
	uint32_t turn;           /* the next step to run; processes wait for their steps */
	uint32_t abort;          /* a process died outside a probe: everyone stops */
	int32_t pid[PROG_MAX_VARS];   /* pids of the processes fork() made, by variable */
	uint64_t vals[PROG_MAX_VARS]; /* variable values, bound by whichever process ran the step */
	/*
	 * Requests to the executor parent. pagemap(): PFNs are visible only to
	 * a reader with CAP_SYS_ADMIN, so the sandboxed process posts the
	 * request here and the privileged executor parent reads
	 * /proc/PID/pagemap for it. Layouts: a forked process that could not
	 * open its own /proc/self/maps (the program lowered RLIMIT_NOFILE)
	 * asks the parent to read /proc/PID/maps or smaps for it, and the
	 * parent appends the VMA records.
	 */
	uint32_t pm_req;         /* EXEC_REQ_* while a request waits for the parent, else 0 */
	int32_t pm_pid;
	uint64_t pm_addr;        /* pagemap: the first page; layout: the window's start */
	uint64_t pm_hi;          /* layout: the window's end */
	uint32_t pm_n;
	uint32_t npm;            /* entries used in pm[] (after the VMA records) */
	uint64_t arena;
	char error[256];
	exec_step_obs step[PROG_MAX_STEPS];
	exec_vma vma[EXEC_MAX_VMAS];
	uint64_t pm[EXEC_MAX_PAGEMAP]; /* raw /proc/PID/pagemap entries, with PFNs */
} exec_obs;

/* What a sandboxed process asks of the executor parent (exec_obs.pm_req). */
enum exec_request {
	EXEC_REQ_PAGEMAP = 1,    /* pm_n entries of /proc/pm_pid/pagemap from pm_addr */
	EXEC_REQ_LAYOUT = 2,     /* the VMAs of pm_pid intersecting [pm_addr, pm_hi) */
	EXEC_REQ_SMAPS = 3       /* every VMA of pm_pid with its VmFlags (smaps) */
};

/* Facts about the target, gathered once by exec_init(). */
typedef struct exec_target_info {
	char release[65];        /* uname -r */
	char machine[65];
	uint32_t version;        /* PROG_VERSION(major, minor, patch) from the release */
	uint64_t mmap_min_addr;  /* /proc/sys/vm/mmap_min_addr (the permission check) */
	uint64_t mmap_min_effective; /* what hints are raised to (LSM_MMAP_MIN_ADDR) */
	uint64_t hugepage_sizes; /* bit n: a 2^n-byte hugetlb pool exists */
	uint64_t hugepages_free_2m;
	uint64_t max_map_count;
	int overcommit_memory;
	uint64_t commit_guess_pages; /* MemTotal + SwapTotal, in pages */
	uint64_t swap_pages;     /* SwapTotal, in pages: MADV_PAGEOUT can swap anonymous pages out */
	bool thp;                /* /sys/kernel/mm/transparent_hugepage exists */
	bool ksm;                /* /sys/kernel/mm/ksm exists: CONFIG_KSM */
	bool memory_failure;     /* vm.memory_failure_early_kill exists: CONFIG_MEMORY_FAILURE */
	bool maybe_guard;        /* a guard region marks its VMA "gu" (VM_MAYBE_GUARD) */
	bool procmap_query;      /* the PROCMAP_QUERY ioctl works */
	bool soft_dirty;         /* pagemap soft-dirty bit observed on a fresh page */
	uint64_t zero_pfn;       /* the shared zero page's PFN as pagemap shows it (0: PFNs hidden) */
	uint64_t arena;          /* A */
	bool privileged;         /* root: the sandbox drops to uid 65534 and can keep capabilities */
	uint64_t cap_bounding;   /* capabilities in the bounding set: the ones a sandbox can keep */
	int32_t own_fds[2];      /* the sandbox's own descriptors (/proc/self/maps, smaps) */
	bool proc_noexec;        /* those descriptors' files refuse PROT_EXEC (SB_I_NOEXEC) */
	uint64_t rlim_cur[16], rlim_max[16]; /* the sandbox's limits */
	uint64_t start_brk, brk, start_stack;
	uint64_t start_data, end_data;
	uint32_t nvmas;          /* the sandbox's initial layout */
	exec_vma vma[EXEC_SNAPSHOT_VMAS];
} exec_target_info;

typedef struct exec_options {
	uint64_t keep_caps;      /* capabilities the sandbox keeps (bit n = cap n) */
	uint32_t timeout_ms;     /* watchdog; 0: 10 s */
	bool maps_text;          /* observe with /proc/self/maps even if PROCMAP_QUERY works */
	uint32_t test_hook;      /* harness self-tests only: EXEC_HOOK_* */
} exec_options;

/* Misbehaviours the sandbox can be told to show, to test the harness itself. */
enum exec_hook {
	EXEC_HOOK_NONE = 0,
	EXEC_HOOK_HANG = 1,      /* loop forever after the first step */
	EXEC_HOOK_CRASH = 2,     /* die of SIGSEGV outside any probe after the first step */
	EXEC_HOOK_EXIT = 3       /* exit(7) after the first step */
};

/*
 * The limits every sandbox sets (RLIMIT_AS 8 GiB, MEMLOCK 8 MiB, ...), by
 * Linux resource number. Model-only runs seed the same ones, so a program
 * that would need more memory than the machine should give fails the same
 * way in the model as in the sandbox instead of making the model allocate it.
 */
typedef struct exec_rlimit {
	int resource;
	uint64_t value;
} exec_rlimit;
extern const exec_rlimit exec_sandbox_rlimits[];
extern const size_t exec_sandbox_rlimit_count;

/*
 * Prepares the calling process as the pristine parent: picks the arena,
 * lays out the shared observation buffer, pre-grows its stack, gathers the
 * target facts and snapshots the layout a sandbox will start with. Call once,
 * before anything else. Returns 0, or -1 with a message in err.
 */
int exec_init(exec_target_info *info, char *err, size_t errcap);

/*
 * Runs one encoded program (prog_encode) in a fresh sandbox. Returns a
 * pointer to the observations (valid until the next exec_run), never NULL:
 * failures are reported in its status and error.
 */
const exec_obs *exec_run(const uint8_t *prog, size_t len, const exec_options *opt);

/*
 * Packing for the pipe: the header, the steps that ran (and the one that was
 * running) and the VMA records, nothing else. exec_obs_pack returns the
 * number of bytes written (at most cap; 0 if cap is too small).
 * exec_obs_unpack validates sizes and counts and returns 0 or -1.
 */
size_t exec_obs_pack(const exec_obs *o, uint8_t *buf, size_t cap);
int exec_obs_unpack(const uint8_t *buf, size_t len, exec_obs *o);

/* The observation method in use: "PROCMAP_QUERY" or "/proc/self/maps". */
const char *exec_layout_method(bool maps_text);

/*
 * The address window whose VMAs are observed after step s, given its
 * evaluated arguments and raw return: the step's range and one page on each
 * side, so merges with neighbours show. Shared by the executor and the
 * comparator so both look at the same VMAs. Returns false when the step
 * has no window.
 */
bool exec_step_window(const prog_step *s, const uint64_t *args, int64_t ret,
		      uint64_t *lo, uint64_t *hi);

#endif
