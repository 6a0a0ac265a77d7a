/* check_clang.c -- what `typegc check` asks libclang, and the text of
 * the checked file: cursors' children and places, expressions stripped of
 * parentheses and conversions, operators told apart where libclang 14
 * gives no opcode, which types are GC types, cursors and null constants,
 * and the calls as written (for messages). */
#include "check_clang.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- small libclang helpers ---------------------------------------------- */

char *check_take_string(CXString s)
{
    const char *text = clang_getCString(s);
    char *copy = xstrdup(text != NULL ? text : "");
    clang_disposeString(s);
    return copy;
}

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent,
                                             CXClientData data)
{
    (void)parent;
    cursor_list *list = data;
    list->items = xrealloc(list->items, (list->n + 1) * sizeof *list->items);
    list->items[list->n++] = c;
    return CXChildVisit_Continue;
}

cursor_list check_children(CXCursor c)
{
    cursor_list list = { NULL, 0 };
    clang_visitChildren(c, collect_child, &list);
    return list;
}

CXCursor check_first_child(CXCursor c)
{
    cursor_list kids = check_children(c);
    CXCursor first = kids.n > 0 ? kids.items[0] : clang_getNullCursor();
    free(kids.items);
    return first;
}

CXCursor check_last_child(CXCursor c)
{
    cursor_list kids = check_children(c);
    CXCursor last = kids.n > 0 ? kids.items[kids.n - 1] : clang_getNullCursor();
    free(kids.items);
    return last;
}

/* Where `c` is in the checked file, and its byte offset there. */
check_loc check_loc_of(CXCursor c, unsigned *offset)
{
    CXFile file;
    unsigned line = 0, column = 0, off = 0;
    clang_getFileLocation(clang_getCursorLocation(c), &file, &line, &column, &off);
    if (offset != NULL)
        *offset = off;
    return (check_loc){ line, column };
}

/* Parentheses and implicit conversions (which libclang shows as unexposed
 * expressions of one child) taken off. */
CXCursor check_strip(CXCursor c)
{
    for (;;) {
        enum CXCursorKind kind = clang_getCursorKind(c);
        if (kind != CXCursor_ParenExpr && kind != CXCursor_UnexposedExpr)
            return c;
        cursor_list kids = check_children(c);
        bool one = kids.n == 1;
        CXCursor inner = one ? kids.items[0] : c;
        free(kids.items);
        if (!one)
            return c;
        c = inner;
    }
}

/* The same, casts written in the source too. */
CXCursor check_strip_casts(CXCursor c)
{
    for (;;) {
        c = check_strip(c);
        if (clang_getCursorKind(c) != CXCursor_CStyleCastExpr)
            return c;
        c = check_last_child(c);
    }
}

/* The source text of a cursor's extent, when it lies in the checked file
 * (not inside a macro), on one line; NULL otherwise. */
static char *extent_text(const check_unit *u, CXCursor c)
{
    CXSourceRange range = clang_getCursorExtent(c);
    CXFile file;
    unsigned start, end;
    clang_getFileLocation(clang_getRangeStart(range), &file, NULL, NULL, &start);
    clang_getFileLocation(clang_getRangeEnd(range), &file, NULL, NULL, &end);
    if (end <= start || end > u->source->length || end - start > 200)
        return NULL;
    strbuf sb = STRBUF_INIT;
    bool space = false;
    for (unsigned i = start; i < end; i++) {
        char ch = u->source->text[i];
        if (ch == '\n' || ch == ' ' || ch == '\t') {
            space = true;
            continue;
        }
        if (space && sb.len > 0)
            sb_putc(&sb, ' ');
        space = false;
        sb_putc(&sb, ch);
    }
    return (char *)sb_text(&sb);
}

/* An expression as C, for messages: names and member accesses rebuilt
 * from the tree (they may come from inside a macro), anything else as
 * written. */
char *check_expr_text(const check_unit *u, CXCursor c)
{
    c = check_strip(c);
    strbuf sb = STRBUF_INIT;
    switch (clang_getCursorKind(c)) {
    case CXCursor_DeclRefExpr:
        return check_take_string(clang_getCursorSpelling(c));
    case CXCursor_MemberRefExpr: {
        CXCursor base = check_first_child(c);
        char *base_text = check_expr_text(u, base);
        bool arrow = clang_getCanonicalType(clang_getCursorType(check_strip(base))).kind == CXType_Pointer;
        char *member = check_take_string(clang_getCursorSpelling(c));
        sb_printf(&sb, "%s%s%s", base_text, arrow ? "->" : ".", member);
        free(base_text);
        free(member);
        return (char *)sb_text(&sb);
    }
    case CXCursor_ArraySubscriptExpr: {
        cursor_list kids = check_children(c);
        if (kids.n == 2) {
            char *array = check_expr_text(u, kids.items[0]);
            char *index = check_expr_text(u, kids.items[1]);
            sb_printf(&sb, "%s[%s]", array, index);
            free(array);
            free(index);
        }
        free(kids.items);
        if (sb.len > 0)
            return (char *)sb_text(&sb);
        break;
    }
    default:
        break;
    }
    char *written = extent_text(u, c);
    return written != NULL ? written : xstrdup("...");
}

