/* cli.h -- the command line:
 *     typegc gen SCHEMA.json -o DIR [--name NAME] [--first-type-id N]
 *                [--gc=incminimark|boehm|malloc]
 *     typegc inspect DIR/NAME.c [--json] [-- CFLAGS...]
 *     typegc inspect --asm BINARY [--function NAME]
 *     typegc profile FILE [--binary BIN] [--top N] [--folded OUT] [--svg OUT]
 *     typegc heap FILE [--top N] [--type T]
 *     typegc check FILE.c... [--format=text|json] [-- CFLAGS...]
 *     typegc --help | --version */
#ifndef TYPEGC_CLI_H
#define TYPEGC_CLI_H

#include <stdint.h>

typedef struct cli_options {
    const char *schema_path;
    const char *out_dir;
    const char *name;       /* NULL: from the schema's file name */
    const char *peer;       /* --gc=boehm or --gc=malloc; NULL: incminimark */
    uint32_t first_type_id; /* --first-type-id: 1..LAYOUT_MAX_TYPE_ID; 1 if
                               not given */
} cli_options;

typedef enum cli_action {
    CLI_GENERATE,           /* run `gen` with the options */
    CLI_INSPECT,            /* `typegc inspect ...`: argv goes to the
                               inspector as it is, unparsed */
    CLI_PROFILE,            /* `typegc profile ...`, `typegc heap ...`: the */
    CLI_HEAP,               /* same, to the memory views (memview/) */
    CLI_CHECK,              /* `typegc check ...`: argv goes to the
                               checker as it is, unparsed */
    CLI_DONE,               /* help or version printed: exit 0 */
    CLI_MISUSE              /* usage printed on stderr: exit 2 */
} cli_action;

cli_action cli_parse(int argc, char **argv, cli_options *options);

#endif
