/* generated_names.h -- every name the emitted C derives from a schema's
 * names, in one table.
 *
 * The emitters (emit_header.c, emit_source.c) spell each name with the
 * GEN_* pieces below, and schema_check() walks the table to reject a
 * schema in which two generated names would be the same identifier (a
 * type `Node_new` beside a type `Node`).  The backends (--gc=incminimark,
 * boehm, malloc) emit the same names.  tests/test_translator.py checks
 * that every identifier the emitted files define is one of the table's:
 * a name added to the emitted code must be added here. */
#ifndef TYPEGC_GENERATED_NAMES_H
#define TYPEGC_GENERATED_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

/* The pieces: NAME is the schema's name, T a type's, F a field's. */
#define GEN_GUARD_PREFIX    "TYPEGC_GEN_"   /* TYPEGC_GEN_NAME_H */
#define GEN_GUARD_SUFFIX    "_H"
#define GEN_TABLE           "_types"        /* NAME_types */
#define GEN_TYPE_INFOS      "__type_infos"  /* NAME__type_infos */
#define GEN_SCHEMA_INIT     "_init"         /* NAME_init() */
#define GEN_ID_OF           "__ID_OF"       /* NAME__ID_OF(obj) */
#define GEN_TYPE_ID         "__TYPE_ID"     /* T__TYPE_ID */
#define GEN_HAS_GCPTR       "__HAS_GCPTR"   /* T__HAS_GCPTR */
#define GEN_TYPE_INIT       "__init"        /* T__init() */
#define GEN_NEW             "_new"          /* T_new() */
#define GEN_ISINSTANCE      "_isinstance"   /* T_isinstance() */
#define GEN_SIZE            "__SIZE"        /* structs: T__SIZE */
#define GEN_PTR_OFFSETS     "__ptr_offsets" /* structs: T__ptr_offsets */
#define GEN_WEAK_OFFSETS    "__weak_offsets" /* structs: T__weak_offsets */
#define GEN_FIELDS          "__fields"      /* structs: T__fields */
#define GEN_SETTER          "_set_"         /* structs: T_set_F() */
#define GEN_UPCAST          "_of"           /* structs: T_of(obj) */
#define GEN_HAS_DESTRUCTOR  "__DESTRUCTOR"  /* structs: T__DESTRUCTOR */
#define GEN_HAS_WEAKPTR     "__HAS_WEAKPTR" /* structs: T__HAS_WEAKPTR */
#define GEN_DESTRUCT        "_destruct"     /* structs: T_destruct(), the program's */
#define GEN_DESTRUCTOR_THUNK "__destructor" /* structs: T__destructor, static in NAME.c */
#define GEN_ITEMS_OFFSET    "__ITEMS_OFFSET" /* arrays: T__ITEMS_OFFSET */
#define GEN_ITEM_SIZE       "__ITEM_SIZE"   /* arrays: T__ITEM_SIZE */
#define GEN_LENGTH          "_length"       /* arrays: T_length() */
#define GEN_GET             "_get"          /* arrays: T_get() */
#define GEN_SET             "_set"          /* arrays: T_set() */
#define GEN_PREBUILT        "__prebuilt_"   /* objects: T__prebuilt_O, O of type T */

/* What a generated name is made from. */
typedef enum gen_scope {
    GEN_OF_SCHEMA,      /* prefix NAME suffix */
    GEN_OF_TYPE,        /* prefix T suffix, for every type */
    GEN_OF_STRUCT,      /* prefix T suffix, for struct types */
    GEN_OF_ARRAY,       /* prefix T suffix, for array types */
    GEN_OF_REF_FIELD,   /* prefix T suffix F, for each GC pointer field F
                           of a struct type T, inherited ones too */
    GEN_OF_OBJECT       /* prefix T suffix O, for each prebuilt object O
                           of type T */
} gen_scope;

typedef struct generated_name {
    gen_scope scope;
    const char *prefix;
    const char *suffix;
    const char *what;   /* what the emitted C declares by it */
} generated_name;

/* The table, in the order the names are checked. */
extern const generated_name generated_names[];
extern const size_t n_generated_names;

/* Returns false to stop the walk. */
typedef bool name_visitor(void *ctx, const char *name);

/* The names of the schema as a whole: NAME_types ...  Returns false if
 * `visit` stopped the walk. */
bool names_of_schema(const schema *s, name_visitor *visit, void *ctx);
/* The names of one type: T, T_new, T_set_f ...  Needs t's bases linked. */
bool names_of_type(const type_def *t, name_visitor *visit, void *ctx);
/* The names of one prebuilt object: T__prebuilt_O.  Needs its type linked. */
bool names_of_object(const object_def *o, name_visitor *visit, void *ctx);

#endif
