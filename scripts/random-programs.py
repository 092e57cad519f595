#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Random .mmt programs written from the contract alone ("someone else's").

This generator was written from the case language of ARCHITECTURE.md and
the rules of linux-mm-semantics.md only, without looking at mmspec's own
generator (fuzz/fuzz_gen.c) or scripts/madvise-random.py, so that its
programs have other distributions, other habits and other mistakes than the
ones the model was tuned against (issue 5: "random programs mixing every
syscall and probe, written by someone else, show zero divergences").

Every case it writes has no expectations: each step is compared model
against kernel by `mmspec run`. Only `= $x` bindings appear, to use what
mmap, mremap, brk, memfd_create and fork returned.

Personalities (--personality, comma separated, or `all`):

  tidy     page-aligned arguments, sensible flags, 15-40 steps
  sloppy   unaligned addresses and lengths, zero, huge and negative lengths,
           addresses near 0, near TASK_SIZE, past 2^47, kernel addresses,
           unknown flag bits, bad fds
  long     60-100 steps of everything
  forky    several processes taking turns: forks, grandchildren, exits,
           waits, COW stores and loads in every process
  filey    memfds, ftruncate, shared and private file mappings with offsets,
           truncation under mappings, SIGBUS past EOF, page-cache residency
  hammer   one small range (a few pages) hit by overlapping mprotect,
           madvise, mlock, munmap, MAP_FIXED, mremap and probes
  scenario mostly idioms, short sequences written as one thought (a
           growsdown stack and its gap, COW across generations, a memfd
           mapped shared and private, moves of faulted pages, mlockall
           with later mappings, seals, droppable memory, lowered limits,
           placement holes, brk against its neighbours), 30-70 steps

Usage:

  scripts/random-programs.py --seed 1 --count 500 --personality all -o /tmp/rg.mmt
  build/mmspec run --jobs 1 --db /tmp/rg.db /tmp/rg.mmt
  build/mmspec report --db /tmp/rg.db divergences

With -o DIR/ (a trailing slash, or an existing folder) it writes one file per
personality, DIR/PERSONALITY.mmt. The same seed always gives the same
programs. Programs stay inside the arena (A .. A+1 GiB) or at addresses
where an operation cannot touch the executor's own memory (below
mmap_min_addr, at or past TASK_SIZE, non-canonical, or only as a hint);
destructive calls never aim elsewhere.
"""

import argparse
import os
import random
import re
import sys

P = 4096
PERSONALITIES = ["tidy", "sloppy", "long", "forky", "filey", "hammer", "scenario"]

MADVICES = [
    "MADV_NORMAL", "MADV_RANDOM", "MADV_SEQUENTIAL", "MADV_WILLNEED",
    "MADV_DONTNEED", "MADV_FREE", "MADV_REMOVE", "MADV_DONTFORK",
    "MADV_DOFORK", "MADV_MERGEABLE", "MADV_UNMERGEABLE", "MADV_HUGEPAGE",
    "MADV_NOHUGEPAGE", "MADV_DONTDUMP", "MADV_DODUMP", "MADV_WIPEONFORK",
    "MADV_KEEPONFORK", "MADV_COLD", "MADV_PAGEOUT", "MADV_POPULATE_READ",
    "MADV_POPULATE_WRITE", "MADV_DONTNEED_LOCKED", "MADV_COLLAPSE",
    "MADV_HWPOISON", "MADV_SOFT_OFFLINE", "MADV_GUARD_INSTALL",
    "MADV_GUARD_REMOVE",
]
# Advice that a careful author reaches for; the rest show up less often.
MADV_COMMON = [
    "MADV_DONTNEED", "MADV_FREE", "MADV_DONTFORK", "MADV_DOFORK",
    "MADV_WIPEONFORK", "MADV_KEEPONFORK", "MADV_GUARD_INSTALL",
    "MADV_GUARD_REMOVE", "MADV_POPULATE_READ", "MADV_POPULATE_WRITE",
    "MADV_NORMAL", "MADV_RANDOM", "MADV_SEQUENTIAL", "MADV_WILLNEED",
    "MADV_COLD", "MADV_PAGEOUT", "MADV_DONTDUMP", "MADV_DODUMP",
    "MADV_HUGEPAGE", "MADV_NOHUGEPAGE", "MADV_DONTNEED_LOCKED",
    "MADV_REMOVE",
]

PROTS = ["PROT_NONE", "PROT_READ", "PROT_READ|PROT_WRITE", "PROT_WRITE",
         "PROT_EXEC", "PROT_READ|PROT_EXEC", "PROT_READ|PROT_WRITE|PROT_EXEC"]
PROT_ODD = ["PROT_SEM", "PROT_READ|PROT_SEM", "PROT_READ|0x10",
            "PROT_READ|PROT_WRITE|0x80000000", "0x7", "0xff",
            "PROT_GROWSDOWN", "PROT_GROWSUP", "PROT_READ|PROT_GROWSDOWN",
            "PROT_READ|PROT_WRITE|PROT_GROWSDOWN", "PROT_READ|PROT_GROWSUP",
            "PROT_GROWSDOWN|PROT_GROWSUP|PROT_READ"]

MAP_EXTRA = ["MAP_POPULATE", "MAP_LOCKED", "MAP_NORESERVE", "MAP_GROWSDOWN",
             "MAP_STACK", "MAP_NONBLOCK", "MAP_DENYWRITE", "MAP_EXECUTABLE",
             "MAP_32BIT", "MAP_ABOVE4G", "MAP_UNINITIALIZED", "MAP_SYNC",
             "MAP_HUGETLB", "MAP_HUGETLB|MAP_HUGE_2MB", "MAP_FILE"]
MAP_UNKNOWN = ["0x200", "0x400", "0x200000", "0x1000000"]

MREMAP_FLAGS = ["0", "MREMAP_MAYMOVE", "MREMAP_MAYMOVE|MREMAP_FIXED",
                "MREMAP_MAYMOVE|MREMAP_DONTUNMAP",
                "MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP",
                "MREMAP_FIXED", "MREMAP_DONTUNMAP", "0x8",
                "MREMAP_MAYMOVE|0x10"]
MCL_FLAGS = ["MCL_CURRENT", "MCL_FUTURE", "MCL_CURRENT|MCL_FUTURE",
             "MCL_CURRENT|MCL_ONFAULT", "MCL_FUTURE|MCL_ONFAULT",
             "MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT", "MCL_ONFAULT", "0", "0x8"]
MFD_FLAGS = ["0", "MFD_CLOEXEC", "MFD_ALLOW_SEALING",
             "MFD_CLOEXEC|MFD_ALLOW_SEALING", "MFD_NOEXEC_SEAL", "MFD_EXEC",
             "MFD_HUGETLB", "MFD_HUGETLB|MFD_HUGE_2MB", "0x20",
             "MFD_EXEC|MFD_NOEXEC_SEAL"]
RLIMITS = ["RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_STACK",
           "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_CORE",
           "RLIMIT_RSS", "RLIMIT_LOCKS"]

# Addresses a sloppy author tries that no operation can turn against the
# executor: nothing can be mapped there, or the kernel refuses the range.
WILD_ADDRS = ["NULL", "1", "0xfff", "0x1000", "0x2000", "0x8000", "0xffff",
              "0x10000", "0x7ffffffff000", "0x7ffffffff001",
              "0x7ffffffffff8", "0x7ffffffffffc", "0x800000000000",
              "0x800000001000", "0xffff800000000000", "0xffffffffff600000",
              "0xffffffffff600400", "-1", "-1p", "-8", "0x8000000000000000"]
# Hints (mmap without MAP_FIXED) may be anything.
HINTS = ["0x7fff00000000", "0x7ffffffe0000", "0x7fffffffe000",
         "0x555555554000", "0x40000000", "0x1000", "0x10000",
         "0x800000000000", "0xffffffffffff0000", "A-1G", "A+2G"]


class Gen:
    """One program being written: the author's picture of it."""

    def __init__(self, rnd, pers, name):
        self.r = rnd
        self.pers = pers
        self.name = name
        self.lines = []
        self.nvars = 0
        self.addrs = []       # address variables bound by mmap/mremap
        self.fds = {None: []}  # fd variables bound by memfd_create, by process
        self.live = [None]    # processes that may run steps (None: root)
        self.parent = {}
        self.exited = []      # (child, parent) exited, not yet waited
        self.brk0 = None
        self.span = 64 if pers != "hammer" else 6   # pages of A used
        self.idiom_rate = 0.06
        self.tainted = False  # limits changed: calls may fail
        self.nofork = False

    # ------------------------------------------------------------ helpers
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def var(self, prefix):
        if self.nvars >= 60:
            return None
        self.nvars += 1
        return "$%s%d" % (prefix, self.nvars)

    def emit(self, text, proc=None):
        self.lines.append(("[%s] " % proc if proc else "") + text)

    def sloppy(self):
        return self.pers == "sloppy" or (self.pers == "long" and self.chance(0.15))

    def pages(self, lo=1, hi=8):
        return self.r.randint(lo, hi)

    def page_off(self):
        """An offset in pages inside the part of A this program uses."""
        return self.r.randrange(0, self.span)

    def arena(self, k=None):
        k = self.page_off() if k is None else k
        return "A" if k == 0 else "A+%dp" % k

    def base(self):
        """A page-aligned address of the program's own memory."""
        if self.addrs and self.chance(0.35):
            v = self.pick(self.addrs)
            k = self.r.randrange(0, 4)
            return v if k == 0 else "%s+%dp" % (v, k)
        return self.arena()

    def addr(self, destructive=True):
        """An address; sloppy authors miss alignment and aim anywhere."""
        if self.sloppy():
            x = self.r.random()
            if x < 0.3:
                return self.pick(WILD_ADDRS)
            if x < 0.6:
                return "%s+%s" % (self.base(), self.pick(["1", "0x800", "0xfff", "8", "0x10"]))
            if x < 0.7:
                return "%s-%s" % (self.base(), self.pick(["1", "1p", "0x800"]))
        return self.base()

    def length(self, addr=None, past_task_size=False):
        """A length for a range starting at addr. Sloppy lengths are zero,
        odd or huge; a huge one starts only in the arena (2 GiB free above
        A), or wraps past 2^64 (refused), so that no range reaches the
        executor's memory. past_task_size: the call refuses any range
        ending past TASK_SIZE (munmap, mmap), so lengths like 2^47 are safe
        from A too."""
        if self.sloppy():
            x = self.r.random()
            if x < 0.15:
                return self.pick(["0", "1", "4095", "4097", "0x1001", "100"])
            if x < 0.25:
                huge = ["-1", "0xffffffffffff0000", "18446744073709551615"]
                if addr is None or addr.startswith("A") and not addr.startswith("A-"):
                    huge += ["1G", "3G", "16G", "-1p"]
                    if past_task_size:
                        huge += ["0x7ffffffff000", "0x800000000000"]
                elif addr.startswith("$"):
                    huge = ["16M", "2M+3p"]
                length = self.pick(huge)
                if addr is not None and not addr.startswith(("A", "$")) and not self.wraps(addr, length):
                    return "%dp" % self.pages(1, 4)
                return length
            if x < 0.45:
                return "%dp+%d" % (self.pages(0, 8), self.r.randint(1, 4095))
        if self.pers == "hammer":
            return "%dp" % self.pages(1, 4)
        if self.chance(0.05) and (addr is None or addr.startswith("A")):
            return self.pick(["2M", "4M", "2M+1p", "512p"])
        return "%dp" % self.pages(1, 10)

    @staticmethod
    def number(text):
        """The value of a constant expression of ours (WILD_ADDRS, the
        sloppy lengths), mod 2^64."""
        units = {"p": "*4096", "K": "*1024", "M": "*1048576", "G": "*1073741824"}
        expr = re.sub(r"(0x[0-9a-fA-F]+|[0-9]+)([pKMG])", lambda m: "(%s%s)" % (m.group(1), units[m.group(2)]),
                      text.replace("NULL", "0"))
        return eval(expr, {"__builtins__": {}}) % (1 << 64)

    def wraps(self, addr, length):
        """Whether [addr, addr+length) wraps past 2^64 or lies wholly where
        nothing of the executor is: below 0x10000 or at or past TASK_SIZE."""
        a, n = self.number(addr), self.number(length)
        return a + n > (1 << 64) or a + n <= 0x10000 or a >= 0x7ffffffff000

    def prot(self):
        if self.sloppy() and self.chance(0.3):
            return self.pick(PROT_ODD)
        return self.pick(PROTS) if self.chance(0.4) else "PROT_READ|PROT_WRITE"

    def map_flags(self, shared_ok=True, anon=True):
        r = self.r
        if self.sloppy() and self.chance(0.2):
            typ = self.pick(["MAP_SHARED_VALIDATE", "MAP_DROPPABLE", "0",
                             "0x4", "0xf", "MAP_PRIVATE|MAP_DROPPABLE",
                             "MAP_SHARED|MAP_PRIVATE"])
        else:
            typ = "MAP_PRIVATE"
            x = r.random()
            if shared_ok and x < 0.25:
                typ = "MAP_SHARED"
            elif x < 0.3:
                typ = "MAP_DROPPABLE"
            elif x < 0.33:
                typ = "MAP_SHARED_VALIDATE"
        flags = [typ]
        if anon:
            flags.append(self.pick(["MAP_ANONYMOUS", "MAP_ANON"]) if self.chance(0.97) else "0")
        n = 0
        while self.chance(0.3 if not self.sloppy() else 0.5) and n < 3:
            flags.append(self.pick(MAP_EXTRA))
            n += 1
        if self.sloppy() and self.chance(0.2):
            flags.append(self.pick(MAP_UNKNOWN))
        return flags

    def bind_addr(self):
        v = self.var("m")
        if v:
            self.addrs.append(v)
        return v

    def proc(self):
        """The process a step runs in: mostly the root."""
        if len(self.live) > 1 and self.chance(0.5 if self.pers == "forky" else 0.3):
            return self.pick(self.live[1:])
        return None

    # ------------------------------------------------------------ steps
    def op_mmap(self, proc=None):
        r = self.r
        fixed = self.chance(0.55)
        noreplace = fixed and self.chance(0.2)
        flags = self.map_flags()
        if fixed:
            flags.insert(2, "MAP_FIXED_NOREPLACE" if noreplace else "MAP_FIXED")
            if self.sloppy() and self.chance(0.3):
                if noreplace or self.chance(0.5):
                    a = self.pick(WILD_ADDRS + HINTS) if noreplace else self.pick(
                        ["NULL", "0x1000", "0xfff", "0x7ffffffff000", "0x800000000000", "-1p",
                         "0x7ffffffff000-1p+1"])
                else:
                    a = self.addr()
            else:
                a = self.base() if not self.sloppy() else self.addr()
        else:
            if self.chance(0.25):
                a = self.pick(HINTS) if self.chance(0.5) else self.base()
            else:
                a = "NULL"
        length = self.length(a, True) if fixed else self.length()
        if "MAP_POPULATE" in flags or "MAP_LOCKED" in flags:
            # real memory: keep populated mappings small
            if not length.endswith("p") or "+" in length or self.chance(0.3):
                length = "%dp" % self.pages(1, 6)
        off = "0"
        if self.sloppy() and self.chance(0.2):
            off = self.pick(["1", "0x800", "1p", "-1p", "0x7ffffffff000"])
        fd = "-1"
        if self.chance(0.05):
            fd = self.pick(["0", "3", "-2", "99"])
        text = "mmap(%s, %s, %s, %s, %s, %s)" % (a, length, self.prot(), "|".join(flags), fd, off)
        # (a result placed low, from a low hint, is not kept: ranges from
        # it could reach the executor's text at 0x400000)
        if not fixed and a not in ("0x1000", "0x10000") and self.will_succeed(flags, length, off):
            v = self.bind_addr()
            if v:
                text += " = " + v
        self.emit(text, proc)

    def will_succeed(self, flags, length, off, anon=True):
        """Whether the author may bind the result: a `= $x` is an expectation
        that the call succeeds (a failure is a FAIL), so only calls that
        cannot fail whatever the program did before get one."""
        if self.tainted or off != "0":
            return False
        if not (length.endswith("p") and "+" not in length and "-" not in length and length != "0p"):
            return False
        typ = flags[0]
        if typ not in ("MAP_PRIVATE", "MAP_SHARED") and not (anon and typ == "MAP_DROPPABLE"):
            return False
        if anon and "MAP_ANONYMOUS" not in flags and "MAP_ANON" not in flags:
            return False
        bad = {"MAP_LOCKED", "MAP_HUGETLB", "MAP_HUGETLB|MAP_HUGE_2MB", "MAP_GROWSDOWN",
               "MAP_32BIT", "MAP_SYNC"}
        return not any(f in bad for f in flags)

    def op_file_mmap(self, proc=None):
        if not self.fds[proc] or self.chance(0.1):
            # a descriptor of another process: a mistake (EBADF), or a
            # number guessed from the lowest-free-fd rule
            every = [f for fs in self.fds.values() for f in fs]
            if not every:
                return self.op_memfd(proc)
            fd = self.pick(every)
        else:
            fd = self.pick(self.fds[proc])
        if self.chance(0.05):
            fd = self.pick(["0", "1", "5", "-1"])
        typ = self.pick(["MAP_SHARED", "MAP_SHARED", "MAP_PRIVATE", "MAP_PRIVATE",
                         "MAP_SHARED_VALIDATE"])
        flags = [typ]
        if self.chance(0.6):
            flags.append(self.pick(["MAP_FIXED", "MAP_FIXED", "MAP_FIXED_NOREPLACE"]))
            a = self.base()
        else:
            a = "NULL"
        if self.chance(0.3):
            flags.append(self.pick(["MAP_POPULATE", "MAP_LOCKED", "MAP_NORESERVE",
                                    "MAP_GROWSDOWN", "MAP_SYNC", "MAP_STACK",
                                    "MAP_DENYWRITE", "0x200000"]))
        k = self.r.randrange(0, 6)
        off = "0" if k == 0 else "%dp" % k
        if self.sloppy() and self.chance(0.2):
            off = self.pick(["1", "0x800", "-1p", "0x7ffffffff000", "1G"])
        if "MAP_POPULATE" in flags or "MAP_LOCKED" in flags:
            length = "%dp" % self.pages(1, 6)
        else:
            length = self.length(a, True) if self.sloppy() else "%dp" % self.pages(1, 8)
        text = "mmap(%s, %s, %s, %s, %s, %s)" % (a, length, self.prot(), "|".join(flags), fd, off)
        if a == "NULL" and fd in self.fds[proc] and typ != "MAP_SHARED_VALIDATE" and \
                self.will_succeed(flags, length, off, anon=False):
            v = self.bind_addr()
            if v:
                text += " = " + v
        self.emit(text, proc)

    def op_memfd(self, proc=None):
        name = self.pick(["f", "memfd", "", "a b", "x" * 40, "rg"])
        flags = self.pick(MFD_FLAGS) if self.chance(0.3) else self.pick(["0", "MFD_CLOEXEC"])
        clean = flags in ("0", "MFD_CLOEXEC", "MFD_ALLOW_SEALING",
                          "MFD_CLOEXEC|MFD_ALLOW_SEALING") and not self.tainted
        v = self.var("fd") if clean else None
        text = 'memfd_create("%s", %s)' % (name, flags)
        if v:
            self.fds[proc].append(v)
            text += " = " + v
        self.emit(text, proc)
        if v and self.chance(0.8):
            self.op_ftruncate(proc, v)

    def op_ftruncate(self, proc=None, fd=None):
        if fd is None:
            if not self.fds[proc]:
                return self.op_memfd(proc)
            fd = self.pick(self.fds[proc])
        if self.chance(0.7):
            size = "%dp" % self.r.randrange(0, 9)
        else:
            size = self.pick(["0", "1", "100", "1p+100", "3p-1", "-1", "1G", "2M"])
        self.emit("ftruncate(%s, %s)" % (fd, size), proc)

    def op_munmap(self, proc=None):
        a = self.addr()
        self.emit("munmap(%s, %s)" % (a, self.length(a, True)), proc)

    def op_mprotect(self, proc=None):
        a = self.addr()
        self.emit("mprotect(%s, %s, %s)" % (a, self.length(a), self.prot()), proc)

    def op_madvise(self, proc=None):
        if self.chance(0.85):
            adv = self.pick(MADV_COMMON)
        else:
            # KSM advice is rare: the model does not cover it (a SKIP)
            adv = self.pick(MADVICES + ["99", "-1", "0x100"])
            if "MERGEABLE" in adv and self.chance(0.7):
                adv = "MADV_COLLAPSE"
        if adv == "MADV_POPULATE_WRITE" or adv == "MADV_POPULATE_READ":
            length = "%dp" % self.pages(1, 8)
            self.emit("madvise(%s, %s, %s)" % (self.base(), length, adv), proc)
            return
        a = self.addr()
        self.emit("madvise(%s, %s, %s)" % (a, self.length(a), adv), proc)

    def op_mlock(self, proc=None):
        which = self.r.random()
        a = self.addr()
        length = self.length(a) if self.sloppy() else "%dp" % self.pages(1, 6)
        if which < 0.35:
            self.emit("mlock(%s, %s)" % (a, length), proc)
        elif which < 0.7:
            fl = self.pick(["0", "MLOCK_ONFAULT", "MLOCK_ONFAULT", "0x2", "-1"])
            self.emit("mlock2(%s, %s, %s)" % (a, length, fl), proc)
        else:
            self.emit("munlock(%s, %s)" % (a, self.length(a)), proc)

    def op_mlockall(self, proc=None):
        if self.chance(0.4):
            self.emit("munlockall()", proc)
        else:
            fl = self.pick(MCL_FLAGS)
            if "FUTURE" in fl:
                self.tainted = True   # later mmaps may fail with EAGAIN
            self.emit("mlockall(%s)" % fl, proc)

    def op_mremap(self, proc=None):
        fl = self.pick(MREMAP_FLAGS)
        old = self.addr()
        ol = self.length(old) if self.sloppy() else "%dp" % self.pages(1, 6)
        if self.chance(0.1):
            ol = "0"
        new = self.arena(self.r.randrange(self.span, self.span + 64)) if self.chance(0.6) else self.addr()
        nl = self.length(new) if self.sloppy() else "%dp" % self.pages(1, 8)
        if "DONTUNMAP" in fl and self.chance(0.7):
            nl = ol
        args = [old, ol, nl, fl]
        if "FIXED" in fl or ("DONTUNMAP" in fl and self.chance(0.5)) or self.chance(0.1):
            args.append(new)
        self.emit("mremap(%s)" % ", ".join(args), proc)

    def op_mseal(self, proc=None):
        fl = "" if self.chance(0.8) else ", " + self.pick(["0", "1", "-1"])
        a = self.addr()
        length = self.length(a) if self.sloppy() else "%dp" % self.pages(1, 4)
        self.emit("mseal(%s, %s%s)" % (a, length, fl), proc)

    def op_mincore(self, proc=None):
        a = self.addr()
        length = self.length(a) if self.sloppy() else "%dp" % self.pages(1, 12)
        self.emit("mincore(%s, %s)" % (a, length), proc)

    def op_brk(self, proc=None):
        if self.brk0 is None:
            v = self.var("b")
            if not v:
                return
            self.brk0 = v
            self.emit("brk(0) = %s" % v, proc)
            return
        x = self.r.random()
        if x < 0.6:
            arg = "%s+%dp" % (self.brk0, self.r.randrange(0, 20))
        elif x < 0.8:
            arg = "%s+%d" % (self.brk0, self.r.randrange(1, 40000))
        else:
            arg = self.pick(["0", "1", self.brk0, "%s+1G" % self.brk0, "%s+9G" % self.brk0])
        self.emit("brk(%s)" % arg, proc)

    def op_setrlimit(self, proc=None):
        res = self.pick(RLIMITS) if self.chance(0.97) else self.pick(["RLIMIT_CPU", "99"])
        vals = ["0", "1p", "16p", "1M", "8M", "64M", "1G", "4G", "RLIM_INFINITY", "3", "16", "64"]
        soft = self.pick(vals)
        hard = soft if self.chance(0.5) else self.pick(vals)
        if res == "RLIMIT_NPROC" and soft not in ("RLIM_INFINITY", "4G"):
            self.nofork = True   # fork may then fail: its child could not be named
        if res == "RLIMIT_NOFILE" and soft not in ("RLIM_INFINITY", "4G", "1G", "64M", "8M", "1M"):
            # A child could not reopen /proc/self/maps (the executor keeps
            # it at fd 1000): an ERROR by design (docs/executor-protocol.md).
            self.nofork = True
        self.tainted = True
        self.emit("setrlimit(%s, %s, %s)" % (res, soft, hard), proc)

    def value(self):
        return self.pick(["0x41", "0", "1", "0xdeadbeef", "0xffffffffffffffff",
                          "0x%x" % self.r.getrandbits(64), "0xc3", "0x90909090",
                          "0xcccccccccccccccc", "0x%x" % self.r.getrandbits(16)])

    def probe_addr(self):
        if self.sloppy() and self.chance(0.3):
            return self.pick(WILD_ADDRS)
        a = self.base()
        if self.chance(0.2):
            a += "+" + self.pick(["8", "0xff8", "0xffc", "0x800", "0xff9", "0xfff"])
        return a

    def op_load(self, proc=None):
        self.emit("load(%s)" % self.probe_addr(), proc)

    def op_store(self, proc=None):
        a = self.probe_addr()
        if a in WILD_ADDRS and a not in ("NULL", "1", "0xfff", "0x1000", "0x7ffffffff000",
                                         "0x7ffffffffffc", "0x800000000000", "-8",
                                         "0xffffffffff600000", "0x8000000000000000"):
            a = "NULL"
        self.emit("store(%s, %s)" % (a, self.value()), proc)

    def op_fetch(self, proc=None):
        self.emit("fetch(%s)" % self.probe_addr(), proc)

    def op_maps(self, proc=None):
        if self.sloppy() and self.chance(0.3):
            self.emit("maps(%s, %s)" % (self.pick(["A", "A+1", "-1p", "0x7ffffffff000", "NULL", self.base()]),
                                        self.pick(["-1p", "0", "3", "1p", "0x7ffffffff000", "1G"])), proc)
            return
        if self.chance(0.5):
            self.emit("maps()", proc)
        else:
            self.emit("maps(%s, %dp)" % (self.arena(self.r.randrange(0, 8)), self.pages(1, 64)), proc)

    def op_pagemap(self, proc=None):
        if self.sloppy() and self.chance(0.3):
            self.emit("pagemap(%s, %s)" % (self.pick(WILD_ADDRS + [self.base(), "A-2p", "0x7fffffffe000"]),
                                           self.pick(["1p", "8p", "1", "0", "-1p", "600p", "512p", "3"])), proc)
            return
        self.emit("pagemap(%s, %dp)" % (self.base(), self.pages(1, 16)), proc)

    def op_fork(self, proc=None):
        if self.nofork or len(self.live) + len(self.exited) > 7:
            return self.op_load(proc)
        v = self.var("c")
        if not v:
            return
        self.emit("fork() = %s" % v, proc)
        self.fds[v] = list(self.fds[proc])   # the descriptor table is copied
        self.live.append(v)
        self.parent[v] = proc

    def op_exit(self, proc=None):
        kids = self.live[1:]
        if not kids:
            return self.op_fork(proc)
        c = self.pick(kids)
        self.live.remove(c)
        self.emit("exit(%d)" % self.pick([0, 0, 1, 3, 42, 255, 256, -1]), c)
        self.exited.append(c)

    def op_wait(self, proc=None):
        # Only a parent that is still alive can reap.
        ready = [c for c in self.exited if self.parent[c] in self.live]
        if not ready:
            return self.op_exit(proc)
        c = self.pick(ready)
        self.exited.remove(c)
        self.emit("wait(%s)" % c, self.parent[c])


    # ------------------------------------------------------------ idioms
    # Short sequences an author writes as one thought, with random sizes:
    # they reach deeper states (COW after fork, stack growth, private file
    # copies, moved faulted pages) than independent steps do.
    def region(self, pages):
        """A page-aligned start in the arena with pages pages after it."""
        return self.arena(self.r.randrange(0, max(1, self.span - pages)))

    def idiom_stack(self, proc=None):
        n = self.pages(1, 4)
        k = self.r.randrange(300, 700)   # far enough above A for the gap
        top = "A+%dp" % k
        self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_GROWSDOWN%s, -1, 0)"
                  % (top, n, self.pick(["", "", "|MAP_STACK", "|MAP_POPULATE"])), proc)
        if self.chance(0.4):
            below = self.r.randrange(k - 299, k - 1)
            self.emit("mmap(A+%dp, 1p, %s, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)"
                      % (below, self.pick(["PROT_READ", "PROT_NONE", "PROT_READ|PROT_WRITE"])), proc)
        for _ in range(self.r.randint(1, 4)):
            d = self.pick([1, 2, 8, 200, 255, 256, 257, 280])
            op = self.pick(["load(A+%dp-%s)", "store(A+%dp-%s, 0x77)", "fetch(A+%dp-%s)"])
            self.emit(op % (k, "%dp" % d if self.chance(0.8) else "%dp+8" % d), proc)
        if self.chance(0.3):
            self.emit("mprotect(%s, 1p, %s)" % (top, self.pick(["PROT_READ|PROT_GROWSDOWN",
                                                              "PROT_NONE|PROT_GROWSDOWN",
                                                              "PROT_READ|PROT_WRITE|PROT_GROWSUP"])), proc)
        self.emit("maps(A+%dp, 64p)" % (k - 60), proc)

    def idiom_cow(self, proc=None):
        if self.nofork or len(self.live) + len(self.exited) > 7:
            return
        n = self.pages(1, 6)
        a = self.region(n)
        self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" % (a, n), proc)
        for q in range(n):
            if self.chance(0.6):
                self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(32)), proc)
            elif self.chance(0.5):
                self.emit("load(%s+%dp)" % (a, q), proc)
        if self.chance(0.4):
            self.emit("madvise(%s, %dp, %s)" % (a, self.pages(1, n), self.pick(
                ["MADV_DONTFORK", "MADV_WIPEONFORK", "MADV_FREE", "MADV_DONTNEED", "MADV_GUARD_INSTALL"])), proc)
        v = self.var("c")
        if not v:
            return
        self.emit("fork() = %s" % v, proc)
        self.fds[v] = list(self.fds[proc])
        self.live.append(v)
        self.parent[v] = proc
        self.emit("pagemap(%s, %dp)" % (a, n), v)
        self.emit("pagemap(%s, %dp)" % (a, n), proc)
        for _ in range(self.r.randint(1, 4)):
            who = self.pick([v, proc])
            q = self.r.randrange(0, n)
            if self.chance(0.6):
                self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(16)), who)
            else:
                self.emit("load(%s+%dp)" % (a, q), who)
        self.emit("pagemap(%s, %dp)" % (a, n), self.pick([v, proc]))
        if self.chance(0.5):
            self.live.remove(v)
            self.emit("exit(%d)" % self.r.randrange(0, 5), v)
            self.exited.append(v)
            if proc in self.live and self.chance(0.8):
                self.exited.remove(v)
                self.emit("wait(%s)" % v, proc)
            self.emit("pagemap(%s, %dp)" % (a, n), proc)

    def idiom_file(self, proc=None):
        if self.nvars > 55 or self.tainted:   # (memfd_create may fail: EMFILE)
            return
        name = self.pick(["f", "cow", "shm"])
        fd = self.var("fd")
        self.emit('memfd_create("%s", 0) = %s' % (name, fd), proc)
        self.fds[proc].append(fd)
        size = self.pages(1, 6)
        self.emit("ftruncate(%s, %dp%s)" % (fd, size, self.pick(["", "", "+100", "-1"])), proc)
        n = self.pages(1, 6)
        off = self.r.randrange(0, 3)
        sh, pr = self.region(n), self.region(n)
        self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, %s, %s)"
                  % (sh, n, fd, "%dp" % off if off else "0"), proc)
        self.emit("mmap(%s, %dp, %s, MAP_PRIVATE|MAP_FIXED, %s, %s)"
                  % (pr, n, self.pick(["PROT_READ|PROT_WRITE", "PROT_READ"]), fd, "%dp" % off if off else "0"), proc)
        for _ in range(self.r.randint(2, 6)):
            q = self.r.randrange(0, n)
            x = self.r.random()
            if x < 0.3:
                self.emit("store(%s+%dp, 0x%x)" % (sh, q, self.r.getrandbits(24)), proc)
            elif x < 0.5:
                self.emit("store(%s+%dp, 0x%x)" % (pr, q, self.r.getrandbits(24)), proc)
            elif x < 0.8:
                self.emit("load(%s+%dp%s)" % (self.pick([sh, pr]), q, self.pick(["", "+0xff8", "+8"])), proc)
            else:
                self.emit("ftruncate(%s, %s)" % (fd, self.pick(["0", "1p", "1p+8", "%dp" % self.pages(1, 8)])), proc)
        self.emit("pagemap(%s, %dp)" % (pr, n), proc)
        self.emit("mincore(%s, %dp)" % (sh, n), proc)
        if self.chance(0.4):
            self.emit("madvise(%s, %dp, %s)" % (self.pick([sh, pr]), n, self.pick(
                ["MADV_DONTNEED", "MADV_REMOVE", "MADV_PAGEOUT", "MADV_COLD", "MADV_POPULATE_WRITE",
                 "MADV_GUARD_INSTALL"])), proc)
            self.emit("load(%s)" % self.pick([sh, pr]), proc)
            self.emit("pagemap(%s, %dp)" % (self.pick([sh, pr]), n), proc)

    def idiom_move(self, proc=None):
        n = self.pages(1, 6)
        a = self.region(n)
        self.emit("mmap(%s, %dp, %s, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED%s, -1, 0)" % (
            a, n, self.pick(["PROT_READ|PROT_WRITE", "PROT_READ"]),
            self.pick(["", "", "|MAP_LOCKED", "|MAP_POPULATE", "|MAP_NORESERVE"])), proc)
        for q in range(n):
            if self.chance(0.5):
                self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(20)), proc)
        dest = self.r.randrange(self.span, self.span + 64)
        fl = self.pick(["MREMAP_MAYMOVE|MREMAP_FIXED", "MREMAP_MAYMOVE|MREMAP_FIXED",
                        "MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED", "MREMAP_MAYMOVE", "0"])
        nl = n if "DONTUNMAP" in fl else self.pages(1, 8)
        if "FIXED" in fl:
            self.emit("mremap(%s, %dp, %dp, %s, A+%dp)" % (a, n, nl, fl, dest), proc)
            self.emit("pagemap(A+%dp, %dp)" % (dest, nl), proc)
            self.emit("load(A+%dp)" % dest, proc)
        else:
            self.emit("mremap(%s, %dp, %dp, %s)" % (a, n, nl, fl), proc)
        self.emit("pagemap(%s, %dp)" % (a, n), proc)
        if self.chance(0.5):
            self.emit("maps()", proc)

    def idiom_lock(self, proc=None):
        if self.chance(0.4):
            self.emit("setrlimit(RLIMIT_MEMLOCK, %s, %s)" % (self.pick(["4p", "16p", "64K"]), "8M"), proc)
            self.tainted = True
        n = self.pages(1, 8)
        a = self.region(n)
        fl = self.pick(["MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT", "MCL_FUTURE", "MCL_FUTURE|MCL_ONFAULT"])
        self.emit("mlockall(%s)" % fl, proc)
        self.tainted = True
        self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" % (a, n), proc)
        if self.brk0 is not None and self.chance(0.5):
            self.emit("brk(%s+%dp)" % (self.brk0, self.pages(1, 8)), proc)
        self.emit("store(%s, 1)" % a, proc)
        self.emit("pagemap(%s, %dp)" % (a, n), proc)
        self.emit("mlock2(%s, %dp, MLOCK_ONFAULT)" % (a, n), proc)
        self.emit("mincore(%s, %dp)" % (a, n), proc)
        if self.chance(0.7):
            self.emit("munlockall()", proc)

    def idiom_seal(self, proc=None):
        n = self.pages(2, 6)
        a = self.region(n)
        self.emit("mmap(%s, %dp, %s, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" % (
            a, n, self.pick(["PROT_READ", "PROT_READ|PROT_WRITE"])), proc)
        self.emit("store(%s, 5)" % a, proc)
        self.emit("mseal(%s+1p, %dp)" % (a, n - 1), proc)
        for _ in range(self.r.randint(2, 5)):
            self.pick([self.op_munmap, self.op_mprotect, self.op_madvise, self.op_mremap, self.op_mmap])(proc)
        self.emit("maps(%s, %dp)" % (a, n), proc)

    def idiom_droppable(self, proc=None):
        n = self.pages(1, 4)
        a = self.region(n)
        self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" % (a, n), proc)
        self.emit("store(%s, 0x99)" % a, proc)
        self.emit("madvise(%s, %dp, %s)" % (a, n, self.pick(["MADV_KEEPONFORK", "MADV_DODUMP", "MADV_FREE",
                                                           "MADV_PAGEOUT", "MADV_DONTFORK"])), proc)
        self.emit("mlock(%s, %dp)" % (a, n), proc)
        self.emit("pagemap(%s, %dp)" % (a, n), proc)
        if not self.nofork and len(self.live) + len(self.exited) <= 7:
            self.op_fork(proc)

    def idiom_family(self, proc=None):
        """Generations of forks over one range: COW chains, pages shared
        three ways, parents that exit before their children."""
        n = self.pages(2, 6)
        a = self.region(n)
        self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_%s|MAP_ANONYMOUS|MAP_FIXED, -1, 0)"
                  % (a, n, self.pick(["PRIVATE", "PRIVATE", "PRIVATE", "SHARED"])), proc)
        gen = proc
        for _ in range(self.r.randint(2, 3)):
            if self.nofork or len(self.live) + len(self.exited) > 7:
                break
            for q in range(n):
                if self.chance(0.4):
                    self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(12)), gen)
                elif self.chance(0.3):
                    self.emit("load(%s+%dp)" % (a, q), gen)
            if self.chance(0.3):
                self.emit("mprotect(%s+%dp, 1p, PROT_READ)" % (a, self.r.randrange(0, n)), gen)
            v = self.var("c")
            if not v:
                break
            self.emit("fork() = %s" % v, gen)
            self.fds[v] = list(self.fds[gen])
            self.live.append(v)
            self.parent[v] = gen
            gen = v
        family = [p for p in self.live if p is not None] + [None]
        for _ in range(self.r.randint(3, 8)):
            who = self.pick(family)
            if who not in self.live:
                continue
            q = self.r.randrange(0, n)
            x = self.r.random()
            if x < 0.4:
                self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(12)), who)
            elif x < 0.6:
                self.emit("load(%s+%dp)" % (a, q), who)
            elif x < 0.85:
                self.emit("pagemap(%s, %dp)" % (a, n), who)
            elif who is not None:
                self.live.remove(who)
                self.emit("exit(%d)" % self.r.randrange(0, 3), who)
                self.exited.append(who)
            else:
                self.emit("madvise(%s, %dp, %s)" % (a, n, self.pick(["MADV_DONTNEED", "MADV_FREE",
                                                                   "MADV_PAGEOUT", "MADV_COLD"])), who)

    def idiom_limits(self, proc=None):
        """Lowered RLIMIT_DATA / RLIMIT_AS, then calls that grow memory."""
        res = self.pick(["RLIMIT_DATA", "RLIMIT_AS", "RLIMIT_STACK", "RLIMIT_MEMLOCK"])
        val = self.pick(["0", "1p", "64p", "1M", "8M", "256M", "1G"])
        self.emit("setrlimit(%s, %s, %s)" % (res, val, self.pick([val, "8G", "RLIM_INFINITY"])), proc)
        self.tainted = True
        n = self.pages(1, 8)
        a = self.region(n)
        for _ in range(self.r.randint(2, 5)):
            x = self.r.random()
            if x < 0.25:
                self.emit("mmap(%s, %dp, %s, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED%s, -1, 0)" % (
                    a, n, self.prot(), self.pick(["", "|MAP_NORESERVE", "|MAP_GROWSDOWN", "|MAP_LOCKED"])), proc)
            elif x < 0.45:
                self.emit("mprotect(%s, %dp, PROT_READ|PROT_WRITE)" % (a, n), proc)
            elif x < 0.6:
                self.emit("mremap(%s, %dp, %dp, MREMAP_MAYMOVE)" % (a, n, n + self.pages(1, 8)), proc)
            elif x < 0.75 and self.brk0 is not None:
                self.emit("brk(%s+%dp)" % (self.brk0, self.pages(1, 30)), proc)
            elif x < 0.85:
                self.emit("mlock(%s, %dp)" % (a, n), proc)
            else:
                self.emit("load(%s-%dp)" % (a, self.pages(1, 4)), proc)

    def idiom_placement(self, proc=None):
        """The kernel's choices: NULL mmaps of mixed sizes (2 MiB multiples
        are THP-aligned), holes punched between them and filled again,
        hints into the holes, growsdown mappings and their guard gap."""
        if self.tainted or self.nvars > 50:
            return
        got = []
        for _ in range(self.r.randint(2, 5)):
            size = self.pick(["1p", "3p", "16p", "2M", "4M", "2M+1p", "1M"])
            extra = self.pick(["", "", "|MAP_GROWSDOWN", "|MAP_STACK", "|MAP_NORESERVE", "|MAP_32BIT",
                               "|MAP_ABOVE4G"])
            v = self.var("m")
            text = "mmap(NULL, %s, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS%s, -1, 0)" % (size, extra)
            if extra in ("", "|MAP_STACK", "|MAP_NORESERVE", "|MAP_ABOVE4G"):
                text += " = " + v
                got.append(v)
                self.addrs.append(v)
            self.emit(text, proc)
        if not got:
            return
        v = self.pick(got)
        self.emit("munmap(%s+1p, 1p)" % v, proc)
        hint = "%s+1p" % v if self.chance(0.5) else v
        self.emit("mmap(%s, %s, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS%s, -1, 0)" % (
            hint, self.pick(["1p", "2p"]), self.pick(["", "|MAP_FIXED_NOREPLACE", "|MAP_GROWSDOWN"])), proc)
        if self.chance(0.5):
            self.emit("mremap(%s, 1p, %s, MREMAP_MAYMOVE)" % (self.pick(got), self.pick(["2p", "2M", "64p"])), proc)
        self.emit("maps()", proc)

    def idiom_heap(self, proc=None):
        """brk against its neighbours: a mapping a few pages above the
        break, growth up to it (one free page must stay), shrinking."""
        if self.brk0 is None:
            v = self.var("b")
            if not v:
                return
            self.brk0 = v
            self.emit("brk(0) = %s" % v, proc)
        b = self.brk0
        k = self.r.randint(2, 12)
        self.emit("mmap(%s+%dp, 1p, %s, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED%s, -1, 0)" % (
            b, k, self.pick(["PROT_READ", "PROT_NONE", "PROT_READ|PROT_WRITE"]),
            self.pick(["", "", "|MAP_GROWSDOWN"])), proc)
        for _ in range(self.r.randint(2, 5)):
            self.emit("brk(%s+%s)" % (b, self.pick(["%dp" % (k - 1), "%dp+1" % (k - 1), "%dp" % k,
                                                   "%dp" % (k - 2), "1p", "0", "%dp" % (k + 3)])), proc)
            if self.chance(0.4):
                self.emit("store(%s+%dp, 0x%x)" % (b, self.r.randrange(0, k), self.r.getrandbits(8)), proc)
            if self.chance(0.2):
                self.emit("mprotect(%s, 1p, PROT_READ)" % b, proc)
        self.emit("brk(%s)" % b, proc)
        self.emit("maps(%s, %dp)" % (b, k + 2), proc)

    def idiom_reclaim(self, proc=None):
        """MADV_FREE and MADV_PAGEOUT, whose effects the kernel decides
        (the harness adopts them), on anonymous and memfd pages, shared
        with a fork child or not, then reads, writes and observations in
        any order."""
        n = self.pages(2, 6)
        a = self.region(n)
        kind = self.pick(["anon", "anon", "file", "shared"])
        if kind == "file" and not self.tainted and self.nvars < 55:
            fd = self.var("fd")
            self.emit('memfd_create("r", 0) = %s' % fd, proc)
            self.fds[proc].append(fd)
            self.emit("ftruncate(%s, %dp)" % (fd, n + 2), proc)
            self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_%s|MAP_FIXED, %s, %s)" % (
                a, n, self.pick(["SHARED", "PRIVATE"]), fd, self.pick(["0", "1p"])), proc)
        else:
            self.emit("mmap(%s, %dp, PROT_READ|PROT_WRITE, MAP_%s|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" % (
                a, n, "SHARED" if kind == "shared" else "PRIVATE"), proc)
        for q in range(n):
            if self.chance(0.6):
                self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(12) | 1), proc)
            elif self.chance(0.5):
                self.emit("load(%s+%dp)" % (a, q), proc)
        who = [proc]
        if self.chance(0.5) and not self.nofork and len(self.live) + len(self.exited) <= 7:
            v = self.var("c")
            if v:
                self.emit("fork() = %s" % v, proc)
                self.fds[v] = list(self.fds[proc])
                self.live.append(v)
                self.parent[v] = proc
                who.append(v)
        for _ in range(self.r.randint(4, 10)):
            w = self.pick(who)
            if w not in self.live:
                continue
            q = self.r.randrange(0, n)
            x = self.r.random()
            if x < 0.2:
                self.emit("madvise(%s+%dp, %dp, %s)" % (a, q, self.r.randint(1, n - q), self.pick(
                    ["MADV_FREE", "MADV_PAGEOUT", "MADV_PAGEOUT", "MADV_COLD", "MADV_DONTNEED"])), w)
            elif x < 0.4:
                self.emit("load(%s+%dp%s)" % (a, q, self.pick(["", "", "+0xffc"])), w)
            elif x < 0.55:
                self.emit("store(%s+%dp, 0x%x)" % (a, q, self.r.getrandbits(8)), w)
            elif x < 0.75:
                self.emit("pagemap(%s, %dp)" % (a, n), w)
            elif x < 0.85:
                self.emit("mincore(%s, %dp)" % (a, n), w)
            elif x < 0.9:
                self.emit("fetch(%s+%dp)" % (a, q), w)
            elif w is not None:
                self.live.remove(w)
                self.emit("exit(0)", w)
                self.exited.append(w)

    IDIOMS = ["stack", "cow", "file", "move", "lock", "seal", "droppable", "family", "limits",
              "placement", "heap", "reclaim", "reclaim"]

    # ------------------------------------------------------------ programs
    def weights(self):
        w = {
            "mmap": 10, "file_mmap": 2, "memfd": 1, "ftruncate": 1, "munmap": 5,
            "mprotect": 6, "madvise": 7, "mlock": 4, "mlockall": 1, "mremap": 5,
            "mseal": 2, "mincore": 3, "brk": 2, "setrlimit": 1, "load": 8,
            "store": 9, "fetch": 3, "maps": 2, "pagemap": 4, "fork": 2,
            "exit": 1, "wait": 1,
        }
        if self.pers == "forky":
            w.update(fork=8, exit=4, wait=4, store=14, load=10, pagemap=6)
        elif self.pers == "filey":
            w.update(file_mmap=14, memfd=3, ftruncate=6, mmap=4, madvise=5)
        elif self.pers == "hammer":
            w.update(mmap=8, munmap=6, mprotect=10, madvise=10, mlock=6, mremap=4,
                     brk=0, memfd=0, file_mmap=1, ftruncate=0, setrlimit=0)
        elif self.pers == "sloppy":
            w.update(setrlimit=2, mlockall=2)
        return w

    def program(self):
        r = self.r
        lo, hi = {"long": (60, 100), "forky": (25, 60), "hammer": (20, 50)}.get(self.pers, (15, 40))
        if self.pers == "long":
            self.idiom_rate = 0.12
        elif self.pers == "scenario":
            lo, hi = 30, 70
            self.idiom_rate = 0.5
        n = r.randint(lo, hi)
        # Most authors start by mapping something to play with.
        first = r.random()
        if first < 0.6:
            k = self.pages(4, self.span if self.pers != "hammer" else 6)
            self.emit("mmap(A, %dp, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" % k)
        elif first < 0.8:
            self.op_mmap()
        if self.pers == "filey":
            self.op_memfd()
        w = self.weights()
        ops = list(w)
        weights = [w[o] for o in ops]
        while len(self.lines) < n:
            if self.chance(self.idiom_rate):
                getattr(self, "idiom_" + self.pick(self.IDIOMS))(self.proc())
                continue
            o = r.choices(ops, weights)[0]
            proc = self.proc() if o not in ("fork", "exit", "wait") else None
            if o == "fork" and len(self.live) > 1 and self.chance(0.4):
                proc = self.pick(self.live[1:])   # grandchildren
            getattr(self, "op_" + o)(proc)
        if self.chance(0.3):
            self.emit("maps()")
        return self.lines


