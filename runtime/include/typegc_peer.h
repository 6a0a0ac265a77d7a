/* typegc_peer.h -- what typegc's API becomes over another allocator, for
 * the programs measured against their peers: the same source builds with
 * typegc.h, typegc_boehm.h or typegc_malloc.h, without #ifdef.  Not
 * included directly: the allocator's header includes it, then defines
 * what this file's calls need of it (tgc_peer_allocate() and the others
 * below).  README, "Backends", tabulates what each call does where.
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

/* ---- The allocator's part ------------------------------------------------
 * Defined by typegc_boehm.h and typegc_malloc.h before their use here. */
/* weak_type_id: the type's id if it has weak fields (T__HAS_WEAKPTR), else 0 */
static inline void *tgc_peer_allocate(bool has_gcptr, uint32_t weak_type_id,
                                      size_t size);                 /* NULL if refused */
static inline void tgc_peer_store_weak(void **slot, void *value);   /* T_set_f() of a weak f */
static inline void tgc_peer_collect_now(void);                      /* a whole collection */
static inline void tgc_peer_fill_stats(tgc_stats *stats);           /* memory, time, cycles */
static inline void **tgc_peer_root_array(size_t items);            /* scanned, zeroed; may be NULL */
static inline void tgc_peer_free_root_array(void **array);
/* ... and tgc_init(), tgc_collect_minor(c), tgc_enable(), tgc_disable(). */

/* ---- What the program's calls remember ----------------------------------
 * One per program: the generated NAME.c defines it (`tgc_peer`), so these
 * backends take one schema per program (a second NAME.c would define
 * tgc_peer again, and the program would not link). */
typedef struct tgc_peer_state {
    const tgc_type_table *types;            /* tgc_init()'s */
    bool disabled;                          /* tgc_disable() */
    size_t memory_pressure;                 /* tgc_add_memory_pressure(), summed */
    tgc_memory_error_handler on_memory_error;
    void *memory_error_arg;
    tgc_hooks hooks;                        /* tgc_set_hooks() */
    uint64_t cycles;                        /* collections the program asked for */
    size_t peak_gc_memory, peak_allocated_memory; /* the most tgc_get_stats() saw */
    uint64_t destructors_run;               /* tgc_stats.destructors_run */
    void *weak_types;                       /* the backend's own, per type with weak fields */
    uint64_t finalizers_queued;             /* tgc_stats.finalizers_queued */
    /* malloc: the registered objects and their queues, open addressing
     * (typegc_malloc.h) */
    void **registered;
    struct tgc_finalizer_queue **registered_queue;
    size_t registered_capacity, registered_used;
    /* every queue made, as the runtime keeps them: a queue lives as long
     * as the program, and a leak checker must see it reachable */
    struct tgc_finalizer_queue *queues;
} tgc_peer_state;

extern tgc_peer_state tgc_peer;

/* ---- The cursor and the roots: nothing to do ---------------------------- */
typedef char *tgc_cursor[3];        /* as typegc.h's, never read here */

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
#define TGC_SAVE_ARRAY(array, n) tgc_peer_unused(0, (array), (n))
#define TGC_RESTORE_ARRAY(array, n) tgc_peer_unused(0, (array), (n))

/* A depth of the shadow stack, to go back to (after a longjmp): always 0. */
typedef struct tgc_root_mark {
    size_t depth;
} tgc_root_mark;

static inline tgc_root_mark tgc_roots_mark(void)
{
    tgc_root_mark mark = { 0 };
    return mark;
}

static inline void tgc_roots_reset(tgc_root_mark mark)
{
    (void)mark;
}

static inline void tgc_register_root(void *slot)
{
    (void)slot;                 /* static data is scanned already, or not needed */
}

/* ---- Allocation --------------------------------------------------------- */

/* The allocator refused `size` bytes: the memory error handler, a whole
 * collection and one more try, as typegc does for a large object; then
 * the program stops. */
static __attribute__((noinline, cold, unused)) void *
tgc_peer_out_of_memory(bool has_gcptr, uint32_t weak_type_id, size_t size)
{
    void *p = NULL;
    if (tgc_peer.on_memory_error != NULL) {
        tgc_peer.on_memory_error(tgc_peer.memory_error_arg);
        tgc_peer_collect_now();
        p = tgc_peer_allocate(has_gcptr, weak_type_id, size);
    }
    if (p == NULL) {
        fprintf(stderr, "typegc (%s): fatal error: out of memory allocating %zu bytes%s\n",
                TGC_PEER_NAME, size,
                tgc_peer.on_memory_error != NULL ? ", even after the memory error handler ran"
                                                 : "; no memory error handler is set");
        abort();
    }
    return p;
}

