# 共享内存 Value: 父子进程操作同一个数值  (multiprocessing.Value, via ipcdev)
from multiprocessing import Process
from ipcdev import Value
import random

# 创建共享内存, 初始值 2000
money = Value('i', 2000)


def deposit():
    # 存钱
    for i in range(100):
        with money.get_lock():
            money.value += random.randint(1, 100)


def withdraw():
    # 取钱
    for i in range(100):
        with money.get_lock():
            money.value -= random.randint(1, 100)


random.seed(1)
d = Process(target=deposit)
w = Process(target=withdraw)
d.start()
w.start()
d.join()
w.join()
print("余额:", money.value)

# 共享计数器: 4 个进程各加 1000 次
counter = Value('i', 0)


def count():
    for i in range(1000):
        with counter.get_lock():
            counter.value += 1


jobs = [Process(target=count) for i in range(4)]
for p in jobs:
    p.start()
for p in jobs:
    p.join()
print("counter:", counter.value)
