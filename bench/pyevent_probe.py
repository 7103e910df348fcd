#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Event ping-pong with the two processes pinned (bench/notes.md, the
Python package): the same vCPU ("same") or one each ("split"), through
the package (ioctl SET/WAIT/CLEAR), through the event's read()/write()
(raw descriptors, no ctypes) and with multiprocessing.  Run in a guest
with 2 vCPUs and the module loaded.  Prints µs per ping-pong, median
(min-max) of ROUNDS rounds of N (environment; defaults 3 and 300)."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "userspace", "python"))
import ipcdev  # noqa: E402
import multiprocessing as mp  # noqa: E402

N = int(os.environ.get("N", "300"))


class RWEvent:
    """The module's eventfd-like interface: read() waits and lowers,
    write() sets."""

    def __init__(self):
        self.e = ipcdev.Event()
        self.fd = self.e.fileno()

    def wait(self, timeout=None):
        os.read(self.fd, 8)
        return True

    def clear(self):
        pass

    def set(self):
        os.write(self.fd, bytes(8))


class RW:
    Event = RWEvent


MODS = {"ipcdev": ipcdev, "ipcdev-rw": RW, "multiprocessing": mp}


def run(m, place):
    ping, pong = m.Event(), m.Event()
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.sched_setaffinity(0, {0} if place == "same" else {1})
            os.close(wr)
            os.read(rd, 1)
            for _ in range(N):
                ping.wait(60)
                ping.clear()
                pong.set()
        finally:
            os._exit(0)
    os.sched_setaffinity(0, {0})
    os.close(rd)
    t = time.monotonic()
    os.write(wr, b"g")
    for _ in range(N):
        ping.set()
        pong.wait(60)
        pong.clear()
    dt = time.monotonic() - t
    os.waitpid(pid, 0)
    os.close(wr)
    os.sched_setaffinity(0, set(range(os.cpu_count())))
    return dt / N * 1e6


res = {}
mods = list(MODS)
for r in range(int(os.environ.get("ROUNDS", "3"))):
    for place in ("split", "same"):
        for k in (mods if r % 2 == 0 else mods[::-1]):
            res.setdefault((k, place), []).append(run(MODS[k], place))
for (k, place), xs in sorted(res.items()):
    print("%-15s %-5s %7.0f us (%.0f-%.0f)" % (k, place, statistics.median(xs),
                                               min(xs), max(xs)))
