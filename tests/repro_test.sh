#!/bin/sh
# SPDX-License-Identifier: MIT
# repro_test.sh MMSPEC SRCDIR: `mmspec repro --c` end to end. A generated
# reproducer must build with plain cc (warnings are errors), run without
# mmspec, and say what the model says: DIVERGES (exit 1) where the profile's
# prediction differs from the kernel, agrees (exit 0) where it does not.
set -u
MMSPEC=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
CC=${CC:-cc}
case_file="$SRC/tests/repro/fork-fetch-mseal.mmt"

# mseal exists from 6.10: under the 6.18 profile everything agrees ...
"$MMSPEC" repro --c -o "$T/agree.c" "$case_file" || { echo "FAIL: repro (6.18)"; exit 1; }
$CC -O1 -Wall -Wextra -Werror -o "$T/agree" "$T/agree.c" || { echo "FAIL: the reproducer does not build"; exit 1; }
"$T/agree" > "$T/agree.out"; rc=$?
cat "$T/agree.out"
[ $rc -eq 0 ] && grep -q '^agrees' "$T/agree.out" || { echo "FAIL: expected agreement (exit $rc)"; fail=1; }
grep -q 'wait(\$c) .*kernel = 3 ' "$T/agree.out" || { echo "FAIL: wait() did not see the child's exit status"; fail=1; }
grep -q ' 8  load(A) .*kernel = 0x7 ' "$T/agree.out" || { echo "FAIL: the child's store leaked into the parent"; fail=1; }

# ... and under the 6.1 profile the model predicts ENOSYS for the last step.
"$MMSPEC" repro --c --profile 6.1 -o "$T/div.c" "$case_file" || { echo "FAIL: repro (6.1)"; exit 1; }
$CC -O2 -Wall -Wextra -Werror -o "$T/div" "$T/div.c" || { echo "FAIL: the reproducer does not build at -O2"; exit 1; }
"$T/div" > "$T/div.out"; rc=$?
cat "$T/div.out"
[ $rc -eq 1 ] && grep -q '^DIVERGES at step 14' "$T/div.out" || { echo "FAIL: expected DIVERGES at step 14 (exit $rc)"; fail=1; }

# Every case of two suites, reproduced in C, agrees on this kernel: the
# reproducer runs a program as the executor does (processes, probes, the
# sandbox's descriptors and privilege) and checks what the model says.
for f in fork mprotect; do
	for c in $(sed -n 's/^case \([^ ]*\).*/\1/p' "$SRC/suites/$f.mmt"); do
		"$MMSPEC" repro --c -o "$T/s.c" "$SRC/suites/$f.mmt:$c" 2> /dev/null &&
			$CC -O1 -o "$T/s" "$T/s.c" && "$T/s" > "$T/s.out" ||
			{ echo "FAIL: suites/$f.mmt:$c: the reproducer does not agree"; cat "$T/s.out"; fail=1; }
	done
done

# Bad input: a clear message and exit status 2.
"$MMSPEC" repro --c "$T/none.mmt" 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'none.mmt' "$T/err" || { echo "FAIL: a missing file must be exit 2 naming it"; fail=1; }
"$MMSPEC" repro "$case_file" 2> /dev/null; rc=$?
[ $rc -eq 2 ] || { echo "FAIL: repro without --c must be a usage error"; fail=1; }
[ $fail -eq 0 ] && echo "repro_test: ok"
exit $fail
