/* inspect_clang.c -- the emitted C read through libclang.
 *
 * NAME.c is parsed as a C compiler would compile it, with the caller's
 * flags after ours, so that a flag that changes layouts (-fpack-struct, a
 * forced #pragma pack) changes what we read.  From the translation unit
 * come
 *   - the structs, laid out by clang (sizes, alignments, field offsets);
 *   - every enum constant (T__TYPE_ID, T__SIZE, ...);
 *   - the one `tgc_type_table` defined in NAME.c, followed as the runtime
 *     follows it: .types to the array of tgc_type_info, each entry's
 *     .ptr_offsets and .fields to their arrays.  Every initializer is
 *     evaluated by clang, so `Shape__SIZE`, `sizeof(struct Shape)` and
 *     `Shape__TYPE_ID | TGC_T_HAS_GCPTR` read as the numbers the compiler
 *     would store.
 * Errors in the file (the header's _Static_asserts fail under other
 * packing) are kept for the report, and the reading goes on: clang still
 * lays the structs out.  Only a fatal error (a missing header) stops it. */
#include "inspect.h"

#include <clang-c/Index.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clang_cursors.h"

#include "diag.h"
#include "strbuf.h"
#include "xalloc.h"

/* The in-tree runtime/include, and where `meson install` puts typegc.h:
 * searched after the caller's -I flags. */
#ifndef TGC_RUNTIME_INCLUDE_DIR
#error "the build defines TGC_RUNTIME_INCLUDE_DIR, the directory of typegc.h"
#endif
#ifndef TGC_INSTALLED_INCLUDE_DIR
#define TGC_INSTALLED_INCLUDE_DIR TGC_RUNTIME_INCLUDE_DIR
#endif

#define NO_KIND ((value_kind)0)

typedef struct reader {
    inspection *in;
    CXIndex index;
    CXTranslationUnit tu;
    strmap struct_index;        /* struct name -> struct_decls[] */
    CXCursor *struct_decls;
    size_t n_struct_decls;
    CXCursor table;             /* the tgc_type_table defined in NAME.c */
    size_t n_tables;
} reader;

/* ---- small libclang helpers ---------------------------------------------- */

static enum CXVisitorResult collect_field(CXCursor c, CXClientData data)
{
    cx_collect_child(c, clang_getNullCursor(), data);
    return CXVisit_Continue;
}

/* The fields of a struct type, in declaration order. */
static cursor_list fields_of(CXType record)
{
    cursor_list list = { NULL, 0, 0 };
    clang_Type_visitFields(clang_getCanonicalType(record), collect_field, &list);
    return list;
}

/* "Shape" for `struct Shape` (or a typedef of it). */
static char *record_name(CXType type)
{
    return cx_take_string(clang_getCursorSpelling(
        clang_getTypeDeclaration(clang_getCanonicalType(type))));
}

static bool eval_int(CXCursor expr, int64_t *value)
{
    CXEvalResult result = clang_Cursor_Evaluate(expr);
    if (result == NULL)
        return false;
    bool ok = clang_EvalResult_getKind(result) == CXEval_Int;
    if (ok)
        *value = clang_EvalResult_isUnsignedInt(result)
                     ? (int64_t)clang_EvalResult_getAsUnsigned(result)
                     : (int64_t)clang_EvalResult_getAsLongLong(result);
    clang_EvalResult_dispose(result);
    return ok;
}

/* A copy of the string literal `expr` evaluates to, or NULL. */
static char *eval_string(CXCursor expr)
{
    CXEvalResult result = clang_Cursor_Evaluate(expr);
    if (result == NULL)
        return NULL;
    char *text = NULL;
    if (clang_EvalResult_getKind(result) == CXEval_StrLiteral)
        text = xstrdup(clang_EvalResult_getAsStr(result));
    clang_EvalResult_dispose(result);
    return text;
}

/* ---- initializer lists --------------------------------------------------- */

/* '.' or '[' if `item`, an item of an initializer list, begins with a
 * designator, else 0.  libclang shows a designated initializer as an
 * unexposed expression whose children are the designator and the value;
 * its first token tells it from an implicit conversion. */
