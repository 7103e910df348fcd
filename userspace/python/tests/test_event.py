# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import pickle
import signal
import time

import pytest

import ipcdev
from ipcdev import Event
from conftest import fork_run, run_py, popen_py, as_nobody


def test_set_clear_is_set_wait():
    e = Event()
    assert e.is_set() is False
    assert e.wait(0) is False
    t = time.monotonic()
    assert e.wait(0.2) is False
    assert time.monotonic() - t >= 0.15
    e.set()
    assert e.is_set() is True
    assert e.wait() is True
    assert e.wait(0.01) is True
    e.set()                              # setting a set event: no-op
    e.clear()
    assert e.is_set() is False
    assert e.wait(-1) is False


def test_child_sets_parent_waits():
    e = Event()
    pid = os.fork()
    if pid == 0:
        time.sleep(0.3)
        e.set()
        os._exit(0)
    assert e.wait(10) is True
    os.waitpid(pid, 0)


def test_set_releases_waiters_in_many_children():
    e = Event()
    go = Event()
    pids = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            os._exit(0 if e.wait(10) else 1)
        pids.append(pid)
    time.sleep(0.2)
    e.set()
    for pid in pids:
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_multiprocessing_process_spawn():
    import multiprocessing as mp
    e = Event()
    p = mp.get_context("spawn").Process(target=_settarget, args=(e,))
    p.start()
    assert e.wait(180)         # spawn: a new interpreter, slow under TCG
    p.join(180)
    assert p.exitcode == 0


def _settarget(e):
    e.set()


def test_named_event_unrelated_process(name):
    e = Event(name=name, exclusive=True)
    p = popen_py("from ipcdev import Event\n"
                 "e = Event(name=%r, create=False)\n"
                 "print(e.wait(20))\n" % name)
    time.sleep(0.3)
    e.set()
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert out.strip() == "True"
    r = run_py("from ipcdev import Event\n"
               "Event(name=%r, create=False).clear()\n" % name)
    assert not e.is_set()
    assert pickle.loads(pickle.dumps(e)).name == name
    e.unlink()
    with pytest.raises(FileNotFoundError):
        Event(name=name, create=False)
    with pytest.raises(FileNotFoundError):
        ipcdev.unlink_event(name)


def test_named_initially_set_and_access(name):
    e = Event(name=name, initially_set=True, exclusive=True)
    assert e.is_set()
    with pytest.raises(FileExistsError):
        Event(name=name, exclusive=True)
    waiter = Event(name=name, create=False, writable=False)
    assert waiter.wait(0)
    with pytest.raises(OSError):
        waiter.clear()                   # opened read-only: EBADF
    setter = Event(name=name, create=False, readable=False)
    setter.clear()
    with pytest.raises(OSError):
        setter.wait(0)


def test_permission_denied(name):
    Event(name=name, mode=0o600)

    def attach():
        try:
            Event(name=name, create=False)
        except PermissionError:
            return
        raise AssertionError("no PermissionError")
    assert as_nobody(attach) == 0


def test_anonymous_initially_set_and_close():
    e = Event(initially_set=True)
    assert e.is_set()
    e.close()
    with pytest.raises(ValueError):
        e.set()
    with pytest.raises(RuntimeError):
        pickle.dumps(Event())


def test_wait_resumes_after_signal():
    e = Event()
    hits = []
    old = signal.signal(signal.SIGALRM, lambda s, f: hits.append(s))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        t = time.monotonic()
        assert e.wait(0.5) is False
        assert time.monotonic() - t >= 0.45   # the deadline holds
        assert hits == [signal.SIGALRM]
    finally:
        signal.signal(signal.SIGALRM, old)


def test_notify_sends_signal_on_set():
    e = Event()
    hits = []
    old = signal.signal(signal.SIGUSR1, lambda s, f: hits.append(s))
    try:
        ipcdev.notify(e, signal.SIGUSR1)
        e.set()
        deadline = time.monotonic() + 5
        while not hits and time.monotonic() < deadline:
            time.sleep(0.01)
        assert hits and hits[0] == signal.SIGUSR1
        ipcdev.notify(e, 0)
    finally:
        signal.signal(signal.SIGUSR1, old)
