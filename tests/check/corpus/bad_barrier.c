/* Stores of GC pointers that skip the write barrier. */
#include "arrays.h"
#include "fixedarrays.h"
#include "hierarchy.h"

void plain_store(Item *item, Bytes *label)
{
    item->label = label;  /* expect: barrier: use Item_set_label(item, label) */
    item->key = 3;        /* an integer needs no barrier */
    Item_set_label(item, label);
}

void array_store(Items *items, Item *item)
{
    items->items[2] = item;  /* expect: barrier: use Items_set(items, 2, item) */
    Items_set(items, 2, item);
}

void fixed_array_store(Node *n, Node *kid)
{
    n->kids[1] = kid;  /* expect: barrier: use Node_set_kids(n, 1, kid) */
    Node_set_kids(n, 1, kid);
}

void inherited_store(Caption *cap, Shape *next)
{
    cap->super.super.next = next;  /* expect: barrier: use Caption_set_next(cap, next) */
    Caption_set_next(cap, next);
}

/* A struct on the stack is no GC object. */
struct pair {
    Item *first;
};

void stack_struct(Item *item)
{
    struct pair p;
    p.first = item;
    (void)p;
}
