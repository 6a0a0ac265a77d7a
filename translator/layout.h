/* layout.h -- type ids and the x86-64 layout of the emitted structs.
 *
 * Ids number the inheritance forest in preorder: the roots in file order,
 * each followed by its subclasses (recursively, in file order), from
 * --first-type-id up (1 by default); 0 is reserved.  So a type's subclasses have the ids id..max_subclass_id
 * and an isinstance test is one range compare.
 *
 * Layout is the LP64 C layout: each field at the next multiple of its size,
 * structs aligned to 8 (the header is declared 8-aligned) and padded to a
 * multiple of 8; a derived struct embeds its base whole as its first member, so a base
 * field has the same offset in every subclass and the base's tail padding
 * is never reused.  The emitted _Static_asserts make the C compiler agree. */
#ifndef TYPEGC_LAYOUT_H
#define TYPEGC_LAYOUT_H

#include <stdbool.h>

#include "schema.h"

/* The runtime's figures (typegc_types.h), as unsigned constants for the
 * messages and the emitted text; layout.c pins each to the runtime's with
 * a _Static_assert. */
#define LAYOUT_HEADER_SIZE      8u      /* sizeof(tgc_header) */
#define LAYOUT_STRUCT_ALIGN     8u      /* root structs declare their header
                                           _Alignas(8): objects are */
#define LAYOUT_MIN_OBJECT_SIZE  16u     /* TGC_MIN_OBJECT_SIZE */
#define LAYOUT_LENGTH_OFFSET    8u      /* arrays: the int64_t length */
#define LAYOUT_ITEMS_OFFSET     16u     /* arrays: item 0 */
#define LAYOUT_MAX_TYPE_ID      0xffffu /* ids fill the low 16 infobits */
#define LAYOUT_MAX_SIZE 0x7ffffff8u     /* sizes become int enum constants */
#define LAYOUT_MAX_FIXED_LENGTH 65536u  /* a field's "length" */
#define LAYOUT_MAX_PREBUILT_LENGTH 16777216u /* a prebuilt array's "length" */

/* Sets ids, subclass ranges, depths, offsets and sizes, and s->by_id.
 * Needs a checked schema.  false after printing why (ids past
 * LAYOUT_MAX_TYPE_ID, a type too large). */
bool layout_schema(schema *s);

/* The values a field holds: its "length", or 1. */
static inline uint32_t field_count(const field_def *f)
{
    return f->length > 0 ? f->length : 1;
}

/* Fills `chain` (room for t->depth + 1) with t's root first and t last. */
void layout_lineage(const type_def *t, const type_def **chain);

#endif
