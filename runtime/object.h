/* object.h -- what the collector knows of one object: its type, its size
 * and its GC pointers.  Inline, because minor collections and marking call
 * these for every object they touch; tgc_trace_object() called with a
 * constant visitor compiles to a direct, inlinable call. */
#ifndef TGC_OBJECT_H
#define TGC_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "typegc.h"

typedef void (*tgc_slot_visitor)(void **slot, void *arg);

/* The highest type id: ids fill the low 16 bits of infobits. */
#define TGC_MAX_TYPE_ID 0xffffu

/* The program's types (object.c): one table indexed by type id, into
 * which each tgc_init() copies its schema's entries.  NULL before the
 * first. */
extern const tgc_type_table *tgc_types;
/* Adds a schema's types; stops the program if the table is inconsistent,
 * installed already, or overlaps an installed schema's ids.  -1 after
 * printing why (out of memory). */
int tgc_install_types(const tgc_type_table *types);

void tgc_bad_type_id(uint32_t type_id) __attribute__((noreturn, cold));

/* Stops the program, naming `call`, unless `object` looks like a live GC
 * object: not NULL, aligned, not a forwarding stub, its first word a type
 * id that an installed schema uses.  For the calls that take an object
 * from the program and keep it on a list. */
void tgc_check_gc_object(const char *call, const void *object);

static inline const tgc_type_info *tgc_type_info_of(uint32_t type_id)
{
    const tgc_type_table *table = tgc_types;
    if (__builtin_expect(type_id == 0 || type_id >= table->n_types, 0))
        tgc_bad_type_id(type_id);
    return &table->types[type_id];
}

static inline const tgc_type_info *tgc_info_of(const void *object)
{
    return tgc_type_info_of(((const tgc_header *)object)->tid);
}

static inline size_t tgc_array_length(const void *array, const tgc_type_info *info)
{
    return (size_t)*(const int64_t *)((const char *)array + info->length_offset);
}

/* The bytes an object occupies, header included, as allocated. */
static inline size_t tgc_size_of(const void *object, const tgc_type_info *info)
{
    if (!(info->infobits & TGC_T_IS_VARSIZE))
        return info->fixed_size;
    return tgc_round_up_size(info->items_offset + tgc_array_length(object, info) * info->item_size);
}

static inline size_t tgc_object_size(const void *object)
{
    return tgc_size_of(object, tgc_info_of(object));
}

/* Calls visit(slot, arg) for every non-NULL GC pointer slot of the object. */
static inline __attribute__((always_inline)) void
tgc_trace_object(void *object, tgc_slot_visitor visit, void *arg)
{
    const tgc_type_info *info = tgc_info_of(object);
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
        size_t length = tgc_array_length(object, info);
        for (size_t i = 0; i < length; i++)
            if (items[i] != NULL)
                visit(&items[i], arg);
    }
}

#endif /* TGC_OBJECT_H */
