/* xalloc.h -- allocation that cannot fail.
 *
 * The translator is a short-lived command; when memory runs out the only
 * sensible thing is to say so and stop. */
#ifndef TYPEGC_XALLOC_H
#define TYPEGC_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);

/* Makes room in *array for at least `needed` items of `item_size` bytes,
 * *capacity items being allocated now: the capacity at least doubles, so
 * appending n items one at a time copies O(n) bytes, not O(n^2) (an
 * initializer list of 17000 items took seconds under ASan, whose realloc
 * always moves). */
void xgrow(void *array, size_t *capacity, size_t needed, size_t item_size);

#endif