static char designator_of(const reader *r, CXCursor item)
{
    CXToken *tokens = NULL;
    unsigned n = 0;
    clang_tokenize(r->tu, clang_getCursorExtent(item), &tokens, &n);
    char designator = 0;
    if (n > 0) {
        CXString spelling = clang_getTokenSpelling(r->tu, tokens[0]);
        const char *text = clang_getCString(spelling);
        if (text != NULL && (strcmp(text, ".") == 0 || strcmp(text, "[") == 0))
            designator = text[0];
        clang_disposeString(spelling);
    }
    clang_disposeTokens(r->tu, tokens, n);
    return designator;
}

/* The values of an initializer list, placed as C places them: each at its
 * designator, or else after the previous one.  Slots left out are null
 * cursors. */
typedef struct placed {
    CXCursor *values;
    size_t n;
    size_t capacity;
} placed;

static void place(placed *p, size_t slot, CXCursor value)
{
    if (slot >= p->n) {
        xgrow(&p->values, &p->capacity, slot + 1, sizeof *p->values);
        for (size_t i = p->n; i <= slot; i++)
            p->values[i] = clang_getNullCursor();
        p->n = slot + 1;
    }
    p->values[slot] = value;
}

/* `list` initializes a struct whose fields are `members` (FieldDecls).
 * false after a problem about `what`. */
static bool place_struct_items(const reader *r, CXCursor list,
                               const cursor_list *members, placed *out,
                               const char *type, const char *what)
{
    cursor_list items = cx_children(list);
    size_t next = 0;
    bool ok = true;
    for (size_t i = 0; i < items.n && ok; i++) {
        CXCursor value = items.items[i];
        char d = designator_of(r, value);
        if (d == '.') {
            cursor_list parts = cx_children(value);
            ok = parts.n == 2 &&
                 clang_getCursorKind(parts.items[0]) == CXCursor_MemberRef;
            if (ok) {
                char *member = cx_take_string(clang_getCursorSpelling(parts.items[0]));
                next = members->n;
                for (size_t m = 0; m < members->n; m++) {
                    char *name = cx_take_string(clang_getCursorSpelling(members->items[m]));
                    if (strcmp(name, member) == 0)
                        next = m;
                    free(name);
                }
                free(member);
                value = parts.items[1];
            }
            free(parts.items);
        } else if (d == '[') {
            ok = false;
        }
        if (ok && next < members->n)
            place(out, next++, value);
    }
    free(items.items);
    if (!ok)
        inspect_problem_add(r->in, type, NULL, "cannot read %s: only one "
                            "designator per item is understood", what);
    return ok;
}

/* `list` initializes an array. */
static bool place_array_items(const reader *r, CXCursor list, placed *out,
                              const char *type, const char *what)
{
    cursor_list items = cx_children(list);
    size_t next = 0;
    bool ok = true;
    for (size_t i = 0; i < items.n && ok; i++) {
        CXCursor value = items.items[i];
        char d = designator_of(r, value);
        if (d == '[') {
            cursor_list parts = cx_children(value);
            int64_t index = -1;
            ok = parts.n == 2 && eval_int(parts.items[0], &index) &&
                 index >= 0 && index < 0x1000000;
            if (ok) {
                next = (size_t)index;
                value = parts.items[1];
            }
            free(parts.items);
        } else if (d == '.') {
            ok = false;
        }
        if (ok)
            place(out, next++, value);
    }
    free(items.items);
    if (!ok)
        inspect_problem_add(r->in, type, NULL, "cannot read %s: only one "
                            "constant designator per item is understood", what);
    return ok;
}

/* The initializer list of variable `var`, or a null cursor. */
static CXCursor initializer_of(CXCursor var)
{
    cursor_list kids = cx_children(var);
    CXCursor found = clang_getNullCursor();
    for (size_t i = 0; i < kids.n; i++)
        if (clang_getCursorKind(kids.items[i]) == CXCursor_InitListExpr)
            found = kids.items[i];
    free(kids.items);
    return found;
}

