/* minor.c -- the minor collection: copy the nursery objects that are still
 * reachable out, into the survivor space (aged, young still) or the old
 * generation, and the aged objects that are still reachable to the old
 * generation, leaving forwarding stubs behind, and reset the nursery.  Its
 * cost grows with the survivors, not with the nursery: nothing walks the
 * dead objects.  (runtime/DESIGN.md, "Aging".)
 *
 * A young object is reachable if a root points to it, or an old object
 * recorded by the write barrier or by the last minor collection
 * (old_objects_pointing_to_young, cards), or another surviving young
 * object.  Every copied object that holds GC pointers goes on
 * old_objects_pointing_to_young itself (on copies_to_trace if aged), so
 * the loop in collect_oldrefs_to_nursery() reaches the transitive closure.
 *
 * Young objects registered with a finalizer queue survive as if they were
 * roots (finalizers.c orders them at the end of the next marking).
 *
 * Weak pointers are not traced: the objects holding them that this
 * collection promotes or finds recorded by the write barrier are noted
 * (weakrefs.c), and their weak pointers fixed once the closure is done.
 */
#include <string.h>

#include "cards.h"
#include "debug.h"
#include "gc.h"
#include "hooks.h"
#include "log.h"
#include "mark.h"
#include "object.h"

/* A young raw object (never in the nursery) survives in place. */
static void visit_young_rawmalloced_object(void *object)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_VISITED_RMY)
        return;
    hdr->flags |= TGC_FLAG_VISITED_RMY;
    tgc_gc.minor.promoted_size += tgc_object_size(object);
    if (!(hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS))
        tgc_addrstack_push(&tgc_gc.remembered.old_objects_pointing_to_young, object);
    if (tgc_info_of(object)->infobits & TGC_T_HAS_WEAKPTR)
        tgc_weakrefs_note_promoted(object);
    if (hdr->flags & TGC_FLAG_HAS_CARDS)
        tgc_addrstack_push(&tgc_gc.remembered.old_objects_with_cards_set, object);
}

/* Most promoted objects are a few words: copies of a known size beat a
 * loop or a call to memcpy. */
static inline void copy_object(void *to, const void *from, size_t size)
{
    switch (size) {
    case 16: memcpy(to, from, 16); break;
    case 24: memcpy(to, from, 24); break;
    case 32: memcpy(to, from, 32); break;
    case 40: memcpy(to, from, 40); break;
    case 48: memcpy(to, from, 48); break;
    default: memcpy(to, from, size); break;
    }
}

/* False when every GC pointer of a fixed-size copy is NULL: then there is
 * nothing to trace, and the copy skips old_objects_pointing_to_young (a
 * leaf of a tree, the end of a list: half the survivors of a binary tree).
 * Its fields were just copied, so reading them costs no cache miss. */
static inline bool has_pointers_to_trace(const char *copy, const tgc_type_info *info)
{
    if (info->infobits & TGC_T_IS_GCARRAY_OF_GCPTR)
        return true;
    for (uint32_t i = 0; i < info->n_ptr_offsets; i++)
        if (*(void *const *)(copy + info->ptr_offsets[i]) != NULL)
            return true;
    return false;
}

/* A slot of `parent` (NULL: a root) now points to a copy in the survivor
 * space, which the next minor collection moves again: an old parent is
 * traced by it too.  An array with cards gets the card of the slot marked
 * instead (a large array is not traced whole again); any other old object
 * is recorded once, its TRACK_YOUNG_PTRS cleared as the write barrier
 * does.  One without the flag is recorded already: for the next
 * collection, or for this one, which traces it again (with the flag set)
 * and then finds the slot.  Young parents need nothing: a copy in the
 * survivor space is traced whenever it is reached, and pinned objects hold
 * no GC pointers. */
