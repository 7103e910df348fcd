#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh (`make demo`): build the module and the library for the
# Debian 6.1 kernel, boot it in a throwaway VM, load the module, run the
# bus demo (build/userspace/demo/bus --script: the driver and the conductor
# of the course's exercise, with the keyboard signals sent by a scripted
# "director" so that it runs unattended), unload the module.
# IPCDEV_DEMO=queue-demo runs the queue demo instead.  Exits with the demo's status (or the module's load/unload
# failure, or vm-run's 124 time limit / 125 dead guest).
#
# Set-up first: scripts/deps.sh (headers and packages; the kernel image is
# unpacked into $IPCDEV_CACHE/kernels, never installed), and the demo
# fails if what the machine boots changed all the same
# (scripts/boot-state.sh).  IPCDEV_NO_DEPS=1 skips deps.sh.
set -eu

cd "$(dirname "$(readlink -f "$0")")/.."
BUILD=${BUILD:-$PWD/build}
KCACHE=${IPCDEV_CACHE:-/var/cache/ipcdev}/kernels
unset MAKELEVEL MAKEFLAGS MFLAGS || true

mkdir -p "$BUILD/demo"
scripts/boot-state.sh snapshot "$BUILD/demo/boot-state.before"
if [ -z "${IPCDEV_NO_DEPS:-}" ]; then
	scripts/deps.sh || { echo "demo: scripts/deps.sh failed" >&2; exit 1; }
fi
if ! scripts/boot-state.sh compare "$BUILD/demo/boot-state.before" >&2; then
	echo "demo: what the machine boots CHANGED during the set-up (diff above)" >&2
	exit 1
fi

# The 6.1 kernel: IPCDEV_DEMO_KVER, else the 6.1 kernel of the cache.
kver=${IPCDEV_DEMO_KVER:-$(awk '$1 == "6.1" { print $2 }' "$KCACHE/aliases" 2>/dev/null || true)}
if [ -z "$kver" ]; then
	echo "demo: no 6.1 kernel in $KCACHE (scripts/deps.sh)" >&2
	exit 1
fi

echo "demo: building the module for $kver and the library"
for t in "module KVER=$kver" userspace; do
	# shellcheck disable=SC2086
	if ! make $t >"$BUILD/demo/build.log" 2>&1; then
		echo "demo: make $t failed:" >&2
		tail -n 40 "$BUILD/demo/build.log" >&2
		exit 1
	fi
done

name=${IPCDEV_DEMO:-bus}
demo=$BUILD/userspace/demo/$name
args=
[ "$name" = bus ] && args=--script
[ -x "$demo" ] || { echo "demo: $demo was not built" >&2; exit 1; }

echo "demo: booting $kver"
rc=0
scripts/vm-run --kernel "$kver" --timeout "${IPCDEV_VM_TIMEOUT:-300}" \
	--results "$BUILD/demo/vm" -- sh -c '
	insmod "$1" || { echo "demo: insmod failed"; exit 1; }
	echo "demo: module loaded; running $2"
	echo "------------------------------------------------------------"
	rc=0
	"$2" $3 || rc=$?
	echo "------------------------------------------------------------"
	echo "demo: $(basename "$2") exited with status $rc"
	rmmod ipcdev || { echo "demo: rmmod failed"; [ $rc != 0 ] || rc=1; }
	exit $rc' demo "$BUILD/$kver/ipcdev.ko" "$demo" "$args" || rc=$?
echo "demo: done, status $rc (guest logs: $BUILD/demo/vm)"
if ! scripts/boot-state.sh compare "$BUILD/demo/boot-state.before" >&2; then
	echo "demo: what the machine boots CHANGED (diff above)" >&2
	[ "$rc" != 0 ] || rc=1
fi
exit "$rc"
