/* SPDX-License-Identifier: MIT */
/*
 * exec.c: the sandbox executor (see exec.h).
 *
 * Per program: fork from the pristine parent; in the child, set up the
 * sandbox (own process group, parent-death signal, THP off, rlimits, no
 * file descriptors the program could see, uid 65534 with only the
 * capabilities the case asked for), then run the steps with raw
 * syscall(__NR_x) and fault-catching probes, recording each result and the
 * layout around it in the shared buffer. The parent waits with a watchdog
 * that kills the whole process group.
 *
 * After the fork the child calls nothing that allocates: no malloc, no stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/futex.h>
#include <malloc.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "exec.h"
#include "linux_abi.h"
#include "oracle.h" /* VM_* values for smaps flags; header only */

/* include/uapi/linux/fs.h (6.11+); spelled out for older headers. */
struct mm_procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define MM_PROCMAP_QUERY _IOWR('f', 17, struct mm_procmap_query)
#define MM_PROCMAP_COVERING_OR_NEXT 0x10

#define PAGE 4096ULL
#define ARENA_DEFAULT 0x100000000000ULL /* 16 TiB: far from every default mapping */
#define FD_MAPS 1000                    /* the sandbox's own fds sit high */
#define FD_SMAPS 1001
#define SANDBOX_UID 65534
#define TASK_SIZE_X86 0x7ffffffff000ULL

static exec_obs *obs;                  /* MAP_SHARED: survives the child */
static void *fence;                    /* the PROT_NONE fence (exec_init) */
#define FENCE_LEN (64ULL << 20)
static exec_target_info *info_ptr;
static prog_case decoded;

/* ---------- small helpers that do not allocate ---------- */

static int read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = 0;
	return (int)n;
}

static uint64_t read_u64_file(const char *path, uint64_t dflt)
{
	char buf[64];
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return dflt;
	return strtoull(buf, NULL, 0);
}

static const struct { const char *name; uint64_t bit; } vmflag_names[] = {
	{ "rd", VM_READ }, { "wr", VM_WRITE }, { "ex", VM_EXEC }, { "sh", VM_SHARED },
	{ "mr", VM_MAYREAD }, { "mw", VM_MAYWRITE }, { "me", VM_MAYEXEC }, { "ms", VM_MAYSHARE },
	{ "gd", VM_GROWSDOWN }, { "pf", VM_PFNMAP }, { "lo", VM_LOCKED }, { "io", VM_IO },
	{ "sr", VM_SEQ_READ }, { "rr", VM_RAND_READ }, { "dc", VM_DONTCOPY },
	{ "de", VM_DONTEXPAND }, { "lf", VM_LOCKONFAULT }, { "ac", VM_ACCOUNT },
	{ "nr", VM_NORESERVE }, { "ht", VM_HUGETLB }, { "sf", VM_SYNC }, { "ar", VM_ARCH_1 },
	{ "wf", VM_WIPEONFORK }, { "dd", VM_DONTDUMP }, { "sd", VM_SOFTDIRTY },
	{ "gu", VM_MAYBE_GUARD }, { "mm", VM_MIXEDMAP }, { "hg", VM_HUGEPAGE }, { "nh", VM_NOHUGEPAGE },
	{ "mg", VM_MERGEABLE }, { "ss", VM_SHADOW_STACK }, { "dp", VM_DROPPABLE },
	{ "sl", VM_SEALED },
};

