#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/guest-check.sh MODULE.ko TESTDIR: the test suite, run INSIDE the
# test VM (scripts/vm-run) as root, on one kernel.
#
#   1. insmod MODULE.ko; /dev/ipcqueue must appear          (1 test)
#   2. every executable TESTDIR/*_test (kselftest-harness programs printing
#      TAP), each under `timeout $IPCDEV_TEST_TIMEOUT` (default 300 s).
#      IPCDEV_EXPECTED_TESTS=FILE lists (one name a line) the programs that
#      must be there: a missing one is a failed test, one not listed is not
#      run.  Faults-only programs (ipcfault*_test: they need fail-nth) run
#      only when IPCDEV_LANE=faults, and are neither run nor expected
#      elsewhere.
#   3. python step: IPCDEV_PYTEST=PATH runs `/usr/bin/python3 -m pytest PATH`
#      (the ipcdev Python package's tests, userspace/python/tests, set by
#      scripts/check.sh; nothing runs when unset), under
#      `timeout $IPCDEV_PYTEST_TIMEOUT` (default 600 s); its summary's
#      passed/failed/errors/skipped are counted (skipped as failed), and a
#      pytest that exits non-zero without a failure counts 1 failed
#   4. /proc/ipcdev/stats must exist; printed (objects should be 0 unless
#      named objects are still linked)                       (1 test)
#   5. kmemleak scan with the module loaded, when the kernel has kmemleak
#   6. rmmod ipcdev must succeed                              (1 test)
#   7. kmemleak scan after rmmod, then the kernel log since step 1 must hold
#      no BUG/WARNING/Oops/lockdep/KASAN/kmemleak/... line, and no KCSAN
#      report naming the module or unknown (scripts/log-scan.sh: the one
#      list of reports and of the core kernel's known KCSAN reports)
#                                                             (1 test)
#
# Counting: `ok N ...` passes, `not ok N ...` fails, `ok N ... # SKIP` FAILS
# (a test that cannot run is a failed test).  A test program that exits
# non-zero without a failed result, times out, or prints fewer results than
# its `1..N` plan gets the missing results counted as failed (at least 1).
#
# Prints one summary line `kernel <release>: N passed, N failed` and keeps
# the counts in $VM_RESULTS/counts (`passed N` / `failed N`, updated as it
# goes, so a crash mid-way still leaves what was counted).  Exit status 0
# only when nothing failed.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 MODULE.ko TESTDIR" >&2
	exit 2
fi
MODULE=$1
export IPCDEV_KO=$(readlink -f "$MODULE")	# for ipcunload_test
TESTDIR=$2
TEST_TIMEOUT=${IPCDEV_TEST_TIMEOUT:-300}
RESULTS=${VM_RESULTS:-}
LANE=${IPCDEV_LANE:-stock}
EXPECTED=${IPCDEV_EXPECTED_TESTS:-}
LOGSCAN=$(dirname "$(readlink -f "$0")")/log-scan.sh
KREL=$(uname -r)
DEV=/dev/ipcqueue
STATS=/proc/ipcdev/stats
KMEMLEAK=/sys/kernel/debug/kmemleak
MARK="guest-check: start $$ $(date +%s)"

passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

save_counts() {
	[ -n "$RESULTS" ] || return 0
	printf 'passed %d\nfailed %d\n' "$passed" "$failed" >"$RESULTS/counts.tmp"
	mv "$RESULTS/counts.tmp" "$RESULTS/counts"
}

# result PASS|FAIL NAME: one check of this script.
result() {
	if [ "$1" = PASS ]; then
		passed=$((passed + 1))
		echo "[PASS] $2"
	else
		failed=$((failed + 1))
		echo "[FAIL] $2"
	fi
	save_counts
}

# The kernel log since the start mark (the boot's own messages are not ours).
log_since_mark() {
	dmesg | awk -v m="$MARK" 'found { print } index($0, m) { found = 1 }'
}

echo "guest-check: kernel $KREL (lane $LANE), module $MODULE, tests in $TESTDIR"

