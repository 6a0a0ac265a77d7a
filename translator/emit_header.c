/* emit_header.c -- the text of NAME.h: for each type, in id order, its
 * struct, its id and size constants, asserts that the C compiler lays it
 * out as layout.c did, and its inline functions (allocation, type test,
 * GC pointer setters, array access). */
#include <stdlib.h>

#include "emit.h"
#include "generated_names.h"
#include "layout.h"
#include "xalloc.h"

static void emit_prologue(const schema *s, strbuf *out)
{
    emit_banner(s, out);
    sb_printf(out, "#ifndef " GEN_GUARD_PREFIX "%s" GEN_GUARD_SUFFIX "\n", s->name);
    sb_printf(out, "#define " GEN_GUARD_PREFIX "%s" GEN_GUARD_SUFFIX "\n\n", s->name);
    sb_puts(out, "#include <stdbool.h>\n"
                 "#include <stddef.h>\n"
                 "#include <stdint.h>\n");
    if (s->peer != NULL)
        sb_printf(out, "#include <typegc_%s.h>\n\n", s->peer);
    else
        sb_puts(out, "#include <typegc.h>\n\n");
    sb_puts(out, "#ifdef __cplusplus\n"
                 "extern \"C\" {\n"
                 "#endif\n\n");
    for (uint32_t k = 1; k <= s->n_types; k++)
        sb_printf(out, "typedef struct %s %s;\n", s->by_id[k]->name,
                  s->by_id[k]->name);
}

/* "list.json, type Node: id 1, subclasses 1..1" and what else the
 * reader needs to know at a glance. */
static void emit_type_comment(const schema *s, const type_def *t, strbuf *out)
{
    strbuf head = STRBUF_INIT;
    sb_printf(&head, "%s, type %s: id %u, subclasses %u..%u", s->label,
              t->name, t->id, t->id, t->max_subclass_id);
    if (t->base != NULL)
        sb_printf(&head, ", base %s", t->base->name);
    if (t->is_array) {
        sb_printf(&head, ", array of %s", kind_info_of(t->item.kind)->name);
        if (t->item.kind == KIND_REF)
            sb_printf(&head, " to %s", t->item.to);
    }
    sb_putc(out, '\n');
    emit_comment(out, "", sb_text(&head), t->doc);
    sb_free(&head);
}

/* The compiler must agree with layout.c, or the collector would misread
 * objects: these fail the build instead.  NAME.h compiles as C and C++:
 * TGC_STATIC_ASSERT and the other TGC_ spellings are typegc_types.h's. */
static void emit_size_asserts(const type_def *t, strbuf *out)
{
    sb_printf(out, "TGC_STATIC_ASSERT(sizeof(struct %s) == %u, "
                   "\"%s: layout differs from the schema's\");\n",
              t->name, t->c_size, t->name);
    sb_printf(out, "TGC_STATIC_ASSERT(TGC_ALIGNOF(struct %s) == %u, "
                   "\"%s: layout differs from the schema's\");\n",
              t->name, LAYOUT_STRUCT_ALIGN, t->name);
}

static void emit_offset_assert(const type_def *t, const char *member,
                               uint32_t offset, strbuf *out)
{
    sb_printf(out, "TGC_STATIC_ASSERT(offsetof(struct %s, %s) == %u, "
                   "\"%s.%s: layout differs from the schema's\");\n",
              t->name, member, offset, t->name, member);
}

/* Whether t or one of its bases declares a weak field. */
static bool has_weak_fields(const type_def *t)
{
    for (; t != NULL; t = t->base)
        for (size_t i = 0; i < t->n_fields; i++)
            if (t->fields[i].value.kind == KIND_WEAK)
                return true;
    return false;
}

