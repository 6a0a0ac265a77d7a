/* weakrefs.c -- clearing the weak pointers whose target died.
 *
 * A weak pointer is a slot of a GC object (its holder) listed in the type's
 * weak_offsets: marking and the minor collection's tracing never follow it,
 * so it keeps nothing alive, and each collection that can free its target
 * looks at it afterwards:
 *
 *   - the minor collection, for young targets.  A young holder is found
 *     as it is promoted (drag_out_young, visit_young_rawmalloced_object)
 *     or aged (then it is not on `old`: the next minor collection finds it
 *     again as it promotes it);
 *     an old holder given a young target since the last minor collection
 *     was recorded by the write barrier that its setter runs, and is found
 *     as old_objects_pointing_to_young is emptied.  Once the transitive
 *     closure is done, a nursery target has been copied (follow the
 *     forwarding address) or is dead (NULL); a young raw target was
 *     reached (VISITED_RMY: kept) or is dead (NULL); an old target stays.
 *   - the end of marking, for old targets: in each marked holder, a
 *     target that is not marked is dead (NULL).  Young targets (stored
 *     since the last minor collection) are left to the next minor one.
 *
 * A target that a minor collection keeps young, pinned in the nursery or
 * aged in the survivor space: its old holders are listed
 * (pointing_to_young) and fixed again at the next minor collection,
 * which follows the target if it moved since (unpinned and copied out,
 * promoted), or clears the pointer if it died.
 *
 * Dead holders need nothing: a young one is not promoted, an old one
 * leaves `old` (and pointing_to_young) at the end of the marking that
 * found it dead.  A prebuilt holder joins `old` at the first store into
 * it and stays; a prebuilt target is never cleared. */
#include "weakrefs.h"

#include <stdlib.h>

#include "gc.h"
#include "object.h"

void tgc_weakrefs_note_promoted(void *holder)
{
    tgc_addrstack_push(&tgc_gc.weakrefs.old, holder);
    tgc_addrstack_push(&tgc_gc.weakrefs.to_fix, holder);
}

void tgc_weakrefs_note_immortal(void *holder)
{
    tgc_addrstack_push(&tgc_gc.weakrefs.old, holder);
}

void tgc_weakrefs_note_recorded(void *holder)
{
    tgc_addrstack_push(&tgc_gc.weakrefs.to_fix, holder);
}

/* The target of a weak pointer after the minor collection.  A pinned
 * survivor stays where it is (tgc_pinning_survives() holds until the end
 * of the collection); an aged one not reached is dead. */
static void *survivor_after_minor(char *target)
{
    if (tgc_is_young(target)) {
        if (*(uint64_t *)target == TGC_FORWARDED_TID)
            return ((void **)target)[1];
        return tgc_is_in_nursery(target) && tgc_pinning_survives(target) ? target : NULL;
    }
    uint32_t flags = tgc_hdr(target)->flags;
    if ((flags & TGC_FLAG_YOUNG_RAW) && !(flags & TGC_FLAG_VISITED_RMY))
        return NULL;
    return target;
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

/* A holder on the list twice would be fixed twice, and listed twice again
 * at the next minor collection: each is listed once. */
static void drop_repeats(tgc_addrstack *holders)
{
    if (holders->length < 2)
        return;
    qsort(holders->items, holders->length, sizeof(void *), compare_addresses);
    size_t kept = 1;
    for (size_t i = 1; i < holders->length; i++)
        if (holders->items[i] != holders->items[kept - 1])
            holders->items[kept++] = holders->items[i];
    holders->length = kept;
}

void tgc_weakrefs_after_minor(void)
{
    tgc_weakrefs *w = &tgc_gc.weakrefs;
    while (!tgc_addrstack_empty(&w->pointing_to_young))
        tgc_addrstack_push(&w->to_fix, tgc_addrstack_pop(&w->pointing_to_young));
    while (!tgc_addrstack_empty(&w->to_fix)) {
        char *holder = tgc_addrstack_pop(&w->to_fix);
        const tgc_type_info *info = tgc_info_of(holder);
        bool points_to_young = false;
        for (uint32_t i = 0; i < info->n_weak_offsets; i++) {
            void **slot = (void **)(holder + info->weak_offsets[i]);
            if (*slot == NULL)
                continue;
            *slot = survivor_after_minor(*slot);
            if (*slot == NULL)
                w->cleared++;
            else if (tgc_is_in_nursery(*slot) ||
                     tgc_survivors_in_copies(&tgc_gc.survivors, *slot))
                points_to_young = true;
        }
        /* an aged holder is found again by the next minor collection,
         * as it promotes it, if it lives */
        if (points_to_young && !tgc_survivors_in_copies(&tgc_gc.survivors, holder))
            tgc_addrstack_push(&w->pointing_to_young, holder);
    }
    drop_repeats(&w->pointing_to_young);
}

/* Whether marking found an old target dead.  A young one is not marked,
 * and is the next minor collection's to judge.  One that a finalizer
 * queue keeps alive (FINALIZATION_ORDERING, while finalizers.c orders
 * them) counts as dead too, as in PyPy: the program never sees a weak
 * pointer to an object whose finalizer it is about to run.  A prebuilt
 * one never dies (marking skips those not written to). */
static bool dead_after_marking(void *target)
{
    if (tgc_is_young(target))
        return false;
    uint32_t flags = tgc_hdr(target)->flags;
    if (flags & (TGC_FLAG_YOUNG_RAW | TGC_FLAG_PREBUILT))
        return false;
    return (flags & (TGC_FLAG_VISITED | TGC_FLAG_FINALIZATION_ORDERING)) != TGC_FLAG_VISITED;
}

void tgc_weakrefs_after_marking(void)
{
    tgc_weakrefs *w = &tgc_gc.weakrefs;
    size_t kept = 0;
    for (size_t i = 0; i < w->pointing_to_young.length; i++)
        if (tgc_hdr(w->pointing_to_young.items[i])->flags &
            (TGC_FLAG_VISITED | TGC_FLAG_PREBUILT))
            w->pointing_to_young.items[kept++] = w->pointing_to_young.items[i];
    w->pointing_to_young.length = kept;
    kept = 0;
    for (size_t i = 0; i < w->old.length; i++) {
        char *holder = w->old.items[i];
        if (!(tgc_hdr(holder)->flags & (TGC_FLAG_VISITED | TGC_FLAG_PREBUILT)))
            continue;           /* dead: sweeping frees it */
        w->old.items[kept++] = holder;
        const tgc_type_info *info = tgc_info_of(holder);
        for (uint32_t k = 0; k < info->n_weak_offsets; k++) {
            void **slot = (void **)(holder + info->weak_offsets[k]);
            if (*slot != NULL && dead_after_marking(*slot)) {
                *slot = NULL;
                w->cleared++;
            }
        }
    }
    w->old.length = kept;
}
