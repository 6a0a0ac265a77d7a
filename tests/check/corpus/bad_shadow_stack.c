/* TGC_SAVE and TGC_RESTORE that do not match. */
#include "tree.h"

void order(tgc_cursor c, Tree *a, Tree *b)
{
    TGC_SAVE(a, b);
    tgc_collect_minor(c);
    TGC_RESTORE(b, a);  /* expect: shadow-stack: TGC_RESTORE(b, a) does not match TGC_SAVE(a, b) of line 6 */
    Tree_set_left(a, b);
}

void other_variable(tgc_cursor c, Tree *a, Tree *b)
{
    TGC_SAVE(a);
    tgc_collect_minor(c);
    TGC_RESTORE(b);  /* expect: shadow-stack: TGC_RESTORE(b) does not match TGC_SAVE(a) of line 14 */
    Tree_set_left(b, b);
}

Tree *early_return(tgc_cursor c, Tree *a, int fail)
{
    TGC_SAVE(a);
    tgc_collect_minor(c);
    if (fail)
        return NULL;  /* expect: shadow-stack: this return leaves TGC_SAVE(a) of line 22 on the shadow stack */
    TGC_RESTORE(a);
    return a;
}

void break_out(tgc_cursor c, Tree *a, int n)
{
    for (int i = 0; i < n; i++) {
        TGC_SAVE(a);
        tgc_collect_minor(c);
        if (i == 3)
            break;  /* expect: shadow-stack: this one has TGC_SAVE(a) of line 33 open */
        TGC_RESTORE(a);
    }
    Tree_set_left(a, a);  /* expect: root: the call to tgc_collect_minor at line 34 */
}

void restore_only(Tree *a)
{
    TGC_RESTORE(a);  /* expect: shadow-stack: TGC_RESTORE(a) with no TGC_SAVE open on this path */
}