static void remember_for_next_minor(void *parent, void **slot)
{
    if (parent == NULL || tgc_survivors_in_copies(&tgc_gc.survivors, parent) ||
        tgc_is_in_nursery(parent))
        return;
    tgc_header *hdr = tgc_hdr(parent);
    tgc_minor *minor = &tgc_gc.minor;
    if (hdr->flags & TGC_FLAG_HAS_CARDS) {
        const tgc_type_info *info = tgc_info_of(parent);
        char *items = (char *)parent + info->items_offset;
        size_t index = (size_t)((char *)slot - items) / sizeof(void *);
        if ((char *)slot >= items && index < tgc_array_length(parent, info)) {
            unsigned char mask;
            unsigned char *card = tgc_card_of_item(parent, index, &mask);
            *card |= mask;
            if (!(hdr->flags & TGC_FLAG_CARDS_SET)) {
                hdr->flags |= TGC_FLAG_CARDS_SET;
                tgc_addrstack_push(&minor->cards_for_next, parent);
            }
            return;
        }
    }
    if (hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS) {
        hdr->flags &= ~TGC_FLAG_TRACK_YOUNG_PTRS;
        tgc_addrstack_push(&minor->remembered_for_next, parent);
    }
}

/* Whether a young object goes to the survivor space rather than the old
 * generation: one from the nursery, unless it has a destructor
 * (destructors.c lists those by their address in the old generation once
 * they leave the nursery). */
static inline bool ages(const char *object, const tgc_type_info *info)
{
    return tgc_is_in_nursery(object) && info->destructor == NULL;
}

/* A young object met through *slot, a slot of `parent` (NULL: a root):
 * copy it out unless an earlier slot did, and make *slot point to the
 * copy.  A nursery object goes to the survivor space while it has room,
 * an aged one to the old generation.  A pinned one stays; one whose id
 * was taken goes to its shadow; one registered with a finalizer queue is
 * made old (it must reach a major collection to be ordered).  All three
 * are rare, and share one test. */
static inline __attribute__((always_inline)) void drag_out_young(void **slot, char *object,
                                                                 void *parent)
{
    tgc_survivors *survivors = &tgc_gc.survivors;
    if (*(uint64_t *)object == TGC_FORWARDED_TID) {
        void *copy = ((void **)object)[1];
        *slot = copy;
        if (tgc_survivors_in_copies(survivors, copy))
            remember_for_next_minor(parent, slot);
        return;
    }
    const tgc_type_info *info = tgc_info_of(object);
    size_t size = tgc_size_of(object, info);
    uint32_t special = tgc_hdr(object)->flags &
                       (TGC_FLAG_HAS_SHADOW | TGC_FLAG_PINNED | TGC_FLAG_FINALIZER_REGISTERED);
    void *copy = NULL;
    if (__builtin_expect(special != 0, 0)) {
        if (special & TGC_FLAG_PINNED) {
            /* an aged parent is traced again wherever the next minor
             * collection reaches it: only old ones are listed */
            tgc_pinning_reached(object, tgc_survivors_in_copies(survivors, parent) ? NULL : parent);
            return;
        }
        if (special & TGC_FLAG_HAS_SHADOW)
            copy = tgc_identity_take_shadow(object);
    } else if (ages(object, info)) {
        copy = tgc_survivors_alloc(survivors, size);
    }
    bool aged = copy != NULL && special == 0;
    if (copy == NULL)
        copy = tgc_malloc_old(size);
    copy_object(copy, object, size);
    if (special & TGC_FLAG_HAS_SHADOW)
        tgc_hdr(copy)->flags &= ~TGC_FLAG_HAS_SHADOW;
    if (tgc_is_in_nursery(object))
        tgc_gc.minor.nursery_surviving_size += size;
    else
        tgc_gc.minor.aged_promoted += size;
    *(uint64_t *)object = TGC_FORWARDED_TID;
    ((void **)object)[1] = copy;
    *slot = copy;
    if (aged) {
        remember_for_next_minor(parent, slot);
        /* young still: no TRACK_YOUNG_PTRS, stores into it need no
         * barrier; its weak pointers are fixed after this collection, and
         * after the next one as it is promoted (or not at all: dead) */
        if (info->infobits & TGC_T_HAS_WEAKPTR)
            tgc_weakrefs_note_recorded(copy);
        if ((info->infobits & TGC_T_HAS_GCPTR) && has_pointers_to_trace(copy, info))
            tgc_addrstack_push(&tgc_gc.minor.copies_to_trace, copy);
        return;
    }
    tgc_gc.minor.promoted_size += size;
    /* one test for the types with neither; a holder of weak pointers only
     * gets TRACK_YOUNG_PTRS too, so that its setters' barrier records it */
    if (info->infobits & (TGC_T_HAS_GCPTR | TGC_T_HAS_WEAKPTR)) {
        if (info->infobits & TGC_T_HAS_WEAKPTR)
            tgc_weakrefs_note_promoted(copy);
        if (has_pointers_to_trace(copy, info))
            tgc_addrstack_push(&tgc_gc.remembered.old_objects_pointing_to_young, copy);
        else
            tgc_hdr(copy)->flags |= TGC_FLAG_TRACK_YOUNG_PTRS;
    }
}

