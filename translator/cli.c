/* cli.c -- the command line. */
#include "cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "version.h"

static const char usage[] =
    "usage: typegc gen SCHEMA.json -o DIR [--name NAME] [--gc=incminimark|boehm|malloc]\n"
    "       typegc inspect DIR/NAME.c [--json] [-- CFLAGS...]\n"
    "       typegc inspect --asm BINARY [--function NAME]\n"
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
    "  --gc=boehm   emit the same API over the Boehm GC (typegc_boehm.h,\n"
    "               link with -lgc), or over malloc (--gc=malloc, for\n"
    "               programs that free explicitly); default: incminimark\n"
    "  --help       show this help\n"
    "  --version    show the version\n"
    "\n"
    "`inspect` reads DIR/NAME.c and DIR/NAME.h back with libclang, prints\n"
    "each type's layout as the C compiler sees it (size, alignment, field\n"
    "offsets and kinds, what the collector traces, subclass range) and\n"
    "checks every figure of the type table against it.\n"
    "\n"
    "  --json       print the layouts as JSON\n"
    "  -- CFLAGS    compile with these flags too (-I DIR, -D..., -fpack-struct)\n"
    "  --asm BINARY show the inlined allocation fast paths and write barriers\n"
    "               of a program built -O2 -g, annotated, with the loops\n"
    "               around them and their instructions per allocation\n"
    "  --function NAME  only those in the function NAME (or inlined from it)\n"
    "\n"
    "Exit status: 0 on success, 1 if the schema is invalid, a file cannot\n"
    "be read or written, the table disagrees with the structs or no fast\n"
    "path is found; 2 if the command line is wrong.\n"
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
        } else if (strcmp(arg, "--gc=incminimark") == 0) {
            o->peer = NULL;
        } else if (strcmp(arg, "--gc=boehm") == 0 || strcmp(arg, "--gc=malloc") == 0) {
            o->peer = arg + 5;
        } else if (strncmp(arg, "--gc=", 5) == 0) {
            return misuse("unknown collector '%s': --gc=incminimark, boehm or malloc", arg + 5);
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

static cli_action parse_inspect(int argc, char **argv, cli_options *o)
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
            return CLI_DONE;
        }
        if (strcmp(arg, "--json") == 0) {
            o->json = true;
        } else if (strcmp(arg, "--asm") == 0) {
            o->disassemble = true;
        } else if (strcmp(arg, "--function") == 0) {
            if (!take_value(argc, argv, &i, &o->function))
                return CLI_MISUSE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return misuse("unknown option '%s' (compiler flags go after '--')",
                          arg);
        } else if (arg[0] == '\0') {
            return misuse("inspect: the file name is empty");
        } else if (o->inspect_path != NULL) {
            return misuse("inspect: one file at a time; '%s' is a second", arg);
        } else {
            o->inspect_path = arg;
        }
    }
    if (o->disassemble) {
        if (o->inspect_path == NULL)
            return misuse("inspect --asm: no binary given");
        if (o->json)
            return misuse("inspect: --json does not go with --asm");
        if (o->cflags != NULL)
            return misuse("inspect: compiler flags (after '--') do not go with --asm");
    } else {
        if (o->inspect_path == NULL)
            return misuse("inspect: no file given (DIR/NAME.c, or --asm BINARY)");
        if (o->function != NULL)
            return misuse("inspect: --function goes with --asm");
    }
    return CLI_INSPECT;
}

cli_action cli_parse(int argc, char **argv, cli_options *options)
{
    *options = (cli_options){ .schema_path = NULL };
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
    if (strcmp(command, "inspect") == 0)
        return parse_inspect(argc, argv, options);
    if (command[0] == '-')
        return misuse("unknown option '%s'", command);
    return misuse("unknown command '%s'", command);
}
