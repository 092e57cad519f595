#!/bin/sh
# SPDX-License-Identifier: MIT
# plant_test.sh MMSPEC_PLANTED SRCDIR PLANT: proof that the fuzzing pipeline
# finds model bugs. With one planted bug switched on (MMSPEC_PLANT), a short
# campaign of generated programs only (no seeds: the suites would hand it the
# answer) must find it (a signature of the shape the bug gives), minimize it
# to at most 4 steps, and give a C reproducer that builds with plain cc and
# prints DIVERGES when run. The seed is fixed, so the run is the same each
# time (2,445 programs for missed-cow, the slowest, about 30 s). Skipped (77)
# without root: the campaign runs programs in the executor's sandbox.
set -u
MMSPEC=$1
SRC=$2
PLANT=$3
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the executor's sandbox needs root"
	exit 77
fi
# The signature the bug shows as, and the campaign's input: generated
# programs only, except for the missed COW, which needs a page written before
# a fork() and written again after it, rare in random programs: that campaign
# starts from the fork cases of the suites, as `mmspec fuzz suites/` would.
SEEDS=
case $PLANT in
mprotect-nosplit) WANT='mprotect:layout:*' ;;
missed-cow) WANT='load:value:*'; SEEDS="$SRC/suites/fork.mmt" ;;
mmap-errno-order) WANT='mmap:errno:EBADF:EINVAL@*' ;;
*) echo "unknown plant $PLANT"; exit 2 ;;
esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}

# The campaign stops once the planted bug's signature is minimized to 4 steps.
MMSPEC_PLANT=$PLANT "$MMSPEC" fuzz --time 110 --jobs 1 --seed 7 --db "$T/db" \
	--stop-on "$WANT" --stop-steps 4 --minimize-each 5 --export "$T" $SEEDS > "$T/out" 2> "$T/err"
rc=$?
cat "$T/out"
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1 (divergences found), got $rc"; cat "$T/err"; exit 1; }
line=$(grep "^  new: " "$T/out" | while read -r _ sig rest; do
	case $sig in $WANT) echo "$sig $rest"; break ;; esac
done)
[ -n "$line" ] || { echo "FAIL: no signature like $WANT was found"; exit 1; }
echo "found: $line"
id=$(echo "$line" | sed -n 's/.*divergence \([0-9]*\),.*/\1/p')
steps=$(echo "$line" | sed -n 's/.*-> \([0-9]*\) steps.*/\1/p')
[ -n "$id" ] && [ -n "$steps" ] || { echo "FAIL: the signature was not triaged"; exit 1; }
[ "$steps" -le 4 ] || { echo "FAIL: minimized to $steps steps, more than 4"; exit 1; }
echo "$line" | grep -q 'reproduced [1-9]' || { echo "FAIL: it never reproduced"; exit 1; }

# The exported case (the kernel's outcomes as expectations) is the planted
# bug's: the model without the bug agrees with it, the model with it does not.
sig=${line%% *}
name=$(echo "$sig" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9._]\{1,\}/-/g; s/-*$//')
[ -f "$T/$name.mmt" ] || { echo "FAIL: no case exported as $T/$name.mmt"; ls "$T"; exit 1; }
cat "$T/$name.mmt"
"$MMSPEC" check "$T/$name.mmt" > /dev/null || { echo "FAIL: the exported case fails on the model without the bug"; exit 1; }
"$MMSPEC" minimize "$T/$name.mmt" > "$T/m0.out" 2>&1
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: without the bug the case should not diverge (exit $rc)"; cat "$T/m0.out"; exit 1; }
MMSPEC_PLANT=$PLANT "$MMSPEC" minimize "$T/$name.mmt" > "$T/m1.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: with the bug planted the case should diverge (exit $rc)"; cat "$T/m1.out"; exit 1; }

# The C reproducer: plain cc, runs without mmspec, shows the divergence.
MMSPEC_PLANT=$PLANT "$MMSPEC" repro --c --db "$T/db" -o "$T/repro.c" "$id" || { echo "FAIL: repro"; exit 1; }
$CC -O1 -o "$T/repro" "$T/repro.c" || { echo "FAIL: the reproducer does not build"; exit 1; }
"$T/repro" > "$T/repro.out"
rc=$?
cat "$T/repro.out"
[ $rc -eq 1 ] && grep -q '^DIVERGES' "$T/repro.out" || { echo "FAIL: the reproducer did not show the divergence (exit $rc)"; exit 1; }
echo "plant_test $PLANT: ok"
