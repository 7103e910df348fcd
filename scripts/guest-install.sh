#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/guest-install.sh DEBDIR: the real-install lane's guest part (run
# as root in a throwaway VM by scripts/install-check.sh; never on a real
# machine: it installs and purges packages and adds a user).
#
# Installs the .deb files of DEBDIR with dpkg, lets DKMS build the module
# for the running kernel, loads it with modprobe, runs smoke tests against
# the INSTALLED copies (a C program compiled with the installed header and
# `pkg-config ipcdev`, ipcctl from /usr/bin, the Python package from
# /usr/lib/python3/dist-packages with nothing of the source tree on
# sys.path), as a normal user, checks what the udev rule and the
# modules-load.d entry do, then purges the packages and checks that nothing
# is left.  Each step is one TAP test ("ok N - ..."), also appended to
# $VM_RESULTS/install.tap; the last line is `N passed, N failed`.
set -u

DEBDIR=$(readlink -f "${1:?usage: guest-install.sh DEBDIR}")
TOP=$(dirname "$(dirname "$(readlink -f "$0")")")
VERSION=$(cat "$TOP/VERSION")
KVER=$(uname -r)
TAP=${VM_RESULTS:-/tmp}/install.tap
WORK=$(mktemp -d /tmp/guest-install.XXXXXX)
USER_NAME=ipcdevtest
PKGS="ipcdev-dkms libipcdev2 libipcdev-dev ipcdev-tools python3-ipcdev"
DEVS="ipcqueue ipcpipe ipcshm ipcevent"
export DEBIAN_FRONTEND=noninteractive
# Debian's own tools only (no pyenv or virtualenv Python from the host).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME IPCDEV_LIB
# vm-run runs this in a chroot: let udevadm and udevd work there.
export SYSTEMD_IGNORE_CHROOT=1

n=0 pass=0 fail=0
: >"$TAP"

# step DESCRIPTION COMMAND...: one test, with its wall time; the command's
# output goes to $VM_RESULTS/step-N.log as it runs (on the host while the
# guest still runs: a slow dkms build can be watched) and is shown
# (indented) only when it fails.
step() {
	local desc=$1 log rc t0
	shift
	n=$((n + 1))
	log=${VM_RESULTS:-$WORK}/step-$n.log
	t0=$(date +%s)
	("$@") >"$log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n - $desc ($(( $(date +%s) - t0 )) s)" | tee -a "$TAP"
	else
		fail=$((fail + 1))
		echo "not ok $n - $desc (exit $rc, $(( $(date +%s) - t0 )) s)" | tee -a "$TAP"
		tail -n 40 "$log" | sed 's/^/#   /' | tee -a "$TAP"
	fi
	return $rc
}

as_user() { runuser -u "$USER_NAME" -- "$@"; }

