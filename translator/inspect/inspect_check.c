/* inspect_check.c -- every figure of the type table against the structs.
 *
 * The structs are the truth here: they are what the compiler built the
 * program's objects from, under the flags it was given.  The table is what
 * the collector believes about those objects: how big they are, where the
 * GC pointers it must trace lie, which ids are subclasses of which.  Any
 * difference is a heap the collector would misread, so each one becomes a
 * problem naming the type and the field:
 *     type 'Caption', field 'owner': the table says offset 56, the struct has 57
 * The header's enum constants are checked too: TGC_NEW allocates T__SIZE
 * bytes and writes T__TYPE_ID into the header. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "typegc_types.h"
#include "xalloc.h"

#define NO_KIND ((value_kind)0)
#define TYPE_ID_BITS 0xffff     /* the low half of infobits */
_Static_assert(TYPE_ID_BITS + 1 == TGC_T_IS_VARSIZE,
               "type ids fill the infobits below the first TGC_T_ flag");
#define OBJECT_ALIGN 8          /* objects are TGC_WORD-aligned */

/* Below, `id` names an index into entries[]; inspect_id_at() gives the
 * type id the table and the header use for it. */

static const char *name_of_id(const inspection *in, int64_t type_id)
{
    int64_t id = type_id - inspect_first_id(in) + 1;
    if (type_id > 0 && id > 0 && (size_t)id < in->n_entries && in->entries[id].name != NULL)
        return in->entries[id].name;
    return "no type";
}

static const char *kind_text(int64_t kind, char *buf, size_t size)
{
    const char *name = inspect_kind_name(kind);
    if (name != NULL)
        return name;
    snprintf(buf, size, "kind %lld", (long long)kind);
    return buf;
}

/* Compares the header's constant PREFIX`suffix` with `want`. */
static void check_constant(inspection *in, const char *type, const char *suffix,
                           int64_t want, const char *what)
{
    strbuf name = STRBUF_INIT;
    sb_printf(&name, "%s%s", type, suffix);
    int64_t value;
    if (!inspect_constant(in, sb_text(&name), &value))
        inspect_problem_add(in, type, NULL, "the header has no %s",
                            sb_text(&name));
    else if (value != want)
        inspect_problem_add(in, type, NULL, "the header says %s %lld, %s %lld",
                            sb_text(&name), (long long)value, what,
                            (long long)want);
    sb_free(&name);
}

/* T__HAS_GCPTR (the Boehm build's choice of GC_MALLOC_ATOMIC), where the
 * header has it. */
static void check_has_gcptr(inspection *in, const char *type, bool want)
{
    strbuf name = STRBUF_INIT;
    sb_printf(&name, "%s__HAS_GCPTR", type);
    int64_t value;
    if (inspect_constant(in, sb_text(&name), &value) && value != (want ? 1 : 0))
        inspect_problem_add(in, type, NULL, "the header says %s %lld, but %s",
                            sb_text(&name), (long long)value,
                            want ? "the struct has GC pointers"
                                 : "the struct has no GC pointer");
    sb_free(&name);
}

static void check_ids(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    int64_t type_id = inspect_id_at(in, id);
    bool moved = inspect_first_id(in) != 1;
    const char *at = moved ? "its place in the table is for id" : "the type is at index";
    check_constant(in, e->name, "__TYPE_ID", type_id,
                   moved ? at : "the table has the type at index");
    if ((e->infobits & TYPE_ID_BITS) != type_id)
        inspect_problem_add(in, e->name, NULL, "the table's infobits give type "
                            "id %lld, %s %lld",
                            (long long)(e->infobits & TYPE_ID_BITS), at, (long long)type_id);
    if (e->min_subclass_id != type_id)
        inspect_problem_add(in, e->name, NULL, "the table says min_subclass_id "
                            "%lld, %s %lld",
                            (long long)e->min_subclass_id, at, (long long)type_id);
}

