#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""madvise-random.py: writes random programs that mix the modelled madvise
advice (guard regions, MADV_FREE, populate, PAGEOUT, REMOVE, the flag
advice) with mmap, munmap, mprotect, mremap, mlock, memfd mappings, fork,
loads, stores and the pagemap/mincore/maps probes, as .mmt cases without
expectations: `mmspec run` then compares the model with the kernel step by
step, so every divergence is a finding.

    scripts/madvise-random.py --seed 1 --cases 200 > /tmp/r.mmt
    build/mmspec run --db /tmp/r.db /tmp/r.mmt

The arena is 16 pages from A; programs stay inside it (and A+32p.. for
moves) so they never touch the executor's own memory.
"""
import argparse
import random

PAGES = 16
PROTS = ["PROT_READ|PROT_WRITE", "PROT_READ", "PROT_NONE", "PROT_READ|PROT_WRITE|PROT_EXEC"]
ADVICE = ["MADV_GUARD_INSTALL", "MADV_GUARD_REMOVE", "MADV_FREE", "MADV_DONTNEED",
          "MADV_POPULATE_READ", "MADV_POPULATE_WRITE", "MADV_PAGEOUT", "MADV_COLD",
          "MADV_REMOVE", "MADV_WIPEONFORK", "MADV_KEEPONFORK", "MADV_DONTFORK",
          "MADV_DOFORK", "MADV_HUGEPAGE", "MADV_NOHUGEPAGE", "MADV_RANDOM",
          "MADV_NORMAL", "MADV_DONTNEED_LOCKED", "MADV_WILLNEED"]


def rng_range(r, limit=None):
    limit = limit or PAGES
    start = r.randrange(limit)
    return start, r.randint(1, min(4, limit - start))


def step(r, st):
    """One random step, in the process st['cur'] (a prefix for children)."""
    pre = st["cur"]
    k = r.random()
    s, n = rng_range(r)
    if k < 0.10:
        prot = r.choice(PROTS)
        kind = r.random()
        if kind < 0.6:
            flags = "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED"
            return f"{pre}mmap(A+{s}p, {n}p, {prot}, {flags}, -1, 0)"
        if kind < 0.8 and st["fd"]:
            share = r.choice(["MAP_SHARED", "MAP_PRIVATE"])
            off = r.randrange(3)
            return f"{pre}mmap(A+{s}p, {n}p, {prot}, {share}|MAP_FIXED, $fd, {off}p)"
        return f"{pre}mmap(A+{s}p, {n}p, {prot}, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)"
    if k < 0.14:
        return f"{pre}munmap(A+{s}p, {n}p)"
    if k < 0.20:
        return f"{pre}mprotect(A+{s}p, {n}p, {r.choice(PROTS)})"
    if k < 0.44:
        return f"{pre}madvise(A+{s}p, {n}p, {r.choice(ADVICE)})"
    if k < 0.49:
        to = r.randrange(PAGES + 4, 2 * PAGES)
        nn = r.randint(1, 4)
        if r.random() < 0.5:
            return f"{pre}mremap(A+{s}p, {n}p, {nn}p, MREMAP_MAYMOVE|MREMAP_FIXED, A+{to}p)"
        return f"{pre}mremap(A+{s}p, {n}p, {nn}p, 0)"
    if k < 0.53:
        m = r.random()
        if m < 0.4:
            return f"{pre}mlock(A+{s}p, {n}p)"
        if m < 0.6:
            return f"{pre}mlock2(A+{s}p, {n}p, MLOCK_ONFAULT)"
        if m < 0.7:
            return f"{pre}mseal(A+{s}p, {n}p)"
        return f"{pre}munlock(A+{s}p, {n}p)"
    if k < 0.66:
        off = r.choice([0, 8, 4088])
        return f"{pre}store(A+{s}p+{off}, {r.randrange(1, 200)})"
    if k < 0.78:
        off = r.choice([0, 8, 4092])
        return f"{pre}load(A+{s}p+{off})"
    if k < 0.82:
        return f"{pre}fetch(A+{s}p)"
    if k < 0.87:
        return f"{pre}pagemap(A+{s}p, {n}p)"
    if k < 0.91:
        return f"{pre}mincore(A+{s}p, {n}p)"
    if k < 0.93 and st["fd"]:
        return f"{pre}ftruncate($fd, {r.randrange(0, 6)}p)"
    if k < 0.95 and len(st["alive"]) < 3:
        name = "cde"[st["forks"]] if st["forks"] < 3 else None
        if name:
            st["forks"] += 1
            st["alive"].append(name)
            st["parent"][name] = st["cur"]
            return f"{pre}fork() = ${name}"
    if k < 0.97 and st["alive"]:
        procs = [""] + [f"[${c}] " for c in st["alive"]]
        st["cur"] = r.choice(procs)
        return None
    if k < 0.98 and st["alive"]:
        # a child with no live children of its own exits; its parent reaps it
        for c in list(st["alive"]):
            if not any(st["parent"].get(d) == f"[${c}] " for d in st["alive"]):
                st["alive"].remove(c)
                if st["cur"] == f"[${c}] ":
                    st["cur"] = st["parent"][c]
                st["pending"].append(f"[${c}] exit(0)")
                st["pending"].append(f"{st['parent'][c]}wait(${c}) = 0")
                return None
    return f"{pre}maps(A, {2 * PAGES}p)"


def program(r, i):
    st = {"cur": "", "fd": False, "forks": 0, "alive": [], "parent": {}, "pending": []}
    out = [f"case random-madvise-{i}", "  requires linux >= 6.15", "  requires config NOSWAP"]
    if r.random() < 0.5:
        st["fd"] = True
        out.append('  memfd_create("r", 0) = $fd')
        out.append(f"  ftruncate($fd, {r.randrange(1, 6)}p) = 0")
    out.append(f"  mmap(A, {PAGES}p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A")
    for _ in range(r.randint(10, 40)):
        s = step(r, st)
        out.extend("  " + p for p in st["pending"])
        st["pending"].clear()
        if s:
            out.append("  " + s)
    # children exit, youngest first, each reaped by its parent
    for c in reversed(st["alive"]):
        out.append(f"  [${c}] exit(0)")
        out.append(f"  {st['parent'][c]}wait(${c}) = 0")
    out.append("  maps()")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--pages", type=int, default=16, help="arena pages the steps aim at")
    ap.add_argument("--focus", choices=["all", "free", "guard"], default="all",
                    help="weight the advice towards lazy freeing or guard regions")
    a = ap.parse_args()
    global PAGES, ADVICE
    PAGES = a.pages
    if a.focus == "free":
        ADVICE = ["MADV_FREE"] * 4 + ["MADV_PAGEOUT"] * 4 + ["MADV_POPULATE_WRITE", "MADV_POPULATE_READ",
                                                             "MADV_DONTNEED", "MADV_COLD"]
    elif a.focus == "guard":
        ADVICE = ["MADV_GUARD_INSTALL"] * 4 + ["MADV_GUARD_REMOVE"] * 2 + ["MADV_DONTNEED", "MADV_FREE",
                                                                           "MADV_POPULATE_READ",
                                                                           "MADV_WIPEONFORK", "MADV_REMOVE"]
    r = random.Random(a.seed)
    print(f"# generated by scripts/madvise-random.py --seed {a.seed} --cases {a.cases}")
    for i in range(a.cases):
        print(program(r, i))


if __name__ == "__main__":
    main()