/* Old objects are left alone; the header is read only when young raw
 * objects exist (PyPy asks its dictionary of them likewise).  A slot that
 * points to a copy in the survivor space already (met again: a parent
 * traced twice) makes its old parent remembered. */
static inline void visit_old_object(void **slot, void *object, void *parent)
{
    if (tgc_survivors_in_copies(&tgc_gc.survivors, object)) {
        remember_for_next_minor(parent, slot);
        return;
    }
    if (tgc_raw_have_young(&tgc_gc.raw) &&
        (tgc_hdr(object)->flags & TGC_FLAG_YOUNG_RAW))
        visit_young_rawmalloced_object(object);
}

/* PyPy's _trace_drag_out: make *slot, a slot of `parent` (NULL for a
 * root), point to the object's old copy.  Inlined whole into the loop of
 * collect_oldrefs_to_nursery(), which runs it for every slot of every
 * survivor. */
static inline __attribute__((always_inline)) void trace_drag_out(void **slot, void *parent)
{
    char *object = *slot;
    if (tgc_is_young(object))
        drag_out_young(slot, object, parent);
    else
        visit_old_object(slot, object, parent);
}

/* During MARKING a root's object is grayed as well: the roots are not
 * rescanned when marking ends, so every minor collection reports them
 * (tgc_gray() leaves pinned ones alone). */
static void drag_out_root(void **slot, void *unused)
{
    (void)unused;
    trace_drag_out(slot, NULL);
    if (tgc_marking())
        tgc_gray_root(*slot);
}

/* During MARKING, a black object that the write barrier recorded may now
 * point to white objects: it turns gray again. */
static void regray_recorded_black_objects(void)
{
    const tgc_addrstack *recorded = &tgc_gc.remembered.old_objects_pointing_to_young;
    for (size_t i = 0; i < recorded->length; i++)
        if (tgc_hdr(recorded->items[i])->flags & TGC_FLAG_VISITED)
            tgc_regray(recorded->items[i]);
}

/* Arrays with marked cards: trace only the items of the marked cards.  An
 * array recorded whole (without TRACK_YOUNG_PTRS) is traced whole anyway;
 * its cards are just cleared.  During MARKING the array turns gray again,
 * since the stores may have put white objects in it. */
static void collect_cardrefs_to_nursery(void)
{
    tgc_addrstack *arrays = &tgc_gc.remembered.old_objects_with_cards_set;
    while (!tgc_addrstack_empty(arrays)) {
        char *array = tgc_addrstack_pop(arrays);
        tgc_header *hdr = tgc_hdr(array);
        hdr->flags &= ~TGC_FLAG_CARDS_SET;
        const tgc_type_info *info = tgc_info_of(array);
        size_t length = tgc_array_length(array, info);
        void **items = (void **)(array + info->items_offset);
        bool traced_whole = !(hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS);
        size_t card_bytes = tgc_card_bytes(length);
        for (size_t b = 0; b < card_bytes; b++) {
            unsigned char *card = tgc_card_byte(array, b);
            unsigned bits = *card;
            if (bits == 0)
                continue;
            *card = 0;
            for (unsigned bit = 0; bit < 8 && !traced_whole; bit++) {
                if (!(bits & (1u << bit)))
                    continue;
                size_t start = ((b << 3) + bit) << TGC_CARD_PAGE_SHIFT;
                size_t stop = start + (1u << TGC_CARD_PAGE_SHIFT);
                for (size_t i = start; i < stop && i < length; i++)
                    if (items[i] != NULL)
                        trace_drag_out(&items[i], array);
            }
        }
        if (tgc_marking() && (hdr->flags & TGC_FLAG_VISITED))
            tgc_regray(array);
    }
}

