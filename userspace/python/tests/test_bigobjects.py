# SPDX-License-Identifier: LGPL-2.1-or-later
"""Objects of any size and the unbounded Queue() (issue 15).

Queue() and Pipe() take objects of 17 MiB, 100 MiB and 1 GiB (the module
once refused anything above 16 MiB with EMSGSIZE), Queue() takes 100,000
items before any get (it once stopped at 1 MiB or 65,536 items), and the
byte quota is the one bound left: put/send beyond it raise OSError(EDQUOT)
at once and leave the queue as it was.

The 1 GiB tests need about 3.5 GiB of free memory in the guest (the
object, its pickle, the kernel's copy): vm-run --mem 6G.  Below that
they are skipped, saying so."""

import errno
import hashlib
import os
import signal
import time
import zlib

import pytest

from ipcdev import Pipe, Queue
from conftest import fork_run

MiB = 1 << 20
GiB = 1 << 30
PARAMS = "/sys/module/ipcdev/parameters/"
UID = 2160


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def need_mem(n):
    if mem_available() < n:
        pytest.skip("needs %d MiB free, has %d MiB (vm-run --mem 6G)"
                    % (n >> 20, mem_available() >> 20))


def pattern(n, seed):
    """n bytes that no misplaced 4 KiB piece or page leaves unchanged: a
    random block of a length prime to both, repeated."""
    block = (hashlib.sha256(b"%d" % seed).digest() * 128)[:4093]
    q, r = divmod(n, len(block))
    return b"".join([block] * q + [block[:r]])     # one n-byte allocation


def digest(data):
    """Small objects are compared whole; a 1 GiB one (which the guest
    cannot hold twice beside its pickles) by length and CRC-32 of the
    pattern, fast under TCG, where SHA-256 crawls."""
    return (len(data), zlib.crc32(data))


def read_param(name):
    with open(PARAMS + name) as f:
        return int(f.read())


def write_param(name, value):
    with open(PARAMS + name, "w") as f:
        f.write("%d\n" % value)


@pytest.fixture
def quota():
    """Set user_bytes_max for the test; restored after it."""
    old = read_param("user_bytes_max")
    yield lambda v: write_param("user_bytes_max", v)
    write_param("user_bytes_max", old)


def become(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def roundtrip(put, get, n, seed):
    obj = pattern(n, seed)
    if n > 128 * MiB:
        want = digest(obj)
        put(obj)
        del obj
        got = get()
        assert digest(got) == want
    else:
        put(obj)
        got = get()
        assert len(got) == n and got == obj


def roundtrip_queue(n, seed):
    q = Queue()
    roundtrip(q.put, q.get, n, seed)
    assert q.empty()
    q.close()


def roundtrip_pipe(n, seed):
    a, b = Pipe()
    # admitted into the empty direction at once, larger than its capacity
    roundtrip(a.send, b.recv, n, seed)
    assert not b.poll(0)
    a.close()
    b.close()


@pytest.mark.parametrize("n", [17 * MiB, 100 * MiB + 7])
def test_queue_big_objects(n):
    roundtrip_queue(n, n)


@pytest.mark.parametrize("n", [17 * MiB, 100 * MiB + 7])
def test_pipe_big_objects(n):
    roundtrip_pipe(n, n)


def test_queue_100m_to_a_waiting_getter():
    """A getter in another process waits (given half a second to get
    there): the message is handed over (one copy in, one copy out)."""
    q = Queue()
    obj = pattern(100 * MiB, 3)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            got = q.get(timeout=600)
            os.write(w, b"1" if got == obj else b"0")
        finally:
            os._exit(0)
    os.close(w)
    time.sleep(0.5)        # let it block in get(): then the put hands over
    q.put(obj)
    assert os.read(r, 1) == b"1"
    os.waitpid(pid, 0)
    os.close(r)


@pytest.mark.gib
def test_queue_and_pipe_1gib_root(quota):
    """As root (CAP_SYS_RESOURCE), far past a small quota."""
    need_mem(3584 * MiB)
    quota(16 * MiB)
    roundtrip_queue(GiB, 1)
    roundtrip_pipe(GiB, 2)


@pytest.mark.gib
def test_queue_1gib_as_user_quota_path(quota):
    """An ordinary user: with the default 1 GiB quota a 1 GiB object (its
    pickle is a few bytes longer) is refused with EDQUOT at once; with the
    quota raised it goes through."""
    need_mem(3584 * MiB)
    quota(GiB)

    def child():
        become(UID)
        q = Queue()
        q.put(b"first")
        with pytest.raises(OSError) as e:
            q.put(b"x" * GiB)
        assert e.value.errno == errno.EDQUOT
        assert q.qsize() == 1 and q.get() == b"first"
        q.close()
    assert fork_run(child) == 0
    quota(GiB + MiB)

    def child2():
        become(UID)
        roundtrip_queue(GiB, 4)
    assert fork_run(child2) == 0


def test_unbounded_queue_100000_items_before_get():
    q = Queue()
    for i in range(100000):
        q.put_nowait(i)        # queue.Full here would be a bound
    assert q.qsize() == 100000
    assert not q.full()
    for i in range(100000):
        assert q.get_nowait() == i
    assert q.empty()
    q.close()


def test_quota_edquot_exact_and_queue_intact(quota):
    """At the quota put raises OSError(EDQUOT) at once (never a wait, even
    with block=True and no timeout), and every item put before is still
    there, in order; one get makes room for exactly one more."""
    from multiprocessing.reduction import ForkingPickler
    item = lambda i: bytes([i % 251]) * 4000
    size = len(ForkingPickler.dumps(item(0)))
    quota(MiB)

    def child():
        become(UID + 1)
        for make in (lambda: Queue(), lambda: Pipe()):
            obj = make()
            put, get = ((obj.put, obj.get) if isinstance(obj, Queue) else
                        (obj[0].send, obj[1].recv))
            n = MiB // size
            for i in range(n):
                put(item(i))
            signal.alarm(5)    # a wait instead of EDQUOT ends the child
            with pytest.raises(OSError) as e:
                put(item(n))
            signal.alarm(0)
            assert e.value.errno == errno.EDQUOT
            for i in range(n):
                assert get() == item(i)
            # The room is back, exactly: n more fit, then EDQUOT again.
            for i in range(n):
                put(item(i))
            with pytest.raises(OSError) as e:
                put(item(n))
            assert e.value.errno == errno.EDQUOT
            assert get() == item(0)
            put(item(n))
            # Empty it again: the next object starts with the whole quota.
            for i in range(1, n + 1):
                assert get() == item(i)
            for o in (obj if isinstance(obj, tuple) else (obj,)):
                o.close()
    assert fork_run(child) == 0
