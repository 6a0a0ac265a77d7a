/* emit_source.c -- the text of NAME.c: the type table the collector reads
 * (tgc_type_info per id, with every field and GC pointer offset, inherited
 * ones first) and NAME_init(). */
#include <stdlib.h>

#include "emit.h"
#include "generated_names.h"
#include "layout.h"
#include "xalloc.h"

/* A type's fields, inherited ones first, are a prefix of its first
 * subclass's (ids number the forest in preorder, so a type's first
 * subclass is the next id).  So only the types without subclasses get
 * field and GC-pointer arrays; every other type's entry points into the
 * array of the type found by following first subclasses down, with its
 * own count.  A chain of N types holds one array of N types' fields, not
 * N arrays: the table grows with the fields of the schema, not with them
 * times the depth. */
typedef struct field_counts {
    size_t count;           /* fields, inherited ones included */
    size_t refs;            /* how many of them are GC pointers */
    size_t weaks;           /* how many are weak pointers */
    const type_def *holder; /* the type whose arrays hold them */
} field_counts;

/* The position of a type in s->by_id and in the table: 1 for the first id. */
static uint32_t index_of(const schema *s, const type_def *t)
{
    return t->id - s->first_id + 1;
}

static void count_fields(const schema *s, field_counts *counts)
{
    for (uint32_t k = 1; k <= s->n_types; k++) {
        const type_def *t = s->by_id[k];
        field_counts *c = &counts[k];
        if (t->base != NULL)
            *c = counts[index_of(s, t->base)];
        for (size_t i = 0; i < t->n_fields; i++) {
            c->count++;
            if (kind_is_gcptr(t->fields[i].value.kind))
                c->refs += field_count(&t->fields[i]);
            else if (t->fields[i].value.kind == KIND_WEAK)
                c->weaks += field_count(&t->fields[i]);
        }
    }
    for (uint32_t k = (uint32_t)s->n_types; k >= 1; k--) {
        const type_def *t = s->by_id[k];
        counts[k].holder = t->max_subclass_id > t->id ? counts[k + 1].holder : t;
    }
}

/* T__ptr_offsets (strong GC pointers) or T__weak_offsets (weak ones) of
 * t's lineage, `chain`, the root's first. */
static void emit_offsets(const type_def *t, const type_def **chain, bool weak,
                         strbuf *out)
{
    sb_printf(out, "static const uint32_t %s%s[] = {", t->name,
              weak ? GEN_WEAK_OFFSETS : GEN_PTR_OFFSETS);
    const char *sep = " ";
    for (uint32_t level = 0; level <= t->depth; level++) {
        for (size_t i = 0; i < chain[level]->n_fields; i++) {
            const field_def *f = &chain[level]->fields[i];
            if (weak ? f->value.kind != KIND_WEAK : !kind_is_gcptr(f->value.kind))
                continue;
            /* each item of a fixed-size array is a slot of its own */
            for (uint32_t k = 0; k < field_count(f); k++) {
                sb_printf(out, "%s%u", sep, f->offset + k * kind_info_of(f->value.kind)->size);
                sep = ", ";
            }
        }
    }
    sb_puts(out, " };\n");
}

/* The field arrays of a type without subclasses: every field of its
 * lineage, the root's first. */
static void emit_field_arrays(const type_def *t, const field_counts *c,
                              strbuf *out)
{
    if (c->count == 0)
        return;
    const type_def **chain = xmalloc((t->depth + 1) * sizeof *chain);
    layout_lineage(t, chain);
    sb_printf(out, "\n/* %s", t->name);
    if (t->base != NULL)
        sb_puts(out, ", whose bases use a prefix of these arrays");
    sb_puts(out, " */\n");
    if (c->refs > 0)
        emit_offsets(t, chain, false, out);
    if (c->weaks > 0)
        emit_offsets(t, chain, true, out);
    sb_printf(out, "static const tgc_field_info %s" GEN_FIELDS "[] = {\n", t->name);
    for (uint32_t level = 0; level <= t->depth; level++) {
        for (size_t i = 0; i < chain[level]->n_fields; i++) {
            const field_def *f = &chain[level]->fields[i];
            const kind_info *kind = kind_info_of(f->value.kind);
            sb_printf(out, "    { .name = \"%s\", .kind = %s, .offset = %u, "
                           ".size = %u", f->name, kind->tgc_kind, f->offset,
                      kind->size * field_count(f));
            if (kind_has_target(f->value.kind))
                sb_printf(out, ", .ref_type_id = %s" GEN_TYPE_ID,
                          f->value.target->name);
            sb_puts(out, " },\n");
        }
    }
    sb_puts(out, "};\n");
    free(chain);
}

static void emit_infobits(const type_def *t, const field_counts *all,
                          strbuf *out)
{
    bool ref_items = t->is_array && kind_is_gcptr(t->item.kind);
    sb_printf(out, "        .infobits = %s" GEN_TYPE_ID, t->name);
    if (t->is_array)
        sb_puts(out, " | TGC_T_IS_VARSIZE");
    if (ref_items)
        sb_puts(out, " | TGC_T_HAS_GCPTR_IN_VARSIZE | TGC_T_IS_GCARRAY_OF_GCPTR");
    if (ref_items || all->refs > 0)
        sb_puts(out, " | TGC_T_HAS_GCPTR");
    if (all->weaks > 0)
        sb_puts(out, " | TGC_T_HAS_WEAKPTR");
    sb_puts(out, ",\n");
}