static void check_size(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    if (e->c_size != st->size)
        inspect_problem_add(in, e->name, NULL, "the table says size %lld, the "
                            "struct has %lld", (long long)e->c_size,
                            (long long)st->size);
    if (e->c_align != st->align)
        inspect_problem_add(in, e->name, NULL, "the table says alignment %lld, "
                            "the struct has %lld", (long long)e->c_align,
                            (long long)st->align);
    if (st->align != OBJECT_ALIGN)
        inspect_problem_add(in, e->name, NULL, "the struct is %lld-aligned, "
                            "objects are %d-aligned", (long long)st->align,
                            OBJECT_ALIGN);
    if (!st->has_header)
        inspect_problem_add(in, e->name, NULL, "the struct does not begin with "
                            "the header ('tgc_header hdr', or its base as "
                            "'super')");
}

/* One infobits flag: `want` is what the struct calls for, `because` says
 * why when it is set, `because_not` when it is not. */
static void check_flag(inspection *in, size_t id, uint32_t flag,
                       const char *flag_name, bool want, const char *because,
                       const char *because_not)
{
    const table_entry *e = &in->entries[id];
    bool has = (e->infobits & flag) != 0;
    if (has != want)
        inspect_problem_add(in, e->name, NULL, "the table's infobits %s %s, "
                            "but %s", has ? "have" : "lack", flag_name,
                            want ? because : because_not);
}

static void check_gc_flags(inspection *in, size_t id, bool gc_pointers,
                           bool gc_items)
{
    check_flag(in, id, TGC_T_HAS_GCPTR, "TGC_T_HAS_GCPTR", gc_pointers,
               "the struct has GC pointers", "the struct has no GC pointer");
    check_flag(in, id, TGC_T_HAS_GCPTR_IN_VARSIZE, "TGC_T_HAS_GCPTR_IN_VARSIZE",
               gc_items, "the struct's items are GC pointers",
               "the struct has no items that are GC pointers");
    check_flag(in, id, TGC_T_IS_GCARRAY_OF_GCPTR, "TGC_T_IS_GCARRAY_OF_GCPTR",
               gc_items, "the struct's items are GC pointers",
               "the struct has no items that are GC pointers");
}

static void check_base(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    int64_t base = inspect_id_at(in, st->base != NULL ? inspect_type_id(in, st->base) : 0);
    if (st->base != NULL && base == 0)
        inspect_problem_add(in, e->name, NULL, "the struct embeds %s as its "
                            "base, which is not a type of the table", st->base);
    else if (e->base_id != base && e->base_id == 0)
        inspect_problem_add(in, e->name, NULL, "the table says no base, the "
                            "struct embeds %s (id %lld)", st->base, (long long)base);
    else if (e->base_id != base && base == 0)
        inspect_problem_add(in, e->name, NULL, "the table says base %s (id "
                            "%lld), the struct has none",
                            name_of_id(in, e->base_id), (long long)e->base_id);
    else if (e->base_id != base)
        inspect_problem_add(in, e->name, NULL, "the table says base %s (id "
                            "%lld), the struct embeds %s (id %lld)",
                            name_of_id(in, e->base_id), (long long)e->base_id,
                            st->base, (long long)base);
}

/* The member that holds byte `offset`, or NULL. */
static const inspect_member *member_over(const inspect_struct *st, int64_t offset)
{
    for (size_t i = 0; i < st->n_members; i++) {
        const inspect_member *m = &st->members[i];
        if (!m->flexible && m->offset <= offset && offset < m->offset + m->size)
            return m;
    }
    return NULL;
}

/* The first `listed` GC pointer offsets must be exactly the offsets of the
 * struct's ref members: the collector traces those and nothing else. */
/* A pointer member whose slots the table lists as weak (every item of a
 * fixed-size array): not traced, not a GC pointer the table must list. */
