/* binary-trees -- the Benchmarks Game's binary-trees on typegc.
 *
 *   usage: binary-trees [N]        (default 10)
 *
 * The rules: trees are built bottom up with the language's GC allocation
 * and checked by counting their nodes.  With MIN_DEPTH 4 and max depth
 * max(6, N): a stretch tree of depth max + 1 is built, checked and
 * dropped; a long-lived tree of depth max is built and kept; for each
 * depth d = 4, 6, ..., max, 2^(max - d + 4) trees of depth d are built,
 * checked and dropped; then the long-lived tree is checked.  Standard
 * output is exactly the reference output (tab-separated lines); the
 * elapsed time goes to stderr as `time: X s`.
 *
 * bench/binary-trees-destructor.c builds this program with
 * BINARY_TREES_DESTRUCTOR over schemas/binarytrees_destructor.json, whose
 * Node declares a destructor: every node found dead runs Node_destruct(),
 * which counts it.  The output is the same; after the time, a full
 * collection, and stderr has `destructors run: N of M nodes` (N = M but
 * over Boehm GC, whose conservative scan may keep some nodes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef BINARY_TREES_DESTRUCTOR
#include "binarytrees_destructor.h"
#define binarytrees_init binarytrees_destructor_init
#else
#include "binarytrees.h"
#endif

enum { MIN_DEPTH = 4 };

#ifdef BINARY_TREES_DESTRUCTOR
static long nodes_allocated, nodes_destructed;

/* The least a destructor does: it only counts. */
void Node_destruct(Node *node)
{
    (void)node;
    nodes_destructed++;
}
#define COUNT_NODES(n) (nodes_allocated += (n))
#else
#define COUNT_NODES(n) ((void)(n))
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static Node *bottom_up_tree(tgc_cursor c, int depth)
{
    if (depth <= 0)
        return TGC_NEW(Node, c);
    Node *left = bottom_up_tree(c, depth - 1);
    TGC_SAVE(left);
    Node *right = bottom_up_tree(c, depth - 1);
    TGC_RESTORE(left);
    Node *node = TGC_NEW(Node, c, left, right);
    Node_set_left(node, left);
    Node_set_right(node, right);
    return node;
}

/* The number of nodes; a node has two children or none. */
#ifdef TYPEGC_EXPLICIT_FREE
static void free_tree(Node *node)
{
    if (node == NULL)
        return;
    free_tree(node->left);
    free_tree(node->right);
    tgc_free(node);
}
#endif

static long check(const Node *node)
{
    if (node->left == NULL)
        return 1;
    return 1 + check(node->left) + check(node->right);
}

/* Counts a tree's nodes, then drops it: the collectors find it dead; the
 * malloc variant (typegc_malloc.h) frees it node by node. */
static long check_and_drop(Node *node)
{
    long count = check(node);
    COUNT_NODES(count);
#ifdef TYPEGC_EXPLICIT_FREE
    free_tree(node);
#endif
    return count;
}

static bool parse_n(const char *text, int *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < 0 || value > 30)
        return false;
    *out = (int)value;
    return true;
}

int main(int argc, char **argv)
{
    int n = 10;
    if (argc > 2 || (argc == 2 && !parse_n(argv[1], &n))) {
        fprintf(stderr, "usage: %s [N]   (0 to 30, default 10)\n",
                argc > 0 ? argv[0] : "binary-trees");
        return 2;
    }
    int max_depth = n > MIN_DEPTH + 2 ? n : MIN_DEPTH + 2;
    int stretch_depth = max_depth + 1;

    if (binarytrees_init() != 0)
        return 1;
    tgc_cursor c;
    tgc_cursor_open(c);
    double start = now();

    printf("stretch tree of depth %d\t check: %ld\n", stretch_depth,
           check_and_drop(bottom_up_tree(c, stretch_depth)));

    Node *long_lived_tree = bottom_up_tree(c, max_depth);
    TGC_SAVE(long_lived_tree);
    for (int depth = MIN_DEPTH; depth <= max_depth; depth += 2) {
        long iterations = 1L << (max_depth - depth + MIN_DEPTH);
        long sum = 0;
        for (long i = 0; i < iterations; i++)
            sum += check_and_drop(bottom_up_tree(c, depth));
        printf("%ld\t trees of depth %d\t check: %ld\n", iterations, depth, sum);
    }
    TGC_RESTORE(long_lived_tree);
    printf("long lived tree of depth %d\t check: %ld\n", max_depth,
           check_and_drop(long_lived_tree));

    double finish = now();
    fprintf(stderr, "time: %.3f s\n", finish - start);
#ifdef BINARY_TREES_DESTRUCTOR
    tgc_collect(c);
    fprintf(stderr, "destructors run: %ld of %ld nodes\n", nodes_destructed, nodes_allocated);
#endif
    tgc_cursor_close(c);
    return 0;
}
