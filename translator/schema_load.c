/* schema_load.c -- reads a schema file into a `schema`, checking its
 * shape: that it is JSON, that each object has the keys it must and no
 * others, that each value has the right JSON type, that kinds exist.
 * What the names mean is schema_check.c's business. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

/* Where in the schema a check is: the parts of a diagnostic's prefix. */
typedef struct where {
    const char *file;
    const char *type;       /* a type's name, or NULL */
    const char *field;      /* a field's name, or NULL */
    const char *in;         /* appended to messages about the keys of a
                               nested object: " in 'array'", or "" */
} where;

/* A key an object may have and the JSON type its value must have. */
typedef struct key_rule {
    const char *key;
    json_type type;
} key_rule;

static const key_rule schema_keys[] = {
    { "types", JSON_ARRAY }, { "doc", JSON_STRING }, { NULL, JSON_NULL },
};
static const key_rule type_keys[] = {
    { "name", JSON_STRING }, { "doc", JSON_STRING }, { "base", JSON_STRING },
    { "fields", JSON_ARRAY }, { "array", JSON_OBJECT }, { NULL, JSON_NULL },
};
static const key_rule field_keys[] = {
    { "name", JSON_STRING }, { "doc", JSON_STRING }, { "kind", JSON_STRING },
    { "to", JSON_STRING }, { NULL, JSON_NULL },
};
static const key_rule item_keys[] = {
    { "doc", JSON_STRING }, { "kind", JSON_STRING }, { "to", JSON_STRING },
    { NULL, JSON_NULL },
};

static const char *json_type_phrase(json_type type)
{
    switch (type) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL:    return "a number";
    case JSON_TRUE:
    case JSON_FALSE:   return "a boolean";
    case JSON_NULL:    break;
    }
    return "null";
}

/* Reports, in file order, the first key of `obj` that has no rule or
 * whose value has the wrong type. */
static bool check_keys(const where *w, json_t *obj, const key_rule *rules)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        const key_rule *rule = rules;
        while (rule->key != NULL && strcmp(rule->key, key) != 0)
            rule++;
        if (rule->key == NULL) {
            diag_schema(w->file, w->type, w->field, "unknown key '%s'%s",
                        key, w->in);
            return false;
        }
        if (json_typeof(value) != rule->type) {
            diag_schema(w->file, w->type, w->field, "'%s'%s must be %s, not %s",
                        key, w->in, json_type_phrase(rule->type),
                        json_type_phrase(json_typeof(value)));
            return false;
        }
    }
    return true;
}

