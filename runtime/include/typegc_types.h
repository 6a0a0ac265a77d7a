/* typegc_types.h -- what the generated code and every collector behind
 * typegc's API share: the object header, the type table, the sizes. */
#ifndef TYPEGC_TYPES_H
#define TYPEGC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Object header ------------------------------------------------------
 * The first word of every object, as incminimark's `tid`: the low half is
 * the type id, the high half the GC flags.  Only the write-barrier flag is
 * needed by inline code; the rest are private to the runtime. */
typedef struct tgc_header {
    _Alignas(8) uint32_t tid;   /* type id, an index into the schema's type table */
    uint32_t flags; /* TGC_FLAG_* */
} tgc_header;

/* GCFLAG_TRACK_YOUNG_PTRS: set on old objects; a store into such an object
 * must be recorded so the next minor collection sees it. */
#define TGC_FLAG_TRACK_YOUNG_PTRS (1u << 0)

/* ---- Type table ---------------------------------------------------------
 * Emitted by `typegc gen`, read by the collector.  Indexed by type id;
 * id 0 is reserved.  A type and all its subclasses have ids in
 * [min_subclass_id, max_subclass_id], so an isinstance test is one range
 * compare. */
typedef enum tgc_kind {
    TGC_KIND_I8 = 1, TGC_KIND_I16, TGC_KIND_I32, TGC_KIND_I64,
    TGC_KIND_U8, TGC_KIND_U16, TGC_KIND_U32, TGC_KIND_U64,
    TGC_KIND_F64, TGC_KIND_BOOL, TGC_KIND_REF
} tgc_kind;

typedef struct tgc_field_info {
    const char *name;
    uint32_t kind;        /* tgc_kind */
    uint32_t offset;      /* from the start of the object (the header) */
    uint32_t size;
    uint32_t ref_type_id; /* TGC_KIND_REF: the declared target type */
} tgc_field_info;

/* infobits, after gctypelayout.py's T_* bits */
#define TGC_T_IS_VARSIZE            (1u << 16) /* T_IS_VARSIZE */
#define TGC_T_HAS_GCPTR_IN_VARSIZE  (1u << 17) /* T_HAS_GCPTR_IN_VARSIZE */
#define TGC_T_IS_GCARRAY_OF_GCPTR   (1u << 18) /* T_IS_GCARRAY_OF_GCPTR */
#define TGC_T_HAS_GCPTR             (1u << 24) /* T_HAS_GCPTR */

typedef struct tgc_type_info {
    const char *name;
    uint32_t infobits;          /* TGC_T_* */
    uint32_t fixed_size;        /* fixed types: allocation size (>= 16, multiple
                                   of 8); arrays: offset of item 0 */
    uint32_t c_size;            /* sizeof(struct) as the C compiler laid it out */
    uint32_t c_align;           /* _Alignof(struct) */
    uint32_t base_id;           /* 0 if the type has no base */
    uint32_t min_subclass_id;   /* == this type's id */
    uint32_t max_subclass_id;
    uint32_t n_ptr_offsets;     /* GC pointers in the fixed part */
    const uint32_t *ptr_offsets;
    uint32_t item_size;         /* arrays only */
    uint32_t item_kind;         /* arrays only: tgc_kind of an item */
    uint32_t length_offset;     /* arrays only: offset of the length word */
    uint32_t items_offset;      /* arrays only: offset of item 0 */
    uint32_t n_fields;          /* every field, inherited ones first */
    const tgc_field_info *fields;
} tgc_type_info;

typedef struct tgc_type_table {
    const char *schema_name;
    uint32_t n_types;           /* entries in types[], including id 0 */
    const tgc_type_info *types;
} tgc_type_table;

/* ---- Sizes, as incminimark's TRANSLATION_PARAMS on 64-bit --------------- */
#define TGC_WORD                   8
#define TGC_MIN_OBJECT_SIZE        16          /* header + forwarding address */
#define TGC_SMALL_REQUEST_THRESHOLD (35 * TGC_WORD)           /* 280 */
#define TGC_LARGE_OBJECT           ((16384 + 512) * TGC_WORD) /* 135168 */
#define TGC_NONLARGE_MAX           (TGC_LARGE_OBJECT - 1)

static inline size_t tgc_round_up_size(size_t size)
{
    size = (size + (TGC_WORD - 1)) & ~(size_t)(TGC_WORD - 1);
    return size < TGC_MIN_OBJECT_SIZE ? TGC_MIN_OBJECT_SIZE : size;
}

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_TYPES_H */