/* The type table's destructor entry takes a void *: each type whose
 * objects have a destructor gets a function that passes the object to
 * its owner's T_destruct() with the type that one declares. */
static void emit_destructor_thunk(const type_def *t, strbuf *out)
{
    if (t->destructor_owner == NULL)
        return;
    const char *owner = t->destructor_owner->name;
    sb_printf(out, "\nstatic void %s" GEN_DESTRUCTOR_THUNK "(void *obj)\n"
                   "{\n"
                   "    %s" GEN_DESTRUCT "((%s *)obj);\n"
                   "}\n", t->name, owner, owner);
}

/* At types[k], k = 1 for the first type's id (typegc_types.h). */
static void emit_type_info(const schema *s, const type_def *t,
                           const field_counts *all, strbuf *out)
{
    sb_printf(out, "    [%u] = {\n", index_of(s, t));
    sb_printf(out, "        .name = \"%s\",\n", t->name);
    emit_infobits(t, all, out);
    if (t->is_array)
        sb_printf(out, "        .fixed_size = %s" GEN_ITEMS_OFFSET ",\n", t->name);
    else
        sb_printf(out, "        .fixed_size = %s" GEN_SIZE ",\n", t->name);
    sb_printf(out, "        .c_size = sizeof(struct %s),\n", t->name);
    sb_printf(out, "        .c_align = _Alignof(struct %s),\n", t->name);
    if (t->base != NULL)
        sb_printf(out, "        .base_id = %s" GEN_TYPE_ID ",\n", t->base->name);
    else
        sb_puts(out, "        .base_id = 0,\n");
    sb_printf(out, "        .min_subclass_id = %s" GEN_TYPE_ID ",\n", t->name);
    sb_printf(out, "        .max_subclass_id = %u,\n", t->max_subclass_id);
    if (all->refs > 0)
        sb_printf(out, "        .n_ptr_offsets = %zu,\n"
                       "        .ptr_offsets = %s" GEN_PTR_OFFSETS ",\n",
                  all->refs, all->holder->name);
    else
        sb_puts(out, "        .n_ptr_offsets = 0,\n"
                     "        .ptr_offsets = NULL,\n");
    if (t->is_array)
        sb_printf(out, "        .item_size = %s" GEN_ITEM_SIZE ",\n"
                       "        .item_kind = %s,\n"
                       "        .length_offset = offsetof(struct %s, length),\n"
                       "        .items_offset = %s" GEN_ITEMS_OFFSET ",\n",
                  t->name, kind_info_of(t->item.kind)->tgc_kind, t->name,
                  t->name);
    if (all->count > 0)
        sb_printf(out, "        .n_fields = %zu,\n"
                       "        .fields = %s" GEN_FIELDS ",\n", all->count,
                  all->holder->name);
    else
        sb_puts(out, "        .n_fields = 0,\n"
                     "        .fields = NULL,\n");
    if (t->destructor_owner != NULL)
        sb_printf(out, "        .destructor = %s" GEN_DESTRUCTOR_THUNK ",\n", t->name);
    if (all->weaks > 0)
        sb_printf(out, "        .n_weak_offsets = %zu,\n"
                       "        .weak_offsets = %s" GEN_WEAK_OFFSETS ",\n",
                  all->weaks, all->holder->name);
    sb_puts(out, "    },\n");
}

void emit_source(const schema *s, strbuf *out)
{
    emit_banner(s, out);
    sb_printf(out, "#include \"%s.h\"\n", s->name);
    if (s->peer != NULL)
        sb_printf(out, "\n/* What typegc_%s.h's calls remember: the type table, the\n"
                       " * handler, the hooks. */\n"
                       "tgc_peer_state tgc_peer;\n", s->peer);

    field_counts *all = xcalloc(s->n_types + 1, sizeof *all);
    count_fields(s, all);
    for (uint32_t k = 1; k <= s->n_types; k++)
        if (all[k].holder == s->by_id[k])
            emit_field_arrays(s->by_id[k], &all[k], out);

    for (uint32_t k = 1; k <= s->n_types; k++)
        emit_destructor_thunk(s->by_id[k], out);

    sb_printf(out, "\nstatic const tgc_type_info %s" GEN_TYPE_INFOS "[] = {\n"
                   "    [0] = { .name = \"(reserved)\" },\n", s->name);
    for (uint32_t k = 1; k <= s->n_types; k++)
        emit_type_info(s, s->by_id[k], &all[k], out);
    sb_puts(out, "};\n");

    emit_prebuilt_definitions(s, out);

    sb_printf(out, "\nconst tgc_type_table %s" GEN_TABLE " = {\n"
                   "    .schema_name = \"%s\",\n"
                   "    .n_types = %zu,\n"
                   "    .types = %s" GEN_TYPE_INFOS ",\n"
                   "    .first_id = %u,\n"
                   "};\n"
                   "\n"
                   "int %s" GEN_SCHEMA_INIT "(void)\n"
                   "{\n"
                   "    return tgc_init(&%s" GEN_TABLE ");\n"
                   "}\n",
              s->name, s->name, s->n_types + 1, s->name, s->first_id, s->name, s->name);

    free(all);
}
