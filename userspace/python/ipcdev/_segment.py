# SPDX-License-Identifier: LGPL-2.1-or-later
"""A /dev/ipcshm segment: struct ipc_array, owned by a Python object."""

from __future__ import annotations

from typing import Union
import ctypes
import errno
import os

from . import _lib
from ._lib import lib, check, call, Deadline


class Segment:
    """Owns a struct ipc_array (handle and mapping); closed when
    garbage-collected.  Objects mapped over it must keep it alive."""

    __slots__ = ("a", "name", "created", "__weakref__")

    def __init__(self, name=None):
        self.a = _lib.IpcArray()
        self.a.fd = -1
        self.name = name
        self.created = True

    @classmethod
    def create(cls, typecode, count, init=None):
        s = cls()
        if typecode:
            check(lib.ipc_array_create(ctypes.byref(s.a), typecode.encode(),
                                       count, init))
        else:
            check(lib.ipc_raw_create(ctypes.byref(s.a), count))
            if init is not None:
                ctypes.memmove(s.a.addr, init, count)
        return s

    @classmethod
    def open(cls, name, *, create, exclusive, mode, typecode, count,
             readonly=False):
        """Attach to, or create, a named segment; s.created tells which
        (a non-exclusive create tries an exclusive one first)."""
        bname = _lib.encode_name(name)
        access = os.O_RDONLY if readonly else os.O_RDWR
        _lib.open_flags(access, create, exclusive)
        _lib.check_mode(mode)
        tc = typecode.encode() if typecode else b"\0"
        while True:
            s = cls(name)
            if create:
                r = lib.ipc_array_open(ctypes.byref(s.a), bname,
                                       access | _lib.IPC_CREAT | _lib.IPC_EXCL,
                                       mode, tc, count)
                if r == 0:
                    s.created = True
                    return s
                if r != -errno.EEXIST or exclusive:
                    check(r, name)
            r = lib.ipc_array_open(ctypes.byref(s.a), bname, access, mode,
                                   tc, count)
            if r == 0:
                s.created = False
                return s
            if r != -errno.ENOENT or not create:
                check(r, name)
            # unlinked between the two calls: try again

    @classmethod
    def attach(cls, fd, name=None):
        s = cls(name)
        check(lib.ipc_array_attach(ctypes.byref(s.a), fd))
        return s

    @property
    def fd(self):
        return self.a.fd

    @property
    def typecode(self):
        t = self.a.type
        return t.decode() if t and t != b"\0" else None

    def lock(self, deadline):
        """ipc_array_lock with EINTR handled: 0, -EOWNERDEAD, -EAGAIN,
        -ETIMEDOUT, -EDEADLK (other errors raise)."""
        r = call(lib.ipc_array_lock, ctypes.byref(self.a), deadline=deadline)
        if r in (0, -errno.EOWNERDEAD, -errno.EAGAIN, -errno.ETIMEDOUT,
                 -errno.EDEADLK):
            return r
        raise _lib.error(r)

    def unlock(self):
        return lib.ipc_array_unlock(ctypes.byref(self.a))

    def publish(self):
        check(lib.ipc_array_publish(ctypes.byref(self.a)))

    def wait_change(self, seen, block=True, timeout=None):
        seq = ctypes.c_uint64()
        r = check(call(lib.ipc_array_wait_change, ctypes.byref(self.a), seen,
                       ctypes.byref(seq), deadline=Deadline(block, timeout)))
        return bool(r), seq.value

    def close(self):
        if self.a.fd >= 0:
            lib.ipc_array_close(ctypes.byref(self.a))

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def unlink_shm(name: Union[str, bytes]) -> None:
    """Remove a named segment's name (Value, Array, Lock, RLock...)."""
    check(lib.ipc_array_unlink(_lib.encode_name(name)), name)
