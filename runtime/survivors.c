/* survivors.c -- the survivor space's two halves: mapping them, and
 * turning them over at each minor collection (survivors.h). */
#include "survivors.h"

#include <string.h>

#include "poison.h"
#include "sysmem.h"

enum { PAGE = 4096 };

static void unmap_half(tgc_survivor_half *h)
{
    if (h->start != NULL) {
        unpoison(h->start, h->capacity);
        tgc_sys_unmap(h->start, h->capacity);
    }
    *h = (tgc_survivor_half){ NULL, 0, 0 };
}

void tgc_survivors_begin_minor(tgc_survivors *s, size_t capacity, size_t limit)
{
    tgc_survivor_half *receiving = &s->halves[1 - s->aged];
    capacity = (capacity + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (receiving->capacity != capacity) {
        /* garbage: the last collection emptied it.  On huge pages, as the
         * nursery: a half is written from its start, a page fault per
         * 2 MiB instead of per 4 KiB */
        unmap_half(receiving);
        if (capacity > 0 && (receiving->start = tgc_sys_map_huge(capacity)) != NULL)
            receiving->capacity = capacity;
    }
    receiving->used = 0;
    s->copy_free = s->copy_end = receiving->start;
    if (receiving->start != NULL) {
        if (limit > receiving->capacity)
            limit = receiving->capacity;
        unpoison(receiving->start, limit);
        s->copy_end = receiving->start + limit;
    }
}

void tgc_survivors_end_minor(tgc_survivors *s)
{
    tgc_survivor_half *emptied = &s->halves[s->aged];
    tgc_survivor_half *receiving = &s->halves[1 - s->aged];
    receiving->used = (size_t)((uintptr_t)s->copy_free - (uintptr_t)receiving->start);
    if (emptied->start != NULL) {
        if (s->debug_fill)
            memset(emptied->start, '#', emptied->used);
        poison(emptied->start, emptied->capacity);
    }
    if (receiving->start != NULL)
        poison(s->copy_free, receiving->capacity - receiving->used);  /* the unused tail */
    emptied->used = 0;
    s->aged = 1 - s->aged;
    /* an empty range of copies until the next collection */
    s->copy_free = s->copy_end = emptied->start;
    s->copied_total += receiving->used;
}
