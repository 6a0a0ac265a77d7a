// GCBench.java -- the Ellis/Kovac/Boehm GCBench, as bench/gcbench.c does
// it, in Java (a peer for bench/run).
//
//   usage: java GCBench [MAX_DEPTH]      (4 to 24, default 16)
//
// Same phases and printed lines as bench/gcbench.c: stretch with a tree of
// depth MAX_DEPTH + 2; a long-lived tree built top down (each new child
// stored into an older parent) and a long-lived array of 500000 doubles,
// half filled; for each depth d = 4, 6, ..., MAX_DEPTH as many trees as
// make twice the stretch tree's nodes, top down then bottom up.
public final class GCBench {
    private static final int ARRAY_SIZE = 500000;
    private static final int MIN_TREE_DEPTH = 4;

    // GCBench's Node0: two children and two ints.
    private static final class Node {
        Node left, right;
        int i, j;

        Node(Node left, Node right) {
            this.left = left;
            this.right = right;
        }
    }

    private static long treeSize(int depth) {
        return (1L << (depth + 1)) - 1;
    }

    private static long numIters(int depth, int stretchDepth) {
        return 2 * treeSize(stretchDepth) / treeSize(depth);
    }

    // Top down: gives `node` two new children, then fills each below.
    private static void populate(int depth, Node node) {
        if (depth <= 0)
            return;
        depth--;
        node.left = new Node(null, null);
        node.right = new Node(null, null);
        populate(depth, node.left);
        populate(depth, node.right);
    }

    // Bottom up: the children first, then their parent.
    private static Node makeTree(int depth) {
        if (depth <= 0)
            return new Node(null, null);
        Node left = makeTree(depth - 1);
        Node right = makeTree(depth - 1);
        return new Node(left, right);
    }

    private static long countNodes(Node node) {
        long count = 0;
        while (node != null) {
            count += 1 + countNodes(node.left);
            node = node.right;
        }
        return count;
    }

    private static int msec(long start, long finish) {
        return (int) ((finish - start) / 1000000L);
    }

    // The trees built are kept here until the next one, so that the JIT
    // cannot prove them unused and drop the allocations.
    private static Node sink;

    private static void timeConstruction(int depth, int stretchDepth) {
        long iters = numIters(depth, stretchDepth);
        System.out.println("Creating " + iters + " trees of depth " + depth);
        long start = System.nanoTime();
        for (long i = 0; i < iters; i++) {
            Node tempTree = new Node(null, null);
            populate(depth, tempTree);
            sink = tempTree;
        }
        long finish = System.nanoTime();
        System.out.println("\tTop down construction took " + msec(start, finish) + " msec");
        start = System.nanoTime();
        for (long i = 0; i < iters; i++)
            sink = makeTree(depth);
        finish = System.nanoTime();
        System.out.println("\tBottom up construction took " + msec(start, finish) + " msec");
    }

    public static void main(String[] args) {
        int maxDepth = 16;
        try {
            if (args.length > 1)
                throw new NumberFormatException();
            if (args.length == 1)
                maxDepth = Integer.parseInt(args[0]);
            if (maxDepth < MIN_TREE_DEPTH || maxDepth > 24)
                throw new NumberFormatException();
        } catch (NumberFormatException e) {
            System.err.println("usage: GCBench [MAX_DEPTH]   (4 to 24, default 16)");
            System.exit(2);
        }
        int stretchDepth = maxDepth + 2;
        int longLivedDepth = maxDepth;

        System.out.println("Garbage Collector Test");
        // a 12-byte header, two compressed references and two ints
        System.out.println(" Live storage will peak at "
                           + (2 * 32 * treeSize(longLivedDepth) + 8L * ARRAY_SIZE) + " bytes.\n");
        System.out.println(" Stretching memory with a binary tree of depth " + stretchDepth);
        long start = System.nanoTime();
        sink = makeTree(stretchDepth);
        sink = null;

        System.out.println(" Creating a long-lived binary tree of depth " + longLivedDepth);
        Node longLivedTree = new Node(null, null);
        populate(longLivedDepth, longLivedTree);

        System.out.println(" Creating a long-lived array of " + ARRAY_SIZE + " doubles");
        double[] longLivedArray = new double[ARRAY_SIZE];
        for (int i = 1; i < ARRAY_SIZE / 2; i++)
            longLivedArray[i] = 1.0 / i;

        for (int depth = MIN_TREE_DEPTH; depth <= maxDepth; depth += 2)
            timeConstruction(depth, stretchDepth);

        boolean lost = countNodes(longLivedTree) != treeSize(longLivedDepth)
                       || longLivedArray[1000] != 1.0 / 1000;
        long finish = System.nanoTime();
        if (lost) {
            System.err.println("Failed");
            System.exit(1);
        }
        System.out.println("Completed in " + msec(start, finish) + " msec");
        System.out.printf(java.util.Locale.ROOT, "time: %.3f s%n", (finish - start) * 1e-9);
    }
}
