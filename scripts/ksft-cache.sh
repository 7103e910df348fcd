#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/ksft-cache.sh [DIR]: extract, once, the few files of the kernel
# source that the project uses from Debian's linux-source-6.1 tarball:
#
#   DIR/kselftest.h, DIR/kselftest_harness.h   (so that `-I DIR` finds them)
#   DIR/checkpatch/checkpatch.pl               (+ spelling.txt and
#                                               const_structs.checkpatch,
#                                               which it reads from its own
#                                               directory; --no-tree needs
#                                               nothing else)
#
# DIR defaults to /var/cache/ipcdev/ksft.  A stamp file makes repeat calls
# instant.  These files are never copied into the repository.
set -eu

DIR=${1:-${KSFT_DIR:-/var/cache/ipcdev/ksft}}
SRC_TAR=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.1.tar.xz}
STAMP=$DIR/.stamp

[ -f "$STAMP" ] && exit 0

if [ ! -r "$SRC_TAR" ]; then
	echo "ksft-cache.sh: $SRC_TAR missing: install linux-source-6.1 (make deps)" >&2
	exit 1
fi

top=linux-source-6.1
members="
	$top/tools/testing/selftests/kselftest.h
	$top/tools/testing/selftests/kselftest_harness.h
	$top/scripts/checkpatch.pl
	$top/scripts/spelling.txt
	$top/scripts/const_structs.checkpatch
"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ksft-cache.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Explicit member names plus --occurrence: tar stops reading (and
# decompressing) the 130 MB archive as soon as it has found all of them.
# shellcheck disable=SC2086
tar -xJf "$SRC_TAR" -C "$tmp" --occurrence $members

mkdir -p "$DIR/checkpatch"
cp "$tmp/$top/tools/testing/selftests/kselftest.h" \
   "$tmp/$top/tools/testing/selftests/kselftest_harness.h" "$DIR/"
cp "$tmp/$top/scripts/checkpatch.pl" "$tmp/$top/scripts/spelling.txt" \
   "$tmp/$top/scripts/const_structs.checkpatch" "$DIR/checkpatch/"
chmod +x "$DIR/checkpatch/checkpatch.pl"
date > "$STAMP"
