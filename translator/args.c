/* args.c -- what the command line parsers share. */
#include "args.h"

#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

void args_misuse(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_tool_v(fmt, ap);
    va_end(ap);
    fputs(usage, stderr);
}

bool args_take_value(int argc, char **argv, int *i, const char **slot,
                     const char *usage)
{
    if (*slot != NULL) {
        args_misuse(usage, "option '%s' given twice", argv[*i]);
        return false;
    }
    if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
        args_misuse(usage, "option '%s' needs a value", argv[*i]);
        return false;
    }
    *i += 1;
    *slot = argv[*i];
    return true;
}
