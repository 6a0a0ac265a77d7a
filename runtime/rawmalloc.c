/* rawmalloc.c -- objects malloced one by one: old objects too big for the
 * arenas, and objects too big for the nursery, which never move.  Every
 * byte comes from sysmem.c, which counts it. */
#include <stdint.h>

#include "cards.h"
#include "header.h"
#include "object.h"
#include "rawmalloc.h"
#include "sysmem.h"
#include "util.h"

static void count_raw(tgc_raw_space *raw, size_t size)
{
    raw->total_size += size;
    if (raw->total_size > raw->peak_size)
        raw->peak_size = raw->total_size;
}

/* Called while objects are being promoted: it must not fail (sysmem.c). */
void *tgc_raw_malloc_old(tgc_raw_space *raw, size_t size)
{
    void *object;
    while ((object = tgc_sys_malloc(size)) == NULL)
        tgc_sys_out_of_memory("an old object", size);
    count_raw(raw, size);
    tgc_addrstack_push(&raw->old, object);
    return object;
}

/* The card area of a large array of GC pointers, 0 for other objects. */
static size_t card_area_of(const void *object)
{
    if (!(((const tgc_header *)object)->flags & TGC_FLAG_HAS_CARDS))
        return 0;
    const tgc_type_info *info = tgc_info_of(object);
    return tgc_card_area_size(tgc_array_length(object, info));
}

void tgc_raw_free(tgc_raw_space *raw, void *object)
{
    size_t cards = card_area_of(object);
    size_t size = cards + tgc_object_size(object);
    raw->total_size -= size;
    tgc_sys_free((char *)object - cards, size);
}

size_t tgc_raw_object_size(const tgc_type_info *info, size_t length)
{
    if (!(info->infobits & TGC_T_IS_VARSIZE))
        return info->fixed_size;
    size_t items;
    if (__builtin_mul_overflow(length, (size_t)info->item_size, &items) ||
        items > SIZE_MAX / 2 - info->items_offset)
        return 0;
    return tgc_round_up_size(info->items_offset + items);
}

void *tgc_raw_alloc_young(tgc_raw_space *raw, uint32_t type_id, const tgc_type_info *info,
                          size_t length, size_t size)
{
    /* An array of GC pointers this large gets cards, and the write barrier
     * from its birth: every store marks one card, and minor collections
     * look only at marked cards. */
    bool cards = (info->infobits & TGC_T_HAS_GCPTR_IN_VARSIZE) != 0;
    size_t card_bytes = cards ? tgc_card_area_size(length) : 0;
    char *base = tgc_sys_calloc(card_bytes + size);
    if (base == NULL)
        return NULL;
    count_raw(raw, card_bytes + size);
    char *object = base + card_bytes;
    tgc_hdr(object)->tid = type_id;
    /* Young: no write barrier until a minor collection finds it alive. */
    tgc_hdr(object)->flags = TGC_FLAG_YOUNG_RAW;
    if (cards)
        tgc_hdr(object)->flags |=
            TGC_FLAG_HAS_CARDS | TGC_FLAG_TRACK_YOUNG_PTRS | TGC_FLAG_CARDS_SET;
    if (info->infobits & TGC_T_IS_VARSIZE)
        *(int64_t *)(object + info->length_offset) = (int64_t)length;
    tgc_addrstack_push(&raw->young, object);
    return object;
}

void tgc_raw_free_unreached_young(tgc_raw_space *raw)
{
    while (!tgc_addrstack_empty(&raw->young)) {
        void *object = tgc_addrstack_pop(&raw->young);
        tgc_header *hdr = tgc_hdr(object);
        if (hdr->flags & TGC_FLAG_VISITED_RMY) {
            hdr->flags &= ~(TGC_FLAG_VISITED_RMY | TGC_FLAG_YOUNG_RAW);
            tgc_addrstack_push(&raw->old, object);
        } else {
            tgc_raw_free(raw, object);
        }
    }
}

/* ---- Sweeping ------------------------------------------------------------ */

void tgc_raw_sweep_prepare(tgc_raw_space *raw)
{
    while (!tgc_addrstack_empty(&raw->old))
        tgc_addrstack_push(&raw->might_sweep, tgc_addrstack_pop(&raw->old));
}

/* Freeing raw objects looks at the clock this often when a step has a
 * deadline. */
enum { RAW_OBJECTS_PER_CLOCK_READ = 64 };

size_t tgc_raw_sweep_step(tgc_raw_space *raw, size_t limit, uint64_t deadline)
{
    size_t done = 0;
    while (done < limit && !tgc_addrstack_empty(&raw->might_sweep)) {
        if (done > 0 && done % RAW_OBJECTS_PER_CLOCK_READ == 0 && tgc_deadline_passed(deadline))
            break;
        void *object = tgc_addrstack_pop(&raw->might_sweep);
        if (tgc_sweep_frees(object))
            tgc_raw_free(raw, object);
        else
            tgc_addrstack_push(&raw->old, object);
        done++;
    }
    return done;
}
