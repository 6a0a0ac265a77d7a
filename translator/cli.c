/* cli.c -- the command line. */
#include "cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "version.h"

static const char usage[] =
    "usage: typegc gen SCHEMA.json -o DIR [--name NAME]\n"
    "       typegc --help | --version\n";

static const char help[] =
    "\n"
    "Translates a typegc schema (JSON) into C for the typegc collector:\n"
    "DIR/NAME.h declares a struct, an allocator, a type test and GC pointer\n"
    "setters per type; DIR/NAME.c holds the type table the collector reads.\n"
    "\n"
    "  -o DIR       write the two files into DIR (it must exist)\n"
    "  --name NAME  prefix of the generated globals (NAME_types, NAME_init)\n"
    "               and the files' name; default: SCHEMA's file name\n"
    "               without .json\n"
    "  --help       show this help\n"
    "  --version    show the version\n"
    "\n"
    "Exit status: 0 on success, 1 if the schema is invalid or a file cannot\n"
    "be read or written, 2 if the command line is wrong.\n"
    "\n"
    "The schema language is described in schemas/README.md.\n";

static cli_action misuse(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static cli_action misuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_tool_v(fmt, ap);
    va_end(ap);
    fputs(usage, stderr);
    return CLI_MISUSE;
}

/* Stores the value of option argv[*i], the next argument, in `slot`;
 * false after reporting misuse. */
static bool take_value(int argc, char **argv, int *i, const char **slot)
{
    if (*slot != NULL) {
        misuse("option '%s' given twice", argv[*i]);
        return false;
    }
    if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
        misuse("option '%s' needs a value", argv[*i]);
        return false;
    }
    *i += 1;
    *slot = argv[*i];
    return true;
}

static cli_action parse_gen(int argc, char **argv, cli_options *o)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf("%s%s", usage, help);
            return CLI_DONE;
        }
        if (strcmp(arg, "-o") == 0) {
            if (!take_value(argc, argv, &i, &o->out_dir))
                return CLI_MISUSE;
        } else if (strcmp(arg, "--name") == 0) {
            if (!take_value(argc, argv, &i, &o->name))
                return CLI_MISUSE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return misuse("unknown option '%s'", arg);
        } else if (arg[0] == '\0') {
            return misuse("gen: the schema file name is empty");
        } else if (o->schema_path != NULL) {
            return misuse("one schema at a time; '%s' is a second", arg);
        } else {
            o->schema_path = arg;
        }
    }
    if (o->schema_path == NULL)
        return misuse("gen: no schema file given");
    if (o->out_dir == NULL)
        return misuse("gen: no output directory given (-o DIR)");
    return CLI_GENERATE;
}

cli_action cli_parse(int argc, char **argv, cli_options *options)
{
    *options = (cli_options){ NULL, NULL, NULL };
    if (argc < 2)
        return misuse("no command given");
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        printf("%s%s", usage, help);
        return CLI_DONE;
    }
    if (strcmp(command, "--version") == 0) {
        printf("typegc %s\n", TYPEGC_VERSION);
        return CLI_DONE;
    }
    if (strcmp(command, "gen") == 0)
        return parse_gen(argc, argv, options);
    if (command[0] == '-')
        return misuse("unknown option '%s'", command);
    return misuse("unknown command '%s'", command);
}