bool check_same_type(CXType a, CXType b)
{
    return clang_equalTypes(clang_getCanonicalType(a), clang_getCanonicalType(b)) != 0;
}

/* libclang 14 does not give a binary operator's opcode.  The stores this
 * checker cares about all store pointers, and among the operators on a
 * pointer only `=` yields the pointer type with a right operand of that
 * same type (after conversion): `p + n` has an integer on the right,
 * `p - q` and comparisons yield integers. */
bool check_is_pointer_assignment(CXCursor e, CXCursor lhs, CXCursor rhs)
{
    CXType t = clang_getCanonicalType(clang_getCursorType(e));
    return t.kind == CXType_Pointer &&
           check_same_type(clang_getCursorType(lhs), t) &&
           check_same_type(clang_getCursorType(rhs), t);
}

/* "&&" or "||" if that is the operator written between two operands in
 * the checked file; NULL otherwise, and for operands from inside a macro,
 * whose tokens are not in the file (such a condition is then read as if
 * both operands ran, which can only add paths). */
const char *check_logical_operator(const check_unit *u, CXCursor lhs, CXCursor rhs)
{
    CXSourceLocation end = clang_getRangeEnd(clang_getCursorExtent(lhs));
    CXSourceLocation start = clang_getRangeStart(clang_getCursorExtent(rhs));
    CXFile file;
    unsigned from, to;
    clang_getFileLocation(end, &file, NULL, NULL, &from);
    clang_getFileLocation(start, &file, NULL, NULL, &to);
    if (to <= from || to > u->source->length)
        return NULL;
    const char *text = u->source->text;
    while (from < to && strchr(" \t\n)", text[from]) != NULL)
        from++;
    if (from + 2 > to)
        return NULL;
    if (strncmp(text + from, "&&", 2) == 0)
        return "&&";
    if (strncmp(text + from, "||", 2) == 0)
        return "||";
    return NULL;
}

/* ---- types --------------------------------------------------------------- */

static bool is_gc_record_uncached(check_unit *u, CXType record);

/* A struct the generator emitted: its first field is the GC header, or
 * `super`, a GC struct (a derived type). */
bool check_is_gc_record(check_unit *u, CXType type)
{
    CXType record = clang_getCanonicalType(type);
    if (record.kind != CXType_Record)
        return false;
    char *name = check_take_string(clang_getTypeSpelling(record));
    size_t cached = strmap_get(&u->gc_records, name);
    bool gc;
    if (cached != STRMAP_NONE) {
        gc = cached == 2;
    } else {
        /* no cycle: a struct cannot hold itself as its first field */
        gc = is_gc_record_uncached(u, record);
        strmap_add(&u->gc_records, name, gc ? 2 : 1);
    }
    free(name);
    return gc;
}

typedef struct first_field {
    CXCursor field;
    bool found;
} first_field;

static enum CXVisitorResult take_first_field(CXCursor c, CXClientData data)
{
    first_field *f = data;
    f->field = c;
    f->found = true;
    return CXVisit_Break;
}

static bool is_gc_record_uncached(check_unit *u, CXType record)
{
    first_field f = { .found = false };
    clang_Type_visitFields(record, take_first_field, &f);
    if (!f.found)
        return false;
    char *name = check_take_string(clang_getCursorSpelling(f.field));
    CXType type = clang_getCanonicalType(clang_getCursorType(f.field));
    bool gc = false;
    if (strcmp(name, "hdr") == 0) {
        char *type_name = check_take_string(clang_getTypeSpelling(
            clang_getCursorType(clang_getTypeDeclaration(type))));
        gc = strcmp(type_name, "tgc_header") == 0 ||
             strcmp(type_name, "struct tgc_header") == 0;
        free(type_name);
    } else if (strcmp(name, "super") == 0) {
        gc = check_is_gc_record(u, type);
    }
    free(name);
    return gc;
}

/* A pointer to a GC struct (const or not). */
bool check_is_gc_pointer(check_unit *u, CXType type)
{
    CXType t = clang_getCanonicalType(type);
    return t.kind == CXType_Pointer && check_is_gc_record(u, clang_getPointeeType(t));
}

bool check_is_void_pointer(CXType type)
{
    CXType t = clang_getCanonicalType(type);
    return t.kind == CXType_Pointer &&
           clang_getCanonicalType(clang_getPointeeType(t)).kind == CXType_Void;
}

/* tgc_cursor is `char *[3]`; a parameter declared with it has the
 * adjusted type `char **`, which libclang still spells as written. */