/* The array variable a pointer initializer such as `Shape__fields` names,
 * through the implicit conversions around it; a null cursor, with
 * *is_null set, for NULL or 0. */
static CXCursor array_named(CXCursor expr, bool *is_null)
{
    *is_null = false;
    for (;;) {
        enum CXCursorKind kind = clang_getCursorKind(expr);
        if (kind == CXCursor_DeclRefExpr) {
            CXCursor decl = clang_getCursorReferenced(expr);
            if (clang_getCursorKind(decl) != CXCursor_VarDecl)
                return clang_getNullCursor();
            CXCursor def = clang_getCursorDefinition(decl);
            return clang_Cursor_isNull(def) ? decl : def;
        }
        if (kind != CXCursor_UnexposedExpr && kind != CXCursor_ParenExpr &&
            kind != CXCursor_CStyleCastExpr)
            break;
        cursor_list kids = cx_children(expr);
        if (kids.n == 0) {
            free(kids.items);
            break;
        }
        expr = kids.items[kids.n - 1];
        free(kids.items);
    }
    int64_t value;
    *is_null = eval_int(expr, &value) && value == 0;
    return clang_getNullCursor();
}

/* The length of array variable `var`, at least the items placed. */
static size_t array_length(CXCursor var, size_t placed_items)
{
    long long n = clang_getArraySize(clang_getCursorType(var));
    return n > 0 && (size_t)n > placed_items ? (size_t)n : placed_items;
}

/* ---- the type table ------------------------------------------------------ */

/* Reads the member `member` of an entry: false, after a problem, if it is
 * given but not an integer constant. */
static bool read_int(const reader *r, CXCursor value, int64_t *slot,
                     const char *type, const char *member)
{
    if (clang_Cursor_isNull(value))
        return true;
    if (eval_int(value, slot))
        return true;
    inspect_problem_add(r->in, type, NULL,
                        "the table's '%s' is not an integer constant", member);
    return false;
}

/* Follows a pointer member to its array: `*array` is set to the array's
 * name and the array's items placed in `items`; false after a problem. */
static bool read_array_ref(const reader *r, CXCursor value, char **array,
                           placed *items, size_t *length, CXType *item_type,
                           const char *type, const char *member)
{
    if (clang_Cursor_isNull(value))
        return true;
    bool is_null;
    CXCursor var = array_named(value, &is_null);
    if (is_null)
        return true;
    *item_type = clang_getArrayElementType(
        clang_getCanonicalType(clang_getCursorType(var)));
    CXCursor list = clang_Cursor_isNull(var) ? var : initializer_of(var);
    if (clang_Cursor_isNull(list)) {
        inspect_problem_add(r->in, type, NULL, "the table's '%s' does not "
                            "name an initialized array", member);
        return false;
    }
    *array = cx_take_string(clang_getCursorSpelling(var));
    if (!place_array_items(r, list, items, type, *array))
        return false;
    *length = array_length(var, items->n);
    return true;
}

/* .ptr_offsets or .weak_offsets: `member` */
static void read_offsets(const reader *r, CXCursor value, const char *type,
                         const char *member, char **array, int64_t **offsets,
                         size_t *len)
{
    placed items = { NULL, 0, 0 };
    size_t length = 0;
    CXType item_type;
    if (read_array_ref(r, value, array, &items, &length, &item_type, type,
                       member)) {
        *offsets = xcalloc(length, sizeof **offsets);
        *len = length;
        for (size_t i = 0; i < items.n; i++)
            if (!clang_Cursor_isNull(items.values[i]) &&
                !eval_int(items.values[i], &(*offsets)[i]))
                inspect_problem_add(r->in, type, NULL, "item %zu of '%s' is "
                                    "not an integer constant", i, *array);
    }
    free(items.values);
}

