/* emit_prebuilt.c -- the schema's prebuilt objects ("objects"): their
 * declarations in NAME.h and their definitions, static data with
 * initializers, in NAME.c.
 *
 * Each object `O` of type `T` is the global `struct T T__prebuilt_O`.
 * Its header is TGC_PREBUILT_HEADER_OF(T__TYPE_ID) (typegc_types.h):
 * typegc's collector sees an old object that no store has written to
 * (runtime/prebuilt.h), so nothing runs for it at startup.  A derived
 * type's initializer nests one `.super = { ... }` per base, as its struct
 * embeds them; an array object's items initialize the flexible member (a
 * GNU C extension, marked __extension__), padded with zeros to the object's allocation size, so
 * that whatever reads the object as the collector sizes it stays inside
 * it.  Values were checked by prebuilt_check.c. */
#include <inttypes.h>
#include <stdlib.h>

#include "emit.h"
#include "generated_names.h"
#include "layout.h"
#include "strmap.h"
#include "xalloc.h"

typedef struct object_emitter {
    const schema *s;
    strmap objects;         /* object name -> index in s->objects */
    strbuf *out;
} object_emitter;

static void emit_object_name(strbuf *out, const object_def *o)
{
    sb_printf(out, "%s" GEN_PREBUILT "%s", o->type->name, o->name);
}

/* A reference: the object's address, cast where its type is not the
 * one the slot is declared with (a subclass, or `any`). */
static void emit_reference(const object_emitter *e, const value_spec *spec, const json_t *v)
{
    if (json_is_null(v)) {
        sb_puts(e->out, "NULL");
        return;
    }
    const object_def *target = &e->s->objects[strmap_get(&e->objects, json_string_value(v))];
    if (spec->kind == KIND_ANY)
        sb_puts(e->out, "(void *)");
    else if (target->type != spec->target)
        sb_printf(e->out, "(struct %s *)", spec->target->name);
    sb_putc(e->out, '&');
    emit_object_name(e->out, target);
}

static void emit_value(const object_emitter *e, const value_spec *spec, const json_t *v)
{
    if (kind_is_pointer(spec->kind)) {
        emit_reference(e, spec, v);
    } else if (spec->kind == KIND_BOOL) {
        sb_puts(e->out, json_is_true(v) ? "true" : "false");
    } else if (spec->kind == KIND_F64 && json_is_real(v)) {
        sb_printf(e->out, "%.17g", json_real_value(v));
    } else {
        json_int_t n = json_integer_value(v);
        if (n == INT64_MIN)     /* its literal would be an unsigned one, negated */
            sb_puts(e->out, "(-9223372036854775807LL - 1)");
        else
            sb_printf(e->out, "%" JSON_INTEGER_FORMAT "%s", n,
                      spec->kind == KIND_U64 ? "ULL" : spec->kind == KIND_I64 ? "LL" : "");
    }
}

static void emit_field(const object_emitter *e, const field_def *f, const json_t *v)
{
    sb_printf(e->out, ", .%s = ", f->name);
    if (f->length == 0) {
        emit_value(e, &f->value, v);
        return;
    }
    sb_puts(e->out, "{ ");
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i > 0)
            sb_puts(e->out, ", ");
        emit_value(e, &f->value, json_array_get(v, i));
    }
    sb_puts(e->out, " }");
}

/* The initializer of chain[level]'s struct: its base's (or the header),
 * then its own fields that the object gives. */
static void emit_level(const object_emitter *e, const object_def *o,
                       const type_def **chain, uint32_t level)
{
    const type_def *t = chain[level];
    sb_puts(e->out, "{ ");
    if (level == 0) {
        sb_printf(e->out, ".hdr = TGC_PREBUILT_HEADER_OF(%s" GEN_TYPE_ID ")", o->type->name);
    } else {
        sb_puts(e->out, ".super = ");
        emit_level(e, o, chain, level - 1);
    }
    for (size_t i = 0; i < t->n_fields; i++) {
        const json_t *v = o->fields != NULL ? json_object_get(o->fields, t->fields[i].name)
                                            : NULL;
        if (v != NULL)
            emit_field(e, &t->fields[i], v);
    }
    sb_puts(e->out, " }");
}

static void emit_struct_object(const object_emitter *e, const object_def *o)
{
    const type_def **chain = xmalloc((o->type->depth + 1) * sizeof *chain);
    layout_lineage(o->type, chain);
    emit_level(e, o, chain, o->type->depth);
    free(chain);
}

/* The items given, then zeros up to the length and on to the allocation
 * size (TGC_MIN_OBJECT_SIZE, a multiple of 8), which tgc_object_size()
 * reports. */
static void emit_array_object(const object_emitter *e, const object_def *o)
{
    const type_def *t = o->type;
    uint32_t item_size = kind_info_of(t->item.kind)->size;
    uint64_t bytes = LAYOUT_ITEMS_OFFSET + o->length * item_size;
    bytes = (bytes + 7) & ~(uint64_t)7;
    uint64_t storage = (bytes - LAYOUT_ITEMS_OFFSET) / item_size;
    size_t given = json_array_size(o->items);
    sb_printf(e->out, "{ .hdr = TGC_PREBUILT_HEADER_OF(%s" GEN_TYPE_ID "), .length = %" PRIu64,
              t->name, o->length);
    if (storage > 0) {
        sb_puts(e->out, ", .items = { ");
        for (size_t i = 0; i < given; i++) {
            emit_value(e, &t->item, json_array_get(o->items, i));
            sb_puts(e->out, ", ");
        }
        if (storage > given)
            sb_printf(e->out, "[%" PRIu64 "] = 0 ", storage - 1);
        sb_puts(e->out, "}");
    }
    sb_puts(e->out, " }");
}

void emit_prebuilt_declarations(const schema *s, strbuf *out)
{
    if (s->n_objects == 0)
        return;
    sb_puts(out, "\n/* Prebuilt objects (the schema's \"objects\"): static data, old from\n"
                 " * the start, never freed; the first store of a GC pointer into one\n"
                 " * makes it a root for good (README, \"Prebuilt objects\"). */\n");
    for (size_t i = 0; i < s->n_objects; i++) {
        const object_def *o = &s->objects[i];
        emit_comment(out, "", NULL, o->doc);
        sb_printf(out, "extern struct %s ", o->type->name);
        emit_object_name(out, o);
        sb_puts(out, ";\n");
    }
}

void emit_prebuilt_definitions(const schema *s, strbuf *out)
{
    if (s->n_objects == 0)
        return;
    object_emitter e = { s, STRMAP_INIT, out };
    for (size_t i = 0; i < s->n_objects; i++)
        strmap_add(&e.objects, s->objects[i].name, i);
    sb_puts(out, "\n/* The prebuilt objects, in the schema's order. */\n");
    for (size_t i = 0; i < s->n_objects; i++) {
        const object_def *o = &s->objects[i];
        /* items in the flexible member: GNU C, said so for -pedantic */
        if (o->type->is_array && o->length > 0)
            sb_puts(out, "__extension__ ");
        sb_printf(out, "struct %s ", o->type->name);
        emit_object_name(out, o);
        sb_puts(out, " = ");
        if (o->type->is_array)
            emit_array_object(&e, o);
        else
            emit_struct_object(&e, o);
        sb_puts(out, ";\n");
    }
    strmap_free(&e.objects);
}
