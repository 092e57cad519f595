#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fetch-kernels.sh: fetches Debian's 6.1 and 6.12 cloud kernels for the
# `vm:` target and unpacks them into build/kernels/ (a cache: a series
# already unpacked there is not fetched again).
#
#   scripts/fetch-kernels.sh [DEST]     DEST defaults to build/kernels
#
# For each series (6.1, 6.12) it picks the newest
# linux-image-*-cloud-amd64-unsigned package that apt-cache knows, downloads
# it with `apt-get download` (no installation, no root needed for that part)
# and unpacks it with `dpkg-deb -x` into DEST/<release>/. It then links
# DEST/<series> to that directory, so `--target vm:build/kernels/6.1/vmlinuz`
# names the image whatever the Debian revision is. The cloud kernels build
# virtio-console as a module; the modules come with the package, and the
# vm target's initramfs loads them (harness/target_vm.c).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-build/kernels}
mkdir -p "$dest"

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

updated=0
newest() {  # newest package of a series: $1 is a grep -E pattern
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -1
}

for series in 6.1 6.12; do
	if [ -e "$dest/$series/vmlinuz" ]; then
		echo "fetch-kernels: $series cached in $dest/$series ($(readlink "$dest/$series"))"
		continue
	fi
	if [ $updated = 0 ]; then
		$sudo apt-get update -q >/dev/null
		updated=1
	fi
	case $series in
	6.1) pattern='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
	6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb[0-9]+-cloud-amd64-unsigned$' ;;
	esac
	pkg=$(newest "$pattern")
	if [ -z "$pkg" ]; then
		echo "fetch-kernels: no package matches $pattern (is the apt source for bookworm set up?)" >&2
		exit 1
	fi
	release=${pkg#linux-image-}
	release=${release%-unsigned}
	echo "fetch-kernels: $series: $pkg"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"   # apt-get download drops to user _apt
	(cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
	rm -rf "$dest/$release.tmp"
	mkdir -p "$dest/$release.tmp"
	dpkg-deb -x "$tmp"/*.deb "$dest/$release.tmp"
	rm -rf "$tmp"
	# One stable name for the image, whatever the revision.
	ln -sf "boot/vmlinuz-$release" "$dest/$release.tmp/vmlinuz"
	rm -rf "${dest:?}/$release"
	mv "$dest/$release.tmp" "$dest/$release"
	ln -sfn "$release" "$dest/$series"
	echo "fetch-kernels: $series unpacked in $dest/$release"
done
