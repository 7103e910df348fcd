# SPDX-License-Identifier: LGPL-2.1-or-later
"""Queue.put_many() / Queue.get_many(): batches, an extension."""
import queue

import pytest

from ipcdev import Queue
from ipcdev import _lib


def test_put_many_get_many_order_and_types():
    q = Queue()
    items = [1, "two", [3], {"four": 4}, None, b"", (6,)]
    assert q.put_many(items) == len(items)
    assert q.qsize() == len(items)
    assert q.get_many(100) == items
    assert q.empty()


def test_more_than_one_vector():
    q = Queue()
    n = 2 * _lib.MSGVEC_MAX + 5
    assert q.put_many(range(n)) == n
    assert q.get_many(n) == list(range(n))


def test_get_many_takes_only_what_is_there():
    q = Queue()
    q.put_many([1, 2, 3])
    assert q.get_many(10, timeout=5) == [1, 2, 3]
    with pytest.raises(queue.Empty):
        q.get_many(10, block=False)
    with pytest.raises(queue.Empty):
        q.get_many(10, timeout=0.05)


def test_put_many_full_queue_partial():
    q = Queue(3)
    assert q.put_many(range(5), block=False) == 3
    with pytest.raises(queue.Full):
        q.put_many([9], block=False)
    with pytest.raises(queue.Full):
        q.put_many([9], timeout=0.05)
    assert q.get_many(10) == [0, 1, 2]


def test_mixed_with_single_calls():
    q = Queue()
    q.put("a")
    q.put_many(["b", "c"])
    q.put("d")
    assert q.get() == "a"
    assert q.get_many(2) == ["b", "c"]
    assert q.get_many(5) == ["d"]


def test_large_item_in_batch():
    q = Queue()
    big = b"x" * 100000
    q.put_many([1, big, 2])
    # A long item ends a batch and is taken by itself: the order is kept.
    assert q.get_many(10) == [1]
    assert q.get_many(10) == [big]
    assert q.get_many(10) == [2]


def test_put_many_error_reports_count():
    q = Queue(msgsize_max=64)
    with pytest.raises(OSError) as e:
        q.put_many([1, b"y" * 200, 2])
    assert e.value.put_count == 1
    assert q.get_many(10) == [1]
