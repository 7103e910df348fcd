# 共享内存 Array: 列表初始化或指定大小, 可迭代, 可修改  (multiprocessing.Array, via ipcdev)
from multiprocessing import Process
from ipcdev import Array

# 开辟共享内存, 存入列表
shm = Array('i', [1, 2, 3, 4, 5])


def fun(shm):
    for i in shm:
        print(i)
    shm[0] = 1000


p = Process(target=fun, args=(shm,))
p.start()
p.join()

for i in shm:
    print(i)

# 传入正整数: 开辟 5 个 int 的空间
shm2 = Array('i', 5)


def fill(shm2):
    for i in range(len(shm2)):
        shm2[i] = i * i


p = Process(target=fill, args=(shm2,))
p.start()
p.join()
print(shm2[:])

# 字符串
s = Array('c', b'hello')
p = Process(target=lambda: s.__setattr__('value', b'HELLO'))
p.start()
p.join()
print(s.value)