static inline void *tgc_peer_malloc(bool has_gcptr, uint32_t weak_type_id, size_t size)
{
    void *p = tgc_peer_allocate(has_gcptr, weak_type_id, size);
    if (__builtin_expect(p == NULL, 0))
        p = tgc_peer_out_of_memory(has_gcptr, weak_type_id, size);
    return p;
}

/* Weak fields (kind weak): the generated setter stores through
 * tgc_peer_store_weak(), and an object with weak fields is allocated with
 * its type id, so that the backend can keep the collector from seeing
 * them.  Over Boehm each non-NULL weak slot is a disappearing link,
 * cleared when its target is found unreachable, and the object is
 * scanned precisely, without its weak slots; over malloc nothing is
 * collected, a weak slot is a plain pointer, and the program clears what
 * it frees (README, "Weak references"). */

/* Each backend arranges for an object's destructor to run (Boehm: a
 * finalizer; malloc: tgc_free()). */
static inline void tgc_peer_watch_destructor(void *object);

static inline void *tgc_peer_new(void *object, bool has_destructor)
{
    if (has_destructor)
        tgc_peer_watch_destructor(object);
    return object;
}

#define TGC__SECOND(...) TGC__SECOND_(__VA_ARGS__, unused)
#define TGC__SECOND_(first, second, ...) second

/* TGC_NEW(T, cursor, live...) and TGC_NEW_ARRAY(T, cursor, length, live...),
 * as in typegc.h. */
