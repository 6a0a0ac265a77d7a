/* check_build.h -- the checked file's functions, read through libclang and
 * lowered to check_ir.h's graphs, each handed to check_flow(). */
#ifndef TYPEGC_CHECK_BUILD_H
#define TYPEGC_CHECK_BUILD_H

#include <clang-c/Index.h>
#include <stddef.h>

#include "check_ir.h"

/* The source of the checked file, for the text of macro calls and the
 * columns of findings. */
typedef struct check_source {
    const char *path;
    const char *text;
    size_t length;
} check_source;

/* Checks every function defined in the main file of `tu`: the store and
 * cursor rules while lowering it, the root and shadow-stack rules in
 * check_flow().  Findings go to `out`. */
void check_build_unit(CXTranslationUnit tu, const check_source *source,
                      findings *out);

#endif
