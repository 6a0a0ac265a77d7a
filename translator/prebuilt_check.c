/* prebuilt_check.c -- checks the schema's prebuilt objects ("objects")
 * against its types: each names a type that exists; a struct object gives
 * values to fields its type has (inherited ones included), an array
 * object gives items and a length; each value has its field's kind and
 * fits it; a reference names an object declared in the file, of the
 * field's type or a subclass (any type for `any`), or is null.  Links each
 * object to its type.  The first problem, in file order, is reported as
 * "FILE: object 'O', field 'f': ..." (diag_object()). */
#include "prebuilt_check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "reserved_names.h"
#include "strbuf.h"
#include "strmap.h"

typedef struct object_checker {
    const schema *s;
    const strmap *types;    /* type name -> index in s->types */
    strmap objects;         /* object name -> index in s->objects */
    const object_def *object;
    const char *where;      /* "field 'f'", "field 'f', item 2", "item 3" */
} object_checker;

static const type_def *object_type(const object_checker *c, const char *name)
{
    size_t i = strmap_get(&c->objects, name);
    return i == STRMAP_NONE ? NULL : c->s->objects[i].type;
}

static bool is_subtype(const type_def *t, const type_def *of)
{
    for (; t != NULL; t = t->base)
        if (t == of)
            return true;
    return false;
}

static const char *json_phrase(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL:    return "a number with a fraction or exponent";
    case JSON_TRUE:
    case JSON_FALSE:   return "a boolean";
    case JSON_NULL:    break;
    }
    return "null";
}

static bool fail(const object_checker *c, const char *fmt, const char *a,
                 const char *b, const char *d)
{
    diag_object(c->s->file, c->object->name, c->where, fmt, a, b, d);
    return false;
}

/* The range of an integer kind, as jansson reads integers (a u64 above
 * INT64_MAX cannot be written). */
static void integer_range(value_kind kind, int64_t *min, int64_t *max)
{
    switch (kind) {
    case KIND_I8:  *min = INT8_MIN;  *max = INT8_MAX;  break;
    case KIND_I16: *min = INT16_MIN; *max = INT16_MAX; break;
    case KIND_I32: *min = INT32_MIN; *max = INT32_MAX; break;
    case KIND_U8:  *min = 0; *max = UINT8_MAX;  break;
    case KIND_U16: *min = 0; *max = UINT16_MAX; break;
    case KIND_U32: *min = 0; *max = UINT32_MAX; break;
    case KIND_U64: *min = 0; *max = INT64_MAX;  break;
    default:       *min = INT64_MIN; *max = INT64_MAX; break;
    }
}

static bool check_reference(const object_checker *c, const value_spec *spec,
                            const json_t *v)
{
    const char *kind = kind_info_of(spec->kind)->name;
    if (json_is_null(v))
        return true;
    if (!json_is_string(v))
        return fail(c, "kind '%s' needs the name of an object, or null, not %s", kind,
                    json_phrase(v), NULL);
    const char *name = json_string_value(v);
    const type_def *t = object_type(c, name);
    if (t == NULL)
        return fail(c, "unknown object '%s'", name, NULL, NULL);
    if (spec->kind != KIND_ANY && !is_subtype(t, spec->target)) {
        diag_object(c->s->file, c->object->name, c->where,
                    "object '%s' is a %s, not a %s or a subclass of it", name,
                    t->name, spec->target->name);
        return false;
    }
    return true;
}

static bool check_value(const object_checker *c, const value_spec *spec, const json_t *v)
{
    const char *kind = kind_info_of(spec->kind)->name;
    switch (spec->kind) {
    case KIND_REF:
    case KIND_ANY:
    case KIND_WEAK:
        return check_reference(c, spec, v);
    case KIND_BOOL:
        if (!json_is_boolean(v))
            return fail(c, "kind '%s' needs true or false, not %s", kind, json_phrase(v), NULL);
        return true;
    case KIND_F64:
        if (!json_is_number(v))
            return fail(c, "kind '%s' needs a number, not %s", kind, json_phrase(v), NULL);
        return true;
    default:
        break;
    }
    if (!json_is_integer(v))
        return fail(c, "kind '%s' needs an integer, not %s", kind, json_phrase(v), NULL);
    int64_t min, max;
    integer_range(spec->kind, &min, &max);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max) {
        diag_object(c->s->file, c->object->name, c->where,
                    "%" JSON_INTEGER_FORMAT " does not fit kind '%s' (%" PRId64 " to %" PRId64 ")",
                    n, kind, min, max);
        return false;
    }
    return true;
}

