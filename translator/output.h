/* output.h -- writing the generated files all or none: no reader sees a
 * half-written file, and a failed run leaves the directory as it was
 * (output.c says how, and the window POSIX leaves). */
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
 * written.  false after printing why; the temporary files are gone then,
 * and any file renamed into place is put back as it was. */
bool output_write(const char *dir, const output_file *files, size_t n);

#endif
