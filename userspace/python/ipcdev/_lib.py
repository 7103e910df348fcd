# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loading libipcdev.so with ctypes, its prototypes, and error mapping.

The library is looked for, in this order:

1. ``$IPCDEV_LIB``: a path to the shared object (or a name for dlopen);
2. the build tree, when the package runs from the source tree:
   ``<tree>/build/userspace/lib/libipcdev.so.2`` (``make userspace``);
3. ``ctypes.util.find_library("ipcdev")`` (the ldconfig cache);
4. the standard places ``make install`` uses: ``/usr/local/lib``,
   ``/usr/lib``, ``/usr/lib64``, ``/usr/lib/<multiarch>``.
"""

import ctypes
import ctypes.util
import errno
import os
import sys
import time

__all__ = ["lib", "lib_path", "check", "IPC_CREAT", "IPC_EXCL", "FOREVER"]

_SONAME = "libipcdev.so.2"


def _candidates():
    env = os.environ.get("IPCDEV_LIB")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.realpath(__file__))
    # <tree>/userspace/python/ipcdev/_lib.py -> <tree>
    tree = os.path.normpath(os.path.join(here, "..", "..", ".."))
    yield os.path.join(tree, "build", "userspace", "lib", _SONAME)
    found = ctypes.util.find_library("ipcdev")
    if found:
        yield found
    dirs = ["/usr/local/lib", "/usr/local/lib64", "/usr/lib", "/usr/lib64"]
    multiarch = getattr(sys.implementation, "_multiarch", None)
    if multiarch:
        dirs[2:2] = ["/usr/local/lib/" + multiarch, "/usr/lib/" + multiarch]
    for d in dirs:
        yield os.path.join(d, _SONAME)
        yield os.path.join(d, "libipcdev.so")


def _load():
    tried = []
    for cand in _candidates():
        if os.sep in cand and not os.path.exists(cand):
            tried.append(cand + " (missing)")
            continue
        try:
            return ctypes.CDLL(cand, use_errno=False), cand
        except OSError as e:
            tried.append("%s (%s)" % (cand, e))
    raise ImportError(
        "ipcdev: cannot load libipcdev.so; build it (make userspace), "
        "install it (make install) or point IPCDEV_LIB at it.  Tried: "
        + "; ".join(tried))


lib, lib_path = _load()


# --- the ABI's facts, from the library (ipc_constants(3)) --------------------

class _Constant(ctypes.Structure):
    """struct ipc_constant of <ipcdev.h>."""
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_uint64)]


def _constants():
    try:
        fn = lib.ipc_constants
    except AttributeError:
        raise ImportError(
            "ipcdev: %s has no ipc_constants(): a libipcdev older than "
            "this package (build it: make userspace)" % lib_path) from None
    fn.restype = ctypes.POINTER(_Constant)
    fn.argtypes = []
    table = fn()
    out = {}
    i = 0
    while table[i].name is not None:
        out[table[i].name.decode("ascii")] = table[i].value
        i += 1
    return out


constants = _constants()

IPC_CREAT = constants["IPC_CREAT"]
IPC_EXCL = constants["IPC_EXCL"]
IPC_PIPE_DUPLEX = constants["IPC_PIPE_DUPLEX"]
IPC_EVENT_INIT_SET = constants["IPC_EVENT_INIT_SET"]
IPCDEV_PIPE_DUPLEX = constants["IPCDEV_PIPE_DUPLEX"]
IPCDEV_NAME_MAX = constants["IPCDEV_NAME_MAX"]
# IPC_FOREVER is (int64_t)-1: the table holds it as a uint64.
FOREVER = ctypes.c_int64(constants["IPC_FOREVER"]).value


def _load_speedups():
    """The optional C helper ipcdev._speedups (Lock/RLock acquire and
    release), or None: installed in the package, or built by `make
    userspace` into <tree>/build/python/.  IPCDEV_PURE_PYTHON=1 leaves it
    out (the pure-Python path behaves the same, only slower)."""
    if os.environ.get("IPCDEV_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from . import _speedups  # type: ignore[attr-defined]
        return _speedups
    except ImportError:
        pass
    import importlib.machinery
    import importlib.util
    here = os.path.dirname(os.path.realpath(__file__))
    tree = os.path.normpath(os.path.join(here, "..", "..", ".."))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(tree, "build", "python", "_speedups" + suffix)
        if not os.path.exists(path):
            continue
        try:
            spec = importlib.util.spec_from_file_location(
                __package__ + "._speedups", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
        except ImportError:
            continue
    return None


speedups = _load_speedups()
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None
free = _libc.free


class IpcArray(ctypes.Structure):
    """struct ipc_array of <ipcdev.h>."""
    _fields_ = [("fd", ctypes.c_int), ("addr", ctypes.c_void_p),
                ("size", ctypes.c_size_t), ("count", ctypes.c_size_t),
                ("elem_size", ctypes.c_size_t), ("type", ctypes.c_char),
                ("prot", ctypes.c_int),
                ("lock_word", ctypes.c_void_p), ("locker", ctypes.c_uint64),
                ("reserved", ctypes.c_uint64 * 8)]


if ctypes.sizeof(IpcArray) != constants["IPC_ARRAY_SIZE"]:
    raise ImportError("ipcdev: struct ipc_array is %d bytes in %s, %d here"
                      % (constants["IPC_ARRAY_SIZE"], lib_path,
                         ctypes.sizeof(IpcArray)))


class QueueAttr(ctypes.Structure):
    _fields_ = [("maxsize", ctypes.c_uint64), ("msgsize_max", ctypes.c_uint64),
                ("bytes_max", ctypes.c_uint64)]


class PipeAttr(ctypes.Structure):
    _fields_ = [("capacity", ctypes.c_uint64), ("msgsize_max", ctypes.c_uint64)]


# IPCDEV_UNLIMITED: a queue or pipe limit that is no bound (the quota is).
UNLIMITED = constants["IPCDEV_UNLIMITED"]


class PipeStat(ctypes.Structure):
    _fields_ = [("end", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("in_count", ctypes.c_uint64), ("in_bytes", ctypes.c_uint64),
                ("out_count", ctypes.c_uint64), ("out_bytes", ctypes.c_uint64),
                ("capacity", ctypes.c_uint64), ("msgsize_max", ctypes.c_uint64),
                ("handles", ctypes.c_uint32 * 2), ("id", ctypes.c_uint32),
                ("mode", ctypes.c_uint32), ("uid", ctypes.c_uint32),
                ("gid", ctypes.c_uint32), ("receivers", ctypes.c_uint32),
                ("senders", ctypes.c_uint32), ("reserved", ctypes.c_uint64 * 2)]


class IoVec(ctypes.Structure):
    """struct iovec: one message of a batch (ipc_queue_put_many(3))."""
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


# IPCDEV_MSGVEC_MAX: the most messages one batch call carries.
MSGVEC_MAX = constants["IPCDEV_MSGVEC_MAX"]

_i, _u, _sz, _ssz = ctypes.c_int, ctypes.c_uint, ctypes.c_size_t, ctypes.c_ssize_t
_p, _s, _i64, _u64 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64, ctypes.c_uint64
_A = ctypes.POINTER(IpcArray)
_PSZ = ctypes.POINTER(ctypes.c_size_t)
_PU64 = ctypes.POINTER(ctypes.c_uint64)

_PROTOS = {
    # queue
    "ipc_queue_create": (_i, [ctypes.POINTER(QueueAttr)]),
    "ipc_queue_open": (_i, [_s, _i, _u, ctypes.POINTER(QueueAttr)]),
    "ipc_queue_put": (_i, [_i, _s, _sz, _i, _i64]),
    "ipc_queue_get_alloc": (_ssz, [_i, ctypes.POINTER(_p), _i, _i64]),
    "ipc_queue_put_many": (_ssz, [_i, ctypes.POINTER(IoVec), _u, _i, _i64]),
    "ipc_queue_get_many": (_ssz, [_i, ctypes.POINTER(IoVec), _PSZ, _u, _i,
                                  _i64]),
    "ipc_queue_qsize": (_ssz, [_i]),
    "ipc_queue_empty": (_i, [_i]),
    "ipc_queue_full": (_i, [_i]),
    "ipc_queue_close": (_i, [_i]),
    "ipc_queue_unlink": (_i, [_s]),
    # pipe
    "ipc_pipe2": (_i, [_i, ctypes.POINTER(PipeAttr), _i * 2]),
    "ipc_pipe_open": (_i, [_s, _i, _i, _u, ctypes.POINTER(PipeAttr)]),
    "ipc_pipe_send": (_i, [_i, _p, _sz, _i, _i64]),
    "ipc_pipe_recv": (_ssz, [_i, _p, _sz, _PSZ, _i, _i64]),
    "ipc_pipe_recv_alloc": (_ssz, [_i, ctypes.POINTER(_p), _i, _i64]),
    "ipc_pipe_poll": (_i, [_i, _i]),
    "ipc_pipe_stat": (_i, [_i, ctypes.POINTER(PipeStat)]),
    "ipc_pipe_close": (_i, [_i]),
    "ipc_pipe_unlink": (_i, [_s]),
    # event
    "ipc_event_create": (_i, [_i]),
    "ipc_event_open": (_i, [_s, _i, _u]),
    "ipc_event_set": (_i, [_i]),
    "ipc_event_clear": (_i, [_i]),
    "ipc_event_is_set": (_i, [_i]),
    "ipc_event_wait": (_i, [_i, _i, _i64]),
    "ipc_event_close": (_i, [_i]),
    "ipc_event_unlink": (_i, [_s]),
    # shared memory
    "ipc_array_create": (_i, [_A, ctypes.c_char, _sz, _p]),
    "ipc_raw_create": (_i, [_A, _sz]),
    "ipc_array_open": (_i, [_A, _s, _i, _u, ctypes.c_char, _sz]),
    "ipc_array_attach": (_i, [_A, _i]),
    "ipc_array_lock": (_i, [_A, _i, _i64]),
    "ipc_array_unlock": (_i, [_A]),
    "ipc_array_publish": (_i, [_A]),
    "ipc_array_wait_change": (_i, [_A, _u64, _PU64, _i, _i64]),
    "ipc_array_close": (_i, [_A]),
    "ipc_array_unlink": (_i, [_s]),
    # signals, errors
    "ipc_notify": (_i, [_i, _i]),
    "ipc_strerror": (ctypes.c_char_p, [_i]),
    # the ABI's facts
    "ipc_check_name": (_i, [_s]),
    "ipc_typecode_size": (_i, [_i]),
    "ipc_typecodes": (ctypes.c_char_p, []),
}

for _name, (_res, _args) in _PROTOS.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args


# --- errors ----------------------------------------------------------------

def strerror(err):
    return lib.ipc_strerror(err).decode("utf-8", "replace")


def error(err, what=None):
    """The exception for a negative errno: OSError's own subclasses
    (FileNotFoundError, FileExistsError, PermissionError, TimeoutError,
    BrokenPipeError, ...), ValueError for EINVAL (bad arguments)."""
    err = -err if err < 0 else err
    msg = strerror(err)
    if err == errno.ENOENT:
        dev = missing_device()
        if dev is not None and MODULE_HINT not in msg:
            msg = "%s: %s: %s" % (msg, dev, MODULE_HINT)
    if err == errno.EINVAL:
        return ValueError("%s: %s" % (what, msg) if what else msg)
    if what is not None:
        return OSError(err, msg, what)
    return OSError(err, msg)


DEVICES = ("/dev/ipcqueue", "/dev/ipcpipe", "/dev/ipcevent", "/dev/ipcshm")
MODULE_HINT = "is the ipcdev module loaded? (modprobe ipcdev)"


def missing_device():
    """The first of the module's devices that is not there, or None."""
    for d in DEVICES:
        if not os.path.exists(d):
            return d
    return None


