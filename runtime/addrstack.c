/* addrstack.c -- growth of the address stacks. */
#include <stdlib.h>

#include "gc.h"

void tgc_addrstack_grow(tgc_addrstack *stack)
{
    size_t capacity = stack->capacity ? stack->capacity * 2 : 1024;
    void **items = realloc(stack->items, capacity * sizeof(void *));
    if (items == NULL)
        tgc_fatal("out of memory: cannot grow a GC worklist to %zu entries", capacity);
    stack->items = items;
    stack->capacity = capacity;
}
