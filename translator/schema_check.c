/* schema_check.c -- checks what a loaded schema means: that its names can
 * be C names, that each type is declared once and every type named exists,
 * that inheritance is a forest of struct types, that no field hides a
 * base's field and that no two generated names collide.  Links bases and
 * ref targets on the way.  The checks run in file order and stop at the
 * first problem, so the same schema always gets the same message. */
#include <stdlib.h>
#include <string.h>

#include "reserved_names.h"
#include "diag.h"
#include "generated_names.h"
#include "prebuilt_check.h"
#include "schema.h"
#include "strbuf.h"
#include "strmap.h"
#include "xalloc.h"

typedef struct checker {
    schema *s;
    strmap types;       /* type name -> index of its first declaration */
    strmap fields;      /* "Type.field" -> index in the type's fields */
} checker;

static bool check_name(const checker *c, const char *type, const char *field,
                       const char *name, name_use use)
{
    const char *problem = c_name_problem(name, use);
    if (problem == NULL)
        return true;
    diag_schema(c->s->file, type, field, "'%s' %s", name, problem);
    return false;
}

static bool check_schema_name(const checker *c)
{
    const schema *s = c->s;
    const char *problem = c_name_problem(s->name, NAME_OF_SCHEMA);
    if (problem == NULL)
        return true;
    if (s->name_from_file)
        diag_schema(s->file, NULL, NULL,
                    "schema name '%s' (from the file name) %s; "
                    "choose another with --name", s->name, problem);
    else
        diag_schema(s->file, NULL, NULL, "schema name '%s' (from --name) %s",
                    s->name, problem);
    return false;
}

static type_def *find_type(const checker *c, const char *name)
{
    size_t i = strmap_get(&c->types, name);
    return i == STRMAP_NONE ? NULL : &c->s->types[i];
}

static bool check_fields(checker *c, type_def *t)
{
    for (size_t i = 0; i < t->n_fields; i++) {
        field_def *f = &t->fields[i];
        if (!check_name(c, t->name, f->name, f->name, NAME_OF_FIELD))
            return false;
        strbuf key = STRBUF_INIT;
        sb_printf(&key, "%s.%s", t->name, f->name);
        bool fresh = strmap_add(&c->fields, sb_text(&key), i) == STRMAP_NONE;
        sb_free(&key);
        if (!fresh) {
            diag_schema(c->s->file, t->name, f->name, "duplicate field '%s'",
                        f->name);
            return false;
        }
        if (kind_has_target(f->value.kind)) {
            f->value.target = find_type(c, f->value.to);
            if (f->value.target == NULL) {
                diag_schema(c->s->file, t->name, f->name, "unknown type '%s'",
                            f->value.to);
                return false;
            }
        }
    }
    return true;
}

static bool check_base(const checker *c, type_def *t)
{
    t->base = find_type(c, t->base_name);
    if (t->base == NULL) {
        diag_schema(c->s->file, t->name, NULL, "unknown base type '%s'",
                    t->base_name);
        return false;
    }
    if (t->base->is_array) {
        diag_schema(c->s->file, t->name, NULL,
                    "base type '%s' is an array type; only struct types can "
                    "be bases", t->base_name);
        return false;
    }
    return true;
}

static bool check_item(const checker *c, type_def *t)
{
    if (t->item.kind != KIND_REF)
        return true;
    t->item.target = find_type(c, t->item.to);
    if (t->item.target == NULL) {
        diag_schema(c->s->file, t->name, NULL, "unknown type '%s' in 'array'",
                    t->item.to);
        return false;
    }
    return true;
}

static bool check_type(checker *c, type_def *t)
{
    if (!check_name(c, t->name, NULL, t->name, NAME_OF_TYPE))
        return false;
    if (strmap_get(&c->types, t->name) != t->index) {
        diag_schema(c->s->file, t->name, NULL, "duplicate type '%s'", t->name);
        return false;
    }
    if (t->is_array)
        return check_item(c, t);
    if (t->base_name != NULL && !check_base(c, t))
        return false;
    return check_fields(c, t);
}

