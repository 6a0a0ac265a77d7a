/* torture.h -- TYPEGC_TORTURE's nursery pages (torture.c).  The other half
 * of the mode, a full collection every Nth slow path, is collect.c's. */
#ifndef TGC_TORTURE_H
#define TGC_TORTURE_H

#include <stddef.h>

#include "nursery.h"

/* Reports a fault in the emptied nursery as the missing root it is. */
void tgc_torture_init(const tgc_nursery *n);
/* Where the fill after [fill_start, fill_end) begins; protects the pages
 * of that fill (nursery.c calls it when resetting). */
char *tgc_torture_next_fill(const tgc_nursery *n, char *fill_start, char *fill_end,
                            size_t fill_size);

#endif /* TGC_TORTURE_H */
