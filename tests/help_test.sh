#!/bin/sh
# SPDX-License-Identifier: MIT
# help_test.sh MMSPEC SRCDIR: every command of harness/mmspec.c accepts -h
# and --help: its usage on standard output, exit 0, nothing on stderr. For
# `fuzz`, every option its parser knows (OPT("--x") in fuzz/fuzz_campaign.c)
# is on a line of its own in the help.
set -u
MMSPEC=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
# The commands main() dispatches on, from the source: new ones are covered too.
cmds=$(grep -o '!strcmp(cmd, "[a-z][a-z]*")' "$SRC/harness/mmspec.c" | cut -d'"' -f2 | sort -u | grep -v '^help$')
[ -n "$cmds" ] || { echo "FAIL: no commands found in harness/mmspec.c"; exit 1; }
for c in $cmds; do
	for h in -h --help; do
		"$MMSPEC" "$c" $h > "$T/out" 2> "$T/err"
		rc=$?
		if [ $rc -ne 0 ] || [ -s "$T/err" ] || ! grep -qi 'usage' "$T/out"; then
			echo "FAIL: mmspec $c $h: exit $rc, stderr: $(head -c 200 "$T/err")"
			fail=1
		fi
	done
done
# Also after other arguments.
"$MMSPEC" run --jobs 2 --help > "$T/out" 2>&1 && grep -q '^usage: mmspec run' "$T/out" ||
	{ echo "FAIL: mmspec run --jobs 2 --help"; fail=1; }
"$MMSPEC" fuzz --help > "$T/fuzz" 2>&1
for o in $(sed -n 's/.*OPT("\(--[a-z-]*\)").*/\1/p' "$SRC/fuzz/fuzz_campaign.c" | sort -u); do
	[ "$(grep -c -- "^  $o\b" "$T/fuzz")" = 1 ] || { echo "FAIL: mmspec fuzz --help does not list $o on a line of its own"; fail=1; }
done
[ $fail -eq 0 ] && echo "help_test: ok ($(echo $cmds | wc -w) commands)"
exit $fail
