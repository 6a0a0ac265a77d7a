"""binary-trees -- the Benchmarks Game's binary-trees in Python, the PyPy
column beside bench/binary-trees.c.

    usage: pypy3 bench/python/binary_trees.py [N]      (default 10)

The same rules and the same standard output as the C program: trees built
bottom up and checked by counting their nodes, a stretch tree of depth
max + 1, a long-lived tree of depth max = max(6, N), and for each depth
d = 4, 6, ..., max, 2^(max - d + 4) trees of depth d.  One process, so that
it measures PyPy's allocator and GC, not a process pool.  The elapsed time
goes to stderr as `time: X s`.
"""
import sys
import time

MIN_DEPTH = 4


class Node(object):
    def __init__(self, left, right):
        self.left = left
        self.right = right


def bottom_up_tree(depth):
    if depth <= 0:
        return Node(None, None)
    return Node(bottom_up_tree(depth - 1), bottom_up_tree(depth - 1))


def check(node):
    """The number of nodes; a node has two children or none."""
    if node.left is None:
        return 1
    return 1 + check(node.left) + check(node.right)


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and not argv[1].isdigit()):
        sys.stderr.write("usage: %s [N]   (default 10)\n" % argv[0])
        return 2
    n = int(argv[1]) if len(argv) == 2 else 10
    max_depth = max(MIN_DEPTH + 2, n)
    stretch_depth = max_depth + 1
    out = sys.stdout
    start = time.time()

    out.write("stretch tree of depth %d\t check: %d\n"
              % (stretch_depth, check(bottom_up_tree(stretch_depth))))

    long_lived_tree = bottom_up_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        total = 0
        for _ in range(iterations):
            total += check(bottom_up_tree(depth))
        out.write("%d\t trees of depth %d\t check: %d\n" % (iterations, depth, total))
    out.write("long lived tree of depth %d\t check: %d\n"
              % (max_depth, check(long_lived_tree)))
    out.flush()

    sys.stderr.write("time: %.3f s\n" % (time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
