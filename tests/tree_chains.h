/* tree_chains.h -- chains of Tree objects through `left`, built and
 * checked by the tests that need old objects in bulk (test_major,
 * test_prefault).  Include after "tree.h". */
#ifndef TGC_TREE_CHAINS_H
#define TGC_TREE_CHAINS_H

#include <stdbool.h>

/* A chain through `left`, items first..first+n-1; returns its head. */
static inline Tree *make_chain(tgc_cursor cursor, long first, long n)
{
    Tree *head = NULL;
    for (long i = first + n - 1; i >= first; i--) {
        Tree *t = TGC_NEW(Tree, cursor, head);
        t->item = i;
        Tree_set_left(t, head);
        head = t;
    }
    return head;
}

static inline bool chain_ok(const Tree *t, long first, long n)
{
    for (long i = 0; i < n; i++, t = t->left)
        if (t == NULL || !Tree_isinstance(t) || t->item != first + i)
            return false;
    return t == NULL;
}

#endif /* TGC_TREE_CHAINS_H */
