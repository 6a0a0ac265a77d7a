/* pressure.c -- the memory pressure of objects: external memory (a C
 * buffer, a file's cache) that the program says an object owns, counted
 * as in use while the object lives (PyPy keeps it in a hidden field of
 * the object, special_memory_pressure; typegc has no room in the object,
 * so (object, bytes) pairs wait on a list, young ones on their own as for
 * the destructors).  The minor collection drops the entries of the young
 * objects it did not reach and moves the others to `old` (a pinned one
 * stays young, on `young`, until it is unpinned and moves out); the end of
 * marking drops the old objects not marked.  An aged one (in the survivor
 * space) stays on `young` too, at its new address.  An object given pressure
 * twice has two entries. */
#include "pressure.h"

#include "gc.h"

void tgc_pressure_note(void *object, size_t bytes)
{
    tgc_pressure *p = &tgc_gc.pressure;
    bool young = tgc_is_young(object) || (tgc_hdr(object)->flags & TGC_FLAG_YOUNG_RAW);
    tgc_addrstack *list = young ? &p->young : &p->old;
    tgc_addrstack_push(list, object);
    tgc_addrstack_push(list, (void *)(uintptr_t)bytes);
    if (__builtin_add_overflow(p->of_live_objects, bytes, &p->of_live_objects))
        p->of_live_objects = SIZE_MAX;
}

static void stop_counting(tgc_pressure *p, void *bytes)
{
    size_t n = (size_t)(uintptr_t)bytes;
    p->of_live_objects = p->of_live_objects > n ? p->of_live_objects - n : 0;
}

void tgc_pressure_after_minor(void)
{
    tgc_pressure *p = &tgc_gc.pressure;
    tgc_addrstack *young = &p->young;
    size_t kept = 0;
    for (size_t i = 0; i < young->length; i += 2) {
        char *object = young->items[i];
        void *bytes = young->items[i + 1];
        void *survivor = object;
        if (tgc_is_young(object)) {
            if (*(uint64_t *)object == TGC_FORWARDED_TID) {
                survivor = ((void **)object)[1];
            } else if (tgc_is_in_nursery(object) && tgc_pinning_survives(object)) {
                /* pinned and reached: alive where it is, young still,
                 * which marking would take for dead */
                young->items[kept++] = object;
                young->items[kept++] = bytes;
                continue;
            } else {
                survivor = NULL;
            }
        } else if (!(tgc_hdr(object)->flags & TGC_FLAG_VISITED_RMY)) {
            survivor = NULL;            /* a large object, not reached */
        }
        if (survivor == NULL) {
            stop_counting(p, bytes);
            continue;
        }
        if (tgc_survivors_in_copies(&tgc_gc.survivors, survivor)) {
            /* aged: young still, the next minor collection's to judge */
            young->items[kept++] = survivor;
            young->items[kept++] = bytes;
            continue;
        }
        tgc_addrstack_push(&p->old, survivor);
        tgc_addrstack_push(&p->old, bytes);
    }
    young->length = kept;
}

void tgc_pressure_after_marking(void)
{
    tgc_pressure *p = &tgc_gc.pressure;
    size_t kept = 0;
    for (size_t i = 0; i < p->old.length; i += 2) {
        void *object = p->old.items[i], *bytes = p->old.items[i + 1];
        /* a prebuilt object never dies, marked or not */
        if (tgc_hdr(object)->flags & (TGC_FLAG_VISITED | TGC_FLAG_PREBUILT)) {
            p->old.items[kept++] = object;
            p->old.items[kept++] = bytes;
        } else {
            stop_counting(p, bytes);
        }
    }
    p->old.length = kept;
}
