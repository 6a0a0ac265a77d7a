/* strbuf.h -- a growing, always NUL-terminated text buffer.
 *
 * The emitters build each output file in one of these, so nothing is
 * written to disk until the whole text exists. */
#ifndef TYPEGC_STRBUF_H
#define TYPEGC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *data;     /* NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void sb_putc(strbuf *sb, char c);
void sb_append(strbuf *sb, const char *bytes, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* The text so far; "" for a buffer never appended to. */
const char *sb_text(const strbuf *sb);
/* Empties it, keeping its memory for what comes next. */
void sb_clear(strbuf *sb);
void sb_free(strbuf *sb);

#endif
