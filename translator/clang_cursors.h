/* clang_cursors.h -- the libclang helpers that `typegc inspect` and
 * `typegc check` both need: a CXString as an owned C string, and a
 * cursor's children as an array. */
#ifndef TYPEGC_CLANG_CURSORS_H
#define TYPEGC_CLANG_CURSORS_H

#include <stddef.h>

#include <clang-c/Index.h>

typedef struct cursor_list {
    CXCursor *items;
    size_t n;
    size_t capacity;    /* items allocated (xgrow) */
} cursor_list;

/* A copy of the string ("" for none), `s` disposed of. */
char *cx_take_string(CXString s);

/* The children of `c`, in order (free .items). */
cursor_list cx_children(CXCursor c);

/* Appends `c` to the cursor_list `data`; a visitor for
 * clang_visitChildren and, through a wrapper, clang_Type_visitFields. */
enum CXChildVisitResult cx_collect_child(CXCursor c, CXCursor parent, CXClientData data);

#endif
