/* check_build.c -- a function's body, read through libclang with the
 * macros expanded, lowered to the events of check_ir.h.
 *
 * Working on the expanded code means TGC_NEW's live list and TGC_RESTORE
 * need no special case: they expand to stores of the variables before the
 * collecting call and loads back into them after it, which this file
 * lowers as reads and writes like any other.  What is recognised by shape
 * is only what the flow analysis needs to name:
 *   - a TGC_SAVE / TGC_RESTORE: a statement that declares `tgc__slots`
 *     from tgc_shadowstack_push_frame() / _pop_frame(), then stores each
 *     variable into (or loads it from) a slot; tgc_save_array() and
 *     tgc_restore_array() calls for the _ARRAY forms;
 *   - a call that may collect: the runtime's collecting functions (what
 *     TGC_NEW, TGC_NEW_ARRAY and tgc_collect*() expand to), or any other
 *     call (not the runtime's inline helpers) passed a tgc_cursor.
 * The rules about stores (a GC object's reference field written without
 * its setter) and cursor copies are checked here, while walking, because
 * they need no flow.
 *
 * libclang 14 does not tell a binary or unary operator's opcode; it is
 * read from the pretty-printed expression (which clang prints as
 * "LHS op RHS"), since a token walk cannot see inside macro expansions. */
#include "check_build.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check_flow.h"
#include "strbuf.h"
#include "strmap.h"
#include "xalloc.h"

typedef struct pending_goto {
    int from;
    char *label;        /* NULL: an indirect goto, to every label */
    check_loc loc;
} pending_goto;

typedef struct builder {
    CXTranslationUnit tu;
    const check_source *source;
    findings *out;
    strmap gc_records;          /* record name -> 1 + whether it is a GC type */

    /* the function being lowered */
    function_ir *fn;
    CXCursor *var_decls;        /* parallel to fn->vars */
    bool *address_taken;        /* parallel to fn->vars */
    check_loc *address_loc;
    int current;                /* the block events go to */
    int break_target, continue_target;
    int switch_block;           /* the dispatch of the innermost switch */
    bool switch_has_default;
    strmap labels;              /* label -> block */
    strmap marks;               /* tgc_root_mark variable -> index */
    pending_goto *gotos;
    size_t n_gotos;
    bool skip_store_rule;       /* inside a generated T__init() */
    char **unfollowed;          /* locals holding GC pointers out of reach */
    check_loc *unfollowed_loc;
    size_t n_unfollowed;
} builder;

/* ---- small libclang helpers ---------------------------------------------- */

static char *take_string(CXString s)
{
    const char *text = clang_getCString(s);
    char *copy = xstrdup(text != NULL ? text : "");
    clang_disposeString(s);
    return copy;
}

typedef struct cursor_list {
    CXCursor *items;
    size_t n;
} cursor_list;

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent,
                                             CXClientData data)
{
    (void)parent;
    cursor_list *list = data;
    list->items = xrealloc(list->items, (list->n + 1) * sizeof *list->items);
    list->items[list->n++] = c;
    return CXChildVisit_Continue;
}

static cursor_list children_of(CXCursor c)
{
    cursor_list list = { NULL, 0 };
    clang_visitChildren(c, collect_child, &list);
    return list;
}

static CXCursor first_child(CXCursor c)
{
    cursor_list kids = children_of(c);
    CXCursor first = kids.n > 0 ? kids.items[0] : clang_getNullCursor();
    free(kids.items);
    return first;
}

static CXCursor last_child(CXCursor c)
{
    cursor_list kids = children_of(c);
    CXCursor last = kids.n > 0 ? kids.items[kids.n - 1] : clang_getNullCursor();
    free(kids.items);
    return last;
}

/* Where `c` is in the checked file, and its byte offset there. */
static check_loc loc_of(CXCursor c, unsigned *offset)
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
static CXCursor strip(CXCursor c)
{
    for (;;) {
        enum CXCursorKind kind = clang_getCursorKind(c);
        if (kind != CXCursor_ParenExpr && kind != CXCursor_UnexposedExpr)
            return c;
        cursor_list kids = children_of(c);
        bool one = kids.n == 1;
        CXCursor inner = one ? kids.items[0] : c;
        free(kids.items);
        if (!one)
            return c;
        c = inner;
    }
}

/* The same, casts written in the source too. */
static CXCursor strip_casts(CXCursor c)
{
    for (;;) {
        c = strip(c);
        if (clang_getCursorKind(c) != CXCursor_CStyleCastExpr)
            return c;
        c = last_child(c);
    }
}

static char *expr_text(const builder *b, CXCursor c);

/* The source text of a cursor's extent, when it lies in the checked file
 * (not inside a macro), on one line; NULL otherwise. */