static void emit_struct(const type_def *t, strbuf *out)
{
    sb_printf(out, "struct %s {\n", t->name);
    if (t->base != NULL)
        sb_printf(out, "    struct %s super;\n", t->base->name);
    else /* tgc_header alone is only 4-aligned; objects are 8-aligned */
        sb_puts(out, "    TGC_ALIGNAS(8) tgc_header hdr;\n");
    for (size_t i = 0; i < t->n_fields; i++) {
        const field_def *f = &t->fields[i];
        emit_comment(out, "    ", NULL, f->doc);
        sb_puts(out, "    ");
        emit_c_type(out, &f->value);
        sb_puts(out, f->name);
        if (f->length > 0)
            sb_printf(out, "[%u]", f->length);
        sb_puts(out, ";\n");
    }
    sb_puts(out, "};\n");
    sb_printf(out, "enum { %s" GEN_TYPE_ID " = %u, %s" GEN_SIZE " = %u, %s" GEN_HAS_GCPTR " = %d, "
                   "%s" GEN_HAS_DESTRUCTOR " = %d, %s" GEN_HAS_WEAKPTR " = %d };\n",
              t->name, t->id, t->name, t->alloc_size, t->name, t->ref_holder != NULL,
              t->name, t->destructor_owner != NULL, t->name, has_weak_fields(t));
    if (t->declares_destructor)
        sb_printf(out, "/* The program defines it: runs once when a %s (or a subclass\n"
                       " * without a destructor of its own) is found dead; it may read the\n"
                       " * object's numbers, and may not allocate, store GC pointers or\n"
                       " * follow the object's references (README, \"Destructors\"). */\n"
                       "void %s" GEN_DESTRUCT "(%s *obj);\n", t->name, t->name, t->name);
    emit_size_asserts(t, out);
    for (size_t i = 0; i < t->n_fields; i++)
        emit_offset_assert(t, t->fields[i].name, t->fields[i].offset, out);
}

static void emit_array_struct(const type_def *t, strbuf *out)
{
    sb_printf(out, "struct %s {\n"
                   "    tgc_header hdr;\n"
                   "    int64_t length;\n", t->name);
    emit_comment(out, "    ", NULL, t->item_doc);
    sb_puts(out, "    ");
    emit_c_type(out, &t->item);
    sb_puts(out, "items[];\n};\n");
    sb_printf(out, "enum { %s" GEN_TYPE_ID " = %u, %s" GEN_ITEMS_OFFSET " = %u, "
                   "%s" GEN_ITEM_SIZE " = %u, %s" GEN_HAS_GCPTR " = %d };\n",
              t->name, t->id, t->name, LAYOUT_ITEMS_OFFSET, t->name,
              kind_info_of(t->item.kind)->size, t->name, kind_is_gcptr(t->item.kind));
    emit_size_asserts(t, out);
    emit_offset_assert(t, "length", LAYOUT_LENGTH_OFFSET, out);
    emit_offset_assert(t, "items", LAYOUT_ITEMS_OFFSET, out);
}

static void emit_zero_field(const field_def *f, strbuf *out)
{
    const char *zero = kind_is_pointer(f->value.kind) ? "NULL"
                       : f->value.kind == KIND_BOOL ? "false" : "0";
    if (f->length > 0)
        sb_printf(out, "    for (size_t i = 0; i < %u; i++)\n"
                       "        o->%s[i] = %s;\n", f->length, f->name, zero);
    else
        sb_printf(out, "    o->%s = %s;\n", f->name, zero);
}

/* T__init(), which TGC_NEW() calls on fresh memory: writes the header and
 * zeroes each field, with a store of the field's own type.  The compiler
 * then knows these stores cannot touch the allocation cursor, and drops a
 * zero store that the caller overwrites at once (one whole-struct store
 * would be kept).  Padding is left as it was.  A derived type calls its
 * base's T__init() on `super`, which zeroes the inherited fields, then
 * writes its own type id over the base's (the compiler drops the base's
 * header store) and zeroes its own fields: each T__init() is as long as
 * its own fields, whatever the depth. */
static void emit_init(const type_def *t, strbuf *out)
{
    sb_printf(out, "\nstatic inline %s *%s" GEN_TYPE_INIT "(void *p)\n"
                   "{\n"
                   "    struct %s *o = TGC_CAST(struct %s *, p);\n",
              t->name, t->name, t->name, t->name);
    if (t->base != NULL)
        sb_printf(out, "    %s" GEN_TYPE_INIT "(&o->super);\n"
                       "    /* the header, the first member of the root, at offset 0 */\n"
                       "    *(tgc_header *)p = ", t->base->name);
    else
        sb_puts(out, "    o->hdr = ");
    sb_printf(out, "TGC_HEADER_OF(%s" GEN_TYPE_ID ");\n", t->name);
    for (size_t i = 0; i < t->n_fields; i++)
        emit_zero_field(&t->fields[i], out);
    sb_puts(out, "    return o;\n"
                 "}\n");
}

