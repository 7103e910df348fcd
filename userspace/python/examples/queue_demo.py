# 消息队列: 生产者/消费者, put()/get() 的 block 与 timeout  (multiprocessing.Queue, via ipcdev)
from multiprocessing import Process
from ipcdev import Queue
from queue import Full, Empty
import time

# 创建消息队列对象, 最多存放 3 条消息
q = Queue(3)

q.put(1)
q.put("hello")
q.put([1, 2, 3])
print("full:", q.full(), "qsize:", q.qsize())
try:
    # 队列已满: 超时等待 0.5 秒后放弃
    q.put(4, True, 0.5)
except Full:
    print("队列满了, put 超时")
try:
    q.put(4, block=False)
except Full:
    print("队列满了, put 不阻塞")
print(q.get(), q.get(), q.get())
print("empty:", q.empty())
try:
    q.get(timeout=0.5)
except Empty:
    print("队列空了, get 超时")


def fun1():
    # 生产者
    for i in range(10):
        time.sleep(0.05)
        q.put(i)
        print("生产了", i)
    q.put(None)


def fun2():
    # 消费者
    while True:
        try:
            data = q.get(timeout=5)
        except Empty:
            print("等不到了")
            break
        if data is None:
            break
        print("消费了", data)


p1 = Process(target=fun1)
p2 = Process(target=fun2)
p1.start()
p2.start()
p1.join()
p2.join()
print("qsize:", q.qsize())
