/* names.c -- the file-scope names the emitted code declares. */
#include "names.h"

#include "strbuf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Visits the name a + b + c. */
static bool visit_joined(name_visitor *visit, void *ctx, const char *a,
                         const char *b, const char *c)
{
    strbuf name = STRBUF_INIT;
    sb_puts(&name, a);
    sb_puts(&name, b);
    sb_puts(&name, c);
    bool go_on = visit(ctx, sb_text(&name));
    sb_free(&name);
    return go_on;
}

static bool visit_suffixed(name_visitor *visit, void *ctx, const char *base,
                           const char *const *suffixes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!visit_joined(visit, ctx, base, suffixes[i], ""))
            return false;
    return true;
}

bool names_of_schema(const schema *s, name_visitor *visit, void *ctx)
{
    static const char *const suffixes[] = {
        "_types", "__type_infos", "_init",
    };
    return visit_joined(visit, ctx, "TYPEGC_GEN_", s->name, "_H") &&
           visit_suffixed(visit, ctx, s->name, suffixes, COUNT(suffixes));
}

bool names_of_type(const type_def *t, name_visitor *visit, void *ctx)
{
    static const char *const common[] = {
        "", "__TYPE_ID", "__init", "_new", "_isinstance",
    };
    static const char *const for_structs[] = {
        "__SIZE", "__ptr_offsets", "__fields",
    };
    static const char *const for_arrays[] = {
        "__ITEMS_OFFSET", "__ITEM_SIZE", "_length", "_get", "_set",
    };
    if (!visit_suffixed(visit, ctx, t->name, common, COUNT(common)))
        return false;
    if (t->is_array)
        return visit_suffixed(visit, ctx, t->name, for_arrays,
                              COUNT(for_arrays));
    if (!visit_suffixed(visit, ctx, t->name, for_structs, COUNT(for_structs)))
        return false;
    /* a setter for every ref field, inherited ones too */
    for (const type_def *owner = t; owner != NULL; owner = owner->base)
        for (size_t i = 0; i < owner->n_fields; i++)
            if (owner->fields[i].value.kind == KIND_REF &&
                !visit_joined(visit, ctx, t->name, "_set_",
                              owner->fields[i].name))
                return false;
    return true;
}
