# SPDX-License-Identifier: LGPL-2.1-or-later
"""Event (/dev/ipcevent), Lock and RLock (a segment's kernel lock)."""

import ctypes
import errno
import os
import threading
import time
import weakref

from . import _lib
from ._lib import lib, check, call, Deadline
from ._reduction import reduce_fd, detach_fd
from ._segment import Segment, unlink_shm

__all__ = ["Event", "Lock", "RLock", "unlink_event", "unlink_lock"]

_ACCESS = {(True, True): os.O_RDWR, (True, False): os.O_RDONLY,
           (False, True): os.O_WRONLY}


class Event:
    """A process-shared flag, like multiprocessing.Event: set(), clear(),
    is_set(), wait(timeout) -> bool.

    Keyword-only: `name` (a named event, created unless `create` is False;
    `exclusive`: FileExistsError if it exists; `mode`: its permission
    bits; `initially_set`: a new event starts set; `readable` (may wait),
    `writable` (may set and clear): the access this handle asks for).
    """

    def __init__(self, *, name=None, create=True, exclusive=False, mode=0o600,
                 initially_set=False, readable=True, writable=True, _fd=None):
        if _fd is not None:
            fd = _fd
        elif name is None:
            fd = check(lib.ipc_event_create(1 if initially_set else 0))
        else:
            try:
                access = _ACCESS[(bool(readable), bool(writable))]
            except KeyError:
                raise ValueError("at least one of readable and writable must be True")
            flags = _lib.open_flags(access, create, exclusive)
            if initially_set:
                flags |= _lib.IPC_EVENT_INIT_SET
            fd = check(lib.ipc_event_open(_lib.encode_name(name), flags,
                                          _lib.check_mode(mode)), name)
        self._fd = fd
        self._name = name
        self._access = (readable, writable)

    def is_set(self):
        """True if the flag is set."""
        return bool(check(lib.ipc_event_is_set(self._fileno())))

    def set(self):
        """Set the flag, waking every waiter."""
        check(lib.ipc_event_set(self._fileno()))

    def clear(self):
        """Clear the flag."""
        check(lib.ipc_event_clear(self._fileno()))

    def wait(self, timeout=None):
        """Wait until the flag is set (at most `timeout` seconds); return
        True if it was set, False on timeout."""
        return bool(check(call(lib.ipc_event_wait, self._fileno(),
                               deadline=Deadline(True, timeout))))

    @property
    def name(self):
        return self._name

    def _fileno(self):
        if self._fd is None:
            raise ValueError("Event is closed")
        return self._fd

    def fileno(self):
        """The /dev/ipcevent descriptor (POLLIN while set)."""
        return self._fileno()

    def close(self):
        """Close this process's handle."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            lib.ipc_event_close(fd)

    def unlink(self):
        """Remove the event's name (see unlink_event)."""
        if self._name is None:
            raise ValueError("anonymous event has no name")
        unlink_event(self._name)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        try:
            state = "set" if self.is_set() else "unset"
        except Exception:
            state = "closed"
        return "<ipcdev.Event(%s)%s>" % (
            state, " name=%r" % (self._name,) if self._name else "")

    def __reduce__(self):
        if self._name is not None:
            return (_rebuild_event_named, (self._name, self._access))
        return reduce_fd(self, self._fileno(), _rebuild_event_fd)


def _rebuild_event_named(name, access):
    return Event(name=name, create=False, readable=access[0],
                 writable=access[1])


def _rebuild_event_fd(dupfd):
    return Event(_fd=detach_fd(dupfd))


def unlink_event(name):
    """Remove a named event's name."""
    check(lib.ipc_event_unlink(_lib.encode_name(name)), name)


# --- locks -----------------------------------------------------------------

_locks = weakref.WeakSet()


def _after_fork_in_child():
    for lk in list(_locks):
        lk._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


