/* SPDX-License-Identifier: MIT */
/*
 * linux_abi.h: the x86-64 Linux user ABI values the model speaks in.
 *
 * The oracle must not include system headers that could differ from the
 * kernel it describes, so the constants it needs are spelled out here with
 * the LX_ prefix, copied by value from the kernel's uapi headers
 * (include/uapi/asm-generic/mman-common.h, asm-generic/mman.h,
 * linux/mman.h, arch/x86/include/uapi/asm/mman.h, linux/memfd.h,
 * asm-generic/resource.h, asm-generic/errno*.h, asm-generic/siginfo.h).
 * The case language's flag names map onto exactly these values.
 */
#ifndef MMSPEC_LINUX_ABI_H
#define MMSPEC_LINUX_ABI_H

#define LX_PAGE_SIZE 4096ULL
#define LX_PAGE_SHIFT 12

/* Protection bits (mmap, mprotect). */
#define LX_PROT_NONE 0x0
#define LX_PROT_READ 0x1
#define LX_PROT_WRITE 0x2
#define LX_PROT_EXEC 0x4
#define LX_PROT_SEM 0x8
#define LX_PROT_GROWSDOWN 0x01000000
#define LX_PROT_GROWSUP 0x02000000

/* mmap flags. MAP_TYPE values are not OR-able bits. */
#define LX_MAP_SHARED 0x01
#define LX_MAP_PRIVATE 0x02
#define LX_MAP_SHARED_VALIDATE 0x03
#define LX_MAP_DROPPABLE 0x08
#define LX_MAP_TYPE 0x0f
#define LX_MAP_FIXED 0x10
#define LX_MAP_ANONYMOUS 0x20
#define LX_MAP_32BIT 0x40
#define LX_MAP_ABOVE4G 0x80
#define LX_MAP_GROWSDOWN 0x0100
#define LX_MAP_DENYWRITE 0x0800
#define LX_MAP_EXECUTABLE 0x1000
#define LX_MAP_LOCKED 0x2000
#define LX_MAP_NORESERVE 0x4000
#define LX_MAP_POPULATE 0x008000
#define LX_MAP_NONBLOCK 0x010000
#define LX_MAP_STACK 0x020000
#define LX_MAP_HUGETLB 0x040000
#define LX_MAP_SYNC 0x080000
#define LX_MAP_FIXED_NOREPLACE 0x100000
#define LX_MAP_UNINITIALIZED 0x4000000
#define LX_MAP_HUGE_SHIFT 26
#define LX_MAP_HUGE_MASK 0x3f
#define LX_MAP_HUGE_2MB (21U << LX_MAP_HUGE_SHIFT)
#define LX_MAP_HUGE_1GB (30U << LX_MAP_HUGE_SHIFT)
/* include/linux/mman.h (6.18): the flags MAP_SHARED_VALIDATE accepts on files. */
#define LX_LEGACY_MAP_MASK                                                    \
	(LX_MAP_SHARED | LX_MAP_PRIVATE | LX_MAP_FIXED | LX_MAP_ANONYMOUS |   \
	 LX_MAP_DENYWRITE | LX_MAP_EXECUTABLE | LX_MAP_UNINITIALIZED |        \
	 LX_MAP_GROWSDOWN | LX_MAP_LOCKED | LX_MAP_NORESERVE |                \
	 LX_MAP_POPULATE | LX_MAP_NONBLOCK | LX_MAP_STACK | LX_MAP_HUGETLB |  \
	 LX_MAP_32BIT | LX_MAP_ABOVE4G | LX_MAP_HUGE_2MB | LX_MAP_HUGE_1GB)