#define TGC_NEW(T, ...)                                                 \
    (tgc_peer_unused(0, __VA_ARGS__),                                   \
     (T *)tgc_peer_new(T##__init(tgc_peer_malloc(T##__HAS_GCPTR,        \
                                                 T##__HAS_WEAKPTR ? T##__TYPE_ID : 0, \
                                                 T##__SIZE)),            \
                       T##__DESTRUCTOR))
#define TGC_NEW_ARRAY(T, ...)                                           \
    __extension__({                                                     \
        size_t tgc__n = TGC__SECOND(__VA_ARGS__);                       \
        tgc_peer_unused(0, __VA_ARGS__);                               \
        T##__init(tgc_peer_malloc(T##__HAS_GCPTR, 0,                   \
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
    const tgc_type_table *types = tgc_peer.types;
    uint32_t first = types->first_id != 0 ? types->first_id : 1;
    return &types->types[((const tgc_header *)object)->tid - first + 1];
}

/* Objects never move here: the id is the address, the hash PyPy's. */
static inline uintptr_t tgc_id(void *object)
{
    return (uintptr_t)object;
}

static inline uintptr_t tgc_identity_hash(void *object)
{
    uintptr_t i = (uintptr_t)object;
    return i ^ (i >> 4);
}

/* Nothing moves here, so every object stays put as a pinned one would:
 * tgc_pin() says so (true) and tgc_unpin() has nothing to undo.  Nothing
 * is counted (tgc_stats.pinned_objects is 0), and an unpin without a pin
 * goes unnoticed. */
static inline bool tgc_pin(void *object)
{
    (void)object;
    return true;
}

static inline void tgc_unpin(void *object)
{
    (void)object;
}

/* The type's destructor, once, as typegc runs it. */
static inline void tgc_peer_destruct(void *object)
{
    tgc_type_of(object)->destructor(object);
    tgc_peer.destructors_run++;
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

static inline __attribute__((noreturn)) void tgc_field_index_error(const void *object,
                                                                   const char *field,
                                                                   size_t index, size_t length)
{
    fprintf(stderr, "typegc: fatal error: index %zu out of range for %s.%s of length %zu\n",
            index, tgc_type_of(object)->name, field, length);
    abort();
}

/* ---- Collections ---------------------------------------------------------
 * No phases here: every collection the program asks for is a whole cycle,
 * reported to the hooks as one. */
static inline const char *tgc_phase_name(tgc_phase phase)
{
    switch (phase) {
    case TGC_PHASE_SCANNING: return "SCANNING";
    case TGC_PHASE_MARKING: return "MARKING";
    case TGC_PHASE_SWEEPING: return "SWEEPING";
    case TGC_PHASE_FINALIZING: return "FINALIZING";
    case TGC_PHASE_USERDEL: return "USERDEL";
    }
    return "(invalid)";
}

static inline void tgc_peer_collect(void)
{
    tgc_peer_collect_now();
    tgc_peer.cycles++;
    if (tgc_peer.hooks.on_gc_collect != NULL) {
        tgc_collect_stats stats = { 0, 0, 0, 0, 0, 0, 0, 0 };
        stats.count = 1;
        stats.num_major_collects = tgc_peer.cycles;
        tgc_peer.hooks.on_gc_collect(&stats, tgc_peer.hooks.arg);
    }
}

static inline void tgc_peer_collect_step(tgc_step_result *result)
{
    tgc_peer_collect();
    result->old_phase = TGC_PHASE_SCANNING;
    result->new_phase = TGC_PHASE_SCANNING;
    result->major_is_done = true;
    if (tgc_peer.hooks.on_gc_collect_step != NULL) {
        tgc_collect_step_stats stats = { 0, 0, 0, 0, TGC_PHASE_SCANNING, TGC_PHASE_SCANNING,
                                         true, 0 };
        stats.count = 1;
        tgc_peer.hooks.on_gc_collect_step(&stats, tgc_peer.hooks.arg);
    }
}

#define tgc_collect(cursor) ((void)(cursor), tgc_peer_collect())
#define tgc_collect_step(cursor, result) ((void)(cursor), tgc_peer_collect_step(result))

/* tgc_add_memory_pressure(bytes) and tgc_add_memory_pressure(object,
 * bytes): summed, never taken back (an object's death goes unnoticed). */
static inline void tgc_peer_add_memory_pressure(const void *object, size_t bytes)
{
    (void)object;
    tgc_peer.memory_pressure += bytes;
}

#define TGC__PEER_THIRD(...) TGC__PEER_THIRD_(__VA_ARGS__, unused, unused)
#define TGC__PEER_THIRD_(first, second, third, ...) third
#define TGC__PEER_PRESSURE_1(bytes) tgc_peer_add_memory_pressure(NULL, (bytes))
#define TGC__PEER_PRESSURE_2(object, bytes) tgc_peer_add_memory_pressure((object), (bytes))
#define TGC__PEER_CAT(a, b) TGC__PEER_CAT_(a, b)
#define TGC__PEER_CAT_(a, b) a##b
#define tgc_add_memory_pressure(...) \
    TGC__PEER_CAT(TGC__PEER_PRESSURE_, TGC__PEER_THIRD(__VA_ARGS__, 2, 1))(__VA_ARGS__)

/* ---- Finalizer queues -----------------------------------------------------
 * The queue is the same everywhere; what finds an object dead is the
 * backend's (tgc_peer_watch_finalizer): Boehm's ordered finalizers, or
 * tgc_free() over malloc.  The dead objects wait in memory the collector
 * scans (tgc_peer_root_array), so that they stay alive until handed out. */
typedef struct tgc_finalizer_queue tgc_finalizer_queue;
typedef void (*tgc_finalizer_trigger)(tgc_finalizer_queue *queue, void *arg);

struct tgc_finalizer_queue {
    tgc_finalizer_trigger trigger;
    void *trigger_arg;
    void **dead;
    size_t head, length, capacity;
    size_t registered;          /* objects that may come: room is kept for them */
    struct tgc_finalizer_queue *next;   /* tgc_peer.queues */
};

static __attribute__((noreturn, cold, unused)) void tgc_peer_fatal(const char *call,
                                                                 const char *what,
                                                                 const void *object)
{
    fprintf(stderr, "typegc (%s): fatal error: %s: %s (object %p)\n", TGC_PEER_NAME, call,
            what, object);
    abort();
}

static inline tgc_finalizer_queue *tgc_finalizer_queue_new(tgc_finalizer_trigger trigger,
                                                           void *arg)
{
    tgc_finalizer_queue *queue = (tgc_finalizer_queue *)calloc(1, sizeof *queue);
    if (queue == NULL)
        tgc_peer_fatal("tgc_finalizer_queue_new", "out of memory", NULL);
    queue->trigger = trigger;
    queue->trigger_arg = arg;
    queue->next = tgc_peer.queues;
    tgc_peer.queues = queue;
    return queue;
}

/* Room in the queue for every object registered with it, made when one is
 * registered: Boehm runs finalizers where an allocation may collect, and
 * a collection then loses track of objects (so enqueueing never
 * allocates). */
static inline void tgc_peer_make_room(tgc_finalizer_queue *queue)
{
    size_t waiting = queue->length - queue->head;
    if (waiting + queue->registered + 1 <= queue->capacity - queue->head)
        return;
    size_t capacity = queue->capacity ? queue->capacity : 64;
    while (capacity < 2 * (waiting + queue->registered + 1))
        capacity *= 2;
    void **grown = tgc_peer_root_array(capacity);
    if (grown == NULL)
        tgc_peer_fatal("tgc_finalizer_register", "out of memory", NULL);
    for (size_t i = queue->head; i < queue->length; i++)
        grown[i - queue->head] = queue->dead[i];
    queue->length = waiting;
    queue->head = 0;
    tgc_peer_free_root_array(queue->dead);
    queue->dead = grown;
    queue->capacity = capacity;
}

/* Puts a dead object on its queue, in the room made for it; the trigger
 * runs when the queue had none waiting. */
static inline void tgc_peer_enqueue(tgc_finalizer_queue *queue, void *object)
{
    if (queue->registered > 0)
        queue->registered--;
    if (queue->length == queue->capacity)
        tgc_peer_fatal("a finalizer queue", "no room made", object);
    bool was_empty = queue->head == queue->length;
    queue->dead[queue->length++] = object;
    tgc_peer.finalizers_queued++;
    if (was_empty && queue->trigger != NULL)
        queue->trigger(queue, queue->trigger_arg);
}

static inline void *tgc_finalizer_next_dead(tgc_finalizer_queue *queue)
{
    if (queue == NULL)
        tgc_peer_fatal("tgc_finalizer_next_dead", "the queue is NULL", NULL);
    if (queue->head == queue->length)
        return NULL;
    void *object = queue->dead[queue->head];
    queue->dead[queue->head++] = NULL;      /* no longer kept alive from here */
    return object;
}

/* The backend's part: watch `object` for `queue`; forget it. */
static inline void tgc_peer_watch_finalizer(tgc_finalizer_queue *queue, void *object);
static inline void tgc_peer_ignore_finalizer(void *object);

static inline void tgc_finalizer_register(tgc_finalizer_queue *queue, void *object)
{
    if (queue == NULL)
        tgc_peer_fatal("tgc_finalizer_register", "the queue is NULL", object);
    if (object == NULL)
        tgc_peer_fatal("tgc_finalizer_register", "the object is NULL", object);
    tgc_peer_make_room(queue);
    tgc_peer_watch_finalizer(queue, object);
    queue->registered++;
}

static inline void tgc_may_ignore_finalizer(void *object)
{
    if (object == NULL)
        tgc_peer_fatal("tgc_may_ignore_finalizer", "the object is NULL", object);
    tgc_peer_ignore_finalizer(object);
}

static inline void tgc_set_memory_error_handler(tgc_memory_error_handler handler, void *arg)
{
    tgc_peer.on_memory_error = handler;
    tgc_peer.memory_error_arg = arg;
}

static inline bool tgc_isenabled(void)
{
    return !tgc_peer.disabled;
}

/* The hooks run after each collection the program asks for (tgc_collect(),
 * tgc_collect_step()), each a whole cycle; the allocator's own collections
 * are not reported. */
static inline void tgc_set_hooks(const tgc_hooks *hooks)
{
    tgc_hooks none = { NULL, NULL, NULL, NULL };
    tgc_peer.hooks = hooks != NULL ? *hooks : none;
}

/* ---- typegc's own tools -------------------------------------------------
 * Allocation profiles and heap dumps read typegc's cursor and headers: a
 * peer has neither, so the flush does nothing and a dump says so. */
static inline void tgc_profile_flush(void)
{
}

static inline int tgc_peer_dump_heap(const char *path)
{
    fprintf(stderr, "typegc: tgc_dump_heap(\"%s\"): heap dumps need typegc's collector, "
            "not %s\n", path, TGC_PEER_NAME);
    return -1;
}

#define tgc_dump_heap(cursor, path) ((void)(cursor), tgc_peer_dump_heap(path))

/* ---- Statistics --------------------------------------------------------- */
static inline void tgc_get_stats(tgc_stats *stats, bool with_memory_pressure)
{
    tgc_stats zero = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    *stats = zero;
    tgc_peer_fill_stats(stats);
    stats->destructors_run = tgc_peer.destructors_run;
    stats->finalizers_queued = tgc_peer.finalizers_queued;
    if (stats->total_gc_memory > tgc_peer.peak_gc_memory)
        tgc_peer.peak_gc_memory = stats->total_gc_memory;
    if (stats->total_allocated_memory > tgc_peer.peak_allocated_memory)
        tgc_peer.peak_allocated_memory = stats->total_allocated_memory;
    stats->peak_gc_memory = tgc_peer.peak_gc_memory;
    stats->peak_allocated_memory = tgc_peer.peak_allocated_memory;
    stats->total_memory_pressure = with_memory_pressure ? (long long)tgc_peer.memory_pressure : -1;
}

/* A shorter report than typegc's: the peers have no arenas or nursery. */
static inline int tgc_format_stats(char *buf, size_t size, const tgc_stats *stats)
{
    return snprintf(buf, size,
                    "Total memory consumed (%s):\n"
                    "    GC used:                 %.1fkB (peak: %.1fkB)\n"
                    "    GC allocated:            %.1fkB (peak: %.1fkB)\n"
                    "    Total time spent in GC:  %.3f\n"
                    "    Collections:             %llu\n",
                    TGC_PEER_NAME, (double)stats->total_gc_memory / 1024,
                    (double)stats->peak_gc_memory / 1024,
                    (double)stats->total_allocated_memory / 1024,
                    (double)stats->peak_allocated_memory / 1024,
                    (double)stats->total_gc_time_ns * 1e-9,
                    (unsigned long long)stats->major_collections);
}

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_PEER_H */