/* tgc_field_info */
static void read_field(const reader *r, CXCursor list, const cursor_list *members,
                       table_field *f, const char *type)
{
    placed values = { NULL, 0, 0 };
    if (clang_getCursorKind(list) != CXCursor_InitListExpr) {
        inspect_problem_add(r->in, type, NULL, "a field of the table is not "
                            "an initializer list");
    } else if (place_struct_items(r, list, members, &values, type,
                                  "a field of the table")) {
        for (size_t m = 0; m < values.n; m++) {
            CXCursor v = values.values[m];
            if (clang_Cursor_isNull(v))
                continue;
            char *member = cx_take_string(clang_getCursorSpelling(members->items[m]));
            if (strcmp(member, "name") == 0)
                f->name = eval_string(v);
            else if (strcmp(member, "kind") == 0)
                read_int(r, v, &f->kind, type, "kind");
            else if (strcmp(member, "offset") == 0)
                read_int(r, v, &f->offset, type, "offset");
            else if (strcmp(member, "size") == 0)
                read_int(r, v, &f->size, type, "size");
            else if (strcmp(member, "ref_type_id") == 0)
                read_int(r, v, &f->ref_type_id, type, "ref_type_id");
            free(member);
        }
    }
    free(values.values);
}

static void read_fields(const reader *r, CXCursor value, table_entry *e)
{
    placed items = { NULL, 0, 0 };
    size_t length = 0;
    CXType item_type;
    if (read_array_ref(r, value, &e->fields_array, &items, &length,
                       &item_type, e->name, "fields")) {
        e->fields = xcalloc(length, sizeof *e->fields);
        e->fields_len = length;
        if (items.n > 0) {
            cursor_list members = fields_of(item_type);
            for (size_t i = 0; i < items.n; i++)
                if (!clang_Cursor_isNull(items.values[i]))
                    read_field(r, items.values[i], &members, &e->fields[i],
                               e->name);
            free(members.items);
        }
    }
    free(items.values);
}

/* The integer members of tgc_type_info. */
static const struct {
    const char *member;
    size_t offset;
} entry_ints[] = {
    { "infobits", offsetof(table_entry, infobits) },
    { "fixed_size", offsetof(table_entry, fixed_size) },
    { "c_size", offsetof(table_entry, c_size) },
    { "c_align", offsetof(table_entry, c_align) },
    { "base_id", offsetof(table_entry, base_id) },
    { "min_subclass_id", offsetof(table_entry, min_subclass_id) },
    { "max_subclass_id", offsetof(table_entry, max_subclass_id) },
    { "n_ptr_offsets", offsetof(table_entry, n_ptr_offsets) },
    { "n_weak_offsets", offsetof(table_entry, n_weak_offsets) },
    { "item_size", offsetof(table_entry, item_size) },
    { "item_kind", offsetof(table_entry, item_kind) },
    { "length_offset", offsetof(table_entry, length_offset) },
    { "items_offset", offsetof(table_entry, items_offset) },
    { "n_fields", offsetof(table_entry, n_fields) },
};

/* One tgc_type_info; the name first, so that problems can name the type. */
static void read_entry(const reader *r, CXCursor list, const cursor_list *members,
                       size_t id, table_entry *e)
{
    char what[64];
    snprintf(what, sizeof what, "entry %zu of the table", id);
    placed values = { NULL, 0, 0 };
    if (clang_getCursorKind(list) != CXCursor_InitListExpr) {
        inspect_problem_add(r->in, NULL, NULL, "%s is not an initializer list",
                            what);
        return;
    }
    if (!place_struct_items(r, list, members, &values, NULL, what)) {
        free(values.values);
        return;
    }
    char **names = xcalloc(values.n, sizeof *names);
    for (size_t m = 0; m < values.n; m++) {
        names[m] = cx_take_string(clang_getCursorSpelling(members->items[m]));
        if (strcmp(names[m], "name") == 0 && !clang_Cursor_isNull(values.values[m]))
            e->name = eval_string(values.values[m]);
    }
    for (size_t m = 0; m < values.n; m++) {
        CXCursor v = values.values[m];
        if (clang_Cursor_isNull(v))
            continue;
        for (size_t k = 0; k < sizeof entry_ints / sizeof entry_ints[0]; k++)
            if (strcmp(names[m], entry_ints[k].member) == 0)
                read_int(r, v, (int64_t *)((char *)e + entry_ints[k].offset),
                         e->name, names[m]);
        if (strcmp(names[m], "ptr_offsets") == 0)
            read_offsets(r, v, e->name, "ptr_offsets", &e->ptr_offsets_array,
                         &e->ptr_offsets, &e->ptr_offsets_len);
        else if (strcmp(names[m], "weak_offsets") == 0)
            read_offsets(r, v, e->name, "weak_offsets", &e->weak_offsets_array,
                         &e->weak_offsets, &e->weak_offsets_len);
        else if (strcmp(names[m], "fields") == 0)
            read_fields(r, v, e);
    }
    for (size_t m = 0; m < values.n; m++)
        free(names[m]);
    free(names);
    free(values.values);
}

