/* SPDX-License-Identifier: MIT */
/*
 * prog_names.c: the static tables of the case language: the operations and
 * their argument kinds, the flag names of each argument namespace, and the
 * names of errno values, signals, si_codes and capabilities.
 *
 * Every value comes from oracle/linux_abi.h (the kernel's uapi values), so a
 * flag written in a case means exactly what the oracle and the kernel see.
 * The few constants linux_abi.h does not carry (signals other than SEGV, BUS
 * and TRAP, TRAP_* codes, capabilities other than the four the suites use)
 * are spelled out below with their uapi source. All tables are const: the
 * module has no mutable global state.
 */
#include <string.h>

#include "linux_abi.h"
#include "prog_int.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------- */
/* Operations                                                              */

#define K(x) PROG_ARG_##x
static const prog_op_info op_table[PROG_OP_COUNT] = {
	[PROG_MMAP] = { "mmap", 6, 6, { K(ADDR), K(LEN), K(PROT), K(MAP), K(INT), K(LEN) }, true, false },
	[PROG_MUNMAP] = { "munmap", 2, 2, { K(ADDR), K(LEN) }, true, false },
	[PROG_MPROTECT] = { "mprotect", 3, 3, { K(ADDR), K(LEN), K(PROT) }, true, false },
	[PROG_BRK] = { "brk", 1, 1, { K(ADDR) }, true, false },
	/* new_address matters only with MREMAP_FIXED; strace omits it otherwise. */
	[PROG_MREMAP] = { "mremap", 5, 4, { K(ADDR), K(LEN), K(LEN), K(MREMAP), K(ADDR) }, true, false },
	[PROG_MADVISE] = { "madvise", 3, 3, { K(ADDR), K(LEN), K(MADV) }, true, false },
	[PROG_MLOCK] = { "mlock", 2, 2, { K(ADDR), K(LEN) }, true, false },
	[PROG_MLOCK2] = { "mlock2", 3, 3, { K(ADDR), K(LEN), K(MLOCK) }, true, false },
	[PROG_MUNLOCK] = { "munlock", 2, 2, { K(ADDR), K(LEN) }, true, false },
	[PROG_MLOCKALL] = { "mlockall", 1, 1, { K(MCL) }, true, false },
	[PROG_MUNLOCKALL] = { "munlockall", 0, 0, { 0 }, true, false },
	/* mseal's flags must be 0 today; letting cases omit them keeps them short. */
	[PROG_MSEAL] = { "mseal", 3, 2, { K(ADDR), K(LEN), K(INT) }, true, false },
	[PROG_MINCORE] = { "mincore", 2, 2, { K(ADDR), K(LEN) }, false, false },
	[PROG_FORK] = { "fork", 0, 0, { 0 }, false, false },
	[PROG_EXIT] = { "exit", 1, 1, { K(INT) }, false, false },
	[PROG_WAIT] = { "wait", 1, 1, { K(PROC) }, false, false },
	[PROG_MEMFD_CREATE] = { "memfd_create", 2, 2, { K(STR), K(MFD) }, false, false },
	[PROG_FTRUNCATE] = { "ftruncate", 2, 2, { K(INT), K(LEN) }, false, false },
	[PROG_SETRLIMIT] = { "setrlimit", 3, 3, { K(RLIMIT), K(VALUE), K(VALUE) }, false, false },
	[PROG_LOAD] = { "load", 1, 1, { K(ADDR) }, false, true },
	[PROG_STORE] = { "store", 2, 2, { K(ADDR), K(VALUE) }, false, true },
	[PROG_FETCH] = { "fetch", 1, 1, { K(ADDR) }, false, true },
	/* maps() is the whole layout: both arguments 0. */
	[PROG_MAPS] = { "maps", 2, 0, { K(ADDR), K(LEN) }, false, true },
	[PROG_PAGEMAP] = { "pagemap", 2, 2, { K(ADDR), K(LEN) }, false, true },
};
#undef K

/* Returns the op's static facts, or NULL for a number that is not an op. */
const prog_op_info *prog_op_info_get(int op)
{
	if (op < 0 || op >= PROG_OP_COUNT)
		return NULL;
	return &op_table[op];
}

