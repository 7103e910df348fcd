# SPDX-License-Identifier: LGPL-2.1-or-later
"""Queue: multiprocessing.Queue over /dev/ipcqueue."""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Union
import ctypes
import errno
import os
import queue as _queue
import time
from multiprocessing.reduction import ForkingPickler

from . import _lib
from ._lib import lib, check, call, Deadline
from ._reduction import reduce_fd, detach_fd, dumps, loads_at

__all__ = ["Queue", "SimpleQueue", "unlink_queue"]

# get_many()'s buffer per item: a larger item is taken alone (get()).
_BATCH_SLOT = 4096


def _left(deadline: Deadline) -> Optional[float]:
    """The seconds left of `deadline` (None: forever), for get()."""
    if not deadline.block or deadline.end is None:
        return None
    return max(deadline.end - time.monotonic(), 0.0)

_ACCESS = {(True, True): os.O_RDWR, (True, False): os.O_RDONLY,
           (False, True): os.O_WRONLY}


class Queue:
    """A process-shared FIFO of pickled objects, like multiprocessing.Queue.

    Queue(maxsize=0): maxsize > 0 is the most messages it holds (at most the
    module's msgs_max, 65536); 0 means unbounded, as in multiprocessing:
    put() never waits for room, and objects of any size go through.  The
    only bound is then the owner's byte quota (the module's user_bytes_max,
    1 GiB per user): beyond it put() raises OSError(EDQUOT) at once.
    The kernel holds the messages: put() returns once the message is in
    the queue (no feeder thread), so qsize(), empty() and full() are exact.

    Keyword-only: `name` (a named queue, created unless `create` is False;
    `exclusive`: FileExistsError if it exists; `mode`: its permission
    bits; `readable`/`writable`: the access this handle asks for),
    `bytes_max` (capacity in bytes, default 0: no bound) and
    `msgsize_max` (longest pickled message, default 0: no limit).
    """

    def __init__(self, maxsize: int = 0, *, name: Optional[Union[str, bytes]] = None,
                 create: bool = True, exclusive: bool = False,
                 mode: int = 0o600, readable: bool = True,
                 writable: bool = True, bytes_max: int = 0,
                 msgsize_max: int = 0, _fd: Optional[int] = None) -> None:
        if _fd is not None:
            fd = _fd
        else:
            if maxsize is None or maxsize < 0:
                maxsize = 0
            attr = _lib.QueueAttr(maxsize, msgsize_max or _lib.UNLIMITED,
                                  bytes_max)
            if name is None:
                fd = check(lib.ipc_queue_create(ctypes.byref(attr)))
            else:
                try:
                    access = _ACCESS[(bool(readable), bool(writable))]
                except KeyError:
                    raise ValueError("at least one of readable and writable "
                                     "must be True")
                fd = check(lib.ipc_queue_open(
                    _lib.encode_name(name),
                    _lib.open_flags(access, create, exclusive),
                    _lib.check_mode(mode), ctypes.byref(attr)), name)
        self._fd: Optional[int] = fd
        self._name = name
        self._maxsize = maxsize
        self._closed = False
        self._access = (readable, writable)

    # --- pickling, repr -------------------------------------------------------
    def __reduce__(self):
        if self._name is not None:
            return (_rebuild_named, (type(self), self._name, self._access))
        self._check_closed()
        return reduce_fd(self, self._fd, _rebuild_fd, type(self))

    # repr: object's own, "<ipcdev.queues.Queue object at 0x...>", as
    # multiprocessing's (which defines none).

    @property
    def name(self) -> Optional[Union[str, bytes]]:
        """The queue's name, or None for an anonymous queue."""
        return self._name

    def fileno(self) -> int:
        """The /dev/ipcqueue descriptor (POLLIN: a message waits; POLLOUT:
        a message fits)."""
        self._check_closed()
        return self._fd  # type: ignore[return-value]

    def _check_closed(self):
        if self._closed:
            raise ValueError(f"Queue {self!r} is closed")

    # --- put / get -----------------------------------------------------------
    def put(self, obj: Any, block: bool = True,
            timeout: Optional[float] = None) -> None:
        """Put obj into the queue, waiting (if `block`, at most `timeout`
        seconds) while it is full; queue.Full when it stays full."""
        self._check_closed()
        data = dumps(obj)
        r = call(lib.ipc_queue_put, self._fd, data, len(data),
                 deadline=Deadline(block, timeout))
        if r in (-errno.EAGAIN, -errno.ETIMEDOUT):
            raise _queue.Full
        check(r)

    def get(self, block: bool = True,
            timeout: Optional[float] = None) -> Any:
        """Remove and return the oldest item, waiting (if `block`, at most
        `timeout` seconds) while the queue is empty; queue.Empty when it
        stays empty."""
        self._check_closed()
        ptr = ctypes.c_void_p()
        n = call(lib.ipc_queue_get_alloc, self._fd, ctypes.byref(ptr),
                 deadline=Deadline(block, timeout))
        if n in (-errno.EAGAIN, -errno.ETIMEDOUT):
            raise _queue.Empty
        check(n)
        return loads_at(ptr, n)

    # --- batches (an extension: multiprocessing has no such calls) ---------
    def put_many(self, items: Iterable[Any], block: bool = True,
                 timeout: Optional[float] = None) -> int:
        """Put every object of `items`, in order, with one system call per
        batch of up to IPCDEV_MSGVEC_MAX (ipc_queue_put_many(3)), waiting
        (if `block`, at most `timeout` seconds in all) while the queue is
        full.  Returns the number of objects put: all of them, or, when the
        queue stays full (non-blocking, or at the timeout), those put until
        then; queue.Full when none could be.  Any other error is raised
        with the objects before the failing one put (its `put_count`)."""
        self._check_closed()
        datas = [dumps(obj) for obj in items]
        deadline = Deadline(block, timeout)
        done = 0
        while done < len(datas):
            chunk = datas[done:done + _lib.MSGVEC_MAX]
            iov = (_lib.IoVec * len(chunk))()
            for i, d in enumerate(chunk):
                iov[i].iov_base = ctypes.cast(ctypes.c_char_p(d),
                                              ctypes.c_void_p)
                iov[i].iov_len = len(d)
            r = call(lib.ipc_queue_put_many, self._fd, iov, len(chunk),
                     deadline=deadline)
            if r in (-errno.EAGAIN, -errno.ETIMEDOUT):
                if done:
                    return done
                raise _queue.Full
            if r < 0:
                try:
                    check(r)
                except OSError as e:
                    e.put_count = done  # type: ignore[attr-defined]
                    raise
            done += r
        return done

    def get_many(self, max: int, block: bool = True,
                 timeout: Optional[float] = None) -> List[Any]:
        """Remove and return up to `max` items, oldest first, with one
        system call per batch (ipc_queue_get_many(3)): waits (if `block`,
        at most `timeout` seconds) for the first item only, then takes
        what is queued; queue.Empty when none came."""
        self._check_closed()
        if max < 1:
            return []
        deadline = Deadline(block, timeout)
        out: List[Any] = []
        while len(out) < max:
            n = min(max - len(out), _lib.MSGVEC_MAX)
            r = self._get_batch(n, deadline, out)
            if r == 0 or r < n:
                break
            deadline = Deadline(False)
        if not out:
            raise _queue.Empty
        return out

    def _get_batch(self, n: int, deadline: Deadline, out: List[Any]) -> int:
        """One GET_MANY of up to `n` items into `out`: how many it got."""
        slot = _BATCH_SLOT
        buf = bytearray(n * slot)
        base = ctypes.addressof(ctypes.c_char.from_buffer(buf))
        iov = (_lib.IoVec * n)()
        lens = (ctypes.c_size_t * n)()
        for i in range(n):
            iov[i].iov_base = base + i * slot
            iov[i].iov_len = slot
        r = call(lib.ipc_queue_get_many, self._fd, iov, lens, n,
                 deadline=deadline)
        if r == -errno.EMSGSIZE:
            # The next item is larger than a slot: take it alone.
            try:
                out.append(self.get(deadline.block, _left(deadline)))
            except _queue.Empty:
                return 0
            return 1
        if r in (-errno.EAGAIN, -errno.ETIMEDOUT, -errno.EPIPE):
            return 0
        check(r)
        view = memoryview(buf)
        for i in range(r):
            out.append(ForkingPickler.loads(view[i * slot:i * slot + lens[i]]))
        return r

    def put_nowait(self, obj: Any) -> None:
        """put(obj, False)."""
        return self.put(obj, False)

    def get_nowait(self) -> Any:
        """get(False)."""
        return self.get(False)

    # --- state ----------------------------------------------------------------
    def qsize(self) -> int:
        """Number of items in the queue (exact: the kernel's count)."""
        self._check_closed()
        return check(lib.ipc_queue_qsize(self._fd))

    def empty(self) -> bool:
        """True if the queue is empty (exact)."""
        self._check_closed()
        return bool(check(lib.ipc_queue_empty(self._fd)))

    def full(self) -> bool:
        """True if a put would wait now (exact)."""
        self._check_closed()
        return bool(check(lib.ipc_queue_full(self._fd)))

    # --- closing ----------------------------------------------------------------
    def close(self) -> None:
        """Close this process's handle; the queue lives on in other
        processes (and, if named, until unlink())."""
        if not self._closed:
            self._closed = True
            fd, self._fd = self._fd, None
            lib.ipc_queue_close(fd)

    def join_thread(self) -> None:
        """No-op: there is no feeder thread (put() is synchronous)."""
        if not self._closed:
            raise ValueError("Queue.join_thread() called before close()")

    def cancel_join_thread(self) -> None:
        """No-op: there is no feeder thread."""

    def unlink(self) -> None:
        """Remove the queue's name (see unlink_queue)."""
        if self._name is None:
            raise ValueError("anonymous queue has no name")
        unlink_queue(self._name)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Queue":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SimpleQueue(Queue):
    """multiprocessing.SimpleQueue: get(), put(), empty(), close() of an
    unbounded Queue."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("maxsize", None)
        super().__init__(0, **kwargs)

    def get(self) -> Any:  # type: ignore[override]
        return super().get()

    def put(self, obj: Any) -> None:  # type: ignore[override]
        return super().put(obj)


def _rebuild_named(cls, name, access):
    q = cls.__new__(cls)
    Queue.__init__(q, name=name, create=False, readable=access[0],
                   writable=access[1])
    return q


def _rebuild_fd(dupfd, cls):
    q = cls.__new__(cls)
    Queue.__init__(q, _fd=detach_fd(dupfd))
    return q


def unlink_queue(name: Union[str, bytes]) -> None:
    """Remove a named queue's name (FileNotFoundError if there is none;
    PermissionError if the caller does not own it)."""
    check(lib.ipc_queue_unlink(_lib.encode_name(name)), name)
