/* mark.h -- graying, the step of marking that the minor collection takes
 * too: during MARKING the roots it sees and the black objects the write
 * barrier recorded go gray, onto major.c's more_objects_to_trace.
 *
 * Colours, as in a tri-colour marker:
 *   white  an old object without VISITED: not reached yet (freed by the
 *          sweep if it stays white);
 *   gray   GRAY: on objects_to_trace or more_objects_to_trace, once:
 *          reached, its fields not traced yet;
 *   black  VISITED: reached and traced. */
#ifndef TGC_MARK_H
#define TGC_MARK_H

#include "gc.h"

/* White to gray: at most once per object and cycle.  A pinned object is
 * young and stays so: marking leaves it alone, as PyPy's does (it holds no
 * GC pointers, and the minor collections keep it alive while reachable).
 * A prebuilt object not written to yet (NO_HEAP_PTRS) is skipped, as
 * PyPy's visit() does: it is never freed, and points only to other
 * prebuilt objects, so there is nothing to mark through it. */
static inline void tgc_gray(void *object, tgc_addrstack *stack)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & (TGC_FLAG_VISITED | TGC_FLAG_GRAY | TGC_FLAG_PINNED |
                      TGC_FLAG_NO_HEAP_PTRS))
        return;
    hdr->flags |= TGC_FLAG_GRAY;
    tgc_addrstack_push(stack, object);
}

static inline bool tgc_marking(void)
{
    return tgc_gc.major.phase == TGC_PHASE_MARKING;
}

/* A root a minor collection saw during MARKING (roots are not rescanned
 * when marking ends, so every minor collection reports them). */
static inline void tgc_gray_root(void *object)
{
    tgc_gray(object, &tgc_gc.major.more_objects_to_trace);
}

/* A black object that a store may have made point to a white one turns
 * gray again. */
static inline void tgc_regray(void *object)
{
    tgc_hdr(object)->flags &= ~TGC_FLAG_VISITED;
    tgc_gray(object, &tgc_gc.major.more_objects_to_trace);
}

#endif /* TGC_MARK_H */
