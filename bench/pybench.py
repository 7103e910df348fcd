#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/pybench.py: the ipcdev Python package against multiprocessing.

Run in a guest with the module loaded (bench/run.sh does it, with 2 vCPUs
and with 1):

    python3 bench/pybench.py [--rounds N] [--scale F] [--title T] [--only A,B]

Each test runs the same code with `ipcdev` and with `multiprocessing` as
the module (fork start method), the two interleaved in every round and
their order alternating from round to round; the table gives the median
(min-max) seconds of each and the ratio of the medians, ipcdev /
multiprocessing (target <= 1.0x).  A test that raises, hangs past its
limit, or returns a wrong result is marked FAILED (with the reason) and
the other tests go on.  Processes are made by os.fork() and start on a
signal (a byte on an os.pipe) after the clock starts, so the fork itself
is not timed; every received item is checked.
"""

import argparse
import os
import queue
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "userspace", "python"))

import multiprocessing  # noqa: E402
import ipcdev  # noqa: E402

MODS = {"ipcdev": ipcdev, "multiprocessing": multiprocessing}


class Failed(Exception):
    pass


class Kids:
    """Forked children that run fn() once the parent says go."""

    def __init__(self):
        self.pids = []
        self.gos = []

    def spawn(self, fn, *args):
        rd, wr = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(wr)
                os.read(rd, 1)
                fn(*args)
                code = 0
            except BaseException:
                import traceback
                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(rd)
        self.pids.append(pid)
        self.gos.append(wr)

    def go(self):
        for wr in self.gos:
            os.write(wr, b"g")
            os.close(wr)
        self.gos = []

    def wait(self, limit=600):
        end = time.monotonic() + limit
        bad = []
        for pid in self.pids:
            while True:
                p, status = os.waitpid(pid, os.WNOHANG)
                if p:
                    if os.waitstatus_to_exitcode(status) != 0:
                        bad.append(pid)
                    break
                if time.monotonic() > end:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    bad.append(pid)
                    break
                time.sleep(0.002)
        self.pids = []
        if bad:
            raise Failed("child %s failed" % bad)

    def check_alive(self):
        """Failed if a child has already failed (its side of the test
        raised: nobody will send what the parent waits for)."""
        for pid in list(self.pids):
            p, status = os.waitpid(pid, os.WNOHANG)
            if p:
                self.pids.remove(pid)
                if os.waitstatus_to_exitcode(status) != 0:
                    raise Failed("the child failed (its traceback above)")

    def get(self, q, limit):
        """q.get(), checking every second that the children still run."""
        end = time.monotonic() + limit
        while True:
            try:
                return q.get(timeout=1)
            except queue.Empty:
                self.check_alive()
                if time.monotonic() > end:
                    raise Failed("nothing received in %d s" % limit)

    def kill(self):
        for wr in self.gos:
            os.close(wr)
        self.gos = []
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        self.pids = []


def _finish(q):
    """Before a producer exits: multiprocessing's feeder thread must flush."""
    q.close()
    q.join_thread()


# --- the tests: each returns the seconds of its timed part ------------------

def queue_stream(m, n, item):
    q = m.Queue()
    kids = Kids()

    def producer():
        for i in range(n):
            q.put((i, item))
        _finish(q)
    try:
        kids.spawn(producer)
        t = time.monotonic()
        kids.go()
        for i in range(n):
            j, got = kids.get(q, 120)
            if j != i or len(got) != len(item):
                raise Failed("item %d: got %d (%d bytes)" % (i, j, len(got)))
        dt = time.monotonic() - t
        kids.wait()
        return dt
    finally:
        kids.kill()


def queue_small(m, scale):
    return queue_stream(m, int(20000 * scale), b"x" * 32)


def queue_1mib(m, scale):
    return queue_stream(m, max(int(100 * scale), 2), b"y" * (1 << 20))


def queue_100mib(m, scale):
    big = bytes(range(256)) * (100 << 12)      # 100 MiB
    q = m.Queue()
    kids = Kids()

    def producer():
        q.put(big)
        _finish(q)
    try:
        kids.spawn(producer)
        t = time.monotonic()
        kids.go()
        got = kids.get(q, 300)
        dt = time.monotonic() - t
        if got != big:
            raise Failed("the 100 MiB object came back different")
        kids.wait()
        return dt
    finally:
        kids.kill()


def pipe_rtt(m, scale):
    n = int(5000 * scale)
    a, b = m.Pipe()
    kids = Kids()

    def echo():
        for _ in range(n):
            b.send(b.recv())
    try:
        kids.spawn(echo)
        t = time.monotonic()
        kids.go()
        for i in range(n):
            a.send(i)
            if a.recv() != i:
                raise Failed("round trip %d" % i)
        dt = time.monotonic() - t
        kids.wait()
        return dt
    finally:
        kids.kill()


