/* pinning.c -- tgc_pin() and tgc_unpin(), PyPy's rgc.pin() and
 * rgc.unpin(), and what the minor collection asks of the pinned objects
 * (pinning.h).
 *
 * The minor collection marks a pinned object it reaches with VISITED, as
 * PyPy does: marking never sees a nursery object (tgc_gray() skips
 * PINNED ones, and major steps run only right after a minor collection,
 * when every object left in the nursery is pinned), so the flag is free
 * on them.  At the end of the minor collection the pinned objects without
 * it are dead; their pin is dropped with them, and their PINNED flag
 * cleared, so that a tgc_unpin() of one finds it not pinned. */
#include <stdlib.h>

#include "gc.h"
#include "object.h"

/* Where `object` is in the list of pinned objects, or -1. */
static long index_of(const tgc_pinning *p, const void *object)
{
    for (size_t i = 0; i < p->pinned.length; i++)
        if (p->pinned.items[i] == object)
            return (long)i;
    return -1;
}

bool tgc_pin(void *object)
{
    tgc_pinning *p = &tgc_gc.pinning;
    tgc_destructors_forbid("tgc_pin");
    if (tgc_pinning_count(p) >= p->max_pinned)
        return false;
    /* old and large objects never move: pinning them has no meaning; an
     * aged one moves at the next minor collection, out of the survivor
     * space, which cannot keep it (pinned objects stay in the nursery) */
    if (object == NULL || !tgc_is_in_nursery(object))
        return false;
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_PINNED)
        return false;           /* PyPy: one pin each, so one unpin cannot undo another's */
    const tgc_type_info *info = tgc_info_of(object);
    if ((info->infobits & (TGC_T_HAS_GCPTR | TGC_T_HAS_WEAKPTR)) || info->destructor != NULL)
        return false;           /* PyPy's cannot_pin: pinning.h says why */
    /* PyPy's cannot_pin refuses objects with finalizers too: a registered
     * object must reach a major collection to be ordered, which a pinned
     * (young) one never does (finalizers.c keeps one registered after its
     * pin alive until it is unpinned) */
    if (hdr->flags & TGC_FLAG_FINALIZER_REGISTERED)
        return false;
    /* The nursery must keep a gap for its largest object between the
     * pinned ones, or an allocation after the next minor collection would
     * find no room (PyPy asserts then: "Too many pinned objects?"); in a
     * small nursery one pin in its middle is enough to take it. */
    tgc_addrstack_push(&p->pinned, object);
    if (!tgc_nursery_gap_remains(&tgc_gc.nursery, (void *const *)p->pinned.items,
                                 p->pinned.length, TGC_LARGE_OBJECT)) {
        p->pinned.length--;
        return false;
    }
    hdr->flags |= TGC_FLAG_PINNED;
    return true;
}

void tgc_unpin(void *object)
{
    tgc_pinning *p = &tgc_gc.pinning;
    tgc_destructors_forbid("tgc_unpin");
    long i = index_of(p, object);
    if (i < 0)
        tgc_fatal("tgc_unpin: %p is not pinned: tgc_pin() did not pin it, it was unpinned "
                  "already, or it died (a pinned object that becomes unreachable dies at the "
                  "next minor collection, and its pin with it)", object);
    tgc_hdr(object)->flags &= ~TGC_FLAG_PINNED;
    p->pinned.items[i] = p->pinned.items[p->pinned.length - 1];
    p->pinned.length--;
}

/* ---- In a minor collection ------------------------------------------------ */

void tgc_pinning_minor_start(void)
{
    tgc_pinning *p = &tgc_gc.pinning;
    tgc_addrstack last = p->old_objects_pointing_to_pinned;
    p->old_objects_pointing_to_pinned = p->parents_to_trace;
    p->parents_to_trace = last;
}

void *tgc_pinning_next_parent(void)
{
    tgc_addrstack *parents = &tgc_gc.pinning.parents_to_trace;
    return tgc_addrstack_empty(parents) ? NULL : tgc_addrstack_pop(parents);
}

void tgc_pinning_reached(void *object, void *parent)
{
    tgc_pinning *p = &tgc_gc.pinning;
    if (parent != NULL && !(tgc_hdr(parent)->flags & TGC_FLAG_PINNED_OBJECT_PARENT_KNOWN)) {
        tgc_hdr(parent)->flags |= TGC_FLAG_PINNED_OBJECT_PARENT_KNOWN;
        tgc_addrstack_push(&p->old_objects_pointing_to_pinned, parent);
    }
    tgc_hdr(object)->flags |= TGC_FLAG_VISITED;
}

bool tgc_pinning_survives(const void *object)
{
    if (*(const uint64_t *)object == TGC_FORWARDED_TID)
        return false;           /* copied out: every flag bit is set */
    uint32_t flags = ((const tgc_header *)object)->flags;
    return (flags & (TGC_FLAG_PINNED | TGC_FLAG_VISITED)) == (TGC_FLAG_PINNED | TGC_FLAG_VISITED);
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

void tgc_pinning_after_minor(void)
{
    tgc_pinning *p = &tgc_gc.pinning;
    size_t kept = 0;
    for (size_t i = 0; i < p->pinned.length; i++) {
        tgc_header *hdr = tgc_hdr(p->pinned.items[i]);
        if (hdr->flags & TGC_FLAG_VISITED) {
            hdr->flags &= ~TGC_FLAG_VISITED;
            p->pinned.items[kept++] = p->pinned.items[i];
        } else {
            hdr->flags &= ~TGC_FLAG_PINNED;         /* dead: the nursery reset frees it */
        }
    }
    p->pinned.length = kept;
    if (kept > 1)
        qsort(p->pinned.items, kept, sizeof(void *), compare_addresses);
    const tgc_addrstack *parents = &p->old_objects_pointing_to_pinned;
    for (size_t i = 0; i < parents->length; i++)
        tgc_hdr(parents->items[i])->flags &= ~TGC_FLAG_PINNED_OBJECT_PARENT_KNOWN;
}

void tgc_pinning_after_marking(void)
{
    tgc_addrstack *parents = &tgc_gc.pinning.old_objects_pointing_to_pinned;
    size_t kept = 0;
    for (size_t i = 0; i < parents->length; i++)
        if (tgc_hdr(parents->items[i])->flags & (TGC_FLAG_VISITED | TGC_FLAG_PREBUILT))
            parents->items[kept++] = parents->items[i];
    parents->length = kept;
}
