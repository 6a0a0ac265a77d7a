/* typegc_malloc.h -- typegc's API over malloc and free, for
 * `typegc gen --gc=malloc`: the third column of the benchmarks, for the
 * programs that can free their objects themselves.  They do so under
 * TYPEGC_EXPLICIT_FREE, with tgc_free(); nothing is collected.  The
 * statistics are glibc's mallinfo2(); README, "Backends", tabulates the
 * rest.
 */
#ifndef TYPEGC_MALLOC_H
#define TYPEGC_MALLOC_H

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TYPEGC_EXPLICIT_FREE 1
#define TGC_PEER_NAME "malloc"

#include "typegc_peer.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline void *tgc_peer_allocate(bool has_gcptr, size_t size)
{
    (void)has_gcptr;
    return malloc(size);
}

static inline void tgc_peer_collect_now(void)
{
}

static inline void tgc_peer_fill_stats(tgc_stats *stats)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 info = mallinfo2();
    stats->total_gc_memory = info.uordblks + info.hblkhd;
    stats->total_allocated_memory = info.arena + info.hblkhd;
#endif
    stats->major_collections = tgc_peer.cycles;
    stats->major_steps = tgc_peer.cycles;
}

static inline int tgc_init(const tgc_type_table *types)
{
    tgc_peer.types = types;
    return 0;
}

/* Nothing is collected: an object's destructor runs when the program
 * frees it, and never for one it does not. */
static inline void tgc_peer_watch_destructor(void *object)
{
    (void)object;
}

/* A prebuilt object (schema "objects") is static data, never malloced:
 * freeing one stops the program rather than corrupt malloc's heap. */
static inline void tgc_free(void *object)
{
    if (object != NULL && (((tgc_header *)object)->flags & TGC_FLAG_PREBUILT)) {
        fprintf(stderr, "typegc (malloc): fatal error: tgc_free() of the prebuilt %s "
                "object at %p, which is static data\n", tgc_type_of(object)->name, object);
        abort();
    }
    if (object != NULL && tgc_type_of(object)->destructor != NULL)
        tgc_peer_destruct(object);
    free(object);
}

#define tgc_collect_minor(cursor) ((void)(cursor))

static inline void tgc_enable(void)
{
    tgc_peer.disabled = false;
}

static inline void tgc_disable(void)
{
    tgc_peer.disabled = true;
}

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_MALLOC_H */
