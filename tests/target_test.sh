#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# target_test.sh MMSPEC SOURCE_DIR: `mmspec run --target` end to end on the
# host: bad targets are usage errors with a message; the run records its
# target; `xfail target` cases read XFAIL/XPASS in text, KTAP and JUnit,
# are stored with results.expected = 'FAIL', and do not fail the run.
set -uo pipefail
mmspec=$1 src=$2
cases=$src/tests/targets/xfail.mmt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME CONDITION...
	local name=$1
	shift
	if "$@"; then echo "ok $name"; else echo "not ok $name"; fails=$((fails + 1)); fi
}

# Usage errors: exit 2 and a message naming the problem.
"$mmspec" run --target bogus "$cases" >"$tmp/out" 2>&1
check "unknown target is a usage error" [ $? = 2 ]
check "unknown target names the forms" grep -q "host, vm:KERNEL_IMAGE, qemu-user or wrap:CMD" "$tmp/out"
"$mmspec" run --target vm:/nonexistent/vmlinuz "$cases" >"$tmp/out" 2>&1
check "missing kernel image is a usage error" [ $? = 2 ]
check "missing kernel image is named" grep -q "cannot read the kernel image" "$tmp/out"
"$mmspec" run --target wrap:env --exec-wrapper env "$cases" >"$tmp/out" 2>&1
check "--target and --exec-wrapper exclude each other" [ $? = 2 ]

# Text: XFAIL and XPASS with the reason, exit 0.
"$mmspec" run --db "$tmp/t.db" "$cases" >"$tmp/out" 2>&1
check "xfail run exits 0" [ $? = 0 ]
check "text shows XFAIL" grep -q "^XFAIL .*: xfail-diverges" "$tmp/out"
check "text shows the reason" grep -q "the expectation is wrong on purpose" "$tmp/out"
check "text shows XPASS" grep -q "^XPASS .*: xfail-holds" "$tmp/out"
check "text summary counts them" grep -q "1 passed, 0 failed, 0 skipped, 0 errors, 1 expected failures, 1 unexpected passes" "$tmp/out"
check "stored target host" [ "$(sqlite3 "$tmp/t.db" "select target from runs")" = host ]
check "stored expected FAIL" [ "$(sqlite3 "$tmp/t.db" "select group_concat(c.name || '=' || r.result || '/' || ifnull(r.expected, '-'), ' ') from results r join cases c on c.id = r.case_id order by c.name")" = "xfail-diverges=FAIL/FAIL xfail-holds=PASS/FAIL xfail-elsewhere=PASS/-" ]

# KTAP: TODO directives, totals.
"$mmspec" run --format ktap --db "$tmp/t.db" "$cases" >"$tmp/out" 2>&1
check "ktap not ok # TODO" grep -q "not ok 1 xfail-diverges # TODO the expectation is wrong on purpose" "$tmp/out"
check "ktap ok # TODO" grep -q "    ok 2 xfail-holds # TODO a glob" "$tmp/out"
check "ktap parent ok" grep -q "^ok 1 " "$tmp/out"
check "ktap totals" grep -q "# totals: pass:1 fail:0 xfail:1 xpass:1 skip:0 error:0" "$tmp/out"

# JUnit: an expected failure is skipped with the reason, no failure.
"$mmspec" run --format junit --db "$tmp/t.db" "$cases" >"$tmp/out" 2>&1
check "junit skipped XFAIL" grep -q '<skipped message="XFAIL: the expectation is wrong on purpose"/>' "$tmp/out"
check "junit no failures" grep -q 'failures="0"' "$tmp/out"

# A wrapper is recorded as wrap:CMD, and `xfail target host` does not
# apply there: the divergence is a plain FAIL (exit 1).
"$mmspec" run --target wrap:env --db "$tmp/w.db" "$cases" >"$tmp/out" 2>&1
check "xfail is per target: FAIL under wrap:env" [ $? = 1 ]
check "xfail is per target: text" grep -q "^FAIL .*: xfail-diverges" "$tmp/out"
check "stored target wrap:env" [ "$(sqlite3 "$tmp/w.db" "select target from runs")" = wrap:env ]

echo "$fails failed"
[ $fails = 0 ]
