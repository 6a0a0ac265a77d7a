/* fatal.c -- the one way the runtime gives up: a message, then abort(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

void tgc_fatal(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fputs("typegc: fatal error: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    abort();
}