# --- set-up -----------------------------------------------------------------
# DKMS builds for the running kernel and for the newest one in /boot; this
# guest stands for a machine with only its running kernel, so /boot shows
# just that one (a bind mount in the guest; the host's /boot is untouched).
# What systemd or udev set up on a real machine, and devtmpfs lacks: the
# /dev/fd links (bash's <(...), which dkms uses).
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do
	[ -e /dev/${i#*:} ] || ln -s /proc/self/fd/${i%%:*} /dev/${i#*:}
done
mkdir -p "$WORK/boot"
cp -p /boot/config-"$KVER" /boot/System.map-"$KVER" "$WORK/boot/" 2>/dev/null
mount --bind "$WORK/boot" /boot
useradd -m "$USER_NAME" 2>/dev/null
chmod 0755 "$WORK"
# Nothing from a previous run or the source tree must stand in for the
# installed copies.
modprobe -r ipcdev 2>/dev/null

echo "# guest-install: kernel $KVER, ipcdev $VERSION, packages from $DEBDIR"

# --- install ----------------------------------------------------------------
debs() {
	local p
	for p in $PKGS; do
		ls "$DEBDIR"/"${p}"_"$VERSION"_*.deb || return 1
	done
}
install_debs() {
	# man-db's trigger would re-index every manual page of the host's /usr
	# (read over 9p) under emulation, at install and at purge: off in this
	# throwaway guest, as /var/lib/man-db/auto-update allows.  The packages'
	# own pages are still checked, by name.
	rm -f /var/lib/man-db/auto-update
	# DKMS compiles the module in the emulated guest: long on a busy host.
	timeout 3600 dpkg -i $(debs) || return 1
	for p in $PKGS; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p")" = installed ] ||
			{ echo "$p: not installed"; return 1; }
	done
}
step "dpkg -i the five packages ($PKGS)" install_debs

dkms_installed() {
	dkms status ipcdev
	dkms status ipcdev/"$VERSION" -k "$KVER" | grep -q ': installed' && return
	tail -n 30 /var/lib/dkms/ipcdev/"$VERSION"/build/make.log
	return 1
}
step "DKMS built and installed ipcdev/$VERSION for $KVER" dkms_installed

module_installed() {
	local f
	f=$(modinfo -n ipcdev) || return 1	# found through modules.dep
	echo "$f"
	case $f in /lib/modules/"$KVER"/updates/*) ;; *) return 1 ;; esac
	[ "$(modinfo -F version ipcdev)" = "$VERSION" ]
}
step "modinfo ipcdev: in updates/, version $VERSION (depmod ran)" module_installed

load() {
	modprobe ipcdev || return 1
	grep -q '^ipcdev ' /proc/modules || return 1
	[ "$(cat /sys/module/ipcdev/version)" = "$VERSION" ] || return 1
	for d in $DEVS; do
		[ -c /dev/$d ] || { echo "no /dev/$d"; return 1; }
	done
}
step "modprobe ipcdev: loaded, /dev/ipc* present" load

# --- udev -------------------------------------------------------------------
start_udevd() {
	/lib/systemd/systemd-udevd --daemon </dev/null >/dev/null 2>&1 || return 1
	udevadm settle -t 30
}
step "systemd-udevd runs" start_udevd

# retrigger: the devices' add events again, as at boot.
retrigger() {
	udevadm control --reload || return 1
	udevadm trigger --action=add --subsystem-match=misc || return 1
	udevadm settle -t 30
}
# perms MODE GROUP: every device node has them.
perms() {
	local d st
	for d in $DEVS; do
		st=$(stat -c '%a %G' /dev/$d) || return 1
		echo "/dev/$d: $st"
		[ "$st" = "$1 $2" ] || return 1
	done
}

rule_matches() {
	local d out
	for d in $DEVS; do
		out=$(udevadm test --action=add /sys/class/misc/$d 2>&1)
		echo "$out" | grep -E '60-ipcdev.rules:[0-9]+ MODE 0666' ||
			{ echo "$out" | tail -n 20; return 1; }
	done
}
step "udevadm test: /lib/udev/rules.d/60-ipcdev.rules sets MODE 0666 on each device" rule_matches

default_perms() {
	local d
	for d in $DEVS; do chmod 0600 /dev/$d || return 1; done
	retrigger || return 1
	perms 666 root
}
step "udev rule: the devices are 0666 root after an add event" default_perms

# The restriction the rule file documents, taken from its comment verbatim.
group_perms() {
	local rule
	rule=$(sed -n 's/^#   \(SUBSYSTEM==.*GROUP="ipcdev".*\)$/\1/p' \
		/lib/udev/rules.d/60-ipcdev.rules)
	[ -n "$rule" ] || { echo "no group rule in the comment"; return 1; }
	echo "$rule"
	groupadd --system ipcdev || return 1
	echo "$rule" >/etc/udev/rules.d/60-ipcdev.rules
	retrigger || return 1
	perms 660 ipcdev || return 1
	# The user is not in the group: refused.  Back to the default.
	if as_user sh -c 'exec 3</dev/ipcqueue'; then
		echo "a user outside the group opened /dev/ipcqueue"
		return 1
	fi
	# Back to the default: without the override, the nodes as the
	# module creates them (a reload, as at the next boot: a rule that
	# sets no GROUP leaves a node's group as it was), then an add event
	# under the packaged rule alone.
	rm -f /etc/udev/rules.d/60-ipcdev.rules
	udevadm control --reload || return 1
	modprobe -r ipcdev && modprobe ipcdev || return 1
	udevadm settle -t 30
	for d in $DEVS; do chmod 0600 /dev/$d || return 1; done
	retrigger || return 1
	perms 666 root
}
step "udev rule: the documented override gives 0660 group ipcdev, then back" group_perms

# --- the installed library ----------------------------------------------------
cat >"$WORK/smoke.c" <<'EOF'
/* Built against the installed <ipcdev.h> and libipcdev.so. */
#include <stdio.h>
#include <string.h>
#include <ipcdev.h>

int main(int argc, char **argv)
{
	struct ipc_queue_attr attr = { .maxsize = 4 };
	char buf[16];
	int q;
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "version")) {
		puts(ipc_version());
		return 0;
	}
	q = ipc_queue_create(&attr);
	if (q < 0) {
		printf("ipc_queue_create: %s\n", ipc_strerror(q));
		return 1;
	}
	if (ipc_queue_put(q, "hello", 5, 1, IPC_FOREVER) < 0)
		return 2;
	n = ipc_queue_get(q, buf, sizeof(buf), NULL, 1, 1000000000);
	if (n != 5 || memcmp(buf, "hello", 5))
		return 3;
	puts("queue ok");
	return ipc_queue_close(q) ? 4 : 0;
}
EOF
chmod 0644 "$WORK/smoke.c"