static uint64_t parse_vmflags(const char *p)
{
	uint64_t f = 0;
	while (*p && *p != '\n') {
		while (*p == ' ')
			p++;
		for (size_t i = 0; i < sizeof(vmflag_names) / sizeof(vmflag_names[0]); i++)
			if (p[0] == vmflag_names[i].name[0] && p[1] == vmflag_names[i].name[1] &&
			    (p[2] == ' ' || p[2] == '\n' || p[2] == 0))
				f |= vmflag_names[i].bit;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return f;
}

/* Parses one /proc/pid/maps header line into v; returns the end of the line. */
static const char *parse_maps_line(const char *p, exec_vma *v)
{
	char *e;
	memset(v, 0, sizeof(*v));
	v->start = strtoull(p, &e, 16);
	v->end = strtoull(e + 1, &e, 16);
	p = e + 1;
	v->prot = (p[0] == 'r' ? 1 : 0) | (p[1] == 'w' ? 2 : 0) | (p[2] == 'x' ? 4 : 0) |
		  (p[3] == 's' ? 8 : 0);
	p += 5;
	v->pgoff = strtoull(p, &e, 16);
	p = e;
	/* dev, inode, then the name after spaces */
	for (int field = 0; field < 2; field++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	while (*p == ' ')
		p++;
	const char *name = p;
	while (*p && *p != '\n')
		p++;
	const char *base = name;
	for (const char *q = name; q < p; q++)
		if (*q == '/')
			base = q + 1;
	size_t n = (size_t)(p - base);
	if (n >= sizeof(v->name))
		n = sizeof(v->name) - 1;
	memcpy(v->name, base, n);
	v->name[n] = 0;
	return *p ? p + 1 : p;
}

/* ---------- the pristine parent ---------- */

static char big_buf[1 << 20];          /* smaps and maps text; static: no allocation */

static void grow_stack(void)
{
	/* Touch 256 KiB below the current frame so that the sandbox never grows
	 * its stack VMA by itself while a program runs. */
	volatile char pad[256 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
	(void)pad[0];
}

/*
 * Parses /proc/self/smaps text into VMA records (bounds, permissions,
 * offset, name, VmFlags, whether it has anonymous pages), leaving out the
 * gate VMA. Returns how many it wrote (at most cap).
 */
static uint32_t parse_smaps(const char *text, exec_vma *out, uint32_t cap)
{
	uint32_t n = 0;
	exec_vma *cur = NULL;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			break;
		/* A header line starts with a hex digit and has a '-' in the first token. */
		bool header = ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) &&
			      memchr(p, '-', (size_t)(eol - p)) && !memchr(p, ':', 3);
		if (header) {
			exec_vma v;
			parse_maps_line(p, &v);
			cur = NULL;
			if (v.start < TASK_SIZE_X86 && n < cap) { /* [vsyscall] is no VMA of the mm */
				out[n] = v;
				cur = &out[n++];
			}
		} else if (cur && !strncmp(p, "VmFlags:", 8)) {
			cur->vmflags = parse_vmflags(p + 8);
		} else if (cur && !strncmp(p, "Anonymous:", 10)) {
			cur->anon = strtoull(p + 10, NULL, 10) > 0;
		}
		p = eol + 1;
	}
	return n;
}

/*
 * Whether /proc/self/maps and smaps show the layout of when they were
 * opened, not of when they are read. Linux regenerates them on every read
 * from offset 0; qemu-user emulates them by writing the text into a
 * temporary file at open() (docs/findings.md), so there they are reopened
 * before every read.
 */
static bool proc_text_frozen;
/* /proc/self/smaps lists VMAs that /proc/self/maps does not (snapshot_layout). */
static bool smaps_foreign;

/* Reads a /proc file from the start to EOF into big_buf (seq_files return a
 * buffer's worth per read); returns the length. */
static size_t read_proc_fd(int fd)
{
	size_t n = 0;
	ssize_t r;
	if (proc_text_frozen && (fd == FD_MAPS || fd == FD_SMAPS)) {
		int nfd = open(fd == FD_MAPS ? "/proc/self/maps" : "/proc/self/smaps", O_RDONLY);
		if (nfd >= 0 && nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
	lseek(fd, 0, SEEK_SET);
	while (n + 1 < sizeof(big_buf) && (r = read(fd, big_buf + n, sizeof(big_buf) - 1 - n)) > 0)
		n += (size_t)r;
	big_buf[n] = 0;
	return n;
}

static int snapshot_layout(exec_target_info *info)
{
	int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = read_proc_fd(fd);
	close(fd);
	if (!n)
		return -1;
	info->nvmas = parse_smaps(big_buf, info->vma, EXEC_SNAPSHOT_VMAS);
	/*
	 * The layout is what /proc/self/maps shows; smaps only adds VmFlags and
	 * anonymous pages. On Linux both list the same VMAs. qemu-user emulates
	 * maps (the guest's view) but passes smaps through from the host, where
	 * qemu's own binary, libraries and heap show too (docs/findings.md):
	 * keep only what maps shows, and stop trusting smaps for maps() steps.
	 */
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read_proc_fd(fd);
	close(fd);
	uint32_t kept = 0;
	for (uint32_t i = 0; i < info->nvmas; i++) {
		bool shown = false;
		for (const char *p = big_buf; *p && !shown;) {
			exec_vma v;
			p = parse_maps_line(p, &v);
			shown = v.start == info->vma[i].start && v.end == info->vma[i].end;
		}
		if (shown)
			info->vma[kept++] = info->vma[i];
	}
	smaps_foreign = kept != info->nvmas;
	info->nvmas = kept;
	return 0;
}

/* Sets proc_text_frozen: does a mapping made after open() show on a reread? */
static void probe_proc_text_frozen(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size_t n1 = read_proc_fd(fd);
	void *p = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		/* A read-only page inside PROT_NONE: two more VMAs, whatever merges. */
		mprotect((char *)p + PAGE, PAGE, PROT_READ);
		proc_text_frozen = read_proc_fd(fd) == n1;
		munmap(p, 3 * PAGE);
	}
	close(fd);
}

static bool probe_procmap_query(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct mm_procmap_query q = { .size = sizeof(q), .query_flags = MM_PROCMAP_COVERING_OR_NEXT };
	bool ok = ioctl(fd, MM_PROCMAP_QUERY, &q) == 0 && q.vma_end > q.vma_start;
	close(fd);
	return ok;
}

static uint32_t parse_release(const char *r)
{
	unsigned a = 0, b = 0, c = 0;
	sscanf(r, "%u.%u.%u", &a, &b, &c);
	if (c > 255)
		c = 255;
	return PROG_VERSION(a, b, c);
}

static uint64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* The sandbox's limits: generous enough for any case, small enough for the machine. */
const exec_rlimit exec_sandbox_rlimits[] = {
	{ RLIMIT_AS, 8ULL << 30 },        /* address space: the machine's safety */
	{ RLIMIT_MEMLOCK, 8ULL << 20 },   /* locked memory */
	/* Processes of uid 65534, counted machine-wide across every
	 * sandbox (concurrent runs share it): a program makes at most one
	 * per fork() step, so this only stops runaways. */
	{ RLIMIT_NPROC, 1024 },
	{ RLIMIT_CPU, 20 },               /* seconds, besides the watchdog */
	{ RLIMIT_CORE, 0 },
	{ RLIMIT_FSIZE, 64ULL << 20 },
	{ RLIMIT_NOFILE, 2048 },
};
const size_t exec_sandbox_rlimit_count = sizeof(exec_sandbox_rlimits) / sizeof(exec_sandbox_rlimits[0]);

static void sandbox_limits(exec_target_info *info)
{
	for (int r = 0; r < 16; r++) {
		struct rlimit rl;
		getrlimit(r, &rl);
		info->rlim_cur[r] = rl.rlim_cur;
		info->rlim_max[r] = rl.rlim_max;
	}
	const exec_rlimit *want = exec_sandbox_rlimits;
	/* Without privilege a limit cannot rise above its hard limit: take the
	 * lower, so the model is seeded with what the sandbox really has. */
	for (size_t i = 0; i < exec_sandbox_rlimit_count; i++) {
		uint64_t v = want[i].value;
		if (!info->privileged && v > info->rlim_max[want[i].resource])
			v = info->rlim_max[want[i].resource];
		info->rlim_cur[want[i].resource] = info->rlim_max[want[i].resource] = v;
	}
}


/*
 * Whether MADV_GUARD_INSTALL marks the VMA VM_MAYBE_GUARD ("gu" in smaps;
 * 6.19, and some 6.18 builds): then guarded file mappings get no anon_vma,
 * which changes how they merge after fork. A scratch page, unmapped again.
 */
static bool probe_maybe_guard(void)
{
	/* The probed page sits between two PROT_NONE pages of its own, so it
	 * merges with nothing of the executor's and leaves nothing behind. */
	char *p = (char *)syscall(SYS_mmap, NULL, 3 * PAGE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	bool gu = false;
	char head[32];
	snprintf(head, sizeof(head), "\n%lx-", (unsigned long)(p + PAGE));
	if (syscall(SYS_mprotect, p + PAGE, PAGE, PROT_READ | PROT_WRITE) == 0 &&
	    syscall(SYS_madvise, p + PAGE, PAGE, LX_MADV_GUARD_INSTALL) == 0 &&
	    read_file("/proc/self/smaps", big_buf, sizeof(big_buf)) > 0) {
		char *at = strstr(big_buf, head);
		char *vf = at ? strstr(at, "VmFlags:") : NULL;
		char *eol = vf ? strchr(vf, '\n') : NULL;
		gu = eol && memmem(vf, (size_t)(eol - vf), " gu", 3);
	}
	syscall(SYS_munmap, p, 3 * PAGE);
	return gu;
}

int exec_init(exec_target_info *info, char *err, size_t errcap)
{
	memset(info, 0, sizeof(*info));
	info_ptr = info;
	struct utsname u;
	uname(&u);
	snprintf(info->release, sizeof(info->release), "%s", u.release);
	snprintf(info->machine, sizeof(info->machine), "%s", u.machine);
	info->version = parse_release(u.release);
	if (strcmp(u.machine, "x86_64")) {
		snprintf(err, errcap, "mmspec-exec: the model describes x86-64; this is %s", u.machine);
		return -1;
	}
	info->mmap_min_addr = read_u64_file("/proc/sys/vm/mmap_min_addr", 4096);
	info->max_map_count = read_u64_file("/proc/sys/vm/max_map_count", 65530);
	info->overcommit_memory = (int)read_u64_file("/proc/sys/vm/overcommit_memory", 0);
	if (read_file("/proc/meminfo", big_buf, sizeof(big_buf)) > 0)
		info->commit_guess_pages = (meminfo_kb(big_buf, "MemTotal:") +
					    meminfo_kb(big_buf, "SwapTotal:")) / 4;
	info->swap_pages = info->commit_guess_pages ? meminfo_kb(big_buf, "SwapTotal:") / 4 : 0;
	info->thp = access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;
	info->ksm = access("/sys/kernel/mm/ksm", F_OK) == 0;
	info->memory_failure = access("/proc/sys/vm/memory_failure_early_kill", F_OK) == 0;
	info->maybe_guard = probe_maybe_guard();
	if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0)
		info->hugepage_sizes |= 1ULL << 21;
	if (access("/sys/kernel/mm/hugepages/hugepages-1048576kB", F_OK) == 0)
		info->hugepage_sizes |= 1ULL << 30;
	info->hugepages_free_2m = read_u64_file("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", 0);
	/* CONFIG_MEM_SOFT_DIRTY: a new VMA is soft-dirty, so even a fresh page
	 * reads pagemap bit 55; without the option the bit is never set. */
	{
		volatile char *sd = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sd != MAP_FAILED) {
			sd[0] = 1;
			uint64_t e = 0;
			int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				if (pread(fd, &e, 8, (off_t)((uint64_t)sd / PAGE * 8)) == 8)
					info->soft_dirty = (e >> 55) & 1;
				close(fd);
			}
			munmap((void *)sd, PAGE);
		}
	}
	/* The shared zero page's PFN: a read fault on private anonymous memory
	 * maps it (do_anonymous_page()). The harness tells a page reclaim
	 * discarded and a later read refaulted from one it kept by this PFN:
	 * both are present and not exclusive once a fork shared the kept one.
	 * pagemap shows PFNs to CAP_SYS_ADMIN only; otherwise 0. */
	{
		volatile char *zp = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (zp != MAP_FAILED) {
			(void)zp[0];
			uint64_t e = 0;
			int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				if (pread(fd, &e, 8, (off_t)((uint64_t)zp / PAGE * 8)) == 8 && ((e >> 63) & 1))
					info->zero_pfn = e & ((1ULL << 55) - 1);
				close(fd);
			}
			munmap((void *)zp, PAGE);
		}
	}
	/* A hint below the effective minimum is raised to it (round_hint_to_min),
	 * which shows CONFIG_LSM_MMAP_MIN_ADDR without reading the config. */
	void *h = mmap((void *)PAGE, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	info->mmap_min_effective = 65536;
	if (h != MAP_FAILED) {
		if ((uint64_t)h < (1ULL << 32))
			info->mmap_min_effective = (uint64_t)h;
		munmap(h, PAGE);
	}
	info->procmap_query = probe_procmap_query();
	probe_proc_text_frozen();
	info->privileged = geteuid() == 0;
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			info->cap_bounding |= 1ULL << cap;
	/* Program processes orphaned when a sandbox dies come back to us, so
	 * they are reaped at once instead of piling up as zombies under pid 1
	 * (which would count against the sandbox uid's RLIMIT_NPROC). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	info->own_fds[0] = FD_MAPS;
	info->own_fds[1] = FD_SMAPS;
	/* procfs sets SB_I_NOEXEC on its superblock (fs/proc/root.c:
	 * proc_fill_super), which path_noexec() honours whatever the mount
	 * flags say. */
	info->proc_noexec = true;
	sandbox_limits(info);

	obs = mmap(NULL, sizeof(*obs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (obs == MAP_FAILED) {
		snprintf(err, errcap, "mmspec-exec: cannot map the observation buffer: %s", strerror(errno));
		return -1;
	}
	/* The arena: 16 TiB if 1 GiB below and 2 GiB above it are free, else a
	 * free 3 GiB found by the kernel, with A 1 GiB into it. */
	uint64_t want = ARENA_DEFAULT - (1ULL << 30);
	void *r = mmap((void *)want, 3ULL << 30, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (r == MAP_FAILED || (uint64_t)r != want) {
		if (r != MAP_FAILED)
			munmap(r, 3ULL << 30);
		r = mmap(NULL, 3ULL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r == MAP_FAILED) {
			snprintf(err, errcap, "mmspec-exec: no 3 GiB of free address space for the arena");
			return -1;
		}
	}
	munmap(r, 3ULL << 30);
	info->arena = ((uint64_t)r + (1ULL << 30) + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);

	/*
	 * A shared PROT_NONE fence, 64 MiB, below everything mapped so far:
	 * non-fixed mmaps land under it, it never merges with them, and a
	 * program that maps or probes upwards from them meets the fence (which
	 * the model knows) long before the executor's own memory. Each sandbox
	 * replaces it with a fresh one (fresh_fence()).
	 *
	 * Shared, not private: a private anonymous mapping whose length is a
	 * multiple of 2 MiB is placed 2 MiB-aligned when THP is configured
	 * (mm/mmap.c: __get_unmapped_area() calls thp_get_unmapped_area() for
	 * anonymous PMD-multiple lengths), which leaves a gap above it; a
	 * program's first mmap then lands in that gap, right under the
	 * observation buffer, and opening "the fence" opens that buffer. A
	 * private fence would also merge with PROT_NONE memory mapped under it.
	 */
	fence = mmap(NULL, FENCE_LEN, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (fence == MAP_FAILED) {
		snprintf(err, errcap, "mmspec-exec: cannot map the fence: %s", strerror(errno));
		return -1;
	}
	/*
	 * The parent's own layout must not change between programs, or the
	 * snapshot would lie: decoding a program mallocs, so keep glibc from
	 * using mmap for large blocks or trimming the heap, and grow the heap
	 * once now.
	 */
	if (!mallopt(M_MMAP_MAX, 0) || !mallopt(M_TRIM_THRESHOLD, 1 << 30)) {
		snprintf(err, errcap, "mmspec-exec: cannot pin malloc to the heap (mallopt)");
		return -1;
	}
	/* Through a volatile pointer: the compiler may drop free(malloc(n)). */
	void *volatile grow = malloc(32 << 20);
	free(grow);
	grow_stack();
	info->brk = (uint64_t)syscall(SYS_brk, 0);
	if (read_file("/proc/self/stat", big_buf, sizeof(big_buf)) > 0) {
		/* Fields after the ")" of comm (proc_pid_stat(5)): 28 startstack,
		 * 45 start_data, 46 end_data, 47 start_brk. */
		const char *p = strrchr(big_buf, ')');
		int field = 2;
		for (; p && *p && field < 47; p++) {
			if (*p == ' ') {
				field++;
				uint64_t v = strtoull(p + 1, NULL, 10);
				if (field == 28)
					info->start_stack = v;
				else if (field == 45)
					info->start_data = v;
				else if (field == 46)
					info->end_data = v;
				else if (field == 47)
					info->start_brk = v;
			}
		}
	}
	if (snapshot_layout(info)) {
		snprintf(err, errcap, "mmspec-exec: cannot read /proc/self/smaps: %s", strerror(errno));
		return -1;
	}
	/*
	 * qemu-user's /proc/self/stat leaves start_brk 0 (docs/findings.md).
	 * The heap VMA runs from start_brk to the page-aligned brk, so its
	 * start is start_brk whenever the heap has grown (it has: malloc above).
	 */
	if (!info->start_brk && info->brk) {
		uint64_t end = (info->brk + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		for (uint32_t i = 0; i < info->nvmas; i++)
			if (info->vma[i].end == end && info->vma[i].start < info->brk)
				info->start_brk = info->vma[i].start;
	}
	return 0;
}

const char *exec_layout_method(bool maps_text)
{
	return maps_text || !info_ptr || !info_ptr->procmap_query ? "/proc/self/maps" : "PROCMAP_QUERY";
}

/* ---------- inside the sandbox ---------- */

static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_active, fetch_traps;
static volatile int32_t fault_signo, fault_code;
static volatile uint64_t fault_addr, fetch_target;
static volatile int64_t fault_trapno, fault_err;
static volatile uint64_t fault_rip;
static volatile sig_atomic_t fault_traps_at;  /* fetch_traps when the fault came */
/*
 * What every general register holds, rsp included, while fetch()'s one
 * instruction runs (oracle/insn.c relies on it): non-canonical, and so are
 * its multiples by 1, 2, 3, 4, 5, 8 and 9 plus any 32-bit displacement (the
 * addresses a ModRM/SIB operand can build from two registers). So the
 * instruction cannot reach memory through a register: an explicit operand
 * raises #GP, a stack access (push, pop, popf, ret, iret...) #SS, a jump
 * through a register #GP. The sandbox's own memory and the program's stay
 * untouched, whatever bytes the program planted.
 */
#define FETCH_REG 0xdead0000dead0000ULL
void fetch_jmp_insn(void); /* the asm label of the jump to the target */
static char altstack[64 * 1024];
static bool use_maps_text;

static void record_vma(uint64_t start, uint64_t end, uint64_t pgoff, uint32_t prot)
{
	if (obs->nvmas >= EXEC_MAX_VMAS) {
		obs->vma_overflow = 1;
		return;
	}
	exec_vma *v = &obs->vma[obs->nvmas++];
	memset(v, 0, sizeof(*v));
	v->start = start;
	v->end = end;
	v->pgoff = pgoff;
	v->prot = prot;
}

/* Records the VMAs intersecting [lo, hi), read through fd (a /proc/PID/maps
 * descriptor), and returns how many. */
static uint32_t record_layout_fd(int fd, uint64_t lo, uint64_t hi)
{
	uint32_t before = obs->nvmas;
	if (!use_maps_text) {
		uint64_t addr = lo;
		while (addr < hi) {
			struct mm_procmap_query q = { .size = sizeof(q),
						      .query_flags = MM_PROCMAP_COVERING_OR_NEXT,
						      .query_addr = addr };
			if (ioctl(fd, MM_PROCMAP_QUERY, &q) || q.vma_start >= hi ||
			    q.vma_start >= TASK_SIZE_X86)
				break;
			record_vma(q.vma_start, q.vma_end, q.vma_offset, (uint32_t)q.vma_flags & 15);
			addr = q.vma_end;
		}
	} else {
		if (read_proc_fd(fd)) {
			for (const char *p = big_buf; *p;) {
				exec_vma v;
				p = parse_maps_line(p, &v);
				if (v.end > lo && v.start < hi && v.start < TASK_SIZE_X86)
					record_vma(v.start, v.end, v.pgoff, v.prot);
			}
		}
	}
	return obs->nvmas - before;
}

/* Appends every VMA of the smaps text read through fd, with its VmFlags
 * (names dropped), and sets *count; false when nothing could be read. */
static bool record_smaps_fd(int fd, uint32_t *count)
{
	*count = 0;
	if (!read_proc_fd(fd))
		return false;
	uint32_t n = parse_smaps(big_buf, &obs->vma[obs->nvmas], EXEC_MAX_VMAS - obs->nvmas);
	if (obs->nvmas + n == EXEC_MAX_VMAS)
		obs->vma_overflow = 1;
	for (uint32_t i = 0; i < n; i++)
		obs->vma[obs->nvmas + i].name[0] = 0;
	obs->nvmas += n;
	*count = n;
	return true;
}

/*
 * A forked process whose /proc/self/maps could not be opened (the program
 * lowered RLIMIT_NOFILE, reopen_own_fds()) has its layouts read by the
 * executor parent from /proc/PID/maps and smaps: see ask_parent().
 */
static bool layout_via_parent;

/* The executor parent (exec_run() sets it before forking the sandbox). */
static pid_t executor_pid;

/*
 * Ends this process when the executor parent is gone. The sandbox's first
 * process dies with it (PR_SET_PDEATHSIG), but the program's forked
 * processes do not (a fork clears the parent-death signal): if the executor
 * is killed in the middle of a program (a campaign worker killed at its
 * stop), they would wait for their turn forever, orphans of init. So every
 * wait wakes up once a second to look.
 */
static void exit_if_orphaned(void)
{
	if (executor_pid > 0 && kill(executor_pid, 0) && errno == ESRCH)
		_exit(0);
}

static const struct timespec wait_tick = { 1, 0 };

/* Posts a request (EXEC_REQ_*) to the executor parent and waits until it
 * has been served. */
static void ask_parent(uint32_t kind)
{
	__atomic_store_n(&obs->pm_req, kind, __ATOMIC_SEQ_CST);
	uint32_t k;
	while ((k = __atomic_load_n(&obs->pm_req, __ATOMIC_SEQ_CST)) != 0)
		if (syscall(SYS_futex, &obs->pm_req, FUTEX_WAIT, k, &wait_tick, NULL, 0) && errno == ETIMEDOUT)
			exit_if_orphaned();
}

/* Records the VMAs intersecting [lo, hi) and returns how many. */
static uint32_t record_layout(uint64_t lo, uint64_t hi)
{
	if (!layout_via_parent)
		return record_layout_fd(FD_MAPS, lo, hi);
	uint32_t before = obs->nvmas;
	obs->pm_pid = (int32_t)syscall(SYS_getpid);
	obs->pm_addr = lo;
	obs->pm_hi = hi;
	ask_parent(EXEC_REQ_LAYOUT);
	return obs->nvmas - before;
}

/*
 * The whole layout with each VMA's VmFlags, from /proc/self/smaps: slower
 * than PROCMAP_QUERY (it walks the page tables), so only for maps() steps.
 */
static uint32_t record_layout_smaps(void)
{
	uint32_t n;
	if (smaps_foreign || (!layout_via_parent && !record_smaps_fd(FD_SMAPS, &n)))
		return record_layout(0, TASK_SIZE_X86);
	if (!layout_via_parent)
		return n;
	uint32_t before = obs->nvmas;
	obs->pm_pid = (int32_t)syscall(SYS_getpid);
	ask_parent(EXEC_REQ_SMAPS);
	return obs->nvmas - before;
}

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	if (sig == SIGTRAP && probe_active && fetch_traps == 0 &&
	    (uint64_t)uc->uc_mcontext.gregs[REG_RIP] == (uint64_t)fetch_jmp_insn &&
	    fetch_target != (uint64_t)fetch_jmp_insn)
		return; /* the step before the jump to the target */
	if (sig == SIGTRAP && probe_active && fetch_traps == 0 &&
	    (uint64_t)uc->uc_mcontext.gregs[REG_RIP] == fetch_target) {
		/* Single-stepping reached the target: let exactly one instruction run. */
		fetch_traps = 1;
		return;
	}
	if (!probe_active) {
		obs->status = EXEC_CRASHED;
		obs->crash_signal = sig;
		__atomic_store_n(&obs->abort, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, &obs->turn, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(128 + sig);
	}
	fault_signo = sig;
	fault_code = si->si_code;
	fault_addr = (uint64_t)si->si_addr;
	fault_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	fault_err = uc->uc_mcontext.gregs[REG_ERR];
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	fault_traps_at = fetch_traps;
	siglongjmp(probe_jmp, 1);
}

static __attribute__((noinline)) void jump_single_step(void)
{
	/* TF set by popfq traps after the instruction after it (the last mov),
	 * with RIP at the jump, which on_signal lets go on; the next trap comes
	 * after the jump, with RIP at the target, and the handler then lets one
	 * instruction at the target run (or fault on its fetch) before the
	 * next trap. The jump is through memory, so that no register has to
	 * hold the target. */
	__asm__ volatile("movabs %1, %%rax\n\t"
			 "mov %%rax, %%rbx\n\t"
			 "mov %%rax, %%rcx\n\t"
			 "mov %%rax, %%rdx\n\t"
			 "mov %%rax, %%rsi\n\t"
			 "mov %%rax, %%rdi\n\t"
			 "mov %%rax, %%rbp\n\t"
			 "mov %%rax, %%r8\n\t"
			 "mov %%rax, %%r9\n\t"
			 "mov %%rax, %%r10\n\t"
			 "mov %%rax, %%r11\n\t"
			 "mov %%rax, %%r12\n\t"
			 "mov %%rax, %%r13\n\t"
			 "mov %%rax, %%r14\n\t"
			 "mov %%rax, %%r15\n\t"
			 "pushfq\n\t"
			 "orq $0x100, (%%rsp)\n\t"
			 "popfq\n\t"
			 "mov %%rax, %%rsp\n\t"
			 ".globl fetch_jmp_insn\n"
			 "fetch_jmp_insn:\n\t"
			 "jmp *%0\n\t"
			 :
			 /* A global, addressed rip-relative: no register is needed
			  * to reach it once all are clobbered. */
			 : "m"(fetch_target), "i"(FETCH_REG)
			 : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			   "r12", "r13", "r14", "r15", "memory", "cc");
	__builtin_unreachable();
}

static void probe(int op, uint64_t addr, uint64_t value, exec_step_obs *o)
{
	fault_signo = 0;
	if (sigsetjmp(probe_jmp, 1) == 0) {
		probe_active = 1;
		if (op == PROG_LOAD) {
			o->value = *(volatile uint64_t *)addr;
		} else if (op == PROG_STORE) {
			*(volatile uint64_t *)addr = value;
		} else if (addr - 0xffffffffff600000ULL < PAGE && (addr & 0x3ff) == 0 &&
			   (addr & 0xfff) < 0xc00) {
			/* A vsyscall entry: the kernel would emulate a system call and
			 * "return" through our stack. Fetchable by definition; not run. */
		} else {
			fetch_traps = 0;
			fetch_target = addr;
			jump_single_step();
		}
		probe_active = 0;
	}
	probe_active = 0;
	if (!fault_signo)
		return;
	if (op == PROG_FETCH) {
		/*
		 * What failed is the fetch at addr only if: the jump itself could
		 * not reach addr (before the first trap: a non-canonical target),
		 * or a page fault on an instruction fetch (error code bit 4) in
		 * addr's own page. A fault after the one instruction started, in
		 * its data accesses or in bytes it takes from the next page, means
		 * the fetch at addr worked (docs/case-format.md, fetch).
		 */
		bool before_target = fault_traps_at == 0 && fault_signo == SIGSEGV;
		bool fetch_pf = fault_trapno == 14 && (fault_err & 0x10);
		bool instr_fault = (fault_signo == SIGSEGV || fault_signo == SIGBUS) &&
				   (fetch_pf || fault_signo == SIGBUS) &&
				   (fault_addr & ~(PAGE - 1)) == (addr & ~(PAGE - 1));
		/* emulate_vsyscall() refusing the fetch: force_sig(SIGSEGV) at the
		 * target, with a stale trap number (not the #GP, 13, that the
		 * instruction itself would raise at the same RIP). Only in the
		 * vsyscall page: elsewhere a SIGSEGV(SI_KERNEL) at the target is
		 * the instruction's own #GP, whatever the trap number says
		 * (qemu-user's frames carry -1: docs/findings.md Q4). */
		bool refused = fault_signo == SIGSEGV && fault_code == LX_SI_KERNEL &&
			       addr - 0xffffffffff600000ULL < PAGE &&
			       fault_trapno != 13 && fault_trapno != 14 && fault_rip == addr;
		instr_fault = instr_fault || refused;
		if (!before_target && !instr_fault)
			return;
	}
	o->signo = fault_signo;
	o->code = fault_code;
	o->addr = fault_addr;
}

static int64_t raw(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
	long r = syscall(nr, a, b, c, d, e, f);
	return r == -1 ? -(int64_t)errno : (int64_t)r;
}

static uint8_t mincore_vec[1 << 16];

bool exec_step_window(const prog_step *s, const uint64_t *a, int64_t ret,
		      uint64_t *lo, uint64_t *hi)
{
	uint64_t start = a[0], len = a[1];
	switch (s->op) {
	case PROG_MMAP:
		if (ret >= 0 || ret < -4095)
			start = (uint64_t)ret;
		if (a[3] & LX_MAP_HUGETLB) {
			/* The length is rounded up to the huge page size. */
			unsigned log = (a[3] >> LX_MAP_HUGE_SHIFT) & LX_MAP_HUGE_MASK;
			uint64_t h = 1ULL << (log ? (log < 40 ? log : 39) : 21);
			len = (len + h - 1) & ~(h - 1);
			if (!len)
				len = a[1];
		}
		break;
	case PROG_MUNMAP:
	case PROG_MPROTECT:
	case PROG_MADVISE:
	case PROG_MLOCK:
	case PROG_MLOCK2:
	case PROG_MUNLOCK:
	case PROG_MSEAL:
		break;
	case PROG_BRK:
		len = PAGE;
		break;
	case PROG_MREMAP: {
		uint64_t e1 = a[0] + a[1], s2 = (ret >= 0 || ret < -4095) ? (uint64_t)ret : a[4];
		uint64_t l = a[0] < s2 ? a[0] : s2, h = e1 > s2 + a[2] ? e1 : s2 + a[2];
		*lo = (l & ~(PAGE - 1)) > PAGE ? (l & ~(PAGE - 1)) - PAGE : 0;
		*hi = h + 2 * PAGE < TASK_SIZE_X86 ? ((h + PAGE - 1) & ~(PAGE - 1)) + PAGE : TASK_SIZE_X86;
		return true;
	}
	case PROG_LOAD:
	case PROG_STORE:
	case PROG_FETCH:
		len = 8;
		break;
	default:
		return false;
	}
	start &= ~(PAGE - 1);
	if (start >= TASK_SIZE_X86)
		return false;
	uint64_t alen = (len + PAGE - 1) & ~(PAGE - 1);
	uint64_t end = start + alen;
	if (alen < len || end < start || end > TASK_SIZE_X86)
		end = TASK_SIZE_X86;
	*lo = start > PAGE ? start - PAGE : 0;
	*hi = end + PAGE <= TASK_SIZE_X86 ? end + PAGE : TASK_SIZE_X86;
	return true;
}

static uint32_t test_hook;

static void run_test_hook(void)
{
	switch (test_hook) {
	case EXEC_HOOK_HANG:
		for (;;)
			__asm__ volatile("" ::: "memory");
	case EXEC_HOOK_CRASH:
		probe_active = 0;
		raise(SIGSEGV);
		break;
	case EXEC_HOOK_EXIT:
		_exit(7);
	default:
		break;
	}
}

/*
 * Entries of the shared per-page pool for a pagemap() or mincore() step
 * over len bytes: one per page, at most EXEC_PAGEMAP_STEP, within what is
 * left of the pool. Sets the step's pm_first; returns the count.
 */
static uint64_t pm_reserve(exec_step_obs *o, uint64_t len)
{
	uint64_t n = len / PAGE + ((len % PAGE) != 0);
	if (n > EXEC_PAGEMAP_STEP)
		n = EXEC_PAGEMAP_STEP;
	if (obs->npm + n > EXEC_MAX_PAGEMAP)
		n = EXEC_MAX_PAGEMAP - obs->npm;
	o->pm_first = obs->npm;
	return n;
}

/* The process this is: PROG_ROOT or the variable fork() bound it to. */
static uint8_t my_proc = PROG_ROOT;

/* Waits until step i has run (its process advanced the turn past it). */
static void wait_turn(uint32_t i)
{
	for (;;) {
		uint32_t t = __atomic_load_n(&obs->turn, __ATOMIC_SEQ_CST);
		if (t > i)
			return;
		if (__atomic_load_n(&obs->abort, __ATOMIC_SEQ_CST))
			_exit(0);
		if (syscall(SYS_futex, &obs->turn, FUTEX_WAIT, t, &wait_tick, NULL, 0) && errno == ETIMEDOUT)
			exit_if_orphaned();
	}
}

/* Whether the program forks: only then can anyone be waiting for a turn. */
static bool program_forks;

static void advance_turn(uint32_t next)
{
	obs->steps_done = next;
	__atomic_store_n(&obs->turn, next, __ATOMIC_SEQ_CST);
	if (program_forks)
		syscall(SYS_futex, &obs->turn, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

/*
 * A forked process observes its own mm: the inherited descriptors show its
 * parent's. When it cannot reopen them (the program lowered RLIMIT_NOFILE,
 * hard limit included), the executor parent reads /proc/PID/maps and smaps
 * for it (layout_via_parent). Where that cannot be trusted either (qemu-user
 * emulates maps for /proc/self only, docs/findings.md), this says why
 * (empty: it could) and every step the process runs ends the program with
 * the reason, never observing the parent's memory as the child's.
 */
static char own_fds_lost[160];

/* Opens path onto descriptor want; 0, or -1 with errno. */
static int reopen_onto(const char *path, int want)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (fd != want) {
		int r = dup2(fd, want);
		int e = errno;
		close(fd);
		if (r < 0) {
			errno = e;
			return -1;
		}
	}
	return 0;
}

static int reopen_both(void)
{
	return reopen_onto("/proc/self/maps", FD_MAPS) || reopen_onto("/proc/self/smaps", FD_SMAPS) ? -1 : 0;
}

static void reopen_own_fds(void)
{
	if (!reopen_both())
		return;
	/* A program may have lowered RLIMIT_NOFILE below the descriptors'
	 * numbers (open: EMFILE; dup2: EBADF past the limit, fs/file.c
	 * ksys_dup3). Raise the soft limit for the reopening when the hard
	 * one allows, then put the program's limit back: it never sees the
	 * difference, only its own descriptors change. */
	int e = errno;
	struct rlimit old = { 0, 0 }, tmp;
	if (!getrlimit(RLIMIT_NOFILE, &old) && old.rlim_max > FD_SMAPS + 1 &&
	    old.rlim_cur <= FD_SMAPS + 1) {
		tmp = old;
		tmp.rlim_cur = FD_SMAPS + 2;
		if (!setrlimit(RLIMIT_NOFILE, &tmp)) {
			int r = reopen_both();
			e = errno;
			setrlimit(RLIMIT_NOFILE, &old);
			if (!r)
				return;
		}
	}
	if (!smaps_foreign && !proc_text_frozen) {
		/* The descriptors stay open, never read: the program sees the
		 * same descriptor table as the model has (fds 1000 and 1001 are
		 * procfs files: mmap() of one is ENODEV, not EBADF). */
		layout_via_parent = true;
		return;
	}
	close(FD_MAPS);
	close(FD_SMAPS);
	snprintf(own_fds_lost, sizeof(own_fds_lost),
		 "a forked process could not reopen its /proc/self/maps (%s; RLIMIT_NOFILE %llu/%llu): "
		 "its memory cannot be observed, the program stopped there",
		 strerror(e), (unsigned long long)old.rlim_cur, (unsigned long long)old.rlim_max);
}

/*
 * 1 + the last step of this process (or of its ancestors before the fork
 * that made it) that asked for MADV_DONTFORK or MADV_WIPEONFORK; 0: none.
 */
static uint32_t fork_marked;

/* Whether a VMA of the executor's snapshot is memory a forked sandbox
 * process runs on: everything but the fence (the program's, which the model
 * knows) and the vDSO pages (the sandbox makes raw system calls only). */
static bool executor_needs(const exec_vma *v)
{
	return (uint64_t)fence != v->start && strcmp(v->name, "[vdso]") && strcmp(v->name, "[vvar]") &&
	       strcmp(v->name, "[vvar_vclock]");
}

/*
 * Before a fork(), in a process whose program asked for MADV_DONTFORK or
 * MADV_WIPEONFORK (at step `step`): whether that reached the executor's own
 * memory, its stack, code, data, heap or the observation buffer. dup_mmap()
 * leaves a VM_DONTCOPY VMA out of the child and gives it a VM_WIPEONFORK
 * one empty (mm/mmap.c), so the child would run without its stack, or with
 * its state zeroed: it dies before its first step (or worse, runs garbage),
 * and the program's other processes wait for it. The model knows those VMAs
 * by their bounds only, not that the sandbox lives in them. True (with the
 * reason in obs->error) when the fork must not happen.
 */
static bool executor_marked_for_fork(uint32_t step)
{
	if (smaps_foreign)
		return false; /* qemu-user: smaps is the host's, and madvise a no-op there */
	uint32_t first = obs->nvmas, n, overflow = obs->vma_overflow;
	if (layout_via_parent) {
		obs->pm_pid = (int32_t)syscall(SYS_getpid);
		ask_parent(EXEC_REQ_SMAPS);
		n = obs->nvmas - first;
	} else if (!record_smaps_fd(FD_SMAPS, &n)) {
		return false;
	}
	bool bad = false;
	for (uint32_t k = first; k < first + n && !bad; k++) {
		const exec_vma *v = &obs->vma[k];
		if (!(v->vmflags & (VM_DONTCOPY | VM_WIPEONFORK)))
			continue;
		for (uint32_t e = 0; e < info_ptr->nvmas && !bad; e++) {
			const exec_vma *x = &info_ptr->vma[e];
			if (!executor_needs(x) || v->end <= x->start || v->start >= x->end)
				continue;
			uint64_t lo = v->start > x->start ? v->start : x->start;
			uint64_t hi = v->end < x->end ? v->end : x->end;
			const char *what = x->start == (uint64_t)obs ? "the observation buffer"
					   : x->name[0] ? x->name : "anonymous memory";
			snprintf(obs->error, sizeof(obs->error),
				 "the madvise() of step %u marked the executor's own memory (%s) %s at "
				 "[%#" PRIx64 ", %#" PRIx64 "): a forked process cannot run without it",
				 step + 1, what, (v->vmflags & VM_DONTCOPY) ? "VM_DONTCOPY" : "VM_WIPEONFORK", lo, hi);
			bad = true;
		}
	}
	/* Only a look: the records are not the step's. */
	obs->nvmas = first;
	obs->vma_overflow = overflow;
	return bad;
}

/*
 * Every process of the program walks the whole step list in order and runs
 * the steps that name it, waiting for the others' steps: program order is
 * kept across processes with one shared turn counter.
 */
static void run_steps(const prog_case *c)
{
	uint64_t *vals = obs->vals;
	/* Who forked whom, and who has exited so far, as every process sees it. */
	uint8_t parent[PROG_MAX_VARS];
	bool gone[PROG_MAX_VARS] = { false };
	memset(parent, PROG_ROOT, sizeof(parent));
	for (uint32_t i = 0; i < c->nsteps; i++) {
		const prog_step *s = &c->steps[i];
		if (s->op == PROG_FORK && s->res.kind == PROG_RES_BIND)
			parent[s->res.var] = s->proc;
		bool parent_alive = s->proc != PROG_ROOT &&
				    (parent[s->proc] == PROG_ROOT || !gone[parent[s->proc]]);
		if (s->op == PROG_EXIT && s->proc != PROG_ROOT)
			gone[s->proc] = true;
		if (s->proc != my_proc) {
			/*
			 * A child's exit() takes effect when its mm is torn down,
			 * which ends before it turns zombie: its parent waits for
			 * that (without reaping: the program's wait() does) and then
			 * passes the turn on, so the next step sees the exit done.
			 */
			if (s->op == PROG_EXIT && parent_alive && parent[s->proc] == my_proc) {
				siginfo_t si;
				while (waitid(P_PID, (id_t)obs->pid[s->proc], &si, WEXITED | WNOWAIT) < 0 &&
				       errno == EINTR)
					;
				advance_turn(i + 1);
				continue;
			}
			wait_turn(i);
			continue;
		}
		if (own_fds_lost[0]) {
			/* Not a wrong observation: no observation, with the reason. */
			obs->steps_done = i;
			snprintf(obs->error, sizeof(obs->error), "%s", own_fds_lost);
			__atomic_store_n(&obs->abort, 1, __ATOMIC_SEQ_CST);
			syscall(SYS_futex, &obs->turn, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
			_exit(0);
		}
		exec_step_obs *o = &obs->step[i];
		uint64_t a[PROG_MAX_ARGS] = { 0 };
		for (unsigned k = 0; k < s->nargs; k++)
			a[k] = prog_eval(&s->arg[k], obs->arena, vals);
		int64_t ret = 0;
		bool full = false, windowed = true;
		switch (s->op) {
		case PROG_MMAP: ret = raw(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]); break;
		case PROG_MUNMAP: ret = raw(SYS_munmap, a[0], a[1], 0, 0, 0, 0); break;
		case PROG_MPROTECT: ret = raw(SYS_mprotect, a[0], a[1], a[2], 0, 0, 0); break;
		case PROG_BRK: ret = raw(SYS_brk, a[0], 0, 0, 0, 0, 0); break;
		case PROG_MREMAP: ret = raw(SYS_mremap, a[0], a[1], a[2], a[3], a[4], 0); break;
		case PROG_MADVISE:
			ret = raw(SYS_madvise, a[0], a[1], a[2], 0, 0, 0);
			/* Even a failing call (ENOMEM at a hole) has marked the VMAs
			 * before the hole: look at the flags at the next fork(). */
			if (a[2] == LX_MADV_DONTFORK || a[2] == LX_MADV_WIPEONFORK)
				fork_marked = i + 1;
			break;
		case PROG_MLOCK: ret = raw(SYS_mlock, a[0], a[1], 0, 0, 0, 0); break;
		case PROG_MLOCK2: ret = raw(SYS_mlock2, a[0], a[1], a[2], 0, 0, 0); break;
		case PROG_MUNLOCK: ret = raw(SYS_munlock, a[0], a[1], 0, 0, 0, 0); break;
		case PROG_MLOCKALL: ret = raw(SYS_mlockall, a[0], 0, 0, 0, 0, 0); full = true; break;
		case PROG_MUNLOCKALL: ret = raw(SYS_munlockall, 0, 0, 0, 0, 0, 0); full = true; break;
		case PROG_MSEAL: ret = raw(462, a[0], a[1], a[2], 0, 0, 0); break;
		case PROG_MINCORE: {
			/* The vector as the result: bytes the call did not write stay 0xff. */
			memset(mincore_vec, 0xff, EXEC_PAGEMAP_STEP);
			ret = raw(SYS_mincore, a[0], a[1],
				  a[1] <= (sizeof(mincore_vec) << 12) ? (uint64_t)mincore_vec : 0, 0, 0, 0);
			uint64_t n = pm_reserve(o, a[1]);
			for (uint64_t q = 0; q < n; q++)
				obs->pm[obs->npm++] = mincore_vec[q];
			o->pm_count = (uint32_t)n;
			windowed = false;
			break;
		}
		case PROG_MEMFD_CREATE:
			ret = raw(SYS_memfd_create, (uint64_t)s->str, a[1], 0, 0, 0, 0);
			windowed = false;
			break;
		case PROG_FTRUNCATE: ret = raw(SYS_ftruncate, a[0], a[1], 0, 0, 0, 0); windowed = false; break;
		case PROG_SETRLIMIT: {
			struct rlimit rl = { a[1], a[2] };
			ret = raw(SYS_setrlimit, a[0], (uint64_t)&rl, 0, 0, 0, 0);
			windowed = false;
			break;
		}
		case PROG_LOAD:
		case PROG_STORE:
		case PROG_FETCH:
			probe(s->op, a[0], a[1], o);
			break;
		case PROG_MAPS:
			windowed = false;
			o->layout_first = obs->nvmas;
			o->layout_count = record_layout_smaps();
			o->layout_full = 1;
			o->layout_taken = 1;
			break;
		case PROG_FORK: {
			if (fork_marked && executor_marked_for_fork(fork_marked - 1)) {
				/* No child could run: stop before making one. */
				obs->steps_done = i;
				obs->status = EXEC_SELF_HARM;
				__atomic_store_n(&obs->abort, 1, __ATOMIC_SEQ_CST);
				syscall(SYS_futex, &obs->turn, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
				_exit(0);
			}
			ret = raw(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
			if (ret == 0) {
				/* The child: it takes the variable's name and carries on
				 * with the steps after this one; the parent records. */
				my_proc = s->res.kind == PROG_RES_BIND ? s->res.var : 0xfe;
				reopen_own_fds();
				wait_turn(i);
				continue;
			}
			if (ret > 0 && s->res.kind == PROG_RES_BIND)
				obs->pid[s->res.var] = (int32_t)ret;
			if (ret < 0 && s->res.kind == PROG_RES_BIND) {
				/* The steps of a process that does not exist can never
				 * run: record the failure and stop the program here. */
				o->ret = ret;
				o->done = 1;
				obs->steps_done = i + 1;
				snprintf(obs->error, sizeof(obs->error),
					 "fork() failed (%s): the program stopped there",
					 ret == -EAGAIN ? "EAGAIN" : "error");
				__atomic_store_n(&obs->abort, 1, __ATOMIC_SEQ_CST);
				syscall(SYS_futex, &obs->turn, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
				_exit(0);
			}
			windowed = false;
			break;
		}
		case PROG_EXIT:
			o->done = 1;
			/* The parent passes the turn on once this process is a zombie;
			 * with no parent in the program left, it must do it itself. */
			if (!parent_alive)
				advance_turn(i + 1);
			_exit((int)a[0]);
		case PROG_WAIT: {
			int st = 0;
			int32_t pid = obs->pid[s->arg[0].term[0].var];
			ret = raw(SYS_wait4, (uint64_t)pid, (uint64_t)&st, 0, 0, 0, 0);
			if (ret > 0)
				ret = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			windowed = false;
			break;
		}
		case PROG_PAGEMAP: {
			uint64_t n = pm_reserve(o, a[1]);
			obs->pm_pid = (int32_t)syscall(SYS_getpid);
			obs->pm_addr = a[0] & ~(PAGE - 1);
			obs->pm_n = (uint32_t)n;
			ask_parent(EXEC_REQ_PAGEMAP);
			o->pm_count = obs->npm - o->pm_first;
			windowed = false;
			break;
		}
		default:
			windowed = false;
			break;
		}
		o->ret = ret;
		if (s->res.kind == PROG_RES_BIND)
			vals[s->res.var] = s->op == PROG_LOAD ? o->value : (uint64_t)ret;
		if (s->op == PROG_MAPS) {
			/* recorded above, with VmFlags */
		} else if (o->layout_first = obs->nvmas, full) {
			o->layout_count = record_layout(0, TASK_SIZE_X86);
			o->layout_full = 1;
			o->layout_taken = 1;
		} else if (windowed) {
			uint64_t lo, hi;
			if (exec_step_window(s, a, ret, &lo, &hi)) {
				o->layout_count = record_layout(lo, hi);
				o->layout_taken = 1;
			}
		}
		o->done = 1;
		advance_turn(i + 1);
		if (i == 0)
			run_test_hook();
	}
	/* The root's whole layout is the program's final state. */
	if (my_proc == PROG_ROOT) {
		obs->final_first = obs->nvmas;
		obs->final_count = record_layout(0, TASK_SIZE_X86);
	} else {
		_exit(0);
	}
}



static void sandbox_fail(const char *what)
{
	snprintf(obs->error, sizeof(obs->error), "sandbox set-up: %s: %s", what, strerror(errno));
	obs->status = EXEC_SETUP_FAILED;
	_exit(1);
}

/*
 * Replaces the inherited fence with a fresh shmem object at the same place,
 * with the same flags: the pristine parent's fence is one object that every
 * sandbox would share, so what one program stored there (and the pages it
 * made resident) would reach the next. The model seeds the fence from the
 * parent's snapshot as an empty shared file, which the fresh one is.
 */
static int fresh_fence(void)
{
	void *f = mmap(fence, FENCE_LEN, PROT_NONE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	return f == fence ? 0 : -1;
}

static __attribute__((noreturn)) void sandbox_main(const prog_case *c, const exec_options *opt, pid_t parent)
{
	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	/*
	 * qemu-user does not pass this prctl through (EINVAL: docs/findings.md);
	 * there the process runs with the host's THP setting, which the
	 * cases do not observe (no case maps 2 MiB-aligned THP-sized ranges
	 * expecting huge pages).
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) && errno != EINVAL)
		sandbox_fail("PR_SET_THP_DISABLE");
	if (fresh_fence())
		sandbox_fail("a fresh fence");
	/* If a program's memory (up to RLIMIT_AS per process, times its
	 * forks, times the jobs) ever pressed on the machine, the OOM killer
	 * must take a sandbox first, never the user's work: the highest
	 * badness adjustment (mm/oom_kill.c oom_badness()). Inherited by fork;
	 * raising it needs no privilege. Best effort: a kernel without
	 * /proc/PID/oom_score_adj still has the rlimits. */
	int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (oom >= 0) {
		if (write(oom, "1000", 4) != 4)
			(void)0;
		close(oom);
	}
	/* Growing a file past RLIMIT_FSIZE raises SIGXFSZ, whose default
	 * action would kill the process (a child silently, stalling the others
	 * until the watchdog): ignored, the call just fails with EFBIG (fs/attr.c
	 * inode_newsize_ok()), which the model predicts. Inherited by fork. */
	signal(SIGXFSZ, SIG_IGN);
	for (int r = 0; r < 16; r++) {
		struct rlimit rl = { info_ptr->rlim_cur[r], info_ptr->rlim_max[r] };
		if (setrlimit(r, &rl) && r != RLIMIT_NOFILE)
			sandbox_fail("setrlimit");
	}
	/* The layout is observed through a descriptor the program cannot name. */
	int fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0 || dup2(fd, FD_MAPS) < 0)
		sandbox_fail("open /proc/self/maps");
	fd = open("/proc/self/smaps", O_RDONLY);
	if (fd < 0 || dup2(fd, FD_SMAPS) < 0)
		sandbox_fail("open /proc/self/smaps");
	if (syscall(SYS_close_range, 0, FD_MAPS - 1, 0) || syscall(SYS_close_range, FD_SMAPS + 1, ~0U, 0))
		for (int i = 0; i < FD_MAPS; i++)
			close(i);
	/* As root: drop to uid 65534 keeping only the capabilities the case
	 * asked for. Otherwise the sandbox has no capabilities to drop. */
	if (info_ptr->privileged) {
		if (setgroups(0, NULL) || setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID))
			sandbox_fail("setresgid");
		if (opt->keep_caps && prctl(PR_SET_KEEPCAPS, 1))
			sandbox_fail("PR_SET_KEEPCAPS");
		if (setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID))
			sandbox_fail("setresuid");
	}
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	data[0].effective = data[0].permitted = (uint32_t)opt->keep_caps;
	data[1].effective = data[1].permitted = (uint32_t)(opt->keep_caps >> 32);
	if (syscall(SYS_capset, &hdr, data))
		sandbox_fail("capset");
	prctl(PR_SET_DUMPABLE, 1);
	/* A credential change clears the parent-death signal: set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGSEGV, SIGBUS, SIGTRAP, SIGILL, SIGFPE };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	run_steps(c);
	obs->status = EXEC_OK;
	_exit(0);
}

/*
 * Reads the posted pagemap() request from /proc/PID/pagemap as this
 * (privileged) process, so the entries keep their PFNs (serve_request()
 * then wakes the sandbox). Unreadable pages are recorded as 0 (not present).
 */
static void serve_pagemap(void)
{
	char path[64];
	uint32_t n = obs->pm_n;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", obs->pm_pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t *out = &obs->pm[obs->npm];
	memset(out, 0, n * sizeof(*out));
	if (fd >= 0) {
		/* fs/proc/task_mmu.c pagemap_read() walks [start, mm->task_size)
		 * only: a start at or past TASK_SIZE reads nothing, a range
		 * that passes it (or would wrap) reads short. Only what the
		 * kernel returned is an observation. */
		ssize_t r = pread(fd, out, n * sizeof(*out), (off_t)(obs->pm_addr / PAGE * 8));
		if (r >= 0 && (uint64_t)r / sizeof(*out) < n)
			n = (uint32_t)((uint64_t)r / sizeof(*out));
		close(fd);
	}
	obs->npm += n;
}

/*
 * Reads the layout a forked process could not read itself (it has no
 * /proc/self/maps descriptor: reopen_own_fds()) from /proc/PID/maps or
 * smaps and appends the VMA records as that process would have. PROCMAP_QUERY
 * and the maps text describe the mm of the process the file was opened
 * for, whoever reads it (fs/proc/task_mmu.c: proc_maps_open() takes the
 * task's mm), so the records are the same.
 */
static void serve_layout(uint32_t kind)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", obs->pm_pid, kind == EXEC_REQ_SMAPS ? "smaps" : "maps");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	uint32_t n;
	if (kind == EXEC_REQ_SMAPS)
		record_smaps_fd(fd, &n);
	else
		record_layout_fd(fd, obs->pm_addr, obs->pm_hi);
	close(fd);
}

static void serve_request(void)
{
	uint32_t kind = __atomic_load_n(&obs->pm_req, __ATOMIC_SEQ_CST);
	if (kind == EXEC_REQ_PAGEMAP)
		serve_pagemap();
	else if (kind == EXEC_REQ_LAYOUT || kind == EXEC_REQ_SMAPS)
		serve_layout(kind);
	__atomic_store_n(&obs->pm_req, 0, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &obs->pm_req, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

/* A program's process as the executor parent watches it: a pidfd, so a
 * process that dies outside the program's steps is noticed at once. */
typedef struct watched {
	int fd;                  /* pidfd, -1: none (yet) */
	bool tried;              /* pidfd_open was called */
	bool ended;              /* it ended, as the program said it would */
} watched;

/* Whether the end of the process bound to var is one the program explains:
 * its exit() step ran, the program ended or was stopped (abort), or the
 * process crashed in a way the sandbox recorded. */
static bool end_expected(uint32_t var)
{
	if (__atomic_load_n(&obs->abort, __ATOMIC_SEQ_CST) ||
	    __atomic_load_n(&obs->steps_done, __ATOMIC_SEQ_CST) >= decoded.nsteps)
		return true;
	for (uint32_t i = 0; i < decoded.nsteps; i++)
		if (decoded.steps[i].op == PROG_EXIT && decoded.steps[i].proc == var && obs->step[i].done)
			return true;
	return false;
}

/* The exit code of a (zombie) process as waitpid reports it, from field 52
 * of /proc/PID/stat (proc_pid_stat(5)); -1 when unreadable. */
static int exit_code_of(int32_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *p = strrchr(buf, ')');
	for (int field = 2; p && *p; p++)
		if (*p == ' ' && ++field == 52)
			return atoi(p + 1);
	return -1;
}

const exec_obs *exec_run(const uint8_t *prog, size_t len, const exec_options *opt)
{
	static const exec_options defaults = { 0 };
	if (!opt)
		opt = &defaults;
	memset(obs, 0, offsetof(exec_obs, step));
	obs->magic = EXEC_MAGIC;
	obs->version = EXEC_VERSION;
	obs->arena = info_ptr->arena;
	const char *why = NULL;
	prog_case_clear(&decoded);
	if (prog_decode(prog, len, &decoded, &why)) {
		obs->status = EXEC_BAD_PROGRAM;
		snprintf(obs->error, sizeof(obs->error), "program does not decode: %s", why ? why : "?");
		return obs;
	}
	memset(obs->step, 0, sizeof(obs->step[0]) * (decoded.nsteps + 1 <= PROG_MAX_STEPS ? decoded.nsteps + 1 : PROG_MAX_STEPS));
	memset(obs->pid, 0, sizeof(obs->pid));
	obs->pm_req = 0;
	obs->npm = 0;
	memset(obs->vals, 0, sizeof(obs->vals));
	obs->turn = 0;
	obs->abort = 0;
	my_proc = PROG_ROOT;
	use_maps_text = opt->maps_text || !info_ptr->procmap_query;
	test_hook = opt->test_hook;
	program_forks = false;
	for (uint32_t i = 0; i < decoded.nsteps; i++)
		if (decoded.steps[i].op == PROG_FORK)
			program_forks = true;
	obs->status = EXEC_CRASHED; /* until the sandbox says otherwise */
	pid_t parent = getpid();
	executor_pid = parent;
	pid_t pid = fork();
	if (pid < 0) {
		obs->status = EXEC_SETUP_FAILED;
		snprintf(obs->error, sizeof(obs->error), "fork: %s", strerror(errno));
		return obs;
	}
	if (pid == 0)
		sandbox_main(&decoded, opt, parent);
	setpgid(pid, pid); /* also from here, so the watchdog can always kill the group */

	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	uint32_t timeout = opt->timeout_ms ? opt->timeout_ms : 10000;
	bool timed_out = false;
	/* The program's other processes, by variable: one that dies outside
	 * the program (a crash before its first step, a kill) would leave the
	 * others waiting for its turn until the watchdog. */
	static watched kid[PROG_MAX_VARS];
	for (uint32_t v = 0; v < PROG_MAX_VARS; v++)
		kid[v] = (watched){ -1, false, false };
	int lost = -1, lost_code = -1;
	if (pidfd >= 0) {
		/* Wait for the sandbox to end, serving its requests. */
		struct pollfd pfd[1 + PROG_MAX_VARS];
		uint32_t var_of[1 + PROG_MAX_VARS];
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			nfds_t np = 1;
			pfd[0] = (struct pollfd){ pidfd, POLLIN, 0 };
			for (uint32_t v = 0; v < PROG_MAX_VARS && program_forks; v++) {
				int32_t kp = __atomic_load_n(&obs->pid[v], __ATOMIC_SEQ_CST);
				if (!kid[v].tried && kp > 0) {
					kid[v].tried = true;
					kid[v].fd = (int)syscall(SYS_pidfd_open, kp, 0);
				}
				if (kid[v].fd >= 0 && !kid[v].ended) {
					var_of[np] = v;
					pfd[np++] = (struct pollfd){ kid[v].fd, POLLIN, 0 };
				}
			}
			int r = poll(pfd, np, 1);
			if (r > 0 && pfd[0].revents)
				break;
			for (nfds_t q = 1; r > 0 && q < np && lost < 0; q++) {
				if (!pfd[q].revents)
					continue;
				uint32_t v = var_of[q];
				kid[v].ended = true;
				if (!end_expected(v)) {
					lost = (int)v;
					lost_code = exit_code_of(obs->pid[v]);
				}
			}
			if (lost >= 0)
				break;
			if (__atomic_load_n(&obs->pm_req, __ATOMIC_SEQ_CST))
				serve_request();
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= timeout) {
				timed_out = true;
				break;
			}
		}
		close(pidfd);
		for (uint32_t v = 0; v < PROG_MAX_VARS; v++)
			if (kid[v].fd >= 0)
				close(kid[v].fd);
	}
	if (timed_out || lost >= 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* The program's other processes, then reap them all (they come back
	 * to us as the subreaper when their parent died first). */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, __WALL) > 0 || errno == EINTR)
		;
	if (lost >= 0) {
		/* Its turn would never come: say which process and how it ended. */
		char how[48];
		if (lost_code >= 0 && WIFSIGNALED(lost_code))
			snprintf(how, sizeof(how), "died of signal %d", WTERMSIG(lost_code));
		else if (lost_code >= 0)
			snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(lost_code));
		else
			snprintf(how, sizeof(how), "ended");
		obs->status = EXEC_CRASHED;
		obs->crash_signal = lost_code >= 0 && WIFSIGNALED(lost_code) ? WTERMSIG(lost_code) : 0;
		snprintf(obs->error, sizeof(obs->error),
			 "the program's process $%s %s outside any probe while step %u was due "
			 "(counting from 1): its turn would never come", decoded.var[lost], how, obs->steps_done + 1);
		return obs;
	}
	if (timed_out) {
		obs->status = EXEC_TIMEOUT;
		snprintf(obs->error, sizeof(obs->error), "the watchdog killed the sandbox after %u ms at step %u",
			 timeout, obs->steps_done);
	} else if (WIFSIGNALED(st) && obs->status != EXEC_SETUP_FAILED) {
		obs->status = EXEC_CRASHED;
		obs->crash_signal = WTERMSIG(st);
		snprintf(obs->error, sizeof(obs->error), "the sandbox died of signal %d at step %u",
			 WTERMSIG(st), obs->steps_done);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && obs->status == EXEC_OK) {
		obs->status = EXEC_CRASHED;
		snprintf(obs->error, sizeof(obs->error), "the sandbox exited with status %d", WEXITSTATUS(st));
	} else if (WIFEXITED(st) && obs->status == EXEC_CRASHED && !obs->error[0]) {
		snprintf(obs->error, sizeof(obs->error), "the sandbox exited with status %d before finishing (step %u)",
			 WEXITSTATUS(st), obs->steps_done);
	}
	return obs;
}

size_t exec_obs_pack(const exec_obs *o, uint8_t *buf, size_t cap)
{
	uint32_t nsteps = o->steps_done + 1 <= PROG_MAX_STEPS ? o->steps_done + 1 : PROG_MAX_STEPS;
	size_t head = offsetof(exec_obs, step);
	size_t steps = nsteps * sizeof(exec_step_obs), vmas = o->nvmas * sizeof(exec_vma);
	size_t need = head + 8 + steps + vmas + o->npm * sizeof(uint64_t);
	if (cap < need)
		return 0;
	memcpy(buf, o, head);
	memcpy(buf + head, &nsteps, 4);
	memcpy(buf + head + 4, &o->nvmas, 4);
	memcpy(buf + head + 8, o->step, steps);
	memcpy(buf + head + 8 + steps, o->vma, vmas);
	memcpy(buf + head + 8 + steps + vmas, o->pm, o->npm * sizeof(uint64_t));
	return need;
}

int exec_obs_unpack(const uint8_t *buf, size_t len, exec_obs *o)
{
	size_t head = offsetof(exec_obs, step);
	uint32_t nsteps, nvmas;
	if (len < head + 8)
		return -1;
	memcpy(o, buf, head);
	memcpy(&nsteps, buf + head, 4);
	memcpy(&nvmas, buf + head + 4, 4);
	size_t steps = (size_t)nsteps * sizeof(exec_step_obs), vmas = (size_t)nvmas * sizeof(exec_vma);
	if (o->magic != EXEC_MAGIC || o->version != EXEC_VERSION || nsteps > PROG_MAX_STEPS ||
	    nvmas > EXEC_MAX_VMAS || o->nvmas != nvmas || o->steps_done > nsteps ||
	    o->npm > EXEC_MAX_PAGEMAP ||
	    len != head + 8 + steps + vmas + o->npm * sizeof(uint64_t))
		return -1;
	memcpy(o->step, buf + head + 8, steps);
	memcpy(o->vma, buf + head + 8 + steps, vmas);
	memcpy(o->pm, buf + head + 8 + steps + vmas, o->npm * sizeof(uint64_t));
	o->error[sizeof(o->error) - 1] = 0;
	for (uint32_t i = 0; i < nsteps; i++) {
		const exec_step_obs *s = &o->step[i];
		if (s->layout_first > nvmas || s->layout_count > nvmas - s->layout_first ||
		    s->pm_first > o->npm || s->pm_count > o->npm - s->pm_first)
			return -1;
	}
	if (o->final_first > nvmas || o->final_count > nvmas - o->final_first)
		return -1;
	return 0;
}
