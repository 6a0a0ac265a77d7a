/* schema.h -- a schema as the translator sees it.
 *
 * schema_load() builds it from the JSON file and checks its shape (keys,
 * JSON types, kinds); schema_check() checks its meaning (names,
 * references, inheritance) and links bases and ref targets; layout.c
 * numbers the types and lays them out.  Strings point into the parsed
 * JSON document, which the schema keeps alive. */
#ifndef TYPEGC_SCHEMA_H
#define TYPEGC_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "typegc_types.h"

/* What a field or an array item holds: the runtime's tgc_kind, by its
 * own numbers (runtime/include/typegc_types.h). */
typedef enum value_kind {
    KIND_I8 = TGC_KIND_I8, KIND_I16 = TGC_KIND_I16,
    KIND_I32 = TGC_KIND_I32, KIND_I64 = TGC_KIND_I64,
    KIND_U8 = TGC_KIND_U8, KIND_U16 = TGC_KIND_U16,
    KIND_U32 = TGC_KIND_U32, KIND_U64 = TGC_KIND_U64,
    KIND_F64 = TGC_KIND_F64, KIND_BOOL = TGC_KIND_BOOL,
    KIND_REF = TGC_KIND_REF, KIND_WEAK = TGC_KIND_WEAK,
    KIND_ANY                /* a GC pointer to any object: TGC_KIND_REF
                               with ref_type_id 0 in the table */
} value_kind;

/* Whether a value is a GC pointer, which the collector traces and only
 * a setter with the write barrier may store. */
static inline bool kind_is_gcptr(value_kind kind)
{
    return kind == KIND_REF || kind == KIND_ANY;
}

/* Whether a value points to a GC object, strongly or weakly: its C type
 * is a pointer, it starts NULL, and a setter with the write barrier
 * stores it (a weak one too: README, "Weak references"). */
static inline bool kind_is_pointer(value_kind kind)
{
    return kind_is_gcptr(kind) || kind == KIND_WEAK;
}

/* Whether a value names its target with "to". */
static inline bool kind_has_target(value_kind kind)
{
    return kind == KIND_REF || kind == KIND_WEAK;
}

typedef struct kind_info {
    const char *name;       /* as a schema spells it: "i64" */
    const char *c_type;     /* "int64_t"; NULL for ref, whose C type
                               names the target */
    const char *tgc_kind;   /* "TGC_KIND_I64" */
    uint32_t size;          /* also its alignment, on x86-64 */
} kind_info;

const kind_info *kind_info_of(value_kind kind);
/* false if `name` is no kind */
bool kind_from_name(const char *name, value_kind *kind);
/* "i8 i16 ... ref", for messages */
const char *kind_names(void);

typedef struct type_def type_def;

typedef struct value_spec {
    value_kind kind;
    const char *to;         /* ref, weak: the target's name */
    type_def *target;       /* ref, weak: set by schema_check(); NULL for any */
} value_spec;

typedef struct field_def {
    const char *name;
    const char *doc;        /* NULL if none */
    value_spec value;
    uint32_t length;        /* "length": a fixed-size array of that many
                               values; 0: one value */
    uint32_t offset;        /* from the object's start, in every subclass
                               too: a base is embedded at offset 0 */
} field_def;

struct type_def {
    const char *name;
    const char *doc;
    size_t index;           /* position in the file */
    bool is_array;

    /* struct types */
    bool declares_destructor;   /* "destructor": true */
    const char *base_name;  /* NULL for a root */
    type_def *base;         /* set by schema_check() */
    field_def *fields;      /* own fields, in file order */
    size_t n_fields;

    /* array types */
    value_spec item;
    const char *item_doc;

    /* set by schema_check(): the nearest of t and its bases that declares
     * a ref field, or NULL.  Following ref_holder, then its base's
     * ref_holder ..., visits only the types with ref fields, so walks over
     * inherited refs do not grow with the depth. */
    type_def *ref_holder;

    /* set by schema_check(): the nearest of t and its bases that declares
     * a destructor, whose T_destruct() runs for t's objects; or NULL. */
    type_def *destructor_owner;

    /* set by layout_schema() */
    uint32_t id;
    uint32_t max_subclass_id;   /* subclasses have ids id..max_subclass_id */
    uint32_t depth;             /* bases above it */
    uint32_t c_size;            /* sizeof(struct T) */
    uint32_t alloc_size;        /* T__SIZE; arrays: offset of item 0 */
};

/* A prebuilt object (the schema's "objects"): static data that `typegc
 * gen` emits with its initial values.  schema_load() reads its shape;
 * prebuilt_check() checks the values against the type. */
typedef struct object_def {
    const char *name;
    const char *doc;
    const char *type_name;
    size_t index;           /* position in "objects" */
    json_t *fields;         /* "fields": field name -> value, or NULL */
    json_t *items;          /* "items": an array's values, or NULL */
    bool has_length;        /* "length" was given */
    uint64_t length;        /* arrays: "length", or the number of items */
    type_def *type;         /* set by schema_check() */
} object_def;

typedef struct schema {
    const char *file;       /* as given on the command line */
    char *label;            /* the file's basename, for generated comments */
    char *name;             /* prefixes the schema's global symbols */
    bool name_from_file;    /* no --name was given */
    const char *peer;       /* --gc=boehm or malloc: emit for typegc_PEER.h;
                               NULL for typegc's own collector */
    const char *doc;
    type_def *types;        /* in file order */
    size_t n_types;
    uint32_t first_id;      /* --first-type-id: the first type's id */
    object_def *objects;    /* "objects", in file order */
    size_t n_objects;
    type_def **by_id;       /* set by layout_schema(): by_id[k] has id
                               first_id + k - 1, for k in 1..n_types, as
                               the emitted table's types[k]; [0] is NULL */
    json_t *json;           /* owns the strings */
} schema;

/* NULL after printing why. `name` may be NULL: the file's basename
 * without ".json" is used. */
schema *schema_load(const char *file, const char *name);
/* false after printing the first problem found, in file order */
bool schema_check(schema *s);
void schema_free(schema *s);

#endif
