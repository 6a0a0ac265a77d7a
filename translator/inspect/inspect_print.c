/* inspect_print.c -- the layouts, as text for people and JSON for tools.
 *
 * Sizes, alignments, offsets and kinds are clang's, from the structs;
 * ids, subclass ranges and what the collector traces are the table's.
 * Where the two disagree the problems (on stderr) say so. */
#include "inspect.h"

#include <jansson.h>
#include <string.h>

#include "typegc_types.h"

#define NO_KIND ((value_kind)0)

static const char *kind_or_none(value_kind kind)
{
    return kind != NO_KIND ? kind_info_of(kind)->name : "?";
}

/* Whether the collector traces member `m` of type `id`, by the table. */
static bool traced(const inspection *in, size_t id, const inspect_member *m)
{
    if (m->flexible)
        return (in->entries[id].infobits & TGC_T_IS_GCARRAY_OF_GCPTR) != 0;
    return inspect_traced(in, id, m->offset);
}

/* A pointer member is shown as kind weak where the table lists it weak. */
static value_kind shown_kind(const inspection *in, size_t id, const inspect_member *m)
{
    if (m->kind == KIND_REF && !m->flexible && inspect_weak(in, id, m->offset))
        return KIND_WEAK;
    return m->kind;
}

/* ---- text ---------------------------------------------------------------- */

static void print_member(const inspection *in, size_t id,
                         const inspect_member *m, FILE *out)
{
    fprintf(out, "    %6lld %5lld  %-6s %-6s %s%s", (long long)m->offset,
            (long long)m->size, kind_or_none(shown_kind(in, id, m)),
            traced(in, id, m) ? "yes" : "", m->path, m->flexible ? "[]" : "");
    if (m->length > 0)
        fprintf(out, "[%lld]", (long long)m->length);
    if (m->kind == KIND_REF)
        fprintf(out, " -> %s", m->ref_to != NULL ? m->ref_to : "(any)");
    else if (m->kind == NO_KIND)
        fprintf(out, " (%s)", m->c_type);
    fputc('\n', out);
}

static void print_type(const inspection *in, size_t id, FILE *out)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    if (e->name == NULL) {
        fprintf(out, "type %lld: (empty entry)\n", (long long)inspect_id_at(in, id));
        return;
    }
    if (!st->found) {
        fprintf(out, "type %lld %s: no struct %s\n", (long long)inspect_id_at(in, id),
                e->name, e->name);
        return;
    }
    const inspect_member *items = inspect_items(st);
    fprintf(out, "type %lld %s:", (long long)inspect_id_at(in, id), e->name);
    if (items != NULL)
        fprintf(out, " array of %s%s%s,", kind_or_none(items->kind),
                items->kind == KIND_REF ? " to " : "",
                items->kind == KIND_REF ? (items->ref_to != NULL ? items->ref_to : "(any)") : "");
    if (st->base != NULL)
        fprintf(out, " base %s,", st->base);
    fprintf(out, " size %lld, align %lld,", (long long)st->size,
            (long long)st->align);
    if (items == NULL)
        fprintf(out, " allocated %lld,", (long long)inspect_alloc_size(st->size));
    fprintf(out, " subclasses %lld..%lld\n", (long long)inspect_id_at(in, id),
            (long long)e->max_subclass_id);
    fprintf(out, "    offset  size  kind   traced field\n");
    if (st->has_header)
        fprintf(out, "    %6d %5d  %-6s %-6s %s\n", 0, 8, "header", "", "hdr");
    for (size_t i = 0; i < st->n_members; i++)
        print_member(in, id, &st->members[i], out);
}