# A report already in the log before we start means a broken boot (the debug
# kernel does that in one boot in ten to two): say so.  The host judges it
# from the console log, which the ring buffer cannot have lost.  With
# IPCDEV_BOOT_RETRY=1 (scripts/check.sh), a boot whose only report is the
# test kernel's known early one (log-scan.sh --known-early) ends here with
# status 75 and nothing counted: the host boots again instead of running
# the whole suite with lockdep off.
if ! dmesg | "$LOGSCAN" --boot >"$tmp/boot-bad"; then
	echo "guest-check: the kernel reported problems during boot, before the module was loaded:"
	sed 's/^/  | /' "$tmp/boot-bad"
	[ -n "$RESULTS" ] && cp "$tmp/boot-bad" "$RESULTS/broken-boot"
	if [ "${IPCDEV_BOOT_RETRY:-0}" = 1 ] && "$LOGSCAN" --known-early <"$tmp/boot-bad"; then
		echo "guest-check: a broken boot (only the test kernel's known early report): not running the suite, exit 75"
		exit 75
	fi
fi
echo "$MARK" >/dev/kmsg
[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK" 2>/dev/null || true

# --- 1. load ------------------------------------------------------------
loaded=
if insmod "$MODULE"; then
	loaded=1
	if [ -c "$DEV" ]; then
		result PASS "insmod $(basename "$MODULE"), $DEV present"
	else
		result FAIL "insmod $(basename "$MODULE"): $DEV missing"
	fi
else
	result FAIL "insmod $MODULE"
fi

# --- 2. kselftest programs ---------------------------------------------------
# run_test PROG: run one TAP program and count its results.
run_test() {
	local prog=$1 name out rc plan ok notok skip results missing t0
	name=$(basename "$prog")
	out=$tmp/$name.out
	echo "guest-check: running $name"
	t0=$(date +%s)
	set +e
	(cd "$(dirname "$prog")" && timeout -k 10 "$TEST_TIMEOUT" "./$name") 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n1)
	ok=$(grep -cE '^ok [0-9]+' "$out" || true)
	skip=$(grep -E '^ok [0-9]+' "$out" | grep -ciE '#[[:space:]]*SKIP' || true)
	notok=$(grep -cE '^not ok [0-9]+' "$out" || true)
	results=$((ok + notok))
	missing=0
	if [ -n "$plan" ] && [ "$plan" -gt "$results" ]; then
		missing=$((plan - results))
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "guest-check: $name timed out after ${TEST_TIMEOUT}s"
		[ "$missing" -ge 1 ] || missing=1
	elif [ "$rc" != 0 ] && [ "$notok" = 0 ]; then
		echo "guest-check: $name exited with status $rc"
		[ "$missing" -ge 1 ] || missing=1
	elif [ -z "$plan" ] && [ "$results" = 0 ]; then
		echo "guest-check: $name printed no TAP results"
		missing=1
	fi
	passed=$((passed + ok - skip))
	failed=$((failed + notok + skip + missing))
	echo "guest-check: $name: $((ok - skip)) passed, $((notok + skip + missing)) failed" \
		"(ok $ok, not ok $notok, skipped $skip, missing $missing, exit $rc," \
		"$(( $(date +%s) - t0 )) s)"
	save_counts
}

# lane_test NAME: whether NAME belongs on this lane.
lane_test() {
	case $1 in
	ipcfault*_test) [ "$LANE" = faults ] ;;
	ipcmempressure_test) [ "$LANE" != debug ] ;;	# no memcg, no fail-nth
	ipcbig_gib_lib_test) [ "${IPCDEV_GIB:-0}" = 1 ] ;;	# 1 GiB round trips
	*) return 0 ;;
	esac
}

tests=
for t in $(find "$TESTDIR" -maxdepth 1 -type f -name '*_test' -perm -u+x 2>/dev/null | sort); do
	n=$(basename "$t")
	if ! lane_test "$n"; then
		echo "guest-check: $n: not a test of the $LANE lane, not run"
	elif [ -n "$EXPECTED" ] && ! grep -qx "$n" "$EXPECTED"; then
		echo "guest-check: $n: not in the expected list $EXPECTED, not run"
	else
		tests="$tests $t"
	fi
done
if [ -n "$EXPECTED" ]; then
	if [ ! -r "$EXPECTED" ]; then
		result FAIL "expected test list $EXPECTED unreadable"
	else
		while read -r n; do
			[ -n "$n" ] && lane_test "$n" || continue
			[ -x "$TESTDIR/$n" ] || result FAIL "$n: expected test program missing from $TESTDIR"
		done <"$EXPECTED"
	fi
fi
if [ -z "$tests" ]; then
	result FAIL "no *_test programs in $TESTDIR"
elif [ -z "$loaded" ]; then
	for t in $tests; do result FAIL "$(basename "$t") (module not loaded)"; done
else
	for t in $tests; do run_test "$t"; done
fi

