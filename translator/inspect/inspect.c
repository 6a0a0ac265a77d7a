/* inspect.c -- `typegc inspect`: the entry point, with its own command
 * line, at the top of the inspector: it calls the files below and none of
 * them calls it.
 *
 * The layout side reads (inspect_clang.c), checks (inspect_check.c) and
 * prints (inspect_print.c); the listing goes to stdout and every problem
 * to stderr, one line each, as `gen` reports schema errors:
 *     hierarchy.c: type 'Caption', field 'owner': the table says offset 56, the struct has 57
 * followed by clang's own errors, if it had any.  --asm is inspect_asm.c. */
#include "inspect.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "diag.h"
#include "inspect_asm.h"
#include "inspect_usage.h"

static const char usage[] = "usage: " INSPECT_USAGE_LINES;

static const char help[] =
    INSPECT_HELP
    "\n"
    "Exit status: 0 when the table agrees with the structs or a fast path\n"
    "is found; 1 if a file cannot be read, the table disagrees with the\n"
    "structs or no fast path is found; 2 if the command line is wrong.\n";

/* `typegc inspect`'s command line. */
typedef struct inspect_options {
    const char *path;           /* NAME.c, or the binary with --asm */
    bool json;                  /* --json */
    bool disassemble;           /* --asm */
    const char *function;       /* --function NAME, or NULL */
    char *const *cflags;        /* what follows `--` */
    int n_cflags;
} inspect_options;

typedef enum parsed {
    PARSED_RUN,                 /* run with the options */
    PARSED_DONE,                /* help printed: exit 0 */
    PARSED_MISUSE               /* usage printed on stderr: exit 2 */
} parsed;

/* Reports misuse, with the usage, and evaluates to PARSED_MISUSE. */
#define MISUSE(...) (args_misuse(usage, __VA_ARGS__), PARSED_MISUSE)

static parsed parse(int argc, char **argv, inspect_options *o)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            o->cflags = argv + i + 1;
            o->n_cflags = argc - i - 1;
            break;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf("%s%s", usage, help);
            return PARSED_DONE;
        }
        if (strcmp(arg, "--json") == 0) {
            o->json = true;
        } else if (strcmp(arg, "--asm") == 0) {
            o->disassemble = true;
        } else if (strcmp(arg, "--function") == 0) {
            if (!args_take_value(argc, argv, &i, &o->function, usage))
                return PARSED_MISUSE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return MISUSE("unknown option '%s' (compiler flags go after '--')",
                          arg);
        } else if (arg[0] == '\0') {
            return MISUSE("inspect: the file name is empty");
        } else if (o->path != NULL) {
            return MISUSE("inspect: one file at a time; '%s' is a second", arg);
        } else {
            o->path = arg;
        }
    }
    if (o->disassemble) {
        if (o->path == NULL)
            return MISUSE("inspect --asm: no binary given");
        if (o->json)
            return MISUSE("inspect: --json does not go with --asm");
        if (o->cflags != NULL)
            return MISUSE("inspect: compiler flags (after '--') do not go with --asm");
    } else {
        if (o->path == NULL)
            return MISUSE("inspect: no file given (DIR/NAME.c, or --asm BINARY)");
        if (o->function != NULL)
            return MISUSE("inspect: --function goes with --asm");
    }
    return PARSED_RUN;
}

/* The problems, then what clang said: a struct laid out under other flags
 * also fails the header's _Static_asserts, but the figures that differ
 * say more than "static assertion failed", so clang's errors are only
 * counted after them. */
static void report(const inspection *in)
{
    for (size_t i = 0; i < in->n_problems; i++)
        diag_schema(in->path, in->problems[i].type, in->problems[i].field,
                    "%s", in->problems[i].message);
    if (in->n_clang_errors == 0)
        return;
    if (in->n_problems > 0) {
        diag_schema(in->path, NULL, NULL, "clang also reports %zu error%s, "
                    "the first: %s", in->n_clang_errors,
                    in->n_clang_errors == 1 ? "" : "s", in->clang_errors[0]);
        return;
    }
    for (size_t i = 0; i < in->n_clang_errors; i++)
        diag_schema(in->path, NULL, NULL, "clang: %s", in->clang_errors[i]);
    diag_schema(in->path, NULL, NULL, "the table agrees with the structs, but "
                "clang reports %zu error%s", in->n_clang_errors,
                in->n_clang_errors == 1 ? "" : "s");
}

static int inspect_layouts(const inspect_options *o)
{
    inspection in = { .path = o->path };
    int status = 1;
    if (inspect_read(&in, o->cflags, o->n_cflags)) {
        inspect_check(&in);
        if (o->json)
            inspect_print_json(&in, stdout);
        else
            inspect_print_text(&in, stdout);
        fflush(stdout);
        report(&in);
        status = in.n_problems == 0 && in.n_clang_errors == 0 ? 0 : 1;
    }
    inspection_free(&in);
    return status;
}

int inspect_main(int argc, char **argv)
{
    inspect_options o = { .path = NULL };
    parsed how = parse(argc, argv, &o);
    if (how != PARSED_RUN)
        return how == PARSED_DONE ? 0 : 2;
    if (o.disassemble)
        return inspect_asm(o.path, o.function);
    return inspect_layouts(&o);
}
