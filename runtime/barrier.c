/* barrier.c -- the out-of-line part of the write barrier.  The inline part
 * (typegc.h) tests TRACK_YOUNG_PTRS; the first store into an old object
 * since the last minor collection lands here, records the object and
 * clears the flag, so later stores into it cost only the test. */
#include "gc.h"

void tgc_remember_young_pointer(void *object)
{
    tgc_hdr(object)->flags &= ~TGC_FLAG_TRACK_YOUNG_PTRS;
    tgc_addrstack_push(&tgc_state.old_objects_pointing_to_young, object);
}

/* Arrays are recorded whole; the index will select a card once large
 * arrays have cards. */
void tgc_remember_young_pointer_from_array(void *array, size_t index)
{
    (void)index;
    tgc_remember_young_pointer(array);
}