class Lock:
    """A process-shared non-recursive lock, like multiprocessing.Lock:
    acquire(block=True, timeout=None) -> bool, release(), context manager.

    It is the kernel lock of a small shared memory segment (one raw byte),
    or of a Value/Array's segment (their get_lock()).  The kernel owns it
    per process and frees it when the holding process dies: the next
    acquire() then succeeds and sets `owner_died`.  Threads of one process
    are serialized by a process-local lock first.

    Keyword-only: `name` (a named lock, created unless `create` is False;
    `exclusive`, `mode` as for the other named objects).
    """

    def __init__(self, *, name=None, create=True, exclusive=False, mode=0o600,
                 _segment=None):
        if _segment is None:
            if name is None:
                _segment = Segment.create(None, 1)
            else:
                _segment = Segment.open(name, create=create,
                                        exclusive=exclusive, mode=mode,
                                        typecode=None, count=1)
        self._seg = _segment
        self._tlock = threading.Lock()
        self.owner_died = False
        _locks.add(self)

    def _after_fork(self):
        self._tlock = threading.Lock()

    @property
    def name(self):
        return self._seg.name

    def _kernel_acquire(self, d):
        while True:
            r = self._seg.lock(d)
            if r == 0:
                return True
            if r == -errno.EOWNERDEAD:
                self.owner_died = True
                return True
            if r in (-errno.EAGAIN, -errno.ETIMEDOUT):
                return False
            # -EDEADLK: this process holds it through another handle (the
            # same named lock opened twice): wait as multiprocessing would.
            block, ns = d.args()
            if not block or ns == 0:
                return False
            time.sleep(0.005 if ns < 0 else min(0.005, ns / 1e9))

    def acquire(self, block=True, timeout=None):
        """Acquire the lock; with `block` wait at most `timeout` seconds
        (None: as long as needed).  Return True if acquired."""
        d = Deadline(block, timeout)
        b, ns = d.args()
        if not b:
            got = self._tlock.acquire(False)
        else:
            got = self._tlock.acquire(True, -1 if ns < 0 else ns / 1e9)
        if not got:
            return False
        try:
            ok = self._kernel_acquire(d)
        except BaseException:
            self._tlock.release()
            raise
        if not ok:
            self._tlock.release()
        return ok

    def release(self):
        """Release the lock; ValueError if this process does not hold it."""
        r = self._seg.unlock()
        if r == -errno.EPERM:
            raise ValueError("semaphore or lock released too many times "
                             "(or by a process that does not hold it)")
        check(r)
        try:
            self._tlock.release()
        except RuntimeError:
            pass

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    def unlink(self):
        """Remove the lock's name (see unlink_lock)."""
        if self._seg.name is None:
            raise ValueError("anonymous lock has no name")
        unlink_shm(self._seg.name)

    def __repr__(self):
        return "<ipcdev.%s fd=%d%s>" % (
            type(self).__name__, self._seg.fd,
            " name=%r" % (self._seg.name,) if self._seg.name else "")

    def __reduce__(self):
        if self._seg.name is not None:
            return (_rebuild_lock_named, (type(self), self._seg.name))
        return reduce_fd(self, self._seg.fd, _rebuild_lock_fd, type(self))


class RLock(Lock):
    """A process-shared recursive lock, like multiprocessing.RLock: the
    thread that holds it may acquire it again, and must release it as many
    times.  This is the default lock of Value and Array."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._owner = None
        self._count = 0

    def _after_fork(self):
        super()._after_fork()
        self._owner = None
        self._count = 0

    def _me(self):
        return (os.getpid(), threading.get_ident())

    def acquire(self, block=True, timeout=None):
        me = self._me()
        if self._owner == me:
            self._count += 1
            return True
        if not super().acquire(block, timeout):
            return False
        self._owner = me
        self._count = 1
        return True

    __enter__ = acquire

    def release(self):
        if self._owner != self._me():
            raise AssertionError("attempt to release recursive lock not "
                                 "owned by thread")
        self._count -= 1
        if self._count == 0:
            self._owner = None
            super().release()

    def _is_mine(self):
        return self._owner == self._me()


def _rebuild_lock_named(cls, name):
    return cls(name=name, create=False)


def _rebuild_lock_fd(dupfd, cls):
    fd = detach_fd(dupfd)
    try:
        seg = Segment.attach(fd)
    finally:
        os.close(fd)
    return cls(_segment=seg)


def unlink_lock(name):
    """Remove a named Lock's or RLock's name (they are segments)."""
    unlink_shm(name)
