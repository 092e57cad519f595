#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vm_test.sh MMSPEC SOURCE_DIR KERNEL_IMAGE [NAME]: every bundled case in a VM
# booted from KERNEL_IMAGE (mmspec run --target vm:KERNEL_IMAGE), compared
# with the model under the kernel's own profile. Passes when nothing fails
# unexpectedly (known divergences, `xfail target`, are XFAIL).
#
# Without the image (scripts/fetch-kernels.sh) or qemu-system-x86_64 the
# test is skipped (exit 77), except under CI (CI=true), where a missing
# piece is a failure: CI must run the matrix, not skip it.
set -uo pipefail
mmspec=$1 src=$2 image=$3 name=${4:-vm}
missing=""
[ -r "$image" ] || missing="the kernel image $image (run scripts/fetch-kernels.sh)"
command -v qemu-system-x86_64 >/dev/null || missing="qemu-system-x86_64 (Debian: qemu-system-x86)"
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: missing $missing (CI=true: the VM runs are required)"
		exit 1
	fi
	echo "SKIP: missing $missing"
	exit 77
fi
db=$(mktemp --suffix=.db)
trap 'rm -f "$db"' EXIT
start=$(date +%s.%N)
"$mmspec" run --target "vm:$image" --db "$db" "$src/suites"
rc=$?
end=$(date +%s.%N)
# Figures, never a verdict: boot + suite time for this VM.
awk -v n="$name" -v a="$start" -v b="$end" 'BEGIN { printf "%s: boot and suites took %.1f s\n", n, b - a }'
sqlite3 "$db" "select 'stored: target=' || target || ' kernel=' || kernel_release || ' profile=' || profile from runs" 2>/dev/null
exit $rc
