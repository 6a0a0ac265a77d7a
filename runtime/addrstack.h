/* addrstack.h -- a growable stack of addresses, the runtime's worklist and
 * remembered-set type (incminimark's AddressStack). */
#ifndef TGC_ADDRSTACK_H
#define TGC_ADDRSTACK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tgc_addrstack {
    void **items;
    size_t length;
    size_t capacity;
} tgc_addrstack;

void tgc_addrstack_grow(tgc_addrstack *stack);

static inline void tgc_addrstack_push(tgc_addrstack *stack, void *address)
{
    if (__builtin_expect(stack->length == stack->capacity, 0))
        tgc_addrstack_grow(stack);
    stack->items[stack->length++] = address;
}

static inline bool tgc_addrstack_empty(const tgc_addrstack *stack)
{
    return stack->length == 0;
}

static inline void *tgc_addrstack_pop(tgc_addrstack *stack)
{
    return stack->items[--stack->length];
}

#endif /* TGC_ADDRSTACK_H */
