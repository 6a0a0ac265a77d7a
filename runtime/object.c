/* object.c -- the out-of-line parts of object.h, and the public calls
 * about one object: its type, how it prints, index errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "object.h"
#include "util.h"

/* What tgc_type_info_of() reads: one array indexed by type id, every
 * installed schema's entries copied into it at their ids.  Ids no schema
 * uses are left zero (name NULL). */
static tgc_type_table merged = { .schema_name = "(merged)", .first_id = 1 };
const tgc_type_table *tgc_types;

/* The installed schemas' own tables, in the order tgc_init() got them. */
static const tgc_type_table **schemas;
static size_t n_schemas;
/* The merged arrays that a later schema's replaced: kept, so that what
 * tgc_type_of() returned before stays valid (one per schema installed). */
static const tgc_type_info **retired;

static uint32_t first_id_of(const tgc_type_table *types)
{
    return types->first_id != 0 ? types->first_id : 1;
}

/* One past the last id: first_id_of() when the schema has no types. */
static uint32_t end_id_of(const tgc_type_table *types)
{
    return first_id_of(types) + types->n_types - 1;
}

/* Stops the program unless the table is one `typegc gen` could emit: each
 * type's subclasses, and its base, within the schema's own ids. */
static void check_type_table(const tgc_type_table *types)
{
    if (types == NULL || types->types == NULL || types->n_types < 1)
        tgc_fatal("tgc_init: no type table");
    uint32_t first = first_id_of(types);
    if ((uint64_t)first + types->n_types - 2 > TGC_MAX_TYPE_ID)
        tgc_fatal("tgc_init: schema '%s': %u types from id %u do not fit in 16 bits",
                  types->schema_name, types->n_types - 1, first);
    uint32_t end = end_id_of(types);
    for (uint32_t id = first; id < end; id++) {
        const tgc_type_info *info = &types->types[id - first + 1];
        if (info->min_subclass_id != id || info->max_subclass_id < id ||
            info->max_subclass_id >= end || info->fixed_size < TGC_MIN_OBJECT_SIZE ||
            (info->base_id != 0 && (info->base_id < first || info->base_id >= id)))
            tgc_fatal("tgc_init: schema '%s', type id %u: inconsistent type table",
                      types->schema_name, id);
    }
}

/* Stops the program if `types` was installed already, or takes ids that
 * an installed schema uses. */
static void check_no_overlap(const tgc_type_table *types)
{
    uint32_t first = first_id_of(types), end = end_id_of(types);
    for (size_t i = 0; i < n_schemas; i++) {
        const tgc_type_table *other = schemas[i];
        if (other == types)
            tgc_fatal("tgc_init: called twice for schema '%s'", types->schema_name);
        if (first < end && first < end_id_of(other) && first_id_of(other) < end)
            tgc_fatal("tgc_init: schema '%s' takes type ids %u..%u, which schema '%s' "
                      "(ids %u..%u) already uses: give one of them `typegc gen "
                      "--first-type-id`", types->schema_name, first, end - 1,
                      other->schema_name, first_id_of(other), end_id_of(other) - 1);
    }
}

int tgc_install_types(const tgc_type_table *types)
{
    check_type_table(types);
    check_no_overlap(types);
    uint32_t first = first_id_of(types), end = end_id_of(types);
    uint32_t n = merged.n_types > end ? merged.n_types : end;
    /* a new array each time; the old one goes to `retired` */
    tgc_type_info *infos = calloc(n, sizeof *infos);
    const tgc_type_table **more = realloc(schemas, (n_schemas + 1) * sizeof *schemas);
    if (more != NULL)
        schemas = more;
    const tgc_type_info **more_retired = realloc(retired, (n_schemas + 1) * sizeof *retired);
    if (more_retired != NULL)
        retired = more_retired;
    if (infos == NULL || more == NULL || more_retired == NULL) {
        free(infos);
        fprintf(stderr, "typegc: out of memory: cannot install schema '%s'\n",
                types->schema_name);
        return -1;
    }
    if (merged.n_types > 0)
        memcpy(infos, merged.types, merged.n_types * sizeof *infos);
    infos[0].name = "(reserved)";
    if (end > first)
        memcpy(&infos[first], &types->types[1], (end - first) * sizeof *infos);
    retired[n_schemas] = merged.types;
    schemas[n_schemas++] = types;
    merged.types = infos;
    merged.n_types = n;
    tgc_types = &merged;
    return 0;
}

void tgc_bad_type_id(uint32_t type_id)
{
    if (n_schemas == 1 && first_id_of(schemas[0]) == 1)
        tgc_fatal("memory corruption: object with type id %u (schema '%s' has %u types)",
                  type_id, schemas[0]->schema_name, schemas[0]->n_types - 1);
    char ranges[512];
    size_t used = 0;
    ranges[0] = '\0';
    for (size_t i = 0; i < n_schemas && used < sizeof ranges; i++) {
        int n = snprintf(ranges + used, sizeof ranges - used, "%s'%s' %u..%u",
                         i > 0 ? ", " : "", schemas[i]->schema_name,
                         first_id_of(schemas[i]), end_id_of(schemas[i]) - 1);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    tgc_fatal("memory corruption: object with type id %u (the schemas' type ids: %s)",
              type_id, ranges);
}

void tgc_check_gc_object(const char *call, const void *object)
{
    if (object == NULL)
        tgc_fatal("%s: the object is NULL", call);
    const tgc_header *hdr = object;
    if (((uintptr_t)object & (TGC_WORD - 1)) != 0 || tgc_types == NULL ||
        *(const uint64_t *)object == TGC_FORWARDED_TID || hdr->tid == 0 ||
        hdr->tid >= tgc_types->n_types || tgc_types->types[hdr->tid].name == NULL)
        tgc_fatal("%s: %p is not a GC object (its first word is no type id of an "
                  "installed schema)", call, object);
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
