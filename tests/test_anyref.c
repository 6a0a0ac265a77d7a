/* test_anyref.c -- fields and array items of kind any (anyrefs.json): a
 * GC pointer to an object of any type, stored through the setters' write
 * barrier and traced like a ref.  A graph of Leafs, Boxes, Pairs and Bags
 * linked only through any fields and items survives collections: every
 * object is found again, by its type (T_isinstance() on the loaded
 * pointer) and its values.  Run with a tiny nursery and the heap check. */
#include "check.h"
#include "anyrefs.h"

static tgc_cursor c;

enum { N = 400 };

/* Object i of the graph: a Leaf holding i, boxed in a Box (i % 3 == 0), a
 * Pair whose other is the previous chain (i % 3 == 1), or a Bag of [leaf,
 * previous chain] (i % 3 == 2); each holds the chain built before it. */
static void *build(void)
{
    void *chain = NULL;
    for (int i = 0; i < N; i++) {
        Leaf *leaf = TGC_NEW(Leaf, c, chain);
        leaf->value = i;
        void *node;
        switch (i % 3) {
        case 0: {
            Box *b = TGC_NEW(Box, c, chain, leaf);
            Box_set_item(b, leaf);
            b->count = i;
            Leaf *spare = TGC_NEW(Leaf, c, chain, b);   /* garbage */
            (void)spare;
            Bag *wrap = TGC_NEW_ARRAY(Bag, c, 2, chain, b);
            Bag_set(wrap, 0, b);
            Bag_set(wrap, 1, chain);
            node = wrap;
            break;
        }
        case 1: {
            Pair *p = TGC_NEW(Pair, c, chain, leaf);
            Pair_set_item(p, leaf);
            Pair_set_other(p, chain);
            Box_of(p)->count = i;
            node = p;
            break;
        }
        default: {
            Bag *bag = TGC_NEW_ARRAY(Bag, c, 2, chain, leaf);
            Bag_set(bag, 0, leaf);
            Bag_set(bag, 1, chain);
            node = bag;
            break;
        }
        }
        chain = node;
    }
    return chain;
}

static void check_graph(void *chain)
{
    for (int i = N - 1; i >= 0; i--) {
        void *rest;
        const Leaf *leaf;
        if (i % 3 == 0) {
            CHECK(Bag_isinstance(chain) && Bag_length(chain) == 2);
            Box *b = Bag_get(chain, 0);
            CHECK(Box_isinstance(b) && !Pair_isinstance(b) && b->count == i);
            leaf = b->item;
            rest = Bag_get(chain, 1);
        } else if (i % 3 == 1) {
            CHECK(Pair_isinstance(chain) && Box_isinstance(chain));
            Pair *p = chain;
            CHECK(Box_of(p)->count == i);
            leaf = Box_of(p)->item;
            rest = p->other;
        } else {
            CHECK(Bag_isinstance(chain) && Bag_length(chain) == 2);
            leaf = Bag_get(chain, 0);
            rest = Bag_get(chain, 1);
        }
        CHECK(Leaf_isinstance(leaf) && leaf->value == i);
        if (!Leaf_isinstance(leaf) || leaf->value != i)
            return;
        chain = rest;
    }
    CHECK(chain == NULL);
}

static void test_graph_through_any_survives(void)
{
    void *g = build();
    TGC_SAVE(g);
    tgc_collect_minor(c);
    TGC_RESTORE(g);
    check_graph(g);
    /* a second graph while the first is old: young objects stored into
     * old ones through the barrier */
    TGC_SAVE(g);
    void *h = build();
    TGC_RESTORE(g);
    Bag *both = TGC_NEW_ARRAY(Bag, c, 2, g, h);
    Bag_set(both, 0, g);
    Bag_set(both, 1, h);
    TGC_SAVE(both);
    tgc_collect(c);
    TGC_RESTORE(both);
    check_graph(Bag_get(both, 0));
    check_graph(Bag_get(both, 1));
}

static void test_table_traces_any(void)
{
    const tgc_type_info *t = anyrefs_types.types;
    CHECK_EQ_U(t[Box__TYPE_ID].n_ptr_offsets, 1);
    CHECK_EQ_U(t[Pair__TYPE_ID].n_ptr_offsets, 2);
    CHECK_EQ_U(t[Pair__TYPE_ID].fields[2].kind, TGC_KIND_REF);
    CHECK_EQ_U(t[Pair__TYPE_ID].fields[2].ref_type_id, 0);
    CHECK(t[Bag__TYPE_ID].infobits & TGC_T_IS_GCARRAY_OF_GCPTR);
    CHECK(Box__HAS_GCPTR && !Leaf__HAS_GCPTR);
}

int main(void)
{
    if (anyrefs_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_table_traces_any);
    RUN(test_graph_through_any_survives);
    tgc_cursor_close(c);
    return check_finish();
}
