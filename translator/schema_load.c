/* schema_load.c -- reads a schema file into a `schema`, checking its
 * shape: that it is JSON, that each object has the keys it must and no
 * others, that each value has the right JSON type, that kinds exist.
 * What the names mean is schema_check.c's business. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "layout.h"
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
    { "types", JSON_ARRAY }, { "doc", JSON_STRING }, { "objects", JSON_ARRAY },
    { NULL, JSON_NULL },
};
static const key_rule object_keys[] = {
    { "name", JSON_STRING }, { "doc", JSON_STRING }, { "type", JSON_STRING },
    { "fields", JSON_OBJECT }, { "items", JSON_ARRAY }, { "length", JSON_INTEGER },
    { NULL, JSON_NULL },
};
static const key_rule type_keys[] = {
    { "name", JSON_STRING }, { "doc", JSON_STRING }, { "base", JSON_STRING },
    { "fields", JSON_ARRAY }, { "array", JSON_OBJECT }, { "destructor", JSON_TRUE },
    { NULL, JSON_NULL },
};
static const key_rule field_keys[] = {
    { "name", JSON_STRING }, { "doc", JSON_STRING }, { "kind", JSON_STRING },
    { "to", JSON_STRING }, { "length", JSON_INTEGER }, { NULL, JSON_NULL },
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
        /* JSON_TRUE in a rule stands for either boolean */
        bool boolean_rule = rule->type == JSON_TRUE && json_is_boolean(value);
        if (json_typeof(value) != rule->type && !boolean_rule) {
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
    if (kind_has_target(value->kind) && value->to == NULL) {
        diag_schema(w->file, w->type, w->field,
                    "kind '%s' needs 'to', the type it points to%s", kind, w->in);
        return false;
    }
    if (!kind_has_target(value->kind) && value->to != NULL) {
        diag_schema(w->file, w->type, w->field,
                    "'to'%s is only allowed with kind 'ref' or 'weak'", w->in);
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
    if (!load_value(&w, obj, &f->value))
        return false;
    json_t *length = json_object_get(obj, "length");
    if (length == NULL)
        return true;
    json_int_t n = json_integer_value(length);
    if (n < 1 || n > LAYOUT_MAX_FIXED_LENGTH) {
        diag_schema(file, t->name, f->name, "'length' must be from 1 to %u, "
                    "not %" JSON_INTEGER_FORMAT, LAYOUT_MAX_FIXED_LENGTH, n);
        return false;
    }
    f->length = (uint32_t)n;
    return true;
}

static bool load_struct(const where *w, json_t *obj, type_def *t)
{
    t->base_name = optional_string(obj, "base");
    t->declares_destructor = json_is_true(json_object_get(obj, "destructor"));
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
    if (json_object_get(obj, "destructor") != NULL) {
        diag_schema(w->file, w->type, NULL, "an array type cannot have a 'destructor' "
                    "(give it to a struct type that holds the array)");
        return false;
    }
    json_t *item = json_object_get(obj, "array");
    where in_array = { w->file, w->type, NULL, " in 'array'" };
    if (json_object_get(item, "length") != NULL) {
        diag_schema(w->file, w->type, NULL, "'length' is not allowed in "
                    "'array': an item is one value (for items that are "
                    "arrays, use refs to an array type)");
        return false;
    }
    if (!check_keys(&in_array, item, item_keys))
        return false;
    t->is_array = true;
    t->item_doc = optional_string(item, "doc");
    if (!load_value(&in_array, item, &t->item))
        return false;
    if (t->item.kind == KIND_WEAK) {
        /* the collectors clear weak slots listed in the fixed part only */
        diag_schema(w->file, w->type, NULL, "kind 'weak' is not allowed in "
                    "'array' (put weak fields in a struct type, with 'length' "
                    "for several)");
        return false;
    }
    return true;
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

/* A prebuilt object's shape; prebuilt_check.c checks its values. */
static bool load_object(const char *file, size_t i, json_t *obj, object_def *o)
{
    o->index = i;
    if (!json_is_object(obj)) {
        diag_schema(file, NULL, NULL, "objects[%zu] must be an object, not %s", i,
                    json_type_phrase(json_typeof(obj)));
        return false;
    }
    json_t *name = json_object_get(obj, "name");
    if (!json_is_string(name)) {
        if (name == NULL)
            diag_schema(file, NULL, NULL, "objects[%zu]: missing key 'name'", i);
        else
            diag_schema(file, NULL, NULL, "objects[%zu]: 'name' must be a string, not %s",
                        i, json_type_phrase(json_typeof(name)));
        return false;
    }
    o->name = json_string_value(name);
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        const key_rule *rule = object_keys;
        while (rule->key != NULL && strcmp(rule->key, key) != 0)
            rule++;
        if (rule->key == NULL) {
            diag_object(file, o->name, NULL, "unknown key '%s'", key);
            return false;
        }
        if (json_typeof(value) != rule->type) {
            diag_object(file, o->name, NULL, "'%s' must be %s, not %s", key,
                        json_type_phrase(rule->type), json_type_phrase(json_typeof(value)));
            return false;
        }
    }
    o->doc = optional_string(obj, "doc");
    o->type_name = optional_string(obj, "type");
    if (o->type_name == NULL) {
        diag_object(file, o->name, NULL, "missing key 'type'");
        return false;
    }
    o->fields = json_object_get(obj, "fields");
    o->items = json_object_get(obj, "items");
    json_t *length = json_object_get(obj, "length");
    o->has_length = length != NULL;
    if (length != NULL) {
        json_int_t n = json_integer_value(length);
        if (n < 0 || n > LAYOUT_MAX_PREBUILT_LENGTH) {
            diag_object(file, o->name, NULL, "'length' must be from 0 to %u, not %"
                        JSON_INTEGER_FORMAT, LAYOUT_MAX_PREBUILT_LENGTH, n);
            return false;
        }
        o->length = (uint64_t)n;
    }
    return true;
}

static bool load_objects(schema *s, json_t *root)
{
    json_t *objects = json_object_get(root, "objects");
    s->n_objects = json_array_size(objects);
    if (s->n_objects == 0)
        return true;
    s->objects = xcalloc(s->n_objects, sizeof *s->objects);
    for (size_t i = 0; i < s->n_objects; i++)
        if (!load_object(s->file, i, json_array_get(objects, i), &s->objects[i]))
            return false;
    return true;
}

/* Type ids fill 16 bits (layout.h).  Checked before anything is built
 * for the types: a file of a million types is rejected at once. */
static bool check_type_count(const char *file, size_t n_types)
{
    if (n_types <= LAYOUT_MAX_TYPE_ID)
        return true;
    diag_schema(file, NULL, NULL,
                "%zu types are too many: ids must fit in 16 bits, so at "
                "most %u types", n_types, LAYOUT_MAX_TYPE_ID);
    return false;
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
    if (!check_type_count(s->file, s->n_types))
        return false;
    s->types = xcalloc(s->n_types, sizeof *s->types);
    for (size_t i = 0; i < s->n_types; i++)
        if (!load_type(s->file, i, json_array_get(types, i), &s->types[i]))
            return false;
    return load_objects(s, root);
}

/* "FILE:LINE:COLUMN" of byte `at` of `text`, counting from 1, a column
 * being a character (a UTF-8 sequence) as jansson counts them. */
static void sb_position(strbuf *out, const char *file, const char *text,
                        size_t at)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            column++;
        }
    }
    sb_printf(out, "%s:%zu:%zu", file, line, column);
}

