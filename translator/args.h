/* args.h -- what the command line parsers of `gen` (cli.c) and `inspect`
 * (inspect/inspect.c) share: reporting misuse with a usage text, and
 * taking an option's value. */
#ifndef TYPEGC_ARGS_H
#define TYPEGC_ARGS_H

#include <stdbool.h>

/* Prints "typegc: MESSAGE" and then `usage` on stderr. */
void args_misuse(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Stores the value of option argv[*i], the next argument, in `slot`;
 * false after reporting misuse with `usage`. */
bool args_take_value(int argc, char **argv, int *i, const char **slot,
                     const char *usage);

#endif
