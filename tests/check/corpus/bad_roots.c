/* Pointers kept across calls that may collect, unsaved. */
#include "tree.h"

Tree *build(tgc_cursor c, int depth);

Tree *missing_save(tgc_cursor c, int depth)
{
    Tree *left = build(c, depth - 1);
    Tree *right = build(c, depth - 1);
    Tree *t = TGC_NEW(Tree, c, left, right);  /* expect: root: save it around the call: TGC_SAVE(left); before line 9 and TGC_RESTORE(left); after it */
    Tree_set_left(t, left);
    return t;
}

Tree *missing_from_live_list(tgc_cursor c, Tree *a)
{
    Tree *b = TGC_NEW(Tree, c);
    Tree_set_left(b, a);  /* expect: root: list it after the cursor: TGC_NEW(Tree, c, a) */
    return b;
}

/* Stale on one path only: the branch that allocates. */
Tree *one_branch(tgc_cursor c, Tree *a, int k)
{
    if (k)
        tgc_collect_minor(c);
    return a;  /* expect: root: the call to tgc_collect_minor at line 26 */
}

/* Stale through the loop's back edge: the use comes before the call in
 * the text, after it in time. */
long loop_back(tgc_cursor c, Tree *a, int n)
{
    long sum = 0;
    for (int i = 0; i < n; i++) {
        sum += a->item;  /* expect: root: 'a' (Tree *) is used at line 36 after the call to build at line 37 */
        (void)build(c, 1);
    }
    return sum;
}

/* A saved pointer read before its restore. */
long before_restore(tgc_cursor c, Tree *a)
{
    TGC_SAVE(a);
    tgc_collect(c);
    long v = a->item;  /* expect: root: it is saved there, but only the saved copy is updated */
    TGC_RESTORE(a);
    return v;
}

/* A stale pointer given to a function that does not collect is a use. */
static long count(const Tree *t)
{
    return t == NULL ? 0 : 1;
}

long passed_on(tgc_cursor c, Tree *t)
{
    (void)TGC_NEW(Tree, c);
    return count(t);  /* expect: root: TGC_NEW(Tree, c, t) */
}

/* A `void *` given a GC pointer is one. */
long through_void(tgc_cursor c, Tree *t)
{
    void *any = t;
    (void)build(c, 2);
    return count(any);  /* expect: root: 'any' (void *) */
}

/* The condition of a while loop after a call in its body. */
void walk(tgc_cursor c, Tree *t)
{
    while (t != NULL) {
        (void)build(c, 1);
        t = t->left;  /* expect: root: the call to build at line 76 */
    }
}

/* A callee given a struct that holds the cursor can allocate. */
struct context {
    tgc_cursor c;
    int depth;
};

void grow(struct context *ctx);

long through_context(struct context *ctx, Tree *t)
{
    grow(ctx);
    return t->item;  /* expect: root: the call to grow at line */
}