static void emit_array_init(const type_def *t, strbuf *out)
{
    sb_printf(out, "\nstatic inline %s *%s" GEN_TYPE_INIT "(void *p, size_t length)\n"
                   "{\n"
                   "    struct %s *a = TGC_CAST(struct %s *, p);\n"
                   "    a->hdr = TGC_HEADER_OF(%s" GEN_TYPE_ID ");\n"
                   "    a->length = (int64_t)length;\n"
                   "    for (size_t i = 0; i < length; i++)\n"
                   "        a->items[i] = %s;\n"
                   "    return a;\n"
                   "}\n", t->name, t->name, t->name, t->name, t->name,
              kind_is_gcptr(t->item.kind) ? "NULL" : "0");
}

static void emit_new(const type_def *t, strbuf *out)
{
    if (t->is_array)
        sb_printf(out, "\nstatic inline %s *%s" GEN_NEW "(tgc_cursor cursor, "
                       "size_t length)\n"
                       "{\n"
                       "    return TGC_NEW_ARRAY(%s, cursor, length);\n"
                       "}\n", t->name, t->name, t->name);
    else
        sb_printf(out, "\nstatic inline %s *%s" GEN_NEW "(tgc_cursor cursor)\n"
                       "{\n"
                       "    return TGC_NEW(%s, cursor);\n"
                       "}\n", t->name, t->name, t->name);
}

/* One unsigned compare: ids id..max_subclass_id are t and its subclasses. */
static void emit_isinstance(const type_def *t, strbuf *out)
{
    sb_printf(out, "\nstatic inline bool %s" GEN_ISINSTANCE "(const void *obj)\n"
                   "{\n"
                   "    if (obj == NULL)\n"
                   "        return false;\n"
                   "    uint32_t tid = ((const tgc_header *)obj)->tid;\n"
                   "    return (uint32_t)(tid - %u) <= (uint32_t)(%u - %u);\n"
                   "}\n", t->name, t->id, t->max_subclass_id, t->id);
}

/* T_set_f() for field f of type `owner`, T itself or one of its bases.
 * An inherited field is reached through a cast of obj to its owner, whose
 * struct is where obj's starts (each base is embedded first, at offset 0),
 * not through one `super.` per level. */
/* T_of(obj): obj, a pointer to T or to a subclass of T, as a T *, so that
 * an inherited field is reached flat (Shape_of(caption)->x) and a base's
 * setter takes a subclass (Shape_set_next(Shape_of(caption), s)).  Any
 * other pointer fails to compile: NAME__ID_OF gives the id of its static
 * type (no association for other types), and a subclass's id is in
 * id..max_subclass_id, checked by a _Static_assert. */
static void emit_upcast(const schema *s, const type_def *t, strbuf *out)
{
    sb_printf(out, "\n#define %s" GEN_UPCAST "(obj) ((struct %s *)(obj) + 0 * sizeof(struct { \\\n"
                   "    _Static_assert((uint32_t)(%s" GEN_ID_OF "(obj) - %u) <= %u - %u, \\\n"
                   "                   \"%s" GEN_UPCAST ": not a pointer to %s or a subclass\"); \\\n"
                   "    int tgc__ok; }))\n",
              t->name, t->name, s->name, t->id, t->max_subclass_id, t->id,
              t->name, t->name);
}

static void emit_setter(const type_def *t, const type_def *owner,
                        const field_def *f, bool peer, strbuf *out)
{
    sb_printf(out, "\nstatic inline void %s" GEN_SETTER "%s(%s *obj, ", t->name, f->name, t->name);
    if (f->length > 0)
        sb_puts(out, "size_t index, ");
    emit_c_type(out, &f->value);
    sb_puts(out, "value)\n{\n");
    bool weak = f->value.kind == KIND_WEAK;
    if (weak && peer)
        sb_puts(out, "    /* weak: the backend's store (typegc_peer.h, \"Weak fields\") */\n");
    else if (weak)
        sb_puts(out, "    /* weak: the barrier lets the next minor collection find an old obj\n"
                     "     * and move or clear its young target (README, \"Weak references\") */\n");
    if (f->length > 0)
        sb_printf(out, "    if (index >= %u)\n"
                       "        tgc_field_index_error(obj, \"%s\", index, %u);\n",
                  f->length, f->name, f->length);
    strbuf slot = STRBUF_INIT;
    if (owner == t)
        sb_printf(&slot, "obj->%s", f->name);
    else
        sb_printf(&slot, "((struct %s *)obj)->%s", owner->name, f->name);
    if (f->length > 0)
        sb_puts(&slot, "[index]");
    if (weak && peer)
        sb_printf(out, "    tgc_peer_store_weak((void **)&%s, value);\n}\n", sb_text(&slot));
    else
        sb_printf(out, "    tgc_write_barrier(obj);\n"
                       "    %s = value;\n}\n", sb_text(&slot));
    sb_free(&slot);
}

