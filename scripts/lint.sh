#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/lint.sh [KDIR]: `make lint`.
#   - sparse: make -C KDIR M=build/lint C=2 W=1 modules, on a copy of the
#     module's sources; any warning or error about our files fails;
#   - checkpatch.pl --strict --no-tree -f on module/*.[ch] and
#     uapi/linux/ipcdev.h (checkpatch comes from scripts/ksft-cache.sh, in
#     $KSFT_DIR/checkpatch); any ERROR, WARNING or CHECK fails.
# Exit status 0 only when both are clean.
set -eu

cd "$(dirname "$(readlink -f "$0")")/.."
TOP=$PWD
BUILD=${BUILD:-$TOP/build}
KSFT_DIR=${KSFT_DIR:-${IPCDEV_CACHE:-/var/cache/ipcdev}/ksft}
KDIR=${1:-/lib/modules/$(ls -1 /lib/modules | sort -V | tail -n1)/build}
unset MAKELEVEL MAKEFLAGS MFLAGS || true

scripts/ksft-cache.sh "$KSFT_DIR"
CHECKPATCH=$KSFT_DIR/checkpatch/checkpatch.pl
rc=0

# --- sparse -------------------------------------------------------------------
LINT=$BUILD/lint
rm -rf "$LINT"
mkdir -p "$LINT"
cp -r Kbuild VERSION module uapi "$LINT/"
echo "lint: sparse (C=2 W=1) against $KDIR"
set +e
make -C "$KDIR" M="$LINT" C=2 W=1 modules >"$LINT/sparse.log" 2>&1
mrc=$?
set -e
# Sparse and compiler diagnostics about our files (paths under the copy).
grep -E "(^|/)(module|uapi)/[^:]+:[0-9]+:[0-9]+: (warning|error)" "$LINT/sparse.log" |
	sed "s|$LINT/||" >"$LINT/sparse.warnings" || true
if [ "$mrc" != 0 ]; then
	echo "lint: the sparse build failed:"
	tail -n 30 "$LINT/sparse.log" | sed 's/^/  | /'
	rc=1
fi
if [ -s "$LINT/sparse.warnings" ]; then
	echo "lint: sparse/compiler warnings:"
	cat "$LINT/sparse.warnings"
	rc=1
else
	echo "lint: sparse clean"
fi

# --- checkpatch -----------------------------------------------------------------
echo "lint: checkpatch --strict"
files=$(ls module/*.c module/*.h uapi/linux/ipcdev.h 2>/dev/null)
set +e
# shellcheck disable=SC2086
perl "$CHECKPATCH" --strict --no-tree --no-summary --terse --show-types \
	--no-signoff --quiet -f $files >"$LINT/checkpatch.log" 2>&1
set -e
if grep -qE '(ERROR|WARNING|CHECK):' "$LINT/checkpatch.log"; then
	cat "$LINT/checkpatch.log"
	echo "lint: checkpatch: $(grep -cE '(ERROR|WARNING|CHECK):' "$LINT/checkpatch.log") issue(s)"
	rc=1
else
	echo "lint: checkpatch clean"
fi

[ "$rc" = 0 ] && echo "lint: OK" || echo "lint: FAILED"
exit "$rc"