/* What jansson would report obscurely ("'[' or '{' expected near '\xef\xbb\xbf'",
 * "end of file expected near end of file"): a byte-order mark, a NUL
 * byte.  false after saying which, and where. */
static bool check_text(const char *file, const char *text, size_t len)
{
    const char *problem = NULL;
    size_t at = 0;
    const char *nul = memchr(text, '\0', len);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        problem = "the file starts with a UTF-8 byte-order mark; save it "
                  "without one";
    } else if (nul != NULL) {
        at = (size_t)(nul - text);
        size_t rest = at;
        while (rest < len && (text[rest] == '\0' || text[rest] == ' ' ||
                              text[rest] == '\t' || text[rest] == '\n' ||
                              text[rest] == '\r'))
            rest++;
        problem = rest == len
            ? "the file ends in NUL bytes, from here on; a schema is JSON "
              "text: remove them"
            : "a NUL byte; a schema is JSON text, which cannot hold one";
    }
    if (problem == NULL)
        return true;
    strbuf position = STRBUF_INIT;
    sb_position(&position, file, text, at);
    diag_schema(sb_text(&position), NULL, NULL, "%s", problem);
    sb_free(&position);
    return false;
}

/* The number of items of the root object's "types" array, found by
 * scanning the text (strings, nesting, commas) without building anything;
 * 0 if the text is not shaped so, and jansson will say why.  A file of a
 * million types is rejected before jansson takes a second and a gigabyte
 * to parse it. */
static size_t scan_type_count(const char *p, size_t len)
{
    const char *end = p + len;
    size_t depth = 0, count = 0;
    int after_key = 0;      /* 1: just read the key "types" of the root;
                               2: and the ':' after it */
    bool in_types = false, want_item = false;
    for (; p < end; p++) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (in_types && depth == 2 && want_item && c != ']') {
            count++;
            want_item = false;
        }
        if (c == '"') {
            const char *start = p + 1;
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\')
                    p++;
            if (p >= end)
                return 0;
            after_key = depth == 1 && !in_types && p - start == 5 &&
                        memcmp(start, "types", 5) == 0;
            continue;
        }
        if (c == ':' && after_key == 1) {
            after_key = 2;
            continue;
        }
        if (c == '[' || c == '{') {
            depth++;
            if (c == '[' && after_key == 2 && depth == 2)
                in_types = want_item = true;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return 0;
            if (--depth == 1 && in_types)
                return count;
        } else if (c == ',' && in_types && depth == 2) {
            want_item = true;
        }
        after_key = 0;
    }
    return 0;
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
    } else if (check_text(file, sb_text(&text), text.len) &&
               check_type_count(file, scan_type_count(sb_text(&text),
                                                      text.len))) {
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
    free(s->objects);
    free(s->by_id);
    free(s->label);
    free(s->name);
    json_decref(s->json);
    free(s);
}
