#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# randgen_test.sh MMSPEC SOURCE_DIR: a fixed-seed batch of programs from
# scripts/random-programs.py (written from the case-language contract alone,
# every personality) runs on the kernel through `mmspec run`, and must show
# no FAIL and no ERROR. SKIPs are allowed and printed with their reasons.
# Also: a program that destroys the sandbox's own memory is an ERROR that
# names the step and what it hit.
set -u
mmspec=$1 src=$2
command -v python3 >/dev/null || { echo "python3 is missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "not ok $1"; echo "$out" | tail -20; fi
}

count=${RANDGEN_COUNT:-80} seed=${RANDGEN_SEED:-20261203}
python3 "$src/scripts/random-programs.py" --seed "$seed" --count "$count" -o "$tmp/progs.mmt"
check "the generator writes programs" $?
n=$(grep -c '^case ' "$tmp/progs.mmt")
[ "$n" -eq $((count * 7)) ]; check "$n programs, $count per personality" $?

out=$("$mmspec" run --jobs 1 --db "$tmp/rg.db" "$tmp/progs.mmt" 2>&1); rc=$?
echo "$out" | tail -1
echo "$out" | grep -q ' 0 failed, .* 0 errors'; check "no FAIL and no ERROR" $?
[ "$rc" -eq 0 ]; check "mmspec run exits 0" $?
echo "SKIPs, by reason:"
echo "$out" | grep -A1 '^SKIP' | grep -v '^SKIP\|^--' | sed -E 's/^ *line [0-9]+: `(\[\$[a-z0-9_]+\] )?([a-z0-9_]+)\([^`]*`:? ?/\2: /' | cut -c1-100 | sort | uniq -c | sort -rn
divs=$(sqlite3 "$tmp/rg.db" 'select count(*) from divergences' 2>/dev/null || echo 0)
[ "$divs" = 0 ]; check "no divergence stored" $?

# Destroying the executor's own memory (its text sits at 0x400000) is an
# ERROR (as tests/run/self-destruct.mmt) naming the step and what it hit.
cat > "$tmp/own.mmt" <<'CASE'
case unmaps-the-executor
  mmap(A, 1p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A
  munmap(0x2000, 4G)
  store(A, 1)
CASE
out=$("$mmspec" run --db "$tmp/rg.db" "$tmp/own.mmt" 2>&1); rc=$?
[ "$rc" -eq 3 ]; check "a program that unmaps the executor is an ERROR (exit 3)" $?
echo "$out" | grep -q "line 3 \`munmap(0x2000, 1048576p)\` changed the executor's .* VMA"; check "the ERROR names the step and the VMA" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
