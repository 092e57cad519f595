#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz_stop_test.sh MMSPEC_PLANTED SRCDIR: what `mmspec fuzz` records when
# it stops, and what it counts as its own errors (issue #6).
#  1. A campaign that stops in the middle of a minimization (the test hook
#     MMSPEC_TEST_STOP_IN_MINIMIZE=N stops it after N kernel runs of the
#     minimization, as --time or Ctrl-C would; deterministic, no clock)
#     keeps the divergence with the best program so far, says it was cut
#     short (in the row's minimized program and in the summary) and ends its
#     run row with the totals.
#  2. A program that marks the executor's own memory VM_DONTCOPY and then
#     forks (tests/run/dontfork-executor.mmt, the campaign's first program:
#     seeds run first) is a SKIP naming the reason, not a harness ERROR, and
#     the summary counts skips by reason.
# Needs root (the executor's sandbox), else 77 (skipped).
set -u
MMSPEC=$1
SRC=$2
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the executor's sandbox needs root"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
q() { sqlite3 "$T/$1" "$2"; }

# 1. Stopped while minimizing the planted missed COW (fork.mmt's first
# cases show it at once).
MMSPEC_TEST_STOP_IN_MINIMIZE=3 MMSPEC_PLANT=missed-cow "$MMSPEC" fuzz --time 100 --jobs 1 --seed 7 \
	--db "$T/a.db" "$SRC/suites/fork.mmt" > "$T/a.out" 2> "$T/a.err"
rc=$?
cat "$T/a.out"
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1 (a divergence), got $rc"; cat "$T/a.err"; fail=1; }
grep -q '^  new: load:value:.*(cut short: the best so far)$' "$T/a.out" ||
	{ echo "FAIL: the summary does not say the minimization was cut short"; fail=1; }
[ "$(q a.db "select count(*) from divergences where minimized like '# minimization cut short by the end of the campaign after 3 kernel runs%'")" = 1 ] ||
	{ echo "FAIL: the divergence row does not keep the best program so far, marked cut short"; q a.db "select minimized from divergences"; fail=1; }
[ "$(q a.db "select reproduced = 5 and attempts = 5 from divergences where minimized is not null")" = 1 ] ||
	{ echo "FAIL: the reruns were not recorded"; fail=1; }
[ "$(q a.db "select finished_at is not null and fail >= 1 from runs")" = 1 ] ||
	{ echo "FAIL: the run row was not ended with its totals"; fail=1; }
# The stored program (comment line and all) is a case the tools read back.
q a.db "select minimized from divergences where minimized is not null" > "$T/min.mmt"
"$MMSPEC" check "$T/min.mmt" > /dev/null 2>&1
[ $? -ne 2 ] || { echo "FAIL: the stored best program does not parse"; cat "$T/min.mmt"; fail=1; }
[ "$(grep -c '^  ' "$T/min.mmt")" -ge 1 ] || { echo "FAIL: the stored program has no steps"; fail=1; }

# 2. The executor's memory marked DONTFORK before a fork: a SKIP, with the reason.
"$MMSPEC" fuzz --time 2 --jobs 1 --seed 1 --db "$T/b.db" "$SRC/tests/run/dontfork-executor.mmt" > "$T/b.out" 2> "$T/b.err"
rc=$?
cat "$T/b.out"
[ $rc -eq 0 ] || [ $rc -eq 1 ] || { echo "FAIL: exit $rc"; cat "$T/b.err"; fail=1; }
[ "$(q b.db "select count(*) >= 1 from results where result = 'SKIP' and message like 'not comparable: the program destroyed what the sandbox needs to fork: %marked the executor''s own memory%VM_DONTCOPY%'")" = 1 ] ||
	{ echo "FAIL: the seed is not a SKIP naming the reason"; q b.db "select result, message from results"; fail=1; }
[ "$(q b.db "select count(*) from results where result = 'ERROR' and message like '%executor''s own memory%'")" = 0 ] ||
	{ echo "FAIL: a program that marked the executor's memory is still an ERROR"; fail=1; }
grep -q "^  skipped [0-9]*x: not comparable: the program destroyed what the sandbox needs to fork" "$T/b.out" ||
	{ echo "FAIL: the summary does not count skips by reason"; fail=1; }

[ $fail -eq 0 ] && echo "fuzz_stop_test: ok"
exit $fail