/* The tgc_type_table and the array of entries it points to. */
static bool read_table(reader *r)
{
    inspection *in = r->in;
    in->table_name = cx_take_string(clang_getCursorSpelling(r->table));
    CXCursor list = initializer_of(r->table);
    cursor_list members = fields_of(clang_getCursorType(r->table));
    placed values = { NULL, 0, 0 };
    CXCursor types = clang_getNullCursor();
    bool ok = !clang_Cursor_isNull(list) &&
              place_struct_items(r, list, &members, &values, NULL, in->table_name);
    for (size_t m = 0; ok && m < values.n; m++) {
        CXCursor v = values.values[m];
        if (clang_Cursor_isNull(v))
            continue;
        char *member = cx_take_string(clang_getCursorSpelling(members.items[m]));
        if (strcmp(member, "schema_name") == 0)
            in->schema_name = eval_string(v);
        else if (strcmp(member, "n_types") == 0)
            read_int(r, v, &in->n_types, NULL, "n_types");
        else if (strcmp(member, "first_id") == 0)
            read_int(r, v, &in->first_id, NULL, "first_id");
        else if (strcmp(member, "types") == 0)
            types = v;
        free(member);
    }
    free(values.values);
    free(members.items);

    bool is_null = false;
    CXCursor array = clang_Cursor_isNull(types) ? types : array_named(types, &is_null);
    CXCursor entries = clang_Cursor_isNull(array) ? array : initializer_of(array);
    if (clang_Cursor_isNull(entries)) {
        diag_schema(in->path, NULL, NULL, "the type table '%s' does not point "
                    "to an initialized array of tgc_type_info", in->table_name);
        return false;
    }
    in->types_array = cx_take_string(clang_getCursorSpelling(array));
    placed items = { NULL, 0, 0 };
    if (place_array_items(r, entries, &items, NULL, in->types_array)) {
        in->n_entries = array_length(array, items.n);
        in->entries = xcalloc(in->n_entries, sizeof *in->entries);
        CXType entry_type = clang_getArrayElementType(
            clang_getCanonicalType(clang_getCursorType(array)));
        cursor_list entry_members = fields_of(entry_type);
        for (size_t id = 0; id < items.n; id++)
            if (!clang_Cursor_isNull(items.values[id]))
                read_entry(r, items.values[id], &entry_members, id,
                           &in->entries[id]);
        free(entry_members.items);
    }
    free(items.values);
    return true;
}

/* ---- the structs --------------------------------------------------------- */

static value_kind integer_kind(long long size, bool is_signed)
{
    switch (size) {
    case 1: return is_signed ? KIND_I8 : KIND_U8;
    case 2: return is_signed ? KIND_I16 : KIND_U16;
    case 4: return is_signed ? KIND_I32 : KIND_U32;
    case 8: return is_signed ? KIND_I64 : KIND_U64;
    default: return NO_KIND;
    }
}

/* The typegc kind of C type `type`: what a field of that kind is declared
 * as (int64_t is long, bool is _Bool, ref is a pointer to a struct). */
