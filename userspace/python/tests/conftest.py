# SPDX-License-Identifier: LGPL-2.1-or-later
"""Test helpers: import ipcdev from this tree, unique names, subprocesses.

Run inside the VM with the module loaded (see README.md); without the
devices every test fails (a test that cannot run is a failed test)."""

import os
import subprocess
import sys
import uuid

import pytest

PKGDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PKGDIR)
PYTHON = "/usr/bin/python3"

import ipcdev  # noqa: E402


def pytest_configure(config):
    # scripts/guest-check.sh deselects these (-m "not gib") on every lane
    # but the stock kernels' ones.
    config.addinivalue_line("markers", "gib: moves a 1 GiB object (slow under emulation)")


def child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = PKGDIR + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_py(code, timeout=30, check=True, user=None):
    """Run `code` in an unrelated /usr/bin/python3 (not a fork of this
    one); return the CompletedProcess (stdout/stderr as text)."""
    kw = {}
    if user is not None:
        kw["user"] = user
    r = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                       timeout=timeout, env=child_env(), **kw)
    if check and r.returncode != 0:
        raise AssertionError("child failed (%d):\n%s%s"
                             % (r.returncode, r.stdout, r.stderr))
    return r


def popen_py(code):
    return subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env())


def fork_run(fn):
    """Run fn() in a forked child; return its exit status (0: fn returned;
    1: it raised)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn()
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture(scope="session", autouse=True)
def devices():
    for d in ("/dev/ipcqueue", "/dev/ipcpipe", "/dev/ipcevent", "/dev/ipcshm"):
        assert os.path.exists(d), "%s missing: is the ipcdev module loaded?" % d


@pytest.fixture
def name(request):
    """A unique object name, unlinked afterwards from every namespace."""
    n = "pytest-%s-%s" % (request.node.name[:40].replace("/", "_"),
                          uuid.uuid4().hex[:8])
    yield n
    for unlink in (ipcdev.unlink_queue, ipcdev.unlink_pipe,
                   ipcdev.unlink_event, ipcdev.unlink_shm):
        try:
            unlink(n)
        except FileNotFoundError:
            pass


NOBODY = 65534


def as_nobody(fn):
    """Run fn() in a forked child with the uid/gid of nobody; return the
    exit status (for PermissionError tests; the tests run as root)."""
    def child():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        fn()
    return fork_run(child)
