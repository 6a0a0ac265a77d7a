/* names.h -- the file-scope names the emitted code declares.
 *
 * emit_header.c and emit_source.c spell each of these names; schema_check()
 * walks this list to reject a schema in which two of them would be the
 * same identifier (a type `Node_new` beside a type `Node`).  A name added
 * to the emitted code must be added here. */
#ifndef TYPEGC_NAMES_H
#define TYPEGC_NAMES_H

#include <stdbool.h>

#include "schema.h"

/* Returns false to stop the walk. */
typedef bool name_visitor(void *ctx, const char *name);

/* The names of the schema as a whole: NAME_types ...  Returns false if
 * `visit` stopped the walk. */
bool names_of_schema(const schema *s, name_visitor *visit, void *ctx);
/* The names of one type: T, T_new, T_set_f ...  Needs t's bases linked. */
bool names_of_type(const type_def *t, name_visitor *visit, void *ctx);

#endif