static char *extent_text(const builder *b, CXCursor c)
{
    CXSourceRange range = clang_getCursorExtent(c);
    CXFile file;
    unsigned start, end;
    clang_getFileLocation(clang_getRangeStart(range), &file, NULL, NULL, &start);
    clang_getFileLocation(clang_getRangeEnd(range), &file, NULL, NULL, &end);
    if (end <= start || end > b->source->length || end - start > 200)
        return NULL;
    strbuf sb = STRBUF_INIT;
    bool space = false;
    for (unsigned i = start; i < end; i++) {
        char ch = b->source->text[i];
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
static char *expr_text(const builder *b, CXCursor c)
{
    c = strip(c);
    strbuf sb = STRBUF_INIT;
    switch (clang_getCursorKind(c)) {
    case CXCursor_DeclRefExpr:
        return take_string(clang_getCursorSpelling(c));
    case CXCursor_MemberRefExpr: {
        CXCursor base = first_child(c);
        char *base_text = expr_text(b, base);
        bool arrow = clang_getCanonicalType(clang_getCursorType(strip(base))).kind == CXType_Pointer;
        char *member = take_string(clang_getCursorSpelling(c));
        sb_printf(&sb, "%s%s%s", base_text, arrow ? "->" : ".", member);
        free(base_text);
        free(member);
        return (char *)sb_text(&sb);
    }
    case CXCursor_ArraySubscriptExpr: {
        cursor_list kids = children_of(c);
        if (kids.n == 2) {
            char *array = expr_text(b, kids.items[0]);
            char *index = expr_text(b, kids.items[1]);
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
    char *written = extent_text(b, c);
    return written != NULL ? written : xstrdup("...");
}

static bool same_type(CXType a, CXType b)
{
    return clang_equalTypes(clang_getCanonicalType(a), clang_getCanonicalType(b)) != 0;
}

/* libclang 14 does not give a binary operator's opcode.  The stores this
 * checker cares about all store pointers, and among the operators on a
 * pointer only `=` yields the pointer type with a right operand of that
 * same type (after conversion): `p + n` has an integer on the right,
 * `p - q` and comparisons yield integers. */
static bool is_pointer_assignment(CXCursor e, CXCursor lhs, CXCursor rhs)
{
    CXType t = clang_getCanonicalType(clang_getCursorType(e));
    return t.kind == CXType_Pointer &&
           same_type(clang_getCursorType(lhs), t) &&
           same_type(clang_getCursorType(rhs), t);
}

/* "&&" or "||" if that is the operator written between two operands in
 * the checked file; NULL otherwise, and for operands from inside a macro,
 * whose tokens are not in the file (such a condition is then read as if
 * both operands ran, which can only add paths). */
static const char *logical_operator(const builder *b, CXCursor lhs, CXCursor rhs)
{
    CXSourceLocation end = clang_getRangeEnd(clang_getCursorExtent(lhs));
    CXSourceLocation start = clang_getRangeStart(clang_getCursorExtent(rhs));
    CXFile file;
    unsigned from, to;
    clang_getFileLocation(end, &file, NULL, NULL, &from);
    clang_getFileLocation(start, &file, NULL, NULL, &to);
    if (to <= from || to > b->source->length)
        return NULL;
    const char *text = b->source->text;
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

static bool is_gc_record_uncached(builder *b, CXType record);

/* A struct the generator emitted: its first field is the GC header, or
 * `super`, a GC struct (a derived type). */
static bool is_gc_record(builder *b, CXType type)
{
    CXType record = clang_getCanonicalType(type);
    if (record.kind != CXType_Record)
        return false;
    char *name = take_string(clang_getTypeSpelling(record));
    size_t cached = strmap_get(&b->gc_records, name);
    bool gc;
    if (cached != STRMAP_NONE) {
        gc = cached == 2;
    } else {
        /* no cycle: a struct cannot hold itself as its first field */
        gc = is_gc_record_uncached(b, record);
        strmap_add(&b->gc_records, name, gc ? 2 : 1);
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

static bool is_gc_record_uncached(builder *b, CXType record)
{
    first_field f = { .found = false };
    clang_Type_visitFields(record, take_first_field, &f);
    if (!f.found)
        return false;
    char *name = take_string(clang_getCursorSpelling(f.field));
    CXType type = clang_getCanonicalType(clang_getCursorType(f.field));
    bool gc = false;
    if (strcmp(name, "hdr") == 0) {
        char *type_name = take_string(clang_getTypeSpelling(
            clang_getCursorType(clang_getTypeDeclaration(type))));
        gc = strcmp(type_name, "tgc_header") == 0 ||
             strcmp(type_name, "struct tgc_header") == 0;
        free(type_name);
    } else if (strcmp(name, "super") == 0) {
        gc = is_gc_record(b, type);
    }
    free(name);
    return gc;
}

/* A pointer to a GC struct (const or not). */
static bool is_gc_pointer(builder *b, CXType type)
{
    CXType t = clang_getCanonicalType(type);
    return t.kind == CXType_Pointer && is_gc_record(b, clang_getPointeeType(t));
}

static bool is_void_pointer(CXType type)
{
    CXType t = clang_getCanonicalType(type);
    return t.kind == CXType_Pointer &&
           clang_getCanonicalType(clang_getPointeeType(t)).kind == CXType_Void;
}

/* tgc_cursor is `char *[3]`; a parameter declared with it has the
 * adjusted type `char **`, which libclang still spells as written. */
static bool is_cursor_type(CXType type)
{
    char *spelling = take_string(clang_getTypeSpelling(type));
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
    *found = is_cursor_type(clang_getCursorType(field));
    return *found ? CXVisit_Break : CXVisit_Continue;
}

/* A pointer to a struct with a tgc_cursor field: a callee given one can
 * allocate with it. */
static bool points_to_cursor_holder(CXType type)
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
static CXCursor named_variable(CXCursor e)
{
    e = strip(e);
    if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
        return clang_getNullCursor();
    CXCursor decl = clang_getCursorReferenced(e);
    enum CXCursorKind kind = clang_getCursorKind(decl);
    if (kind != CXCursor_VarDecl && kind != CXCursor_ParmDecl)
        return clang_getNullCursor();
    return decl;
}

static bool is_cursor_variable(CXCursor decl)
{
    return !clang_Cursor_isNull(decl) && is_cursor_type(clang_getCursorType(decl));
}

/* ---- the graph ------------------------------------------------------------- */

static int new_block(builder *b)
{
    function_ir *fn = b->fn;
    fn->blocks = xrealloc(fn->blocks, (fn->n_blocks + 1) * sizeof *fn->blocks);
    fn->blocks[fn->n_blocks] = (block){ NULL, 0, NULL, 0 };
    return (int)fn->n_blocks++;
}

static void add_edge(builder *b, int from, int to, check_loc loc)
{
    block *bl = &b->fn->blocks[from];
    bl->succ = xrealloc(bl->succ, (bl->n_succ + 1) * sizeof *bl->succ);
    bl->succ[bl->n_succ++] = (edge){ to, loc };
}

static void emit(builder *b, event_kind kind, int index, bool null_value,
                 check_loc loc)
{
    block *bl = &b->fn->blocks[b->current];
    bl->events = xrealloc(bl->events, (bl->n_events + 1) * sizeof *bl->events);
    bl->events[bl->n_events++] = (event){ kind, index, null_value, loc };
}

/* Control leaves the current block for `to`; what follows starts a block
 * that nothing reaches until a label or case says otherwise. */
static void jump(builder *b, int to, check_loc loc)
{
    add_edge(b, b->current, to, loc);
    b->current = new_block(b);
}

/* ---- variables -------------------------------------------------------------- */

static int var_index(const builder *b, CXCursor decl)
{
    if (clang_Cursor_isNull(decl))
        return -1;
    for (size_t i = 0; i < b->fn->n_vars; i++)
        if (clang_equalCursors(b->var_decls[i], decl))
            return (int)i;
    return -1;
}

/* Registers a local or parameter if it may hold GC pointers: a pointer to
 * a GC type, an array of them, or a `void *` (tracked once given one). */
typedef struct field_search {
    builder *b;
    bool gc;
} field_search;

static enum CXVisitorResult find_gc_field(CXCursor field, CXClientData data)
{
    field_search *s = data;
    CXType t = clang_getCanonicalType(clang_getCursorType(field));
    if (t.kind == CXType_ConstantArray)
        t = clang_getCanonicalType(clang_getArrayElementType(t));
    s->gc = is_gc_pointer(s->b, t);
    return s->gc ? CXVisit_Break : CXVisit_Continue;
}

/* A local this checker does not follow though it holds GC pointers: a
 * struct with a GC pointer field (not a GC object), or a pointer to GC
 * pointers. */
static bool holds_gc_pointers(builder *b, CXType canonical)
{
    if (canonical.kind == CXType_Pointer)
        return is_gc_pointer(b, clang_getPointeeType(canonical));
    if (canonical.kind != CXType_Record || is_gc_record(b, canonical))
        return false;
    field_search s = { b, false };
    clang_Type_visitFields(canonical, find_gc_field, &s);
    return s.gc;
}

static void remember_unfollowed(builder *b, char *name, check_loc loc)
{
    b->unfollowed = xrealloc(b->unfollowed, (b->n_unfollowed + 1) * sizeof *b->unfollowed);
    b->unfollowed[b->n_unfollowed] = name;
    b->unfollowed_loc = xrealloc(b->unfollowed_loc,
                                 (b->n_unfollowed + 1) * sizeof *b->unfollowed_loc);
    b->unfollowed_loc[b->n_unfollowed++] = loc;
}

static void declare_variable(builder *b, CXCursor decl)
{
    if (clang_Cursor_hasVarDeclGlobalStorage(decl) == 1)
        return;
    char *name = take_string(clang_getCursorSpelling(decl));
    CXType type = clang_getCursorType(decl);
    CXType canonical = clang_getCanonicalType(type);
    bool is_array = canonical.kind == CXType_ConstantArray &&
                    is_gc_pointer(b, clang_getArrayElementType(canonical));
    bool is_void = is_void_pointer(type);
    /* the macros' own temporaries (tgc__obj, tgc__big) live only inside them */
    if (strncmp(name, "tgc__", 5) == 0 || name[0] == '\0' ||
        !(is_array || is_void || is_gc_pointer(b, type))) {
        /* a parameter `Node **out` is the caller's variable, which the
         * caller's own check follows (or notes) */
        if (name[0] != '\0' && clang_getCursorKind(decl) == CXCursor_VarDecl &&
            holds_gc_pointers(b, canonical))
            remember_unfollowed(b, name, loc_of(decl, NULL));
        else
            free(name);
        return;
    }
    function_ir *fn = b->fn;
    size_t n = fn->n_vars + 1;
    fn->vars = xrealloc(fn->vars, n * sizeof *fn->vars);
    b->var_decls = xrealloc(b->var_decls, n * sizeof *b->var_decls);
    b->address_taken = xrealloc(b->address_taken, n * sizeof *b->address_taken);
    b->address_loc = xrealloc(b->address_loc, n * sizeof *b->address_loc);
    fn->vars[fn->n_vars] = (gc_var){
        .name = name,
        .type = take_string(clang_getTypeSpelling(type)),
        .tracked = !is_void,
        .is_void = is_void,
        .is_array = is_array,
        .length = is_array ? clang_getArraySize(canonical) : 0,
    };
    b->var_decls[fn->n_vars] = decl;
    b->address_taken[fn->n_vars] = false;
    fn->n_vars = n;
}

/* Whether an expression yields a GC pointer: its type before conversions
 * (a `void *` field of a GC object is an `any` reference), or a tracked
 * variable. */
static bool yields_gc_pointer(builder *b, CXCursor e)
{
    CXCursor inner = strip(e);
    if (is_gc_pointer(b, clang_getCursorType(inner)))
        return true;
    int v = var_index(b, named_variable(inner));
    if (v >= 0 && b->fn->vars[v].tracked)
        return true;
    if (clang_getCursorKind(inner) == CXCursor_MemberRefExpr &&
        is_void_pointer(clang_getCursorType(inner))) {
        CXCursor base = strip(first_child(inner));
        CXType t = clang_getCanonicalType(clang_getCursorType(base));
        return t.kind == CXType_Pointer && is_gc_record(b, clang_getPointeeType(t));
    }
    return false;
}

/* A null pointer constant: 0, possibly cast ((void *)0, NULL). */
static bool is_null_constant(CXCursor e)
{
    CXCursor inner = strip_casts(e);
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

static bool is_identifier_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* The identifier at `offset` of the checked file (a function or macro
 * name where a call is), or "?". */
static char *identifier_at(const builder *b, unsigned offset)
{
    const char *text = b->source->text;
    size_t end = offset;
    while (end < b->source->length && is_identifier_char(text[end]))
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
static char *call_text_at(const builder *b, unsigned offset)
{
    const char *text = b->source->text;
    size_t i = offset, n = b->source->length;
    while (i < n && is_identifier_char(text[i]))
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

/* ---- findings while walking ---------------------------------------------------- */

static void report(builder *b, finding_kind kind, const char *rule, check_loc loc,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(builder *b, finding_kind kind, const char *rule, check_loc loc,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf sb = STRBUF_INIT;
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    findings_add(b->out, kind, rule, loc, "%s", sb_text(&sb));
    sb_free(&sb);
}

/* The struct a member access reaches an object of through `->`: for
 * `n->super.next`, n's.  False if the access starts from a struct value
 * (a local), which is no GC object. */
static bool object_record(CXCursor member, CXType *record, CXCursor *object)
{
    CXCursor m = member;
    for (;;) {
        CXCursor base = strip(first_child(m));
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
    return take_string(clang_getCursorSpelling(
        clang_getTypeDeclaration(clang_getCanonicalType(record))));
}

/* A field of a GC object that holds a GC pointer (or `any`, a `void *`). */
static bool is_reference(builder *b, CXType type)
{
    return is_gc_pointer(b, type) || is_void_pointer(type);
}

/* `target = value` where target is a GC object's reference field (or an
 * item of a reference array) written without its setter. */
static void check_store(builder *b, CXCursor target, CXCursor value)
{
    if (b->skip_store_rule)
        return;
    CXCursor member = target;
    CXCursor index = clang_getNullCursor();
    if (clang_getCursorKind(target) == CXCursor_ArraySubscriptExpr) {
        cursor_list kids = children_of(target);
        if (kids.n == 2) {
            member = strip(kids.items[0]);
            index = kids.items[1];
        }
        free(kids.items);
        if (clang_getCursorKind(member) != CXCursor_MemberRefExpr)
            return;
        CXType array = clang_getCanonicalType(clang_getCursorType(
            clang_getCursorReferenced(member)));
        if (array.kind != CXType_ConstantArray && array.kind != CXType_IncompleteArray)
            return;
        if (!is_reference(b, clang_getArrayElementType(array)))
            return;
    } else if (clang_getCursorKind(target) != CXCursor_MemberRefExpr ||
               !is_reference(b, clang_getCursorType(target))) {
        return;
    }
    CXType record;
    CXCursor object;
    if (!object_record(member, &record, &object) || !is_gc_record(b, record))
        return;
    char *type = record_name(record);
    char *field = take_string(clang_getCursorSpelling(clang_getCursorReferenced(member)));
    char *obj = expr_text(b, object);
    char *val = expr_text(b, value);
    char *written = expr_text(b, target);
    check_loc loc = loc_of(target, NULL);
    if (clang_Cursor_isNull(index)) {
        report(b, FINDING_ERROR, "barrier", loc,
               "'%s = ...' stores a GC pointer into an object of type %s without the "
                   "write "
               "barrier: use %s_set_%s(%s, %s)", written, type, type, field, obj, val);
    } else {
        char *idx = expr_text(b, index);
        bool items = strcmp(field, "items") == 0 &&
                     clang_getCanonicalType(clang_getCursorType(
                         clang_getCursorReferenced(member))).kind == CXType_IncompleteArray;
        if (items)
            report(b, FINDING_ERROR, "barrier", loc,
                   "'%s = ...' stores a GC pointer into an object of type %s without the "
                   "write "
                   "barrier: use %s_set(%s, %s, %s)", written, type, type, obj, idx, val);
        else
            report(b, FINDING_ERROR, "barrier", loc,
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
        if (is_cursor_variable(decl) && !clang_equalCursors(decl, s->other_than)) {
            s->found = decl;
            return CXChildVisit_Break;
        }
    }
    return CXChildVisit_Recurse;
}

/* The cursor variable (other than `not`) that `e` reads, or a null cursor. */
static CXCursor cursor_read_in(CXCursor e, CXCursor not)
{
    cursor_search s = { clang_getNullCursor(), not };
    if (clang_getCursorKind(e) == CXCursor_DeclRefExpr)
        find_cursor_use(e, e, &s);
    else
        clang_visitChildren(e, find_cursor_use, &s);
    return s.found;
}

static void report_cursor_copy(builder *b, check_loc loc, CXCursor from, CXCursor to)
{
    char *source = take_string(clang_getCursorSpelling(from));
    char *copy = take_string(clang_getCursorSpelling(to));
    report(b, FINDING_ERROR, "cursor-copy", loc,
           "the cursor '%s' is copied into '%s': there is one cursor per "
           "process, and a copy hands out the same memory twice; pass '%s' "
           "itself (a tgc_cursor parameter is the caller's cursor)",
           source, copy, source);
    free(source);
    free(copy);
}

/* `copy[i] = c[j]`, `*copy = *c`: a word of one cursor into another. */
static void check_cursor_store(builder *b, CXCursor target, CXCursor value)
{
    CXCursor base = strip(target);
    enum CXCursorKind kind = clang_getCursorKind(base);
    if (kind != CXCursor_ArraySubscriptExpr && kind != CXCursor_UnaryOperator)
        return;
    CXCursor to = named_variable(first_child(base));
    if (!is_cursor_variable(to))
        return;
    CXCursor from = cursor_read_in(value, to);
    if (!clang_Cursor_isNull(from))
        report_cursor_copy(b, loc_of(target, NULL), from, to);
}

/* ---- expressions ----------------------------------------------------------------- */

static void walk_stmt(builder *b, CXCursor s);
static void walk_expr(builder *b, CXCursor e);

static void walk_children(builder *b, CXCursor e, size_t from)
{
    cursor_list kids = children_of(e);
    for (size_t i = from; i < kids.n; i++)
        walk_expr(b, kids.items[i]);
    free(kids.items);
}

/* `lhs && rhs`, `lhs || rhs`: rhs runs on one path only. */
static void walk_short_circuit(builder *b, CXCursor lhs, CXCursor rhs, check_loc loc)
{
    walk_expr(b, lhs);
    int decided = b->current;
    int right = new_block(b), after = new_block(b);
    add_edge(b, decided, right, loc);
    add_edge(b, decided, after, loc);
    b->current = right;
    walk_expr(b, rhs);
    add_edge(b, b->current, after, loc);
    b->current = after;
}

/* The place a store writes: a variable (written after the value is
 * computed), or an lvalue whose parts are read. */
static void walk_assignment(builder *b, CXCursor target, CXCursor value, bool compound)
{
    CXCursor decl = named_variable(target);
    int v = var_index(b, decl);
    if (compound)
        walk_expr(b, target);
    walk_expr(b, value);
    if (v >= 0) {
        gc_var *var = &b->fn->vars[v];
        if (var->is_void && !compound && yields_gc_pointer(b, value))
            var->tracked = true;
        emit(b, EV_WRITE, v, !compound && is_null_constant(value), loc_of(target, NULL));
        return;
    }
    if (!clang_Cursor_isNull(decl))
        return;                 /* a variable that holds no GC pointer */
    CXCursor place = strip(target);
    check_store(b, place, value);
    check_cursor_store(b, place, value);
    /* arr[i] = x writes one item of a tracked array: the others keep
     * their values, stale or not */
    if (clang_getCursorKind(place) == CXCursor_ArraySubscriptExpr) {
        cursor_list kids = children_of(place);
        int a = kids.n == 2 ? var_index(b, named_variable(kids.items[0])) : -1;
        if (a >= 0) {
            walk_expr(b, kids.items[1]);
            emit(b, EV_WRITE_PART, a, false, loc_of(place, NULL));
            free(kids.items);
            return;
        }
        free(kids.items);
    }
    walk_expr(b, place);
}

static void walk_binary(builder *b, CXCursor e)
{
    cursor_list kids = children_of(e);
    if (kids.n != 2) {
        free(kids.items);
        walk_children(b, e, 0);
        return;
    }
    CXCursor lhs = kids.items[0], rhs = kids.items[1];
    if (is_pointer_assignment(e, lhs, rhs))
        walk_assignment(b, lhs, rhs, false);
    else if (logical_operator(b, lhs, rhs) != NULL)
        walk_short_circuit(b, lhs, rhs, loc_of(e, NULL));
    else {
        walk_expr(b, lhs);
        walk_expr(b, rhs);
    }
    free(kids.items);
}

/* Unary operators told apart by type, libclang 14 giving no opcode: `&v`
 * yields a pointer to v's type; `v++`, `--v` yield v's own (pointer)
 * type, which no other operator on a pointer does. */
static void walk_unary(builder *b, CXCursor e)
{
    CXCursor operand = first_child(e);
    if (clang_Cursor_isNull(operand))
        return;
    int v = var_index(b, named_variable(operand));
    if (v < 0) {
        walk_expr(b, operand);
        return;
    }
    CXType result = clang_getCanonicalType(clang_getCursorType(e));
    CXType var_type = clang_getCursorType(strip(operand));
    if (result.kind == CXType_Pointer && same_type(clang_getPointeeType(result), var_type)) {
        /* the callee may read or write it: not followed */
        if (!b->address_taken[v]) {
            b->address_taken[v] = true;
            b->address_loc[v] = loc_of(e, NULL);
        }
    } else if (same_type(result, var_type)) {
        walk_expr(b, operand);
        emit(b, EV_WRITE, v, false, loc_of(e, NULL));
    } else {
        walk_expr(b, operand);
    }
}

static void walk_conditional(builder *b, CXCursor e)
{
    cursor_list kids = children_of(e);
    if (kids.n != 3) {          /* GNU `a ?: b` */
        free(kids.items);
        walk_children(b, e, 0);
        return;
    }
    walk_expr(b, kids.items[0]);
    int decided = b->current;
    int yes = new_block(b), no = new_block(b), after = new_block(b);
    check_loc loc = loc_of(e, NULL);
    add_edge(b, decided, yes, loc);
    add_edge(b, decided, no, loc);
    b->current = yes;
    walk_expr(b, kids.items[1]);
    add_edge(b, b->current, after, loc);
    b->current = no;
    walk_expr(b, kids.items[2]);
    add_edge(b, b->current, after, loc);
    b->current = after;
    free(kids.items);
}

/* The runtime's functions that may collect: what the allocation macros'
 * slow paths and tgc_collect(), tgc_collect_step() and
 * tgc_collect_minor() expand to. */
static bool is_collecting_runtime_call(const char *name)
{
    static const char *const collecting[] = {
        "tgc_refill", "tgc_alloc_external", "tgc_collect_value",
        "tgc_collect_step_value", "tgc_collect_minor_value",
    };
    for (size_t i = 0; i < sizeof collecting / sizeof collecting[0]; i++)
        if (strcmp(name, collecting[i]) == 0)
            return true;
    return false;
}

/* The runtime's other functions and inline helpers take the cursor (or
 * its words) without collecting: tgc__cursor_get(), tgc_cursor_close. */
static bool is_runtime_name(const char *name)
{
    return strncmp(name, "tgc_", 4) == 0;
}

/* The index of the tgc_root_mark variable `e` names (a new one if
 * `declare`), or -1: a reset to an unknown mark is taken as to the
 * bottom of this function's frames. */
static int mark_index(builder *b, CXCursor e, bool declare)
{
    CXCursor decl = declare ? e : named_variable(e);
    if (clang_Cursor_isNull(decl))
        return -1;
    char *name = take_string(clang_getCursorSpelling(decl));
    size_t found = strmap_get(&b->marks, name);
    if (found == STRMAP_NONE && declare && b->marks.count < MAX_ROOT_MARKS) {
        found = b->marks.count;
        strmap_add(&b->marks, name, found);
    }
    free(name);
    return found == STRMAP_NONE ? -1 : (int)found;
}

static void add_collect_site(builder *b, CXCursor call)
{
    unsigned offset;
    check_loc loc = loc_of(call, &offset);
    char *callee = identifier_at(b, offset);
    char *alloc_text = NULL;
    if (strcmp(callee, "TGC_NEW") == 0 || strcmp(callee, "TGC_NEW_ARRAY") == 0)
        alloc_text = call_text_at(b, offset);
    function_ir *fn = b->fn;
    fn->sites = xrealloc(fn->sites, (fn->n_sites + 1) * sizeof *fn->sites);
    fn->sites[fn->n_sites] = (collect_site){
        .callee = callee, .alloc_text = alloc_text, .loc = loc,
    };
    emit(b, EV_COLLECT, (int)fn->n_sites, false, loc);
    fn->n_sites++;
}

static int add_frame(builder *b, char **names, size_t n, bool is_array, check_loc loc)
{
    function_ir *fn = b->fn;
    fn->frames = xrealloc(fn->frames, (fn->n_frames + 1) * sizeof *fn->frames);
    fn->frames[fn->n_frames] = (root_frame){ names, n, is_array, loc };
    return (int)fn->n_frames++;
}

/* tgc_save_array(array, n) / tgc_restore_array(array, n), which
 * TGC_SAVE_ARRAY and TGC_RESTORE_ARRAY expand to. */
static void walk_array_frame(builder *b, CXCursor call, cursor_list *args, bool restore)
{
    check_loc loc = loc_of(call, NULL);
    char **names = xmalloc(2 * sizeof *names);
    names[0] = expr_text(b, strip_casts(args->items[0]));
    names[1] = expr_text(b, args->items[1]);
    int a = var_index(b, named_variable(strip_casts(args->items[0])));
    walk_expr(b, args->items[1]);
    if (restore) {
        emit(b, EV_RESTORE, add_frame(b, names, 2, true, loc), false, loc);
        if (a >= 0)
            emit(b, EV_WRITE, a, false, loc);
        else
            walk_expr(b, args->items[0]);
    } else {
        walk_expr(b, args->items[0]);
        emit(b, EV_SAVE, add_frame(b, names, 2, true, loc), false, loc);
    }
}

static void walk_call(builder *b, CXCursor e)
{
    cursor_list kids = children_of(e);
    CXCursor callee = clang_getCursorReferenced(e);
    char *name = clang_Cursor_isNull(callee) ? xstrdup("")
                                             : take_string(clang_getCursorSpelling(callee));
    cursor_list args = { kids.n > 0 ? kids.items + 1 : NULL, kids.n > 0 ? kids.n - 1 : 0 };
    bool save_array = strcmp(name, "tgc_save_array") == 0;
    if ((save_array || strcmp(name, "tgc_restore_array") == 0) && args.n == 2) {
        walk_array_frame(b, e, &args, !save_array);
        free(name);
        free(kids.items);
        return;
    }
    for (size_t i = 0; i < kids.n; i++)
        walk_expr(b, kids.items[i]);
    bool collects = is_collecting_runtime_call(name);
    if (!collects && !is_runtime_name(name)) {
        for (size_t i = 0; i < args.n && !collects; i++) {
            CXCursor arg = strip(args.items[i]);
            collects = is_cursor_type(clang_getCursorType(arg)) ||
                       is_cursor_variable(named_variable(arg)) ||
                       points_to_cursor_holder(clang_getCursorType(arg));
        }
    }
    if (collects)
        add_collect_site(b, e);
    /* after a longjmp, tgc_roots_reset(mark) drops the frames pushed since
     * tgc_roots_mark(): taken as the last mark on the path */
    if (strcmp(name, "tgc_roots_reset") == 0 && args.n == 1)
        emit(b, EV_RESET, mark_index(b, args.items[0], false), false, loc_of(e, NULL));
    if (strcmp(name, "setjmp") == 0 || strcmp(name, "_setjmp") == 0 ||
        strcmp(name, "sigsetjmp") == 0 || strcmp(name, "__sigsetjmp") == 0)
        report(b, FINDING_NOTE, "undecided", loc_of(e, NULL),
               "%s(): the checker does not follow the second return of a "
               "setjmp, nor roots saved before a longjmp", name);
    if ((strcmp(name, "memcpy") == 0 || strcmp(name, "memmove") == 0) && args.n == 3) {
        CXCursor to = named_variable(args.items[0]);
        CXCursor from = named_variable(args.items[1]);
        if (is_cursor_variable(to) && is_cursor_variable(from))
            report_cursor_copy(b, loc_of(e, NULL), from, to);
    }
    free(name);
    free(kids.items);
}

static void walk_expr(builder *b, CXCursor e)
{
    switch (clang_getCursorKind(e)) {
    case CXCursor_DeclRefExpr: {
        int v = var_index(b, named_variable(e));
        if (v >= 0)
            emit(b, EV_READ, v, false, loc_of(e, NULL));
        return;
    }
    case CXCursor_BinaryOperator:
        walk_binary(b, e);
        return;
    case CXCursor_CompoundAssignOperator: {
        cursor_list kids = children_of(e);
        if (kids.n == 2)
            walk_assignment(b, kids.items[0], kids.items[1], true);
        free(kids.items);
        return;
    }
    case CXCursor_UnaryOperator:
        walk_unary(b, e);
        return;
    case CXCursor_CallExpr:
        walk_call(b, e);
        return;
    case CXCursor_ConditionalOperator:
        walk_conditional(b, e);
        return;
    case CXCursor_StmtExpr:
        walk_children(b, e, 0);
        return;
    case CXCursor_CompoundStmt:
        walk_stmt(b, e);
        return;
    case CXCursor_CStyleCastExpr:
    case CXCursor_CompoundLiteralExpr: {
        /* the type comes first (a __typeof__(x) in it is not evaluated) */
        CXCursor operand = last_child(e);
        if (!clang_Cursor_isNull(operand) && clang_isExpression(clang_getCursorKind(operand)))
            walk_expr(b, operand);
        return;
    }
    case CXCursor_UnaryExpr:    /* sizeof, _Alignof: not evaluated */
        return;
    case CXCursor_GenericSelectionExpr:
        walk_children(b, e, 1);  /* the controlling expression is not evaluated */
        return;
    default:
        if (clang_isExpression(clang_getCursorKind(e)) ||
            clang_getCursorKind(e) == CXCursor_InitListExpr)
            walk_children(b, e, 0);
        return;
    }
}

/* ---- statements -------------------------------------------------------------- */

/* The names a TGC_SAVE or TGC_RESTORE frame stores, in slot order:
 * `tgc__slots[i] = (void *)(x)` or `(x) = (__typeof__(x))tgc__slots[i]`. */
static bool slot_statement(builder *b, CXCursor s, bool restore, char **name, long long *slot)
{
    if (clang_getCursorKind(s) != CXCursor_BinaryOperator)
        return false;
    cursor_list kids = children_of(s);
    bool ok = false;
    if (kids.n == 2) {
        CXCursor slot_side = strip_casts(kids.items[restore ? 1 : 0]);
        CXCursor var_side = strip_casts(kids.items[restore ? 0 : 1]);
        if (clang_getCursorKind(slot_side) == CXCursor_ArraySubscriptExpr) {
            cursor_list parts = children_of(slot_side);
            if (parts.n == 2) {
                char *array = expr_text(b, strip(parts.items[0]));
                CXEvalResult index = clang_Cursor_Evaluate(parts.items[1]);
                if (strcmp(array, "tgc__slots") == 0 && index != NULL &&
                    clang_EvalResult_getKind(index) == CXEval_Int) {
                    *slot = clang_EvalResult_getAsLongLong(index);
                    *name = expr_text(b, var_side);
                    ok = true;
                }
                if (index != NULL)
                    clang_EvalResult_dispose(index);
                free(array);
            }
            free(parts.items);
        }
    }
    free(kids.items);
    return ok;
}

/* A TGC_SAVE / TGC_RESTORE expansion: `do { void **tgc__slots =
 * tgc_shadowstack_push_frame(n); <stores> } while (0)`.  Lowered as its
 * reads or writes, with the frame event before the writes of a restore
 * (they read the popped slots) and after the reads of a save. */
static bool walk_root_frame(builder *b, CXCursor do_stmt)
{
    CXCursor body = first_child(do_stmt);
    if (clang_getCursorKind(body) != CXCursor_CompoundStmt)
        return false;
    cursor_list stmts = children_of(body);
    bool matched = false, restore = false;
    if (stmts.n >= 1 && clang_getCursorKind(stmts.items[0]) == CXCursor_DeclStmt) {
        CXCursor var = first_child(stmts.items[0]);
        char *var_name = take_string(clang_getCursorSpelling(var));
        CXCursor init = clang_Cursor_getVarDeclInitializer(var);
        CXCursor call = strip(init);
        if (strcmp(var_name, "tgc__slots") == 0 &&
            clang_getCursorKind(call) == CXCursor_CallExpr) {
            char *callee = take_string(clang_getCursorSpelling(clang_getCursorReferenced(call)));
            matched = strcmp(callee, "tgc_shadowstack_push_frame") == 0 ||
                      strcmp(callee, "tgc_shadowstack_pop_frame") == 0;
            restore = strcmp(callee, "tgc_shadowstack_pop_frame") == 0;
            free(callee);
        }
        free(var_name);
    }
    if (!matched) {
        free(stmts.items);
        return false;
    }
    size_t n = stmts.n - 1;
    char **names = xcalloc(n > 0 ? n : 1, sizeof *names);
    for (size_t i = 1; i < stmts.n; i++) {
        char *name = NULL;
        long long slot = 0;
        /* slots are stored last argument first: slot n-1 is the first */
        if (slot_statement(b, stmts.items[i], restore, &name, &slot) &&
            slot >= 0 && (size_t)slot < n && names[n - 1 - (size_t)slot] == NULL)
            names[n - 1 - (size_t)slot] = name;
        else
            free(name);
    }
    for (size_t i = 0; i < n; i++)
        if (names[i] == NULL)
            names[i] = xstrdup("?");
    check_loc loc = loc_of(do_stmt, NULL);
    int frame = add_frame(b, names, n, false, loc);
    if (restore)
        emit(b, EV_RESTORE, frame, false, loc);
    for (size_t i = 1; i < stmts.n; i++)
        walk_expr(b, stmts.items[i]);
    if (!restore)
        emit(b, EV_SAVE, frame, false, loc);
    free(stmts.items);
    return true;
}

static void walk_var_decl(builder *b, CXCursor decl)
{
    declare_variable(b, decl);
    CXCursor init = clang_Cursor_getVarDeclInitializer(decl);
    int v = var_index(b, decl);
    bool has_init = !clang_Cursor_isNull(init);
    if (has_init)
        walk_expr(b, init);
    if (has_init && clang_getCursorKind(strip(init)) == CXCursor_CallExpr) {
        char *callee = take_string(clang_getCursorSpelling(
            clang_getCursorReferenced(strip(init))));
        int mark = strcmp(callee, "tgc_roots_mark") == 0 ? mark_index(b, decl, true) : -1;
        if (mark >= 0)
            emit(b, EV_MARK, mark, false, loc_of(decl, NULL));
        free(callee);
    }
    if (has_init && is_cursor_variable(decl)) {
        CXCursor from = cursor_read_in(init, decl);
        if (!clang_Cursor_isNull(from))
            report_cursor_copy(b, loc_of(decl, NULL), from, decl);
    }
    if (v < 0)
        return;
    gc_var *var = &b->fn->vars[v];
    if (var->is_void && has_init && yields_gc_pointer(b, init))
        var->tracked = true;
    /* no initializer, or a null one: nothing a collection could move */
    bool null_value = !has_init || is_null_constant(init);
    if (has_init && var->is_array) {
        CXCursor list = strip(init);
        null_value = true;
        cursor_list items = children_of(list);
        for (size_t i = 0; i < items.n; i++)
            null_value = null_value && is_null_constant(items.items[i]);
        free(items.items);
    }
    emit(b, EV_WRITE, v, null_value, loc_of(decl, NULL));
}

/* The parts of `for (init; cond; inc) body`, any of the first three
 * possibly missing: libclang lists only those present, so each is placed
 * by where it starts against the two semicolons of the header. */
typedef struct for_parts {
    CXCursor init, cond, inc, body;
} for_parts;

static bool split_for(builder *b, CXCursor s, for_parts *p)
{
    cursor_list kids = children_of(s);
    *p = (for_parts){ clang_getNullCursor(), clang_getNullCursor(),
                      clang_getNullCursor(), clang_getNullCursor() };
    if (kids.n == 0) {
        free(kids.items);
        return false;
    }
    p->body = kids.items[kids.n - 1];
    size_t n_parts = kids.n - 1;
    bool ok = true;
    if (n_parts == 3) {
        p->init = kids.items[0];
        p->cond = kids.items[1];
        p->inc = kids.items[2];
    } else if (n_parts > 0) {
        /* the header as written, if the loop is written in this file */
        unsigned start;
        loc_of(s, &start);
        const char *text = b->source->text;
        size_t i = start, n = b->source->length;
        while (i < n && is_identifier_char(text[i]))
            i++;
        ok = i - start == 3 && strncmp(text + start, "for", 3) == 0;
        size_t semis[2] = { 0, 0 };
        int depth = 0, found = 0;
        for (; ok && i < n && found < 2; i++) {
            if (text[i] == '(')
                depth++;
            else if (text[i] == ')')
                depth--;
            else if (text[i] == ';' && depth == 1)
                semis[found++] = i;
        }
        ok = ok && found == 2;
        for (size_t k = 0; ok && k < n_parts; k++) {
            unsigned at;
            loc_of(kids.items[k], &at);
            if (at < semis[0])
                p->init = kids.items[k];
            else if (at < semis[1])
                p->cond = kids.items[k];
            else
                p->inc = kids.items[k];
        }
    }
    free(kids.items);
    return ok;
}

static void walk_for(builder *b, CXCursor s)
{
    for_parts p;
    check_loc loc = loc_of(s, NULL);
    if (!split_for(b, s, &p)) {
        report(b, FINDING_NOTE, "undecided", loc,
               "a for loop written by a macro with parts left out: its header "
               "is read as if its parts ran before the body");
        cursor_list kids = children_of(s);
        for (size_t i = 0; i + 1 < kids.n; i++)
            walk_stmt(b, kids.items[i]);
        free(kids.items);
    }
    if (!clang_Cursor_isNull(p.init))
        walk_stmt(b, p.init);
    int head = new_block(b);
    add_edge(b, b->current, head, loc);
    b->current = head;
    if (!clang_Cursor_isNull(p.cond))
        walk_expr(b, p.cond);
    int body = new_block(b), next = new_block(b), after = new_block(b);
    add_edge(b, b->current, body, loc);
    if (!clang_Cursor_isNull(p.cond))
        add_edge(b, b->current, after, loc);
    int saved_break = b->break_target, saved_continue = b->continue_target;
    b->break_target = after;
    b->continue_target = next;
    b->current = body;
    walk_stmt(b, p.body);
    add_edge(b, b->current, next, loc);
    b->current = next;
    if (!clang_Cursor_isNull(p.inc))
        walk_expr(b, p.inc);
    add_edge(b, b->current, head, loc);
    b->break_target = saved_break;
    b->continue_target = saved_continue;
    b->current = after;
}

static void walk_while(builder *b, CXCursor s)
{
    cursor_list kids = children_of(s);
    check_loc loc = loc_of(s, NULL);
    int head = new_block(b);
    add_edge(b, b->current, head, loc);
    b->current = head;
    if (kids.n == 2)
        walk_expr(b, kids.items[0]);
    int body = new_block(b), after = new_block(b);
    add_edge(b, b->current, body, loc);
    add_edge(b, b->current, after, loc);
    int saved_break = b->break_target, saved_continue = b->continue_target;
    b->break_target = after;
    b->continue_target = head;
    b->current = body;
    if (kids.n > 0)
        walk_stmt(b, kids.items[kids.n - 1]);
    add_edge(b, b->current, head, loc);
    b->break_target = saved_break;
    b->continue_target = saved_continue;
    b->current = after;
    free(kids.items);
}

static void walk_do(builder *b, CXCursor s)
{
    if (walk_root_frame(b, s))
        return;
    cursor_list kids = children_of(s);
    check_loc loc = loc_of(s, NULL);
    int body = new_block(b), cond = new_block(b), after = new_block(b);
    add_edge(b, b->current, body, loc);
    int saved_break = b->break_target, saved_continue = b->continue_target;
    b->break_target = after;
    b->continue_target = cond;
    b->current = body;
    if (kids.n > 0)
        walk_stmt(b, kids.items[0]);
    add_edge(b, b->current, cond, loc);
    b->current = cond;
    if (kids.n == 2)
        walk_expr(b, kids.items[1]);
    /* `do ... while (0)` loops back never */
    CXEvalResult constant = kids.n == 2 ? clang_Cursor_Evaluate(kids.items[1]) : NULL;
    bool never_again = constant != NULL &&
                       clang_EvalResult_getKind(constant) == CXEval_Int &&
                       clang_EvalResult_getAsLongLong(constant) == 0;
    if (constant != NULL)
        clang_EvalResult_dispose(constant);
    if (!never_again)
        add_edge(b, b->current, body, loc);
    add_edge(b, b->current, after, loc);
    b->break_target = saved_break;
    b->continue_target = saved_continue;
    b->current = after;
    free(kids.items);
}

static void walk_if(builder *b, CXCursor s)
{
    cursor_list kids = children_of(s);
    check_loc loc = loc_of(s, NULL);
    if (kids.n < 2) {
        free(kids.items);
        return;
    }
    walk_expr(b, kids.items[0]);
    int decided = b->current;
    int then = new_block(b), after = new_block(b);
    add_edge(b, decided, then, loc);
    b->current = then;
    walk_stmt(b, kids.items[1]);
    add_edge(b, b->current, after, loc);
    if (kids.n > 2) {
        int otherwise = new_block(b);
        add_edge(b, decided, otherwise, loc);
        b->current = otherwise;
        walk_stmt(b, kids.items[2]);
        add_edge(b, b->current, after, loc);
    } else {
        add_edge(b, decided, after, loc);
    }
    b->current = after;
    free(kids.items);
}

static void walk_switch(builder *b, CXCursor s)
{
    cursor_list kids = children_of(s);
    check_loc loc = loc_of(s, NULL);
    if (kids.n < 2) {
        free(kids.items);
        return;
    }
    walk_expr(b, kids.items[0]);
    int dispatch = b->current, after = new_block(b);
    int saved_switch = b->switch_block, saved_break = b->break_target;
    bool saved_default = b->switch_has_default;
    b->switch_block = dispatch;
    b->switch_has_default = false;
    b->break_target = after;
    b->current = new_block(b);
    walk_stmt(b, kids.items[kids.n - 1]);
    add_edge(b, b->current, after, loc);
    if (!b->switch_has_default)
        add_edge(b, dispatch, after, loc);
    b->switch_block = saved_switch;
    b->switch_has_default = saved_default;
    b->break_target = saved_break;
    b->current = after;
    free(kids.items);
}

/* A case or default label: reached from the switch and by falling in. */
static void walk_case(builder *b, CXCursor s, bool is_default)
{
    check_loc loc = loc_of(s, NULL);
    int label = new_block(b);
    add_edge(b, b->current, label, loc);
    if (b->switch_block >= 0)
        add_edge(b, b->switch_block, label, loc);
    if (is_default)
        b->switch_has_default = true;
    b->current = label;
    cursor_list kids = children_of(s);
    /* a case's value comes first, then the statement it labels */
    size_t first_statement = is_default ? 0 : 1;
    if (kids.n > first_statement)
        walk_stmt(b, kids.items[kids.n - 1]);
    free(kids.items);
}

static int label_block(builder *b, const char *name)
{
    size_t found = strmap_get(&b->labels, name);
    if (found != STRMAP_NONE)
        return (int)found;
    int block = new_block(b);
    strmap_add(&b->labels, name, (size_t)block);
    return block;
}

static void walk_stmt(builder *b, CXCursor s)
{
    check_loc loc = loc_of(s, NULL);
    switch (clang_getCursorKind(s)) {
    case CXCursor_CompoundStmt: {
        cursor_list kids = children_of(s);
        for (size_t i = 0; i < kids.n; i++)
            walk_stmt(b, kids.items[i]);
        free(kids.items);
        return;
    }
    case CXCursor_DeclStmt: {
        cursor_list kids = children_of(s);
        for (size_t i = 0; i < kids.n; i++)
            if (clang_getCursorKind(kids.items[i]) == CXCursor_VarDecl)
                walk_var_decl(b, kids.items[i]);
        free(kids.items);
        return;
    }
    case CXCursor_IfStmt:
        walk_if(b, s);
        return;
    case CXCursor_WhileStmt:
        walk_while(b, s);
        return;
    case CXCursor_DoStmt:
        walk_do(b, s);
        return;
    case CXCursor_ForStmt:
        walk_for(b, s);
        return;
    case CXCursor_SwitchStmt:
        walk_switch(b, s);
        return;
    case CXCursor_CaseStmt:
        walk_case(b, s, false);
        return;
    case CXCursor_DefaultStmt:
        walk_case(b, s, true);
        return;
    case CXCursor_BreakStmt:
        if (b->break_target >= 0)
            jump(b, b->break_target, loc);
        return;
    case CXCursor_ContinueStmt:
        if (b->continue_target >= 0)
            jump(b, b->continue_target, loc);
        return;
    case CXCursor_ReturnStmt: {
        CXCursor value = first_child(s);
        if (!clang_Cursor_isNull(value))
            walk_expr(b, value);
        emit(b, EV_RETURN, -1, false, loc);
        jump(b, BLOCK_EXIT, loc);
        return;
    }
    case CXCursor_GotoStmt: {
        CXCursor label = first_child(s);
        b->gotos = xrealloc(b->gotos, (b->n_gotos + 1) * sizeof *b->gotos);
        b->gotos[b->n_gotos++] = (pending_goto){
            b->current, take_string(clang_getCursorSpelling(label)), loc,
        };
        b->current = new_block(b);
        return;
    }
    case CXCursor_IndirectGotoStmt:
        report(b, FINDING_NOTE, "undecided", loc,
               "a computed goto: every label is taken as its target");
        walk_children(b, s, 0);
        b->gotos = xrealloc(b->gotos, (b->n_gotos + 1) * sizeof *b->gotos);
        b->gotos[b->n_gotos++] = (pending_goto){ b->current, NULL, loc };
        b->current = new_block(b);
        return;
    case CXCursor_LabelStmt: {
        char *name = take_string(clang_getCursorSpelling(s));
        int target = label_block(b, name);
        free(name);
        add_edge(b, b->current, target, loc);
        b->current = target;
        CXCursor body = first_child(s);
        if (!clang_Cursor_isNull(body))
            walk_stmt(b, body);
        return;
    }
    case CXCursor_NullStmt:
    case CXCursor_AsmStmt:
        return;
    default:
        if (clang_isExpression(clang_getCursorKind(s))) {
            walk_expr(b, s);
        } else if (clang_isStatement(clang_getCursorKind(s))) {
            /* a statement libclang does not expose (an attributed one):
             * what it holds runs in order */
            cursor_list kids = children_of(s);
            for (size_t i = 0; i < kids.n; i++)
                walk_stmt(b, kids.items[i]);
            free(kids.items);
        }
        return;
    }
}

/* ---- functions --------------------------------------------------------------- */

static void resolve_gotos(builder *b)
{
    for (size_t i = 0; i < b->n_gotos; i++) {
        pending_goto *g = &b->gotos[i];
        if (g->label != NULL) {
            add_edge(b, g->from, label_block(b, g->label), g->loc);
            free(g->label);
            continue;
        }
        for (size_t s = 0; s < b->labels.cap; s++)
            if (b->labels.slots[s].key != NULL)
                add_edge(b, g->from, (int)b->labels.slots[s].value, g->loc);
    }
    free(b->gotos);
    b->gotos = NULL;
    b->n_gotos = 0;
}

/* A tracked variable whose address is taken, in a function that may
 * collect: what is stored through the pointer is not followed. */
static void note_address_taken(builder *b)
{
    for (size_t i = 0; i < b->n_unfollowed; i++) {
        if (b->fn->n_sites > 0)
            report(b, FINDING_NOTE, "undecided", b->unfollowed_loc[i],
                   "'%s' holds GC pointers the checker does not follow (in a "
                   "struct's fields or behind a pointer): save each with "
                   "TGC_SAVE or TGC_SAVE_ARRAY across calls that may collect",
                   b->unfollowed[i]);
        free(b->unfollowed[i]);
    }
    free(b->unfollowed);
    free(b->unfollowed_loc);
    b->unfollowed = NULL;
    b->unfollowed_loc = NULL;
    b->n_unfollowed = 0;
    if (b->fn->n_sites == 0)
        return;
    for (size_t i = 0; i < b->fn->n_vars; i++) {
        gc_var *v = &b->fn->vars[i];
        if (b->address_taken[i] && v->tracked)
            report(b, FINDING_NOTE, "undecided", b->address_loc[i],
                   "the address of '%s' is taken: what is stored through it, "
                   "and whether it is saved there, is not followed", v->name);
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void check_function(builder *b, CXCursor decl)
{
    cursor_list kids = children_of(decl);
    CXCursor body = clang_getNullCursor();
    function_ir fn = { .name = take_string(clang_getCursorSpelling(decl)) };
    b->fn = &fn;
    b->skip_store_rule = ends_with(fn.name, "__init");
    b->break_target = b->continue_target = b->switch_block = -1;
    b->switch_has_default = false;
    new_block(b);               /* BLOCK_ENTRY */
    new_block(b);               /* BLOCK_EXIT */
    b->current = BLOCK_ENTRY;
    for (size_t i = 0; i < kids.n; i++) {
        enum CXCursorKind kind = clang_getCursorKind(kids.items[i]);
        if (kind == CXCursor_ParmDecl) {
            declare_variable(b, kids.items[i]);
            int v = var_index(b, kids.items[i]);
            if (v >= 0)
                emit(b, EV_WRITE, v, false, loc_of(kids.items[i], NULL));
        } else if (kind == CXCursor_CompoundStmt) {
            body = kids.items[i];
        }
    }
    free(kids.items);
    if (!clang_Cursor_isNull(body)) {
        walk_stmt(b, body);
        /* the end of the body: a return with no value */
        CXSourceRange extent = clang_getCursorExtent(body);
        CXFile file;
        unsigned line, column;
        clang_getFileLocation(clang_getRangeEnd(extent), &file, &line, &column, NULL);
        check_loc end = { line, column > 1 ? column - 1 : column };
        emit(b, EV_RETURN, -1, false, end);
        add_edge(b, b->current, BLOCK_EXIT, end);
    }
    resolve_gotos(b);
    note_address_taken(b);
    check_flow(&fn, b->out);
    function_ir_free(&fn);
    strmap_free(&b->labels);
    b->labels = (strmap)STRMAP_INIT;
    strmap_free(&b->marks);
    b->marks = (strmap)STRMAP_INIT;
    free(b->var_decls);
    free(b->address_taken);
    free(b->address_loc);
    b->var_decls = NULL;
    b->address_taken = NULL;
    b->address_loc = NULL;
    b->fn = NULL;
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    builder *b = data;
    if (!clang_Location_isFromMainFile(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    if (clang_getCursorKind(c) == CXCursor_FunctionDecl && clang_isCursorDefinition(c))
        check_function(b, c);
    return CXChildVisit_Continue;
}

void check_build_unit(CXTranslationUnit tu, const check_source *source,
                      findings *out)
{
    CXCursor top = clang_getTranslationUnitCursor(tu);
    builder b = {
        .tu = tu,
        .source = source,
        .out = out,
        .gc_records = STRMAP_INIT,
        .labels = STRMAP_INIT,
        .marks = STRMAP_INIT,
    };
    clang_visitChildren(top, visit_top, &b);
    strmap_free(&b.gc_records);
}
