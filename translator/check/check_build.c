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
 * The rules about stores and cursor copies (check_rules.c) are applied
 * while walking, because they need no flow; the graph goes to
 * check_flow().  The libclang helpers are check_clang.c's. */
#include "check_build.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check_clang.h"
#include "check_flow.h"
#include "check_rules.h"
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
    check_unit unit;            /* the file, its findings, its GC types */

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
    char **unfollowed;          /* locals holding GC pointers out of reach */
    check_loc *unfollowed_loc;
    size_t n_unfollowed;
} builder;

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
    char *name = cx_take_string(clang_getCursorSpelling(decl));
    CXType type = clang_getCursorType(decl);
    CXType canonical = clang_getCanonicalType(type);
    bool is_array = canonical.kind == CXType_ConstantArray &&
                    check_is_gc_pointer(&b->unit, clang_getArrayElementType(canonical));
    bool is_void = check_is_void_pointer(type);
    /* the macros' own temporaries (tgc__obj, tgc__big) live only inside them */
    if (strncmp(name, "tgc__", 5) == 0 || name[0] == '\0' ||
        !(is_array || is_void || check_is_gc_pointer(&b->unit, type))) {
        /* a parameter `Node **out` is the caller's variable, which the
         * caller's own check follows (or notes) */
        if (name[0] != '\0' && clang_getCursorKind(decl) == CXCursor_VarDecl &&
            check_holds_gc_pointers(&b->unit, canonical))
            remember_unfollowed(b, name, check_loc_of(decl, NULL));
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
        .type = cx_take_string(clang_getTypeSpelling(type)),
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
    CXCursor inner = check_strip(e);
    if (check_is_gc_pointer(&b->unit, clang_getCursorType(inner)))
        return true;
    int v = var_index(b, check_named_variable(inner));
    if (v >= 0 && b->fn->vars[v].tracked)
        return true;
    if (clang_getCursorKind(inner) == CXCursor_MemberRefExpr &&
        check_is_void_pointer(clang_getCursorType(inner))) {
        CXCursor base = check_strip(check_first_child(inner));
        CXType t = clang_getCanonicalType(clang_getCursorType(base));
        return t.kind == CXType_Pointer && check_is_gc_record(&b->unit, clang_getPointeeType(t));
    }
    return false;
}

/* ---- expressions ----------------------------------------------------------------- */

static void walk_stmt(builder *b, CXCursor s);
static void walk_expr(builder *b, CXCursor e);

static void walk_children(builder *b, CXCursor e, size_t from)
{
    cursor_list kids = cx_children(e);
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
    CXCursor decl = check_named_variable(target);
    int v = var_index(b, decl);
    if (compound)
        walk_expr(b, target);
    walk_expr(b, value);
    if (v >= 0) {
        gc_var *var = &b->fn->vars[v];
        if (var->is_void && !compound && yields_gc_pointer(b, value))
            var->tracked = true;
        emit(b, EV_WRITE, v, !compound && check_is_null_constant(value), check_loc_of(target, NULL));
        return;
    }
    if (!clang_Cursor_isNull(decl))
        return;                 /* a variable that holds no GC pointer */
    CXCursor place = check_strip(target);
    check_store(&b->unit, place, value);
    check_cursor_store(&b->unit, place, value);
    /* arr[i] = x writes one item of a tracked array: the others keep
     * their values, stale or not */
    if (clang_getCursorKind(place) == CXCursor_ArraySubscriptExpr) {
        cursor_list kids = cx_children(place);
        int a = kids.n == 2 ? var_index(b, check_named_variable(kids.items[0])) : -1;
        if (a >= 0) {
            walk_expr(b, kids.items[1]);
            emit(b, EV_WRITE_PART, a, false, check_loc_of(place, NULL));
            free(kids.items);
            return;
        }
        free(kids.items);
    }
    walk_expr(b, place);
}