int prog_op_lookup(const char *name, size_t len)
{
	for (int i = 0; i < PROG_OP_COUNT; i++)
		if (strlen(op_table[i].name) == len && memcmp(op_table[i].name, name, len) == 0)
			return i;
	return -1;
}

int prog_op_result_kind(int op)
{
	switch (op) {
	case PROG_MMAP:
	case PROG_MREMAP:
	case PROG_BRK:
		return PROG_ARG_ADDR;
	case PROG_LOAD:
		return PROG_ARG_VALUE;
	default:
		return PROG_ARG_INT;
	}
}

int prog_op_str_arg(int op)
{
	const prog_op_info *info = prog_op_info_get(op);
	if (!info)
		return -1;
	for (int i = 0; i < info->nargs; i++)
		if (info->argkind[i] == PROG_ARG_STR)
			return i;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Flag namespaces                                                         */

#define BIT(name) { #name, LX_##name, LX_##name, false }
#define ALIAS(name, value) { #name, (value), (value), true }

static const prog_flag prot_flags[] = {
	ALIAS(PROT_NONE, 0),
	BIT(PROT_READ), BIT(PROT_WRITE), BIT(PROT_EXEC), BIT(PROT_SEM),
	BIT(PROT_GROWSDOWN), BIT(PROT_GROWSUP),
};

#define MAP_HUGE_FIELD ((uint64_t)LX_MAP_HUGE_MASK << LX_MAP_HUGE_SHIFT)
static const prog_flag map_flags[] = {
	/* The MAP_TYPE values are a 4-bit field, not OR-able bits. */
	{ "MAP_SHARED", LX_MAP_SHARED, LX_MAP_TYPE, false },
	{ "MAP_PRIVATE", LX_MAP_PRIVATE, LX_MAP_TYPE, false },
	{ "MAP_SHARED_VALIDATE", LX_MAP_SHARED_VALIDATE, LX_MAP_TYPE, false },
	{ "MAP_DROPPABLE", LX_MAP_DROPPABLE, LX_MAP_TYPE, false },
	{ NULL, 0, LX_MAP_TYPE, false }, /* any other type value prints raw */
	BIT(MAP_FIXED), BIT(MAP_ANONYMOUS), BIT(MAP_32BIT), BIT(MAP_ABOVE4G),
	BIT(MAP_GROWSDOWN), BIT(MAP_DENYWRITE), BIT(MAP_EXECUTABLE),
	BIT(MAP_LOCKED), BIT(MAP_NORESERVE), BIT(MAP_POPULATE),
	BIT(MAP_NONBLOCK), BIT(MAP_STACK), BIT(MAP_HUGETLB), BIT(MAP_SYNC),
	BIT(MAP_FIXED_NOREPLACE),
	/*
	 * The huge page size shares bit 26 with MAP_UNINITIALIZED, so the
	 * size field is matched first and consumes those bits.
	 */
	{ "MAP_HUGE_2MB", LX_MAP_HUGE_2MB, MAP_HUGE_FIELD, false },
	{ "MAP_HUGE_1GB", LX_MAP_HUGE_1GB, MAP_HUGE_FIELD, false },
	BIT(MAP_UNINITIALIZED),
	ALIAS(MAP_ANON, LX_MAP_ANONYMOUS),
	ALIAS(MAP_FILE, 0),
	ALIAS(MAP_TYPE, LX_MAP_TYPE), /* the whole type field: type value 0xf */
};

static const prog_flag madv_names[] = {
	BIT(MADV_NORMAL), BIT(MADV_RANDOM), BIT(MADV_SEQUENTIAL),
	BIT(MADV_WILLNEED), BIT(MADV_DONTNEED), BIT(MADV_FREE),
	BIT(MADV_REMOVE), BIT(MADV_DONTFORK), BIT(MADV_DOFORK),
	BIT(MADV_MERGEABLE), BIT(MADV_UNMERGEABLE), BIT(MADV_HUGEPAGE),
	BIT(MADV_NOHUGEPAGE), BIT(MADV_DONTDUMP), BIT(MADV_DODUMP),
	BIT(MADV_WIPEONFORK), BIT(MADV_KEEPONFORK), BIT(MADV_COLD),
	BIT(MADV_PAGEOUT), BIT(MADV_POPULATE_READ), BIT(MADV_POPULATE_WRITE),
	BIT(MADV_DONTNEED_LOCKED), BIT(MADV_COLLAPSE), BIT(MADV_HWPOISON),
	BIT(MADV_SOFT_OFFLINE), BIT(MADV_GUARD_INSTALL), BIT(MADV_GUARD_REMOVE),
};

static const prog_flag mcl_flags[] = {
	BIT(MCL_CURRENT), BIT(MCL_FUTURE), BIT(MCL_ONFAULT),
};

static const prog_flag mlock_flags[] = {
	BIT(MLOCK_ONFAULT),
};

static const prog_flag mremap_flags[] = {
	BIT(MREMAP_MAYMOVE), BIT(MREMAP_FIXED), BIT(MREMAP_DONTUNMAP),
};

static const prog_flag mfd_flags[] = {
	BIT(MFD_CLOEXEC), BIT(MFD_ALLOW_SEALING), BIT(MFD_HUGETLB),
	BIT(MFD_NOEXEC_SEAL), BIT(MFD_EXEC),
	/* include/uapi/linux/memfd.h: MFD_HUGE_* are the MAP_HUGE_* values. */
	{ "MFD_HUGE_2MB", LX_MAP_HUGE_2MB, MAP_HUGE_FIELD, false },
	{ "MFD_HUGE_1GB", LX_MAP_HUGE_1GB, MAP_HUGE_FIELD, false },
};

static const prog_flag rlimit_names[] = {
	BIT(RLIMIT_CPU), BIT(RLIMIT_FSIZE), BIT(RLIMIT_DATA), BIT(RLIMIT_STACK),
	BIT(RLIMIT_CORE), BIT(RLIMIT_RSS), BIT(RLIMIT_NPROC), BIT(RLIMIT_NOFILE),
	BIT(RLIMIT_MEMLOCK), BIT(RLIMIT_AS), BIT(RLIMIT_LOCKS),
	BIT(RLIMIT_SIGPENDING), BIT(RLIMIT_MSGQUEUE), BIT(RLIMIT_NICE),
	BIT(RLIMIT_RTPRIO), BIT(RLIMIT_RTTIME),
};

/* Names that belong to no printed namespace but read well in a value slot. */
static const prog_flag misc_names[] = {
	ALIAS(RLIM_INFINITY, LX_RLIM_INFINITY),
};

#undef BIT
#undef ALIAS

static const struct {
	const prog_flag *table;
	size_t n;
} namespaces[] = {
	[PROG_ARG_PROT] = { prot_flags, ARRAY_SIZE(prot_flags) },
	[PROG_ARG_MAP] = { map_flags, ARRAY_SIZE(map_flags) },
	[PROG_ARG_MADV] = { madv_names, ARRAY_SIZE(madv_names) },
	[PROG_ARG_MCL] = { mcl_flags, ARRAY_SIZE(mcl_flags) },
	[PROG_ARG_MLOCK] = { mlock_flags, ARRAY_SIZE(mlock_flags) },
	[PROG_ARG_MREMAP] = { mremap_flags, ARRAY_SIZE(mremap_flags) },
	[PROG_ARG_MFD] = { mfd_flags, ARRAY_SIZE(mfd_flags) },
	[PROG_ARG_RLIMIT] = { rlimit_names, ARRAY_SIZE(rlimit_names) },
	[PROG_ARG_VALUE] = { misc_names, ARRAY_SIZE(misc_names) },
};

const prog_flag *prog_flag_table(int argkind, size_t *n)
{
	/* misc_names are input-only; printing a VALUE never uses them. */
	if (argkind < 0 || (size_t)argkind >= ARRAY_SIZE(namespaces) ||
	    argkind == PROG_ARG_VALUE) {
		*n = 0;
		return NULL;
	}
	*n = namespaces[argkind].n;
	return namespaces[argkind].table;
}

bool prog_kind_is_enum(int argkind)
{
	return argkind == PROG_ARG_MADV || argkind == PROG_ARG_RLIMIT;
}

static bool name_eq(const char *a, const char *name, size_t len)
{
	return strlen(a) == len && memcmp(a, name, len) == 0;
}

bool prog_flag_lookup(const char *name, size_t len, uint64_t *value)
{
	for (size_t k = 0; k < ARRAY_SIZE(namespaces); k++)
		for (size_t i = 0; i < namespaces[k].n; i++) {
			const prog_flag *f = &namespaces[k].table[i];
			if (f->name && name_eq(f->name, name, len)) {
				*value = f->bits;
				return true;
			}
		}
	return false;
}

bool prog_flag_prefix(const char *name, size_t len)
{
	static const char *const prefixes[] = {
		"PROT_", "MAP_", "MADV_", "MCL_", "MLOCK_", "MREMAP_", "MFD_",
		"RLIMIT_", "RLIM_",
	};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (len >= n && memcmp(name, prefixes[i], n) == 0)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* errno                                                                   */

/*
 * The errno values linux_abi.h does not name, from
 * include/uapi/asm-generic/errno-base.h and errno.h: a kernel under test can
 * return any of them, and a message should still say which.
 */
#define LX_EIO 5
#define LX_ENXIO 6
#define LX_ENOEXEC 8
#define LX_ENOTBLK 15
#define LX_EXDEV 18
#define LX_ENOTDIR 20
#define LX_EISDIR 21
#define LX_ESPIPE 29
#define LX_EROFS 30
#define LX_EMLINK 31
#define LX_EPIPE 32
#define LX_EDOM 33
#define LX_EDEADLK 35
#define LX_ENOLCK 37
#define LX_ENOTEMPTY 39
#define LX_ELOOP 40

#define E(name) { #name, LX_##name }
static const struct {
	const char *name;
	int value;
} errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(EOVERFLOW), E(EOPNOTSUPP),
	E(EHWPOISON),
};
#undef E

const char *prog_errno_str(int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].value == err)
			return errno_names[i].name;
	return NULL;
}