def restyle(rnd, lines):
    """The same program in another author's hand: indentation, spacing
    around `,` and `|`, page units spelled out in bytes, comments, blank
    lines, CRLF ends. Everything here is valid case language (the parser
    must take it); strings are left alone."""
    indent = rnd.choice(["  ", "  ", "    ", "\t", " "])
    comma = rnd.choice([", ", ", ", ",", " , "])
    bar = rnd.choice(["|", "|", " | "])
    bytes_units = rnd.random() < 0.3
    eol = "\r\n" if rnd.random() < 0.1 else "\n"
    out = []
    for line in lines:
        if '"' not in line:
            if bytes_units:
                line = re.sub(r"\b([0-9]+)p\b", lambda m: rnd.choice(
                    [str(int(m.group(1)) * 4096), hex(int(m.group(1)) * 4096)]), line)
            line = line.replace(", ", comma).replace("|", bar)
            if rnd.random() < 0.1:
                line = line.replace("(", "( ", 1)
            if rnd.random() < 0.1:
                line = line.replace(" = ", "=")
        if rnd.random() < 0.05:
            line += "  # " + rnd.choice(["why not", "should fail?", "see the man page", "x|y, z"])
        out.append(indent + line + eol)
        if rnd.random() < 0.03:
            out.append(eol)
    return out


