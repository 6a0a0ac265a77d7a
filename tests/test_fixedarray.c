/* test_fixedarray.c -- fixed-size arrays inside a struct (fixedarrays.json):
 * each GC-pointer item is a slot of its own in the type table, stored
 * through T_set_f(obj, index, value) with the write barrier.  A graph of
 * Nodes, Labelleds and Slots linked only through fixed-array items
 * survives collections, young objects stored into old ones' items
 * included; every object is found again by its type and its values.  Run
 * with a tiny nursery and the heap check. */
#include "check.h"
#include "fixedarrays.h"

static tgc_cursor c;

enum { N = 300 };

/* A new Node of value `v` into `var`; the rest are the live pointers the
 * allocation may move (TGC_NEW updates them where they are). */
#define LEAF(var, v, ...)                       \
    do {                                        \
        var = TGC_NEW(Node, c, __VA_ARGS__);    \
        var->value = (v);                       \
    } while (0)

/* Object i holds the chain built before it and a leaf of value -i:
 * a Node (kids[3], kids[0]), a Labelled (extras[2], extras[0]) or a Slots
 * (one[0], nodes[1] -> a Nodes of the leaf).  The makers take the live
 * pointers by address: an allocation may move them. */
static void *make_node(int i, void **chain, Node **l)
{
    Node *n = TGC_NEW(Node, c, *chain, *l);
    n->value = i;
    for (int k = 0; k < 3; k++)
        n->tags[k] = (uint8_t)(i + k);
    Node_set_kids(n, 3, *chain);
    Node_set_kids(n, 0, *l);
    return n;
}

static void *make_labelled(int i, void **chain, Node **l)
{
    Labelled *lb = TGC_NEW(Labelled, c, *chain, *l);
    Node_of(lb)->value = i;
    lb->weights[1] = i * 0.5;
    Labelled_set_extras(lb, 2, *chain);
    Labelled_set_extras(lb, 0, *l);
    return lb;
}

static void *make_slots(int i, void **chain, Node **l)
{
    Nodes *arr = TGC_NEW_ARRAY(Nodes, c, 1, *chain, *l);
    Nodes_set(arr, 0, *l);
    Slots *s = TGC_NEW(Slots, c, *chain, arr);
    s->small[4] = (int16_t)i;
    Slots_set_one(s, 0, *chain);
    Slots_set_nodes(s, 1, arr);
    return s;
}

static void *(*const makers[3])(int, void **, Node **) = {
    make_node, make_labelled, make_slots,
};

static void *build(void)
{
    void *chain = NULL;
    for (int i = 0; i < N; i++) {
        Node *l;
        LEAF(l, -i, chain);
        chain = makers[i % 3](i, &chain, &l);
    }
    return chain;
}

static bool is_leaf(const void *p, int64_t value)
{
    return Node_isinstance(p) && !Labelled_isinstance(p) &&
           ((const Node *)p)->value == value;
}

/* The object i's spare slot: the item that build() leaves NULL and
 * store_young() fills. */
static void **spare(void *obj, int i)
{
    if (i % 3 == 0)
        return (void **)&((Node *)obj)->kids[1];
    if (i % 3 == 1)
        return &((Labelled *)obj)->extras[1];
    return (void **)&((Slots *)obj)->nodes[0];
}

/* Checks the chain; with `spares`, that each spare slot holds what
 * store_young() put there. */
static void check_graph(void *chain, bool spares)
{
    for (int i = N - 1; i >= 0; i--) {
        void *rest;
        const void *l;
        if (i % 3 == 0) {
            Node *n = chain;
            CHECK(Node_isinstance(n) && !Labelled_isinstance(n) && n->value == i);
            CHECK(n->tags[0] == (uint8_t)i && n->tags[2] == (uint8_t)(i + 2));
            CHECK(n->kids[2] == NULL);
            l = n->kids[0];
            rest = n->kids[3];
        } else if (i % 3 == 1) {
            Labelled *lb = chain;
            CHECK(Labelled_isinstance(lb) && Node_of(lb)->value == i);
            CHECK(lb->weights[0] == 0 && lb->weights[1] == i * 0.5);
            for (int k = 0; k < 4; k++)
                CHECK(Node_of(lb)->kids[k] == NULL);
            l = lb->extras[0];
            rest = lb->extras[2];
        } else {
            Slots *s = chain;
            CHECK(Slots_isinstance(s) && s->small[4] == i && s->small[0] == 0);
            CHECK(Nodes_isinstance(s->nodes[1]) && Nodes_length(s->nodes[1]) == 1);
            l = Nodes_get(s->nodes[1], 0);
            rest = s->one[0];
        }
        CHECK(is_leaf(l, -i));
        if (spares) {
            void *young = *spare(chain, i);
            if (i % 3 == 2)
                CHECK(Nodes_isinstance(young) && is_leaf(Nodes_get(young, 0), 1000 + i));
            else
                CHECK(is_leaf(young, 1000 + i));
        }
        if (!is_leaf(l, -i))
            return;
        chain = rest;
    }
    CHECK(chain == NULL);
}

