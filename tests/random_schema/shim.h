/* shim.h -- what a generated rs_SEED_shim.h gives driver.c: one entry per
 * type of its schema, with the functions that allocate the type and read
 * and write its slots through the code `typegc gen` emitted.
 *
 * A slot is one value: a field of a struct type, an item of a fixed-size
 * array field (a field with a `length` is as many slots as it has items),
 * or an item of an array type.  A struct's slots are numbered field by
 * field in the type table's order, the inherited fields first, and each
 * field's items in order.  Scalar slots are written and read as the 64-bit
 * model values of slot_values.h; ref slots, `any` ones included, and weak
 * slots (kind TGC_KIND_WEAK: they keep nothing alive, and the collector
 * clears them when their target dies) are set through the generated
 * setters, which run the write barrier, and read as plain pointers.
 *
 * A struct type may declare a destructor: the shim defines its T_destruct(),
 * which calls shim_destruct() (driver.c).  The topmost declaring type of
 * each chain has an extra i64 field, its id slot, that the driver sets to
 * the object's id at allocation and never overwrites: the destructor may
 * read only numbers, and the id, unlike the address, survives the moves. */
#ifndef RS_SHIM_H
#define RS_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <typegc.h>

typedef struct shim_slot {
    const char *name;           /* struct fields: the field's; NULL for array items */
    tgc_kind kind;              /* the type table's: TGC_KIND_REF for an `any`,
                                   TGC_KIND_WEAK for a weak field's items */
    bool any;                   /* `any`: holds an object of any type */
    int to;                     /* refs and weak slots: the declared target's
                                   index in shim_types;
                                   -1 for `any` and scalars */
    /* struct slots only: */
    size_t field;               /*   the field's number in the type table */
    size_t length;              /*   the field's `length`, 0 for a plain field */
    size_t index;               /*   which item of it (0 for a plain field) */
    size_t offset;              /*   offsetof() the slot, as the C compiler lays it out */
} shim_slot;

typedef struct shim_type {
    const char *name;
    uint32_t type_id;           /* T__TYPE_ID */
    int base;                   /* index in shim_types, -1 for none */
    int destructor;             /* the type whose T_destruct() runs for this
                                   one's objects: itself if it declares one,
                                   else its nearest base that does; -1: none */
    bool destructor_flag;       /* T__DESTRUCTOR, as the translator says */
    int id_slot;                /* the slot that holds the id when
                                   destructor >= 0, else -1 */
    bool is_array;
    size_t field_count;         /* struct types: fields in the type table, */
    size_t slot_count;          /*   and their slots, */
    const shim_slot *slots;     /*   the inherited fields' first */
    shim_slot item;             /* array types */
    bool (*isinstance)(const void *obj);
    /* TGC_NEW or TGC_NEW_ARRAY (length is ignored for structs), keeping the
     * objects *keep_a and *keep_b alive and updating them if they move. */
    void *(*allocate)(tgc_cursor c, size_t length, void **keep_a, void **keep_b);
    size_t (*length)(const void *obj);                          /* arrays */
    void (*write)(void *obj, size_t slot, uint64_t value);      /* scalar slots */
    uint64_t (*read)(const void *obj, size_t slot);
    void (*link)(void *obj, size_t slot, void *target);         /* ref slots */
    void *(*target)(const void *obj, size_t slot);
} shim_type;

/* A prebuilt object of the schema ("objects"): static data, which the
 * driver's model holds as objects 0 .. SHIM_PREBUILT_COUNT - 1 of every
 * program, always reachable.  Scalars start at zero; each ref slot at
 * the prebuilt object `initial[slot]`, or NULL for -1 (initial NULL: all
 * NULL); a weak slot too (a prebuilt target never dies). */
typedef struct shim_prebuilt {
    int type;                   /* index in shim_types */
    void *object;               /* &T__prebuilt_O */
    size_t length;              /* array types: its length */
    const int *initial;         /* struct types: per slot, or NULL */
} shim_prebuilt;

/* The driver's: T_destruct(obj) of type shim_types[type] ran. */
void shim_destruct(void *obj, int type);

#endif /* RS_SHIM_H */
