# SPDX-License-Identifier: LGPL-2.1-or-later
"""A signal in the middle of a timed wait: the handler runs, the wait goes
on (PEP 475: the call is retried, not failed with EINTR) and it ends at
the original timeout, not a full timeout after the signal.  A handler that
raises ends the wait with its exception.  And the set()+clear() pulse:
every process waiting at the set() wakes and returns True."""
import ctypes
import os
import queue
import signal
import threading
import time

import pytest

import ipcdev
from ipcdev import Event, Lock, Pipe, Queue, RLock
from ipcdev import _lib

TIMEOUT = 1.0      # the wait asked for
SIGNAL_AT = 0.5    # when the signal comes: a retry with the full timeout
                   # would end at SIGNAL_AT + TIMEOUT = 1.5 s
SLACK = 0.35       # TCG guests are slow: what a call may add


class Alarm:
    """SIGALRM after `at` seconds, counted by a handler (that raises
    `raise_` when given)."""

    def __init__(self, at=SIGNAL_AT, raise_=None):
        self.at, self.raise_, self.fired = at, raise_, []

    def _handler(self, signo, frame):
        self.fired.append(time.monotonic())
        if self.raise_ is not None:
            raise self.raise_

    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, self._handler)
        signal.setitimer(signal.ITIMER_REAL, self.at)
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)

    def check(self, timeout=TIMEOUT):
        """The signal came during the wait, and the wait lasted its
        timeout, counted from its start."""
        end = time.monotonic()
        assert len(self.fired) == 1, "the signal did not come"
        assert self.fired[0] - self.start < timeout - 0.1, \
            "the signal came too late to be in the middle of the wait"
        elapsed = end - self.start
        assert elapsed >= timeout - 0.02, \
            "the wait ended early (%.3f s of %.3f s)" % (elapsed, timeout)
        assert elapsed < timeout + SLACK, \
            "the wait restarted with the whole timeout (%.3f s)" % elapsed


def test_queue_get_timeout_signal():
    q = Queue()
    with Alarm() as a:
        with pytest.raises(queue.Empty):
            q.get(timeout=TIMEOUT)
        a.check()


def test_queue_put_timeout_signal():
    q = Queue(1)
    q.put(1)
    with Alarm() as a:
        with pytest.raises(queue.Full):
            q.put(2, timeout=TIMEOUT)
        a.check()
    assert q.qsize() == 1 and q.get() == 1


def test_connection_poll_signal():
    a_, b = Pipe()
    with Alarm() as a:
        assert a_.poll(TIMEOUT) is False
        a.check()


def test_connection_recv_signal_restarts():
    """recv() has no timeout: after the signal it keeps waiting, and gets
    the message sent later."""
    r, w = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        time.sleep(SIGNAL_AT + 0.5)
        w.send("late")
        os._exit(0)
    w.close()
    with Alarm() as a:
        assert r.recv() == "late"
        assert len(a.fired) == 1
        assert time.monotonic() - a.start >= SIGNAL_AT + 0.5 - 0.02
    os.waitpid(pid, 0)


def test_event_wait_timeout_signal():
    e = Event()
    with Alarm() as a:
        assert e.wait(TIMEOUT) is False
        a.check()


def _hold_in_child(lk, seconds):
    """A child that holds lk for `seconds`; returns its pid once it does."""
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        lk.acquire()
        os.write(wr, b"x")
        time.sleep(seconds)
        os._exit(0)
    os.close(wr)
    assert os.read(rd, 1) == b"x"
    os.close(rd)
    return pid


@pytest.mark.parametrize("cls", [Lock, RLock])
def test_lock_acquire_timeout_signal_other_process(cls):
    lk = cls()
    pid = _hold_in_child(lk, TIMEOUT + 3)
    try:
        with Alarm() as a:
            assert lk.acquire(timeout=TIMEOUT) is False
            a.check()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert lk.acquire(timeout=10) is True     # freed by the holder's death
    lk.release()


@pytest.mark.parametrize("cls", [Lock, RLock])
def test_lock_acquire_timeout_signal_other_thread(cls):
    """The wait for the process-local thread lock is restarted too."""
    lk = cls()
    held, done = threading.Event(), threading.Event()

    def holder():
        # the signal must go to the main thread, which waits
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        lk.acquire()
        held.set()
        done.wait(30)
        lk.release()
    t = threading.Thread(target=holder)
    t.start()
    held.wait(10)
    try:
        with Alarm() as a:
            assert lk.acquire(timeout=TIMEOUT) is False
            a.check()
    finally:
        done.set()
        t.join()
    assert lk.acquire(False) is True
    lk.release()


def test_handler_exception_ends_the_wait():
    """PEP 475: a handler that raises ends the call with its exception."""
    class Boom(Exception):
        pass
    e = Event()
    lk = Lock()
    pid = _hold_in_child(lk, 10)
    try:
        for wait in (lambda: e.wait(5), lambda: Queue().get(timeout=5),
                     lambda: lk.acquire(timeout=5)):
            with Alarm(0.2, Boom()) as a:
                with pytest.raises(Boom):
                    wait()
                assert time.monotonic() - a.start < 2
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    # the failed acquire left the lock usable
    assert lk.acquire(timeout=10) is True
    lk.release()


class _EventStat(ctypes.Structure):
    """struct ipcdev_event_stat (uapi/linux/ipcdev.h)."""
    _fields_ = [("set", ctypes.c_uint32), ("waiters", ctypes.c_uint32),
                ("sets", ctypes.c_uint64), ("id", ctypes.c_uint32),
                ("mode", ctypes.c_uint32), ("uid", ctypes.c_uint32),
                ("gid", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("reserved0", ctypes.c_uint32),
                ("reserved", ctypes.c_uint64 * 2)]


def _waiters(e):
    st = _EventStat()
    _lib.lib.ipc_event_stat.argtypes = [ctypes.c_int, ctypes.c_void_p]
    _lib.check(_lib.lib.ipc_event_stat(e.fileno(), ctypes.byref(st)))
    return st.waiters


def test_set_clear_pulse_wakes_every_waiter():
    """set() then clear() at once, with 5 processes waiting: each wakes and
    wait() returns True, though the event is clear again."""
    e = Event()
    nproc = 5
    res = Queue()
    pids = []
    for i in range(nproc):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                res.put((i, e.wait(60), e.is_set()))
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    deadline = time.monotonic() + 60
    while _waiters(e) < nproc:
        assert time.monotonic() < deadline, "the waiters never all slept"
        time.sleep(0.05)
    e.set()
    e.clear()
    got = sorted(res.get(timeout=30) for _ in range(nproc))
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    assert [g[:2] for g in got] == [(i, True) for i in range(nproc)]
    assert e.is_set() is False