/* Reading a young object's header to see whether it was copied already is
 * a cache miss, one after another, in a nursery larger than the caches
 * (most of the minor collection's time in binary-trees).  So the slots
 * that point into the nursery go first through a small ring: the object
 * is prefetched when its slot enters and copied when it leaves, SLOT_RING
 * slots later.  The slots are fields of old objects, which do not move,
 * and the ring is emptied before the loop below may end.  The same ring
 * as marking's (major.c), for the same reason. */
enum { SLOT_RING = 8 };

typedef struct slot_ring {
    void **slots[SLOT_RING];
    void *parents[SLOT_RING];   /* the old object holding each slot, for a pinned target */
    void *parent;               /* the object being traced now */
    unsigned count, next;       /* entries in use; the entry to fill next */
} slot_ring;

static inline __attribute__((always_inline)) void drag_out_later(void **slot, void *ring_arg)
{
    slot_ring *ring = ring_arg;
    char *object = *slot;
    if (!tgc_is_young(object)) {
        visit_old_object(slot, object, ring->parent);
        return;
    }
    __builtin_prefetch(object, 1);
    unsigned entry = ring->next;
    ring->next = (ring->next + 1) % SLOT_RING;
    if (ring->count == SLOT_RING)
        drag_out_young(ring->slots[entry], *ring->slots[entry], ring->parents[entry]);
    else
        ring->count++;
    ring->slots[entry] = slot;
    ring->parents[entry] = ring->parent;
}

static void flush_slots(slot_ring *ring)
{
    for (; ring->count > 0; ring->count--) {
        unsigned entry = (ring->next + SLOT_RING - ring->count) % SLOT_RING;
        void **slot = ring->slots[entry];
        drag_out_young(slot, *slot, ring->parents[entry]);
    }
}

/* Old objects that may point to young ones: trace them, and re-arm their
 * write barrier; those with weak pointers are noted, since a store may
 * have given them a young target.  Each copy a trace makes is pushed here
 * in turn (the old ones with the old objects, those in the survivor space
 * on copies_to_trace), so this loop copies all the survivors. */
static void collect_oldrefs_to_nursery(void)
{
    tgc_addrstack *stack = &tgc_gc.remembered.old_objects_pointing_to_young;
    tgc_addrstack *copies = &tgc_gc.minor.copies_to_trace;
    slot_ring ring = { .count = 0 };
    for (;;) {
        void *object;
        if (!tgc_addrstack_empty(stack)) {
            object = tgc_addrstack_pop(stack);
            tgc_hdr(object)->flags |= TGC_FLAG_TRACK_YOUNG_PTRS;
            if (tgc_info_of(object)->infobits & TGC_T_HAS_WEAKPTR)
                tgc_weakrefs_note_recorded(object);
        } else if (!tgc_addrstack_empty(copies)) {
            object = tgc_addrstack_pop(copies);
        } else if (ring.count > 0) {
            flush_slots(&ring);
            continue;
        } else {
            return;
        }
        ring.parent = object;
        tgc_trace_object(object, drag_out_later, &ring);
    }
}

/* A slot of a black object, during MARKING: what it leads to is grayed,
 * so that the slot cannot make it point to a white object. */
static void drag_out_from_black(void **slot, void *parent)
{
    trace_drag_out(slot, parent);
    tgc_gray_root(*slot);
}

/* Old objects that pointed to pinned objects at the last minor collection
 * (PyPy's old_objects_pointing_to_pinned): nothing else says that those
 * are still reachable, unless a store since recorded them.  Traced whole;
 * the ones still pointing to a pinned object are recorded again.  During
 * MARKING an object unpinned since is copied out now, white, and a black
 * parent's slot updated to the copy without a write barrier: the copy is
 * grayed.  (PyPy regrays the black parents instead; with small marking
 * steps, regraying the same parents at every minor collection would take
 * each step's budget and marking would not end.) */
