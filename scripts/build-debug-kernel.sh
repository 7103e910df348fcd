#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/build-debug-kernel.sh DIR: build the debug kernel of the
# reliability lane (KASAN, lockdep, kmemleak, ...) from Debian's
# linux-source-6.1 package, when ../shared/kernels/debug-6.1.tar.xz is not
# there.  The result has the tarball's layout: DIR/kdir-debug is a built
# tree that out-of-tree modules build against, with the bzImage at
# DIR/kdir-debug/bzImage.  Configuration, as for the shared build:
# x86_64 defconfig + kernel/configs/kvm_guest.config + the project's
# fragments scripts/debug-kernel/{debug,trim}.config, merged with
# merge_config.sh -m, then olddefconfig.  About 35 minutes on 2 cores; the
# result is cached, keyed by the fragments and the source package.
# IPCDEV_DEBUG_CONFIG_ONLY=1 stops after configuring (to check the step).
set -eu

HERE=$(dirname "$(readlink -f "$0")")
DIR=${1:?usage: build-debug-kernel.sh DIR}
SRC_TAR=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.1.tar.xz}
FRAGS="$HERE/debug-kernel/debug.config $HERE/debug-kernel/trim.config"
TREE=$DIR/kdir-debug

[ -r "$SRC_TAR" ] || { echo "build-debug-kernel: $SRC_TAR missing (make deps)" >&2; exit 1; }
# shellcheck disable=SC2086
key=$( (sha256sum $FRAGS; stat -c '%s %Y' "$SRC_TAR") | sha256sum | cut -c1-64)
if [ "$(cat "$DIR/.stamp" 2>/dev/null)" = "$key" ] && [ -f "$TREE/bzImage" ]; then
	exit 0
fi

rm -rf "$DIR"
mkdir -p "$DIR"
echo "build-debug-kernel: unpacking $SRC_TAR" >&2
tar -xJf "$SRC_TAR" -C "$DIR"
mv "$DIR/linux-source-6.1" "$TREE"
cd "$TREE"
make -s defconfig
# shellcheck disable=SC2086
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config $FRAGS >/dev/null
make -s olddefconfig
for opt in KASAN PROVE_LOCKING DEBUG_KMEMLEAK DEBUG_ATOMIC_SLEEP NET_9P_VIRTIO 9P_FS; do
	grep -q "^CONFIG_$opt=y" .config ||
		{ echo "build-debug-kernel: CONFIG_$opt did not stick" >&2; exit 1; }
done
[ "${IPCDEV_DEBUG_CONFIG_ONLY:-0}" = 1 ] && { echo "build-debug-kernel: configured $TREE" >&2; exit 0; }
echo "build-debug-kernel: building (about 35 minutes on 2 cores)" >&2
make -j"$(nproc)" bzImage modules >"$DIR/build.log" 2>&1 ||
	{ tail -n 30 "$DIR/build.log" >&2; exit 1; }
cp arch/x86/boot/bzImage "$TREE/bzImage"
echo "$key" >"$DIR/.stamp"