build_smoke() {
	local lib
	[ "$(pkg-config --modversion ipcdev)" = "$VERSION" ] || return 1
	pkg-config --cflags --libs ipcdev
	# Installed header only: no -I into the tree.
	cc -Wall -Werror -o "$WORK/smoke" "$WORK/smoke.c" \
		$(pkg-config --cflags --libs ipcdev) || return 1
	# The ld.so cache may name /lib/<triplet> (merged /usr): compare
	# real paths.
	lib=$(ldd "$WORK/smoke" | sed -n 's/^[[:space:]]*libipcdev.so.2 => \([^ ]*\) .*/\1/p')
	echo "libipcdev.so.2 => $lib ($(readlink -f "$lib"))"
	case $(readlink -f "$lib") in /usr/lib/*/libipcdev.so.2.*) ;; *) return 1 ;; esac
	[ "$("$WORK/smoke" version)" = "$VERSION" ]
}
step "cc with pkg-config ipcdev: links /usr/lib/*/libipcdev.so.2, ipc_version() = $VERSION" build_smoke

lib_smoke() {
	as_user "$WORK/smoke" | tee /dev/stderr | grep -qx 'queue ok'
}
step "libipcdev (installed): a queue put/get as a normal user" lib_smoke

# --- ipcctl -----------------------------------------------------------------
ipcctl_smoke() {
	[ "$(command -v ipcctl)" = /usr/bin/ipcctl ] || return 1
	[ "$(ipcctl --version)" = "ipcctl $VERSION" ] || return 1
	as_user ipcctl queue create inst-jobs --maxsize 4 || return 1
	echo hello | as_user ipcctl queue put inst-jobs - || return 1
	as_user ipcctl ls -j | grep -q inst-jobs || return 1
	[ "$(as_user ipcctl queue get inst-jobs -t 5)" = hello ] || return 1
	as_user ipcctl rm queue inst-jobs || return 1
	man -w ipcctl | grep -q '^/usr/share/man/man1/ipcctl.1' || return 1
	[ -r /usr/share/bash-completion/completions/ipcctl ]
}
step "ipcctl (installed): --version, create/put/get/rm as a normal user, man page, completion" ipcctl_smoke

# --- Python -------------------------------------------------------------------
cat >"$WORK/smoke.py" <<'EOF'
import sys
import ipcdev
want = sys.argv[1]
assert ipcdev.__file__.startswith("/usr/lib/python3/dist-packages/ipcdev/"), ipcdev.__file__
assert ipcdev.__version__ == want, (ipcdev.__version__, want)
maps = open("/proc/self/maps").read()
import os
libs = {os.path.realpath(l.split()[-1]) for l in maps.splitlines() if "libipcdev" in l}
assert libs and all(p.startswith("/usr/lib/") for p in libs), libs
q = ipcdev.Queue(4)
q.put({"n": 1})
assert q.get(timeout=5) == {"n": 1}
a, b = ipcdev.Pipe()
a.send("ping")
assert b.recv() == "ping"
e = ipcdev.Event()
e.set()
assert e.wait(1)
v = ipcdev.Value("i", 41)
with v.get_lock():
    v.value += 1
assert v.value == 42
print("python ok", ipcdev.__version__, sorted(libs))
EOF
chmod 0644 "$WORK/smoke.py"
py_smoke() {
	# -I: isolated (no PYTHONPATH, no user site, no script dir on
	# sys.path); run from / so no source tree is near.
	(cd / && as_user /usr/bin/python3 -I "$WORK/smoke.py" "$VERSION")
}
step "python3 -I: ipcdev from dist-packages, version $VERSION, Queue/Pipe/Event/Value" py_smoke

# The README's package block ("Building and using it on a real machine"),
# from `sudo modprobe ipcdev` to the Python one-liner: each line run as
# written, the sudo lines as root (the guest has no sudo set up for the
# user), the others as the normal user.  Its install and purge lines ask
# apt's question, so the steps above and below do them with dpkg.
readme_lines() {
	awk '/^The simplest way to install it/ { f = 1 }
	     f && /^```sh$/ { b = 1; next }
	     b && /^```$/ { exit }
	     b && /^sudo modprobe ipcdev/ { p = 1 }
	     b && p { print }
	     b && p && /^python3 -c/ { exit }' "$TOP/README.md"
}
readme_verbatim() {
	local line n=0
	while IFS= read -r line; do
		n=$((n + 1))
		echo "README: $line"
		case $line in
		"sudo "*) sh -c "${line#sudo }" ;;
		*) (cd / && as_user sh -c "$line") ;;
		esac || { echo "README line failed: $line"; return 1; }
	done < <(readme_lines)
	[ "$n" -ge 4 ] || { echo "README block not found ($n lines)"; return 1; }
}
step "README's real-machine lines (modprobe, ipcctl, the Python one-liner) run verbatim" readme_verbatim