/* The string under `key`, or NULL; check_keys() has checked its type. */
static const char *optional_string(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The "kind" and "to" of a field or of an array's items. */
static bool load_value(const where *w, json_t *obj, value_spec *value)
{
    const char *kind = optional_string(obj, "kind");
    if (kind == NULL) {
        diag_schema(w->file, w->type, w->field, "missing key 'kind'%s", w->in);
        return false;
    }
    if (!kind_from_name(kind, &value->kind)) {
        diag_schema(w->file, w->type, w->field,
                    "unknown kind '%s'%s (the kinds are %s)", kind, w->in,
                    kind_names());
        return false;
    }
    value->to = optional_string(obj, "to");
    if (value->kind == KIND_REF && value->to == NULL) {
        diag_schema(w->file, w->type, w->field,
                    "kind 'ref' needs 'to', the type it points to%s", w->in);
        return false;
    }
    if (value->kind != KIND_REF && value->to != NULL) {
        diag_schema(w->file, w->type, w->field,
                    "'to'%s is only allowed with kind 'ref'", w->in);
        return false;
    }
    return true;
}

/* Reports an element of "types" or "fields" that is not an object or has
 * no string "name"; those are the only messages without a name in them. */
static const char *element_name(const char *file, const char *type,
                                const char *array, size_t i, json_t *elem)
{
    if (!json_is_object(elem)) {
        diag_schema(file, type, NULL, "%s[%zu] must be an object, not %s",
                    array, i, json_type_phrase(json_typeof(elem)));
        return NULL;
    }
    json_t *name = json_object_get(elem, "name");
    if (name == NULL) {
        diag_schema(file, type, NULL, "%s[%zu]: missing key 'name'", array, i);
        return NULL;
    }
    if (!json_is_string(name)) {
        diag_schema(file, type, NULL, "%s[%zu]: 'name' must be a string, not %s",
                    array, i, json_type_phrase(json_typeof(name)));
        return NULL;
    }
    return json_string_value(name);
}

static bool load_field(const char *file, const type_def *t, size_t i,
                       json_t *obj, field_def *f)
{
    f->name = element_name(file, t->name, "fields", i, obj);
    if (f->name == NULL)
        return false;
    where w = { file, t->name, f->name, "" };
    if (!check_keys(&w, obj, field_keys))
        return false;
    f->doc = optional_string(obj, "doc");
    return load_value(&w, obj, &f->value);
}

static bool load_struct(const where *w, json_t *obj, type_def *t)
{
    t->base_name = optional_string(obj, "base");
    json_t *fields = json_object_get(obj, "fields");
    t->n_fields = json_array_size(fields);
    t->fields = xcalloc(t->n_fields, sizeof *t->fields);
    for (size_t i = 0; i < t->n_fields; i++)
        if (!load_field(w->file, t, i, json_array_get(fields, i), &t->fields[i]))
            return false;
    return true;
}

static bool load_array(const where *w, json_t *obj, type_def *t)
{
    if (json_object_get(obj, "fields") != NULL) {
        diag_schema(w->file, w->type, NULL,
                    "an array type cannot have 'fields'");
        return false;
    }
    if (json_object_get(obj, "base") != NULL) {
        diag_schema(w->file, w->type, NULL, "an array type cannot have a 'base'");
        return false;
    }
    json_t *item = json_object_get(obj, "array");
    where in_array = { w->file, w->type, NULL, " in 'array'" };
    if (!check_keys(&in_array, item, item_keys))
        return false;
    t->is_array = true;
    t->item_doc = optional_string(item, "doc");
    return load_value(&in_array, item, &t->item);
}

static bool load_type(const char *file, size_t i, json_t *obj, type_def *t)
{
    t->index = i;
    t->name = element_name(file, NULL, "types", i, obj);
    if (t->name == NULL)
        return false;
    where w = { file, t->name, NULL, "" };
    if (!check_keys(&w, obj, type_keys))
        return false;
    t->doc = optional_string(obj, "doc");
    if (json_object_get(obj, "array") != NULL)
        return load_array(&w, obj, t);
    return load_struct(&w, obj, t);
}

static bool load_types(schema *s, json_t *root)
{
    if (!json_is_object(root)) {
        diag_schema(s->file, NULL, NULL, "the schema must be an object, not %s",
                    json_type_phrase(json_typeof(root)));
        return false;
    }
    where w = { s->file, NULL, NULL, "" };
    if (!check_keys(&w, root, schema_keys))
        return false;
    s->doc = optional_string(root, "doc");
    json_t *types = json_object_get(root, "types");
    if (types == NULL) {
        diag_schema(s->file, NULL, NULL, "missing key 'types'");
        return false;
    }
    s->n_types = json_array_size(types);
    if (s->n_types == 0) {
        diag_schema(s->file, NULL, NULL, "'types' must not be empty");
        return false;
    }
    s->types = xcalloc(s->n_types, sizeof *s->types);
    for (size_t i = 0; i < s->n_types; i++)
        if (!load_type(s->file, i, json_array_get(types, i), &s->types[i]))
            return false;
    return true;
}

/* The whole file, parsed; NULL after reporting why not. */
static json_t *read_json(const char *file)
{
    FILE *fp = fopen(file, "rb");
    if (fp == NULL) {
        diag_schema(file, NULL, NULL, "cannot read: %s", strerror(errno));
        return NULL;
    }
    strbuf text = STRBUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        sb_append(&text, chunk, n);
    int read_errno = ferror(fp) ? errno : 0;
    fclose(fp);
    json_t *root = NULL;
    if (read_errno != 0) {
        diag_schema(file, NULL, NULL, "cannot read: %s", strerror(read_errno));
    } else {
        json_error_t error;
        root = json_loadb(sb_text(&text), text.len, JSON_REJECT_DUPLICATES,
                          &error);
        if (root == NULL) {
            strbuf position = STRBUF_INIT;
            sb_printf(&position, "%s:%d:%d", file, error.line, error.column);
            diag_schema(sb_text(&position), NULL, NULL, "%s", error.text);
            sb_free(&position);
        }
    }
    sb_free(&text);
    return root;
}

/* The schema's name by default: the file's basename without ".json". */
static char *name_from_label(const char *label)
{
    char *name = xstrdup(label);
    size_t n = strlen(name);
    if (n > 5 && strcmp(name + n - 5, ".json") == 0)
        name[n - 5] = '\0';
    return name;
}

schema *schema_load(const char *file, const char *name)
{
    schema *s = xcalloc(1, sizeof *s);
    s->file = file;
    const char *slash = strrchr(file, '/');
    s->label = xstrdup(slash != NULL ? slash + 1 : file);
    s->name_from_file = name == NULL;
    s->name = name != NULL ? xstrdup(name) : name_from_label(s->label);
    s->json = read_json(file);
    if (s->json == NULL || !load_types(s, s->json)) {
        schema_free(s);
        return NULL;
    }
    return s;
}

void schema_free(schema *s)
{
    if (s->types != NULL)
        for (size_t i = 0; i < s->n_types; i++)
            free(s->types[i].fields);
    free(s->types);
    free(s->by_id);
    free(s->label);
    free(s->name);
    json_decref(s->json);
    free(s);
}
