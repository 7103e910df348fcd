# Event 事件: 进程等待主进程操作完临界区  (multiprocessing.Event, via ipcdev)
from multiprocessing import Process
from ipcdev import Event
from time import sleep


def wait_event(e):
    print("process1也想操作临界区，但是要阻塞等待主进程")
    e.wait()
    print("主进程操作完了，轮到我了", e.is_set())


def wait_event_timeout(e):
    print("process2也想操作临界区，但是要阻塞等待主进程")
    e.wait(0.5)
    print("我等不了了，还是执行别的吧", e.is_set())


e = Event()
p1 = Process(name='block', target=wait_event, args=(e,))
p2 = Process(name='non-block', target=wait_event_timeout, args=(e,))
p1.start()
p2.start()

print("假设主进程在忙碌的操作临界区")
sleep(1)
e.set()
print("开放临界区")

p1.join()
p2.join()
e.clear()
print("is_set:", e.is_set())