def check(ret, what=None):
    """Return ret when >= 0, else raise the exception of -ret."""
    if ret < 0:
        raise error(ret, what)
    return ret


def check_signals():
    """Run pending Python signal handlers (they raise through here), as
    the interpreter does after a system call fails with EINTR (PEP 475)."""
    ctypes.pythonapi.PyErr_CheckSignals()


def encode_name(name):
    """Validate an object name (str or bytes) by the library's rule
    (ipc_check_name(3): 1 to IPCDEV_NAME_MAX bytes, no '/'), and no NUL."""
    if isinstance(name, str):
        b = os.fsencode(name)
    elif isinstance(name, (bytes, bytearray)):
        b = bytes(name)
    else:
        raise TypeError("name must be str or bytes, not %s" % type(name).__name__)
    # A C string ends at the first NUL: a name holding one is not the name
    # the library would see.  The rest is the library's rule, ipc_check_name().
    err = -errno.EINVAL if b"\0" in b else lib.ipc_check_name(b)
    if err == -errno.ENAMETOOLONG:
        raise ValueError("ipcdev name too long (%d bytes, at most %d)"
                         % (len(b), IPCDEV_NAME_MAX))
    if err:
        raise ValueError("invalid ipcdev name %r: 1 to %d bytes, no '/' or NUL"
                         % (name, IPCDEV_NAME_MAX))
    return b


