# SPDX-License-Identifier: LGPL-2.1-or-later
import array
import os
import pickle
import signal
import time

import pytest

import ipcdev
from ipcdev import Pipe, Connection, BufferTooShort
from conftest import fork_run, run_py, popen_py


def test_duplex_send_recv_objects():
    a, b = Pipe()
    for obj in (1, "str", [1, 2, {"k": (3,)}], None, b"bytes", 2.5):
        a.send(obj)
        assert b.recv() == obj
        b.send(obj)
        assert a.recv() == obj
    assert a.readable and a.writable and b.readable and b.writable


def test_one_way_directions():
    r, w = Pipe(duplex=False)
    assert (r.readable, r.writable, w.readable, w.writable) == (True, False, False, True)
    w.send("x")
    assert r.recv() == "x"
    with pytest.raises(OSError, match="read-only"):
        r.send(1)
    with pytest.raises(OSError, match="write-only"):
        w.recv()


def test_messages_do_not_merge_and_empty_message():
    a, b = Pipe()
    a.send_bytes(b"one")
    a.send_bytes(b"")
    a.send_bytes(b"three")
    assert [b.recv_bytes() for _ in range(3)] == [b"one", b"", b"three"]


def test_send_bytes_offset_size_and_errors():
    a, b = Pipe()
    a.send_bytes(b"abcdef", 2)
    a.send_bytes(b"abcdef", 1, 3)
    a.send_bytes(array.array("i", [1, 2]))
    assert b.recv_bytes() == b"cdef"
    assert b.recv_bytes() == b"bcd"
    assert b.recv_bytes() == array.array("i", [1, 2]).tobytes()
    with pytest.raises(ValueError):
        a.send_bytes(b"abc", -1)
    with pytest.raises(ValueError):
        a.send_bytes(b"abc", 4)
    with pytest.raises(ValueError):
        a.send_bytes(b"abc", 1, 3)
    with pytest.raises(ValueError):
        a.send_bytes(b"abc", 0, -1)


def test_recv_bytes_maxlength():
    a, b = Pipe()
    a.send_bytes(b"0123456789")
    with pytest.raises(OSError, match="bad message length"):
        b.recv_bytes(4)
    with pytest.raises(ValueError):
        b.recv_bytes(-1)
    assert b.recv_bytes(10) == b"0123456789"


def test_recv_bytes_into_and_buffer_too_short():
    a, b = Pipe()
    buf = bytearray(8)
    a.send_bytes(b"abc")
    assert b.recv_bytes_into(buf, 2) == 3
    assert buf == b"\0\0abc\0\0\0"
    arr = array.array("i", [0, 0, 0])
    a.send_bytes(array.array("i", [7, 8]))
    assert b.recv_bytes_into(arr, 4) == 8
    assert list(arr) == [0, 7, 8]
    a.send_bytes(b"too long for it")
    with pytest.raises(BufferTooShort) as ei:
        b.recv_bytes_into(bytearray(4))
    assert ei.value.args[0] == b"too long for it"
    with pytest.raises(ValueError):
        b.recv_bytes_into(bytearray(4), 5)
    with pytest.raises(ValueError):
        b.recv_bytes_into(bytearray(4), -1)


def test_poll():
    a, b = Pipe()
    assert b.poll() is False
    t = time.monotonic()
    assert b.poll(0.2) is False
    assert time.monotonic() - t >= 0.15
    a.send(1)
    assert b.poll() is True
    assert b.poll(None) is True
    b.recv()
    a.close()
    assert b.poll(5) is True          # end of file: recv would not wait


def test_eof_after_peer_closed_and_queued_data_first():
    a, b = Pipe()
    a.send("last")
    a.close()
    assert b.recv() == "last"
    with pytest.raises(EOFError):
        b.recv()
    with pytest.raises(EOFError):
        b.recv_bytes()


def test_send_to_gone_peer_is_broken_pipe():
    a, b = Pipe()
    b.close()
    with pytest.raises(BrokenPipeError):
        a.send("x")


