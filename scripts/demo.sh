#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh (`make demo`): build the module and the library for the
# Debian 6.1 kernel, boot it in a throwaway VM, load the module, run
# build/userspace/demo/queue-demo (unattended: it prints and exits), unload
# the module.  Exits with the demo's status (or the module's load/unload
# failure, or vm-run's 124 time limit / 125 dead guest).
set -eu

cd "$(dirname "$(readlink -f "$0")")/.."
BUILD=${BUILD:-$PWD/build}
unset MAKELEVEL MAKEFLAGS MFLAGS || true

# The 6.1 kernel: IPCDEV_DEMO_KVER, else the newest installed 6.1.x.
kver=${IPCDEV_DEMO_KVER:-$(ls -1d /lib/modules/6.1.*/build 2>/dev/null |
	sort -V | tail -n1 | xargs -r dirname | xargs -r basename)}
if [ -z "$kver" ]; then
	echo "demo: no 6.1 kernel installed (make deps)" >&2
	exit 1
fi

mkdir -p "$BUILD/demo"
echo "demo: building the module for $kver and the library"
for t in "module KVER=$kver" userspace; do
	# shellcheck disable=SC2086
	if ! make $t >"$BUILD/demo/build.log" 2>&1; then
		echo "demo: make $t failed:" >&2
		tail -n 40 "$BUILD/demo/build.log" >&2
		exit 1
	fi
done

demo=$BUILD/userspace/demo/queue-demo
[ -x "$demo" ] || { echo "demo: $demo was not built" >&2; exit 1; }

echo "demo: booting $kver"
rc=0
scripts/vm-run --kernel "$kver" --timeout "${IPCDEV_VM_TIMEOUT:-300}" \
	--results "$BUILD/demo/vm" -- sh -c '
	insmod "$1" || { echo "demo: insmod failed"; exit 1; }
	echo "demo: module loaded; running $2"
	echo "------------------------------------------------------------"
	rc=0
	"$2" || rc=$?
	echo "------------------------------------------------------------"
	echo "demo: queue-demo exited with status $rc"
	rmmod ipcdev || { echo "demo: rmmod failed"; [ $rc != 0 ] || rc=1; }
	exit $rc' demo "$BUILD/$kver/ipcdev.ko" "$demo" || rc=$?
echo "demo: done, status $rc (guest logs: $BUILD/demo/vm)"
exit "$rc"
