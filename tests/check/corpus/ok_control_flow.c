/* Control flow the checker must follow without a false report. */
#include <stdlib.h>

#include "tree.h"

Tree *build(tgc_cursor c, int depth);

/* A user macro that wraps the save and the restore. */
#define KEEPING(var, call) \
    do {                   \
        TGC_SAVE(var);     \
        call;              \
        TGC_RESTORE(var);  \
    } while (0)

Tree *wrapped(tgc_cursor c, Tree *t)
{
    KEEPING(t, (void)build(c, 3));
    return t;
}

/* do-while, with continue and break, the frame closed on every path. */
Tree *do_loop(tgc_cursor c, Tree *t, int n)
{
    do {
        TGC_SAVE(t);
        Tree *u = build(c, 1);
        TGC_RESTORE(t);
        if (u == NULL)
            continue;
        if (n == 7)
            break;
        Tree_set_left(t, u);
    } while (--n > 0);
    return t;
}

/* switch with fall-through into the case that allocates last. */
Tree *fall_through(tgc_cursor c, Tree *t, int k)
{
    switch (k) {
    case 0:
        t = NULL;
        /* fall through */
    case 1:
        t = TGC_NEW(Tree, c, t);
        break;
    default:
        return t;
    }
    return t;
}

/* Nested scopes: an inner variable of the same name. */
Tree *shadowed(tgc_cursor c, Tree *t)
{
    {
        Tree *t2 = TGC_NEW(Tree, c, t);
        {
            Tree *t = t2;
            Tree_set_left(t, t);
        }
    }
    return t;
}

/* ?: and && choose which call runs; the pointer is reassigned on both. */
Tree *choose(tgc_cursor c, Tree *t, int k)
{
    t = k ? build(c, 1) : TGC_NEW(Tree, c);
    if (t != NULL && k > 2)
        t = TGC_NEW(Tree, c, t);
    return t;
}

/* goto backwards, a retry loop: the pointer is fresh at the label. */
Tree *retry(tgc_cursor c, int tries)
{
    Tree *t;
again:
    t = build(c, 2);
    if (t->item != 0 && --tries > 0)
        goto again;
    return t;
}

/* An array of GC pointers saved with TGC_SAVE_ARRAY. */
Tree *array(tgc_cursor c)
{
    Tree *kids[2] = { NULL, NULL };
    kids[0] = TGC_NEW(Tree, c);
    TGC_SAVE_ARRAY(kids, 2);
    kids[1] = build(c, 1);
    TGC_RESTORE_ARRAY(kids, 2);
    Tree_set_left(kids[1], kids[0]);
    return kids[1];
}

/* A longjmp-style unwind: reset to a mark, then restore the outer frame. */
void unwind(tgc_cursor c, Tree *kept)
{
    TGC_SAVE(kept);
    tgc_root_mark mark = tgc_roots_mark();
    TGC_SAVE(kept);
    tgc_roots_reset(mark);
    tgc_collect(c);
    TGC_RESTORE(kept);
    Tree_set_left(kept, kept);
}

/* exit() ends its path: the stale pointer is never read after it. */
long after_exit(tgc_cursor c, Tree *t, int k)
{
    if (k) {
        (void)build(c, 1);
        exit(1);
    }
    return t->item;
}
