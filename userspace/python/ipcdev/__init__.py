# SPDX-License-Identifier: LGPL-2.1-or-later
"""ipcdev: multiprocessing's IPC objects backed by the ipcdev kernel module.

    from ipcdev import Pipe, Queue, Event, Lock, RLock, Value, Array

Each class behaves like its multiprocessing namesake, but the object lives
in the kernel (/dev/ipcpipe, /dev/ipcqueue, /dev/ipcevent, /dev/ipcshm):
it is shared with children made by fork() (os.fork or multiprocessing's
fork start method) and, given a ``name=``, with any unrelated process that
opens the same name.  Pure Python: ctypes over libipcdev.so (see _lib for
where it is looked for; IPCDEV_LIB overrides).
"""

from __future__ import annotations

from typing import Any

from multiprocessing import BufferTooShort, TimeoutError  # noqa: F401

from ._lib import lib_path, strerror
from .connection import Pipe, Connection, unlink_pipe
from .queues import Queue, SimpleQueue, unlink_queue
from .synchronize import Event, Lock, RLock, unlink_event, unlink_lock
from .sharedctypes import (Value, Array, RawValue, RawArray, copy,
                           synchronized, unlink_value, unlink_array)
from ._segment import unlink_shm
from . import _lib as _l

try:
    from ._version import __version__  # written from VERSION by `make`
except ImportError:  # a source tree before `make`: read VERSION itself
    def _tree_version():
        import os
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "..", "..", "VERSION")
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return "unknown"
    __version__ = _tree_version()
    del _tree_version

__all__ = ["Pipe", "Connection", "Queue", "SimpleQueue", "Event", "Lock",
           "RLock", "Value", "Array", "RawValue", "RawArray", "copy",
           "synchronized", "BufferTooShort", "TimeoutError", "notify",
           "unlink_pipe", "unlink_queue", "unlink_event", "unlink_lock",
           "unlink_value", "unlink_array", "unlink_shm", "lib_path",
           "strerror"]


def notify(obj: Any, signo: int) -> None:
    """Ask the kernel to send this process signal `signo` when `obj` (a
    Connection, Queue, Event, or anything with fileno() of an ipcdev
    handle) becomes ready: a message arrives, an event is set...  signo 0
    turns it off.  Handle it with signal.signal() (si_fd is not available
    to Python handlers)."""
    fd = obj if isinstance(obj, int) else obj.fileno()
    _l.check(_l.lib.ipc_notify(fd, signo))
