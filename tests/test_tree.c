/* test_tree.c -- binary trees built bottom-up (new nodes point to old
 * ones) and top-down (old nodes are filled with new children through the
 * write barrier), as GCBench builds them, checked node by node after
 * thousands of minor collections.  Run with a tiny nursery. */
#include "check.h"
#include "tree.h"

static tgc_cursor c;

/* Items are numbered in pre-order from `first`. */
static Tree *make_bottom_up(tgc_cursor cursor, int depth, long *next_item)
{
    long item = (*next_item)++;
    if (depth == 0) {
        Tree *leaf = TGC_NEW(Tree, cursor);
        leaf->item = item;
        return leaf;
    }
    Tree *left = make_bottom_up(cursor, depth - 1, next_item);
    TGC_SAVE(left);
    Tree *right = make_bottom_up(cursor, depth - 1, next_item);
    TGC_RESTORE(left);
    Tree *node = TGC_NEW(Tree, cursor, left, right);
    node->item = item;
    Tree_set_left(node, left);
    Tree_set_right(node, right);
    return node;
}

static void populate_top_down(tgc_cursor cursor, int depth, Tree *node, long *next_item)
{
    node->item = (*next_item)++;
    if (depth == 0)
        return;
    Tree *left = TGC_NEW(Tree, cursor, node);
    Tree_set_left(node, left);
    Tree *right = TGC_NEW(Tree, cursor, node);
    Tree_set_right(node, right);
    TGC_SAVE(node);
    populate_top_down(cursor, depth - 1, node->left, next_item);
    TGC_RESTORE(node);
    TGC_SAVE(node);
    populate_top_down(cursor, depth - 1, node->right, next_item);
    TGC_RESTORE(node);
}

/* Returns the number of nodes, or -1 at the first wrong item. */
static long check_tree(const Tree *node, int depth, long *next_item)
{
    if (node == NULL || !Tree_isinstance(node) || node->item != (*next_item)++)
        return -1;
    if (depth == 0)
        return node->left == NULL && node->right == NULL ? 1 : -1;
    long left = check_tree(node->left, depth - 1, next_item);
    long right = check_tree(node->right, depth - 1, next_item);
    return left < 0 || right < 0 ? -1 : 1 + left + right;
}

static long tree_size(int depth)
{
    return (1L << (depth + 1)) - 1;
}

static void test_bottom_up_trees_survive(void)
{
    for (int depth = 0; depth <= 12; depth++) {
        long item = 100;
        Tree *tree = make_bottom_up(c, depth, &item);
        long checked = 100;
        CHECK_EQ_U(check_tree(tree, depth, &checked), tree_size(depth));
    }
}

static void test_top_down_trees_survive(void)
{
    for (int depth = 0; depth <= 12; depth++) {
        Tree *root = TGC_NEW(Tree, c);
        long item = 7;
        TGC_SAVE(root);
        populate_top_down(c, depth, root, &item);
        TGC_RESTORE(root);
        long checked = 7;
        CHECK_EQ_U(check_tree(root, depth, &checked), tree_size(depth));
    }
}

/* A long-lived tree stays intact while many short-lived trees come and go. */
static void test_long_lived_tree_amid_garbage(void)
{
    long item = 0;
    Tree *keep = make_bottom_up(c, 14, &item);
    for (int round = 0; round < 40; round++) {
        long scratch = 0;
        TGC_SAVE(keep);
        (void)make_bottom_up(c, 10, &scratch);
        TGC_RESTORE(keep);
    }
    long checked = 0;
    CHECK_EQ_U(check_tree(keep, 14, &checked), tree_size(14));
}

int main(void)
{
    if (tree_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_bottom_up_trees_survive);
    RUN(test_top_down_trees_survive);
    RUN(test_long_lived_tree_amid_garbage);
    tgc_cursor_close(c);
    return check_finish();
}
