# 练习: 售票员和司机的故事  (signals, with ipcdev Queue, Event and Value)
#
# 1. 创建父子进程, 分别表示司机(父)和售票员(子)
# 2. 售票员捕捉到 SIGINT  -> 给司机发送 SIGUSR1, 司机打印 "老司机开车了"
#    售票员捕捉到 SIGQUIT -> 给司机发送 SIGUSR2, 司机打印 "系好安全带，小心甩出去"
#    司机捕捉到 SIGTSTP   -> 给售票员发送 SIGUSR1, 售票员打印 "到站了，下车吧"
# 3. 到站后, 售票员先下车(子进程先退出), 然后司机下车
#
# Interactive: run it, then press Ctrl-C, Ctrl-\ and Ctrl-Z (the keyboard
# signals reach both processes: the driver ignores SIGINT/SIGQUIT and the
# conductor ignores SIGTSTP).  --script: a passenger process sends the same
# signals with os.kill(), unattended, waiting for each to take effect.
#
# Through ipcdev: `boarded` (Event: the conductor's handlers are set up),
# `log` (Queue: what each process did, printed by the driver at the end)
# and `stops` (Value: the stop count, incremented under its lock).
from multiprocessing import Process
from ipcdev import Queue, Event, Value
import signal
import os
import sys
import time

boarded = Event()
log = Queue()
stops = Value('i', 0)


def conductor():
    # 售票员
    def saler_handler(sig, frame):
        if sig == signal.SIGINT:
            os.kill(os.getppid(), signal.SIGUSR1)
            log.put("售票员: SIGINT -> 司机 SIGUSR1")
        elif sig == signal.SIGQUIT:
            os.kill(os.getppid(), signal.SIGUSR2)
            log.put("售票员: SIGQUIT -> 司机 SIGUSR2")
        elif sig == signal.SIGUSR1:
            print("到站了，下车吧", flush=True)
            log.put("售票员: 第 %d 站下车" % stops.value)
            sys.exit(0)

    signal.signal(signal.SIGINT, saler_handler)
    signal.signal(signal.SIGQUIT, saler_handler)
    signal.signal(signal.SIGUSR1, saler_handler)
    signal.signal(signal.SIGTSTP, signal.SIG_IGN)
    boarded.set()
    while True:
        signal.pause()


def driver_handler(sig, frame):
    # 司机
    if sig == signal.SIGUSR1:
        print("老司机开车了", flush=True)
        log.put("司机: 开车")
    elif sig == signal.SIGUSR2:
        print("系好安全带，小心甩出去", flush=True)
        log.put("司机: 提醒")
    elif sig == signal.SIGTSTP:
        with stops.get_lock():
            stops.value += 1
        log.put("司机: SIGTSTP -> 售票员 SIGUSR1")
        os.kill(p.pid, signal.SIGUSR1)


def passenger(conductor_pid, driver_pid, acks):
    # --script: 乘客代替键盘发送信号
    boarded.wait(10)
    os.kill(conductor_pid, signal.SIGINT)
    acks.get(timeout=10)
    os.kill(conductor_pid, signal.SIGQUIT)
    acks.get(timeout=10)
    os.kill(driver_pid, signal.SIGTSTP)


script = "--script" in sys.argv
acks = Queue()
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, driver_handler)
signal.signal(signal.SIGUSR2, driver_handler)
signal.signal(signal.SIGTSTP, driver_handler)
if script:
    # 每个司机的动作告诉乘客一声
    def acked(sig, frame):
        driver_handler(sig, frame)
        acks.put(sig)
    signal.signal(signal.SIGUSR1, acked)
    signal.signal(signal.SIGUSR2, acked)

p = Process(target=conductor)
p.start()
boarded.wait()
print("司机 %d, 售票员 %d: 上车了" % (os.getpid(), p.pid), flush=True)
if script:
    s = Process(target=passenger, args=(p.pid, os.getpid(), acks))
    s.start()
p.join()
if script:
    s.join()
print("司机下车了", flush=True)
while not log.empty():
    print("log:", log.get())
sys.exit(p.exitcode)
