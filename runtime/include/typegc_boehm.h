/* typegc_boehm.h -- typegc's API over the Boehm-Demers-Weiser collector,
 * for `typegc gen --gc=boehm`, as RPython's --gc=boehm: the same program
 * source builds against either collector, so that the two can be measured
 * side by side.  Link with -lgc (Debian libgc-dev).
 *
 * Objects without GC pointers are allocated with GC_MALLOC_ATOMIC, those
 * with weak fields with GC_malloc_explicitly_typed() (below), the others
 * with GC_MALLOC.  tgc_collect() is GC_gcollect(), tgc_disable()
 * GC_disable(); the statistics are Boehm's (GC_get_prof_stats).  README,
 * "Backends", tabulates the rest.
 */
#ifndef TYPEGC_BOEHM_H
#define TYPEGC_BOEHM_H

#include <gc.h>
#include <gc/gc_typed.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TYPEGC_BOEHM 1
#define TGC_PEER_NAME "boehm"

#include "typegc_peer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Weak fields ----------------------------------------------------------
 * Boehm must not see a weak slot, or its target would stay reachable
 * through it: an object with weak fields is allocated with a type
 * descriptor (gc_typed.h) whose bitmap lists its strong GC pointers only
 * (Boehm keeps it in one more word at the object's end), and each weak
 * slot that holds a target is a disappearing link, which Boehm sets to
 * NULL when it finds the target unreachable -- before any finalizer runs,
 * so that, as in typegc, a weak pointer to an object whose destructor
 * runs is already NULL.  The descriptors are made at each type's first
 * allocation. */
typedef struct tgc_boehm_weak_type {
    bool made;
    GC_descr descriptor;
} tgc_boehm_weak_type;

static __attribute__((noreturn, cold, unused)) void tgc_boehm_weak_out_of_memory(void)
{
    fprintf(stderr, "typegc (boehm): fatal error: out of memory for a weak field's "
            "bookkeeping\n");
    abort();
}

/* The type's place in tgc_peer.types and in tgc_peer.weak_types. */
static inline size_t tgc_boehm_type_index(uint32_t type_id)
{
    uint32_t first = tgc_peer.types->first_id != 0 ? tgc_peer.types->first_id : 1;
    return type_id - first + 1;
}

static __attribute__((noinline, cold, unused)) GC_descr tgc_boehm_make_descriptor(size_t index)
{
    if (tgc_peer.weak_types == NULL) {
        tgc_peer.weak_types = calloc(tgc_peer.types->n_types, sizeof(tgc_boehm_weak_type));
        if (tgc_peer.weak_types == NULL)
            tgc_boehm_weak_out_of_memory();
    }
    const tgc_type_info *info = &tgc_peer.types->types[index];
    size_t words = info->fixed_size / sizeof(GC_word);
    GC_word *bitmap = (GC_word *)calloc((words + GC_WORDSZ - 1) / GC_WORDSZ, sizeof(GC_word));
    if (bitmap == NULL)
        tgc_boehm_weak_out_of_memory();
    for (uint32_t i = 0; i < info->n_ptr_offsets; i++)
        GC_set_bit(bitmap, info->ptr_offsets[i] / sizeof(GC_word));
    tgc_boehm_weak_type *type = (tgc_boehm_weak_type *)tgc_peer.weak_types + index;
    type->descriptor = GC_make_descriptor(bitmap, words);
    type->made = true;
    free(bitmap);
    return type->descriptor;
}

static inline GC_descr tgc_boehm_descriptor(uint32_t type_id)
{
    size_t index = tgc_boehm_type_index(type_id);
    const tgc_boehm_weak_type *types = (const tgc_boehm_weak_type *)tgc_peer.weak_types;
    if (__builtin_expect(types != NULL && types[index].made, 1))
        return types[index].descriptor;
    return tgc_boehm_make_descriptor(index);
}

/* A slot registered with a target is registered anew with the next one
 * (Boehm keeps the last), and unregistered when set to NULL; Boehm drops
 * the links of an object it frees. */
static inline void tgc_peer_store_weak(void **slot, void *value)
{
    /* a prebuilt target is static data, not Boehm's, and never dies: a
     * plain store, after dropping the link an earlier target had */
    if (value != NULL && (((tgc_header *)value)->flags & TGC_FLAG_PREBUILT)) {
        if (*slot != NULL)
            GC_unregister_disappearing_link(slot);
        *slot = value;
        return;
    }
    if (value != NULL) {
        if (GC_general_register_disappearing_link(slot, value) == GC_NO_MEMORY)
            tgc_boehm_weak_out_of_memory();
    } else if (*slot != NULL) {
        GC_unregister_disappearing_link(slot);
    }
    *slot = value;
}

static inline void *tgc_peer_allocate(bool has_gcptr, uint32_t weak_type_id, size_t size)
{
    if (weak_type_id != 0)
        return GC_malloc_explicitly_typed(size, tgc_boehm_descriptor(weak_type_id));
    return has_gcptr ? GC_MALLOC(size) : GC_MALLOC_ATOMIC(size);
}

/* A destructor is a Boehm finalizer without ordering (an object's
 * destructor may not follow its references anyway). */
static inline void tgc_boehm_finalize(void *object, void *unused)
{
    (void)unused;
    tgc_peer_destruct(object);
}

static inline void tgc_peer_watch_destructor(void *object)
{
    GC_register_finalizer_no_order(object, tgc_boehm_finalize, NULL, NULL, NULL);
}

/* ---- Finalizer queues -----------------------------------------------------
 * Boehm's ordered finalizers (GC_register_finalizer): an object reachable
 * from another finalizable one waits for it, as typegc orders its queues,
 * but a cycle of them is never finalized (Boehm warns and keeps it; typegc
 * queues one object per cycle).  Boehm runs finalizers outside its
 * collection, in the thread that allocates, so the trigger runs there.
 * Boehm has one finalizer per object: registering replaces the
 * destructor's, which is put back once the object is queued (or its
 * registration dropped), to run when the object dies after all.  The
 * queued objects wait in uncollectable memory, which Boehm scans. */
static inline void **tgc_peer_root_array(size_t items)
{
    return (void **)GC_MALLOC_UNCOLLECTABLE(items * sizeof(void *));
}

static inline void tgc_peer_free_root_array(void **array)
{
    GC_FREE(array);
}

static inline void tgc_boehm_watch_destructor_again(void *object)
{
    if (tgc_type_of(object)->destructor != NULL)
        GC_register_finalizer_no_order(object, tgc_boehm_finalize, NULL, NULL, NULL);
}

static inline void tgc_boehm_queue_finalizer(void *object, void *queue)
{
    tgc_boehm_watch_destructor_again(object);
    tgc_peer_enqueue((tgc_finalizer_queue *)queue, object);
}

static inline void tgc_peer_watch_finalizer(tgc_finalizer_queue *queue, void *object)
{
    if (GC_base(object) != object)
        tgc_peer_fatal("tgc_finalizer_register", "not a GC object", object);
    GC_finalization_proc old = NULL;
    void *old_data = NULL;
    GC_REGISTER_FINALIZER(object, tgc_boehm_queue_finalizer, queue, &old, &old_data);
    if (old == tgc_boehm_queue_finalizer)
        tgc_peer_fatal("tgc_finalizer_register", "registered already", object);
}

static inline void tgc_peer_ignore_finalizer(void *object)
{
    if (GC_base(object) != object)
        tgc_peer_fatal("tgc_may_ignore_finalizer", "not a GC object", object);
    GC_finalization_proc old = NULL;
    void *old_data = NULL;
    GC_REGISTER_FINALIZER(object, NULL, NULL, &old, &old_data);
    if (old == tgc_boehm_queue_finalizer) {
        ((tgc_finalizer_queue *)old_data)->registered--;
        tgc_boehm_watch_destructor_again(object);
    }
    else if (old != NULL)
        GC_REGISTER_FINALIZER_NO_ORDER(object, old, old_data, NULL, NULL);
}

/* GC_gcollect() does nothing while Boehm is disabled; tgc_collect() works
 * all the same, as in typegc. */
static inline void tgc_peer_collect_now(void)
{
    if (GC_is_disabled()) {
        GC_enable();
        GC_gcollect();
        GC_disable();
    } else {
        GC_gcollect();
    }
    GC_invoke_finalizers();     /* the destructors of what it found dead */
}

static inline void tgc_peer_fill_stats(tgc_stats *stats)
{
    struct GC_prof_stats_s boehm;
    GC_get_prof_stats(&boehm, sizeof boehm);
    stats->total_gc_memory = boehm.heapsize_full - boehm.free_bytes_full;
    stats->total_allocated_memory = boehm.heapsize_full - boehm.unmapped_bytes;
    stats->total_gc_time_ns = (uint64_t)GC_get_full_gc_total_time() * 1000000;
    stats->major_collections = boehm.gc_no;
    stats->major_steps = boehm.gc_no;
}

static inline int tgc_init(const tgc_type_table *types)
{
    GC_INIT();
    GC_start_performance_measurement();
    tgc_peer.types = types;
    return 0;
}

/* Some of Boehm's incremental work, if any is due. */
#define tgc_collect_minor(cursor) ((void)(cursor), (void)GC_collect_a_little())

static inline void tgc_enable(void)
{
    if (tgc_peer.disabled) {
        tgc_peer.disabled = false;
        GC_enable();
    }
}

static inline void tgc_disable(void)
{
    if (!tgc_peer.disabled) {
        tgc_peer.disabled = true;
        GC_disable();
    }
}

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_BOEHM_H */
