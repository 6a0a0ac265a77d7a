/* check_clang.h -- what `typegc check` asks libclang (check_clang.c), and
 * the context of the file being checked, which check_build.c and
 * check_rules.c share. */
#ifndef TYPEGC_CHECK_CLANG_H
#define TYPEGC_CHECK_CLANG_H

#include <clang-c/Index.h>
#include <stdbool.h>
#include <stddef.h>

#include "check_ir.h"
#include "strmap.h"

/* The source of the checked file, for the text of macro calls and the
 * columns of findings. */
typedef struct check_source {
    const char *path;
    const char *text;
    size_t length;
} check_source;

typedef struct check_unit {
    const check_source *source;
    findings *out;
    strmap gc_records;          /* record name -> 1 + whether it is a GC type */
    bool in_generated_init;     /* the function is a generated T__init() */
} check_unit;

typedef struct cursor_list {
    CXCursor *items;
    size_t n;
} cursor_list;

/* ---- cursors ---- */

/* A copy of the string, `s` disposed of. */
char *check_take_string(CXString s);
/* The children, in order (free .items). */
cursor_list check_children(CXCursor c);
CXCursor check_first_child(CXCursor c);
CXCursor check_last_child(CXCursor c);
/* Where `c` is in the checked file (a macro's code at its use), and its
 * byte offset there if `offset` is not NULL. */
check_loc check_loc_of(CXCursor c, unsigned *offset);
/* Parentheses and implicit conversions taken off; and casts too. */
CXCursor check_strip(CXCursor c);
CXCursor check_strip_casts(CXCursor c);
/* The variable or parameter an expression names, or a null cursor. */
CXCursor check_named_variable(CXCursor e);
/* A null pointer constant: 0, possibly cast ((void *)0, NULL). */
bool check_is_null_constant(CXCursor e);

/* ---- operators (libclang 14 gives no opcode) ---- */

bool check_same_type(CXType a, CXType b);
/* `lhs = rhs` storing a pointer. */
bool check_is_pointer_assignment(CXCursor e, CXCursor lhs, CXCursor rhs);
/* "&&" or "||" written between the operands in the file, or NULL. */
const char *check_logical_operator(const check_unit *u, CXCursor lhs, CXCursor rhs);

/* ---- types ---- */

/* A struct the generator emitted (its first field the GC header, or
 * `super`, a GC struct); a pointer to one (const or not). */
bool check_is_gc_record(check_unit *u, CXType type);
bool check_is_gc_pointer(check_unit *u, CXType type);
bool check_is_void_pointer(CXType type);
/* tgc_cursor, or a parameter declared with it. */
bool check_is_cursor_type(CXType type);
bool check_is_cursor_variable(CXCursor decl);
/* A pointer to a struct with a tgc_cursor field. */
bool check_points_to_cursor_holder(CXType type);
/* A struct with GC pointer fields (no GC object), or a pointer to GC
 * pointers: what a local may hold that the checker does not follow. */
bool check_holds_gc_pointers(check_unit *u, CXType canonical);

/* ---- the text of the checked file, for messages ---- */

bool check_is_identifier_char(char c);
/* An expression as C: names and member accesses rebuilt, the rest as
 * written, or "...". */
char *check_expr_text(const check_unit *u, CXCursor c);
/* The identifier at `offset` (a function or macro called there), or "?". */
char *check_identifier_at(const check_unit *u, unsigned offset);
/* The call written at `offset` through its closing parenthesis, on one
 * line, or NULL. */
char *check_call_text_at(const check_unit *u, unsigned offset);

#endif
