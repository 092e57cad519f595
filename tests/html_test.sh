#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# html_test.sh MMSPEC TEST_REPORT: the HTML report rendered by headless
# Chromium. TEST_REPORT --make-db writes the unit tests' database (five
# runs on host, a 6.1 VM and qemu-user, a fuzzing campaign with progress,
# divergences with address-space drawings); `mmspec report html` renders
# it; Chromium loads it from file:// with the network off, dumps the DOM
# after layout and takes a screenshot. The DOM must hold the facts of the
# database: the signatures (escaped markup staying text), the counts, the
# SVG strips, bars and timeline. Skips (exit 77) only when no Chromium is
# installed. MMSPEC_HTML_SHOT=FILE keeps the screenshot.
set -u
mmspec=$1 make_db=$2
chromium=""
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && { chromium=$c; break; }
done
if [ -z "$chromium" ]; then
	echo "SKIP: no chromium installed (Debian: apt-get install chromium); the HTML report is not rendered"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "not ok $1"; fi
}

"$make_db" --make-db "$tmp/r.db" || { echo "not ok: cannot make the database"; exit 1; }
"$mmspec" report --db "$tmp/r.db" html --out "$tmp/html" >/dev/null
check "report html exits 0" $?

# Chromium wants a writable home; the report must need no network.
export HOME=$tmp/home
mkdir -p "$HOME"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
       --disable-extensions --proxy-server=127.0.0.1:9 --user-data-dir="$tmp/profile")
timeout 120 "$chromium" "${flags[@]}" --window-size=1200,2400 --virtual-time-budget=2000 \
	--dump-dom "file://$tmp/html/index.html" >"$tmp/dom.html" 2>"$tmp/chromium.err"
check "chromium dumps the DOM" $?
timeout 120 "$chromium" "${flags[@]}" --window-size=1200,2400 \
	--screenshot="$tmp/shot.png" "file://$tmp/html/index.html" >/dev/null 2>>"$tmp/chromium.err"
check "chromium takes a screenshot" $?
[ "$(head -c 8 "$tmp/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
check "the screenshot is a PNG" $?
[ "$(stat -c %s "$tmp/shot.png" 2>/dev/null || echo 0)" -gt 20000 ]
check "the screenshot is not blank" $?
[ -n "${MMSPEC_HTML_SHOT:-}" ] && cp "$tmp/shot.png" "$MMSPEC_HTML_SHOT"

dom=$tmp/dom.html
has() { grep -qF -- "$1" "$dom"; }
has '<h1>mmspec report</h1>'; check "the page rendered" $?
has '<code>mprotect:layout:bounds</code>'; check "the signature is there" $?
has 'mremap:return:&lt;b&gt;&amp;"x"&lt;/b&gt;'; check "markup from the database stays text" $?
! grep -q '<b>&' "$dom"; check "no markup from the database became markup" $?
# The signature table: mprotect:layout:bounds seen twice in two runs.
grep -Eq '<code>mprotect:layout:bounds</code></td><td class="n">2</td><td class="n">2</td>' "$dom"
check "its count and runs" $?
has '2 of 3 reruns (66%)'; check "the reproduction ratio" $?
[ "$(grep -o '<svg class="strip"' "$dom" | wc -l)" -ge 2 ]; check "the SVG strips, model against kernel" $?
grep -q 'stroke="#d00"' "$dom"; check "differing pages are outlined" $?
has '<svg class="bars"'; check "the bar chart" $?
has '<polyline class="signatures"'; check "the campaign timeline" $?
has '6 status ticks over 60 s, 6000 programs, 1 distinct signature'; check "the timeline's figures" $?
has '<td class="XFAIL">XFAIL</td>'; check "the target matrix with the known divergence" $?
has 'vm:6.1</th>'; check "the 6.1 VM column" $?

echo "$pass passed, $fail failed"
[ $fail = 0 ]
