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

#endif
