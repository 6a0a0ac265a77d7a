/* Mistakes on one path of several. */
#include "tree.h"

Tree *build(tgc_cursor c, int depth);

/* The case that allocates falls into the one that reads. */
long fall_through(tgc_cursor c, Tree *t, int k)
{
    switch (k) {
    case 0:
        (void)TGC_NEW(Tree, c);
        /* fall through */
    case 1:
        return t->item;  /* expect: root: after TGC_NEW at line 11 */
    default:
        return 0;
    }
}

/* goto skips the restore. */
Tree *skips_restore(tgc_cursor c, Tree *t, int fail)
{
    TGC_SAVE(t);
    (void)build(c, 1);
    if (fail)
        goto out;  /* expect: shadow-stack: this one has TGC_SAVE(t) of line 23 open, another none */
    TGC_RESTORE(t);
out:
    return t;  /* expect: root: the call to build at line 24 */
}

/* Only the right operand of && allocates; the left is read after it. */
int and_then(tgc_cursor c, Tree *t)
{
    int ok = t->item > 0 && build(c, 1) != NULL;
    return ok + (int)t->item;  /* expect: root: the call to build at line 35 */
}

/* An array of GC pointers kept unsaved. */
Tree *array(tgc_cursor c)
{
    Tree *kids[2] = { NULL, NULL };
    kids[0] = TGC_NEW(Tree, c);
    kids[1] = build(c, 1);
    Tree_set_left(kids[1], kids[0]);  /* expect: root: TGC_SAVE_ARRAY(kids, 2); before line 44 */
    return kids[1];
}

/* A user macro that forgets the restore. */
#define HALF_KEEPING(var, call) \
    do {                        \
        TGC_SAVE(var);          \
        call;                   \
    } while (0)

Tree *half(tgc_cursor c, Tree *t)
{
    HALF_KEEPING(t, (void)build(c, 3));
    return t;  /* expect: shadow-stack: this return leaves TGC_SAVE(t) of line 58 */ /* expect: root: it is saved there */
}
