/* layout.c -- type ids and the x86-64 layout of the emitted structs. */
#include "layout.h"

#include <stdlib.h>

#include "diag.h"
#include "typegc_types.h"
#include "xalloc.h"

/* The layout is the runtime's: these fail the build if typegc_types.h
 * changes under it. */
_Static_assert(LAYOUT_HEADER_SIZE == sizeof(tgc_header),
               "LAYOUT_HEADER_SIZE is sizeof(tgc_header)");
_Static_assert(LAYOUT_STRUCT_ALIGN == _Alignof(tgc_header),
               "LAYOUT_STRUCT_ALIGN is the header's alignment");
_Static_assert(LAYOUT_MIN_OBJECT_SIZE == TGC_MIN_OBJECT_SIZE,
               "LAYOUT_MIN_OBJECT_SIZE is TGC_MIN_OBJECT_SIZE");
_Static_assert(LAYOUT_STRUCT_ALIGN == TGC_WORD,
               "objects are word-aligned");
_Static_assert(LAYOUT_LENGTH_OFFSET == sizeof(tgc_header) &&
               LAYOUT_ITEMS_OFFSET == LAYOUT_LENGTH_OFFSET + sizeof(int64_t),
               "an array is its header, an int64_t length, then the items");
_Static_assert(LAYOUT_MAX_TYPE_ID + 1 == TGC_T_IS_VARSIZE &&
               (LAYOUT_MAX_TYPE_ID & (TGC_T_IS_VARSIZE | TGC_T_HAS_GCPTR_IN_VARSIZE |
                                      TGC_T_IS_GCARRAY_OF_GCPTR | TGC_T_HAS_GCPTR)) == 0,
               "type ids fill the infobits below the first TGC_T_ flag");

#define NONE ((size_t)-1)

/* The inheritance forest as first-child / next-sibling links, by index in
 * the file, children in file order. */
typedef struct forest {
    size_t *first_child;
    size_t *next_sibling;
} forest;

static forest build_forest(const schema *s)
{
    forest f = {
        xmalloc(s->n_types * sizeof(size_t)),
        xmalloc(s->n_types * sizeof(size_t)),
    };
    size_t *last_child = xmalloc(s->n_types * sizeof(size_t));
    for (size_t i = 0; i < s->n_types; i++)
        f.first_child[i] = f.next_sibling[i] = last_child[i] = NONE;
    for (size_t i = 0; i < s->n_types; i++) {
        const type_def *base = s->types[i].base;
        if (base == NULL)
            continue;
        if (last_child[base->index] == NONE)
            f.first_child[base->index] = i;
        else
            f.next_sibling[last_child[base->index]] = i;
        last_child[base->index] = i;
    }
    free(last_child);
    return f;
}

/* Numbers the tree under `root` in preorder without recursion, so a long
 * chain of subclasses cannot overflow the stack. */
static void number_tree(schema *s, const forest *f, type_def *root,
                        uint32_t *next_id)
{
    type_def *t = root;
    for (;;) {
        t->id = (*next_id)++;
        t->depth = t->base != NULL ? t->base->depth + 1 : 0;
        s->by_id[t->id - s->first_id + 1] = t;
        if (f->first_child[t->index] != NONE) {
            t = &s->types[f->first_child[t->index]];
            continue;
        }
        /* t is a leaf: close it and each ancestor it was the last of */
        for (;;) {
            t->max_subclass_id = *next_id - 1;
            if (t == root)
                return;
            if (f->next_sibling[t->index] != NONE) {
                t = &s->types[f->next_sibling[t->index]];
                break;
            }
            t = t->base;
        }
    }
}

static uint64_t align_up(uint64_t n, uint64_t alignment)
{
    return (n + alignment - 1) / alignment * alignment;
}

/* Bases come before their subclasses in id order, so t->base is done. */
static bool lay_out_type(const schema *s, type_def *t)
{
    if (t->is_array) {
        t->c_size = LAYOUT_ITEMS_OFFSET;
        t->alloc_size = LAYOUT_ITEMS_OFFSET;
        return true;
    }
    uint64_t end = t->base != NULL ? t->base->c_size : LAYOUT_HEADER_SIZE;
    for (size_t i = 0; i < t->n_fields; i++) {
        /* a fixed-size array is aligned as one value */
        uint32_t size = kind_info_of(t->fields[i].value.kind)->size;
        end = align_up(end, size);
        if (end > LAYOUT_MAX_SIZE)
            break;
        t->fields[i].offset = (uint32_t)end;
        end += (uint64_t)size * field_count(&t->fields[i]);
    }
    end = align_up(end, LAYOUT_STRUCT_ALIGN);
    if (end > LAYOUT_MAX_SIZE) {
        diag_schema(s->file, t->name, NULL,
                    "the struct is larger than %u bytes", LAYOUT_MAX_SIZE);
        return false;
    }
    t->c_size = (uint32_t)end;
    t->alloc_size = end < LAYOUT_MIN_OBJECT_SIZE ? LAYOUT_MIN_OBJECT_SIZE
                                                 : (uint32_t)end;
    return true;
}

/* schema_load() has checked that n_types <= LAYOUT_MAX_TYPE_ID, the
 * command line that 1 <= first_id <= LAYOUT_MAX_TYPE_ID; together they
 * must fit too. */
static bool check_id_range(const schema *s)
{
    uint64_t last = (uint64_t)s->first_id + s->n_types - 1;
    if (last <= LAYOUT_MAX_TYPE_ID)
        return true;
    diag_schema(s->file, NULL, NULL,
                "%zu types from --first-type-id %u need ids up to %llu: ids "
                "must fit in 16 bits, so at most %u", s->n_types, s->first_id,
                (unsigned long long)last, LAYOUT_MAX_TYPE_ID);
    return false;
}

bool layout_schema(schema *s)
{
    if (s->first_id == 0)
        s->first_id = 1;
    if (!check_id_range(s))
        return false;
    s->by_id = xcalloc(s->n_types + 1, sizeof *s->by_id);
    forest f = build_forest(s);
    uint32_t next_id = s->first_id;
    for (size_t i = 0; i < s->n_types; i++)
        if (s->types[i].base == NULL)
            number_tree(s, &f, &s->types[i], &next_id);
    free(f.first_child);
    free(f.next_sibling);

    for (uint32_t k = 1; k <= s->n_types; k++)
        if (!lay_out_type(s, s->by_id[k]))
            return false;
    return true;
}

void layout_lineage(const type_def *t, const type_def **chain)
{
    for (uint32_t i = t->depth + 1; i-- > 0; t = t->base)
        chain[i] = t;
}
