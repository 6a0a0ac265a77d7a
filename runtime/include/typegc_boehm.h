/* typegc_boehm.h -- typegc's API over the Boehm-Demers-Weiser collector,
 * for `typegc gen --gc=boehm`, as RPython's --gc=boehm: the same program
 * source builds against either collector, so that the two can be measured
 * side by side.  Link with -lgc (Debian libgc-dev).
 *
 * Boehm's collector is conservative and does not move objects: the cursor,
 * the shadow stack and the write barrier are not needed and compile to
 * nothing.  Objects without GC pointers are allocated with
 * GC_MALLOC_ATOMIC, the others with GC_MALLOC.  Hooks and most statistics
 * have no equivalent and report zeros; tgc_collect() is GC_gcollect().
 */
#ifndef TYPEGC_BOEHM_H
#define TYPEGC_BOEHM_H

#include <gc.h>
#include <stdio.h>
#include <stdlib.h>

#include "typegc_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TYPEGC_BOEHM 1

/* The generated NAME.c defines it; tgc_init() sets it. */
extern const tgc_type_table *tgc_boehm_types;

static inline int tgc_init(const tgc_type_table *types)
{
    GC_INIT();
    tgc_boehm_types = types;
    return 0;
}

/* ---- The cursor and the roots: nothing to do ---------------------------- */
typedef struct tgc_cursor_state {
    char unused;
} tgc_cursor_state;
typedef tgc_cursor_state tgc_cursor[1];

/* Takes the arguments that have no use here, so that the same source
 * compiles without "unused" warnings. */
static inline void tgc_boehm_unused(int ignored, ...)
{
    (void)ignored;
}

#define tgc_cursor_open(cursor) ((void)(cursor))
#define tgc_cursor_close(cursor) ((void)(cursor))
#define TGC_SAVE(...) tgc_boehm_unused(0, __VA_ARGS__)
#define TGC_RESTORE(...) tgc_boehm_unused(0, __VA_ARGS__)

static inline void tgc_register_root(void *slot)
{
    (void)slot;                 /* static data is scanned already */
}

/* ---- Allocation --------------------------------------------------------- */
static inline void *tgc_boehm_malloc(bool has_gcptr, size_t size)
{
    void *p = has_gcptr ? GC_MALLOC(size) : GC_MALLOC_ATOMIC(size);
    if (__builtin_expect(p == NULL, 0)) {
        fprintf(stderr, "typegc (boehm): out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

#define TGC__SECOND(...) TGC__SECOND_(__VA_ARGS__, unused)
#define TGC__SECOND_(first, second, ...) second

/* TGC_NEW(T, cursor, live...) and TGC_NEW_ARRAY(T, cursor, length, live...),
 * as in typegc.h. */
#define TGC_NEW(T, ...) \
    (tgc_boehm_unused(0, __VA_ARGS__), T##__init(tgc_boehm_malloc(T##__HAS_GCPTR, T##__SIZE)))
#define TGC_NEW_ARRAY(T, ...)                                           \
    __extension__({                                                     \
        size_t tgc__n = TGC__SECOND(__VA_ARGS__);                       \
        tgc_boehm_unused(0, __VA_ARGS__);                               \
        T##__init(tgc_boehm_malloc(T##__HAS_GCPTR,                      \
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
    return &tgc_boehm_types->types[((const tgc_header *)object)->tid];
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

/* Hooks cannot be had from Boehm: the type exists so that programs built
 * for both collectors compile; they are never called. */
typedef struct tgc_minor_stats {
    uint64_t count, duration, duration_min, duration_max;
    size_t total_memory_used, pinned_objects;
} tgc_minor_stats;
typedef struct tgc_collect_step_stats {
    uint64_t count, duration, duration_min, duration_max;
    int oldstate, newstate;
    bool major_is_done;
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

#endif /* TYPEGC_BOEHM_H */
