/* cli.c -- the command line: `gen` parsed here; `inspect`, `profile` and
 * `heap` handed whole to the inspector (inspect/inspect.h) and the memory
 * views (memview/memview.h), which parse their own arguments. */
#include "cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "check/check_usage.h"
#include "inspect/inspect_usage.h"
#include "layout.h"
#include "version.h"

static const char usage[] =
    "usage: typegc gen SCHEMA.json -o DIR [--name NAME] [--first-type-id N]\n"
    "                  [--gc=incminimark|boehm|malloc]\n"
    "       " INSPECT_USAGE_LINES
    "       typegc profile FILE [--binary BIN] [--top N] [--folded OUT] [--svg OUT]\n"
    "       typegc heap FILE [--top N] [--type T]\n"
    "       " CHECK_USAGE_LINES
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
    "  --first-type-id N\n"
    "               number the types from N (1 to 65535; default 1), so\n"
    "               that this schema's ids do not overlap another's\n"
    "               linked into the same program\n"
    "  --gc=boehm   emit the same API over the Boehm GC (typegc_boehm.h,\n"
    "               link with -lgc), or over malloc (--gc=malloc, for\n"
    "               programs that free explicitly); default: incminimark\n"
    "  --help       show this help\n"
    "  --version    show the version\n"
    INSPECT_HELP
    CHECK_HELP
    "\n"
    "`profile` reads what a program run with TYPEGC_PROFILE=FILE sampled;\n"
    "`heap` reads a heap dump (tgc_dump_heap, TYPEGC_DUMP_HEAP_AT_EXIT).\n"
    "`typegc profile --help` and `typegc heap --help` say more.\n"
    "\n"
    "Exit status: 0 on success, 1 if the schema is invalid, a file cannot\n"
    "be read or written, the table disagrees with the structs or no fast\n"
    "path is found, or check finds a mistake; 2 if the command line is\n"
    "wrong (or check cannot read or compile a file).\n"
    "\n"
    "The schema language is described in schemas/README.md.\n";

/* Reports misuse, with the usage, and evaluates to CLI_MISUSE. */
#define MISUSE(...) (args_misuse(usage, __VA_ARGS__), CLI_MISUSE)

/* --first-type-id's value: a decimal number from 1 to LAYOUT_MAX_TYPE_ID. */
static bool parse_first_type_id(const char *text, uint32_t *id)
{
    uint32_t value = 0;
    size_t i = 0;
    for (; text[i] >= '0' && text[i] <= '9' && value <= LAYOUT_MAX_TYPE_ID; i++)
        value = value * 10 + (uint32_t)(text[i] - '0');
    if (i == 0 || text[i] != '\0' || value < 1 || value > LAYOUT_MAX_TYPE_ID)
        return false;
    *id = value;
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
            if (!args_take_value(argc, argv, &i, &o->out_dir, usage))
                return CLI_MISUSE;
        } else if (strcmp(arg, "--name") == 0) {
            if (!args_take_value(argc, argv, &i, &o->name, usage))
                return CLI_MISUSE;
        } else if (strcmp(arg, "--first-type-id") == 0) {
            const char *value = NULL;
            if (o->first_type_id != 0)
                return MISUSE("option '%s' given twice", arg);
            if (!args_take_value(argc, argv, &i, &value, usage))
                return CLI_MISUSE;
            if (!parse_first_type_id(value, &o->first_type_id))
                return MISUSE("--first-type-id '%s': a type id is a number from 1 to %u",
                              value, LAYOUT_MAX_TYPE_ID);
        } else if (strcmp(arg, "--gc=incminimark") == 0) {
            o->peer = NULL;
        } else if (strcmp(arg, "--gc=boehm") == 0 || strcmp(arg, "--gc=malloc") == 0) {
            o->peer = arg + 5;
        } else if (strncmp(arg, "--gc=", 5) == 0) {
            return MISUSE("unknown collector '%s': --gc=incminimark, boehm or malloc", arg + 5);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return MISUSE("unknown option '%s'", arg);
        } else if (arg[0] == '\0') {
            return MISUSE("gen: the schema file name is empty");
        } else if (o->schema_path != NULL) {
            return MISUSE("one schema at a time; '%s' is a second", arg);
        } else {
            o->schema_path = arg;
        }
    }
    if (o->schema_path == NULL)
        return MISUSE("gen: no schema file given");
    if (o->out_dir == NULL)
        return MISUSE("gen: no output directory given (-o DIR)");
    if (o->first_type_id == 0)
        o->first_type_id = 1;
    return CLI_GENERATE;
}

cli_action cli_parse(int argc, char **argv, cli_options *options)
{
    *options = (cli_options){ .schema_path = NULL };
    if (argc < 2)
        return MISUSE("no command given");
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
        return CLI_INSPECT;     /* inspect_main() parses the rest */
    if (strcmp(command, "profile") == 0)
        return CLI_PROFILE;     /* so does profile_main() */
    if (strcmp(command, "heap") == 0)
        return CLI_HEAP;        /* and heap_main() */
    if (strcmp(command, "check") == 0)
        return CLI_CHECK;       /* check_main() parses the rest */
    if (command[0] == '-')
        return MISUSE("unknown option '%s'", command);
    return MISUSE("unknown command '%s'", command);
}
