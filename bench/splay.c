/* splay -- Octane's splay latency workload on typegc.
 *
 *   usage: splay [NODES [ROUNDS]]       (default 8000 nodes, 2000 rounds)
 *
 * A splay tree of NODES nodes with random float keys; each node carries a
 * payload tree of depth 5 whose 32 leaves hold an array [0, ..., 9] and
 * the string "String for key KEY in leaf node" (schemas/splay.json).
 * Setup inserts NODES nodes.  A round, as Octane's SplayRun, makes 80
 * modifications: insert a node with a new random key, then remove the
 * node with the greatest key below it (or the new node, if none), so the
 * tree keeps its size: a large old heap, mutated all the time, whose new
 * nodes are stored into old ones.
 *
 * Pauses are gathered from the hooks as bench/pauses does: a pause is the
 * minor collection and the major steps at one safe point.  The round
 * times are Octane's latency samples: a round's wall time, GC included.
 * At the end the tree is verified (keys in order and unique, NODES of
 * them, every payload intact), then it prints
 *   rounds / pauses / max pause / p99 pause / max pause, not preempted /
 *   max pause on CPU / p99 pause on CPU / max round / rms round /
 *   major collections / peak RSS / verified / time
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "splay.h"
#include "pause_samples.h"

/* kSplayTreeSize, kSplayTreeModifications, kSplayTreePayloadDepth */
enum { DEFAULT_TREE_SIZE = 8000, MODIFICATIONS = 80, PAYLOAD_DEPTH = 5, DEFAULT_ROUNDS = 2000 };
enum { LEAF_ARRAY_LENGTH = 10, TEXT_MAX = 64 };

