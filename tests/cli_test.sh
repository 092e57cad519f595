#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_test.sh MMSPEC SOURCE_DIR: the command line's contract, end to end:
# exit statuses, FILE:LINE:COLUMN diagnostics, KTAP output, explain.
set -u
mmspec=$1 src=$2
dir=$src/tests/cli
pass=0 fail=0
check() { # name, condition-result
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "not ok $1"; fi
}
run() { out=$("$@" 2>/tmp/mmspec-cli-err.$$); rc=$?; err=$(cat /tmp/mmspec-cli-err.$$); }

run "$mmspec" check "$dir/passes.mmt"
check "passing file exits 0" $([ $rc = 0 ] && echo 0 || echo 1)
echo "$out" | grep -q 'pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0'; check "totals count the skip" $?

run "$mmspec" check "$dir/fails.mmt"
check "failing expectation exits 1" $([ $rc = 1 ] && echo 0 || echo 1)
echo "$out" | grep -q 'expected -1 ENOMEM\|expected 0'; check "failure names the expectation" $?

run "$mmspec" check "$dir/passes.mmt" "$dir/bad-syntax.mmt"
check "malformed file exits 2" $([ $rc = 2 ] && echo 0 || echo 1)
echo "$err" | grep -Eq "bad-syntax.mmt:4:[0-9]+: .*PROT_BOGUS"; check "diagnostic is FILE:LINE:COLUMN: message" $?
[ -z "$out" ]; check "nothing runs when an input is malformed" $?

run "$mmspec" check --format ktap "$dir/passes.mmt"
echo "$out" | head -1 | grep -q '^KTAP version 1$'; check "ktap header" $?
echo "$out" | grep -q '^1\.\.2$'; check "ktap plan" $?
echo "$out" | grep -q '^ok 1 split-and-merge$'; check "ktap ok line" $?
echo "$out" | grep -q '^ok 2 requires-old-kernel # SKIP requires linux < 6.0'; check "ktap skip directive" $?

run "$mmspec" explain "$dir/passes.mmt:split-and-merge"
check "explain exits 0" $([ $rc = 0 ] && echo 0 || echo 1)
echo "$out" | grep -q '|abc|'; check "explain draws the split" $?
echo "$out" | grep -q '|aaa|'; check "explain draws the merge" $?

run "$mmspec" explain "$dir/passes.mmt:no-such-case"
check "explain of a missing case exits 2" $([ $rc = 2 ] && echo 0 || echo 1)

run "$mmspec" frobnicate
check "unknown command exits 2" $([ $rc = 2 ] && echo 0 || echo 1)
run "$mmspec" check /nonexistent/path.mmt
check "missing file exits 2" $([ $rc = 2 ] && echo 0 || echo 1)

run "$mmspec" check "$src/suites"
check "bundled suites pass on the model" $([ $rc = 0 ] && echo 0 || echo 1)

rm -f /tmp/mmspec-cli-err.$$
echo "$pass passed, $fail failed"
[ $fail = 0 ]
