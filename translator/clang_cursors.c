/* clang_cursors.c -- the libclang helpers shared by inspect/ and check/. */
#include "clang_cursors.h"

#include "xalloc.h"

char *cx_take_string(CXString s)
{
    const char *text = clang_getCString(s);
    char *copy = xstrdup(text != NULL ? text : "");
    clang_disposeString(s);
    return copy;
}

enum CXChildVisitResult cx_collect_child(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    cursor_list *list = data;
    xgrow(&list->items, &list->capacity, list->n + 1, sizeof *list->items);
    list->items[list->n++] = c;
    return CXChildVisit_Continue;
}

cursor_list cx_children(CXCursor c)
{
    cursor_list list = { NULL, 0, 0 };
    clang_visitChildren(c, cx_collect_child, &list);
    return list;
}
