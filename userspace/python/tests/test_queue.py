# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import pickle
import queue
import time

import pytest

import ipcdev
from ipcdev import Queue, SimpleQueue
from conftest import fork_run, run_py, popen_py, as_nobody


def test_put_get_fifo_and_types():
    q = Queue()
    items = [1, "two", [3], {"four": 4}, None, b"", (6,)]
    for it in items:
        q.put(it)
    assert q.qsize() == len(items)
    assert [q.get() for _ in items] == items
    assert q.empty()


def test_maxsize_full_and_exact_counts():
    q = Queue(2)
    assert q.empty() and not q.full() and q.qsize() == 0
    q.put(1)
    assert q.qsize() == 1 and not q.empty() and not q.full()
    q.put_nowait(2)
    assert q.full() and q.qsize() == 2
    with pytest.raises(queue.Full):
        q.put_nowait(3)
    with pytest.raises(queue.Full):
        q.put(3, False)
    t = time.monotonic()
    with pytest.raises(queue.Full):
        q.put(3, True, 0.2)
    assert time.monotonic() - t >= 0.15
    assert q.get() == 1 and q.get_nowait() == 2


def test_get_empty_block_and_timeout():
    q = Queue()
    with pytest.raises(queue.Empty):
        q.get_nowait()
    with pytest.raises(queue.Empty):
        q.get(False)
    t = time.monotonic()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.2)
    assert time.monotonic() - t >= 0.15
    with pytest.raises(queue.Empty):
        q.get(True, -1)                 # negative timeout: do not wait


def test_blocked_get_woken_by_child_put():
    q = Queue()
    pid = os.fork()
    if pid == 0:
        time.sleep(0.3)
        q.put("late")
        os._exit(0)
    assert q.get(timeout=10) == "late"
    os.waitpid(pid, 0)


def test_fork_producer_consumer():
    q = Queue(3)
    n = 50

    def producer():
        for i in range(n):
            q.put(i)
        q.put(None)
    pid = os.fork()
    if pid == 0:
        try:
            producer()
        finally:
            os._exit(0)
    got = []
    while True:
        x = q.get(timeout=10)
        if x is None:
            break
        got.append(x)
    assert got == list(range(n))
    os.waitpid(pid, 0)


def test_multiprocessing_process_and_spawn():
    import multiprocessing as mp
    q = Queue()
    for method in ("fork", "spawn"):
        p = mp.get_context(method).Process(target=_qtarget, args=(q, method))
        p.start()
        # spawn: a new interpreter, slow under TCG
        assert q.get(timeout=180) == ("hi", method)
        p.join(180)
        assert p.exitcode == 0


def _qtarget(q, method):
    q.put(("hi", method))


def test_close():
    q = Queue()
    q.put(1)
    q.close()
    q.close()
    for op in (lambda: q.put(1), q.get, q.qsize, q.empty, q.full):
        with pytest.raises(ValueError, match="closed"):
            op()
    q.join_thread()
    q.cancel_join_thread()


def test_unpicklable_object_raises_at_put():
    q = Queue()
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        q.put(lambda: 1)
    assert q.empty()


def test_bad_arguments():
    with pytest.raises(ValueError):
        Queue(10 ** 9)                 # above the module's msgs_max
    with pytest.raises(ValueError):
        Queue(name="bad/name")
    with pytest.raises(TypeError):
        Queue(name=3)
    with pytest.raises(ValueError):
        Queue(name="x", readable=False, writable=False)


def test_named_queue_unrelated_processes(name):
    q = Queue(5, name=name, exclusive=True, mode=0o600)
    q.put("from parent")
    r = run_py("from ipcdev import Queue\n"
               "q = Queue(name=%r, create=False)\n"
               "print(q.get(timeout=5))\n"
               "q.put({'child': True})\n" % name)
    assert r.stdout.strip() == "from parent"
    assert q.get(timeout=5) == {"child": True}
    # the queue outlives every handle until unlinked
    q.put("kept")
    q.close()
    q2 = Queue(name=name, create=False)
    assert q2.get_nowait() == "kept"
    ipcdev.unlink_queue(name)
    with pytest.raises(FileNotFoundError):
        Queue(name=name, create=False)
    with pytest.raises(FileNotFoundError):
        ipcdev.unlink_queue(name)


def test_named_exclusive_exists(name):
    q = Queue(name=name, exclusive=True)
    with pytest.raises(FileExistsError):
        Queue(name=name, exclusive=True)
    with pytest.raises(ValueError):
        Queue(name=name, create=False, exclusive=True)
    q.unlink()


def test_named_queue_blocked_get_in_other_process(name):
    q = Queue(name=name)
    p = popen_py("from ipcdev import Queue\n"
                 "print(Queue(name=%r, create=False).get(timeout=20))\n" % name)
    time.sleep(0.3)
    q.put("wake up")
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert out.strip() == "wake up"


def test_permission_denied_for_other_user(name):
    q = Queue(name=name, mode=0o600)

    def attach():
        try:
            Queue(name=name, create=False)
        except PermissionError:
            pass
        else:
            raise AssertionError("no PermissionError")
        try:
            ipcdev.unlink_queue(name)
        except PermissionError:
            pass
        else:
            raise AssertionError("unlink: no PermissionError")
    assert as_nobody(attach) == 0
    q.unlink()


def test_pickle_named_queue_by_name(name):
    q = Queue(name=name)
    q2 = pickle.loads(pickle.dumps(q))
    q2.put(42)
    assert q.get(timeout=5) == 42
    with pytest.raises(RuntimeError):
        pickle.dumps(Queue())


def test_simple_queue():
    q = SimpleQueue()
    assert q.empty()
    q.put(1)
    assert not q.empty()
    assert q.get() == 1
    q.close()


def test_send_queue_over_pipe_by_name(name):
    q = Queue(name=name)
    a, b = ipcdev.Pipe()
    a.send(q)
    b.recv().put("through the pipe")
    assert q.get(timeout=5) == "through the pipe"
