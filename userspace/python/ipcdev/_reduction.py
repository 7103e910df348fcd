# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pickling of ipcdev objects: by name when named, by duplicating the
descriptor while multiprocessing spawns a child (spawn/forkserver start
methods), otherwise refused as multiprocessing refuses it."""

import ctypes
import io
import os
from multiprocessing import context, reduction

from . import _lib


def reduce_fd(obj, fd, rebuild, *args):
    if context.get_spawning_popen() is None:
        raise RuntimeError(
            "%s objects should only be shared between processes through "
            "inheritance, or attached by name" % type(obj).__name__)
    return rebuild, (reduction.DupFd(fd),) + tuple(args)


def detach_fd(dupfd):
    """The descriptor of a DupFd received in the child, O_CLOEXEC."""
    fd = dupfd.detach()
    os.set_inheritable(fd, False)
    return fd


def dumps(obj):
    """ForkingPickler.dumps(obj) as bytes, without its copy: BytesIO's
    getvalue() hands over its buffer when nothing else refers to it."""
    buf = io.BytesIO()
    reduction.ForkingPickler(buf).dump(obj)
    return buf.getvalue()


# A read-only memoryview of C memory, without copying it (PyBUF_READ).
_memory_view = ctypes.pythonapi.PyMemoryView_FromMemory
_memory_view.restype = ctypes.py_object
_memory_view.argtypes = [ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_int]
_PyBUF_READ = 0x100
# Below this, a bytes copy is cheaper than the memoryview's set-up.
_VIEW_MIN = 64 << 10


def loads_at(ptr, n):
    """ForkingPickler.loads() of the n bytes that libipcdev allocated at
    ptr (a c_void_p), which it frees.  A large pickle is unpickled in
    place, through a memoryview: not first copied into a bytes object
    (for a 1 GiB object, one copy and 1 GiB of peak memory less)."""
    try:
        if n < _VIEW_MIN:
            return reduction.ForkingPickler.loads(ctypes.string_at(ptr, n))
        with _memory_view(ptr, n, _PyBUF_READ) as m:
            return reduction.ForkingPickler.loads(m)
    finally:
        _lib.free(ptr)
