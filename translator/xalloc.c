/* xalloc.c -- allocation that cannot fail. */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static void *checked(void *ptr)
{
    if (ptr == NULL) {
        fputs("typegc: out of memory\n", stderr);
        exit(1);
    }
    return ptr;
}

void *xmalloc(size_t size)
{
    return checked(malloc(size ? size : 1));
}

void *xcalloc(size_t count, size_t size)
{
    return checked(calloc(count ? count : 1, size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
    return checked(realloc(ptr, size ? size : 1));
}

char *xstrdup(const char *s)
{
    return checked(strdup(s));
}

void xgrow(void *array, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity)
        return;
    size_t grown = *capacity < 8 ? 8 : *capacity * 2;
    if (grown < needed)
        grown = needed;
    if (grown > SIZE_MAX / item_size)
        checked(NULL);
    void **slot = array;
    *slot = checked(realloc(*slot, grown * item_size));
    *capacity = grown;
}
