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

static inline void *tgc_peer_allocate(bool has_gcptr, uint32_t weak_type_id, size_t size)
{
    (void)has_gcptr;
    (void)weak_type_id;
    return malloc(size);
}

/* Nothing is collected, so nothing clears a weak slot: the program sets it
 * to NULL before it frees the target. */
static inline void tgc_peer_store_weak(void **slot, void *value)
{
    *slot = value;
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

/* ---- Finalizer queues -----------------------------------------------------
 * Nothing is found dead but what the program frees: tgc_free() of a
 * registered object puts it on its queue instead (no destructor, no
 * free), and the registration ends; tgc_free() of the object handed out
 * frees it.  Objects reach queues in the order the program frees them.
 * The registered objects are a table of addresses, open addressing with
 * linear probing; a removed entry leaves a tombstone. */
#define TGC__MALLOC_TOMBSTONE ((void *)1)

static inline void **tgc_peer_root_array(size_t items)
{
    return (void **)calloc(items, sizeof(void *));
}

static inline void tgc_peer_free_root_array(void **array)
{
    free(array);
}

static inline size_t tgc_malloc_slot_of(const void *object, size_t capacity)
{
    uintptr_t i = (uintptr_t)object;
    return (size_t)((i >> 4) * 0x9e3779b97f4a7c15u) & (capacity - 1);
}

/* The slot holding `object`, or SIZE_MAX. */
static inline size_t tgc_malloc_find_registered(const void *object)
{
    size_t capacity = tgc_peer.registered_capacity;
    if (capacity == 0)
        return SIZE_MAX;
    for (size_t i = tgc_malloc_slot_of(object, capacity);; i = (i + 1) & (capacity - 1)) {
        if (tgc_peer.registered[i] == object)
            return i;
        if (tgc_peer.registered[i] == NULL)
            return SIZE_MAX;
    }
}

static inline void tgc_malloc_insert_registered(void *object, tgc_finalizer_queue *queue)
{
    size_t capacity = tgc_peer.registered_capacity;
    size_t i = tgc_malloc_slot_of(object, capacity);
    while (tgc_peer.registered[i] != NULL && tgc_peer.registered[i] != TGC__MALLOC_TOMBSTONE)
        i = (i + 1) & (capacity - 1);
    if (tgc_peer.registered[i] == NULL)
        tgc_peer.registered_used++;
    tgc_peer.registered[i] = object;
    tgc_peer.registered_queue[i] = queue;
}

/* Room for one more, tombstones counted: a table at most half used. */
static inline void tgc_malloc_make_room(void)
{
    if (2 * (tgc_peer.registered_used + 1) <= tgc_peer.registered_capacity)
        return;
    size_t old_capacity = tgc_peer.registered_capacity;
    void **old = tgc_peer.registered;
    tgc_finalizer_queue **old_queue = tgc_peer.registered_queue;
    size_t capacity = old_capacity ? 2 * old_capacity : 256;
    tgc_peer.registered = (void **)calloc(capacity, sizeof(void *));
    tgc_peer.registered_queue =
        (tgc_finalizer_queue **)calloc(capacity, sizeof(tgc_finalizer_queue *));
    if (tgc_peer.registered == NULL || tgc_peer.registered_queue == NULL)
        tgc_peer_fatal("tgc_finalizer_register", "out of memory", NULL);
    tgc_peer.registered_capacity = capacity;
    tgc_peer.registered_used = 0;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i] != NULL && old[i] != TGC__MALLOC_TOMBSTONE)
            tgc_malloc_insert_registered(old[i], old_queue[i]);
    free(old);
    free(old_queue);
}

static inline void tgc_peer_watch_finalizer(tgc_finalizer_queue *queue, void *object)
{
    if (tgc_malloc_find_registered(object) != SIZE_MAX)
        tgc_peer_fatal("tgc_finalizer_register", "registered already", object);
    tgc_malloc_make_room();
    tgc_malloc_insert_registered(object, queue);
}

/* The queue `object` was registered with, its registration ended; NULL if
 * none. */
static inline tgc_finalizer_queue *tgc_malloc_unregister(void *object)
{
    size_t i = tgc_malloc_find_registered(object);
    if (i == SIZE_MAX)
        return NULL;
    tgc_peer.registered[i] = TGC__MALLOC_TOMBSTONE;
    return tgc_peer.registered_queue[i];
}

static inline void tgc_peer_ignore_finalizer(void *object)
{
    tgc_finalizer_queue *queue = tgc_malloc_unregister(object);
    if (queue != NULL)
        queue->registered--;
}

static inline void tgc_free(void *object)
{
    if (object == NULL)
        return;
    /* A prebuilt object (schema "objects") is static data, never malloced:
     * freeing one stops the program rather than corrupt malloc's heap. */
    if (((tgc_header *)object)->flags & TGC_FLAG_PREBUILT) {
        fprintf(stderr, "typegc (malloc): fatal error: tgc_free() of the prebuilt %s "
                "object at %p, which is static data\n", tgc_type_of(object)->name, object);
        abort();
    }
    tgc_finalizer_queue *queue = tgc_malloc_unregister(object);
    if (queue != NULL) {
        tgc_peer_enqueue(queue, object);    /* freed when the program frees it again */
        return;
    }
    if (tgc_type_of(object)->destructor != NULL)
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
