#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run_test.sh MMSPEC SOURCE_DIR: `mmspec run` against the running kernel:
# both observation paths, the wrapper, parallel executors, the output
# formats, the database, and the sandbox's own failure handling.
set -u
mmspec=$1 src=$2
dir=$src/tests/run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/t.db
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "not ok $1"; echo "$out" | tail -20; fi
}
is() { [ "$1" = "$2" ] && echo 0 || echo 1; }
run() { out=$("$@" 2>&1); rc=$?; }

run "$mmspec" run --db "$db" "$src/suites"
check "suites pass on the kernel (PROCMAP_QUERY)" "$(is $rc 0)"
echo "$out" | grep -q ' 0 failed, .* 0 errors'; check "no failures or errors" $?

run "$mmspec" run --db "$db" --maps-text "$src/suites"
check "suites pass on the kernel (/proc/self/maps text)" "$(is $rc 0)"
echo "$out" | grep -q '/proc/self/maps'; check "text path was used" $?

run "$mmspec" run --db "$db" --exec-wrapper env --jobs 2 "$src/suites"
check "suites pass through a wrapper with two executors" "$(is $rc 0)"

run "$mmspec" run --db "$db" --format ktap "$src/suites/munmap.mmt"
echo "$out" | head -1 | grep -q '^KTAP version 1$'; check "ktap header" $?
echo "$out" | grep -q '^    # Subtest: .*munmap.mmt$'; check "ktap subtest per file" $?
echo "$out" | grep -q '^ok 1 .*munmap.mmt$'; check "ktap file result" $?

run "$mmspec" run --db "$db" --format junit "$src/suites/access.mmt"
echo "$out" > "$tmp/junit.xml"
if command -v python3 >/dev/null; then
	python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag == "testsuites" and int(r.get("tests")) > 10 and r.get("failures") == "0", r.attrib' "$tmp/junit.xml"
	check "junit is well-formed XML with the right counts" $?
fi

run "$mmspec" run --db "$db" "$dir/limits.mmt"
check "limits hold and capabilities follow requires" "$(is $rc 0)"

run "$mmspec" run --db "$db" "$dir/rlimit-cpu.mmt"
check "lowering RLIMIT_CPU is no failure" "$(is $rc 0)"
echo "$out" | grep -q ' 1 passed, 0 failed, 1 skipped'; check "the rest of the case is a SKIP" $?
echo "$out" | grep -q 'lowers RLIMIT_CPU below the sandbox'; check "the SKIP names the reason" $?

run "$mmspec" run --db "$db" "$dir/nofile-fork.mmt"
check "a child that cannot reopen its maps is observed by the executor parent" "$(is $rc 0)"
run "$mmspec" run --db "$db" --maps-text "$dir/nofile-fork.mmt"
check "... through /proc/PID/maps text too" "$(is $rc 0)"

run "$mmspec" run --db "$db" "$dir/dontfork-executor.mmt"
check "a fork after DONTFORK of the executor's memory is an ERROR (exit 3)" "$(is $rc 3)"
echo "$out" | grep -q "line 13: .fork() = \$c0.: .*marked the executor's own memory (.*) VM_DONTCOPY at"
check "the ERROR names the fork, the madvise and the memory" $?
echo "$out" | grep -q 'watchdog'; check "and it is not the watchdog's" "$(is $? 1)"

run "$mmspec" run --db "$db" "$dir/child-dies.mmt"
check "a forked process that dies outside a probe is an ERROR (exit 3)" "$(is $rc 3)"
echo "$out" | grep -q 'process \$c0 died of signal 11 outside any probe'
check "the ERROR names the process and the signal" $?
echo "$out" | grep -q 'watchdog'; check "and it is not the watchdog's" "$(is $? 1)"

run "$mmspec" run --db "$db" --timeout 300 --test-hook hang "$dir/two-steps.mmt"
check "a hanging sandbox is an ERROR (exit 3)" "$(is $rc 3)"
echo "$out" | grep -q 'watchdog killed the sandbox'; check "the watchdog is named" $?

run "$mmspec" run --db "$db" --test-hook crash "$dir/two-steps.mmt"
check "a crashing sandbox is an ERROR" "$(is $rc 3)"
echo "$out" | grep -q 'died of signal 11 at step 1'; check "the crash is located" $?

run "$mmspec" run --db "$db" --test-hook crash "$dir/unmodelled-unfinished.mmt"
check "an unmodelled step the kernel did not finish is a SKIP" "$(is $rc 0)"
echo "$out" | grep -q "^SKIP " && echo "$out" | grep -q "line 7: .* is not modelled yet"; check "the skip names the step" $?

run "$mmspec" run --db "$db" "$dir/fetch-unmodelled.mmt"
check "fetches the model cannot follow are SKIPs" "$(is $rc 0)"
echo "$out" | grep -q "3 skipped"; check "all three skipped" $?
echo "$out" | grep -q "0f 05 00 .*lets a second instruction run"; check "syscall: the reason" $?
echo "$out" | grep -q "relative to RIP"; check "rip-relative: the reason" $?
echo "$out" | grep -q "within 14 bytes of the page end"; check "near the end: the reason" $?

run "$mmspec" run --db "$db" "$dir/self-destruct.mmt"
check "a program that destroys the sandbox is an ERROR" "$(is $rc 3)"

run "$mmspec" run --db "$db" --profile 6.1 "$dir/profile-mismatch.mmt"
check "a profile mismatch shows as a divergence (exit 1)" "$(is $rc 1)"
echo "$out" | grep -q 'signature: mmap:layout:bounds'; check "the divergence has a signature" $?
echo "$out" | grep -q 'model:.*kernel:'; check "layouts are drawn side by side" $?

if command -v sqlite3 >/dev/null; then
	n=$(sqlite3 "$db" "select count(*) from runs")
	check "every run is in the database" "$(is "$n" 17)"
	n=$(sqlite3 "$db" "select count(*) from divergences where signature = 'mmap:layout:bounds'")
	check "the divergence is stored" "$(is "$n" 1)"
	# dontfork-executor.mmt and child-dies.mmt add two ERRORs to the earlier three
	n=$(sqlite3 "$db" "select count(*) from results where result = 'ERROR'")
	check "errors are stored" "$(is "$n" 5)"
	n=$(sqlite3 "$db" "select count(*) > 0 from faults where side = 'kernel' and signo = 11")
	check "kernel faults are stored" "$(is "$n" 1)"
fi

echo "corrupt" > "$tmp/bad.db"
run "$mmspec" run --db "$tmp/bad.db" "$src/suites/munmap.mmt"
check "a corrupt database is refused with exit 2" "$(is $rc 2)"
[ "$(cat "$tmp/bad.db")" = corrupt ]; check "and left untouched" $?

echo "$pass passed, $fail failed"
[ $fail = 0 ]
