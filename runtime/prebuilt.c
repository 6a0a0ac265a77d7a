/* prebuilt.c -- the list of prebuilt objects that have been written to
 * (prebuilt.h): filled by the write barrier, read by marking, the heap
 * check and the heap dump.  It only grows: a prebuilt object is never
 * freed, and once it may point to the heap it stays a root. */
#include "prebuilt.h"

#include "gc.h"
#include "weakrefs.h"

void tgc_prebuilt_record(void *object)
{
    tgc_header *hdr = tgc_hdr(object);
    hdr->flags &= ~TGC_FLAG_NO_HEAP_PTRS;
    tgc_addrstack_push(&tgc_gc.prebuilt.roots, object);
    /* its weak pointers may now be given heap targets, which marking must
     * check like those of any old holder */
    if (tgc_info_of(object)->infobits & TGC_T_HAS_WEAKPTR)
        tgc_weakrefs_note_immortal(object);
}

void tgc_prebuilt_walk_roots(tgc_slot_visitor visit, void *arg)
{
    tgc_addrstack *roots = &tgc_gc.prebuilt.roots;
    for (size_t i = 0; i < roots->length; i++)
        visit(&roots->items[i], arg);
}

void tgc_prebuilt_after_marking(void)
{
    const tgc_addrstack *roots = &tgc_gc.prebuilt.roots;
    for (size_t i = 0; i < roots->length; i++)
        tgc_hdr(roots->items[i])->flags &= ~TGC_FLAG_VISITED;
}
