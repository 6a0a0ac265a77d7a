/* diag.c -- every error message the translator prints. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

#include "strbuf.h"

static unsigned long printed;

/* Prints `line` on stderr as one line, escaping what would break it. */
static void print_line(const char *line)
{
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        if (*p == '\n')
            fputs("\\n", stderr);
        else if (*p == '\t')
            fputs("\\t", stderr);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
    printed++;
}

static void finish(strbuf *line, const char *fmt, va_list ap)
{
    sb_vprintf(line, fmt, ap);
    print_line(sb_text(line));
    sb_free(line);
}

void diag_schema(const char *file, const char *type, const char *field,
                 const char *fmt, ...)
{
    strbuf line = STRBUF_INIT;
    sb_printf(&line, "%s: ", file);
    if (type != NULL)
        sb_printf(&line, field != NULL ? "type '%s', " : "type '%s': ", type);
    if (field != NULL)
        sb_printf(&line, "field '%s': ", field);
    va_list ap;
    va_start(ap, fmt);
    finish(&line, fmt, ap);
    va_end(ap);
}

void diag_object(const char *file, const char *object, const char *field,
                 const char *fmt, ...)
{
    strbuf line = STRBUF_INIT;
    sb_printf(&line, field != NULL ? "%s: object '%s', %s: " : "%s: object '%s': ",
              file, object, field);
    va_list ap;
    va_start(ap, fmt);
    finish(&line, fmt, ap);
    va_end(ap);
}

void diag_tool_v(const char *fmt, va_list ap)
{
    strbuf line = STRBUF_INIT;
    sb_puts(&line, "typegc: ");
    finish(&line, fmt, ap);
}

void diag_tool(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_tool_v(fmt, ap);
    va_end(ap);
}

unsigned long diag_count(void)
{
    return printed;
}
