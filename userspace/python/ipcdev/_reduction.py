# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pickling of ipcdev objects: by name when named, by duplicating the
descriptor while multiprocessing spawns a child (spawn/forkserver start
methods), otherwise refused as multiprocessing refuses it."""

import io
import os
from multiprocessing import context, reduction


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
