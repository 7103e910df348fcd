# SPDX-License-Identifier: LGPL-2.1-or-later
"""Value, Array, RawValue, RawArray: multiprocessing.sharedctypes over
/dev/ipcshm segments.

The ctypes objects live in a kernel segment mapped MAP_SHARED, so they are
shared with children made by fork() and, for named segments, with any
process that attaches by name.  The default lock of Value and Array is an
RLock on the segment's own kernel lock, shared the same way.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Union
import ctypes
from multiprocessing import sharedctypes as _mpsc

from . import _lib
from ._reduction import reduce_fd, detach_fd
from ._segment import Segment, unlink_shm
from .synchronize import RLock
import os

__all__ = ["RawValue", "RawArray", "Value", "Array", "copy", "synchronized",
           "typecode_to_type", "unlink_value", "unlink_array"]

typecode_to_type: Dict[str, Any] = dict(
    _mpsc.typecode_to_type)  # type: ignore[attr-defined]

# ctypes types the kernel types directly (the segment records the typecode):
# the module's typecodes (from the library) whose ctypes type has the
# module's element size.  Any other type (c_wchar 'u', c_bool, Structure, a
# 4-byte c_long of a 32-bit process, ...) is stored in a raw segment of the
# right size.
_type_to_typecode: Dict[Any, str] = {}
for _tc in _lib.typecodes():
    _ty = typecode_to_type.get(_tc)
    if _ty is not None and ctypes.sizeof(_ty) == _lib.typecode_size(_tc):
        _type_to_typecode.setdefault(_ty, _tc)


def _resolve(typecode_or_type):
    if isinstance(typecode_or_type, str):
        try:
            return typecode_to_type[typecode_or_type]
        except KeyError:
            raise ValueError("bad typecode %r (must be one of %s or a ctypes "
                             "type)" % (typecode_or_type,
                                        "".join(typecode_to_type)))
    if not (isinstance(typecode_or_type, type)
            and issubclass(typecode_or_type, ctypes._SimpleCData.__mro__[1])):
        raise TypeError("typecode_or_type must be a typecode string or a "
                        "ctypes type, not %r" % (typecode_or_type,))
    return typecode_or_type


def _segment(type_, count, name, create, exclusive, mode):
    """A segment for `count` elements of `type_` (count None: attach to an
    existing named segment and take its count)."""
    tc = _type_to_typecode.get(type_)
    size = ctypes.sizeof(type_)
    if count is not None:
        if not isinstance(count, int):
            raise TypeError("size must be an int")
        if count < 0:
            raise ValueError("negative size")
    if name is None:
        if count is None:
            raise ValueError("size needed for an anonymous segment")
        if tc:
            return Segment.create(tc, max(count, 1)), count
        return Segment.create(None, max(size * count, 1)), count
    if count is None and create:
        raise ValueError("size needed to create a segment (create=False to "
                         "attach to an existing one)")
    want = max(count or 0, 1)
    seg = Segment.open(name, create=create, exclusive=exclusive, mode=mode,
                       typecode=tc, count=want if tc else size * want)
    if not seg.created:
        have_tc = seg.typecode
        if tc and have_tc != tc:
            raise ValueError("segment %r holds typecode %r, not %r"
                             % (name, have_tc, tc))
        if not tc and have_tc is not None:
            if ctypes.sizeof(typecode_to_type[have_tc]) != size:
                raise ValueError("segment %r holds typecode %r, not %s"
                                 % (name, have_tc, type_.__name__))
        have = seg.a.size // size
        if count is None:
            count = have
        elif have < count:
            raise ValueError("segment %r holds %d elements, not %d"
                             % (name, have, count))
    return seg, count


def _bind(ctype, seg):
    obj = ctype.from_address(seg.a.addr)
    obj._ipcdev_segment = seg     # the mapping lives as long as obj
    return obj


def RawValue(typecode_or_type: Union[str, type], *args: Any,
             name: Optional[Union[str, bytes]] = None, create: bool = True,
             exclusive: bool = False, mode: int = 0o600) -> Any:
    """A ctypes object in a new shared segment, as
    multiprocessing.sharedctypes.RawValue (no lock).  With `name`: a named
    segment, created (and initialised from *args) unless it exists, or only
    attached when `create` is False."""
    type_ = _resolve(typecode_or_type)
    seg, _ = _segment(type_, 1, name, create, exclusive, mode)
    obj = _bind(type_, seg)
    if seg.created and args:
        obj.__init__(*args)
    return obj


def RawArray(typecode_or_type: Union[str, type],
             size_or_initializer: Union[int, Sequence[Any], None], *,
             name: Optional[Union[str, bytes]] = None, create: bool = True,
             exclusive: bool = False, mode: int = 0o600) -> Any:
    """A ctypes array in a new shared segment, as
    multiprocessing.sharedctypes.RawArray: `size_or_initializer` is a
    length (zero-filled) or a sequence of initial values.  With `name`, as
    RawValue; `size_or_initializer` may be None with create=False: the
    segment's own length."""
    type_ = _resolve(typecode_or_type)
    if isinstance(size_or_initializer, int) or size_or_initializer is None:
        init = None
        count = size_or_initializer
    else:
        init = size_or_initializer
        count = len(init)
    seg, count = _segment(type_, count, name, create, exclusive, mode)
    obj = _bind(type_ * count, seg)
    if seg.created and init is not None:
        obj.__init__(*init)
    return obj


