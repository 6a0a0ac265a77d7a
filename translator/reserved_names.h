/* reserved_names.h -- the names a schema cannot give: C keywords and the
 * names the headers included by the emitted C take. */
#ifndef TYPEGC_RESERVED_NAMES_H
#define TYPEGC_RESERVED_NAMES_H

typedef enum name_use {
    NAME_OF_SCHEMA,     /* prefixes file-scope symbols: NAME_types */
    NAME_OF_TYPE,       /* a struct tag, a typedef, a function prefix */
    NAME_OF_FIELD       /* a struct member */
} name_use;

/* NULL if `name` can serve as `use`; otherwise why not, as a phrase that
 * follows the quoted name: "is a C keyword". */
const char *c_name_problem(const char *name, name_use use);

#endif