/*
 * Never NULL: callers format messages with it directly, and a kernel can
 * return an errno the table does not know.
 */
const char *prog_errno_name(int err)
{
	const char *name = prog_errno_str(err);
	return name ? name : "E?";
}

int prog_errno_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (name_eq(errno_names[i].name, name, len))
			return errno_names[i].value;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Signals and si_codes                                                    */

/* x86-64 signal numbers (arch/x86/include/uapi/asm/signal.h). */
static const struct {
	const char *name;
	int value;
} signal_names[] = {
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 },
	{ "SIGTRAP", LX_SIGTRAP }, { "SIGABRT", 6 }, { "SIGBUS", LX_SIGBUS },
	{ "SIGFPE", 8 }, { "SIGKILL", 9 }, { "SIGUSR1", 10 },
	{ "SIGSEGV", LX_SIGSEGV }, { "SIGUSR2", 12 }, { "SIGPIPE", 13 },
	{ "SIGALRM", 14 }, { "SIGTERM", 15 }, { "SIGSTKFLT", 16 },
	{ "SIGCHLD", 17 }, { "SIGCONT", 18 }, { "SIGSTOP", 19 },
	{ "SIGTSTP", 20 }, { "SIGTTIN", 21 }, { "SIGTTOU", 22 },
	{ "SIGURG", 23 }, { "SIGXCPU", 24 }, { "SIGXFSZ", 25 },
	{ "SIGVTALRM", 26 }, { "SIGPROF", 27 }, { "SIGWINCH", 28 },
	{ "SIGIO", 29 }, { "SIGPWR", 30 }, { "SIGSYS", 31 },
};