/* Stores a young object into each (old) object's spare slot, through the
 * setters and so the barrier. */
static void store_young(void *g)
{
    void *chain = g;
    for (int i = N - 1; i >= 0; i--) {
        void *rest;
        Node *young;
        LEAF(young, 1000 + i, chain, g);
        if (i % 3 == 0) {
            Node_set_kids(chain, 1, young);
            rest = ((Node *)chain)->kids[3];
        } else if (i % 3 == 1) {
            Labelled_set_extras(chain, 1, young);
            rest = ((Labelled *)chain)->extras[2];
        } else {
            Nodes *arr = TGC_NEW_ARRAY(Nodes, c, 1, chain, g, young);
            Nodes_set(arr, 0, young);
            Slots_set_nodes(chain, 0, arr);
            rest = ((Slots *)chain)->one[0];
        }
        chain = rest;
    }
}

static void test_graph_through_fixed_arrays_survives(void)
{
    void *g = build();
    TGC_SAVE(g);
    tgc_collect_minor(c);
    TGC_RESTORE(g);
    check_graph(g, false);
    store_young(g);
    TGC_SAVE(g);
    tgc_collect_minor(c);
    TGC_RESTORE(g);
    check_graph(g, true);
    TGC_SAVE(g);
    tgc_collect(c);
    TGC_RESTORE(g);
    check_graph(g, true);
}

/* Wide is a large object, allocated outside the nursery: all its 17000
 * items are traced. */
static void test_large_object_items_traced(void)
{
    Wide *w = TGC_NEW(Wide, c);
    for (int k = 0; k < 17000; k += 1000) {
        Node *n;
        LEAF(n, k, w);
        Wide_set_slots(w, (size_t)k, n);
    }
    Node *last;
    LEAF(last, 16999, w);
    Wide_set_slots(w, 16999, last);
    TGC_SAVE(w);
    tgc_collect_minor(c);
    tgc_collect(c);
    TGC_RESTORE(w);
    for (int k = 0; k < 17000; k++) {
        if (k % 1000 == 0 || k == 16999)
            CHECK(is_leaf(w->slots[k], k));
        else
            CHECK(w->slots[k] == NULL);
    }
}

static void test_table_traces_every_item(void)
{
    const tgc_type_info *t = fixedarrays_types.types;
    CHECK_EQ_U(t[Node__TYPE_ID].n_ptr_offsets, 4);
    CHECK_EQ_U(t[Labelled__TYPE_ID].n_ptr_offsets, 7);
    CHECK_EQ_U(t[Labelled__TYPE_ID].ptr_offsets[3], offsetof(Node, kids) + 24);
    CHECK_EQ_U(t[Labelled__TYPE_ID].ptr_offsets[6], offsetof(Labelled, extras) + 16);
    CHECK_EQ_U(t[Slots__TYPE_ID].n_ptr_offsets, 3);
    CHECK_EQ_U(t[Wide__TYPE_ID].n_ptr_offsets, 17000);
    CHECK_EQ_U(t[Node__TYPE_ID].fields[0].size, sizeof ((Node *)0)->kids);
    CHECK(Wide__SIZE > TGC_NONLARGE_MAX);
}

static void set_past_the_end(void)
{
    Node *n = TGC_NEW(Node, c);
    Node_set_kids(n, 4, NULL);
}

static void test_index_out_of_range_dies(void)
{
    CHECK(expect_death(set_past_the_end,
                       "index 4 out of range for Node.kids of length 4"));
}

int main(void)
{
    if (fixedarrays_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_table_traces_every_item);
    RUN(test_graph_through_fixed_arrays_survives);
    RUN(test_large_object_items_traced);
    RUN(test_index_out_of_range_dies);
    tgc_cursor_close(c);
    return check_finish();
}
