# 信号: signal.signal() 处理, os.kill() 发送, signal.alarm() 时钟  (with an ipcdev Queue)
from multiprocessing import Process
from ipcdev import Queue
import signal
import os
import time

q = Queue()


def handler(sig, frame):
    if sig == signal.SIGALRM:
        print("接收到时钟信号", sig)
    elif sig == signal.SIGUSR1:
        print("接收到子进程的 SIGUSR1", sig)


# 自定义处理
signal.signal(signal.SIGALRM, handler)
signal.signal(signal.SIGUSR1, handler)

# 1 秒后给自己发送 SIGALRM; 多次使用 alarm 后面的覆盖前面的
signal.alarm(3)
signal.alarm(1)


def child():
    time.sleep(1.5)
    os.kill(os.getppid(), signal.SIGUSR1)
    time.sleep(0.2)
    q.put("子进程的消息")


p = Process(target=child)
p.start()

# 阻塞在 get() 中: 信号到来时处理函数执行, 然后 get() 继续等待
print("等待消息...")
print(q.get(timeout=10))

# 忽略信号
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR1)
print("SIGUSR1 被忽略了")
# 默认处理
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
p.join()

# 僵尸进程的处理: 父进程忽略 SIGCHLD, 子进程退出后由系统回收
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    os._exit(0)
time.sleep(0.2)
print("子进程", pid, "已被系统回收, 没有僵尸")