static void walk_binary(builder *b, CXCursor e)
{
    cursor_list kids = cx_children(e);
    if (kids.n != 2) {
        free(kids.items);
        walk_children(b, e, 0);
        return;
    }
    CXCursor lhs = kids.items[0], rhs = kids.items[1];
    if (check_is_pointer_assignment(e, lhs, rhs))
        walk_assignment(b, lhs, rhs, false);
    else if (check_logical_operator(&b->unit, lhs, rhs) != NULL)
        walk_short_circuit(b, lhs, rhs, check_loc_of(e, NULL));
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
    CXCursor operand = check_first_child(e);
    if (clang_Cursor_isNull(operand))
        return;
    int v = var_index(b, check_named_variable(operand));
    if (v < 0) {
        walk_expr(b, operand);
        return;
    }
    CXType result = clang_getCanonicalType(clang_getCursorType(e));
    CXType var_type = clang_getCursorType(check_strip(operand));
    if (result.kind == CXType_Pointer && check_same_type(clang_getPointeeType(result), var_type)) {
        /* the callee may read or write it: not followed */
        if (!b->address_taken[v]) {
            b->address_taken[v] = true;
            b->address_loc[v] = check_loc_of(e, NULL);
        }
    } else if (check_same_type(result, var_type)) {
        walk_expr(b, operand);
        emit(b, EV_WRITE, v, false, check_loc_of(e, NULL));
    } else {
        walk_expr(b, operand);
    }
}

static void walk_conditional(builder *b, CXCursor e)
{
    cursor_list kids = cx_children(e);
    if (kids.n != 3) {          /* GNU `a ?: b` */
        free(kids.items);
        walk_children(b, e, 0);
        return;
    }
    walk_expr(b, kids.items[0]);
    int decided = b->current;
    int yes = new_block(b), no = new_block(b), after = new_block(b);
    check_loc loc = check_loc_of(e, NULL);
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

/* The standard functions that never return (libclang does not tell a
 * function's noreturn attribute); any other call is taken as returning. */
static bool is_noreturn_call(const char *name)
{
    static const char *const noreturn[] = {
        "exit", "_Exit", "quick_exit", "abort", "longjmp", "_longjmp",
        "siglongjmp", "__assert_fail", "__builtin_unreachable", "__builtin_trap",
    };
    for (size_t i = 0; i < sizeof noreturn / sizeof noreturn[0]; i++)
        if (strcmp(name, noreturn[i]) == 0)
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
    CXCursor decl = declare ? e : check_named_variable(e);
    if (clang_Cursor_isNull(decl))
        return -1;
    char *name = cx_take_string(clang_getCursorSpelling(decl));
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
    check_loc loc = check_loc_of(call, &offset);
    char *callee = check_identifier_at(&b->unit, offset);
    char *alloc_text = NULL;
    if (strcmp(callee, "TGC_NEW") == 0 || strcmp(callee, "TGC_NEW_ARRAY") == 0)
        alloc_text = check_call_text_at(&b->unit, offset);
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
    check_loc loc = check_loc_of(call, NULL);
    char **names = xmalloc(2 * sizeof *names);
    names[0] = check_expr_text(&b->unit, check_strip_casts(args->items[0]));
    names[1] = check_expr_text(&b->unit, args->items[1]);
    int a = var_index(b, check_named_variable(check_strip_casts(args->items[0])));
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
    cursor_list kids = cx_children(e);
    CXCursor callee = clang_getCursorReferenced(e);
    char *name = clang_Cursor_isNull(callee) ? xstrdup("")
                                             : cx_take_string(clang_getCursorSpelling(callee));
    cursor_list args = { kids.n > 0 ? kids.items + 1 : NULL, kids.n > 0 ? kids.n - 1 : 0, 0 };
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
            CXCursor arg = check_strip(args.items[i]);
            collects = check_is_cursor_type(clang_getCursorType(arg)) ||
                       check_is_cursor_variable(check_named_variable(arg)) ||
                       check_points_to_cursor_holder(clang_getCursorType(arg));
        }
    }
    if (collects)
        add_collect_site(b, e);
    /* after a longjmp, tgc_roots_reset(mark) drops the frames pushed since
     * tgc_roots_mark(): taken as the last mark on the path */
    /* the C library's calls that do not return: their path ends there */
    if (is_noreturn_call(name))
        jump(b, BLOCK_EXIT, check_loc_of(e, NULL));
    if (strcmp(name, "tgc_roots_reset") == 0 && args.n == 1)
        emit(b, EV_RESET, mark_index(b, args.items[0], false), false, check_loc_of(e, NULL));
    if (strcmp(name, "setjmp") == 0 || strcmp(name, "_setjmp") == 0 ||
        strcmp(name, "sigsetjmp") == 0 || strcmp(name, "__sigsetjmp") == 0)
        check_report(&b->unit, FINDING_NOTE, "undecided", check_loc_of(e, NULL),
               "%s(): the checker does not follow the second return of a "
               "setjmp, nor roots saved before a longjmp", name);
    if ((strcmp(name, "memcpy") == 0 || strcmp(name, "memmove") == 0) && args.n == 3) {
        CXCursor to = check_named_variable(args.items[0]);
        CXCursor from = check_named_variable(args.items[1]);
        if (check_is_cursor_variable(to) && check_is_cursor_variable(from))
            check_report_cursor_copy(&b->unit, check_loc_of(e, NULL), from, to);
    }
    free(name);
    free(kids.items);
}

