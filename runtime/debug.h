/* debug.h -- PYPY_GC_DEBUG's heap check (debug.c). */
#ifndef TGC_DEBUG_H
#define TGC_DEBUG_H

/* Walks the heap from the roots; stops the program at the first broken
 * invariant, saying `when` it was checked. */
void tgc_debug_check_heap(const char *when);

#endif /* TGC_DEBUG_H */
