/* cli.h -- the command line:
 *     typegc gen SCHEMA.json -o DIR [--name NAME] [--gc=incminimark|boehm|malloc]
 *     typegc inspect DIR/NAME.c [--json] [-- CFLAGS...]
 *     typegc inspect --asm BINARY [--function NAME]
 *     typegc --help | --version */
#ifndef TYPEGC_CLI_H
#define TYPEGC_CLI_H

typedef struct cli_options {
    const char *schema_path;
    const char *out_dir;
    const char *name;       /* NULL: from the schema's file name */
    const char *peer;       /* --gc=boehm or --gc=malloc; NULL: incminimark */
} cli_options;

typedef enum cli_action {
    CLI_GENERATE,           /* run `gen` with the options */
    CLI_INSPECT,            /* `typegc inspect ...`: argv goes to the
                               inspector as it is, unparsed */
    CLI_DONE,               /* help or version printed: exit 0 */
    CLI_MISUSE              /* usage printed on stderr: exit 2 */
} cli_action;

cli_action cli_parse(int argc, char **argv, cli_options *options);

#endif