static value_kind kind_of(CXType type, char **ref_to)
{
    CXType c = clang_getCanonicalType(type);
    long long size = clang_Type_getSizeOf(c);
    switch (c.kind) {
    case CXType_Bool:
        return KIND_BOOL;
    case CXType_Double:
        return KIND_F64;
    case CXType_Char_S: case CXType_SChar: case CXType_Short:
    case CXType_Int: case CXType_Long: case CXType_LongLong:
        return integer_kind(size, true);
    case CXType_Char_U: case CXType_UChar: case CXType_UShort:
    case CXType_UInt: case CXType_ULong: case CXType_ULongLong:
        return integer_kind(size, false);
    case CXType_Pointer: {
        CXType to = clang_getCanonicalType(clang_getPointeeType(c));
        if (to.kind == CXType_Void)     /* kind any: ref_to stays NULL */
            return KIND_REF;
        if (to.kind != CXType_Record)
            return NO_KIND;
        *ref_to = record_name(to);
        return KIND_REF;
    }
    default:
        return NO_KIND;
    }
}

static void add_member(inspect_struct *st, CXCursor field, int64_t base,
                       const char *prefix, const char *record)
{
    inspect_member m = { .kind = NO_KIND };
    m.name = cx_take_string(clang_getCursorSpelling(field));
    strbuf path = STRBUF_INIT;
    sb_printf(&path, "%s%s", prefix, m.name);
    m.path = xstrdup(sb_text(&path));
    sb_free(&path);
    m.declared_in = xstrdup(record);
    CXType type = clang_getCursorType(field);
    m.c_type = cx_take_string(clang_getTypeSpelling(type));
    long long bits = clang_Cursor_getOffsetOfField(field);
    m.offset = bits >= 0 ? base + bits / 8 : -1;
    m.bit_field = clang_Cursor_isBitField(field) != 0;
    CXType c = clang_getCanonicalType(type);
    if (c.kind == CXType_IncompleteArray) {
        /* items[]: what is checked is an item */
        m.flexible = true;
        type = clang_getArrayElementType(c);
        free(m.c_type);
        m.c_type = cx_take_string(clang_getTypeSpelling(type));
    }
    m.size = clang_Type_getSizeOf(type);
    if (c.kind == CXType_ConstantArray) {
        /* f[N]: the kind is an item's, the size the whole array's */
        m.length = clang_getNumElements(c);
        type = clang_getArrayElementType(c);
    }
    m.kind = kind_of(type, &m.ref_to);
    st->members = xrealloc(st->members, (st->n_members + 1) * sizeof *st->members);
    st->members[st->n_members++] = m;
}

static bool is_record_named(CXType type, const char *name)
{
    CXType c = clang_getCanonicalType(type);
    if (c.kind != CXType_Record)
        return false;
    char *spelled = record_name(c);
    bool same = strcmp(spelled, name) == 0;
    free(spelled);
    return same;
}

/* Adds the members of struct `record`, at `base` in the object, reached
 * through `prefix`.  A first member `super` at offset 0 is the base
 * struct, whose members come first; a first member `hdr` of type
 * tgc_header is the root's header.  `outer` is the struct itself. */
static void add_members(inspect_struct *st, CXType record, int64_t base,
                        const char *prefix, bool outer)
{
    char *name = record_name(record);
    cursor_list fields = fields_of(record);
    for (size_t i = 0; i < fields.n; i++) {
        CXCursor f = fields.items[i];
        char *field = cx_take_string(clang_getCursorSpelling(f));
        CXType type = clang_getCursorType(f);
        bool first = i == 0 && clang_Cursor_getOffsetOfField(f) == 0;
        if (first && strcmp(field, "hdr") == 0 &&
            is_record_named(type, "tgc_header")) {
            st->has_header = true;
        } else if (first && strcmp(field, "super") == 0 &&
                   clang_getCanonicalType(type).kind == CXType_Record) {
            if (outer)
                st->base = record_name(type);
            strbuf sub = STRBUF_INIT;
            sb_printf(&sub, "%ssuper.", prefix);
            add_members(st, type, base, sb_text(&sub), false);
            sb_free(&sub);
        } else {
            add_member(st, f, base, prefix, name);
        }
        free(field);
    }
    free(fields.items);
    free(name);
}

