/* typegc_peer.h -- what typegc's API becomes over another allocator, for
 * the programs measured against their peers: the same source builds with
 * typegc.h, typegc_boehm.h or typegc_malloc.h.  Not included directly: the
 * allocator's header defines tgc_peer_malloc(has_gcptr, size) first.
 *
 * Nothing moves, so the cursor, the shadow stack and the write barrier are
 * not needed and compile to nothing. */
#ifndef TYPEGC_PEER_H
#define TYPEGC_PEER_H

#include <stdio.h>
#include <stdlib.h>

#include "typegc_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The generated NAME.c defines it; tgc_init() sets it. */
extern const tgc_type_table *tgc_peer_types;

/* ---- The cursor and the roots: nothing to do ---------------------------- */
typedef struct tgc_cursor_value {
    char unused;
} tgc_cursor_value;
typedef tgc_cursor_value tgc_cursor[1];

/* Takes the arguments that have no use here, so that the same source
 * compiles without "unused" warnings. */
static inline void tgc_peer_unused(int ignored, ...)
{
    (void)ignored;
}

#define tgc_cursor_open(cursor) ((void)(cursor))
#define tgc_cursor_close(cursor) ((void)(cursor))
#define TGC_SAVE(...) tgc_peer_unused(0, __VA_ARGS__)
#define TGC_RESTORE(...) tgc_peer_unused(0, __VA_ARGS__)

static inline void tgc_register_root(void *slot)
{
    (void)slot;                 /* static data is scanned already */
}

/* ---- Allocation --------------------------------------------------------- */
#define TGC__SECOND(...) TGC__SECOND_(__VA_ARGS__, unused)
#define TGC__SECOND_(first, second, ...) second

/* TGC_NEW(T, cursor, live...) and TGC_NEW_ARRAY(T, cursor, length, live...),
 * as in typegc.h. */
#define TGC_NEW(T, ...) \
    (tgc_peer_unused(0, __VA_ARGS__), T##__init(tgc_peer_malloc(T##__HAS_GCPTR, T##__SIZE)))
#define TGC_NEW_ARRAY(T, ...)                                           \
    __extension__({                                                     \
        size_t tgc__n = TGC__SECOND(__VA_ARGS__);                       \
        tgc_peer_unused(0, __VA_ARGS__);                               \
        T##__init(tgc_peer_malloc(T##__HAS_GCPTR,                      \
                  tgc_round_up_size(T##__ITEMS_OFFSET + tgc__n * T##__ITEM_SIZE)), \
                  tgc__n);                                              \
    })

/* ---- Barriers: none ----------------------------------------------------- */
static inline void tgc_write_barrier(void *object)
{
    (void)object;
}

static inline void tgc_write_barrier_from_array(void *array, size_t index)
{
    (void)array;
    (void)index;
}

/* ---- Objects ------------------------------------------------------------ */
static inline const tgc_type_info *tgc_type_of(const void *object)
{
    return &tgc_peer_types->types[((const tgc_header *)object)->tid];
}

static inline int tgc_format_object(char *buf, size_t size, const void *object)
{
    if (object == NULL)
        return snprintf(buf, size, "NULL");
    return snprintf(buf, size, "<%s object at %p>", tgc_type_of(object)->name, object);
}

static inline __attribute__((noreturn)) void tgc_index_error(const void *array, size_t index)
{
    const tgc_type_info *info = tgc_type_of(array);
    fprintf(stderr, "typegc: fatal error: index %zu out of range for %s of length %lld\n",
            index, info->name,
            (long long)*(const int64_t *)((const char *)array + info->length_offset));
    abort();
}

/* The peers have no hooks: the types exist so that the same programs
 * compile; the hooks are never called. */
typedef struct tgc_minor_stats {
    uint64_t count, duration, duration_min, duration_max;
    size_t total_memory_used, pinned_objects;
    uint64_t cpu_duration;
} tgc_minor_stats;
typedef struct tgc_collect_step_stats {
    uint64_t count, duration, duration_min, duration_max;
    int oldstate, newstate;
    bool major_is_done;
    uint64_t cpu_duration;
} tgc_collect_step_stats;
typedef struct tgc_hooks {
    void (*on_gc_minor)(const tgc_minor_stats *stats, void *arg);
    void (*on_gc_collect_step)(const tgc_collect_step_stats *stats, void *arg);
    void (*on_gc_collect)(const void *stats, void *arg);
    void *arg;
} tgc_hooks;

static inline void tgc_set_hooks(const tgc_hooks *hooks)
{
    (void)hooks;
}

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_PEER_H */