/* madvise advice values. */
#define LX_MADV_NORMAL 0
#define LX_MADV_RANDOM 1
#define LX_MADV_SEQUENTIAL 2
#define LX_MADV_WILLNEED 3
#define LX_MADV_DONTNEED 4
#define LX_MADV_FREE 8
#define LX_MADV_REMOVE 9
#define LX_MADV_DONTFORK 10
#define LX_MADV_DOFORK 11
#define LX_MADV_MERGEABLE 12
#define LX_MADV_UNMERGEABLE 13
#define LX_MADV_HUGEPAGE 14
#define LX_MADV_NOHUGEPAGE 15
#define LX_MADV_DONTDUMP 16
#define LX_MADV_DODUMP 17
#define LX_MADV_WIPEONFORK 18
#define LX_MADV_KEEPONFORK 19
#define LX_MADV_COLD 20
#define LX_MADV_PAGEOUT 21
#define LX_MADV_POPULATE_READ 22
#define LX_MADV_POPULATE_WRITE 23
#define LX_MADV_DONTNEED_LOCKED 24
#define LX_MADV_COLLAPSE 25
#define LX_MADV_HWPOISON 100
#define LX_MADV_SOFT_OFFLINE 101
#define LX_MADV_GUARD_INSTALL 102
#define LX_MADV_GUARD_REMOVE 103

/* mlockall, mlock2, mremap, memfd_create flags. */
#define LX_MCL_CURRENT 1
#define LX_MCL_FUTURE 2
#define LX_MCL_ONFAULT 4
#define LX_MLOCK_ONFAULT 0x01
#define LX_MREMAP_MAYMOVE 1
#define LX_MREMAP_FIXED 2
#define LX_MREMAP_DONTUNMAP 4
#define LX_MFD_CLOEXEC 0x0001U
#define LX_MFD_ALLOW_SEALING 0x0002U
#define LX_MFD_HUGETLB 0x0004U
#define LX_MFD_NOEXEC_SEAL 0x0008U
#define LX_MFD_EXEC 0x0010U

/* Resource limits. */
#define LX_RLIMIT_CPU 0
#define LX_RLIMIT_FSIZE 1
#define LX_RLIMIT_DATA 2
#define LX_RLIMIT_STACK 3
#define LX_RLIMIT_CORE 4
#define LX_RLIMIT_RSS 5
#define LX_RLIMIT_NPROC 6
#define LX_RLIMIT_NOFILE 7
#define LX_RLIMIT_MEMLOCK 8
#define LX_RLIMIT_AS 9
#define LX_RLIMIT_LOCKS 10
#define LX_RLIMIT_SIGPENDING 11
#define LX_RLIMIT_MSGQUEUE 12
#define LX_RLIMIT_NICE 13
#define LX_RLIMIT_RTPRIO 14
#define LX_RLIMIT_RTTIME 15
#define LX_RLIM_NLIMITS 16
#define LX_RLIM_INFINITY (~0ULL)

/* errno values the memory syscalls return (asm-generic/errno-base.h, errno.h). */
#define LX_EPERM 1
#define LX_ENOENT 2
#define LX_ESRCH 3
#define LX_EINTR 4
#define LX_E2BIG 7
#define LX_EBADF 9
#define LX_ECHILD 10
#define LX_EAGAIN 11
#define LX_ENOMEM 12
#define LX_EACCES 13
#define LX_EFAULT 14
#define LX_EBUSY 16
#define LX_EEXIST 17
#define LX_ENODEV 19
#define LX_EINVAL 22
#define LX_ENFILE 23
#define LX_EMFILE 24
#define LX_ENOTTY 25
#define LX_ETXTBSY 26
#define LX_EFBIG 27
#define LX_ENOSPC 28
#define LX_ERANGE 34
#define LX_ENAMETOOLONG 36
#define LX_ENOSYS 38
#define LX_EOVERFLOW 75
#define LX_EOPNOTSUPP 95
#define LX_EHWPOISON 133

/* Signals and the si_code values the probes report. */
#define LX_SIGBUS 7
#define LX_SIGSEGV 11
#define LX_SIGTRAP 5
#define LX_SEGV_MAPERR 1
#define LX_SEGV_ACCERR 2
#define LX_SEGV_BNDERR 3
#define LX_SEGV_PKUERR 4
#define LX_BUS_ADRALN 1
#define LX_BUS_ADRERR 2
#define LX_BUS_OBJERR 3
#define LX_BUS_MCEERR_AR 4
#define LX_BUS_MCEERR_AO 5
#define LX_SI_KERNEL 0x80

/* Capabilities a case may require. */
#define LX_CAP_SYS_RAWIO 17
#define LX_CAP_SYS_ADMIN 21
#define LX_CAP_SYS_RESOURCE 24
#define LX_CAP_IPC_LOCK 14

#endif