static bool is_weak_member(const inspection *in, size_t id, const inspect_member *m)
{
    if (m->kind != KIND_REF || m->flexible)
        return false;
    int64_t items = m->length > 0 ? m->length : 1;
    for (int64_t k = 0; k < items; k++)
        if (!inspect_weak(in, id, m->offset + k * (m->size / items)))
            return false;
    return true;
}

/* The table's weak offsets: each is a pointer member's slot that the table
 * does not trace, and the fields table says kind weak there. */
static void check_weak_offsets(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    size_t listed = e->n_weak_offsets < 0 ? 0 : (size_t)e->n_weak_offsets;
    if (listed > e->weak_offsets_len) {
        inspect_problem_add(in, e->name, NULL, "the table says %lld weak pointer "
                            "offsets, its array %s has %zu",
                            (long long)e->n_weak_offsets,
                            e->weak_offsets_array != NULL ? e->weak_offsets_array
                                                          : "(NULL)",
                            e->weak_offsets_len);
        listed = e->weak_offsets_len;
    }
    check_flag(in, id, TGC_T_HAS_WEAKPTR, "TGC_T_HAS_WEAKPTR", listed > 0,
               "the table lists weak pointers", "the table lists no weak pointer");
    for (size_t i = 0; i < listed; i++) {
        int64_t offset = e->weak_offsets[i];
        const inspect_member *m = member_over(st, offset);
        if (m == NULL || m->kind != KIND_REF || m->flexible)
            inspect_problem_add(in, e->name, NULL, "the table lists offset %lld "
                                "as a weak pointer, where the struct has no "
                                "pointer", (long long)offset);
        else if (inspect_traced(in, id, offset))
            inspect_problem_add(in, e->name, m->name, "the table lists offset "
                                "%lld as weak and traces it too", (long long)offset);
    }
}

static void check_ptr_offsets(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    size_t listed = e->n_ptr_offsets < 0 ? 0 : (size_t)e->n_ptr_offsets;
    if (listed > e->ptr_offsets_len) {
        inspect_problem_add(in, e->name, NULL, "the table says %lld GC pointer "
                            "offsets, its array %s has %zu",
                            (long long)e->n_ptr_offsets,
                            e->ptr_offsets_array != NULL ? e->ptr_offsets_array
                                                         : "(NULL)",
                            e->ptr_offsets_len);
        listed = e->ptr_offsets_len;
    }
    strbuf list = STRBUF_INIT;
    for (size_t i = 0; i < listed; i++)
        sb_printf(&list, "%s%lld", i > 0 ? ", " : "", (long long)e->ptr_offsets[i]);
    size_t before = in->n_problems, refs = 0;
    for (size_t i = 0; i < st->n_members; i++) {
        const inspect_member *m = &st->members[i];
        if (m->kind != KIND_REF || m->flexible || is_weak_member(in, id, m))
            continue;
        /* each item of a fixed-size array f[N] is a GC pointer */
        int64_t items = m->length > 0 ? m->length : 1;
        for (int64_t k = 0; k < items; k++) {
            int64_t offset = m->offset + k * (m->size / items);
            refs++;
            if (!inspect_traced(in, id, offset))
                inspect_problem_add(in, e->name, m->name, "the table does not "
                                    "trace %s: offset %lld is not among its "
                                    "GC pointer offsets (%s)",
                                    m->length > 0 ? "an item" : "it",
                                    (long long)offset,
                                    listed > 0 ? sb_text(&list) : "none");
        }
    }
    for (size_t i = 0; i < listed; i++) {
        int64_t offset = e->ptr_offsets[i];
        const inspect_member *m = member_over(st, offset);
        if (m == NULL)
            inspect_problem_add(in, e->name, NULL, "the table traces offset "
                                "%lld, where the struct has no field",
                                (long long)offset);
        else if (m->length > 0 ? (offset - m->offset) % (m->size / m->length) != 0
                               : m->offset != offset)
            inspect_problem_add(in, e->name, NULL, "the table traces offset "
                                "%lld, inside '%s' (offset %lld)",
                                (long long)offset, m->name, (long long)m->offset);
        else if (m->kind != KIND_REF)
            inspect_problem_add(in, e->name, NULL, "the table traces offset "
                                "%lld, where the struct has '%s', a %s",
                                (long long)offset, m->name, m->c_type);
    }
    if (in->n_problems == before && listed != refs)
        inspect_problem_add(in, e->name, NULL, "the table lists %zu GC pointer "
                            "offsets (%s), the struct has %zu GC pointers",
                            listed, sb_text(&list), refs);
    sb_free(&list);
}

