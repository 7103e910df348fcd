# SPDX-License-Identifier: LGPL-2.1-or-later
"""Event (/dev/ipcevent), Lock and RLock (a segment's kernel lock)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union
import ctypes
import errno
import os
import threading
import time
import weakref
from multiprocessing import process as _mp_process

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

    def __init__(self, *, name: Optional[Union[str, bytes]] = None, create: bool = True,
                 exclusive: bool = False, mode: int = 0o600,
                 initially_set: bool = False, readable: bool = True,
                 writable: bool = True, _fd: Optional[int] = None) -> None:
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
        self._fd: Optional[int] = fd
        self._name = name
        self._access = (readable, writable)

    def is_set(self) -> bool:
        """True if the flag is set."""
        return bool(check(lib.ipc_event_is_set(self._fileno())))

    def set(self) -> None:
        """Set the flag, waking every waiter."""
        check(lib.ipc_event_set(self._fileno()))

    def clear(self) -> None:
        """Clear the flag."""
        check(lib.ipc_event_clear(self._fileno()))

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Wait until the flag is set (at most `timeout` seconds); return
        True if it was set, False on timeout."""
        return bool(check(call(lib.ipc_event_wait, self._fileno(),
                               deadline=Deadline(True, timeout))))

    @property
    def name(self) -> Optional[Union[str, bytes]]:
        return self._name

    def _fileno(self):
        if self._fd is None:
            raise ValueError("Event is closed")
        return self._fd

    def fileno(self) -> int:
        """The /dev/ipcevent descriptor (POLLIN while set)."""
        return self._fileno()

    def close(self) -> None:
        """Close this process's handle."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            lib.ipc_event_close(fd)

    def unlink(self) -> None:
        """Remove the event's name (see unlink_event)."""
        if self._name is None:
            raise ValueError("anonymous event has no name")
        unlink_event(self._name)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Event":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        try:
            set_status = "set" if self.is_set() else "unset"
        except Exception:
            set_status = "closed"
        return f"<{type(self).__qualname__} at {id(self):#x} {set_status}>"

    def __reduce__(self):
        if self._name is not None:
            return (_rebuild_event_named, (self._name, self._access))
        return reduce_fd(self, self._fileno(), _rebuild_event_fd)


def _rebuild_event_named(name, access):
    return Event(name=name, create=False, readable=access[0],
                 writable=access[1])


def _rebuild_event_fd(dupfd):
    return Event(_fd=detach_fd(dupfd))


def unlink_event(name: Union[str, bytes]) -> None:
    """Remove a named event's name."""
    check(lib.ipc_event_unlink(_lib.encode_name(name)), name)


# --- locks -----------------------------------------------------------------

_locks: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _after_fork_in_child():
    for lk in list(_locks):
        lk._after_fork_reset()


os.register_at_fork(after_in_child=_after_fork_in_child)

# The library's lock calls, as addresses for the C helper and as ctypes
# functions for the pure-Python path: the trylock and the unlock never
# sleep, so they are called holding the GIL (PYFUNCTYPE: no GIL release
# and re-acquire per call, about a third of a ctypes call's cost); the
# blocking lock drops it (CFUNCTYPE).
def _address(fn: Any) -> int:
    a = ctypes.cast(fn, ctypes.c_void_p).value
    if not a:
        raise ImportError("ipcdev: no address for %r" % (fn,))
    return a


_LOCK_ADDR = _address(lib.ipc_array_lock)
_UNLOCK_ADDR = _address(lib.ipc_array_unlock)
_c_lock = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                           ctypes.c_int64)(_LOCK_ADDR)
_c_trylock = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                               ctypes.c_int64)(_LOCK_ADDR)
_c_unlock = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p)(_UNLOCK_ADDR)
_EOWNERDEAD, _EAGAIN, _ETIMEDOUT, _EDEADLK, _EINTR, _EPERM = (
    -errno.EOWNERDEAD, -errno.EAGAIN, -errno.ETIMEDOUT, -errno.EDEADLK,
    -errno.EINTR, -errno.EPERM)