/* A setter for each ref field, inherited ones too, the root's first; for
 * a fixed-size array of GC pointers, T_set_f(obj, index, value), bounds
 * checked.  The
 * walk visits only the types that declare refs (ref_holder). */
static void emit_setters(const type_def *t, bool peer, strbuf *out)
{
    size_t n = 0;
    for (const type_def *o = t->ref_holder; o != NULL;
         o = o->base != NULL ? o->base->ref_holder : NULL)
        n++;
    const type_def **owners = xmalloc((n + 1) * sizeof *owners);
    size_t k = n;
    for (const type_def *o = t->ref_holder; o != NULL;
         o = o->base != NULL ? o->base->ref_holder : NULL)
        owners[--k] = o;
    for (k = 0; k < n; k++)
        for (size_t i = 0; i < owners[k]->n_fields; i++)
            if (kind_is_pointer(owners[k]->fields[i].value.kind))
                emit_setter(t, owners[k], &owners[k]->fields[i], peer, out);
    free(owners);
}

static void emit_array_access(const type_def *t, strbuf *out)
{
    sb_printf(out, "\nstatic inline size_t %s" GEN_LENGTH "(const %s *a)\n"
                   "{\n"
                   "    return (size_t)a->length;\n"
                   "}\n", t->name, t->name);

    sb_puts(out, "\nstatic inline ");
    emit_c_type(out, &t->item);
    sb_printf(out, "%s" GEN_GET "(const %s *a, size_t index)\n"
                   "{\n"
                   "    if (index >= (size_t)a->length)\n"
                   "        tgc_index_error(a, index);\n"
                   "    return a->items[index];\n"
                   "}\n", t->name, t->name);

    sb_printf(out, "\nstatic inline void %s" GEN_SET "(%s *a, size_t index, ",
              t->name, t->name);
    emit_c_type(out, &t->item);
    sb_puts(out, "value)\n"
                 "{\n"
                 "    if (index >= (size_t)a->length)\n"
                 "        tgc_index_error(a, index);\n");
    if (kind_is_gcptr(t->item.kind))
        sb_puts(out, "    tgc_write_barrier_from_array(a, index);\n");
    sb_puts(out, "    a->items[index] = value;\n}\n");
}

static void emit_type(const schema *s, const type_def *t, strbuf *out)
{
    emit_type_comment(s, t, out);
    if (t->is_array)
        emit_array_struct(t, out);
    else
        emit_struct(t, out);
    if (t->is_array)
        emit_array_init(t, out);
    else
        emit_init(t, out);
    emit_new(t, out);
    emit_isinstance(t, out);
    if (t->is_array)
        emit_array_access(t, out);
    else {
        emit_upcast(s, t, out);
        emit_setters(t, s->peer != NULL, out);
    }
}

static void emit_epilogue(const schema *s, strbuf *out)
{
    sb_printf(out, "\n/* The type id of a pointer to a struct type, for T_of(); a compile\n"
                   " * error for a pointer to anything else. */\n"
                   "#define %s" GEN_ID_OF "(obj) _Generic((obj)", s->name);
    for (uint32_t k = 1; k <= s->n_types; k++)
        if (!s->by_id[k]->is_array)
            sb_printf(out, ", \\\n    struct %s *: %u", s->by_id[k]->name, s->by_id[k]->id);
    sb_puts(out, ")\n");
    sb_printf(out, "\n/* The type table, for the collector. */\n"
                   "extern const tgc_type_table %s" GEN_TABLE ";\n"
                   "\n"
                   "/* Starts the collector with these types, or adds them to it if\n"
                   " * another schema's NAME_init() started it: tgc_init(&%s" GEN_TABLE "). */\n"
                   "int %s" GEN_SCHEMA_INIT "(void);\n"
                   "\n"
                   "#ifdef __cplusplus\n"
                   "}\n"
                   "#endif\n"
                   "\n"
                   "#endif /* " GEN_GUARD_PREFIX "%s" GEN_GUARD_SUFFIX " */\n",
              s->name, s->name, s->name, s->name);
}

void emit_header(const schema *s, strbuf *out)
{
    emit_prologue(s, out);
    for (uint32_t k = 1; k <= s->n_types; k++)
        emit_type(s, s->by_id[k], out);
    emit_prebuilt_declarations(s, out);
    emit_epilogue(s, out);
}