static void walk_expr(builder *b, CXCursor e)
{
    switch (clang_getCursorKind(e)) {
    case CXCursor_DeclRefExpr: {
        int v = var_index(b, check_named_variable(e));
        if (v >= 0)
            emit(b, EV_READ, v, false, check_loc_of(e, NULL));
        return;
    }
    case CXCursor_BinaryOperator:
        walk_binary(b, e);
        return;
    case CXCursor_CompoundAssignOperator: {
        cursor_list kids = cx_children(e);
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
        CXCursor operand = check_last_child(e);
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
    cursor_list kids = cx_children(s);
    bool ok = false;
    if (kids.n == 2) {
        CXCursor slot_side = check_strip_casts(kids.items[restore ? 1 : 0]);
        CXCursor var_side = check_strip_casts(kids.items[restore ? 0 : 1]);
        if (clang_getCursorKind(slot_side) == CXCursor_ArraySubscriptExpr) {
            cursor_list parts = cx_children(slot_side);
            if (parts.n == 2) {
                char *array = check_expr_text(&b->unit, check_strip(parts.items[0]));
                CXEvalResult index = clang_Cursor_Evaluate(parts.items[1]);
                if (strcmp(array, "tgc__slots") == 0 && index != NULL &&
                    clang_EvalResult_getKind(index) == CXEval_Int) {
                    *slot = clang_EvalResult_getAsLongLong(index);
                    *name = check_expr_text(&b->unit, var_side);
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
    CXCursor body = check_first_child(do_stmt);
    if (clang_getCursorKind(body) != CXCursor_CompoundStmt)
        return false;
    cursor_list stmts = cx_children(body);
    bool matched = false, restore = false;
    if (stmts.n >= 1 && clang_getCursorKind(stmts.items[0]) == CXCursor_DeclStmt) {
        CXCursor var = check_first_child(stmts.items[0]);
        char *var_name = cx_take_string(clang_getCursorSpelling(var));
        CXCursor init = clang_Cursor_getVarDeclInitializer(var);
        CXCursor call = check_strip(init);
        if (strcmp(var_name, "tgc__slots") == 0 &&
            clang_getCursorKind(call) == CXCursor_CallExpr) {
            char *callee = cx_take_string(clang_getCursorSpelling(clang_getCursorReferenced(call)));
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
    check_loc loc = check_loc_of(do_stmt, NULL);
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
    if (has_init && clang_getCursorKind(check_strip(init)) == CXCursor_CallExpr) {
        char *callee = cx_take_string(clang_getCursorSpelling(
            clang_getCursorReferenced(check_strip(init))));
        int mark = strcmp(callee, "tgc_roots_mark") == 0 ? mark_index(b, decl, true) : -1;
        if (mark >= 0)
            emit(b, EV_MARK, mark, false, check_loc_of(decl, NULL));
        free(callee);
    }
    if (has_init && check_is_cursor_variable(decl)) {
        CXCursor from = check_cursor_read_in(init, decl);
        if (!clang_Cursor_isNull(from))
            check_report_cursor_copy(&b->unit, check_loc_of(decl, NULL), from, decl);
    }
    if (v < 0)
        return;
    gc_var *var = &b->fn->vars[v];
    if (var->is_void && has_init && yields_gc_pointer(b, init))
        var->tracked = true;
    /* no initializer, or a null one: nothing a collection could move */
    bool null_value = !has_init || check_is_null_constant(init);
    if (has_init && var->is_array) {
        CXCursor list = check_strip(init);
        null_value = true;
        cursor_list items = cx_children(list);
        for (size_t i = 0; i < items.n; i++)
            null_value = null_value && check_is_null_constant(items.items[i]);
        free(items.items);
    }
    emit(b, EV_WRITE, v, null_value, check_loc_of(decl, NULL));
}

/* The parts of `for (init; cond; inc) body`, any of the first three
 * possibly missing: libclang lists only those present, so each is placed
 * by where it starts against the two semicolons of the header. */
typedef struct for_parts {
    CXCursor init, cond, inc, body;
} for_parts;

static bool split_for(builder *b, CXCursor s, for_parts *p)
{
    cursor_list kids = cx_children(s);
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
        check_loc_of(s, &start);
        const char *text = b->unit.source->text;
        size_t i = start, n = b->unit.source->length;
        while (i < n && check_is_identifier_char(text[i]))
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
            check_loc_of(kids.items[k], &at);
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
    check_loc loc = check_loc_of(s, NULL);
    if (!split_for(b, s, &p)) {
        check_report(&b->unit, FINDING_NOTE, "undecided", loc,
               "a for loop written by a macro with parts left out: its header "
               "is read as if its parts ran before the body");
        cursor_list kids = cx_children(s);
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
    cursor_list kids = cx_children(s);
    check_loc loc = check_loc_of(s, NULL);
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
    cursor_list kids = cx_children(s);
    check_loc loc = check_loc_of(s, NULL);
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
    cursor_list kids = cx_children(s);
    check_loc loc = check_loc_of(s, NULL);
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
    cursor_list kids = cx_children(s);
    check_loc loc = check_loc_of(s, NULL);
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
    check_loc loc = check_loc_of(s, NULL);
    int label = new_block(b);
    add_edge(b, b->current, label, loc);
    if (b->switch_block >= 0)
        add_edge(b, b->switch_block, label, loc);
    if (is_default)
        b->switch_has_default = true;
    b->current = label;
    cursor_list kids = cx_children(s);
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
    check_loc loc = check_loc_of(s, NULL);
    switch (clang_getCursorKind(s)) {
    case CXCursor_CompoundStmt: {
        cursor_list kids = cx_children(s);
        for (size_t i = 0; i < kids.n; i++)
            walk_stmt(b, kids.items[i]);
        free(kids.items);
        return;
    }
    case CXCursor_DeclStmt: {
        cursor_list kids = cx_children(s);
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
        CXCursor value = check_first_child(s);
        if (!clang_Cursor_isNull(value))
            walk_expr(b, value);
        emit(b, EV_RETURN, -1, false, loc);
        jump(b, BLOCK_EXIT, loc);
        return;
    }
    case CXCursor_GotoStmt: {
        CXCursor label = check_first_child(s);
        b->gotos = xrealloc(b->gotos, (b->n_gotos + 1) * sizeof *b->gotos);
        b->gotos[b->n_gotos++] = (pending_goto){
            b->current, cx_take_string(clang_getCursorSpelling(label)), loc,
        };
        b->current = new_block(b);
        return;
    }
    case CXCursor_IndirectGotoStmt:
        check_report(&b->unit, FINDING_NOTE, "undecided", loc,
               "a computed goto: every label is taken as its target");
        walk_children(b, s, 0);
        b->gotos = xrealloc(b->gotos, (b->n_gotos + 1) * sizeof *b->gotos);
        b->gotos[b->n_gotos++] = (pending_goto){ b->current, NULL, loc };
        b->current = new_block(b);
        return;
    case CXCursor_LabelStmt: {
        char *name = cx_take_string(clang_getCursorSpelling(s));
        int target = label_block(b, name);
        free(name);
        add_edge(b, b->current, target, loc);
        b->current = target;
        CXCursor body = check_first_child(s);
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
            cursor_list kids = cx_children(s);
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
            check_report(&b->unit, FINDING_NOTE, "undecided", b->unfollowed_loc[i],
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
            check_report(&b->unit, FINDING_NOTE, "undecided", b->address_loc[i],
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
    cursor_list kids = cx_children(decl);
    CXCursor body = clang_getNullCursor();
    function_ir fn = { .name = cx_take_string(clang_getCursorSpelling(decl)) };
    b->fn = &fn;
    b->unit.in_generated_init = ends_with(fn.name, "__init");
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
                emit(b, EV_WRITE, v, false, check_loc_of(kids.items[i], NULL));
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
    check_flow(&fn, b->unit.out);
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
        .unit = { .source = source, .out = out, .gc_records = STRMAP_INIT },
        .labels = STRMAP_INIT,
        .marks = STRMAP_INIT,
    };
    clang_visitChildren(top, visit_top, &b);
    strmap_free(&b.unit.gc_records);
}
