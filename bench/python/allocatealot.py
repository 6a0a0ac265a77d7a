"""The allocation loop of "How fast can the RPython GC allocate?" as Python,
for PyPy's column of bench/run: as in the article's Python version, the two
live objects are ints (two words on PyPy: a GC header and the value).

    pypy3 bench/python/allocatealot.py LOOPS [0|1]

The second argument is accepted for the C program's command line and
ignored: an int is always initialised.
"""
import sys
import time


def run(loops):
    t1 = time.time()
    a = prev = None
    for i in range(loops):
        prev = a
        a = i
    print(prev, a)
    t2 = time.time()
    print('%f s' % (t2 - t1))
    mem = loops * 16 / 1024.0 / 1024.0 / 1024.0
    print('%f GB' % mem)
    print('%f GB/s' % (mem / (t2 - t1)))


if __name__ == '__main__':
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: allocatealot.py LOOPS [0|1]')
    run(int(sys.argv[1]))
