/* inspect_model.c -- the inspection's memory and the questions the
 * readers, the checks and the printers ask of it.  It calls nothing of
 * theirs: every other file of the inspector calls down into this one. */
#include "inspect.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "typegc_types.h"
#include "xalloc.h"

void inspect_problem_add(inspection *in, const char *type, const char *field,
                         const char *fmt, ...)
{
    strbuf message = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&message, fmt, ap);
    va_end(ap);
    in->problems = xrealloc(in->problems,
                            (in->n_problems + 1) * sizeof *in->problems);
    in->problems[in->n_problems++] = (inspect_problem){
        type != NULL ? xstrdup(type) : NULL,
        field != NULL ? xstrdup(field) : NULL,
        xstrdup(sb_text(&message)),
    };
    sb_free(&message);
}

bool inspect_constant(const inspection *in, const char *name, int64_t *value)
{
    size_t i = strmap_get(&in->constants, name);
    if (i == STRMAP_NONE)
        return false;
    *value = in->constant_values[i];
    return true;
}

size_t inspect_type_id(const inspection *in, const char *name)
{
    for (size_t id = 1; id < in->n_entries; id++)
        if (in->entries[id].name != NULL &&
            strcmp(in->entries[id].name, name) == 0)
            return id;
    return 0;
}

const char *inspect_kind_name(int64_t kind)
{
    if (kind < KIND_I8 || kind > KIND_WEAK)
        return NULL;
    return kind_info_of((value_kind)kind)->name;
}

bool inspect_traced(const inspection *in, size_t id, int64_t offset)
{
    const table_entry *e = &in->entries[id];
    for (size_t i = 0; i < e->ptr_offsets_len && (int64_t)i < e->n_ptr_offsets; i++)
        if (e->ptr_offsets[i] == offset)
            return true;
    return false;
}

bool inspect_weak(const inspection *in, size_t id, int64_t offset)
{
    const table_entry *e = &in->entries[id];
    for (size_t i = 0; i < e->weak_offsets_len && (int64_t)i < e->n_weak_offsets; i++)
        if (e->weak_offsets[i] == offset)
            return true;
    return false;
}

int64_t inspect_alloc_size(int64_t size)
{
    int64_t rounded = (size + TGC_WORD - 1) / TGC_WORD * TGC_WORD;
    return rounded < TGC_MIN_OBJECT_SIZE ? TGC_MIN_OBJECT_SIZE : rounded;
}

const inspect_member *inspect_items(const inspect_struct *st)
{
    for (size_t i = 0; i < st->n_members; i++)
        if (st->members[i].flexible)
            return &st->members[i];
    return NULL;
}

void inspect_struct_free(inspect_struct *st)
{
    for (size_t i = 0; i < st->n_members; i++) {
        inspect_member *m = &st->members[i];
        free(m->name);
        free(m->path);
        free(m->declared_in);
        free(m->c_type);
        free(m->ref_to);
    }
    free(st->members);
    free(st->base);
}

static void free_entry(table_entry *e)
{
    free(e->name);
    free(e->ptr_offsets_array);
    free(e->ptr_offsets);
    free(e->weak_offsets_array);
    free(e->weak_offsets);
    free(e->fields_array);
    for (size_t i = 0; i < e->fields_len; i++)
        free(e->fields[i].name);
    free(e->fields);
}

void inspection_free(inspection *in)
{
    for (size_t id = 0; id < in->n_entries; id++) {
        free_entry(&in->entries[id]);
        if (in->structs != NULL)
            inspect_struct_free(&in->structs[id]);
    }
    free(in->entries);
    free(in->structs);
    free(in->table_name);
    free(in->schema_name);
    free(in->types_array);
    strmap_free(&in->constants);
    free(in->constant_values);
    for (size_t i = 0; i < in->n_problems; i++) {
        free(in->problems[i].type);
        free(in->problems[i].field);
        free(in->problems[i].message);
    }
    free(in->problems);
    for (size_t i = 0; i < in->n_clang_errors; i++)
        free(in->clang_errors[i]);
    free(in->clang_errors);
}