void inspect_print_text(const inspection *in, FILE *out)
{
    fprintf(out, "%s: schema %s, table %s, %zu type%s\n", in->path,
            in->schema_name != NULL ? in->schema_name : "(unnamed)",
            in->table_name, in->n_entries > 0 ? in->n_entries - 1 : 0,
            in->n_entries == 2 ? "" : "s");
    for (size_t id = 1; id < in->n_entries; id++)
        print_type(in, id, out);
    if (in->n_problems == 0 && in->n_clang_errors == 0)
        fprintf(out, "%s: the table agrees with the structs as clang lays "
                     "them out\n", in->path);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *member_json(const inspection *in, size_t id,
                           const inspect_member *m)
{
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(m->name));
    json_object_set_new(j, "path", json_string(m->path));
    json_object_set_new(j, "declared_in", json_string(m->declared_in));
    json_object_set_new(j, "offset", json_integer(m->offset));
    json_object_set_new(j, "size", json_integer(m->size));
    if (m->length > 0)      /* a fixed-size array: kind and to are an item's */
        json_object_set_new(j, "length", json_integer(m->length));
    json_object_set_new(j, "kind", string_or_null(m->kind != NO_KIND
                                                      ? kind_info_of(shown_kind(in, id, m))->name
                                                      : NULL));
    json_object_set_new(j, "c_type", json_string(m->c_type));
    json_object_set_new(j, "ref", json_boolean(m->kind == KIND_REF));
    json_object_set_new(j, "to", string_or_null(m->ref_to));
    json_object_set_new(j, "traced", json_boolean(traced(in, id, m)));
    return j;
}

static json_t *type_json(const inspection *in, size_t id)
{
    const table_entry *e = &in->entries[id];
    const inspect_struct *st = &in->structs[id];
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)inspect_id_at(in, id)));
    json_object_set_new(j, "name", string_or_null(e->name));
    json_object_set_new(j, "found", json_boolean(st->found));
    if (!st->found)
        return j;
    const inspect_member *items = inspect_items(st);
    json_object_set_new(j, "array", json_boolean(items != NULL));
    json_object_set_new(j, "size", json_integer(st->size));
    json_object_set_new(j, "align", json_integer(st->align));
    json_object_set_new(j, "alloc_size",
                        json_integer(items != NULL ? items->offset
                                                   : inspect_alloc_size(st->size)));
    json_object_set_new(j, "base", string_or_null(st->base));
    json_object_set_new(j, "base_id", json_integer(e->base_id));
    json_object_set_new(j, "min_subclass_id", json_integer(e->min_subclass_id));
    json_object_set_new(j, "max_subclass_id", json_integer(e->max_subclass_id));
    json_object_set_new(j, "header", json_boolean(st->has_header));
    json_t *fields = json_array();
    for (size_t i = 0; i < st->n_members; i++) {
        const inspect_member *m = &st->members[i];
        if (items == NULL)
            json_array_append_new(fields, member_json(in, id, m));
        else if (m == items)
            json_object_set_new(j, "items", member_json(in, id, m));
        else if (strcmp(m->name, "length") == 0)
            json_object_set_new(j, "length", member_json(in, id, m));
    }
    json_object_set_new(j, "fields", fields);
    return j;
}

void inspect_print_json(const inspection *in, FILE *out)
{
    json_t *root = json_object();
    json_object_set_new(root, "file", json_string(in->path));
    json_object_set_new(root, "schema", string_or_null(in->schema_name));
    json_object_set_new(root, "table", string_or_null(in->table_name));
    json_object_set_new(root, "ok", json_boolean(in->n_problems == 0 &&
                                                 in->n_clang_errors == 0));
    json_t *types = json_array();
    for (size_t id = 1; id < in->n_entries; id++)
        json_array_append_new(types, type_json(in, id));
    json_object_set_new(root, "types", types);
    json_t *problems = json_array();
    for (size_t i = 0; i < in->n_problems; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "type", string_or_null(in->problems[i].type));
        json_object_set_new(p, "field", string_or_null(in->problems[i].field));
        json_object_set_new(p, "message", json_string(in->problems[i].message));
        json_array_append_new(problems, p);
    }
    json_object_set_new(root, "problems", problems);
    json_t *errors = json_array();
    for (size_t i = 0; i < in->n_clang_errors; i++)
        json_array_append_new(errors, json_string(in->clang_errors[i]));
    json_object_set_new(root, "clang_errors", errors);
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
}