const char *prog_signal_str(int signo)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (signal_names[i].value == signo)
			return signal_names[i].name;
	return NULL;
}

/* Never NULL, as prog_errno_name. */
const char *prog_signal_name(int signo)
{
	const char *name = prog_signal_str(signo);
	return name ? name : "SIG?";
}

int prog_signal_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (name_eq(signal_names[i].name, name, len))
			return signal_names[i].value;
	return -1;
}

/* The probes report only these; a step result naming another is a typo. */
bool prog_signal_is_result(int signo)
{
	return signo == LX_SIGSEGV || signo == LX_SIGBUS || signo == LX_SIGTRAP;
}

/*
 * si_code names (include/uapi/asm-generic/siginfo.h). signo 0 marks the
 * generic SI_* codes, valid with every signal.
 */
#define SEGV_CPERR 10   /* x86 shadow stack, 6.6 */
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define TRAP_BRANCH 3
#define TRAP_HWBKPT 4
#define TRAP_UNK 5
#define TRAP_PERF 6
static const struct {
	int signo;
	int code;
	const char *name;
} si_code_names[] = {
	{ LX_SIGSEGV, LX_SEGV_MAPERR, "SEGV_MAPERR" },
	{ LX_SIGSEGV, LX_SEGV_ACCERR, "SEGV_ACCERR" },
	{ LX_SIGSEGV, LX_SEGV_BNDERR, "SEGV_BNDERR" },
	{ LX_SIGSEGV, LX_SEGV_PKUERR, "SEGV_PKUERR" },
	{ LX_SIGSEGV, SEGV_CPERR, "SEGV_CPERR" },
	{ LX_SIGBUS, LX_BUS_ADRALN, "BUS_ADRALN" },
	{ LX_SIGBUS, LX_BUS_ADRERR, "BUS_ADRERR" },
	{ LX_SIGBUS, LX_BUS_OBJERR, "BUS_OBJERR" },
	{ LX_SIGBUS, LX_BUS_MCEERR_AR, "BUS_MCEERR_AR" },
	{ LX_SIGBUS, LX_BUS_MCEERR_AO, "BUS_MCEERR_AO" },
	{ LX_SIGTRAP, TRAP_BRKPT, "TRAP_BRKPT" },
	{ LX_SIGTRAP, TRAP_TRACE, "TRAP_TRACE" },
	{ LX_SIGTRAP, TRAP_BRANCH, "TRAP_BRANCH" },
	{ LX_SIGTRAP, TRAP_HWBKPT, "TRAP_HWBKPT" },
	{ LX_SIGTRAP, TRAP_UNK, "TRAP_UNK" },
	{ LX_SIGTRAP, TRAP_PERF, "TRAP_PERF" },
	{ 0, 0, "SI_USER" },
	{ 0, LX_SI_KERNEL, "SI_KERNEL" },
	{ 0, -1, "SI_QUEUE" },
	{ 0, -6, "SI_TKILL" },
};

