/* check_usage.h -- the checker's part of typegc's usage and help, as
 * string literals: `typegc check --help` prints them, and `typegc --help`
 * (cli.c) splices them in, built with the checker or without it. */
#ifndef TYPEGC_CHECK_USAGE_H
#define TYPEGC_CHECK_USAGE_H

#define CHECK_USAGE_LINES \
    "typegc check FILE.c... [--format=text|json] [-- CFLAGS...]\n"

#define CHECK_HELP \
    "\n" \
    "`check` reads C that uses generated headers, with libclang, and reports\n" \
    "the mistakes the collector cannot forgive, as FILE:LINE:COLUMN: lines:\n" \
    "a GC pointer kept in a local across a call that may collect (one passed\n" \
    "the cursor, or an allocation) without being saved; a GC pointer stored\n" \
    "into an object without its setter; TGC_SAVE and TGC_RESTORE that do not\n" \
    "match on some path; a cursor copied.  `note:` lines say where it cannot\n" \
    "decide.  A line holding the comment `typegc-check: allow` is not reported.\n" \
    "\n" \
    "  --format=json  one JSON array of findings (file, line, column,\n" \
    "               severity, rule, message)\n" \
    "  -- CFLAGS    compile with these flags too (-I DIR for the generated\n" \
    "               headers, -D...)\n"

#endif