/* Names the cycle through `on_cycle`, from its first type in the file. */
static void report_cycle(const checker *c, const type_def *on_cycle)
{
    const type_def *first = on_cycle;
    for (const type_def *t = on_cycle->base; t != on_cycle; t = t->base)
        if (t->index < first->index)
            first = t;
    strbuf path = STRBUF_INIT;
    sb_puts(&path, first->name);
    const type_def *t = first;
    do {
        t = t->base;
        sb_printf(&path, " -> %s", t->name);
    } while (t != first);
    diag_schema(c->s->file, first->name, NULL, "inheritance cycle %s",
                sb_text(&path));
    sb_free(&path);
}

/* Follows each type's bases, marking the types met with the number of the
 * walk; meeting a type marked by the same walk closes a cycle.  The first
 * cycle found holds the first type in the file that is on any cycle. */
static bool check_cycles(const checker *c)
{
    const schema *s = c->s;
    size_t *walk = xcalloc(s->n_types, sizeof *walk);
    bool ok = true;
    for (size_t i = 0; i < s->n_types && ok; i++) {
        const type_def *t = &s->types[i];
        while (t != NULL && walk[t->index] == 0) {
            walk[t->index] = i + 1;
            t = t->base;
        }
        if (t != NULL && walk[t->index] == i + 1) {
            report_cycle(c, t);
            ok = false;
        }
    }
    free(walk);
    return ok;
}

/* Runs once there are no cycles: a field may not reuse the name of a
 * field of any of its type's bases.  Only a name that more than one type
 * declares can clash, so only for those are the bases walked: the check
 * stays linear in a deep chain of distinct names. */
static bool check_inherited_fields(const checker *c)
{
    strmap first_owner = STRMAP_INIT, shared = STRMAP_INIT;
    for (size_t i = 0; i < c->s->n_types; i++) {
        const type_def *t = &c->s->types[i];
        for (size_t j = 0; j < t->n_fields; j++) {
            size_t owner = strmap_add(&first_owner, t->fields[j].name, i);
            if (owner != STRMAP_NONE && owner != i)
                strmap_add(&shared, t->fields[j].name, i);
        }
    }
    bool ok = true;
    for (size_t i = 0; ok && i < c->s->n_types; i++) {
        const type_def *t = &c->s->types[i];
        for (size_t j = 0; ok && j < t->n_fields; j++) {
            const char *name = t->fields[j].name;
            if (strmap_get(&shared, name) == STRMAP_NONE)
                continue;
            for (const type_def *b = t->base; ok && b != NULL; b = b->base) {
                strbuf key = STRBUF_INIT;
                sb_printf(&key, "%s.%s", b->name, name);
                bool clash = strmap_get(&c->fields, sb_text(&key)) != STRMAP_NONE;
                sb_free(&key);
                if (clash) {
                    diag_schema(c->s->file, t->name, name,
                                "base type '%s' already has a field '%s'",
                                b->name, name);
                    ok = false;
                }
            }
        }
    }
    strmap_free(&first_owner);
    strmap_free(&shared);
    return ok;
}

static bool declares_ref(const type_def *t)
{
    for (size_t i = 0; i < t->n_fields; i++)
        if (kind_is_pointer(t->fields[i].value.kind))
            return true;
    return false;
}

/* Sets each type's ref_holder and destructor_owner, once there are no
 * cycles: each type is done once, after its bases. */