bool check_is_cursor_type(CXType type)
{
    char *spelling = check_take_string(clang_getTypeSpelling(type));
    bool named = strstr(spelling, "tgc_cursor") != NULL;
    free(spelling);
    if (named)
        return true;
    CXType t = clang_getCanonicalType(type);
    if (t.kind != CXType_ConstantArray || clang_getArraySize(t) != 3)
        return false;
    CXType item = clang_getCanonicalType(clang_getArrayElementType(t));
    return item.kind == CXType_Pointer &&
           clang_getCanonicalType(clang_getPointeeType(item)).kind == CXType_Char_S;
}

static enum CXVisitorResult find_cursor_field(CXCursor field, CXClientData data)
{
    bool *found = data;
    *found = check_is_cursor_type(clang_getCursorType(field));
    return *found ? CXVisit_Break : CXVisit_Continue;
}

/* A pointer to a struct with a tgc_cursor field: a callee given one can
 * allocate with it. */
bool check_points_to_cursor_holder(CXType type)
{
    CXType t = clang_getCanonicalType(type);
    if (t.kind != CXType_Pointer)
        return false;
    CXType record = clang_getCanonicalType(clang_getPointeeType(t));
    if (record.kind != CXType_Record)
        return false;
    bool found = false;
    clang_Type_visitFields(record, find_cursor_field, &found);
    return found;
}

/* The variable or parameter an expression names, or a null cursor. */
CXCursor check_named_variable(CXCursor e)
{
    e = check_strip(e);
    if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
        return clang_getNullCursor();
    CXCursor decl = clang_getCursorReferenced(e);
    enum CXCursorKind kind = clang_getCursorKind(decl);
    if (kind != CXCursor_VarDecl && kind != CXCursor_ParmDecl)
        return clang_getNullCursor();
    return decl;
}

bool check_is_cursor_variable(CXCursor decl)
{
    return !clang_Cursor_isNull(decl) && check_is_cursor_type(clang_getCursorType(decl));
}

typedef struct field_search {
    check_unit *u;
    bool gc;
} field_search;

static enum CXVisitorResult find_gc_field(CXCursor field, CXClientData data)
{
    field_search *s = data;
    CXType t = clang_getCanonicalType(clang_getCursorType(field));
    if (t.kind == CXType_ConstantArray)
        t = clang_getCanonicalType(clang_getArrayElementType(t));
    s->gc = check_is_gc_pointer(s->u, t);
    return s->gc ? CXVisit_Break : CXVisit_Continue;
}

/* A local this checker does not follow though it holds GC pointers: a
 * struct with a GC pointer field (not a GC object), or a pointer to GC
 * pointers. */
bool check_holds_gc_pointers(check_unit *u, CXType canonical)
{
    if (canonical.kind == CXType_Pointer)
        return check_is_gc_pointer(u, clang_getPointeeType(canonical));
    if (canonical.kind != CXType_Record || check_is_gc_record(u, canonical))
        return false;
    field_search s = { u, false };
    clang_Type_visitFields(canonical, find_gc_field, &s);
    return s.gc;
}

/* A null pointer constant: 0, possibly cast ((void *)0, NULL). */
bool check_is_null_constant(CXCursor e)
{
    CXCursor inner = check_strip_casts(e);
    if (clang_getCursorKind(inner) != CXCursor_IntegerLiteral)
        return false;
    CXEvalResult result = clang_Cursor_Evaluate(inner);
    if (result == NULL)
        return false;
    bool zero = clang_EvalResult_getKind(result) == CXEval_Int &&
                clang_EvalResult_getAsLongLong(result) == 0;
    clang_EvalResult_dispose(result);
    return zero;
}

/* ---- text of the checked file ------------------------------------------------ */

bool check_is_identifier_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* The identifier at `offset` of the checked file (a function or macro
 * name where a call is), or "?". */
char *check_identifier_at(const check_unit *u, unsigned offset)
{
    const char *text = u->source->text;
    size_t end = offset;
    while (end < u->source->length && check_is_identifier_char(text[end]))
        end++;
    if (end == offset)
        return xstrdup("?");
    char *name = xmalloc(end - offset + 1);
    memcpy(name, text + offset, end - offset);
    name[end - offset] = '\0';
    return name;
}

/* The call written at `offset`, through its closing parenthesis, on one
 * line: "TGC_NEW(Node, c, left)".  NULL if it is not there whole. */
char *check_call_text_at(const check_unit *u, unsigned offset)
{
    const char *text = u->source->text;
    size_t i = offset, n = u->source->length;
    while (i < n && check_is_identifier_char(text[i]))
        i++;
    while (i < n && (text[i] == ' ' || text[i] == '\t'))
        i++;
    if (i >= n || text[i] != '(')
        return NULL;
    int depth = 0;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, text + offset, i - offset);
    bool space = false;
    for (; i < n; i++) {
        char c = text[i];
        if (c == '\n' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && sb.len > 0 && sb.data[sb.len - 1] != '(')
            sb_putc(&sb, ' ');
        space = false;
        sb_putc(&sb, c);
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return (char *)sb_text(&sb);
    }
    sb_free(&sb);
    return NULL;
}
