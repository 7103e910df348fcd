# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pipe and Connection: multiprocessing.Pipe over /dev/ipcpipe."""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union
import ctypes
import errno
import os

from . import _lib
from ._lib import lib, check, call, Deadline
from ._reduction import reduce_fd, detach_fd, dumps, loads_at
from multiprocessing import BufferTooShort

__all__ = ["Pipe", "Connection", "unlink_pipe", "BufferTooShort"]

_pipe_send = lib.ipc_pipe_send
_pipe_recv_alloc = lib.ipc_pipe_recv_alloc
_EINTR = -errno.EINTR

_O = {(True, True): os.O_RDWR, (True, False): os.O_RDONLY,
      (False, True): os.O_WRONLY}


class Connection:
    """One end of a Pipe, like multiprocessing.connection.Connection.

    Messages are whole: one recv_bytes() returns exactly what one
    send_bytes() sent; send()/recv() carry pickled objects.  The handle is
    a /dev/ipcpipe descriptor (fileno()), inherited by fork(); it can be
    waited on with select/poll/multiprocessing.connection.wait.
    """

    def __init__(self, fd: int, readable: bool = True, writable: bool = True,
                 name: Optional[Union[str, bytes]] = None, end: Optional[int] = None) -> None:
        if not readable and not writable:
            raise ValueError("at least one of readable and writable must be True")
        self._fd: Optional[int] = fd
        self._readable = bool(readable)
        self._writable = bool(writable)
        self._name = name
        self._end = end

    # --- attaching by name ------------------------------------------------
    @classmethod
    def open(cls, name: Union[str, bytes], end: int, *, create: bool = False,
             exclusive: bool = False, mode: int = 0o600, duplex: bool = True,
             readable: bool = True, writable: bool = True,
             capacity: int = 0) -> "Connection":
        """Attach to end 0 or 1 of the named pipe `name` (creating it when
        `create`; `exclusive`: FileExistsError if it exists).  `duplex` and
        `capacity` (bytes per direction) apply to a pipe this call creates;
        `readable`/`writable` limit this handle (and are further limited by
        the pipe's direction: in a one-way pipe end 0 receives, end 1
        sends).  Raises FileNotFoundError, FileExistsError,
        PermissionError, ValueError."""
        bname = _lib.encode_name(name)
        if end not in (0, 1):
            raise ValueError("end must be 0 or 1")
        try:
            access = _O[(bool(readable), bool(writable))]
        except KeyError:
            raise ValueError("at least one of readable and writable must be True")
        flags = _lib.open_flags(access, create, exclusive)
        if duplex:
            flags |= _lib.IPC_PIPE_DUPLEX
        attr = _lib.PipeAttr(capacity, _lib.UNLIMITED)
        fd = check(lib.ipc_pipe_open(bname, end, flags, _lib.check_mode(mode),
                                     ctypes.byref(attr)), name)
        st = _lib.PipeStat()
        check(lib.ipc_pipe_stat(fd, ctypes.byref(st)))
        if not st.flags & _lib.IPCDEV_PIPE_DUPLEX:
            readable = readable and end == 0
            writable = writable and end == 1
        return cls(fd, readable, writable, name=name, end=end)

    # --- state ----------------------------------------------------------------
    def _check_closed(self):
        if self._fd is None:
            raise OSError("handle is closed")

    def _check_readable(self):
        if not self._readable:
            raise OSError("connection is write-only")

    def _check_writable(self):
        if not self._writable:
            raise OSError("connection is read-only")

    @property
    def closed(self) -> bool:
        """True if the connection is closed."""
        return self._fd is None

    @property
    def readable(self) -> bool:
        """True if the connection is readable."""
        return self._readable

    @property
    def writable(self) -> bool:
        """True if the connection is writable."""
        return self._writable

    @property
    def name(self) -> Optional[Union[str, bytes]]:
        """The pipe's name, or None for an anonymous pipe."""
        return self._name

    def fileno(self) -> int:
        """File descriptor of the connection."""
        self._check_closed()
        return self._fd  # type: ignore[return-value]

    def close(self) -> None:
        """Close the connection (the peer sees EOF once every handle of
        this end, in every process, is closed)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            lib.ipc_pipe_close(fd)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # repr: object's own, "<ipcdev.connection.Connection object at 0x...>", as
    # multiprocessing's (which defines none).

    def __reduce__(self):
        if self._name is not None:
            return (_rebuild_named, (self._name, self._end, self._readable,
                                     self._writable))
        self._check_closed()
        return reduce_fd(self, self._fd, _rebuild_fd, self._readable,
                         self._writable)

    # --- sending --------------------------------------------------------------
    def send_bytes(self, buf: Any, offset: int = 0,
                   size: Optional[int] = None) -> None:
        """Send the bytes of a bytes-like object (from `offset`, `size`
        bytes) as one message.  BrokenPipeError when the peer end is
        gone."""
        self._check_closed()
        self._check_writable()
        m = memoryview(buf)
        if m.itemsize > 1:
            m = m.cast("B")
        n = m.nbytes
        if offset < 0:
            raise ValueError("offset is negative")
        if n < offset:
            raise ValueError("buffer length < offset")
        if size is None:
            size = n - offset
        elif size < 0:
            raise ValueError("size is negative")
        elif offset + size > n:
            raise ValueError("buffer length < offset + size")
        self._send(bytes(m[offset:offset + size]))

    def send(self, obj: Any) -> None:
        """Send a picklable object."""
        if self._fd is None:
            self._check_closed()
        if not self._writable:
            self._check_writable()
        self._send(dumps(obj))

    def _send(self, data):
        # the common case first: one call, blocking, no Deadline to build
        r = _pipe_send(self._fd, data, len(data), 1, _lib.FOREVER)
        if r:
            if r == _EINTR:
                _lib.check_signals()
                r = call(_pipe_send, self._fd, data, len(data),
                         deadline=Deadline())
            check(r)

    # --- receiving --------------------------------------------------------------
    def _recv(self, unpickle=False):
        """The next message as bytes, or with `unpickle`, the object it
        holds (unpickled in place: see loads_at)."""
        ptr = ctypes.c_void_p()
        n = _pipe_recv_alloc(self._fd, ctypes.byref(ptr), 1, _lib.FOREVER)
        if n == _EINTR:
            _lib.check_signals()
            n = call(_pipe_recv_alloc, self._fd, ctypes.byref(ptr),
                     deadline=Deadline())
        if n == -errno.EPIPE:
            raise EOFError
        check(n)
        if unpickle:
            return loads_at(ptr, n)
        try:
            return ctypes.string_at(ptr, n)
        finally:
            _lib.free(ptr)

    def recv_bytes(self, maxlength: Optional[int] = None) -> bytes:
        """Receive one message as bytes; EOFError when the peer end is
        gone and nothing is left.  OSError when the message is longer than
        `maxlength` (it then stays in the pipe)."""
        self._check_closed()
        self._check_readable()
        if maxlength is not None and maxlength < 0:
            raise ValueError("negative maxlength")
        if maxlength is None:
            return self._recv()
        buf = ctypes.create_string_buffer(max(maxlength, 1))
        n = call(lib.ipc_pipe_recv, self._fd, buf, maxlength, None,
                 deadline=Deadline())
        if n == -errno.EPIPE:
            raise EOFError
        if n == -errno.EMSGSIZE:
            raise OSError("bad message length")
        check(n)
        return buf.raw[:n]

    def recv_bytes_into(self, buf: Any, offset: int = 0) -> int:
        """Receive one message into the writable buffer `buf` at byte
        `offset`; return its length.  BufferTooShort (carrying the whole
        message as args[0]) when it does not fit."""
        self._check_closed()
        self._check_readable()
        with memoryview(buf) as m:
            bytesize = m.nbytes
            if offset < 0:
                raise ValueError("negative offset")
            if offset > bytesize:
                raise ValueError("offset too large")
            if m.readonly:
                raise TypeError("recv_bytes_into() needs a writable buffer")
            room = bytesize - offset
            tmp = ctypes.create_string_buffer(max(room, 1))
            needed = ctypes.c_size_t()
            n = call(lib.ipc_pipe_recv, self._fd, tmp, room,
                     ctypes.byref(needed), deadline=Deadline())
            if n == -errno.EPIPE:
                raise EOFError
            if n == -errno.EMSGSIZE:
                raise BufferTooShort(self._recv())
            check(n)
            flat = m.cast("B") if m.format != "B" or m.ndim != 1 else m
            flat[offset:offset + n] = tmp.raw[:n]
            return n

    def recv(self) -> Any:
        """Receive an object sent with send(); EOFError at end of file."""
        if self._fd is None:
            self._check_closed()
        if not self._readable:
            self._check_readable()
        return self._recv(True)

    def poll(self, timeout: Optional[float] = 0.0) -> bool:
        """Whether there is data to read (or end of file), waiting up to
        `timeout` seconds (None: as long as needed)."""
        self._check_closed()
        self._check_readable()
        d = Deadline(True, timeout)
        while True:
            r = lib.ipc_pipe_poll(self._fd, d.ms())
            if r != -errno.EINTR:
                return bool(check(r))
            _lib.check_signals()


def _rebuild_named(name, end, readable, writable):
    return Connection.open(name, end, readable=readable, writable=writable)


def _rebuild_fd(dupfd, readable, writable):
    return Connection(detach_fd(dupfd), readable, writable)


def Pipe(duplex: bool = True, *, name: Optional[Union[str, bytes]] = None,
         create: bool = True, exclusive: bool = False, mode: int = 0o600,
         capacity: int = 0) -> Tuple[Connection, Connection]:
    """Return a pair (conn1, conn2) of Connection objects, the ends of a
    new pipe, as multiprocessing.Pipe: duplex, both ends send and receive;
    otherwise conn1 only receives and conn2 only sends.

    With `name`, the two ends of the named pipe (created unless `create`
    is False; `exclusive`: FileExistsError if it exists; `mode`: its
    permission bits); another process attaches one end with
    Connection.open(name, end).  `capacity`: bytes each direction holds
    (0: the module default, 1 MiB); a message larger than that still goes
    through once the direction is empty.  Objects of any size may be sent;
    the bound is the sender's byte quota (the module's user_bytes_max,
    1 GiB per user: OSError(EDQUOT) beyond it)."""
    if name is not None:
        c0 = Connection.open(name, 0, create=create, exclusive=exclusive,
                             mode=mode, duplex=duplex, capacity=capacity)
        try:
            c1 = Connection.open(name, 1)
        except BaseException:
            c0.close()
            raise
        return c0, c1
    ends = (ctypes.c_int * 2)()
    attr = _lib.PipeAttr(capacity, _lib.UNLIMITED)
    check(lib.ipc_pipe2(1 if duplex else 0, ctypes.byref(attr), ends))
    if duplex:
        return Connection(ends[0]), Connection(ends[1])
    return (Connection(ends[0], writable=False),
            Connection(ends[1], readable=False))


def unlink_pipe(name: Union[str, bytes]) -> None:
    """Remove a named pipe's name (FileNotFoundError if there is none)."""
    check(lib.ipc_pipe_unlink(_lib.encode_name(name)), name)
