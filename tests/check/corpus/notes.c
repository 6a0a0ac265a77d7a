/* Where the checker cannot decide, it says so; notes alone exit 0. */
#include <setjmp.h>

#include "tree.h"

static jmp_buf env;

void fill(tgc_cursor c, Tree **out);

Tree *address_taken(tgc_cursor c)
{
    Tree *t = NULL;
    fill(c, &t);  /* expect: undecided: the address of 't' is taken */
    return t;
}

int jumps(tgc_cursor c)
{
    if (setjmp(env) != 0)  /* expect: undecided: the checker does not follow the second return of a setjmp */
        return 1;
    (void)TGC_NEW(Tree, c);
    return 0;
}

/* GC pointers in a struct on the stack are not followed. */
struct pair {
    Tree *first, *second;
};

Tree *in_a_struct(tgc_cursor c, Tree *a)
{
    struct pair p = { a, a };  /* expect: undecided: 'p' holds GC pointers the checker does not follow */
    (void)TGC_NEW(Tree, c);
    return p.first;
}
