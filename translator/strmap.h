/* strmap.h -- a map from strings to indexes.
 *
 * Every name check in the translator is "has this name been seen, and
 * where": type names, field names, and the global identifiers the emitted
 * code declares.  Keys are copied. */
#ifndef TYPEGC_STRMAP_H
#define TYPEGC_STRMAP_H

#include <stddef.h>

#define STRMAP_NONE ((size_t)-1)

typedef struct strmap_slot {
    char *key;      /* NULL: empty */
    size_t value;
} strmap_slot;

typedef struct strmap {
    strmap_slot *slots;
    size_t cap;     /* a power of two, or 0 */
    size_t count;
} strmap;

#define STRMAP_INIT { NULL, 0, 0 }

/* Maps `key` to `value` unless `key` is already there.  Returns the value
 * found there, or STRMAP_NONE when `key` was added. */
size_t strmap_add(strmap *map, const char *key, size_t value);
/* The value of `key`, or STRMAP_NONE. */
size_t strmap_get(const strmap *map, const char *key);
void strmap_free(strmap *map);

#endif