def test_closed_connection():
    a, b = Pipe()
    with a:
        assert not a.closed
        fd = a.fileno()
        assert fd >= 0
    assert a.closed
    a.close()                           # idempotent
    for op in (a.fileno, a.recv, lambda: a.send(1), a.poll):
        with pytest.raises(OSError, match="closed"):
            op()


def test_fork_child_sends_parent_receives():
    a, b = Pipe()

    def child():
        b.send(("hello from", os.getpid()))
        assert b.recv() == "reply"
    pid = os.fork()
    if pid == 0:
        try:
            child()
            os._exit(0)
        except BaseException:
            os._exit(1)
    msg = a.recv()
    assert msg == ("hello from", pid)
    a.send("reply")
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_eof_when_child_dies():
    a, b = Pipe()
    pid = os.fork()
    if pid == 0:
        a.close()
        b.send("bye")
        os._exit(0)
    b.close()
    assert a.recv() == "bye"
    with pytest.raises(EOFError):
        a.recv()
    os.waitpid(pid, 0)


def test_multiprocessing_process_fork():
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    a, b = Pipe()

    def f(conn):
        conn.send([i * i for i in range(5)])
    p = ctx.Process(target=f, args=(b,))
    p.start()
    assert a.recv() == [0, 1, 4, 9, 16]
    p.join(10)
    assert p.exitcode == 0


def test_spawn_start_method_passes_connection():
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    a, b = Pipe()
    p = ctx.Process(target=_spawn_target, args=(b,))
    p.start()
    assert a.recv() == "spawned"
    p.join(30)
    assert p.exitcode == 0


def _spawn_target(conn):
    conn.send("spawned")


def test_pickling_anonymous_outside_spawn_refused():
    a, b = Pipe()
    with pytest.raises(RuntimeError):
        pickle.dumps(a)


def test_named_pipe_unrelated_process(name):
    c0 = Connection.open(name, 0, create=True, exclusive=True)
    p = popen_py(
        "from ipcdev import Connection\n"
        "c = Connection.open(%r, 1)\n"
        "c.send({'pid': __import__('os').getpid()})\n"
        "print(c.recv())\n" % name)
    msg = c0.recv()
    assert msg["pid"] == p.pid
    c0.send("pong")
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert out.strip() == "pong"
    # the peer end is gone now: end of file
    with pytest.raises(EOFError):
        c0.recv()


def test_named_pipe_both_ends_and_pickle_by_name(name):
    r, w = Pipe(False, name=name)
    assert r.name == name and not r.writable and not w.readable
    w2 = pickle.loads(pickle.dumps(w))
    w2.send("via a second handle")
    assert r.recv() == "via a second handle"
    with pytest.raises(FileExistsError):
        Pipe(name=name, exclusive=True)
    ipcdev.unlink_pipe(name)
    with pytest.raises(FileNotFoundError):
        ipcdev.unlink_pipe(name)
    with pytest.raises(FileNotFoundError):
        Connection.open(name, 0)


def test_named_pipe_errors(name):
    with pytest.raises(ValueError):
        Connection.open(name, 2, create=True)
    with pytest.raises(ValueError):
        Connection.open("a/b", 0, create=True)
    with pytest.raises(ValueError):
        Connection.open("", 0, create=True)
    with pytest.raises(ValueError):
        Connection.open("x" * 256, 0, create=True)
    with pytest.raises(ValueError):
        Connection.open(name, 0, create=True, mode=0o1777)
    with pytest.raises(ValueError):
        Connection.open(name, 0, exclusive=True)


def test_recv_resumes_after_signal_handler():
    a, b = Pipe()
    seen = []
    old = signal.signal(signal.SIGALRM, lambda s, f: seen.append(s))
    try:
        pid = os.fork()
        if pid == 0:
            time.sleep(0.5)
            b.send("after the signal")
            os._exit(0)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        assert a.recv() == "after the signal"
        assert seen == [signal.SIGALRM]
        os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGALRM, old)


def test_handler_exception_interrupts_recv():
    a, b = Pipe()

    def boom(s, f):
        raise KeyError("from handler")
    old = signal.signal(signal.SIGALRM, boom)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(KeyError):
            a.recv()
    finally:
        signal.signal(signal.SIGALRM, old)
