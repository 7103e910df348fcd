# 管道: 子进程 send(), 父进程 recv()  (multiprocessing.Pipe, via ipcdev)
from multiprocessing import Process
from ipcdev import Pipe
import os
import time

# 创建管道对象 (duplex 默认为 True: 双向管道)
fd1, fd2 = Pipe()


def fun(name):
    time.sleep(0.1)
    # 向管道写入内容
    fd2.send("hello " + str(name))
    print(os.getppid(), "----", os.getpid())


jobs = []
for i in range(5):
    p = Process(target=fun, args=(i,))
    jobs.append(p)
    p.start()

# 执行一次 recv() 只能接收一次 send() 的内容
for i in range(5):
    data = fd1.recv()
    print(data)

for i in jobs:
    i.join()

# 单向管道: 第一个对象只能接收, 第二个对象只能发送
r, w = Pipe(False)
w.send([1, 2, 3])
w.send({"name": "Levi", "age": 18})
print(r.recv(), r.recv())
