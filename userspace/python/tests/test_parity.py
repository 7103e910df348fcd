# SPDX-License-Identifier: LGPL-2.1-or-later
"""Parity details with multiprocessing (CPython 3.11): reprs, and the
message a missing device gives."""
import multiprocessing as mp
import os
import re
import threading

import ipcdev
from ipcdev import Event, Lock, RLock, Queue, SimpleQueue, Pipe
from conftest import fork_run


def _same_form(ours, theirs):
    """Equal once addresses are blanked and the module paths mapped."""
    blank = lambda s: re.sub(r"0x[0-9a-f]+", "0x?", s)   # noqa: E731
    return blank(ours) == blank(theirs.replace("multiprocessing.", "ipcdev."))


def test_event_repr():
    e, m = Event(), mp.Event()
    assert re.fullmatch(r"<Event at 0x[0-9a-f]+ unset>", repr(e))
    assert _same_form(repr(e), repr(m))
    assert repr(e) == "<Event at %#x unset>" % id(e)
    e.set()
    m.set()
    assert _same_form(repr(e), repr(m))
    assert repr(e).endswith(" set>")


def test_queue_connection_repr():
    q, mq = Queue(), mp.Queue()
    assert _same_form(repr(q), repr(mq))
    assert repr(q) == "<ipcdev.queues.Queue object at %#x>" % id(q)
    sq, msq = SimpleQueue(), mp.SimpleQueue()
    assert _same_form(repr(sq), repr(msq))
    a, b = Pipe()
    ma, mb = mp.Pipe()
    assert _same_form(repr(a), repr(ma))
    assert repr(a) == "<ipcdev.connection.Connection object at %#x>" % id(a)


def _lock_reprs(cls, mpcls):
    """(ours, multiprocessing's) in the states both can be in."""
    ours, theirs = [], []
    for lk, out in ((cls(), ours), (mpcls(), theirs)):
        out.append(repr(lk))                           # free
        lk.acquire()
        out.append(repr(lk))                           # this thread
        r = []
        t = threading.Thread(target=lambda: r.append(repr(lk)))
        t.start()
        t.join()
        out.append(r[0])                               # another thread
        rd, wr = os.pipe()

        def child():
            os.write(wr, repr(lk).encode())
        fork_run(child)
        out.append(os.read(rd, 200).decode())          # a forked child
        os.close(rd)
        os.close(wr)
        lk.release()
    return ours, theirs


def test_lock_repr():
    ours, theirs = _lock_reprs(Lock, mp.Lock)
    assert ours[0] == "<Lock(owner=None)>"
    assert ours[1] == "<Lock(owner=MainProcess)>"
    assert ours[2] == "<Lock(owner=SomeOtherThread)>"
    # multiprocessing's forked child believes it is MainProcess|... (the
    # semaphore's owner id is inherited); ipcdev's knows another process
    # holds it.
    assert ours[3] == "<Lock(owner=SomeOtherProcess)>"
    assert ours[:3] == theirs[:3]


def test_rlock_repr():
    ours, theirs = _lock_reprs(RLock, mp.RLock)
    assert ours[0] == "<RLock(None, 0)>"
    assert ours[1] == "<RLock(MainProcess, 1)>"
    assert ours[2] == "<RLock(SomeOtherThread, nonzero)>"
    assert ours[3] == "<RLock(SomeOtherProcess, nonzero)>"
    assert ours[:3] == theirs[:3]
    rl = RLock()
    rl.acquire()
    rl.acquire()
    assert repr(rl) == "<RLock(MainProcess, 2)>"
    rl.release()
    rl.release()


def test_missing_device_hint(monkeypatch, name):
    import errno
    from ipcdev import _lib
    # devices there: a missing name is a plain FileNotFoundError
    try:
        Lock(name=name, create=False)
    except FileNotFoundError as e:
        assert _lib.MODULE_HINT not in str(e)
    else:
        raise AssertionError("no FileNotFoundError")
    # a device missing (as without the module): the hint
    monkeypatch.setattr(_lib, "DEVICES", ("/dev/ipcqueue", "/dev/ipc-none"))
    e = _lib.error(-errno.ENOENT)
    assert isinstance(e, FileNotFoundError)
    assert "/dev/ipc-none: is the ipcdev module loaded? (modprobe ipcdev)" \
        in str(e)