const char *prog_si_code_str(int signo, int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(si_code_names); i++)
		if (si_code_names[i].signo == signo && si_code_names[i].code == code)
			return si_code_names[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(si_code_names); i++)
		if (si_code_names[i].signo == 0 && si_code_names[i].code == code)
			return si_code_names[i].name;
	return NULL;
}

/* Never NULL, as prog_errno_name. */
const char *prog_si_code_name(int signo, int code)
{
	const char *name = prog_si_code_str(signo, code);
	return name ? name : "?";
}

bool prog_si_code_lookup(int signo, const char *name, size_t len, int *code)
{
	for (size_t i = 0; i < ARRAY_SIZE(si_code_names); i++)
		if ((si_code_names[i].signo == signo || si_code_names[i].signo == 0) &&
		    name_eq(si_code_names[i].name, name, len)) {
			*code = si_code_names[i].code;
			return true;
		}
	return false;
}

/* ---------------------------------------------------------------------- */
/* Capabilities (include/uapi/linux/capability.h)                          */

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW",
	[LX_CAP_IPC_LOCK] = "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	[LX_CAP_SYS_RAWIO] = "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	[LX_CAP_SYS_ADMIN] = "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	[LX_CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

int prog_cap_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (name_eq(cap_names[i], name, len))
			return (int)i;
	return -1;
}

const char *prog_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

/* ---------------------------------------------------------------------- */
/* Strings                                                                 */

const char *prog_layout_check(const char *s)
{
	size_t n = 0;
	for (; n < PROG_STR_MAX && s[n]; n++) {
		char ch = s[n];
		if (ch != '.' && !(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z'))
			return "layout drawing holds a character other than [A-Za-z.]";
	}
	if (n == PROG_STR_MAX)
		return "layout drawing not NUL-terminated";
	if (n == 0)
		return "empty layout drawing";
	return NULL;
}

/*
 * The printer escapes only '"', '\\' and '\n', so those and the bytes it can
 * write verbatim (no other control characters, no DEL) are what a string may
 * hold; anything else would not survive print-then-parse.
 */
bool prog_str_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
			return false;
	}
	return true;
}