static void read_struct(CXCursor decl, inspect_struct *st)
{
    CXType type = clang_getCursorType(decl);
    st->found = true;
    st->size = clang_Type_getSizeOf(type);
    st->align = clang_Type_getAlignOf(type);
    add_members(st, type, 0, "", true);
}

/* ---- the translation unit ------------------------------------------------ */

static enum CXChildVisitResult visit_enum(CXCursor c, CXCursor parent,
                                          CXClientData data)
{
    (void)parent;
    inspection *in = data;
    if (clang_getCursorKind(c) != CXCursor_EnumConstantDecl)
        return CXChildVisit_Continue;
    char *name = cx_take_string(clang_getCursorSpelling(c));
    if (strmap_add(&in->constants, name, in->n_constants) == STRMAP_NONE) {
        in->constant_values = xrealloc(in->constant_values,
                                       (in->n_constants + 1) * sizeof(int64_t));
        in->constant_values[in->n_constants++] = clang_getEnumConstantDeclValue(c);
    }
    free(name);
    return CXChildVisit_Continue;
}

static bool is_type_table(CXCursor var)
{
    return is_record_named(clang_getCursorType(var), "tgc_type_table") &&
           clang_isCursorDefinition(var) &&
           clang_Location_isFromMainFile(clang_getCursorLocation(var));
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent,
                                         CXClientData data)
{
    (void)parent;
    reader *r = data;
    switch (clang_getCursorKind(c)) {
    case CXCursor_StructDecl:
        if (clang_isCursorDefinition(c)) {
            char *name = cx_take_string(clang_getCursorSpelling(c));
            if (name[0] != '\0' &&
                strmap_add(&r->struct_index, name, r->n_struct_decls) == STRMAP_NONE) {
                r->struct_decls = xrealloc(r->struct_decls, (r->n_struct_decls + 1) *
                                                                sizeof *r->struct_decls);
                r->struct_decls[r->n_struct_decls++] = c;
            }
            free(name);
        }
        break;
    case CXCursor_EnumDecl:
        clang_visitChildren(c, visit_enum, r->in);
        break;
    case CXCursor_VarDecl:
        if (is_type_table(c)) {
            if (r->n_tables++ == 0)
                r->table = c;
        }
        break;
    default:
        break;
    }
    return CXChildVisit_Continue;
}

/* Keeps clang's errors; false if one was fatal, after printing them. */
static bool take_diagnostics(reader *r)
{
    inspection *in = r->in;
    bool fatal = false;
    unsigned n = clang_getNumDiagnostics(r->tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(r->tu, i);
        enum CXDiagnosticSeverity severity = clang_getDiagnosticSeverity(d);
        if (severity >= CXDiagnostic_Error) {
            in->clang_errors = xrealloc(in->clang_errors, (in->n_clang_errors + 1) *
                                                              sizeof *in->clang_errors);
            in->clang_errors[in->n_clang_errors++] = cx_take_string(clang_formatDiagnostic(
                d, CXDiagnostic_DisplaySourceLocation | CXDiagnostic_DisplayColumn));
            fatal = fatal || severity == CXDiagnostic_Fatal;
        }
        clang_disposeDiagnostic(d);
    }
    if (!fatal)
        return true;
    for (size_t i = 0; i < in->n_clang_errors; i++)
        diag_schema(in->path, NULL, NULL, "clang: %s", in->clang_errors[i]);
    diag_schema(in->path, NULL, NULL, "cannot be compiled, so nothing was "
                "checked (a header missing? add its directory: -- -I DIR)");
    return false;
}

/* The file can be read: libclang's own message for a missing file says
 * less. */
static bool readable(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        diag_schema(path, NULL, NULL, "cannot read: %s", strerror(errno));
        return false;
    }
    char byte;
    size_t n = fread(&byte, 1, 1, fp);
    int error = n == 0 && ferror(fp) ? errno : 0;
    fclose(fp);
    if (error != 0) {
        diag_schema(path, NULL, NULL, "cannot read: %s", strerror(error));
        return false;
    }
    return true;
}

