/* barrier.c -- the out-of-line part of the write barrier.  The inline part
 * (typegc.h) tests TRACK_YOUNG_PTRS; the first store into an old object
 * since the last minor collection lands here, records the object and
 * clears the flag, so later stores into it cost only the test.  The first
 * store into a prebuilt object lands here too, and lists it as a root for
 * good (prebuilt.h). */
#include "cards.h"
#include "gc.h"

void tgc_remember_young_pointer(void *object)
{
    tgc_destructors_forbid("a store of a GC pointer");
    tgc_header *hdr = tgc_hdr(object);
    hdr->flags &= ~TGC_FLAG_TRACK_YOUNG_PTRS;
    tgc_addrstack_push(&tgc_gc.remembered.old_objects_pointing_to_young, object);
    if (__builtin_expect(hdr->flags & TGC_FLAG_NO_HEAP_PTRS, 0))
        tgc_prebuilt_record(object);
}

/* An array with cards keeps TRACK_YOUNG_PTRS: each store marks the card of
 * its index (PyPy's remember_young_pointer_from_array2), and the array is
 * listed once until the next minor collection.  Other arrays are recorded
 * whole. */
void tgc_remember_young_pointer_from_array(void *array, size_t index)
{
    tgc_header *hdr = tgc_hdr(array);
    if (!(hdr->flags & TGC_FLAG_HAS_CARDS)) {
        tgc_remember_young_pointer(array);
        return;
    }
    unsigned char mask;
    unsigned char *card = tgc_card_of_item(array, index, &mask);
    if (*card & mask)
        return;
    *card |= mask;
    if (!(hdr->flags & TGC_FLAG_CARDS_SET)) {
        hdr->flags |= TGC_FLAG_CARDS_SET;
        tgc_addrstack_push(&tgc_gc.remembered.old_objects_with_cards_set, array);
    }
}
