/* generated_names.c -- the table of the names the emitted C derives from
 * a schema's names, and the walks over it. */
#include "generated_names.h"

#include "strbuf.h"

const generated_name generated_names[] = {
    { GEN_OF_SCHEMA,    GEN_GUARD_PREFIX, GEN_GUARD_SUFFIX, "NAME.h's include guard" },
    { GEN_OF_SCHEMA,    "", GEN_TABLE,          "the type table (tgc_type_table)" },
    { GEN_OF_SCHEMA,    "", GEN_TYPE_INFOS,     "its entries, static in NAME.c" },
    { GEN_OF_SCHEMA,    "", GEN_SCHEMA_INIT,    "int NAME_init(void): tgc_init(&NAME_types)" },
    { GEN_OF_SCHEMA,    "", GEN_ID_OF,          "macro: the type id of a pointer's static type, for T_of()" },
    { GEN_OF_TYPE,      "", "",                 "the struct tag and its typedef" },
    { GEN_OF_TYPE,      "", GEN_TYPE_ID,        "the type id (enum constant)" },
    { GEN_OF_TYPE,      "", GEN_HAS_GCPTR,      "1 if it holds GC pointers (enum constant)" },
    { GEN_OF_TYPE,      "", GEN_TYPE_INIT,      "fills a fresh object (TGC_NEW calls it)" },
    { GEN_OF_TYPE,      "", GEN_NEW,            "allocates one" },
    { GEN_OF_TYPE,      "", GEN_ISINSTANCE,     "the type test, subclasses included" },
    { GEN_OF_STRUCT,    "", GEN_SIZE,           "the allocation size (enum constant)" },
    { GEN_OF_STRUCT,    "", GEN_PTR_OFFSETS,    "its GC pointer offsets, static in NAME.c" },
    { GEN_OF_STRUCT,    "", GEN_WEAK_OFFSETS,   "its weak pointer offsets, static in NAME.c" },
    { GEN_OF_STRUCT,    "", GEN_FIELDS,         "its field table, static in NAME.c" },
    { GEN_OF_STRUCT,    "", GEN_UPCAST,         "macro: a T or a subclass of T, as a T *; a compile error otherwise" },
    { GEN_OF_STRUCT,    "", GEN_HAS_DESTRUCTOR, "1 if a destructor runs for its objects (enum constant)" },
    { GEN_OF_STRUCT,    "", GEN_HAS_WEAKPTR,    "1 if it has weak fields, inherited ones included (enum constant)" },
    { GEN_OF_STRUCT,    "", GEN_DESTRUCT,       "the destructor the program defines, if T declares one" },
    { GEN_OF_STRUCT,    "", GEN_DESTRUCTOR_THUNK, "calls it with the right type, static in NAME.c" },
    { GEN_OF_REF_FIELD, "", GEN_SETTER,         "stores GC pointer field F, strong or weak (an item of it, bounds checked, if it has a length), with the barrier" },
    { GEN_OF_ARRAY,     "", GEN_ITEMS_OFFSET,   "the offset of item 0 (enum constant)" },
    { GEN_OF_ARRAY,     "", GEN_ITEM_SIZE,      "the size of an item (enum constant)" },
    { GEN_OF_ARRAY,     "", GEN_LENGTH,         "the length" },
    { GEN_OF_ARRAY,     "", GEN_GET,            "reads an item, bounds checked" },
    { GEN_OF_ARRAY,     "", GEN_SET,            "writes an item, bounds checked" },
    { GEN_OF_OBJECT,    "", GEN_PREBUILT,       "prebuilt object O of type T: static data, declared extern in NAME.h" },
};
const size_t n_generated_names =
    sizeof generated_names / sizeof generated_names[0];

/* Visits the name a + b + c + d. */
static bool visit_joined(name_visitor *visit, void *ctx, const char *a,
                         const char *b, const char *c, const char *d)
{
    strbuf name = STRBUF_INIT;
    sb_puts(&name, a);
    sb_puts(&name, b);
    sb_puts(&name, c);
    sb_puts(&name, d);
    bool go_on = visit(ctx, sb_text(&name));
    sb_free(&name);
    return go_on;
}

/* Visits the names of `scope` made from `base`. */
static bool visit_scope(name_visitor *visit, void *ctx, gen_scope scope,
                        const char *base)
{
    for (size_t i = 0; i < n_generated_names; i++) {
        const generated_name *g = &generated_names[i];
        if (g->scope == scope &&
            !visit_joined(visit, ctx, g->prefix, base, g->suffix, ""))
            return false;
    }
    return true;
}

bool names_of_schema(const schema *s, name_visitor *visit, void *ctx)
{
    return visit_scope(visit, ctx, GEN_OF_SCHEMA, s->name);
}

bool names_of_type(const type_def *t, name_visitor *visit, void *ctx)
{
    if (!visit_scope(visit, ctx, GEN_OF_TYPE, t->name))
        return false;
    if (t->is_array)
        return visit_scope(visit, ctx, GEN_OF_ARRAY, t->name);
    if (!visit_scope(visit, ctx, GEN_OF_STRUCT, t->name))
        return false;
    /* the names of every ref field, inherited ones too */
    for (size_t i = 0; i < n_generated_names; i++) {
        const generated_name *g = &generated_names[i];
        if (g->scope != GEN_OF_REF_FIELD)
            continue;
        for (const type_def *owner = t->ref_holder; owner != NULL;
             owner = owner->base != NULL ? owner->base->ref_holder : NULL)
            for (size_t j = 0; j < owner->n_fields; j++)
                if (kind_is_pointer(owner->fields[j].value.kind) &&
                    !visit_joined(visit, ctx, g->prefix, t->name, g->suffix,
                                  owner->fields[j].name))
                    return false;
    }
    return true;
}

bool names_of_object(const object_def *o, name_visitor *visit, void *ctx)
{
    for (size_t i = 0; i < n_generated_names; i++) {
        const generated_name *g = &generated_names[i];
        if (g->scope == GEN_OF_OBJECT &&
            !visit_joined(visit, ctx, g->prefix, o->type->name, g->suffix, o->name))
            return false;
    }
    return true;
}
