#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh: install (with apt-get) every Debian package that the build,
# the lint and the VM tests need.  Idempotent: only missing packages are
# installed, `apt-get update` runs only when something is missing, and the
# script prints nothing when everything is there already.
#
# Kernels are installed with INITRD=No: the VM runner (scripts/vm-run) builds
# its own tiny initramfs, so the distro initramfs would only cost time.
set -eu

PKGS="
	build-essential make gcc gcc-multilib kmod cpio xz-utils zstd perl
	busybox-static qemu-system-x86
	sparse dwarves bc flex bison libelf-dev libssl-dev
	python3 python3-pytest
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.1
"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive INITRD=No
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Print apt's output only when it fails.
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "deps.sh: apt-get failed" >&2
	exit 1
fi
