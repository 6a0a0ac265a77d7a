/* typegc_boehm.h -- typegc's API over the Boehm-Demers-Weiser collector,
 * for `typegc gen --gc=boehm`, as RPython's --gc=boehm: the same program
 * source builds against either collector, so that the two can be measured
 * side by side.  Link with -lgc (Debian libgc-dev).
 *
 * Objects without GC pointers are allocated with GC_MALLOC_ATOMIC, the
 * others with GC_MALLOC.  Hooks and most statistics have no equivalent and
 * report zeros; tgc_collect() is GC_gcollect().
 */
#ifndef TYPEGC_BOEHM_H
#define TYPEGC_BOEHM_H

#include <gc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TYPEGC_BOEHM 1

static inline void *tgc_peer_malloc(bool has_gcptr, size_t size)
{
    void *p = has_gcptr ? GC_MALLOC(size) : GC_MALLOC_ATOMIC(size);
    if (__builtin_expect(p == NULL, 0)) {
        fprintf(stderr, "typegc (boehm): out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

#include "typegc_peer.h"

static inline int tgc_init(const tgc_type_table *types)
{
    GC_INIT();
    tgc_peer_types = types;
    return 0;
}

/* ---- Collections and statistics ----------------------------------------- */
#define tgc_collect(cursor) ((void)(cursor), GC_gcollect())
#define tgc_collect_minor(cursor) ((void)(cursor), (void)GC_collect_a_little())

typedef struct tgc_stats {
    size_t total_gc_memory;         /* Boehm's heap size */
    size_t total_allocated_memory;
    uint64_t major_collections;     /* Boehm's collections */
    uint64_t total_gc_time_ns;      /* GC_get_full_gc_total_time, if kept */
} tgc_stats;

static inline void tgc_get_stats(tgc_stats *stats, bool with_memory_pressure)
{
    (void)with_memory_pressure;
    stats->total_gc_memory = GC_get_heap_size() - GC_get_free_bytes();
    stats->total_allocated_memory = GC_get_heap_size();
    stats->major_collections = (uint64_t)GC_get_gc_no();
    stats->total_gc_time_ns = 0;
}

#endif /* TYPEGC_BOEHM_H */