/* Parses `path` as C with the caller's `flags` between ours and the
 * include directories of typegc.h. */
static enum CXErrorCode parse(reader *r, const char *path, char *const *flags,
                              int n_flags)
{
    /* ours first, so that the caller's flags win; -ferror-limit=0 so that
     * a header whose every assert fails is still read to its end */
    const char *fixed[] = { "-xc", "-std=gnu11", "-ferror-limit=0" };
    const char *includes[] = { "-I", TGC_RUNTIME_INCLUDE_DIR,
                               "-I", TGC_INSTALLED_INCLUDE_DIR };
    size_t n_fixed = sizeof fixed / sizeof fixed[0];
    size_t n_includes = sizeof includes / sizeof includes[0];
    size_t n_args = n_fixed + (size_t)n_flags + n_includes;
    const char **args = xmalloc(n_args * sizeof *args);
    size_t n = 0;
    for (size_t i = 0; i < n_fixed; i++)
        args[n++] = fixed[i];
    for (int i = 0; i < n_flags; i++)
        args[n++] = flags[i];
    for (size_t i = 0; i < n_includes; i++)
        args[n++] = includes[i];
    r->index = clang_createIndex(0, 0);
    enum CXErrorCode error = clang_parseTranslationUnit2(
        r->index, path, args, (int)n_args, NULL, 0,
        CXTranslationUnit_SkipFunctionBodies, &r->tu);
    free(args);
    return error;
}

static void dispose(reader *r)
{
    if (r->tu != NULL)
        clang_disposeTranslationUnit(r->tu);
    if (r->index != NULL)
        clang_disposeIndex(r->index);
    strmap_free(&r->struct_index);
    free(r->struct_decls);
}

static bool read_unit(reader *r, char *const *flags, int n_flags)
{
    inspection *in = r->in;
    enum CXErrorCode error = parse(r, in->path, flags, n_flags);
    if (error != CXError_Success) {
        diag_schema(in->path, NULL, NULL, "libclang cannot parse it "
                    "(CXErrorCode %d)", (int)error);
        return false;
    }
    if (!take_diagnostics(r))
        return false;
    clang_visitChildren(clang_getTranslationUnitCursor(r->tu), visit_top, r);
    if (r->n_tables == 0) {
        diag_schema(in->path, NULL, NULL, "no type table: the file defines no "
                    "'tgc_type_table' (is it a NAME.c that typegc gen wrote?)");
        return false;
    }
    if (r->n_tables > 1) {
        diag_schema(in->path, NULL, NULL, "%zu type tables: inspect reads one "
                    "per file", r->n_tables);
        return false;
    }
    if (!read_table(r))
        return false;
    in->structs = xcalloc(in->n_entries, sizeof *in->structs);
    for (size_t id = 1; id < in->n_entries; id++) {
        const char *name = in->entries[id].name;
        size_t decl = name != NULL ? strmap_get(&r->struct_index, name) : STRMAP_NONE;
        if (decl != STRMAP_NONE)
            read_struct(r->struct_decls[decl], &in->structs[id]);
    }
    return true;
}

bool inspect_read(inspection *in, char *const *flags, int n_flags)
{
    if (!readable(in->path))
        return false;
    reader r = { .in = in, .struct_index = STRMAP_INIT };
    bool ok = read_unit(&r, flags, n_flags);
    dispose(&r);
    return ok;
}

bool inspect_read_struct(const char *header, const char *type, inspect_struct *st)
{
    inspection scratch = { .path = header };
    reader r = { .in = &scratch, .struct_index = STRMAP_INIT };
    *st = (inspect_struct){ .found = false };
    if (parse(&r, header, NULL, 0) == CXError_Success) {
        clang_visitChildren(clang_getTranslationUnitCursor(r.tu), visit_top, &r);
        size_t decl = strmap_get(&r.struct_index, type);
        if (decl != STRMAP_NONE)
            read_struct(r.struct_decls[decl], st);
    }
    dispose(&r);
    strmap_free(&scratch.constants);
    free(scratch.constant_values);
    return st->found;
}