class _PyKernelLock:
    """The pure-Python twin of ipcdev._speedups._KernelLock (used when the
    C helper is not built, or with IPCDEV_PURE_PYTHON=1): one process's
    handle on a segment's kernel lock, threads of the process serialized
    by a thread lock taken first; for an RLock, the owning thread and the
    recursion count.  The uncontended acquire is a trylock (a swap of the
    lock word in libipcdev, no system call); only a lock that is taken
    pays for a Deadline and a blocking call."""

    def __init__(self, arr, addr, lock_addr, unlock_addr, recursive):
        self._keep = arr
        self._addr = addr
        self._recursive = bool(recursive)
        self._tlock = _allocate_lock()
        self._owner = 0
        self._depth = 0
        self.owner_died = False

    def _after_fork_reset(self):
        self._tlock = _allocate_lock()
        self._owner = 0
        self._depth = 0

    def acquire(self, block: bool = True,
                timeout: Optional[float] = None) -> bool:
        if self._depth and self._recursive and self._owner == _get_ident():
            self._depth += 1
            return True
        if self._tlock.acquire(False):
            r = _c_trylock(self._addr, 0, 0)
            if r == 0:
                self._owner = _get_ident()
                self._depth = 1
                return True
        else:
            if not block:
                return False
            r = None
        return self._acquire_slow(r, block, timeout)

    def _acquire_slow(self, r, block, timeout):
        d = Deadline(block, timeout)
        if r is None:                       # the thread lock is taken
            b, ns = d.args()
            if not self._tlock.acquire(True, -1 if ns < 0 else ns / 1e9):
                return False
            r = _c_trylock(self._addr, 0, 0)
        try:
            while True:
                if r == 0:
                    break
                if r == _EOWNERDEAD:
                    self.owner_died = True
                    break
                if r == _EINTR:
                    _lib.check_signals()
                elif r == _EDEADLK:
                    # this process holds it through another handle (the
                    # same named lock opened twice): wait for that one.
                    b, ns = d.args()
                    if not b or ns == 0:
                        r = _ETIMEDOUT
                        continue
                    time.sleep(0.005 if ns < 0 else min(0.005, ns / 1e9))
                    r = _c_trylock(self._addr, 0, 0)
                    continue
                elif r == _ETIMEDOUT or (r == _EAGAIN and not block):
                    self._tlock.release()
                    return False
                elif r != _EAGAIN:
                    raise _lib.error(r)
                b, ns = d.args()
                if ns == 0:
                    self._tlock.release()
                    return False
                r = _c_lock(self._addr, 1, ns)
        except BaseException:
            self._tlock.release()
            raise
        self._owner = _get_ident()
        self._depth = 1
        return True

    def release(self) -> None:
        if self._recursive:
            if not self._depth or self._owner != _get_ident():
                raise AssertionError("attempt to release recursive lock not "
                                     "owned by thread")
            if self._depth > 1:
                self._depth -= 1
                return
        r = _c_unlock(self._addr)
        if r:
            if r == _EPERM:
                raise ValueError("semaphore or lock released too many times "
                                 "(or by a process that does not hold it)")
            raise _lib.error(r)
        if self._depth:
            self._depth = 0
            self._owner = 0
            self._tlock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def _is_mine(self) -> bool:
        return bool(self._depth) and self._owner == _get_ident()

    def _count(self) -> int:
        return self._depth


_allocate_lock = threading.Lock
_get_ident = threading.get_ident

if TYPE_CHECKING:       # the C type has the same methods
    _KernelLock = _PyKernelLock
elif _lib.speedups is not None:
    _KernelLock = _lib.speedups._KernelLock
else:
    _KernelLock = _PyKernelLock


class Lock(_KernelLock):
    """A process-shared non-recursive lock, like multiprocessing.Lock:
    acquire(block=True, timeout=None) -> bool, release(), context manager.

    It is the kernel lock of a small shared memory segment (one raw byte),
    or of a Value/Array's segment (their get_lock()).  The kernel owns it
    per process and frees it when the holding process dies: the next
    acquire() then succeeds and sets `owner_died`.  Threads of one process
    are serialized by a process-local lock first.  acquire and release run
    in C (ipcdev._speedups) when the helper is built, else in Python.

    Keyword-only: `name` (a named lock, created unless `create` is False;
    `exclusive`, `mode` as for the other named objects).
    """

    _RECURSIVE = False

    def __init__(self, *, name: Optional[Union[str, bytes]] = None, create: bool = True,
                 exclusive: bool = False, mode: int = 0o600,
                 _segment: Optional[Segment] = None) -> None:
        if _segment is None:
            if name is None:
                _segment = Segment.create(None, 1)
            else:
                _segment = Segment.open(name, create=create,
                                        exclusive=exclusive, mode=mode,
                                        typecode=None, count=1)
        self._seg = _segment
        super().__init__(_segment.a, ctypes.addressof(_segment.a),
                         _LOCK_ADDR, _UNLOCK_ADDR, self._RECURSIVE)
        self.owner_died = False
        _locks.add(self)

    @property
    def name(self) -> Optional[Union[str, bytes]]:
        return self._seg.name

    def unlink(self) -> None:
        """Remove the lock's name (see unlink_lock)."""
        if self._seg.name is None:
            raise ValueError("anonymous lock has no name")
        unlink_shm(self._seg.name)

    def _owner_name(self) -> str:
        """multiprocessing's words for who holds the lock: this process
        and thread ('MainProcess', 'Process-1|Thread-2'), 'None' (free),
        'SomeOtherThread', 'SomeOtherProcess'."""
        if self._is_mine():
            name = _mp_process.current_process().name
            if threading.current_thread().name != "MainThread":
                name += "|" + threading.current_thread().name
            return name
        if self._count() > 0:
            return "SomeOtherThread"
        if self.acquire(False):
            self.release()
            return "None"
        return "SomeOtherProcess"

    def __repr__(self) -> str:
        try:
            name = self._owner_name()
        except Exception:
            name = "unknown"
        return "<%s(owner=%s)>" % (type(self).__name__, name)

    def __reduce__(self):
        if self._seg.name is not None:
            return (_rebuild_lock_named, (type(self), self._seg.name))
        return reduce_fd(self, self._seg.fd, _rebuild_lock_fd, type(self))


class RLock(Lock):
    """A process-shared recursive lock, like multiprocessing.RLock: the
    thread that holds it may acquire it again, and must release it as many
    times.  This is the default lock of Value and Array."""

    _RECURSIVE = True

    def __repr__(self) -> str:
        try:
            name = self._owner_name()
            count: Union[int, str]
            if self._is_mine():
                count = self._count()
            elif name == "None":
                count = 0
            else:
                count = "nonzero"
        except Exception:
            name, count = "unknown", "unknown"
        return "<%s(%s, %s)>" % (type(self).__name__, name, count)


def _rebuild_lock_named(cls, name):
    return cls(name=name, create=False)


def _rebuild_lock_fd(dupfd, cls):
    fd = detach_fd(dupfd)
    try:
        seg = Segment.attach(fd)
    finally:
        os.close(fd)
    return cls(_segment=seg)


def unlink_lock(name: Union[str, bytes]) -> None:
    """Remove a named Lock's or RLock's name (they are segments)."""
    unlink_shm(name)
