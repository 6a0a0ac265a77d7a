/* object.c -- what the runtime knows of one object: its type, its size,
 * its GC pointers, and how it prints. */
#include <stdio.h>

#include "gc.h"

const tgc_type_info *tgc_type_info_of(uint32_t type_id)
{
    const tgc_type_table *table = tgc_state.types;
    if (__builtin_expect(type_id == 0 || type_id >= table->n_types, 0))
        tgc_fatal("memory corruption: object with type id %u (schema '%s' has %u types)",
                  type_id, table->schema_name, table->n_types - 1);
    return &table->types[type_id];
}

const tgc_type_info *tgc_type_of(const void *object)
{
    return tgc_type_info_of(((const tgc_header *)object)->tid);
}

static size_t array_length(const void *array, const tgc_type_info *info)
{
    return (size_t)*(const int64_t *)((const char *)array + info->length_offset);
}

/* The bytes an object occupies, header included, as allocated. */
size_t tgc_object_size(const void *object)
{
    const tgc_type_info *info = tgc_type_of(object);
    if (!(info->infobits & TGC_T_IS_VARSIZE))
        return info->fixed_size;
    return tgc_round_up_size(info->items_offset + array_length(object, info) * info->item_size);
}

void tgc_trace_object(void *object, tgc_slot_visitor visit, void *arg)
{
    const tgc_type_info *info = tgc_type_of(object);
    if (!(info->infobits & TGC_T_HAS_GCPTR))
        return;
    char *base = object;
    for (uint32_t i = 0; i < info->n_ptr_offsets; i++) {
        void **slot = (void **)(base + info->ptr_offsets[i]);
        if (*slot != NULL)
            visit(slot, arg);
    }
    if (info->infobits & TGC_T_IS_GCARRAY_OF_GCPTR) {
        void **items = (void **)(base + info->items_offset);
        size_t length = array_length(object, info);
        for (size_t i = 0; i < length; i++)
            if (items[i] != NULL)
                visit(&items[i], arg);
    }
}

int tgc_format_object(char *buf, size_t size, const void *object)
{
    if (object == NULL)
        return snprintf(buf, size, "NULL");
    return snprintf(buf, size, "<%s object at %p>", tgc_type_of(object)->name, object);
}

void tgc_index_error(const void *array, size_t index)
{
    const tgc_type_info *info = tgc_type_of(array);
    tgc_fatal("index %zu out of range for %s of length %zu", index, info->name,
              array_length(array, info));
}