static void collect_parents_of_pinned(void)
{
    void *parent;
    bool marking = tgc_marking();
    while ((parent = tgc_pinning_next_parent()) != NULL) {
        if (marking && (tgc_hdr(parent)->flags & TGC_FLAG_VISITED))
            tgc_trace_object(parent, drag_out_from_black, parent);
        else
            tgc_trace_object(parent, trace_drag_out, parent);
    }
}

/* The old objects and cards found pointing to the survivor space become
 * the remembered sets of the next minor collection (both are empty now:
 * this one emptied them). */
static void remember_survivor_parents(void)
{
    tgc_minor *minor = &tgc_gc.minor;
    tgc_remembered *remembered = &tgc_gc.remembered;
    tgc_addrstack swap = remembered->old_objects_pointing_to_young;
    remembered->old_objects_pointing_to_young = minor->remembered_for_next;
    minor->remembered_for_next = swap;
    swap = remembered->old_objects_with_cards_set;
    remembered->old_objects_with_cards_set = minor->cards_for_next;
    minor->cards_for_next = swap;
}

void tgc_minor_collection(size_t survivor_capacity, size_t survivor_limit)
{
    tgc_minor *minor = &tgc_gc.minor;
    uint64_t start = tgc_now_ns();
    uint64_t cpu_start = tgc_hooks_cpu_clock();
    tgc_log_start("gc-minor");

    if (tgc_marking())
        regray_recorded_black_objects();
    minor->nursery_surviving_size = 0;
    minor->promoted_size = 0;
    minor->aged_before = tgc_survivors_size(&tgc_gc.survivors);
    minor->aged_promoted = 0;
    tgc_survivors_begin_minor(&tgc_gc.survivors, survivor_capacity, survivor_limit);
    tgc_pinning_minor_start();
    tgc_log_start("gc-minor-walkroots");
    tgc_walk_roots(drag_out_root, NULL);
    tgc_log_stop("gc-minor-walkroots");
    collect_parents_of_pinned();
    /* The young objects registered with a finalizer queue survive, and
     * what they reach: only a major collection can order them. */
    do {
        do {
            collect_cardrefs_to_nursery();
            collect_oldrefs_to_nursery();
        } while (!tgc_addrstack_empty(&tgc_gc.remembered.old_objects_with_cards_set));
    } while (tgc_finalizers_keep_young_alive(trace_drag_out));
    /* before the memory is freed, and while the pinned survivors are
     * marked (tgc_pinning_survives) */
    tgc_destructors_after_minor();
    tgc_identity_after_minor(tgc_marking());
    tgc_weakrefs_after_minor();         /* reads forwarding stubs, VISITED_RMY */
    tgc_pressure_after_minor();         /* the same */
    tgc_raw_free_unreached_young(&tgc_gc.raw);
    tgc_arena_note_peak(&tgc_gc.arenas);
    minor->nursery_used = (size_t)(tgc_gc.nursery.free - tgc_gc.nursery.fill_start);
    tgc_pinning_after_minor();
    const tgc_addrstack *pinned = &tgc_gc.pinning.pinned;
    tgc_nursery_reset(&tgc_gc.nursery, pinned->items, pinned->length);
    tgc_survivors_end_minor(&tgc_gc.survivors);
    remember_survivor_parents();
    if (tgc_gc.config.debug_level >= 2)
        tgc_debug_check_heap("after a minor collection");

    uint64_t cpu_duration = tgc_hooks_cpu_clock() - cpu_start;
    uint64_t duration = tgc_now_ns() - start;
    size_t total_memory_used = tgc_gc.arenas.total_memory_used + tgc_gc.raw.total_size;
    minor->collections++;
    minor->time_ns += duration;
    minor->last_cpu_duration_ns = cpu_duration;
    if (tgc_log_have_prints()) {
        tgc_log_print("minor collect, total memory used: %zu", total_memory_used);
        tgc_log_print("number of pinned objects: %zu", pinned->length);
        tgc_log_print("total size of surviving objects: %zu", minor->nursery_surviving_size);
        tgc_log_print("time taken: %f", (double)duration * 1e-9);
    }
    tgc_log_stop("gc-minor");
    tgc_hooks_minor_done(duration, cpu_duration, total_memory_used, pinned->length);
}