static void check_ref(inspection *in, const char *type, const char *field,
                      int64_t table_id, const char *to)
{
    if (to == NULL) {       /* void *: kind any, no declared type */
        if (table_id != 0)
            inspect_problem_add(in, type, field, "the table says it points to "
                                "%s (id %lld), the struct to any object (void *)",
                                name_of_id(in, table_id), (long long)table_id);
        return;
    }
    int64_t id = inspect_id_at(in, inspect_type_id(in, to));
    if (id == 0)
        inspect_problem_add(in, type, field, "the struct points to %s, which "
                            "is not a type of the table", to);
    else if (table_id != id)
        inspect_problem_add(in, type, field, "the table says it points to %s "
                            "(id %lld), the struct to %s (id %lld)",
                            name_of_id(in, table_id), (long long)table_id, to,
                            (long long)id);
}

static void check_field(inspection *in, const char *type, const table_field *f,
                        const inspect_member *m)
{
    char buf[32];
    if (f->offset != m->offset)
        inspect_problem_add(in, type, f->name, "the table says offset %lld, "
                            "the struct has %lld", (long long)f->offset,
                            (long long)m->offset);
    if (m->bit_field)
        inspect_problem_add(in, type, f->name, "the struct declares it as a "
                            "bit-field");
    if (m->kind == NO_KIND)
        inspect_problem_add(in, type, f->name, "the struct's type, %s, has no "
                            "typegc kind", m->c_type);
    else if (f->kind != (int64_t)m->kind &&
             !(f->kind == KIND_WEAK && m->kind == KIND_REF && m->ref_to != NULL))
        inspect_problem_add(in, type, f->name, "the table says %s (%lld bytes), "
                            "the struct has %s: %s (%lld bytes)",
                            kind_text(f->kind, buf, sizeof buf),
                            (long long)f->size, m->c_type,
                            inspect_kind_name(m->kind), (long long)m->size);
    else if (f->size != m->size)
        inspect_problem_add(in, type, f->name, "the table says size %lld, the "
                            "struct has %lld", (long long)f->size,
                            (long long)m->size);
    if (m->kind == KIND_REF && (f->kind == KIND_REF || f->kind == KIND_WEAK))
        check_ref(in, type, f->name, f->ref_type_id, m->ref_to);
}

/* The table's fields, every one of them, inherited ones included, by name. */
static void check_fields(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    size_t listed = e->n_fields < 0 ? 0 : (size_t)e->n_fields;
    if (listed > e->fields_len) {
        inspect_problem_add(in, e->name, NULL, "the table says %lld fields, its "
                            "array %s has %zu", (long long)e->n_fields,
                            e->fields_array != NULL ? e->fields_array : "(NULL)",
                            e->fields_len);
        listed = e->fields_len;
    }
    bool *matched = xcalloc(st->n_members, sizeof *matched);
    for (size_t i = 0; i < listed; i++) {
        const table_field *f = &e->fields[i];
        if (f->name == NULL) {
            inspect_problem_add(in, e->name, NULL, "field %zu of %s has no name",
                                i, e->fields_array);
            continue;
        }
        size_t m = 0;
        while (m < st->n_members &&
               (matched[m] || strcmp(st->members[m].name, f->name) != 0))
            m++;
        if (m == st->n_members) {
            inspect_problem_add(in, e->name, f->name, "in the table, but the "
                                "struct has no such member");
            continue;
        }
        matched[m] = true;
        check_field(in, e->name, f, &st->members[m]);
    }
    for (size_t m = 0; m < st->n_members; m++)
        if (!matched[m])
            inspect_problem_add(in, e->name, st->members[m].name, "in the "
                                "struct, but not among the table's fields");
    free(matched);
}