def open_flags(access, create, exclusive):
    if exclusive and not create:
        raise ValueError("exclusive=True needs create=True")
    return access | (IPC_CREAT if create else 0) | (IPC_EXCL if exclusive else 0)


def check_mode(mode):
    if not isinstance(mode, int) or mode < 0 or mode > 0o777:
        raise ValueError("mode must be an int in 0..0o777, not %r" % (mode,))
    return mode


class Deadline:
    """A timeout in seconds (None: forever) turned into (block, timeout_ns)
    for each try, so that retries after a signal never wait longer in
    total."""

    __slots__ = ("block", "end")

    def __init__(self, block=True, timeout=None):
        self.block = bool(block)
        if not self.block or timeout is None:
            self.end = None
        else:
            t = float(timeout)
            if t != t:
                raise ValueError("timeout is NaN")
            self.end = time.monotonic() + max(t, 0.0)

    def args(self):
        """(block, timeout_ns) for the next try."""
        if not self.block:
            return 0, 0
        if self.end is None:
            return 1, FOREVER
        left = self.end - time.monotonic()
        return 1, max(int(left * 1e9), 0)

    def ms(self):
        """Milliseconds left for poll(2)-like calls (-1: forever)."""
        if not self.block:
            return 0
        if self.end is None:
            return -1
        left = self.end - time.monotonic()
        return max(int(left * 1000 + 0.999), 0)


def call(fn, *args, deadline=None):
    """Call a library function that may fail with -EINTR: run the signal
    handlers and retry (with the time left) as Python does (PEP 475)."""
    while True:
        if deadline is None:
            ret = fn(*args)
        else:
            ret = fn(*args, *deadline.args())
        if ret != -errno.EINTR:
            return ret
        check_signals()


def typecodes():
    """The segment typecodes the module knows (ipc_typecodes(3))."""
    return lib.ipc_typecodes().decode("ascii")


def typecode_size(tc):
    """Bytes per element of typecode `tc` in a segment (ipc_typecode_size(3)),
    or None if the module does not know it."""
    n = lib.ipc_typecode_size(ord(tc))
    return n if n > 0 else None