def pipe_rtt_bytes(m, scale):
    n = int(5000 * scale)
    a, b = m.Pipe()
    msg = b"z" * 64
    kids = Kids()

    def echo():
        for _ in range(n):
            b.send_bytes(b.recv_bytes())
    try:
        kids.spawn(echo)
        t = time.monotonic()
        kids.go()
        for i in range(n):
            a.send_bytes(msg)
            if a.recv_bytes() != msg:
                raise Failed("round trip %d" % i)
        dt = time.monotonic() - t
        kids.wait()
        return dt
    finally:
        kids.kill()


def event_pingpong(m, scale):
    n = int(2000 * scale)
    ping, pong = m.Event(), m.Event()
    kids = Kids()

    def responder():
        for _ in range(n):
            if not ping.wait(60):
                raise Failed("no ping")
            ping.clear()
            pong.set()
    try:
        kids.spawn(responder)
        t = time.monotonic()
        kids.go()
        for i in range(n):
            ping.set()
            if not pong.wait(60):
                raise Failed("no pong %d" % i)
            pong.clear()
        dt = time.monotonic() - t
        kids.wait()
        return dt
    finally:
        kids.kill()


def value_lock(m, scale, nproc):
    n = int(10000 * scale)
    v = m.Value("i", 0)

    def work():
        for _ in range(n):
            with v.get_lock():
                v.value += 1
    kids = Kids()
    try:
        for _ in range(nproc):
            kids.spawn(work)
        t = time.monotonic()
        kids.go()
        kids.wait()
        dt = time.monotonic() - t
        if v.value != n * nproc:
            raise Failed("counter %d, not %d" % (v.value, n * nproc))
        return dt
    finally:
        kids.kill()


TESTS = [
    ("queue_small", "Queue: 20,000 small items (32 B) streamed, 1 producer",
     queue_small),
    ("queue_1mib", "Queue: 100 objects of 1 MiB streamed, 1 producer",
     queue_1mib),
    ("queue_100mib", "Queue: one 100 MiB object", queue_100mib),
    ("pipe_rtt", "Pipe: 5,000 round trips, send()/recv() of an int",
     pipe_rtt),
    ("pipe_rtt_bytes", "Pipe: 5,000 round trips, send_bytes()/recv_bytes() "
     "of 64 B", pipe_rtt_bytes),
    ("event_pingpong", "Event: 2,000 ping-pongs (set/wait/clear, 2 events)",
     event_pingpong),
    ("value_lock_1", "Value: `with get_lock(): v.value += 1`, 10,000 per "
     "process, 1 process", lambda m, s: value_lock(m, s, 1)),
    ("value_lock_2", "... 2 processes", lambda m, s: value_lock(m, s, 2)),
    ("value_lock_4", "... 4 processes", lambda m, s: value_lock(m, s, 4)),
]


def fmt(xs):
    if not xs:
        return "-"
    return "%.3f (%.3f-%.3f)" % (statistics.median(xs), min(xs), max(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--title", default="")
    ap.add_argument("--only", default="",
                    help="comma-separated test ids (default: all)")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    tests = [t for t in TESTS if not only or t[0] in only]
    times = {(t[0], k): [] for t in tests for k in MODS}
    failed = {}
    for r in range(args.rounds):
        for tid, _, fn in tests:
            order = list(MODS) if r % 2 == 0 else list(MODS)[::-1]
            for k in order:
                if (tid, k) in failed:
                    continue
                try:
                    times[(tid, k)].append(fn(MODS[k], args.scale))
                except Exception as e:
                    failed[(tid, k)] = "%s: %s" % (type(e).__name__, e)
                print("pybench: round %d %s %s %s" % (
                    r + 1, tid, k, failed.get((tid, k)) or
                    "%.3f s" % times[(tid, k)][-1]), file=sys.stderr,
                    flush=True)

    ncpu = len(os.sched_getaffinity(0))
    out = []
    out.append("## Python: ipcdev against multiprocessing%s"
               % (": " + args.title if args.title else ""))
    out.append("")
    out.append("bench/pybench.py, Python %s, %d CPU%s, %d rounds "
               "(interleaved, order alternating), scale %g.  Seconds: "
               "median (min-max); ratio: ipcdev median / multiprocessing "
               "median (target <= 1.00x).  Counts in the test names are those "
               "of scale 1."
               % (sys.version.split()[0], ncpu, "s" if ncpu > 1 else "",
                  args.rounds, args.scale))
    out.append("")
    out.append("| test | ipcdev s | multiprocessing s | ratio |")
    out.append("|---|---|---|---|")
    notes = []
    for tid, desc, _ in tests:
        a, b = times[(tid, "ipcdev")], times[(tid, "multiprocessing")]
        fa, fb = failed.get((tid, "ipcdev")), failed.get((tid, "multiprocessing"))
        if fa or fb:
            ratio = "FAILED"
            for k, f in (("ipcdev", fa), ("multiprocessing", fb)):
                if f:
                    notes.append("- %s, %s: FAILED: %s" % (tid, k, f))
        else:
            ratio = "%.2fx" % (statistics.median(a) / statistics.median(b))
        out.append("| %s | %s | %s | %s |" % (
            desc, "FAILED" if fa else fmt(a), "FAILED" if fb else fmt(b),
            ratio))
    if notes:
        out.append("")
        out.extend(notes)
    print("\n".join(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
