/* check_build.h -- the checked file's functions, read through libclang and
 * lowered to check_ir.h's graphs, each handed to check_flow(). */
#ifndef TYPEGC_CHECK_BUILD_H
#define TYPEGC_CHECK_BUILD_H

#include <clang-c/Index.h>

#include "check_clang.h"
#include "check_ir.h"

/* Checks every function defined in the main file of `tu`: the store and
 * cursor rules while lowering it, the root and shadow-stack rules in
 * check_flow().  Findings go to `out`. */
void check_build_unit(CXTranslationUnit tu, const check_source *source,
                      findings *out);

#endif
