/* typegc_malloc.h -- typegc's API over malloc and free, for
 * `typegc gen --gc=malloc`: the third column of the benchmarks, for the
 * programs that can free their objects themselves.  They do so under
 * TYPEGC_EXPLICIT_FREE, with tgc_free(); nothing is collected.
 */
#ifndef TYPEGC_MALLOC_H
#define TYPEGC_MALLOC_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TYPEGC_EXPLICIT_FREE 1

static inline void *tgc_peer_malloc(bool has_gcptr, size_t size)
{
    (void)has_gcptr;
    void *p = malloc(size);
    if (__builtin_expect(p == NULL, 0)) {
        fprintf(stderr, "typegc (malloc): out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

#include "typegc_peer.h"

static inline int tgc_init(const tgc_type_table *types)
{
    tgc_peer_types = types;
    return 0;
}

static inline void tgc_free(void *object)
{
    free(object);
}

#define tgc_collect(cursor) ((void)(cursor))
#define tgc_collect_minor(cursor) ((void)(cursor))

typedef struct tgc_stats {
    size_t total_gc_memory;
    size_t total_allocated_memory;
    uint64_t major_collections;
    uint64_t total_gc_time_ns;
} tgc_stats;

static inline void tgc_get_stats(tgc_stats *stats, bool with_memory_pressure)
{
    (void)with_memory_pressure;
    *stats = (tgc_stats){ 0, 0, 0, 0 };
}

#endif /* TYPEGC_MALLOC_H */
