/* Correct rooting: nothing to report. */
#include "tree.h"

/* Saved around a call passed the cursor; the live list of TGC_NEW. */
Tree *build(tgc_cursor c, int depth)
{
    if (depth <= 0)
        return TGC_NEW(Tree, c);
    Tree *left = build(c, depth - 1);
    TGC_SAVE(left);
    Tree *right = build(c, depth - 1);
    TGC_RESTORE(left);
    Tree *t = TGC_NEW(Tree, c, left, right);
    Tree_set_left(t, left);
    Tree_set_right(t, right);
    return t;
}

/* NULL cannot move: keeping it across an allocation is fine. */
Tree *null_kept(tgc_cursor c)
{
    Tree *none = NULL;
    Tree *t = TGC_NEW(Tree, c);
    Tree_set_left(t, none);
    return t;
}

/* Reassigned after the call before any use: the old value is dead. */
Tree *reassigned(tgc_cursor c, Tree *t)
{
    Tree *u = TGC_NEW(Tree, c);
    t = u;
    return t;
}

/* A loop that saves and restores in its body, and one that keeps its
 * frame open over the whole loop. */
Tree *loops(tgc_cursor c, Tree *keep, int n)
{
    for (int i = 0; i < n; i++) {
        TGC_SAVE(keep);
        (void)build(c, 2);
        TGC_RESTORE(keep);
    }
    TGC_SAVE(keep);
    while (n-- > 0)
        (void)TGC_NEW(Tree, c);
    TGC_RESTORE(keep);
    return keep;
}

/* Branches: each path restores; an early return before any save. */
Tree *branches(tgc_cursor c, Tree *a, int k)
{
    if (a == NULL)
        return NULL;
    if (k > 0) {
        TGC_SAVE(a);
        tgc_collect_minor(c);
        TGC_RESTORE(a);
    } else {
        a = TGC_NEW(Tree, c, a);
    }
    switch (k) {
    case 1:
        TGC_SAVE(a);
        tgc_collect(c);
        TGC_RESTORE(a);
        break;
    default:
        break;
    }
    return a;
}

/* goto to a cleanup label, the frame closed on both paths. */
Tree *with_goto(tgc_cursor c, Tree *a, int fail)
{
    TGC_SAVE(a);
    Tree *b = TGC_NEW(Tree, c);
    if (fail)
        goto out;
    Tree_set_left(b, b);
out:
    TGC_RESTORE(a);
    return a;
}

/* Functions that do not take the cursor do not collect. */
static long count(const Tree *t)
{
    return t == NULL ? 0 : 1 + count(t->left) + count(t->right);
}

long counted(tgc_cursor c, Tree *t)
{
    long n = count(t);
    n += count(t);
    Tree *u = TGC_NEW(Tree, c, t);
    return n + count(t) + count(u);
}

/* The value read as an argument of the call is read before it runs. */
void passes_before(tgc_cursor c, Tree *t)
{
    Tree *u = TGC_NEW(Tree, c, t);
    (void)build(c, (int)(t->item + u->item));
}
