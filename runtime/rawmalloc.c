/* rawmalloc.c -- objects malloced one by one: old objects too big for the
 * arenas, and objects too big for the nursery, which never move. */
#include <stdio.h>
#include <stdlib.h>

#include "object.h"
#include "sysmem.h"

static void count_raw(size_t size)
{
    tgc_gc *gc = &tgc_state;
    gc->rawmalloced_total_size += size;
    if (gc->rawmalloced_total_size > gc->rawmalloced_peak_size)
        gc->rawmalloced_peak_size = gc->rawmalloced_total_size;
}

/* Called while objects are being promoted: it must not fail (sysmem.c). */
void *tgc_raw_malloc(size_t size)
{
    void *result;
    while ((result = tgc_sys_malloc(size)) == NULL)
        tgc_sys_out_of_memory("an old object", size);
    count_raw(size);
    return result;
}

/* The card area of a large array of GC pointers, 0 for other objects. */
static size_t card_area_of(const void *object)
{
    if (!(((const tgc_header *)object)->flags & TGC_FLAG_HAS_CARDS))
        return 0;
    const tgc_type_info *info = tgc_info_of(object);
    return tgc_card_area_size(tgc_array_length(object, info));
}

void tgc_raw_free(void *object)
{
    size_t cards = card_area_of(object);
    size_t size = cards + tgc_object_size(object);
    tgc_state.rawmalloced_total_size -= size;
    tgc_sys_free((char *)object - cards, size);
}

/* The size of `length` items of this type, or 0 if it overflows. */
static size_t external_size(const tgc_type_info *info, size_t length)
{
    if (!(info->infobits & TGC_T_IS_VARSIZE))
        return info->fixed_size;
    size_t items;
    if (__builtin_mul_overflow(length, (size_t)info->item_size, &items) ||
        items > SIZE_MAX / 2 - info->items_offset)
        return 0;
    return tgc_round_up_size(info->items_offset + items);
}

/* The system will not give the program the object it asked for: collect
 * everything and retry; then report the memory error, which the program's
 * handler may answer by dropping references, collect and retry once more;
 * then stop. */
static char *calloc_after_collections(size_t bytes, const tgc_type_info *info, size_t length)
{
    tgc_full_collection();
    char *base = tgc_sys_calloc(bytes);
    if (base != NULL)
        return base;
    char what[160];
    snprintf(what, sizeof what, "%s of length %zu (%zu bytes)", info->name, length, bytes);
    tgc_memory_error_now(what);
    tgc_full_collection();
    base = tgc_sys_calloc(bytes);
    if (base == NULL)
        tgc_fatal("out of memory: cannot allocate %s, even after the memory error "
                  "handler ran", what);
    return base;
}

tgc_cursor_state tgc_alloc_external(tgc_cursor_state cursor, uint32_t type_id, size_t length,
                                    void **result)
{
    tgc_check_cursor(&cursor, "allocation");
    const tgc_type_info *info = tgc_type_info_of(type_id);
    size_t size = external_size(info, length);
    if (size == 0)
        tgc_fatal("out of memory: %s of length %zu is too large", info->name, length);
    /* Old objects may have to die first, as for a nursery fill. */
    bool torture = tgc_state.config.torture > 0;
    bool collected = torture || tgc_threshold_reached(size);
    if (collected) {
        tgc_publish_cursor(&cursor, "allocation");
        tgc_minor_collection_with_major_progress(size + tgc_state.nursery_size / 2, false);
        if (torture)
            tgc_torture_after_slow_path();
        /* before the object exists: what runs here may collect */
        tgc_at_safe_point();
    }
    /* An array of GC pointers this large gets cards, and the write barrier
     * from its birth: every store marks one card, and minor collections
     * look only at marked cards. */
    bool cards = (info->infobits & TGC_T_HAS_GCPTR_IN_VARSIZE) != 0;
    size_t card_bytes = cards ? tgc_card_area_size(length) : 0;
    char *base = tgc_sys_calloc(card_bytes + size);
    if (base == NULL) {
        if (!collected)
            tgc_publish_cursor(&cursor, "allocation");
        collected = true;
        base = calloc_after_collections(card_bytes + size, info, length);
    }
    count_raw(card_bytes + size);
    char *object = base + card_bytes;
    tgc_hdr(object)->tid = type_id;
    /* Young: no write barrier until a minor collection finds it alive. */
    tgc_hdr(object)->flags = TGC_FLAG_YOUNG_RAW;
    if (cards)
        tgc_hdr(object)->flags |=
            TGC_FLAG_HAS_CARDS | TGC_FLAG_TRACK_YOUNG_PTRS | TGC_FLAG_CARDS_SET;
    if (info->infobits & TGC_T_IS_VARSIZE)
        *(int64_t *)(object + info->length_offset) = (int64_t)length;
    tgc_addrstack_push(&tgc_state.young_rawmalloced_objects, object);
    *result = object;
    return collected ? tgc_cursor_fresh() : cursor;
}
