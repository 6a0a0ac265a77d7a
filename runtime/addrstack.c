/* addrstack.c -- growth of the address stacks. */
#include <stdlib.h>

#include "addrstack.h"
#include "sysmem.h"

void tgc_addrstack_grow(tgc_addrstack *stack)
{
    size_t capacity = stack->capacity ? stack->capacity * 2 : 1024;
    void **items;
    while ((items = tgc_sys_realloc(stack->items, stack->capacity * sizeof(void *),
                                    capacity * sizeof(void *))) == NULL)
        tgc_sys_out_of_memory("a GC worklist", capacity * sizeof(void *));
    stack->items = items;
    stack->capacity = capacity;
}
