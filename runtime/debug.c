/* debug.c -- the heap checker of PYPY_GC_DEBUG=2, run after every minor
 * collection.  It walks everything reachable from the roots and stops the
 * program at the first object that breaks the minor collector's
 * invariants, naming the object, its type and the field:
 *
 *   - every reachable object has a valid type id and is not forwarded;
 *   - nothing points into the nursery any more (a pointer left there means
 *     a store into an old object that skipped the write barrier);
 *   - no old object with GC pointers has lost TRACK_YOUNG_PTRS, and no
 *     minor-collection flag is left set.
 *
 * The walk marks with GCFLAG_EXTRA, as PyPy's heap walks do, and clears
 * the marks before returning. */
#include <stdio.h>

#include "gc.h"

static tgc_addrstack pending, marked;

static const char *field_name(const tgc_type_info *info, const void *object, const void *slot)
{
    uint32_t offset = (uint32_t)((const char *)slot - (const char *)object);
    for (uint32_t i = 0; i < info->n_fields; i++)
        if (info->fields[i].offset == offset)
            return info->fields[i].name;
    return "(array item)";
}

static void check_pointer(void **slot, void *parent)
{
    void *target = *slot;
    if (tgc_is_in_nursery(target)) {
        if (parent == NULL)
            tgc_fatal("heap check: root slot %p points into the nursery (%p)", (void *)slot,
                      target);
        const tgc_type_info *info = tgc_type_of(parent);
        tgc_fatal("heap check: %s object at %p, field '%s' (slot %p), points into the "
                  "nursery (%p): a GC pointer was stored into an old object without the "
                  "write barrier", info->name, parent, field_name(info, parent, slot),
                  (void *)slot, target);
    }
    if (((uintptr_t)target & (TGC_WORD - 1)) != 0)
        tgc_fatal("heap check: misaligned GC pointer %p in slot %p", target, (void *)slot);
    tgc_header *hdr = tgc_hdr(target);
    if (*(uint64_t *)target == TGC_FORWARDED_TID)
        tgc_fatal("heap check: slot %p points to a forwarding stub at %p", (void *)slot, target);
    if (hdr->tid == 0 || hdr->tid >= tgc_state.types->n_types)
        tgc_fatal("heap check: object at %p (from slot %p) has bad type id %u", target,
                  (void *)slot, hdr->tid);
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
    if (hdr->flags & (TGC_FLAG_VISITED_RMY | TGC_FLAG_YOUNG_RAW))
        tgc_fatal("heap check: %s object at %p still has minor-collection flags %#x",
                  info->name, object, hdr->flags);
    if ((info->infobits & TGC_T_HAS_GCPTR) && !(hdr->flags & TGC_FLAG_TRACK_YOUNG_PTRS))
        tgc_fatal("heap check: old %s object at %p has lost its write barrier flag",
                  info->name, object);
    tgc_trace_object(object, check_pointer, object);
}

void tgc_debug_check_after_minor(void)
{
    for (void **slot = tgc_shadowstack.base; slot < tgc_shadowstack.top; slot++)
        if (*slot != NULL)
            check_pointer(slot, NULL);
    for (size_t i = 0; i < tgc_state.static_roots.length; i++) {
        void **slot = tgc_state.static_roots.items[i];
        if (*slot != NULL)
            check_pointer(slot, NULL);
    }
    while (!tgc_addrstack_empty(&pending))
        check_object(tgc_addrstack_pop(&pending));
    while (!tgc_addrstack_empty(&marked))
        tgc_hdr(tgc_addrstack_pop(&marked))->flags &= ~TGC_FLAG_EXTRA;
}
