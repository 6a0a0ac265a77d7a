/* object.c -- the out-of-line parts of object.h, and the public calls
 * about one object: its type, how it prints, index errors. */
#include <stdio.h>

#include "object.h"
#include "util.h"

const tgc_type_table *tgc_types;

/* Stops the program unless the table is one `typegc gen` could emit. */
static void check_type_table(const tgc_type_table *types)
{
    if (types == NULL || types->types == NULL || types->n_types < 1)
        tgc_fatal("tgc_init: no type table");
    for (uint32_t id = 1; id < types->n_types; id++) {
        const tgc_type_info *info = &types->types[id];
        if (info->min_subclass_id != id || info->max_subclass_id < id ||
            info->max_subclass_id >= types->n_types || info->fixed_size < TGC_MIN_OBJECT_SIZE)
            tgc_fatal("tgc_init: schema '%s', type id %u: inconsistent type table",
                      types->schema_name, id);
    }
}

void tgc_install_types(const tgc_type_table *types)
{
    if (tgc_types != NULL)
        tgc_fatal("tgc_init: called twice");
    check_type_table(types);
    tgc_types = types;
}

void tgc_bad_type_id(uint32_t type_id)
{
    const tgc_type_table *table = tgc_types;
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

void tgc_field_index_error(const void *object, const char *field, size_t index,
                           size_t length)
{
    tgc_fatal("index %zu out of range for %s.%s of length %zu", index,
              tgc_type_of(object)->name, field, length);
}
