/* roots.c -- where the collector finds the program's GC pointers: the
 * shadow stack (RPython's shadowstack: user code pushes the pointers it
 * keeps across a call that can collect) and registered static slots. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "addrstack.h"
#include "roots.h"
#include "util.h"

tgc_root_stack tgc_shadowstack;
static tgc_addrstack static_slots;        /* addresses of registered slots */

void tgc_shadowstack_init(void)
{
    size_t bytes = TGC_SHADOWSTACK_DEPTH * sizeof(void *);
    void **base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        tgc_fatal("cannot allocate the shadow stack (%zu bytes)", bytes);
    tgc_shadowstack.base = tgc_shadowstack.top = base;
    tgc_shadowstack.limit = base + TGC_SHADOWSTACK_DEPTH;
}

void tgc_shadowstack_overflow(void)
{
    tgc_fatal("shadow stack overflow: more than %d GC pointers saved at once "
              "(unbounded recursion, or TGC_SAVE without TGC_RESTORE?)",
              TGC_SHADOWSTACK_DEPTH);
}

void tgc_shadowstack_underflow(void)
{
    tgc_fatal("shadow stack underflow: TGC_RESTORE of more GC pointers than were "
              "saved (a TGC_RESTORE without its TGC_SAVE, or with other variables?)");
}

/* Calls visit(slot, arg) for every root slot holding a GC pointer: the
 * shadow stack, then the registered static slots. */
void tgc_walk_roots(tgc_slot_visitor visit, void *arg)
{
    for (void **slot = tgc_shadowstack.base; slot < tgc_shadowstack.top; slot++)
        if (*slot != NULL)
            visit(slot, arg);
    const tgc_addrstack *statics = &static_slots;
    for (size_t i = 0; i < statics->length; i++) {
        void **slot = statics->items[i];
        if (*slot != NULL)
            visit(slot, arg);
    }
}

void tgc_register_root(void *slot)
{
    tgc_addrstack_push(&static_slots, slot);
}
