// BinaryTrees.java -- the Benchmarks Game's binary-trees, as
// bench/binary-trees.c does it, in Java (a peer for bench/run).
//
//   usage: java BinaryTrees [N]        (default 10)
//
// Every node is allocated, leaves included; a leaf has two null children.
// Standard output is the reference output; `time: X s` goes to stderr.
public final class BinaryTrees {
    private static final int MIN_DEPTH = 4;

    private static final class Node {
        final Node left, right;

        Node(Node left, Node right) {
            this.left = left;
            this.right = right;
        }
    }

    private static Node bottomUpTree(int depth) {
        if (depth <= 0)
            return new Node(null, null);
        Node left = bottomUpTree(depth - 1);
        Node right = bottomUpTree(depth - 1);
        return new Node(left, right);
    }

    private static long check(Node node) {
        if (node.left == null)
            return 1;
        return 1 + check(node.left) + check(node.right);
    }

    public static void main(String[] args) {
        int n = 10;
        try {
            if (args.length > 1)
                throw new NumberFormatException();
            if (args.length == 1)
                n = Integer.parseInt(args[0]);
            if (n < 0 || n > 30)
                throw new NumberFormatException();
        } catch (NumberFormatException e) {
            System.err.println("usage: BinaryTrees [N]   (0 to 30, default 10)");
            System.exit(2);
        }
        int maxDepth = Math.max(MIN_DEPTH + 2, n);
        int stretchDepth = maxDepth + 1;
        long start = System.nanoTime();
        StringBuilder out = new StringBuilder();

        out.append("stretch tree of depth ").append(stretchDepth)
           .append("\t check: ").append(check(bottomUpTree(stretchDepth))).append('\n');
        Node longLivedTree = bottomUpTree(maxDepth);
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            long iterations = 1L << (maxDepth - depth + MIN_DEPTH);
            long sum = 0;
            for (long i = 0; i < iterations; i++)
                sum += check(bottomUpTree(depth));
            out.append(iterations).append("\t trees of depth ").append(depth)
               .append("\t check: ").append(sum).append('\n');
        }
        out.append("long lived tree of depth ").append(maxDepth)
           .append("\t check: ").append(check(longLivedTree)).append('\n');
        long finish = System.nanoTime();
        System.out.print(out);
        System.out.flush();
        System.err.printf(java.util.Locale.ROOT, "time: %.3f s%n", (finish - start) * 1e-9);
    }
}
