/* inspect.h -- `typegc inspect`: the emitted C read back and checked.
 *
 *     typegc inspect DIR/NAME.c [--json] [-- CFLAGS...]
 *
 * parses NAME.c, and so NAME.h, with libclang, as a C compiler given the
 * same flags would see them, and holds two accounts of every type side by
 * side: the struct as clang laid it out, and the type table the runtime
 * reads (NAME__type_infos, its fields and GC pointer offsets arrays, the
 * header's enum constants), each initializer evaluated by clang.  Then
 * every figure of the table is checked against the struct.
 *
 * The work is split by job:
 *   inspect_clang.c  reading both accounts through libclang;
 *   inspect_check.c  comparing them, one problem per disagreement;
 *   inspect_print.c  the layouts as text or JSON;
 *   inspect_model.c  the inspection's memory and lookups in it;
 *   inspect.c        the entry point: the command line, then the above.
 * `typegc inspect --asm` (inspect_asm.h) is the machine-code side.
 *
 * Calls go one way: inspect.c calls the others; inspect_asm.c calls
 * inspect_disasm.c and inspect_clang.c; all of them call
 * inspect_model.c, which calls none of them. */
#ifndef TYPEGC_INSPECT_H
#define TYPEGC_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "schema.h"
#include "strmap.h"

/* One member of a struct as clang laid it out.  A derived struct's members
 * include its base's, reached through `super`; the header `hdr` and
 * `super` themselves are not members. */
typedef struct inspect_member {
    char *name;
    char *path;             /* as C reaches it from the object: "super.x" */
    char *declared_in;      /* the struct that declares it */
    char *c_type;           /* as declared: "int64_t", "struct Shape *" */
    int64_t offset;         /* bytes from the start of the object */
    int64_t size;           /* a flexible array: the size of an item */
    int64_t length;         /* a fixed-size array `f[N]`: N, and kind and
                               ref_to are an item's, size the whole's;
                               0 otherwise */
    value_kind kind;        /* 0: the C type has no typegc kind */
    char *ref_to;           /* KIND_REF: the struct pointed to */
    bool bit_field;
    bool flexible;          /* `items[]`: kind, size and ref_to are an item's */
} inspect_member;

/* A struct the table names, as clang laid it out. */
typedef struct inspect_struct {
    bool found;             /* its definition was seen */
    int64_t size;
    int64_t align;
    bool has_header;        /* begins with `tgc_header hdr` or a `super` */
    char *base;             /* the struct of its `super`; NULL for a root */
    inspect_member *members;
    size_t n_members;
} inspect_struct;

/* One entry of a fields array (tgc_field_info), evaluated. */
typedef struct table_field {
    char *name;             /* NULL if the initializer gives none */
    int64_t kind;
    int64_t offset;
    int64_t size;
    int64_t ref_type_id;
} table_field;

/* One entry of the type table (tgc_type_info), evaluated; what the
 * initializer leaves out is 0, as in C. */
typedef struct table_entry {
    char *name;             /* NULL: an empty entry */
    int64_t infobits;
    int64_t fixed_size;
    int64_t c_size;
    int64_t c_align;
    int64_t base_id;
    int64_t min_subclass_id;
    int64_t max_subclass_id;
    int64_t n_ptr_offsets;
    char *ptr_offsets_array;    /* the array .ptr_offsets names; NULL */
    int64_t *ptr_offsets;
    size_t ptr_offsets_len;     /* that array's length */
    int64_t n_weak_offsets;
    char *weak_offsets_array;   /* the array .weak_offsets names; NULL */
    int64_t *weak_offsets;
    size_t weak_offsets_len;    /* that array's length */
    int64_t item_size;
    int64_t item_kind;
    int64_t length_offset;
    int64_t items_offset;
    int64_t n_fields;
    char *fields_array;         /* the array .fields names; NULL */
    table_field *fields;
    size_t fields_len;
} table_entry;

typedef struct inspect_problem {
    char *type;             /* NULL: about the table as a whole */
    char *field;            /* NULL: about the type */
    char *message;
} inspect_problem;

typedef struct inspection {
    const char *path;       /* NAME.c, as given */
    char *table_name;       /* the tgc_type_table defined there */
    char *schema_name;      /* its .schema_name */
    int64_t n_types;        /* its .n_types */
    int64_t first_id;       /* its .first_id: the id of entries[1] (1 if 0) */
    char *types_array;      /* the array its .types names */
    table_entry *entries;   /* that array, by type id */
    size_t n_entries;
    inspect_struct *structs;    /* [id]: the struct entries[id] names */

    /* the enum constants of the translation unit: T__TYPE_ID ... */
    strmap constants;
    int64_t *constant_values;
    size_t n_constants;

    inspect_problem *problems;
    size_t n_problems;
    char **clang_errors;    /* clang's error diagnostics, formatted */
    size_t n_clang_errors;
} inspection;

/* `typegc inspect ...`: argv as main() got it, argv[1] being "inspect";
 * parses the rest itself, runs, and returns the exit status (2 for a
 * wrong command line, as the usage printed then says). */
int inspect_main(int argc, char **argv);

/* inspect_clang.c: fills `in` from in->path compiled with `flags`.  false
 * after printing why nothing can be checked: the file cannot be read,
 * clang stops with a fatal error, there is no type table. */
bool inspect_read(inspection *in, char *const *flags, int n_flags);

/* inspect_clang.c: struct `type` of header `header`, laid out by clang
 * with typegc.h's default include path (for --asm, which names the fields
 * a store writes).  false if it cannot be read. */
bool inspect_read_struct(const char *header, const char *type,
                         inspect_struct *st);
void inspect_struct_free(inspect_struct *st);

/* inspect_check.c: a problem for each figure of the table that the
 * structs contradict. */
void inspect_check(inspection *in);

/* inspect_print.c */
void inspect_print_text(const inspection *in, FILE *out);
void inspect_print_json(const inspection *in, FILE *out);

/* inspect_model.c */
void inspect_problem_add(inspection *in, const char *type, const char *field,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The value of the enum constant `name`; false if there is none. */
bool inspect_constant(const inspection *in, const char *name, int64_t *value);
/* The id of the entry named `name`, or 0. */
size_t inspect_type_id(const inspection *in, const char *name);
/* TGC_KIND_* number to its schema name ("i64"), or NULL. */
const char *inspect_kind_name(int64_t kind);
/* Whether the table traces offset `offset` of type `id`. */
bool inspect_traced(const inspection *in, size_t id, int64_t offset);
/* Whether the table lists `offset` among the weak pointers of type `id`. */
bool inspect_weak(const inspection *in, size_t id, int64_t offset);
/* The allocation size of a struct of `size` bytes: tgc_round_up_size(). */
int64_t inspect_alloc_size(int64_t size);
/* The flexible array `items[]` of an array type's struct, or NULL. */
const inspect_member *inspect_items(const inspect_struct *st);
/* Frees what `in` holds (not `in` itself). */
void inspection_free(inspection *in);

/* entries[k], k >= 1, is type id first_id + k - 1 (typegc gen
 * --first-type-id); 0 stays 0. */
static inline int64_t inspect_first_id(const inspection *in)
{
    return in->first_id > 0 ? in->first_id : 1;
}

static inline int64_t inspect_id_at(const inspection *in, size_t index)
{
    return index == 0 ? 0 : (int64_t)index + inspect_first_id(in) - 1;
}

#endif
