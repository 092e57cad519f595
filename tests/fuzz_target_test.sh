#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fuzz_target_test.sh MMSPEC SOURCE_DIR TARGET [SECONDS]: `mmspec fuzz
# --target` end to end. TARGET is qemu-user or vm:KERNEL_IMAGE.
#
# A short campaign on the target must store a fuzz run whose target is the
# target's name (qemu-user; vm:RELEASE with the VM's kernel release), whose
# config keeps the --target value, with programs run, and every divergence
# it found stored under that run. A divergence the campaign reproduced on
# every rerun must reproduce again when `mmspec minimize ID` reruns it (the
# finding's own target, read from its run). For qemu-user also: a known
# qemu-user finding (suites/targets/qemu-user.mmt) minimizes under
# `--target qemu-user` and is stored with that target, and does not diverge
# on the host.
#
# Without qemu-x86_64 (qemu-user), or the image or qemu-system-x86_64 (vm:),
# the test is skipped (77), except under CI=true, where that is a failure.
set -uo pipefail
mmspec=$1 src=$2 target=$3 seconds=${4:-20}
missing=""
case $target in
qemu-user)
	command -v qemu-x86_64 >/dev/null || missing="qemu-x86_64 (Debian: qemu-user)" ;;
vm:*)
	[ -r "${target#vm:}" ] || missing="the kernel image ${target#vm:} (run scripts/fetch-kernels.sh)"
	command -v qemu-system-x86_64 >/dev/null || missing="qemu-system-x86_64 (Debian: qemu-system-x86)" ;;
*)
	echo "usage: fuzz_target_test.sh MMSPEC SOURCE_DIR qemu-user|vm:IMAGE [SECONDS]"; exit 2 ;;
esac
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: missing $missing (CI=true: the target runs are required)"
		exit 1
	fi
	echo "SKIP: missing $missing"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the executor's sandbox needs root"
	exit 77
fi
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 is needed to read the database"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
db=$T/f.db
q() { sqlite3 "$db" "$1"; }

"$mmspec" fuzz --target "$target" --time "$seconds" --jobs 1 --seed 7 --db "$db" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out"
[ $rc -eq 0 ] || [ $rc -eq 1 ] || { echo "FAIL: exit $rc"; cat "$T/err"; exit 1; }

name=$(q "select target from runs where kind = 'fuzz'")
release=$(q "select kernel_release from runs where kind = 'fuzz'")
case $target in
qemu-user) want=qemu-user ;;
vm:*) want="vm:$release" ;;
esac
[ -n "$release" ] || { echo "FAIL: the run row has no kernel release"; fail=1; }
[ "$name" = "$want" ] || { echo "FAIL: runs.target is '$name', expected '$want'"; fail=1; }
case $target in
vm:*) [ "$release" != "$(uname -r)" ] || { echo "FAIL: the VM reported the host's release $release"; fail=1; } ;;
esac
grep -q "target $want, Linux $release" "$T/err" || { echo "FAIL: the banner does not name the target"; cat "$T/err"; fail=1; }
[ "$(q "select json_extract(config_json, '\$.target') from runs where kind = 'fuzz'")" = "$target" ] ||
	{ echo "FAIL: the run's config does not keep --target $target"; fail=1; }
[ "$(q "select finished_at is not null and pass + fail > 0 from runs where kind = 'fuzz'")" = 1 ] ||
	{ echo "FAIL: the run ran no program or did not end"; fail=1; }
ndiv=$(q "select count(*) from divergences")
nmine=$(q "select count(*) from divergences d join runs r on r.id = d.run_id where r.kind = 'fuzz' and r.target = '$want'")
[ "$ndiv" = "$nmine" ] || { echo "FAIL: $ndiv divergences, $nmine stored under the $want run"; fail=1; }
grep -q "$ndiv diverged" "$T/out" || [ "$ndiv" -le 10 ] ||
	echo "note: $ndiv divergences stored (the summary counts every meeting)"
echo "stored: target=$name kernel=$release divergences=$ndiv"

# A fully reproduced divergence reproduces again on the campaign's target.
id=$(q "select id from divergences where attempts > 0 and reproduced = attempts order by id limit 1")
if [ -n "$id" ]; then
	"$mmspec" minimize --db "$db" --reruns 1 --max-runs 20 "$id" >"$T/min" 2>&1
	mrc=$?
	[ $mrc -eq 0 ] || { echo "FAIL: mmspec minimize $id (found on $want) exited $mrc"; cat "$T/min"; fail=1; }
fi

if [ "$target" = qemu-user ]; then
	case_ref=$src/suites/targets/qemu-user.mmt:qemu-user-mlock2-enosys
	"$mmspec" minimize --target qemu-user --db "$db" --reruns 1 "$case_ref" >"$T/m1" 2>&1 ||
		{ echo "FAIL: the qemu-user finding did not diverge under --target qemu-user"; cat "$T/m1"; fail=1; }
	[ "$(q "select target from runs where kind = 'minimize'")" = qemu-user ] ||
		{ echo "FAIL: the minimize run is not stored with target qemu-user"; fail=1; }
	"$mmspec" minimize --reruns 1 "$case_ref" >"$T/m2" 2>&1
	[ $? -eq 1 ] || { echo "FAIL: the qemu-user finding diverged on the host"; cat "$T/m2"; fail=1; }
	"$mmspec" fuzz --target qemu-usr --time 1 --db "$T/bad.db" 2>"$T/e3"
	[ $? -eq 2 ] && grep -q 'target takes' "$T/e3" || { echo "FAIL: a bad --target is not bad usage"; fail=1; }
fi
exit $fail
