/* debug.c -- the heap check of PYPY_GC_DEBUG: 1 runs it before every
 * major step, 2 after every minor collection too.  It walks everything
 * reachable from the roots and stops the program at the first object that
 * breaks an invariant, naming the object, its type and the field:
 *
 *   - every reachable object has a valid type id (one an installed schema
 *     uses) and is not forwarded;
 *   - nothing points into the nursery but to a pinned object (the check
 *     runs when the nursery is empty otherwise: a pointer left there means
 *     a store into an old object that skipped the write barrier), and an
 *     old object that points to a pinned one is on
 *     old_objects_pointing_to_pinned (an aged one need not be);
 *   - an old object that points into the survivor space (an aged object)
 *     is in the remembered set: without TRACK_YOUNG_PTRS, or an array
 *     with that item's card marked; and the survivor space is empty but
 *     between major cycles (SCANNING);
 *   - every old object with GC pointers has TRACK_YOUNG_PTRS unless it is
 *     remembered so, and no minor-collection flag is left set;
 *   - while MARKING, no black object points to a white one (the
 *     incremental marker's invariant), prebuilt targets excepted: they
 *     are never freed, and those written to are roots that the end of
 *     marking grays;
 *   - a prebuilt object not written to yet (NO_HEAP_PTRS) points only to
 *     prebuilt objects;
 *   - every arena is in the list for its number of free pages
 *     (tgc_arena_check).
 *
 * The roots are the program's and the prebuilt objects written to.
 *
 * The walk marks with GCFLAG_EXTRA, as PyPy's heap walks do, and clears
 * the marks before returning. */
#include <stdio.h>

#include "cards.h"
#include "debug.h"
#include "gc.h"
#include "object.h"

static tgc_addrstack pending, marked;
static const char *check_when;

static const char *field_name(const tgc_type_info *info, const void *object, const void *slot)
{
    uint32_t offset = (uint32_t)((const char *)slot - (const char *)object);
    for (uint32_t i = 0; i < info->n_fields; i++)
        if (offset - info->fields[i].offset < info->fields[i].size)  /* an item of a fixed-size array too */
            return info->fields[i].name;
    return "(array item)";
}

static void __attribute__((noreturn)) bad_slot(void *parent, void **slot, const char *what)
{
    if (parent == NULL)
        tgc_fatal("heap check %s: root slot %p: %s", check_when, (void *)slot, what);
    const tgc_type_info *info = tgc_type_of(parent);
    tgc_fatal("heap check %s: %s object at %p, field '%s' (slot %p): %s", check_when,
              info->name, parent, field_name(info, parent, slot), (void *)slot, what);
}

/* Whether `object` is on `list` (a remembered set: short, and searched
 * only for the objects that must be there). */
static bool listed(const tgc_addrstack *list, const void *object)
{
    for (size_t i = 0; i < list->length; i++)
        if (list->items[i] == object)
            return true;
    return false;
}

/* An old parent of an aged object must be in the next minor collection's
 * remembered set, or the object would move without the slot. */
static void check_aged_target(void **slot, void *parent, void *target)
{
    char what[200];
    if (parent == NULL || tgc_survivors_holds(&tgc_gc.survivors, parent))
        return;
    tgc_header *hdr = tgc_hdr(parent);
    if (!(hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS))
        return;
    if (hdr->flags & TGC_FLAG_HAS_CARDS) {
        const tgc_type_info *info = tgc_info_of(parent);
        char *items = (char *)parent + info->items_offset;
        size_t index = (size_t)((char *)slot - items) / sizeof(void *);
        unsigned char mask;
        if ((char *)slot >= items && index < tgc_array_length(parent, info) &&
            (hdr->flags & TGC_FLAG_CARDS_SET) && (*tgc_card_of_item(parent, index, &mask) & mask))
            return;
    }
    snprintf(what, sizeof what, "points to the aged object %p (in the survivor space), but "
             "is not in the remembered set: a GC pointer was stored without the write "
             "barrier, or a minor collection did not remember the slot", target);
    bad_slot(parent, slot, what);
}

