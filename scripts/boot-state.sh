#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/boot-state.sh snapshot FILE | compare FILE: what the machine boots,
# as a listing that can be compared before and after `make check` or
# `make demo` (neither may change it).
#
# The listing: every file, link and directory under /boot (kernels,
# initramfs images, /boot/grub, /boot/efi), /etc/default/grub,
# /etc/default/grub.d, /etc/grub.d and /etc/kernel (type, mode, link target,
# SHA256 of the content), and the installed linux-image-* packages with their
# versions and states.  IPCDEV_BOOT_PATHS="dir ..." replaces the list of
# paths (to test this script without touching /boot).
#
# compare prints the differences and exits 1 when there are any.
set -eu

PATHS=${IPCDEV_BOOT_PATHS:-/boot /etc/default/grub /etc/default/grub.d /etc/grub.d /etc/kernel}

listing() {
	local p
	for p in $PATHS; do
		[ -e "$p" ] || [ -L "$p" ] || { echo "absent $p"; continue; }
		find "$p" -printf '%y %m %p -> %l\n' | sort
		find "$p" -type f -print0 | sort -z | xargs -0 -r sha256sum
	done
	echo "# installed linux-image packages"
	dpkg-query -W -f='${db:Status-Status} ${Package} ${Version}\n' 'linux-image-*' 2>/dev/null |
		awk '$1 != "not-installed"' | sort
}

case ${1:-}/$# in
snapshot/2)
	listing >"$2"
	;;
compare/2)
	now=$(mktemp)
	trap 'rm -f "$now"' EXIT
	listing >"$now"
	if ! diff -u --label before --label after "$2" "$now"; then
		exit 1
	fi
	;;
*)
	echo "usage: $0 snapshot FILE | compare FILE" >&2
	exit 2
	;;
esac
