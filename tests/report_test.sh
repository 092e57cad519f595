#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# report_test.sh MMSPEC SOURCE_DIR: `mmspec report` and `mmspec db merge`
# end to end, on a database recorded by `mmspec run` on this kernel:
#   run 1: tests/cli/passes.mmt (a PASS and a SKIP),
#   run 2: tests/cli/fails.mmt and passes.mmt (a FAIL: a wrong expectation),
#   run 3: the suites under --profile 6.1, the model predicting 6.1 where
#          the kernel is newer: real model-against-kernel divergences (a
#          6.1 kernel has none; their checks are then skipped, saying so).
# Every subcommand's output is checked for the facts it must state, --json
# output is parsed with python3, `report diff` exit statuses are checked.
set -u
mmspec=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/r.db
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "not ok $1"; printf '%s\n%s\n' "$out" "$err" | tail -25; fi
}
is() { [ "$1" = "$2" ] && echo 0 || echo 1; }
run() { out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err"); }
# json EXPR: evaluates a python expression on the parsed $out (as j); 0 when true.
json() { printf '%s' "$out" | python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }
width() { printf '%s\n' "$out" | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }'; }

run "$mmspec" run --db "$db" "$src/tests/cli/passes.mmt"
check "run 1 passes" "$(is $rc 0)"
run "$mmspec" run --db "$db" "$src/tests/cli/fails.mmt" "$src/tests/cli/passes.mmt"
check "run 2 fails" "$(is $rc 1)"
run "$mmspec" run --db "$db" --profile 6.1 "$src/suites"
ndiv=$(sqlite3 "$db" "SELECT count(*) FROM divergences WHERE run_id = 3")
echo "# run 3 (--profile 6.1) recorded $ndiv divergences"

# runs
run "$mmspec" report --db "$db" runs
check "runs exits 0" "$(is $rc 0)"
echo "$out" | grep -Eq '^ 2  run .* host .*  1 +1 +0/0 +1 +0 +0$'; check "runs: run 2 has 1 pass, 1 fail, 1 skip" $?
check "runs fits 100 columns" "$([ "$(width)" -le 100 ] && echo 0 || echo 1)"
run "$mmspec" report --db "$db" runs --json
json 'len(j) == 3 and j[1]["fail"] == 1 and j[1]["pass"] == 1 and j[0]["target"] == "host"'; check "runs --json parses and counts" $?

# summary
run "$mmspec" report --db "$db" summary 2
check "summary exits 0" "$(is $rc 0)"
echo "$out" | grep -q '1 pass, 1 fail, 0 xfail, 0 xpass, 1 skip, 0 error'; check "summary totals" $?
echo "$out" | grep -Eq '^mprotect +1 +1 +0 +0 +0 +0$'; check "summary: the failure counts for mprotect, the pass's mprotect too" $?
echo "$out" | grep -Eq 'tests/cli/fails.mmt +0 +1'; check "summary by file" $?
check "summary fits 100 columns" "$([ "$(width)" -le 100 ] && echo 0 || echo 1)"
run "$mmspec" report --db "$db" summary 2 --json
json '[t for t in j["by_syscall"] if t["syscall"] == "mprotect"][0]["fail"] == 1 and j["totals"]["skip"] == 1'; check "summary --json" $?
run "$mmspec" report --db "$db" summary 9
check "summary of an unknown run exits 2" "$(is $rc 2)"
echo "$err" | grep -q "no run '9'"; check "it names the run" $?

# diff: run 2 has a failing case run 1 did not have.
run "$mmspec" report --db "$db" diff 1 2
check "diff with a new failure exits 1" "$(is $rc 1)"
echo "$out" | grep -q '+ tests/cli/fails.mmt: wrong-expectation'; check "diff names the newly failing case" $?
run "$mmspec" report --db "$db" diff 2 1
check "diff with only fixes exits 0" "$(is $rc 0)"
run "$mmspec" report --db "$db" diff 1 1 --json
check "diff of a run with itself exits 0" "$(is $rc 0)"
json 'j["new"] == 0 and j["exit"] == 0'; check "diff --json" $?

# matrix
run "$mmspec" report --db "$db" matrix
check "matrix exits 0" "$(is $rc 0)"
echo "$out" | grep -Eq '^wrong-expectation +FAIL$'; check "matrix: the latest host result of wrong-expectation" $?
run "$mmspec" report --db "$db" matrix --all --json
json 'j["targets"][0]["label"] == "host" and any(r["name"] == "split-and-merge" and r["cells"]["host"] == "PASS" for r in j["matrix"])'; check "matrix --all --json" $?

# divergences and show, on real divergences
if [ "$ndiv" -gt 0 ]; then
	run "$mmspec" report --db "$db" divergences --run 3
	check "divergences exits 0" "$(is $rc 0)"
	echo "$out" | grep -q "^$ndiv divergences\?, "; check "divergences counts what run 3 stored" $?
	check "divergences fits 100 columns" "$([ "$(width)" -le 100 ] && echo 0 || echo 1)"
	sig=$(sqlite3 "$db" "SELECT signature FROM divergences WHERE run_id = 3 ORDER BY id LIMIT 1")
	nsig=$(sqlite3 "$db" "SELECT count(*) FROM divergences WHERE run_id = 3 AND signature = '$sig'")
	run "$mmspec" report --db "$db" divergences --signature "$sig" --json
	json "len(j) == $nsig and all(d['signature'] == '$sig' for d in j)"; check "divergences --signature --json" $?
	run "$mmspec" report --db "$db" divergences --since 2 --syscall nosuchcall
	echo "$out" | grep -q 'no divergences match'; check "divergences --syscall filters" $?
	id=$(sqlite3 "$db" "SELECT min(id) FROM divergences WHERE run_id = 3")
	step=$(sqlite3 "$db" "SELECT step_text FROM divergences WHERE id = $id")
	run "$mmspec" report --db "$db" show "$id"
	check "show exits 0" "$(is $rc 0)"
	echo "$out" | grep -qF " >> " && echo "$out" | grep -F " >> " | grep -qF "${step#  }"; check "show marks the divergent step" $?
	echo "$out" | grep -Eq '^  model   \|' && echo "$out" | grep -Eq '^  kernel  \|'; check "show draws both address spaces" $?
	echo "$out" | grep -qF "mmspec repro --db $db --c $id"; check "show gives the reproducer command" $?
	check "show fits 100 columns" "$([ "$(width)" -le 100 ] && echo 0 || echo 1)"
	run "$mmspec" report --db "$db" show "$id" --json
	json "j['id'] == $id and j['model_drawing']['strip'] != '' and j['repro_command'].endswith('--c $id')"; check "show --json" $?
	run "$mmspec" report --db "$db" diff 1 3
	check "diff against a run with divergences exits 1" "$(is $rc 1)"
	echo "$out" | grep -qF "+ $sig"; check "diff lists the new signature" $?
else
	echo "ok # SKIP divergences/show: --profile 6.1 gives no divergence on this kernel ($(uname -r))"
fi
run "$mmspec" report --db "$db" show 99999
check "show of an unknown id exits 2" "$(is $rc 2)"
echo "$err" | grep -q 'no divergence 99999'; check "it names the id" $?

# export
run "$mmspec" report --db "$db" export --format ktap --run 2
echo "$out" | grep -q '^# totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0$'; check "export ktap totals" $?
echo "$out" | grep -q '^    not ok 1 wrong-expectation$'; check "export ktap: the failure" $?
run "$mmspec" report --db "$db" export --format junit --run 2
printf '%s' "$out" | python3 -c 'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); sys.exit(0 if r.get("failures") == "1" and r.get("skipped") == "1" else 1)'
check "export junit parses as XML with the counts" $?
run "$mmspec" report --db "$db" export --format json --run 2
json 'j["run_id"] == 2 and len(j["results"]) == 3 and {r["class"] for r in j["results"]} == {"PASS", "FAIL", "SKIP"}'; check "export json" $?
run "$mmspec" report --db "$db" export --format html --out "$tmp/html"
check "export html exits 0" "$(is $rc 0)"
grep -q 'wrong-expectation' "$tmp/html/index.html"; check "the HTML report names the failing case" $?

# bad databases
run "$mmspec" report --db "$tmp/missing.db" runs
check "a missing database exits 2" "$(is $rc 2)"
echo "$err" | grep -q 'missing.db: no such database'; check "and says so" $?
[ ! -e "$tmp/missing.db" ]; check "and is not created" $?
head -c 8192 /dev/urandom > "$tmp/junk.db"
run "$mmspec" report --db "$tmp/junk.db" summary
check "a file that is not a database exits 2" "$(is $rc 2)"
echo "$err" | grep -q 'junk.db: not an mmspec database'; check "and says so" $?
run "$mmspec" report --db "$db" frobnicate
check "an unknown subcommand exits 2" "$(is $rc 2)"

# db merge
run "$mmspec" db merge "$tmp/m.db" "$db"
check "merge exits 0" "$(is $rc 0)"
echo "$out" | grep -q ': 3 runs added, 0 already there'; check "merge adds the three runs" $?
run "$mmspec" db merge "$tmp/m.db" "$db"
echo "$out" | grep -q ': 0 runs added, 3 already there; 0 new cases, 0 results'; check "merging again adds nothing" $?
run "$mmspec" report --db "$tmp/m.db" runs
echo "$out" | grep -q "^  runs 1-3 from $db@"; check "runs says where merged runs came from" $?
run "$mmspec" db merge --json "$tmp/m.db" "$db"
json 'j["runs_added"] == 0 and j["runs_skipped"] == 3 and j["out"].endswith("m.db")'; check "merge --json" $?
n=$(sqlite3 "$tmp/m.db" "SELECT count(*) FROM runs WHERE origin LIKE '%r.db@%'")
check "merged runs keep their origin" "$(is "$n" 3)"
a=$(sqlite3 "$db" "SELECT count(*) FROM results"); b=$(sqlite3 "$tmp/m.db" "SELECT count(*) FROM results")
check "every result came along" "$(is "$a" "$b")"
cp "$tmp/m.db" "$tmp/m-before.db"
run "$mmspec" db merge "$tmp/m.db" "$db" "$tmp/junk.db"
check "merging a bad input exits 2" "$(is $rc 2)"
echo "$err" | grep -q 'junk.db: not an mmspec database.*m.db is unchanged'; check "and names the input" $?
cmp -s "$tmp/m.db" "$tmp/m-before.db"; check "and leaves the output unchanged" $?

echo "$pass passed, $fail failed"
[ $fail = 0 ]