# --- unload, the hint, modules-load.d ----------------------------------------
unload() {
	modprobe -r ipcdev || return 1
	! grep -q '^ipcdev ' /proc/modules
}
step "modprobe -r ipcdev" unload

hint() {
	local out
	out=$(as_user "$WORK/smoke")
	echo "$out"
	echo "$out" | grep -qF 'is the ipcdev module loaded? (modprobe ipcdev)' || return 1
	out=$(as_user ipcctl stat queue nothing 2>&1)
	echo "$out"
	echo "$out" | grep -qF 'is the ipcdev module loaded? (modprobe ipcdev)'
}
step "module not loaded: libipcdev and ipcctl say 'is the ipcdev module loaded? (modprobe ipcdev)'" hint

boot_load() {
	grep -qx ipcdev /usr/lib/modules-load.d/ipcdev.conf || return 1
	# What systemd-modules-load.service does at boot.
	/lib/systemd/systemd-modules-load /usr/lib/modules-load.d/ipcdev.conf || return 1
	grep -q '^ipcdev ' /proc/modules || return 1
	modprobe -r ipcdev
}
step "modules-load.d/ipcdev.conf: systemd-modules-load loads the module" boot_load

# --- purge --------------------------------------------------------------------
for p in $PKGS; do dpkg -L "$p"; done 2>/dev/null | sort -u >"$WORK/files"
purge() {
	timeout 1800 dpkg --purge $PKGS || return 1
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = not-installed ] ||
			{ echo "$p: $st"; return 1; }
	done
}
step "dpkg --purge the five packages" purge

nothing_left() {
	local f left=0
	while read -r f; do
		# Directories of other packages (/usr, /usr/lib, ...) stay, and
		# so do merged /usr's links to them (/lib -> usr/lib); this
		# package's own directories are checked by name below.
		[ -d "$f" ] && continue
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "left: $f"
			left=1
		fi
	done <"$WORK/files"
	for p in $PKGS; do
		[ -e /usr/share/doc/"$p" ] && { echo "left: /usr/share/doc/$p"; left=1; }
	done
	for f in /usr/src/ipcdev-"$VERSION" /var/lib/dkms/ipcdev \
		 /usr/libexec/ipcdev /usr/lib/python3/dist-packages/ipcdev \
		 /lib/modules/"$KVER"/updates/dkms/ipcdev.ko \
		 /lib/modules/"$KVER"/updates/dkms/ipcdev.ko.xz; do
		[ -e "$f" ] && { echo "left: $f"; left=1; }
	done
	ls /usr/lib/python3/dist-packages | grep -i '^ipcdev' && left=1
	if modinfo ipcdev >/dev/null 2>&1; then
		echo "modinfo still finds ipcdev: $(modinfo -n ipcdev)"
		left=1
	fi
	grep -q '^ipcdev ' /proc/modules && { echo "module loaded"; left=1; }
	[ $left = 0 ]
}
step "nothing left: no package file, no /usr/src or dkms tree, no module for modinfo" nothing_left

# --- done ---------------------------------------------------------------------
umount /boot 2>/dev/null
echo "$pass passed, $fail failed" | tee -a "$TAP"
[ "$fail" = 0 ]
