/* check_rules.c -- the rules that need no flow, applied while a function
 * is lowered: a GC pointer stored into a GC object's reference field
 * without its setter (the write barrier), and a cursor copied. */
#include "check_rules.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

void check_report(check_unit *u, finding_kind kind, const char *rule, check_loc loc,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf sb = STRBUF_INIT;
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    findings_add(u->out, kind, rule, loc, "%s", sb_text(&sb));
    sb_free(&sb);
}

/* ---- the write barrier ------------------------------------------------------ */

/* The struct a member access reaches an object of through `->`: for
 * `n->super.next`, n's.  False if the access starts from a struct value
 * (a local), which is no GC object. */
static bool object_record(CXCursor member, CXType *record, CXCursor *object)
{
    CXCursor m = member;
    for (;;) {
        CXCursor base = check_strip(check_first_child(m));
        CXType t = clang_getCanonicalType(clang_getCursorType(base));
        if (t.kind == CXType_Pointer) {
            *record = clang_getPointeeType(t);
            *object = base;
            return true;
        }
        if (clang_getCursorKind(base) != CXCursor_MemberRefExpr)
            return false;
        m = base;
    }
}

static char *record_name(CXType record)
{
    return check_take_string(clang_getCursorSpelling(
        clang_getTypeDeclaration(clang_getCanonicalType(record))));
}

/* A field of a GC object that holds a GC pointer (or `any`, a `void *`). */
static bool is_reference(check_unit *u, CXType type)
{
    return check_is_gc_pointer(u, type) || check_is_void_pointer(type);
}

/* `target = value` where target is a GC object's reference field (or an
 * item of a reference array) written without its setter. */
void check_store(check_unit *u, CXCursor target, CXCursor value)
{
    if (u->in_generated_init)
        return;
    CXCursor member = target;
    CXCursor index = clang_getNullCursor();
    if (clang_getCursorKind(target) == CXCursor_ArraySubscriptExpr) {
        cursor_list kids = check_children(target);
        if (kids.n == 2) {
            member = check_strip(kids.items[0]);
            index = kids.items[1];
        }
        free(kids.items);
        if (clang_getCursorKind(member) != CXCursor_MemberRefExpr)
            return;
        CXType array = clang_getCanonicalType(clang_getCursorType(
            clang_getCursorReferenced(member)));
        if (array.kind != CXType_ConstantArray && array.kind != CXType_IncompleteArray)
            return;
        if (!is_reference(u, clang_getArrayElementType(array)))
            return;
    } else if (clang_getCursorKind(target) != CXCursor_MemberRefExpr ||
               !is_reference(u, clang_getCursorType(target))) {
        return;
    }
    CXType record;
    CXCursor object;
    if (!object_record(member, &record, &object) || !check_is_gc_record(u, record))
        return;
    char *type = record_name(record);
    char *field = check_take_string(clang_getCursorSpelling(clang_getCursorReferenced(member)));
    char *obj = check_expr_text(u, object);
    char *val = check_expr_text(u, value);
    char *written = check_expr_text(u, target);
    check_loc loc = check_loc_of(target, NULL);
    if (clang_Cursor_isNull(index)) {
        check_report(u, FINDING_ERROR, "barrier", loc,
               "'%s = ...' stores a GC pointer into an object of type %s without the "
                   "write "
               "barrier: use %s_set_%s(%s, %s)", written, type, type, field, obj, val);
    } else {
        char *idx = check_expr_text(u, index);
        bool items = strcmp(field, "items") == 0 &&
                     clang_getCanonicalType(clang_getCursorType(
                         clang_getCursorReferenced(member))).kind == CXType_IncompleteArray;
        if (items)
            check_report(u, FINDING_ERROR, "barrier", loc,
                   "'%s = ...' stores a GC pointer into an object of type %s without the "
                   "write "
                   "barrier: use %s_set(%s, %s, %s)", written, type, type, obj, idx, val);
        else
            check_report(u, FINDING_ERROR, "barrier", loc,
                   "'%s = ...' stores a GC pointer into an object of type %s without the "
                   "write "
                   "barrier: use %s_set_%s(%s, %s, %s)", written, type, type, field,
                   obj, idx, val);
        free(idx);
    }
    free(type);
    free(field);
    free(obj);
    free(val);
    free(written);
}

/* ---- cursor copies ---------------------------------------------------------- */

typedef struct cursor_search {
    CXCursor found;             /* the first cursor variable named */
    CXCursor other_than;
} cursor_search;

static enum CXChildVisitResult find_cursor_use(CXCursor c, CXCursor parent,
                                               CXClientData data)
{
    (void)parent;
    cursor_search *s = data;
    if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
        CXCursor decl = clang_getCursorReferenced(c);
        if (check_is_cursor_variable(decl) && !clang_equalCursors(decl, s->other_than)) {
            s->found = decl;
            return CXChildVisit_Break;
        }
    }
    return CXChildVisit_Recurse;
}

/* The cursor variable (other than `not`) that `e` reads, or a null cursor. */
CXCursor check_cursor_read_in(CXCursor e, CXCursor not)
{
    cursor_search s = { clang_getNullCursor(), not };
    if (clang_getCursorKind(e) == CXCursor_DeclRefExpr)
        find_cursor_use(e, e, &s);
    else
        clang_visitChildren(e, find_cursor_use, &s);
    return s.found;
}

void check_report_cursor_copy(check_unit *u, check_loc loc, CXCursor from, CXCursor to)
{
    char *source = check_take_string(clang_getCursorSpelling(from));
    char *copy = check_take_string(clang_getCursorSpelling(to));
    check_report(u, FINDING_ERROR, "cursor-copy", loc,
           "the cursor '%s' is copied into '%s': there is one cursor per "
           "process, and a copy hands out the same memory twice; pass '%s' "
           "itself (a tgc_cursor parameter is the caller's cursor)",
           source, copy, source);
    free(source);
    free(copy);
}

/* `copy[i] = c[j]`, `*copy = *c`: a word of one cursor into another. */
void check_cursor_store(check_unit *u, CXCursor target, CXCursor value)
{
    CXCursor base = check_strip(target);
    enum CXCursorKind kind = clang_getCursorKind(base);
    if (kind != CXCursor_ArraySubscriptExpr && kind != CXCursor_UnaryOperator)
        return;
    CXCursor to = check_named_variable(check_first_child(base));
    if (!check_is_cursor_variable(to))
        return;
    CXCursor from = check_cursor_read_in(value, to);
    if (!clang_Cursor_isNull(from))
        check_report_cursor_copy(u, check_loc_of(target, NULL), from, to);
}