def write_cases(out, pers, seed, count, style=True):
    for i in range(count):
        rnd = random.Random("%s-%d-%d" % (pers, seed, i))
        name = "rg-%s-%d-%d" % (pers, seed, i)
        g = Gen(rnd, pers, name)
        lines = g.program()
        out.write("case %s\n" % name)
        if style:
            out.write("".join(restyle(random.Random("style-%s" % name), lines)))
        else:
            for line in lines:
                out.write("  %s\n" % line)
        out.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100, help="programs per personality")
    ap.add_argument("--personality", default="all",
                    help="comma-separated: %s, or all" % ", ".join(PERSONALITIES))
    ap.add_argument("--plain", action="store_true",
                    help="canonical spacing only (no restyling of the text)")
    ap.add_argument("-o", "--out", default="-",
                    help="output file, - for stdout, or DIR/ for one file per personality")
    args = ap.parse_args()
    pers = PERSONALITIES if args.personality == "all" else args.personality.split(",")
    for p in pers:
        if p not in PERSONALITIES:
            sys.exit("random-programs.py: unknown personality `%s` (known: %s)" % (p, ", ".join(PERSONALITIES)))
    if args.out.endswith("/") or os.path.isdir(args.out):
        os.makedirs(args.out, exist_ok=True)
        for p in pers:
            with open(os.path.join(args.out, p + ".mmt"), "w") as f:
                write_cases(f, p, args.seed, args.count, not args.plain)
        return
    f = sys.stdout if args.out == "-" else open(args.out, "w")
    for p in pers:
        write_cases(f, p, args.seed, args.count, not args.plain)
    if f is not sys.stdout:
        f.close()


if __name__ == "__main__":
    main()
