#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check.sh: the test suite (`make check`), on the host.
#
# For each kernel: build the module (make module KVER=...), boot the kernel
# in a VM (scripts/vm-run) and run scripts/guest-check.sh there, which loads
# the module, runs the selftests and checks the kernel log and the unload.
# The library and the selftests are built once (make userspace selftests).
#
# Kernels: every installed Debian kernel with a build tree
# (/lib/modules/*/build) and a /boot/vmlinuz-*, or the list in
# IPCDEV_KERNELS="6.1.0-56-amd64 ...".  The name `debug` is the debug kernel
# (KASAN, lockdep, kmemleak) of ../shared/kernels/debug-6.1.tar.xz, unpacked
# into $IPCDEV_CACHE/debug (`make check-debug` = IPCDEV_KERNELS=debug).
#
# Other knobs: IPCDEV_VM_TIMEOUT (wall-clock limit of one VM, seconds),
# IPCDEV_TEST_TIMEOUT (one test program, seconds), IPCDEV_PYTEST (the path
# for the python step in the guest; default userspace/python/tests, the
# ipcdev Python package's tests; set it empty to skip the step).
#
# Logs and results: build/check/<kernel>/ (build.log, console.log, dmesg.log,
# counts).  The last line printed is `N passed, N failed`, summed over all
# kernels (a build that fails counts as 1 failed test, and so does a VM that
# times out or dies); exit status 1 when anything failed.
set -eu

cd "$(dirname "$(readlink -f "$0")")/.."
TOP=$PWD
BUILD=${BUILD:-$TOP/build}
IPCDEV_CACHE=${IPCDEV_CACHE:-/var/cache/ipcdev}
LOGS=$BUILD/check
SHARED=${IPCDEV_SHARED:-$TOP/../shared}
export IPCDEV_CACHE
unset MAKELEVEL MAKEFLAGS MFLAGS || true

start=$(date +%s)
total_pass=0
total_fail=0
mkdir -p "$LOGS"

say() { echo "check: $*"; }

# show_tail FILE: the end of a failed build's log.
show_tail() { tail -n 40 "$1" | sed 's/^/  | /'; }

# --- which kernels ---------------------------------------------------------
if [ -n "${IPCDEV_KERNELS:-}" ]; then
	kernels=$IPCDEV_KERNELS
else
	kernels=
	for d in /lib/modules/*/build; do
		[ -d "$d" ] || continue
		k=$(basename "$(dirname "$d")")
		[ -f "/boot/vmlinuz-$k" ] && kernels="$kernels $k"
	done
fi
kernels=$(echo $kernels)
if [ -z "$kernels" ]; then
	say "no kernel to test: install linux-image/linux-headers (make deps)"
	echo "0 passed, 1 failed"
	exit 1
fi
say "kernels: $kernels"

# debug_kdir: unpack the debug kernel once (keyed by the tarball's hash) and
# print its build tree.
debug_kdir() {
	local tarball=${IPCDEV_DEBUG_TARBALL:-$SHARED/kernels/debug-6.1.tar.xz}
	local dir=$IPCDEV_CACHE/debug sum
	if [ ! -r "$tarball" ]; then
		# No ready build: make the same kernel from linux-source-6.1.
		echo "no debug kernel tarball $tarball: building it" >&2
		"$TOP/scripts/build-debug-kernel.sh" "$IPCDEV_CACHE/debug-built" >&2 || return 1
		echo "$IPCDEV_CACHE/debug-built/kdir-debug"
		return 0
	fi
	sum=$(sha256sum "$tarball" | cut -c1-64)
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$sum" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir"
		echo "$sum" >"$dir/.stamp"
	fi
	echo "$dir/kdir-debug"
}

# --- userspace and selftests, once -------------------------------------------
say "building userspace and selftests"
if ! make userspace selftests >"$LOGS/userspace.log" 2>&1; then
	say "FAILED: make userspace selftests (log: $LOGS/userspace.log)"
	show_tail "$LOGS/userspace.log"
	total_fail=$((total_fail + 1))
fi

# --- each kernel ---------------------------------------------------------------
for k in $kernels; do
	kstart=$(date +%s)
	res=$LOGS/$k
	rm -rf "$res"
	mkdir -p "$res"
	echo
	say "===== kernel $k ====="

	vmkernel=$k
	timeout=${IPCDEV_VM_TIMEOUT:-1200}
	tries=1
	if [ "$k" = debug ]; then
		if ! kdir=$(debug_kdir 2>"$res/build.log"); then
			say "FAILED: debug kernel unavailable"; show_tail "$res/build.log"
			total_fail=$((total_fail + 1)); continue
		fi
		vmkernel=$kdir/bzImage
		buildargs="KVER=debug KDIR=$kdir"
		timeout=${IPCDEV_VM_TIMEOUT:-2400}
		tries=2		# about one boot in ten is broken (see its README)
	else
		buildargs="KVER=$k"
	fi
	ko=$BUILD/$k/ipcdev.ko

	# shellcheck disable=SC2086
	if ! make module $buildargs >"$res/build.log" 2>&1; then
		say "FAILED: make module $buildargs (log: $res/build.log)"
		show_tail "$res/build.log"
		total_fail=$((total_fail + 1))
		continue
	fi

	vmenv=(--env "IPCDEV_TEST_TIMEOUT=${IPCDEV_TEST_TIMEOUT:-300}")
	IPCDEV_PYTEST=${IPCDEV_PYTEST-$TOP/userspace/python/tests}
	[ -n "${IPCDEV_PYTEST:-}" ] && vmenv+=(--env "IPCDEV_PYTEST=$IPCDEV_PYTEST")
	while :; do
		rc=0
		scripts/vm-run --kernel "$vmkernel" --timeout "$timeout" --results "$res" \
			"${vmenv[@]}" -- scripts/guest-check.sh "$ko" "$BUILD/selftests" || rc=$?
		tries=$((tries - 1))
		if [ -f "$res/broken-boot" ] && [ "$tries" -gt 0 ]; then
			say "the kernel reported problems before the module was loaded: broken boot, retrying"
			rm -f "$res/broken-boot" "$res/counts"
			continue
		fi
		break
	done

	p=0 f=0
	if [ -f "$res/counts" ]; then
		p=$(awk '$1 == "passed" { print $2 }' "$res/counts")
		f=$(awk '$1 == "failed" { print $2 }' "$res/counts")
	fi
	case $rc in
	0) ;;
	124) say "FAILED: the VM hit its time limit (${timeout}s)"; f=$((f + 1)) ;;
	125) say "FAILED: the guest died (panic?), see $res/console.log"; f=$((f + 1)) ;;
	*) [ "$f" -gt 0 ] || f=1 ;;
	esac
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	say "kernel $k: $p passed, $f failed ($(( $(date +%s) - kstart )) s)"
done

echo
say "wall time $(( $(date +%s) - start )) s"
echo "$total_pass passed, $total_fail failed" | tee "$LOGS/summary"
[ "$total_fail" = 0 ]
