# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run every example under examples/ (as a user would, from that
directory), with a timeout, and check what it prints."""

import os
import subprocess

import pytest

from conftest import PKGDIR, PYTHON, child_env

EXAMPLES = os.path.join(PKGDIR, "examples")

EXPECT = {
    "pipe_demo.py": ["hello 0", "hello 4", "[1, 2, 3] {'name': 'Levi', 'age': 18}"],
    "queue_demo.py": ["full: True qsize: 3", "队列满了, put 超时", "队列满了, put 不阻塞",
                      "1 hello [1, 2, 3]", "队列空了, get 超时", "消费了 9", "qsize: 0"],
    "value_demo.py": ["counter: 4000"],
    "array_demo.py": ["1000", "[0, 1, 4, 9, 16]", "b'HELLO'"],
    "process_event.py": ["我等不了了，还是执行别的吧 False", "开放临界区",
                         "主进程操作完了，轮到我了 True", "is_set: False"],
    "signal_demo.py": ["接收到时钟信号 14", "接收到子进程的 SIGUSR1 10", "子进程的消息",
                       "SIGUSR1 被忽略了"],
    "exercise_driver.py": ["老司机开车了", "系好安全带，小心甩出去", "到站了，下车吧",
                           "司机下车了", "log: 售票员: 第 1 站下车"],
}


def test_every_example_is_covered():
    found = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py"))
    assert found == sorted(EXPECT)


@pytest.mark.parametrize("example", sorted(EXPECT))
def test_example(example):
    env = child_env()
    env.pop("PYTHONPATH")      # examples/ipcdev -> ../ipcdev does the import
    args = [PYTHON, example] + (["--script"] if example == "exercise_driver.py" else [])
    r = subprocess.run(args, cwd=EXAMPLES, capture_output=True, text=True,
                       timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    pos = -1
    for want in EXPECT[example]:
        assert want in lines, "%r not printed:\n%s%s" % (want, r.stdout, r.stderr)
        if example in ("exercise_driver.py", "queue_demo.py"):
            assert lines.index(want) > pos, "out of order: %r\n%s" % (want, r.stdout)
            pos = lines.index(want)