static SplayNode *root;         /* the tree, a registered root */
static samples rounds_ns;       /* the time of each round */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (p == NULL) {
        fprintf(stderr, "splay: out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- Keys: a fixed sequence, as Octane's seeded Math.random ------------- */

static uint64_t random_state = 0x5eed5eed5eed5eedu;

/* splitmix64, cut to a double in [0, 1). */
static double random_key(void)
{
    uint64_t z = (random_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* The leaves' text for a key; returns its length. */
static size_t leaf_text(char *buf, double key)
{
    int n = snprintf(buf, TEXT_MAX, "String for key %.17g in leaf node", key);
    return (size_t)n;
}

/* ---- The splay tree ---------------------------------------------------------
 * Nothing in splay() and the lookups allocates, so GC pointers may sit in
 * C locals there: no collection can move them. */

/* Top-down splay (Sleator and Tarjan): brings the node with `key` to the
 * root, or else the last node on its search path.  Nodes passed on the way
 * down hang from the bottom right of a left tree (all smaller than key) or
 * the bottom left of a right tree (all larger); the two are joined under
 * the final node. */
static void splay(double key)
{
    if (root == NULL)
        return;
    SplayNode *left_tree = NULL, *left_max = NULL;
    SplayNode *right_tree = NULL, *right_min = NULL;
    SplayNode *t = root;
    for (;;) {
        if (key < t->key) {
            SplayNode *l = t->left;
            if (l == NULL)
                break;
            if (key < l->key) {                 /* zig-zig: rotate right */
                SplayNode_set_left(t, l->right);
                SplayNode_set_right(l, t);
                t = l;
                if (t->left == NULL)
                    break;
            }
            if (right_min == NULL)              /* link right */
                right_tree = t;
            else
                SplayNode_set_left(right_min, t);
            right_min = t;
            t = t->left;
        } else if (key > t->key) {
            SplayNode *r = t->right;
            if (r == NULL)
                break;
            if (key > r->key) {                 /* zig-zig: rotate left */
                SplayNode_set_right(t, r->left);
                SplayNode_set_left(r, t);
                t = r;
                if (t->right == NULL)
                    break;
            }
            if (left_max == NULL)               /* link left */
                left_tree = t;
            else
                SplayNode_set_right(left_max, t);
            left_max = t;
            t = t->right;
        } else {
            break;
        }
    }
    if (left_max != NULL) {                     /* assemble */
        SplayNode_set_right(left_max, t->left);
        SplayNode_set_left(t, left_tree);
    }
    if (right_min != NULL) {
        SplayNode_set_left(right_min, t->right);
        SplayNode_set_right(t, right_tree);
    }
    root = t;
}

static SplayNode *find(double key)
{
    splay(key);
    return root != NULL && root->key == key ? root : NULL;
}

static SplayNode *find_max(SplayNode *t)
{
    while (t->right != NULL)
        t = t->right;
    return t;
}

static SplayNode *find_greatest_less_than(double key)
{
    splay(key);
    if (root == NULL)
        return NULL;
    if (root->key < key)
        return root;
    if (root->left != NULL)
        return find_max(root->left);
    return NULL;
}

/* A new node for a key not in the tree becomes the root, the old root its
 * child on the side the key says. */
static void insert(tgc_cursor c, double key, Payload *value)
{
    splay(key);
    if (root != NULL && root->key == key)
        return;
    SplayNode *node = TGC_NEW(SplayNode, c, value);
    node->key = key;
    SplayNode_set_value(node, value);
    if (root != NULL) {
        if (key > root->key) {
            SplayNode_set_right(node, root->right);
            SplayNode_set_left(node, root);
            SplayNode_set_right(root, NULL);
        } else {
            SplayNode_set_left(node, root->left);
            SplayNode_set_right(node, root);
            SplayNode_set_left(root, NULL);
        }
    }
    root = node;
}

static void remove_key(double key)
{
    splay(key);
    if (root == NULL || root->key != key) {
        fprintf(stderr, "splay: key %.17g not found\n", key);
        exit(1);
    }
    if (root->left == NULL) {
        root = root->right;
    } else {
        SplayNode *right = root->right;
        root = root->left;
        splay(key);                 /* the greatest of the left subtree */
        SplayNode_set_right(root, right);
    }
}

/* ---- Payloads -------------------------------------------------------------- */

static Payload *make_payload(tgc_cursor c, int depth, const char *text, size_t length)
{
    if (depth == 0) {
        PayloadLeaf *leaf = TGC_NEW(PayloadLeaf, c);
        IntArray *array = TGC_NEW_ARRAY(IntArray, c, LEAF_ARRAY_LENGTH, leaf);
        for (size_t i = 0; i < LEAF_ARRAY_LENGTH; i++)
            IntArray_set(array, i, (int64_t)i);
        PayloadLeaf_set_array(leaf, array);
        String *string = TGC_NEW_ARRAY(String, c, length, leaf);
        memcpy(string->items, text, length);
        PayloadLeaf_set_string(leaf, string);
        return &leaf->super;
    }
    Payload *left = make_payload(c, depth - 1, text, length);
    TGC_SAVE(left);
    Payload *right = make_payload(c, depth - 1, text, length);
    TGC_RESTORE(left);
    PayloadNode *node = TGC_NEW(PayloadNode, c, left, right);
    PayloadNode_set_left(node, left);
    PayloadNode_set_right(node, right);
    return &node->super;
}

/* Inserts a node with a key not yet in the tree; returns the key. */
static double insert_new_node(tgc_cursor c)
{
    double key;
    do
        key = random_key();
    while (find(key) != NULL);
    char text[TEXT_MAX];
    size_t length = leaf_text(text, key);
    Payload *payload = make_payload(c, PAYLOAD_DEPTH, text, length);
    insert(c, key, payload);
    return key;
}

static void run_round(tgc_cursor c)
{
    for (int i = 0; i < MODIFICATIONS; i++) {
        double key = insert_new_node(c);
        SplayNode *greatest = find_greatest_less_than(key);
        remove_key(greatest == NULL ? key : greatest->key);
    }
}

/* ---- Verification (allocates nothing) ------------------------------------ */

static bool payload_ok(const Payload *p, int depth, const char *text, size_t length)
{
    if (depth == 0) {
        if (!PayloadLeaf_isinstance(p))
            return false;
        const PayloadLeaf *leaf = (const PayloadLeaf *)p;
        if (leaf->array == NULL || IntArray_length(leaf->array) != LEAF_ARRAY_LENGTH ||
            leaf->string == NULL || String_length(leaf->string) != length ||
            memcmp(leaf->string->items, text, length) != 0)
            return false;
        for (size_t i = 0; i < LEAF_ARRAY_LENGTH; i++)
            if (IntArray_get(leaf->array, i) != (int64_t)i)
                return false;
        return true;
    }
    if (!PayloadNode_isinstance(p))
        return false;
    const PayloadNode *node = (const PayloadNode *)p;
    return payload_ok(node->left, depth - 1, text, length) &&
           payload_ok(node->right, depth - 1, text, length);
}

/* Walks the tree in order with an explicit stack (a splay tree can be
 * deep); returns the number of nodes, or -1 with a message. */
static long verify_tree(void)
{
    SplayNode **stack = NULL;
    size_t depth = 0, capacity = 0;
    long count = 0;
    double previous = -1.0;
    SplayNode *t = root;
    while (t != NULL || depth > 0) {
        while (t != NULL) {
            if (depth == capacity) {
                capacity = capacity ? 2 * capacity : 256;
                stack = xrealloc(stack, capacity * sizeof *stack);
            }
            stack[depth++] = t;
            t = t->left;
        }
        t = stack[--depth];
        if (!SplayNode_isinstance(t) || t->key <= previous) {
            fprintf(stderr, "splay: keys out of order at node %ld\n", count);
            free(stack);
            return -1;
        }
        char text[TEXT_MAX];
        size_t length = leaf_text(text, t->key);
        if (!payload_ok(t->value, PAYLOAD_DEPTH, text, length)) {
            fprintf(stderr, "splay: the payload of key %.17g is damaged\n", t->key);
            free(stack);
            return -1;
        }
        previous = t->key;
        count++;
        t = t->right;
    }
    free(stack);
    return count;
}

static bool parse_count(const char *text, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < 0)
        return false;
    *out = value;
    return true;
}

int main(int argc, char **argv)
{
    long tree_size = DEFAULT_TREE_SIZE, rounds = DEFAULT_ROUNDS;
    if (argc > 3 || (argc > 1 && !parse_count(argv[1], &tree_size)) ||
        (argc > 2 && !parse_count(argv[2], &rounds))) {
        fprintf(stderr, "usage: %s [NODES [ROUNDS]]   (default %d %d)\n",
                argc > 0 ? argv[0] : "splay", DEFAULT_TREE_SIZE, DEFAULT_ROUNDS);
        return 2;
    }
    if (splay_init() != 0)
        return 1;
    tgc_register_root(&root);
    gather_pauses();
    tgc_cursor c;
    tgc_cursor_open(c);

    double start = now();
    for (long i = 0; i < tree_size; i++)
        insert_new_node(c);
    double previous = now();
    for (long r = 0; r < rounds; r++) {
        run_round(c);
        double t = now();
        add_sample(&rounds_ns, (uint64_t)((t - previous) * 1e9));
        previous = t;
    }
    double finish = now();
    long count = verify_tree();
    tgc_cursor_close(c);
    close_pause();
    if (count < 0)
        return 1;
    if (count != tree_size) {
        fprintf(stderr, "splay: the tree has %ld nodes, not %ld\n", count, tree_size);
        return 1;
    }

    double sum_squares = 0;
    for (size_t i = 0; i < rounds_ns.count; i++)
        sum_squares += (double)rounds_ns.ns[i] * (double)rounds_ns.ns[i];
    double rms_round = rounds_ns.count ? sqrt(sum_squares / (double)rounds_ns.count) : 0;
    uint64_t max_round = sample_max(&rounds_ns);
    tgc_stats stats;
    tgc_get_stats(&stats, false);

    printf("splay tree: %ld nodes, payload depth %d\n", tree_size, PAYLOAD_DEPTH);
    printf("rounds: %ld of %d modifications\n", rounds, MODIFICATIONS);
    print_pauses();
    printf("max round: %.3f ms\n", (double)max_round / 1e6);
    printf("rms round: %.3f ms\n", rms_round / 1e6);
    printf("major collections: %llu\n", (unsigned long long)stats.major_collections);
    printf("peak RSS: %ld MiB\n", peak_rss_mib());
    printf("verified: %ld keys in order, payloads intact\n", count);
    printf("time: %.3f s\n", finish - start);
    free(rounds_ns.ns);
    return 0;
}
