#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz_test.sh MMSPEC SRCDIR: `mmspec fuzz` end to end. A short campaign
# writes a run of kind fuzz with its totals, progress rows and a summary;
# SIGINT stops a campaign without a time limit cleanly (summary, finished run
# row, exit 0 or 1); two workers share one database. Bad usage is exit 2.
# Needs root (the executor's sandbox), else 77 (skipped).
set -u
MMSPEC=$1
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the executor's sandbox needs root"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

"$MMSPEC" fuzz --time 3 --seed 1 --db "$T/a.db" > "$T/a.out" 2> "$T/a.err"
rc=$?
cat "$T/a.out"
[ $rc -eq 0 ] || [ $rc -eq 1 ] || { echo "FAIL: exit $rc"; cat "$T/a.err"; fail=1; }
grep -q '^fuzz run 1 on Linux' "$T/a.out" || { echo "FAIL: no summary"; fail=1; }
grep -q 'programs (.*/s)' "$T/a.out" || { echo "FAIL: no program count"; fail=1; }
grep -q 'behaviour classes reached' "$T/a.out" || { echo "FAIL: no classes"; fail=1; }
grep -q 'seed 0x1' "$T/a.err" || { echo "FAIL: the seed is not announced"; fail=1; }
if command -v sqlite3 > /dev/null; then
	[ "$(sqlite3 "$T/a.db" "select kind from runs")" = fuzz ] || { echo "FAIL: no run of kind fuzz"; fail=1; }
	[ "$(sqlite3 "$T/a.db" "select finished_at is not null and pass > 0 from runs")" = 1 ] || { echo "FAIL: run not ended with totals"; fail=1; }
	[ "$(sqlite3 "$T/a.db" "select count(*) > 0 from campaign_progress")" = 1 ] || { echo "FAIL: no progress row"; fail=1; }
fi

# SIGINT: no time limit; the campaign stops cleanly when told.
"$MMSPEC" fuzz --seed 2 --jobs 2 --db "$T/b.db" > "$T/b.out" 2> "$T/b.err" &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
cat "$T/b.out"
[ $rc -eq 0 ] || [ $rc -eq 1 ] || { echo "FAIL: exit $rc after SIGINT"; cat "$T/b.err"; fail=1; }
grep -q 'stopped by a signal' "$T/b.out" || { echo "FAIL: the summary does not say it was stopped"; fail=1; }
grep -q '2 jobs' "$T/b.out" || { echo "FAIL: two workers expected"; fail=1; }
if command -v sqlite3 > /dev/null; then
	[ "$(sqlite3 "$T/b.db" "select finished_at is not null from runs")" = 1 ] || { echo "FAIL: run row not ended after SIGINT"; fail=1; }
fi

"$MMSPEC" fuzz --jobs 99 2> /dev/null; [ $? -eq 2 ] || { echo "FAIL: --jobs 99 must be exit 2"; fail=1; }
"$MMSPEC" fuzz --time soon 2> /dev/null; [ $? -eq 2 ] || { echo "FAIL: --time soon must be exit 2"; fail=1; }
[ $fail -eq 0 ] && echo "fuzz_test: ok"
exit $fail
