#!/bin/sh
# SPDX-License-Identifier: MIT
# repro_suite_test.sh MMSPEC SRCDIR: every case of suites/ that `mmspec run`
# passes on this machine, written as a standalone C reproducer
# (`mmspec repro --c`), compiled with plain cc and run, must report
# agreement. A reproducer predicts with the facts of the machine it is
# written on and accepts the legal alternatives `mmspec run` adopts, so it
# says DIVERGES only where the kernel and the model really disagree; a case
# that passes under `mmspec run` therefore agrees in C.
#
# Skipped, each with the reason mmspec repro gives: cases that `mmspec run`
# SKIPs here (a `requires` that fails), and cases a standalone C program
# cannot express (a step that reaches the executor's own memory outside the
# arena, which in C would be the reproducer's). Their number is printed and
# must stay small (at most MAX_SKIPPED).
#
# Compiling is most of the time (about 0.1 s a file): two cc at a time, as
# the machine's cores allow. Skipped (77) without root: `mmspec run` needs
# the executor's sandbox.
set -u
MMSPEC=$1
SRC=$2
CC=${CC:-cc}
JOBS=${JOBS:-2}
MAX_SKIPPED=5
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the executor's sandbox needs root"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/c"

t0=$(date +%s)
# 1. What `mmspec run` passes here, as FILE:CASE lines.
"$MMSPEC" run --db "$T/db" --format ktap "$SRC/suites" > "$T/ktap" 2> "$T/run.err"
rc=$?
[ $rc -le 1 ] || { echo "FAIL: mmspec run broke (exit $rc)"; cat "$T/run.err"; exit 1; }
awk '/# Subtest: /{f=$NF} /^    ok [0-9]+ /{ if ($0 !~ /# SKIP/) print f":"$3 }' "$T/ktap" > "$T/pass"
npass=$(wc -l < "$T/pass")
[ "$npass" -gt 100 ] || { echo "FAIL: only $npass cases passed under mmspec run"; exit 1; }

# 2. A reproducer per case; the ones mmspec repro refuses, with its reason.
n=0
: > "$T/skipped"
while read -r fc; do
	n=$((n + 1))
	if ! "$MMSPEC" repro --c -o "$T/c/$n.c" "$fc" 2> "$T/c/$n.err"; then
		echo "SKIP $fc: $(sed -n 's/^mmspec repro: //p' "$T/c/$n.err" | head -1)" >> "$T/skipped"
		rm -f "$T/c/$n.c"
	else
		echo "$n $fc" >> "$T/written"
	fi
done < "$T/pass"
nskip=$(wc -l < "$T/skipped")
cat "$T/skipped"

t1=$(date +%s)
# 3. Compile, JOBS at a time, warnings as errors. -O0 by default: half the
# time of -O1, and what a reproducer does does not depend on it (the probes
# are volatile accesses and asm; repro_test.sh builds at -O1 and -O2).
export CC CFLAGS_REPRO="${CFLAGS_REPRO:--O0}"
ls "$T/c" | sed -n 's/\.c$//p' | xargs -P "$JOBS" -n 16 sh -c '
	cd "$0" && for f; do
		$CC $CFLAGS_REPRO -Wall -Wextra -Werror -o "$f" "$f.c" 2> "$f.cc" || echo "$f" >> ccfail.$$
	done' "$T/c"
fail=0
for f in "$T"/c/ccfail.*; do
	[ -e "$f" ] || continue
	for k in $(cat "$f"); do
		echo "FAIL: $(sed -n "s/^$k //p" "$T/written"): the reproducer does not build"
		head -5 "$T/c/$k.cc"
		fail=1
	done
done

t2=$(date +%s)
# 4. Run each: exit 0 and "agrees".
agree=0
while read -r k fc; do
	[ -x "$T/c/$k" ] || continue
	timeout 60 "$T/c/$k" > "$T/c/$k.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^agrees' "$T/c/$k.out"; then
		agree=$((agree + 1))
	else
		echo "FAIL: $fc: the reproducer does not agree (exit $rc)"
		grep -E 'DIFFERS|DIVERGES|UNDECIDED|differ|repro:' "$T/c/$k.out" | head -12
		fail=1
	fi
done < "$T/written"

t3=$(date +%s)
echo "repro_suite: seconds: $((t1 - t0)) run and write, $((t2 - t1)) compile, $((t3 - t2)) run the reproducers"
echo "repro_suite: $npass cases pass under mmspec run; $agree reproduced in C and agree; $nskip skipped"
[ "$nskip" -le $MAX_SKIPPED ] || { echo "FAIL: $nskip cases skipped, more than $MAX_SKIPPED"; fail=1; }
[ $fail -eq 0 ] && echo "repro_suite_test: ok"
exit $fail
