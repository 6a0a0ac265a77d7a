/* heap_file.h -- a heap dump (tgc_dump_heap's file, in the format of
 * runtime/FORMATS.md) read record by record (heap_file.c): the types are
 * kept, each object is handed to a visitor and forgotten, so that a dump
 * of any size is read in memory that does not grow with it. */
#ifndef TYPEGC_HEAP_FILE_H
#define TYPEGC_HEAP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_MAX_TYPE_ID 0xffffu

typedef struct heap_type {
    uint32_t id;
    char *name;
} heap_type;

typedef struct heap_object {
    uint64_t index;             /* records are numbered from 1 */
    uint64_t address;
    uint64_t size;
    uint64_t parent;            /* the record that reached it first; 0: a root */
    uint32_t type;              /* index into heap_dump.types */
    uint64_t n_refs;
    const uint8_t *refs;        /* the encoded references, for heap_refs() */
    size_t refs_size;
} heap_object;

typedef struct heap_dump {
    heap_type *types;
    size_t n_types;
    uint32_t max_id;            /* the largest id in the type table */
    int32_t *type_of_id;        /* [max_id + 1]: index in types, or -1 */
    uint64_t objects, bytes, roots;
} heap_dump;

typedef void (*heap_visitor)(const heap_object *object, void *arg);

/* Reads the dump in `data`, calling visit(object, arg) for each object in
 * the file's order (parents before the objects they reached); false with
 * the reason in `error` if it is not a dump, or truncated, or
 * inconsistent (objects visited before the problem was found have been
 * visited).  `d` is to be freed with heap_free in either case. */
bool heap_parse(const uint8_t *data, size_t size, heap_dump *d, heap_visitor visit, void *arg,
                char *error, size_t error_size);
void heap_free(heap_dump *d);

/* The addresses `o` refers to, into out[o->n_refs] (checked by heap_parse
 * before `o` was visited). */
void heap_refs(const heap_object *o, uint64_t *out);

#endif
