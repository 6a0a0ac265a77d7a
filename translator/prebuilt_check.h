/* prebuilt_check.h -- checks a schema's prebuilt objects ("objects")
 * against its types (prebuilt_check.c). */
#ifndef TYPEGC_PREBUILT_CHECK_H
#define TYPEGC_PREBUILT_CHECK_H

#include <stdbool.h>

#include "layout.h"
#include "schema.h"
#include "strmap.h"

/* Needs the types checked and their bases linked; `types` maps each type
 * name to its index in s->types.  Sets each object's type, and an array
 * object's length when it gives none.  false after printing the first
 * problem. */
bool prebuilt_check(schema *s, const strmap *types);

#endif
