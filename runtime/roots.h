/* roots.h -- where the collector finds the program's GC pointers
 * (roots.c): the shadow stack and the registered static slots. */
#ifndef TGC_ROOTS_H
#define TGC_ROOTS_H

#include "object.h"

#define TGC_SHADOWSTACK_DEPTH 163840   /* root_stack_depth, in words */

void tgc_shadowstack_init(void);
/* Calls visit(slot, arg) for every root slot holding a GC pointer. */
void tgc_walk_roots(tgc_slot_visitor visit, void *arg);

#endif /* TGC_ROOTS_H */