/* Pointer members, weak ones too (T__HAS_GCPTR: a pointer member the
 * other backends scan), or only the strong ones (TGC_T_HAS_GCPTR). */
static bool has_gc_pointers(const inspection *in, size_t id,
                            const inspect_struct *st, bool strong_only)
{
    for (size_t i = 0; i < st->n_members; i++)
        if (st->members[i].kind == KIND_REF &&
            !(strong_only && is_weak_member(in, id, &st->members[i])))
            return true;
    return false;
}

static void check_struct(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    int64_t alloc = inspect_alloc_size(st->size);
    if (e->fixed_size != alloc)
        inspect_problem_add(in, e->name, NULL, "the table says allocation size "
                            "%lld, the struct needs %lld",
                            (long long)e->fixed_size, (long long)alloc);
    check_constant(in, e->name, "__SIZE", alloc, "the struct needs");
    check_base(in, id);
    check_fields(in, id);
    check_gc_flags(in, id, has_gc_pointers(in, id, st, true), false);
    check_has_gcptr(in, e->name, has_gc_pointers(in, id, st, false));
    check_ptr_offsets(in, id);
    check_weak_offsets(in, id);
}

/* An array type's struct is its header, `int64_t length` and the flexible
 * `items[]`, and nothing else. */
static void check_array(inspection *in, size_t id, const inspect_member *items)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    const inspect_member *length = NULL;
    for (size_t i = 0; i < st->n_members; i++) {
        const inspect_member *m = &st->members[i];
        if (strcmp(m->name, "length") == 0 && !m->flexible)
            length = m;
        else if (m != items)
            inspect_problem_add(in, e->name, m->name, "an array's struct has "
                                "only 'length' and 'items'");
    }
    if (length == NULL) {
        inspect_problem_add(in, e->name, "length", "the struct has no such "
                            "member");
    } else {
        if (length->kind != KIND_I64)
            inspect_problem_add(in, e->name, "length", "the struct has %s, the "
                                "runtime reads an int64_t", length->c_type);
        if (e->length_offset != length->offset)
            inspect_problem_add(in, e->name, "length", "the table says offset "
                                "%lld, the struct has %lld",
                                (long long)e->length_offset,
                                (long long)length->offset);
    }
    if (e->items_offset != items->offset)
        inspect_problem_add(in, e->name, "items", "the table says offset %lld, "
                            "the struct has %lld", (long long)e->items_offset,
                            (long long)items->offset);
    if (e->fixed_size != items->offset)
        inspect_problem_add(in, e->name, NULL, "the table says fixed size %lld, "
                            "the struct has its items at %lld",
                            (long long)e->fixed_size, (long long)items->offset);
    check_constant(in, e->name, "__ITEMS_OFFSET", items->offset,
                   "the struct has its items at");
    char buf[32];
    if (items->kind == NO_KIND)
        inspect_problem_add(in, e->name, "items", "the struct's item type, %s, "
                            "has no typegc kind", items->c_type);
    else if (e->item_kind != (int64_t)items->kind)
        inspect_problem_add(in, e->name, "items", "the table says items of %s "
                            "(%lld bytes), the struct has %s: %s (%lld bytes)",
                            kind_text(e->item_kind, buf, sizeof buf),
                            (long long)e->item_size, items->c_type,
                            inspect_kind_name(items->kind),
                            (long long)items->size);
    else if (e->item_size != items->size)
        inspect_problem_add(in, e->name, "items", "the table says item size "
                            "%lld, the struct has %lld",
                            (long long)e->item_size, (long long)items->size);
    check_constant(in, e->name, "__ITEM_SIZE", items->size,
                   "the struct's items have");
    bool gc_items = items->kind == KIND_REF;
    check_gc_flags(in, id, gc_items, gc_items);
    check_has_gcptr(in, e->name, gc_items);
    if (e->base_id != 0)
        inspect_problem_add(in, e->name, NULL, "the table gives an array type "
                            "a base, %s", name_of_id(in, e->base_id));
    if (e->n_ptr_offsets != 0)
        inspect_problem_add(in, e->name, NULL, "the table lists %lld GC pointer "
                            "offsets for an array type",
                            (long long)e->n_ptr_offsets);
    if (e->n_fields != 0)
        inspect_problem_add(in, e->name, NULL, "the table lists %lld fields for "
                            "an array type", (long long)e->n_fields);
}