def _wrap(obj, lock, ctx):
    if lock is False:
        return obj
    if lock in (True, None):
        lock = RLock(_segment=obj._ipcdev_segment)
    elif not hasattr(lock, "acquire"):
        raise AttributeError("%r has no method 'acquire'" % lock)
    return synchronized(obj, lock, ctx)


def Value(typecode_or_type: Union[str, type], *args: Any,
          lock: Any = True, ctx: Any = None, name: Optional[Union[str, bytes]] = None,
          create: bool = True, exclusive: bool = False,
          mode: int = 0o600) -> Any:
    """A synchronized shared ctypes object, as multiprocessing.Value:
    .value, get_lock(), get_obj().  lock=True (default): an RLock on the
    segment's kernel lock; a lock object: that lock; False: the raw object
    (RawValue).  `name`, `create`, `exclusive`, `mode`: see RawValue."""
    obj = RawValue(typecode_or_type, *args, name=name, create=create,
                   exclusive=exclusive, mode=mode)
    return _wrap(obj, lock, ctx)


def Array(typecode_or_type: Union[str, type],
          size_or_initializer: Union[int, Sequence[Any], None], *,
          lock: Any = True, ctx: Any = None, name: Optional[Union[str, bytes]] = None,
          create: bool = True, exclusive: bool = False,
          mode: int = 0o600) -> Any:
    """A synchronized shared ctypes array, as multiprocessing.Array:
    indexing, slices, len(), get_lock(), get_obj(); for 'c' also .value
    and .raw.  `lock` as for Value; `name`... as for RawArray."""
    obj = RawArray(typecode_or_type, size_or_initializer, name=name,
                   create=create, exclusive=exclusive, mode=mode)
    return _wrap(obj, lock, ctx)


def copy(obj: Any) -> Any:
    """A new anonymous shared copy of the ctypes object `obj`."""
    seg = Segment.create(None, max(ctypes.sizeof(obj), 1))
    new = _bind(type(obj), seg)
    ctypes.pointer(new)[0] = obj
    return new


# --- synchronized wrappers: multiprocessing's, pickled by segment ------------

class _Reducible:
    def __reduce__(self):
        obj = self._obj
        seg = obj._ipcdev_segment
        lock = self._lock
        if isinstance(lock, RLock) and lock._seg is seg:
            lock = None
        t = type(obj)
        # array types are made on the fly: pickle (element type, length)
        t = (t._type_, t._length_) if issubclass(t, ctypes.Array) else t
        if seg.name is not None:
            return (_rebuild_named, (t, seg.name, lock))
        return reduce_fd(self, seg.fd, _rebuild_fd, t, lock)


class Synchronized(_Reducible, _mpsc.Synchronized):
    pass


class SynchronizedArray(_Reducible, _mpsc.SynchronizedArray):
    pass


class SynchronizedString(_Reducible, _mpsc.SynchronizedString):
    pass


_class_cache: Dict[type, type] = {}


def synchronized(obj: Any, lock: Any = None, ctx: Any = None) -> Any:
    """Wrap a shared ctypes object with `lock` (as
    multiprocessing.sharedctypes.synchronized)."""
    if isinstance(obj, _mpsc.SynchronizedBase):
        raise TypeError("object already synchronized")
    if lock is None:
        seg = getattr(obj, "_ipcdev_segment", None)
        lock = RLock(_segment=seg) if seg is not None else RLock()
    if isinstance(obj, ctypes._SimpleCData):
        return Synchronized(obj, lock, ctx)
    if isinstance(obj, ctypes.Array):
        if obj._type_ is ctypes.c_char:
            return SynchronizedString(obj, lock, ctx)
        return SynchronizedArray(obj, lock, ctx)
    cls = type(obj)
    try:
        scls = _class_cache[cls]
    except KeyError:
        base = _mpsc.synchronized(cls(), RLock()).__class__  # type: ignore
        scls = _class_cache[cls] = type(base.__name__, (_Reducible, base), {})
    return scls(obj, lock, ctx)


def _attach(type_, segref):
    if isinstance(type_, tuple):
        type_ = type_[0] * type_[1]
    if isinstance(segref, str):
        seg = Segment.open(segref, create=False, exclusive=False, mode=0,
                           typecode=None, count=0)
    else:
        fd = detach_fd(segref)
        try:
            seg = Segment.attach(fd)
        finally:
            os.close(fd)
    return _bind(type_, seg)


def _rebuild_named(type_, name, lock):
    obj = _attach(type_, name)
    return synchronized(obj, lock)


def _rebuild_fd(dupfd, type_, lock):
    obj = _attach(type_, dupfd)
    return synchronized(obj, lock)


def unlink_value(name: Union[str, bytes]) -> None:
    """Remove a named Value's (or Array's, Lock's: any segment's) name."""
    unlink_shm(name)


unlink_array = unlink_value