# --- 3. python step (hook) -----------------------------------------------------
if [ -n "${IPCDEV_PYTEST:-}" ]; then
	# The Python 1 GiB objects (pytest mark "gib", pickled and copied
	# several times: many minutes under emulation) only with
	# IPCDEV_PYTEST_GIB=1 and IPCDEV_GIB=1; ipcbig_gib_lib_test moves
	# 1 GiB through the same kernel paths from C.  Deselected tests are
	# neither passed nor failed.
	pytest_sel=()
	[ "${IPCDEV_GIB:-0}${IPCDEV_PYTEST_GIB:-0}" = 11 ] || pytest_sel=(-m "not gib")
	# IPCDEV_PYTEST_MARK: only the tests of that mark (the rt lane: gib).
	[ -n "${IPCDEV_PYTEST_MARK:-}" ] && pytest_sel=(-m "$IPCDEV_PYTEST_MARK")
	echo "guest-check: pytest $IPCDEV_PYTEST${pytest_sel[*]:+ (lane $LANE: ${pytest_sel[*]})}"
	t0=$(date +%s)
	set +e
	timeout -k 10 "${IPCDEV_PYTEST_TIMEOUT:-600}" \
		/usr/bin/python3 -m pytest -q -rfEs -p no:cacheprovider "${pytest_sel[@]}" "$IPCDEV_PYTEST" 2>&1 | tee "$tmp/pytest.out"
	rc=${PIPESTATUS[0]}
	set -e
	last=$(grep -E '[0-9]+ (passed|failed|error|errors|skipped)' "$tmp/pytest.out" | tail -n1)
	count() { echo "$last" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' || echo 0; }
	p=$(count passed); f=$(count failed); e=$(count 'errors?'); s=$(count skipped)
	pf=$((f + e + s))
	[ "$rc" != 0 ] && [ "$pf" = 0 ] && pf=1
	passed=$((passed + p)); failed=$((failed + pf))
	echo "guest-check: pytest: $p passed, $pf failed (exit $rc, $(( $(date +%s) - t0 )) s)"
	save_counts
fi

# --- 4. stats ---------------------------------------------------------------
if [ -n "$loaded" ]; then
	if [ -r "$STATS" ]; then
		echo "guest-check: $STATS:"
		sed 's/^/  /' "$STATS"
		result PASS "$STATS readable"
	else
		result FAIL "$STATS missing"
	fi
fi

# --- 5-7. kmemleak, rmmod, kernel log ---------------------------------------------
# kmemleak_scan WHEN: ask kmemleak for a scan and print what it found.
kmemleak_scan() {
	[ -w "$KMEMLEAK" ] || return 0
	local found
	echo scan >"$KMEMLEAK" 2>/dev/null || return 0
	found=$(cat "$KMEMLEAK" 2>/dev/null || true)	# debugfs: size is always 0
	if [ -n "$found" ]; then
		echo "guest-check: kmemleak ($1):"
		echo "$found" | sed 's/^/  | /'
		echo "guest-check: kmemleak: unreferenced object reported ($1)" >/dev/kmsg
	fi
}

if [ -n "$loaded" ]; then
	kmemleak_scan "module loaded"
	if rmmod ipcdev; then
		result PASS "rmmod ipcdev"
	else
		result FAIL "rmmod ipcdev"
	fi
	kmemleak_scan "after rmmod"
fi

: >"$tmp/ignored"
if ! dmesg | grep -qF "$MARK"; then
	# The ring buffer overflowed: what is left cannot be judged here (the
	# host scans the console log, which has it all).
	echo "guest-check: the start mark is gone from the kernel ring buffer"
	result FAIL "kernel log clean (start mark lost: ring buffer overflowed; see the console log)"
elif log_since_mark | "$LOGSCAN" --ignored "$tmp/ignored" >"$tmp/bad"; then
	result PASS "kernel log clean (BUG/WARNING/lockdep/KASAN/KCSAN/kmemleak...)"
else
	echo "guest-check: kernel log reports:"
	sed 's/^/  | /' "$tmp/bad"
	result FAIL "kernel log clean (BUG/WARNING/lockdep/KASAN/KCSAN/kmemleak...)"
fi
if [ -s "$tmp/ignored" ]; then
	echo "guest-check: known core-kernel reports, ignored (scripts/log-scan.sh):"
	sort "$tmp/ignored" | uniq -c | sed 's/^/  | /'
fi

echo "kernel $KREL: $passed passed, $failed failed"
[ "$failed" = 0 ]
