/* gcbench -- the Ellis/Kovac/Boehm GCBench on typegc.
 *
 *   usage: gcbench [MAX_DEPTH]      (4 to 24, default 16)
 *
 * The classic phases: stretch the heap with a tree of depth MAX_DEPTH + 2
 * and drop it; build a long-lived tree of depth MAX_DEPTH top down (each
 * new child is stored into an older parent: the write barrier's case) and
 * a long-lived array of 500000 doubles, half filled; then, for each depth
 * d = 4, 6, ..., MAX_DEPTH, build as many trees of depth d as make up twice
 * the stretch tree's nodes, first top down, then bottom up, and drop them.
 * At the default the depths are GCBench's: stretch 18, long-lived 16,
 * trees 4..16.  A smaller MAX_DEPTH scales the trees down, for tests.
 *
 * The printed lines are those of Boehm's C version, then `time: X s`.
 * At the end the long-lived tree and array are checked; if either was
 * lost, "Failed" goes to stderr and the exit status is 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gcbench.h"

/* kArraySize, kMinTreeDepth, kMaxTreeDepth; the stretch tree is two deeper
 * than the deepest (kStretchTreeDepth 18), the long-lived tree as deep
 * (kLongLivedTreeDepth 16).  MAX_MAX_DEPTH keeps the stretch tree near 4 GiB. */
enum { ARRAY_SIZE = 500000, MIN_TREE_DEPTH = 4, DEFAULT_MAX_DEPTH = 16, MAX_MAX_DEPTH = 24 };

/* The long-lived data, registered roots. */
static Node *long_lived_tree;
static DoubleArray *long_lived_array;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int elapsed_msec(double start, double finish)
{
    return (int)((finish - start) * 1000.0);
}

/* Nodes in a complete binary tree of this depth. */
static long tree_size(int depth)
{
    return (1L << (depth + 1)) - 1;
}

/* How many trees of this depth hold twice the stretch tree's nodes. */
static long num_iters(int depth, int stretch_depth)
{
    return 2 * tree_size(stretch_depth) / tree_size(depth);
}

/* Top down: gives `node` two new children, then fills each below.  The
 * children are young and the parent may be old by now. */
static void populate(tgc_cursor c, int depth, Node *node)
{
    if (depth <= 0)
        return;
    depth--;
    Node *left = TGC_NEW(Node, c, node);
    Node_set_left(node, left);
    Node *right = TGC_NEW(Node, c, node);
    Node_set_right(node, right);
    TGC_SAVE(node);
    populate(c, depth, node->left);
    TGC_RESTORE(node);
    populate(c, depth, node->right);
}

/* Bottom up: the children first, then their parent. */
static Node *make_tree(tgc_cursor c, int depth)
{
    if (depth <= 0)
        return TGC_NEW(Node, c);
    Node *left = make_tree(c, depth - 1);
    TGC_SAVE(left);
    Node *right = make_tree(c, depth - 1);
    TGC_RESTORE(left);
    Node *node = TGC_NEW(Node, c, left, right);
    Node_set_left(node, left);
    Node_set_right(node, right);
    return node;
}

/* A tree dropped: the collectors find it dead; the malloc variant
 * (typegc_malloc.h) frees it node by node, as a C program would. */
static void drop_tree(Node *node)
{
#ifdef TYPEGC_EXPLICIT_FREE
    if (node == NULL)
        return;
    drop_tree(node->left);
    drop_tree(node->right);
    tgc_free(node);
#else
    (void)node;
#endif
}

static void time_construction(tgc_cursor c, int depth, int stretch_depth)
{
    long iters = num_iters(depth, stretch_depth);
    printf("Creating %ld trees of depth %d\n", iters, depth);

    double start = now();
    for (long i = 0; i < iters; i++) {
        Node *temp_tree = TGC_NEW(Node, c);
        TGC_SAVE(temp_tree);
        populate(c, depth, temp_tree);
        TGC_RESTORE(temp_tree);
        drop_tree(temp_tree);
    }
    double finish = now();
    printf("\tTop down construction took %d msec\n", elapsed_msec(start, finish));

    start = now();
    for (long i = 0; i < iters; i++)
        drop_tree(make_tree(c, depth));
    finish = now();
    printf("\tBottom up construction took %d msec\n", elapsed_msec(start, finish));
}

static long count_nodes(const Node *node)
{
    long count = 0;
    while (node != NULL) {       /* recurse left, loop right */
        count += 1 + count_nodes(node->left);
        node = node->right;
    }
    return count;
}

static bool parse_depth(const char *text, int *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < MIN_TREE_DEPTH || value > MAX_MAX_DEPTH)
        return false;
    *out = (int)value;
    return true;
}

int main(int argc, char **argv)
{
    int max_depth = DEFAULT_MAX_DEPTH;
    if (argc > 2 || (argc == 2 && !parse_depth(argv[1], &max_depth))) {
        fprintf(stderr, "usage: %s [MAX_DEPTH]   (%d to %d, default %d)\n",
                argc > 0 ? argv[0] : "gcbench", MIN_TREE_DEPTH, MAX_MAX_DEPTH, DEFAULT_MAX_DEPTH);
        return 2;
    }
    int stretch_depth = max_depth + 2;
    int long_lived_depth = max_depth;

    if (gcbench_init() != 0)
        return 1;
    tgc_register_root(&long_lived_tree);
    tgc_register_root(&long_lived_array);
    tgc_cursor c;
    tgc_cursor_open(c);

    printf("Garbage Collector Test\n");
    printf(" Live storage will peak at %ld bytes.\n\n",
           2 * (long)Node__SIZE * tree_size(long_lived_depth) + (long)sizeof(double) * ARRAY_SIZE);
    printf(" Stretching memory with a binary tree of depth %d\n", stretch_depth);
    double start = now();
    drop_tree(make_tree(c, stretch_depth));

    printf(" Creating a long-lived binary tree of depth %d\n", long_lived_depth);
    long_lived_tree = TGC_NEW(Node, c);
    populate(c, long_lived_depth, long_lived_tree);

    printf(" Creating a long-lived array of %d doubles\n", ARRAY_SIZE);
    long_lived_array = TGC_NEW_ARRAY(DoubleArray, c, ARRAY_SIZE);
    for (size_t i = 1; i < ARRAY_SIZE / 2; i++)
        DoubleArray_set(long_lived_array, i, 1.0 / (double)i);

    for (int depth = MIN_TREE_DEPTH; depth <= max_depth; depth += 2)
        time_construction(c, depth, stretch_depth);

    bool lost = long_lived_tree == NULL ||
                count_nodes(long_lived_tree) != tree_size(long_lived_depth) ||
                long_lived_array == NULL ||
                DoubleArray_get(long_lived_array, 1000) != 1.0 / 1000;
    double finish = now();
    tgc_cursor_close(c);
    if (lost) {
        fprintf(stderr, "Failed\n");
        return 1;
    }
    printf("Completed in %d msec\n", elapsed_msec(start, finish));
    printf("time: %.3f s\n", finish - start);
    return 0;
}