static void check_pointer(void **slot, void *parent)
{
    char what[160];
    void *target = *slot;
    bool pinned = false;
    if (tgc_survivors_holds(&tgc_gc.survivors, target))
        check_aged_target(slot, parent, target);
    if (tgc_is_in_nursery(target)) {
        pinned = tgc_hdr(target)->flags & TGC_FLAG_PINNED;
        if (!pinned) {
            snprintf(what, sizeof what, "points into the nursery (%p): a GC pointer was "
                     "stored into an old object without the write barrier", target);
            bad_slot(parent, slot, what);
        }
        if (parent != NULL && !tgc_survivors_holds(&tgc_gc.survivors, parent) &&
            !listed(&tgc_gc.pinning.old_objects_pointing_to_pinned, parent)) {
            snprintf(what, sizeof what, "points to the pinned object %p, but is not on "
                     "old_objects_pointing_to_pinned", target);
            bad_slot(parent, slot, what);
        }
    }
    if (((uintptr_t)target & (TGC_WORD - 1)) != 0) {
        snprintf(what, sizeof what, "misaligned GC pointer %p", target);
        bad_slot(parent, slot, what);
    }
    tgc_header *hdr = tgc_hdr(target);
    if (*(uint64_t *)target == TGC_FORWARDED_TID || hdr->tid == 0 ||
        hdr->tid >= tgc_types->n_types || tgc_types->types[hdr->tid].name == NULL) {
        snprintf(what, sizeof what, "points to %p, which is no object (header %#llx): "
                 "freed, or never allocated", target, *(unsigned long long *)target);
        bad_slot(parent, slot, what);
    }
    if (parent != NULL && (tgc_hdr(parent)->flags & TGC_FLAG_NO_HEAP_PTRS) &&
        !(hdr->flags & TGC_FLAG_PREBUILT)) {
        snprintf(what, sizeof what, "a prebuilt object that no store has written to "
                 "points to %p, which is not prebuilt", target);
        bad_slot(parent, slot, what);
    }
    /* pinned objects are never marked: they hold no GC pointers */
    if (tgc_gc.major.phase == TGC_PHASE_MARKING && parent != NULL && !pinned &&
        !(hdr->flags & TGC_FLAG_PREBUILT) &&
        (tgc_hdr(parent)->flags & (TGC_FLAG_VISITED | TGC_FLAG_TRACK_YOUNG_PTRS)) ==
            (TGC_FLAG_VISITED | TGC_FLAG_TRACK_YOUNG_PTRS) &&
        !(hdr->flags & (TGC_FLAG_VISITED | TGC_FLAG_GRAY))) {
        snprintf(what, sizeof what, "black object points to white %s object %p while "
                 "MARKING", tgc_type_of(target)->name, target);
        bad_slot(parent, slot, what);
    }
    if (hdr->flags & TGC_FLAG_EXTRA)
        return;
    hdr->flags |= TGC_FLAG_EXTRA;
    tgc_addrstack_push(&marked, target);
    tgc_addrstack_push(&pending, target);
}

static void check_object(void *object)
{
    tgc_header *hdr = tgc_hdr(object);
    const tgc_type_info *info = tgc_type_of(object);
    if (hdr->flags & (TGC_FLAG_VISITED_RMY | TGC_FLAG_YOUNG_RAW |
                      TGC_FLAG_PINNED_OBJECT_PARENT_KNOWN | TGC_FLAG_FINALIZATION_ORDERING))
        tgc_fatal("heap check %s: %s object at %p still has minor-collection flags %#x",
                  check_when, info->name, object, hdr->flags);
    if ((hdr->flags & TGC_FLAG_GRAY) && tgc_gc.major.phase != TGC_PHASE_MARKING)
        tgc_fatal("heap check %s: %s object at %p is gray outside MARKING", check_when,
                  info->name, object);
    if ((hdr->flags & TGC_FLAG_PINNED) &&
        ((hdr->flags & TGC_FLAG_VISITED) || (info->infobits & TGC_T_HAS_GCPTR)))
        tgc_fatal("heap check %s: pinned %s object at %p is marked, or has GC pointers",
                  check_when, info->name, object);
    /* an aged object must not record itself: the next minor collection
     * moves it, and would trace the copy left behind */
    if (tgc_survivors_holds(&tgc_gc.survivors, object) &&
        (hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS))
        tgc_fatal("heap check %s: aged %s object at %p has the write barrier flag",
                  check_when, info->name, object);
    if ((info->infobits & TGC_T_HAS_GCPTR) && !(hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS) &&
        !tgc_survivors_holds(&tgc_gc.survivors, object) && !listed(&tgc_gc.remembered.old_objects_pointing_to_young, object))
        tgc_fatal("heap check %s: old %s object at %p has lost its write barrier flag",
                  check_when, info->name, object);
    tgc_trace_object(object, check_pointer, object);
}

void tgc_debug_check_heap(const char *when)
{
    check_when = when;
    if (!tgc_survivors_empty(&tgc_gc.survivors) && tgc_gc.major.phase != TGC_PHASE_SCANNING)
        tgc_fatal("heap check %s: the survivor space holds %zu bytes during a major cycle: "
                  "marking would not see them", when, tgc_survivors_size(&tgc_gc.survivors));
    tgc_arena_check(&tgc_gc.arenas, when);
    tgc_walk_roots(check_pointer, NULL);
    tgc_finalizers_walk_queued(check_pointer, NULL);
    tgc_prebuilt_walk_roots(check_pointer, NULL);
    while (!tgc_addrstack_empty(&pending))
        check_object(tgc_addrstack_pop(&pending));
    while (!tgc_addrstack_empty(&marked))
        tgc_hdr(tgc_addrstack_pop(&marked))->flags &= ~TGC_FLAG_EXTRA;
}