/* A field of t or of one of its bases, or NULL. */
static const field_def *find_field(const type_def *t, const char *name)
{
    for (; t != NULL; t = t->base)
        for (size_t i = 0; i < t->n_fields; i++)
            if (strcmp(t->fields[i].name, name) == 0)
                return &t->fields[i];
    return NULL;
}

/* A field's value; c->where names the field (and the item), in `where`,
 * which stays alive until the next call. */
static bool check_field_value(object_checker *c, const field_def *f, const json_t *v,
                              strbuf *where)
{
    sb_clear(where);
    sb_printf(where, "field '%s'", f->name);
    c->where = sb_text(where);
    if (f->length == 0)
        return check_value(c, &f->value, v);
    if (!json_is_array(v))
        return fail(c, "a field with a length needs an array of values, not %s",
                    json_phrase(v), NULL, NULL);
    if (json_array_size(v) > f->length) {
        diag_object(c->s->file, c->object->name, c->where,
                    "%zu values for a field of length %u", json_array_size(v), f->length);
        return false;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        sb_clear(where);
        sb_printf(where, "field '%s', item %zu", f->name, i);
        c->where = sb_text(where);
        if (!check_value(c, &f->value, json_array_get(v, i)))
            return false;
    }
    return true;
}

static bool check_struct_object(object_checker *c, const object_def *o)
{
    if (o->items != NULL || o->has_length)
        return fail(c, "type '%s' is a struct type: give its values in 'fields', "
                    "not 'items' or 'length'", o->type->name, NULL, NULL);
    if (o->fields == NULL)
        return true;
    const char *name;
    json_t *v;
    strbuf where = STRBUF_INIT;
    bool ok = true;
    json_object_foreach(o->fields, name, v) {
        const field_def *f = find_field(o->type, name);
        if (f == NULL) {
            ok = fail(c, "type '%s' has no field '%s'", o->type->name, name, NULL);
            break;
        }
        if (!(ok = check_field_value(c, f, v, &where)))
            break;
    }
    sb_free(&where);
    return ok;
}

static bool check_array_object(object_checker *c, object_def *o)
{
    if (o->fields != NULL)
        return fail(c, "type '%s' is an array type: give its values in 'items' "
                    "(and 'length'), not 'fields'", o->type->name, NULL, NULL);
    size_t n = json_array_size(o->items);
    if (!o->has_length) {
        if (n > LAYOUT_MAX_PREBUILT_LENGTH) {
            diag_object(c->s->file, o->name, NULL, "%zu items are too many (at most %u)",
                        n, LAYOUT_MAX_PREBUILT_LENGTH);
            return false;
        }
        o->length = n;
    } else if (n > o->length) {
        diag_object(c->s->file, o->name, NULL,
                    "%zu items do not fit its 'length' %" PRIu64 " (the items after "
                    "those given are zero, or null)", n, o->length);
        return false;
    }
    char where[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof where, "item %zu", i);
        c->where = where;
        if (!check_value(c, &o->type->item, json_array_get(o->items, i)))
            return false;
    }
    return true;
}

/* Names and types first, so that a reference may name an object declared
 * later in the file. */
static bool link_objects(object_checker *c)
{
    schema *s = (schema *)c->s;
    for (size_t i = 0; i < s->n_objects; i++) {
        object_def *o = &s->objects[i];
        c->object = o;
        c->where = NULL;
        const char *problem = c_name_problem(o->name, NAME_OF_FIELD);
        if (problem != NULL)
            return fail(c, "'%s' %s", o->name, problem, NULL);
        if (strmap_add(&c->objects, o->name, i) != STRMAP_NONE)
            return fail(c, "duplicate object '%s'", o->name, NULL, NULL);
        size_t t = strmap_get(c->types, o->type_name);
        if (t == STRMAP_NONE)
            return fail(c, "unknown type '%s'", o->type_name, NULL, NULL);
        o->type = &s->types[t];
    }
    return true;
}

bool prebuilt_check(schema *s, const strmap *types)
{
    object_checker c = { s, types, STRMAP_INIT, NULL, NULL };
    bool ok = link_objects(&c);
    for (size_t i = 0; ok && i < s->n_objects; i++) {
        object_def *o = &s->objects[i];
        c.object = o;
        c.where = NULL;
        ok = o->type->is_array ? check_array_object(&c, o) : check_struct_object(&c, o);
    }
    strmap_free(&c.objects);
    return ok;
}
