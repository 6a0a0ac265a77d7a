/* rawmalloc.c -- objects malloced one by one: old objects too big for the
 * arenas, and objects too big for the nursery, which never move. */
#include <stdlib.h>

#include "object.h"

static void count_raw(size_t size)
{
    tgc_gc *gc = &tgc_state;
    gc->rawmalloced_total_size += size;
    if (gc->rawmalloced_total_size > gc->rawmalloced_peak_size)
        gc->rawmalloced_peak_size = gc->rawmalloced_total_size;
}

void *tgc_raw_malloc(size_t size)
{
    void *result = malloc(size);
    if (result == NULL)
        tgc_fatal("out of memory: couldn't allocate %zu bytes for an old object", size);
    count_raw(size);
    return result;
}

void tgc_raw_free(void *object, size_t size)
{
    tgc_state.rawmalloced_total_size -= size;
    free(object);
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

tgc_cursor_state tgc_alloc_external(tgc_cursor_state cursor, uint32_t type_id, size_t length,
                                    void **result)
{
    tgc_check_cursor(&cursor, "allocation");
    const tgc_type_info *info = tgc_type_info_of(type_id);
    size_t size = external_size(info, length);
    if (size == 0)
        tgc_fatal("out of memory: %s of length %zu is too large", info->name, length);
    /* Old objects may have to die first, as for a nursery fill. */
    bool collected = tgc_threshold_reached(size);
    if (collected) {
        tgc_publish_cursor(&cursor, "allocation");
        tgc_minor_collection_with_major_progress(size + tgc_state.nursery_size / 2, false);
    }
    char *object = calloc(1, size);
    if (object == NULL)
        tgc_fatal("out of memory: cannot allocate %s of length %zu", info->name, length);
    count_raw(size);
    /* Young: no write barrier until a minor collection finds it alive. */
    tgc_hdr(object)->tid = type_id;
    tgc_hdr(object)->flags = TGC_FLAG_YOUNG_RAW;
    if (info->infobits & TGC_T_IS_VARSIZE)
        *(int64_t *)(object + info->length_offset) = (int64_t)length;
    tgc_addrstack_push(&tgc_state.young_rawmalloced_objects, object);
    *result = object;
    return collected ? tgc_cursor_after_collection() : cursor;
}
