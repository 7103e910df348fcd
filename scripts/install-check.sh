#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/install-check.sh: the real-install lane (`make check-install`).
#
# On the host: build the Debian packages (make deb, into build/deb/), run
# lintian on them and ipcctl's option tests on the packaged ipcctl.  Then in a throwaway VM (scripts/vm-run --kernel KVER,
# whose root is a writable overlay of the host's: nothing installed there
# reaches the host) run scripts/guest-install.sh: dpkg -i, DKMS, modprobe,
# smoke tests of the installed library, ipcctl and Python package, the udev
# rule, modules-load.d, purge, nothing left.
#
# Each step is a test.  The last line printed is `N passed, N failed`, also
# written to build/check/summary (summary-TAG with IPCDEV_CHECK_TAG=TAG, as
# in scripts/check.sh); exit status 1 when anything failed.
# Logs: build/check/install/ (deb.log, lintian.log, install.tap, the VM's
# console.log and dmesg.log).
#
# Knobs: IPCDEV_INSTALL_KERNEL (default 6.1.0-57-amd64, the guest kernel:
# its headers must be installed on the host, DKMS builds against them),
# IPCDEV_VM_TIMEOUT (seconds, default 5400: DKMS compiles the module in the
# emulated guest, 25 min on a host at load 14).
set -u

cd "$(dirname "$(readlink -f "$0")")/.."
TOP=$PWD
BUILD=${BUILD:-$TOP/build}
LOGS=$BUILD/check/install
KVER=${IPCDEV_INSTALL_KERNEL:-6.1.0-57-amd64}
unset MAKELEVEL MAKEFLAGS MFLAGS || true

SUMMARY=$BUILD/check/summary${IPCDEV_CHECK_TAG:+-$IPCDEV_CHECK_TAG}
pass=0 fail=0
rm -rf "$LOGS"
mkdir -p "$LOGS"
rm -f "$SUMMARY"
say() { echo "check-install: $*"; }
ok() { pass=$((pass + 1)); say "ok: $*"; }
bad() { fail=$((fail + 1)); say "FAILED: $*"; }
finish() {
	echo "$pass passed, $fail failed" | tee "$SUMMARY"
	[ "$fail" = 0 ]
	exit
}

say "building the packages (make deb; log: $LOGS/deb.log)"
if make deb >"$LOGS/deb.log" 2>&1; then
	ok "make deb: $(cd "$BUILD/deb" && echo *.deb)"
else
	bad "make deb"
	tail -n 40 "$LOGS/deb.log" | sed 's/^/  | /'
	finish
fi

# lintian at its default level: no error, no warning.
if env PATH=/usr/sbin:/usr/bin:/sbin:/bin lintian --no-cfg \
	"$BUILD"/deb/*.changes >"$LOGS/lintian.log" 2>&1 &&
	! grep -E '^[EW]: ' "$LOGS/lintian.log"; then
	ok "lintian: no error or warning"
else
	bad "lintian (log: $LOGS/lintian.log)"
	sed 's/^/  | /' "$LOGS/lintian.log"
fi

# ipcctl's option parsing, on the packaged binary (no module needed).
ipcctl=$BUILD/deb/ipcdev-$(cat VERSION)/debian/ipcdev-tools/usr/bin/ipcctl
userspace/tools/ipcctl-options-test.sh "$ipcctl" >"$LOGS/ipcctl-options.log" 2>&1
op=$(grep -c '^ok ' "$LOGS/ipcctl-options.log")
of=$(grep -c '^not ok ' "$LOGS/ipcctl-options.log")
pass=$((pass + op))
fail=$((fail + of))
if [ "$op" = 0 ]; then
	bad "ipcctl-options-test.sh did not run ($ipcctl)"
	cat "$LOGS/ipcctl-options.log"
else
	say "ipcctl options: $(tail -n 1 "$LOGS/ipcctl-options.log")"
	grep -A2 '^not ok' "$LOGS/ipcctl-options.log"
fi

if [ ! -d "/lib/modules/$KVER/build" ]; then
	bad "no headers for the guest kernel $KVER (linux-headers-$KVER)"
	finish
fi

say "installing, using and purging them in a VM ($KVER)"
rc=0
# 2 vCPUs: dkms runs make -j$(nproc) in the guest.
t0=$(date +%s)
scripts/vm-run --kernel "$KVER" --smp 2 --timeout "${IPCDEV_VM_TIMEOUT:-5400}" \
	--results "$LOGS" -- scripts/guest-install.sh "$BUILD/deb" || rc=$?
say "the VM took $(( $(date +%s) - t0 )) s"

tap=$LOGS/install.tap
gp=$(grep -c '^ok ' "$tap" 2>/dev/null)
gf=$(grep -c '^not ok ' "$tap" 2>/dev/null)
pass=$((pass + ${gp:-0}))
fail=$((fail + ${gf:-0}))
if ! grep -q ' passed, .* failed$' "$tap" 2>/dev/null; then
	bad "the guest did not finish (vm-run exit $rc; logs: $LOGS)"
elif [ "$rc" != 0 ] && [ "${gf:-0}" = 0 ]; then
	bad "guest-install.sh exit $rc with no failed step"
fi
finish
