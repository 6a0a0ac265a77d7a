/* object.c -- the out-of-line parts of object.h, and the public calls
 * about one object: its type, how it prints, index errors. */
#include <stdio.h>

#include "object.h"

void tgc_bad_type_id(uint32_t type_id)
{
    const tgc_type_table *table = tgc_state.types;
    tgc_fatal("memory corruption: object with type id %u (schema '%s' has %u types)",
              type_id, table->schema_name, table->n_types - 1);
}

const tgc_type_info *tgc_type_of(const void *object)
{
    return tgc_info_of(object);
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
              tgc_array_length(array, info));
}
