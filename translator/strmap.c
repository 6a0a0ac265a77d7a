/* strmap.c -- a map from strings to indexes: open addressing, linear
 * probing, never more than half full. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* FNV-1a */
static size_t hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return (size_t)h;
}

static strmap_slot *find(const strmap *map, const char *key)
{
    size_t mask = map->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        strmap_slot *slot = &map->slots[i];
        if (slot->key == NULL || strcmp(slot->key, key) == 0)
            return slot;
    }
}

static void grow(strmap *map)
{
    strmap old = *map;
    map->cap = old.cap ? old.cap * 2 : 64;
    map->slots = xcalloc(map->cap, sizeof *map->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key != NULL)
            *find(map, old.slots[i].key) = old.slots[i];
    free(old.slots);
}

size_t strmap_add(strmap *map, const char *key, size_t value)
{
    if (2 * (map->count + 1) > map->cap)
        grow(map);
    strmap_slot *slot = find(map, key);
    if (slot->key != NULL)
        return slot->value;
    slot->key = xstrdup(key);
    slot->value = value;
    map->count++;
    return STRMAP_NONE;
}

size_t strmap_get(const strmap *map, const char *key)
{
    if (map->cap == 0)
        return STRMAP_NONE;
    const strmap_slot *slot = find(map, key);
    return slot->key != NULL ? slot->value : STRMAP_NONE;
}

void strmap_free(strmap *map)
{
    for (size_t i = 0; i < map->cap; i++)
        free(map->slots[i].key);
    free(map->slots);
    map->slots = NULL;
    map->cap = map->count = 0;
}