static void link_ref_holders(schema *s)
{
    bool *done = xcalloc(s->n_types, sizeof *done);
    type_def **pending = xmalloc(s->n_types * sizeof *pending);
    for (size_t i = 0; i < s->n_types; i++) {
        size_t n = 0;
        for (type_def *t = &s->types[i]; t != NULL && !done[t->index]; t = t->base)
            pending[n++] = t;
        while (n > 0) {
            type_def *t = pending[--n];
            t->ref_holder = declares_ref(t) ? t
                            : t->base != NULL ? t->base->ref_holder : NULL;
            t->destructor_owner = t->declares_destructor ? t
                                  : t->base != NULL ? t->base->destructor_owner : NULL;
            done[t->index] = true;
        }
    }
    free(pending);
    free(done);
}

/* Who declares each generated name: a type's index, or n_types for the
 * schema as a whole. */
typedef struct name_owners {
    const schema *s;
    strmap owner_of;
    size_t owner;
    const char *object;     /* the prebuilt object whose names these are,
                               or NULL; its owner is its type */
} name_owners;

/* A generated name lives at file scope, like a type name: it must not be
 * one the included headers take (a type `GC` with a ref field
 * `warn_proc` would define GC_set_warn_proc(), which <gc.h> declares).
 * The include guard is exempt: TYPEGC_GEN_ is the translator's own. */
static bool claim_name(void *ctx, const char *name)
{
    name_owners *o = ctx;
    const char *type =
        o->owner < o->s->n_types ? o->s->types[o->owner].name : NULL;
    const char *problem = strncmp(name, GEN_GUARD_PREFIX,
                                  strlen(GEN_GUARD_PREFIX)) == 0
                              ? NULL : c_name_problem(name, NAME_OF_TYPE);
    if (problem != NULL) {
        if (o->object != NULL)
            diag_object(o->s->file, o->object, NULL, "generated name '%s' %s", name,
                        problem);
        else
            diag_schema(o->s->file, type, NULL, "generated name '%s' %s", name,
                        problem);
        return false;
    }
    size_t earlier = strmap_add(&o->owner_of, name, o->owner);
    if (earlier == STRMAP_NONE)
        return true;
    if (o->object != NULL)
        diag_object(o->s->file, o->object, NULL,
                    "generated name '%s' is also generated for %s '%s'", name,
                    earlier == o->s->n_types ? "the schema" : "type",
                    earlier == o->s->n_types ? o->s->name : o->s->types[earlier].name);
    else if (earlier == o->s->n_types)
        diag_schema(o->s->file, type, NULL,
                    "generated name '%s' is also generated for the schema",
                    name);
    else
        diag_schema(o->s->file, type, NULL,
                    "generated name '%s' is also generated for type '%s'",
                    name, o->s->types[earlier].name);
    return false;
}

static bool check_generated_names(const checker *c)
{
    name_owners o = { c->s, STRMAP_INIT, c->s->n_types, NULL };
    bool ok = names_of_schema(c->s, claim_name, &o);
    for (o.owner = 0; ok && o.owner < c->s->n_types; o.owner++)
        ok = names_of_type(&c->s->types[o.owner], claim_name, &o);
    /* a prebuilt object's name is its type's: T__prebuilt_O */
    for (size_t i = 0; ok && i < c->s->n_objects; i++) {
        o.owner = c->s->objects[i].type->index;
        o.object = c->s->objects[i].name;
        ok = names_of_object(&c->s->objects[i], claim_name, &o);
    }
    strmap_free(&o.owner_of);
    return ok;
}

bool schema_check(schema *s)
{
    checker c = { s, STRMAP_INIT, STRMAP_INIT };
    for (size_t i = 0; i < s->n_types; i++)
        strmap_add(&c.types, s->types[i].name, i);

    bool ok = check_schema_name(&c);
    for (size_t i = 0; ok && i < s->n_types; i++)
        ok = check_type(&c, &s->types[i]);
    ok = ok && check_cycles(&c);
    if (ok)
        link_ref_holders(s);
    ok = ok && check_inherited_fields(&c) && prebuilt_check(s, &c.types) &&
         check_generated_names(&c);

    strmap_free(&c.types);
    strmap_free(&c.fields);
    return ok;
}
