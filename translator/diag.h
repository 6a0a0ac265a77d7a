/* diag.h -- every error message the translator prints.
 *
 * Schema errors read
 *     FILE: type 'T', field 'f': message
 * with the type and the field left out where they do not apply; the
 * message starts lowercase.  Other errors read "typegc: message".  Each
 * is one line: control characters from the input are printed escaped. */
#ifndef TYPEGC_DIAG_H
#define TYPEGC_DIAG_H

#include <stdarg.h>

/* `type` and `field` are names (quoted when printed) or NULL. */
void diag_schema(const char *file, const char *type, const char *field,
                 const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* FILE: object 'O', field 'f': message -- a prebuilt object's
 * ("objects"); `field` may be NULL, or name an item: "item 3". */
void diag_object(const char *file, const char *object, const char *field,
                 const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void diag_tool(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_tool_v(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* How many messages have been printed so far (tests/fuzz checks that a
 * rejected schema gets exactly one). */
unsigned long diag_count(void);

#endif
