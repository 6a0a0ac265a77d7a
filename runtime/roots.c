/* roots.c -- where the collector finds the program's GC pointers: the
 * shadow stack (RPython's shadowstack: user code pushes the pointers it
 * keeps across a call that can collect) and registered static slots. */
#include <stdint.h>
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

void tgc_shadowstack_mismatch(size_t restored, const void *found)
{
    uintptr_t word = (uintptr_t)found;
    if (word & 1)
        tgc_fatal("shadow stack mismatch: TGC_RESTORE of %zu GC pointers, but the last "
                  "TGC_SAVE not restored saved %zu (different variables, or a frame "
                  "left unbalanced by a return or a longjmp?)", restored, (size_t)(word >> 1));
    tgc_fatal("shadow stack mismatch: TGC_RESTORE of %zu GC pointers, fewer than the last "
              "TGC_SAVE not restored saved (different variables?)", restored);
}

tgc_root_mark tgc_roots_mark(void)
{
    return (tgc_root_mark){ (size_t)(tgc_shadowstack.top - tgc_shadowstack.base) };
}

void tgc_roots_reset(tgc_root_mark mark)
{
    size_t depth = (size_t)(tgc_shadowstack.top - tgc_shadowstack.base);
    if (mark.depth > depth)
        tgc_fatal("tgc_roots_reset: the mark (%zu words) is deeper than the shadow stack "
                  "now (%zu): reset only to a mark taken by a caller of the code that "
                  "left", mark.depth, depth);
    tgc_shadowstack.top = tgc_shadowstack.base + mark.depth;
}

/* Calls visit(slot, arg) for every root slot holding a GC pointer: the
 * shadow stack, but its frame tags (odd words), then the registered
 * static slots. */
void tgc_walk_roots(tgc_slot_visitor visit, void *arg)
{
    for (void **slot = tgc_shadowstack.base; slot < tgc_shadowstack.top; slot++)
        if (*slot != NULL && !((uintptr_t)*slot & 1))
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