static bool checkable(const inspection *in, size_t id)
{
    return in->entries[id].name != NULL && in->structs[id].found;
}

/* Whether type `id` is `ancestor` or derives from it, by the structs. */
static bool descends(const inspection *in, size_t id, size_t ancestor)
{
    for (size_t steps = 0; steps < in->n_entries && id != 0; steps++) {
        if (id == ancestor)
            return true;
        const char *base = in->structs[id].base;
        id = base != NULL ? inspect_type_id(in, base) : 0;
    }
    return false;
}

/* The subclasses the structs give a type must be the ids right after it,
 * id..max_subclass_id, for isinstance to be one compare. */
static void check_subclasses(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    size_t max = id, count = 0;
    strbuf list = STRBUF_INIT;
    for (size_t sub = 1; sub < in->n_entries; sub++) {
        if (sub == id || !checkable(in, sub) || !descends(in, sub, id))
            continue;
        sb_printf(&list, "%s%s (%lld)", count > 0 ? ", " : "",
                  in->entries[sub].name, (long long)inspect_id_at(in, sub));
        count++;
        if (sub > max)
            max = sub;
    }
    if (max - id != count)
        inspect_problem_add(in, e->name, NULL, "its subclasses by the structs, "
                            "%s, are not the ids right after it", sb_text(&list));
    else if (e->max_subclass_id != inspect_id_at(in, max))
        inspect_problem_add(in, e->name, NULL, "the table says subclasses "
                            "%lld..%lld, the structs give %lld..%lld",
                            (long long)inspect_id_at(in, id), (long long)e->max_subclass_id,
                            (long long)inspect_id_at(in, id), (long long)inspect_id_at(in, max));
    sb_free(&list);
}

static void check_entry(inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    if (e->name == NULL) {
        inspect_problem_add(in, NULL, NULL, "entry %zu of %s is empty",
                            id, in->types_array);
        return;
    }
    if (!st->found) {
        inspect_problem_add(in, e->name, NULL, "the table names it, but no "
                            "struct %s is defined", e->name);
        return;
    }
    check_ids(in, id);
    check_size(in, id);
    const inspect_member *items = inspect_items(st);
    bool table_array = (e->infobits & TGC_T_IS_VARSIZE) != 0;
    if (table_array && items == NULL)
        inspect_problem_add(in, e->name, NULL, "the table says an array type "
                            "(TGC_T_IS_VARSIZE), the struct has no flexible "
                            "array member");
    else if (!table_array && items != NULL)
        inspect_problem_add(in, e->name, NULL, "the table says a fixed-size "
                            "type, the struct ends in the flexible array '%s'",
                            items->name);
    else if (items != NULL)
        check_array(in, id, items);
    else
        check_struct(in, id);
    check_subclasses(in, id);
}

void inspect_check(inspection *in)
{
    if (in->n_entries < 2)
        inspect_problem_add(in, NULL, NULL, "the table %s has no types",
                            in->types_array);
    if (in->n_types != (int64_t)in->n_entries)
        inspect_problem_add(in, NULL, NULL, "the table says n_types %lld, its "
                            "array %s has %zu entries", (long long)in->n_types,
                            in->types_array, in->n_entries);
    for (size_t id = 1; id < in->n_entries; id++)
        check_entry(in, id);
}
