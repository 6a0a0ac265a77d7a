/* output.h -- writing the generated files so that no reader, and no
 * failed run, leaves a half-written one: each file is written in full to
 * a temporary file in its directory, then renamed over its name. */
#ifndef TYPEGC_OUTPUT_H
#define TYPEGC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

typedef struct output_file {
    const char *name;       /* in the output directory */
    const strbuf *text;
} output_file;

/* Writes all the files into `dir`, renaming only once every one is
 * written.  false after printing why; the temporary files are gone then. */
bool output_write(const char *dir, const output_file *files, size_t n);

#endif
