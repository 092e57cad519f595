#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# setup.sh: the whole set-up on a fresh Debian machine, then the main job.
#   1. installs the Debian packages mmspec needs (only those missing),
#   2. configures and builds the default (Release) preset into build/,
#   3. runs the bundled suites on this machine's kernel, compared with the
#      model, and stores the results in mmspec.db (build/mmspec run suites/).
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake libsqlite3-dev sqlite3 clang afl++)
missing=()
# chromium: the HTML report's test renders it headless (tests/html_test.sh).
packages+=(chromium)
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "setup: installing ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake --preset default
cmake --build --preset default -j"$(nproc)"

echo "setup: running the bundled suites on the running kernel"
build/mmspec run suites/
