#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lock micro-benchmark (bench/notes.md, the Python package): best of 7
interleaved timeit runs, ipcdev against multiprocessing, in a guest with
the module loaded; IPCDEV_PURE_PYTHON=1 for the pure-Python path."""
import os
import sys
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "userspace", "python"))
import ipcdev  # noqa: E402
import multiprocessing as mp  # noqa: E402

N = 5000
tests = (("rlock acq/rel", "rl.acquire(); rl.release()"),
         ("lock with", "with lk: pass"),
         ("value with", "with vl: pass"),
         ("value += under lock", "with vl: v.value += 1"),
         ("value get", "v.value"))
objs = {}
for mod in (ipcdev, mp):
    v = mod.Value("i", 0)
    objs[mod.__name__] = dict(rl=mod.RLock(), lk=mod.Lock(), v=v, vl=v.get_lock())
best = {}
for r in range(7):
    for label, stmt in tests:
        for name, g in objs.items():
            t = timeit.timeit(stmt, globals=g, number=N) / N * 1e6
            best[(name, label)] = min(best.get((name, label), 1e9), t)
for label, _ in tests:
    print("%-22s ipcdev(%s) %7.2fus  mp %7.2fus  ratio %.2f" % (label,
          "C" if ipcdev._lib.speedups else "py", best[("ipcdev", label)],
          best[("multiprocessing", label)], best[("ipcdev", label)] / best[("multiprocessing", label)]), flush=True)
