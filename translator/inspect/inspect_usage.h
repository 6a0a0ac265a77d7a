/* inspect_usage.h -- the inspector's part of typegc's usage and help, as
 * string literals: `typegc inspect --help` prints them, and `typegc
 * --help` (cli.c) splices them into the whole, built with the inspector
 * or without it.  No code: nothing here calls or is called. */
#ifndef TYPEGC_INSPECT_USAGE_H
#define TYPEGC_INSPECT_USAGE_H

/* The usage lines, after "usage: " or the indent of the lines above. */
#define INSPECT_USAGE_LINES \
    "typegc inspect DIR/NAME.c [--json] [-- CFLAGS...]\n" \
    "       typegc inspect --asm BINARY [--function NAME]\n"

#define INSPECT_HELP \
    "\n" \
    "`inspect` reads DIR/NAME.c and DIR/NAME.h back with libclang, prints\n" \
    "each type's layout as the C compiler sees it (size, alignment, field\n" \
    "offsets and kinds, what the collector traces, subclass range) and\n" \
    "checks every figure of the type table against it.\n" \
    "\n" \
    "  --json       print the layouts as JSON\n" \
    "  -- CFLAGS    compile with these flags too (-I DIR, -D..., -fpack-struct)\n" \
    "  --asm BINARY show the inlined allocation fast paths and write barriers\n" \
    "               of a program built -O2 -g, annotated, with the loops\n" \
    "               around them and their instructions per allocation\n" \
    "  --function NAME  only those in the function NAME (or inlined from it)\n"

#endif
