/* check_rules.h -- the rules that need no flow (check_rules.c), applied
 * by check_build.c while it lowers a function. */
#ifndef TYPEGC_CHECK_RULES_H
#define TYPEGC_CHECK_RULES_H

#include "check_clang.h"

/* A finding in the unit's list. */
void check_report(check_unit *u, finding_kind kind, const char *rule, check_loc loc,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* `target = value`: a GC object's reference field (or an item of a
 * reference array) written without its setter. */
void check_store(check_unit *u, CXCursor target, CXCursor value);
/* `copy[i] = c[j]`: a word of one cursor into another. */
void check_cursor_store(check_unit *u, CXCursor target, CXCursor value);
/* The cursor variable other than `not` that `e` reads, or a null cursor. */
CXCursor check_cursor_read_in(CXCursor e, CXCursor not);
void check_report_cursor_copy(check_unit *u, check_loc loc, CXCursor from, CXCursor to);

#endif
