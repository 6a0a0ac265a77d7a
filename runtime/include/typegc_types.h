/* typegc_types.h -- what the generated code and every collector behind
 * typegc's API share: the object header, the type table, the sizes. */
#ifndef TYPEGC_TYPES_H
#define TYPEGC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- C and C++ ----------------------------------------------------------
 * The headers, the generated NAME.h included, compile as C11 and as C++17:
 * these spell what the two languages spell differently.  In C they expand
 * to exactly what was written before, so the C compiled is the same. */
#ifdef __cplusplus
#define TGC_ALIGNAS(n) alignas(n)
#define TGC_ALIGNOF(type) alignof(type)
#define TGC_STATIC_ASSERT(cond, message) static_assert(cond, message)
/* A header of type `id`, flags 0 (compound literals are not C++). */
#define TGC_HEADER_OF(id) (tgc_header{ (uint32_t)(id), 0 })
/* Converts a void * (implicit in C, not in C++). */
#define TGC_CAST(type, pointer) static_cast<type>(pointer)
#else
#define TGC_ALIGNAS(n) _Alignas(n)
#define TGC_ALIGNOF(type) _Alignof(type)
#define TGC_STATIC_ASSERT(cond, message) _Static_assert(cond, message)
#define TGC_HEADER_OF(id) ((tgc_header){ .tid = (id) })
#define TGC_CAST(type, pointer) (pointer)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Object header ------------------------------------------------------
 * The first word of every object, as incminimark's `tid`: the low half is
 * the type id, the high half the GC flags.  Only the write-barrier flag is
 * needed by inline code; the rest are private to the runtime. */
typedef struct tgc_header {
    TGC_ALIGNAS(8) uint32_t tid;   /* type id, an index into the schema's type table */
    uint32_t flags; /* TGC_FLAG_* */
} tgc_header;

/* GCFLAG_TRACK_YOUNG_PTRS: set on old objects; a store into such an object
 * must be recorded so the next minor collection sees it. */
#define TGC_FLAG_TRACK_YOUNG_PTRS (1u << 0)
/* GCFLAG_NO_HEAP_PTRS: a prebuilt object (schema "objects") that no store
 * has written to yet, so it points only to other prebuilt objects.  The
 * write barrier's slow path clears it and records the object as a root
 * for good (PyPy's prebuilt_root_objects). */
#define TGC_FLAG_NO_HEAP_PTRS     (1u << 1)
/* typegc's own (the bit of PyPy's GCFLAG_DUMMY, which marks its one
 * prebuilt dummy): a prebuilt object, static data that is never swept nor
 * freed, for its whole life. */
#define TGC_FLAG_PREBUILT         (1u << 12)
/* The header of a prebuilt object, as `typegc gen` writes it into static
 * data: old from the start (TRACK_YOUNG_PTRS, so that the first store
 * reaches the barrier's slow path), no heap pointers yet. */
#define TGC_PREBUILT_FLAGS \
    (TGC_FLAG_TRACK_YOUNG_PTRS | TGC_FLAG_NO_HEAP_PTRS | TGC_FLAG_PREBUILT)
#ifdef __cplusplus
#define TGC_PREBUILT_HEADER_OF(id) (tgc_header{ (uint32_t)(id), TGC_PREBUILT_FLAGS })
#else
#define TGC_PREBUILT_HEADER_OF(id) { .tid = (id), .flags = TGC_PREBUILT_FLAGS }
#endif

/* ---- Type table ---------------------------------------------------------
 * Emitted by `typegc gen`, read by the collector.  A schema's types have
 * the ids first_id .. first_id + n_types - 2 (`typegc gen --first-type-id`,
 * 1 by default); id 0 is reserved.  A type and all its subclasses have
 * ids in [min_subclass_id, max_subclass_id], so an isinstance test is one
 * range compare.  Several schemas' tables can be installed in one process
 * if their id ranges do not overlap (tgc_init()). */
typedef enum tgc_kind {
    TGC_KIND_I8 = 1, TGC_KIND_I16, TGC_KIND_I32, TGC_KIND_I64,
    TGC_KIND_U8, TGC_KIND_U16, TGC_KIND_U32, TGC_KIND_U64,
    TGC_KIND_F64, TGC_KIND_BOOL, TGC_KIND_REF,
    TGC_KIND_WEAK           /* a weak pointer: not traced, cleared to NULL when
                               its target dies (README, "Weak references") */
} tgc_kind;

typedef struct tgc_field_info {
    const char *name;
    uint32_t kind;        /* tgc_kind */
    uint32_t offset;      /* from the start of the object (the header) */
    uint32_t size;
    uint32_t ref_type_id; /* TGC_KIND_REF, TGC_KIND_WEAK: the declared target type */
} tgc_field_info;

/* infobits, after gctypelayout.py's T_* bits */
#define TGC_T_IS_VARSIZE            (1u << 16) /* T_IS_VARSIZE */
#define TGC_T_HAS_GCPTR_IN_VARSIZE  (1u << 17) /* T_HAS_GCPTR_IN_VARSIZE */
#define TGC_T_IS_GCARRAY_OF_GCPTR   (1u << 18) /* T_IS_GCARRAY_OF_GCPTR */
#define TGC_T_HAS_GCPTR             (1u << 24) /* T_HAS_GCPTR */
#define TGC_T_HAS_WEAKPTR           (1u << 25) /* typegc's: weak_offsets is not empty */

typedef struct tgc_type_info {
    const char *name;
    uint32_t infobits;          /* TGC_T_* */
    uint32_t fixed_size;        /* fixed types: allocation size (>= 16, multiple
                                   of 8); arrays: offset of item 0 */
    uint32_t c_size;            /* sizeof(struct) as the C compiler laid it out */
    uint32_t c_align;           /* _Alignof(struct) */
    uint32_t base_id;           /* 0 if the type has no base */
    uint32_t min_subclass_id;   /* == this type's id */
    uint32_t max_subclass_id;
    uint32_t n_ptr_offsets;     /* GC pointers in the fixed part */
    const uint32_t *ptr_offsets;
    uint32_t item_size;         /* arrays only */
    uint32_t item_kind;         /* arrays only: tgc_kind of an item */
    uint32_t length_offset;     /* arrays only: offset of the length word */
    uint32_t items_offset;      /* arrays only: offset of item 0 */
    uint32_t n_fields;          /* every field, inherited ones first */
    const tgc_field_info *fields;
    /* NULL, or the schema's destructor for this type (its own or its
     * base's): called once with each object of the type found dead */
    void (*destructor)(void *object);
    /* weak pointers in the fixed part (TGC_KIND_WEAK fields, an item of a
     * fixed-size array each): not traced, not in ptr_offsets; the
     * collectors clear them when their target dies */
    uint32_t n_weak_offsets;
    const uint32_t *weak_offsets;
} tgc_type_info;

typedef struct tgc_type_table {
    const char *schema_name;
    uint32_t n_types;           /* entries in types[], the reserved [0] included */
    const tgc_type_info *types; /* types[k], k >= 1: type id first_id + k - 1 */
    uint32_t first_id;          /* the id of types[1]; 0 is read as 1 */
} tgc_type_table;

/* ---- What the API's calls take and give, on every backend ------------
 * typegc.h declares the calls and says what they do; typegc_peer.h maps
 * them onto Boehm GC and malloc (README, "Backends"). */

/* The incremental major collector's phases: incminimark's gc_state. */
typedef enum tgc_phase {
    TGC_PHASE_SCANNING = 0,     /* roots, in one step */
    TGC_PHASE_MARKING = 1,      /* gray objects traced, a bounded amount per step */
    TGC_PHASE_SWEEPING = 2,     /* raw objects, then arena pages, freed incrementally */
    TGC_PHASE_FINALIZING = 3,   /* closes the cycle; finalizer queues' triggers due */
    /* Not a phase of the collector: PyPy's gc.collect_step() reports the
     * step after FINALIZING as FINALIZING -> USERDEL, not done yet, and
     * its next call, which collects nothing, as USERDEL -> SCANNING, done
     * (where PyPy runs the app-level __del__s).  tgc_collect_step() does
     * the same; the log and the hooks never show it, as in PyPy. */
    TGC_PHASE_USERDEL = 4
} tgc_phase;

/* What tgc_collect_step() did. */
typedef struct tgc_step_result {
    tgc_phase old_phase;
    tgc_phase new_phase;
    bool major_is_done;         /* this call completed a major cycle: the
                                   USERDEL -> SCANNING one */
} tgc_step_result;

/* tgc_set_memory_error_handler(): PyPy's MemoryError. */
typedef void (*tgc_memory_error_handler)(void *arg);

/* tgc_get_stats(): PyPy's gc.get_stats(). */
typedef struct tgc_stats {
    size_t total_gc_memory;         /* arenas in use + rawmalloced + nursery
                                       + aged_size */
    size_t peak_gc_memory;
    size_t total_arena_memory;      /* bytes of live blocks in arenas */
    size_t peak_arena_memory;
    size_t total_rawmalloced_memory;
    size_t peak_rawmalloced_memory;
    size_t nursery_size;
    size_t total_allocated_memory;  /* arenas x 512 KiB + rawmalloced + nursery
                                       + survivor_space_size */
    size_t peak_allocated_memory;
    size_t arenas_count;
    long long total_memory_pressure;/* -1 unless asked for */
    uint64_t total_gc_time_ns;      /* in minor collections and major steps */
    uint64_t minor_collections;
    uint64_t major_collections;     /* completed cycles */
    uint64_t major_steps;
    uint64_t destructors_run;       /* T_destruct() calls so far */
    uint64_t weakrefs_cleared;      /* weak pointers set to NULL so far */
    uint64_t nursery_resizes;       /* by the adaptive nursery so far */
    size_t peak_nursery_size;       /* the largest nursery_size so far */
    uint64_t finalizers_queued;     /* objects put on finalizer queues so far */
    size_t pinned_objects;          /* pinned now (tgc_pin) */
    size_t aged_size;               /* bytes of young objects in the survivor
                                       space now (survived one minor
                                       collection) */
    size_t survivor_space_size;     /* bytes mapped for its two halves */
    uint64_t aged_total;            /* bytes minor collections copied into it
                                       so far */
} tgc_stats;

/* tgc_set_hooks(): PyPy's gc.hooks. */
typedef struct tgc_minor_stats {
    uint64_t count;
    uint64_t duration, duration_min, duration_max;
    size_t total_memory_used;       /* arenas + rawmalloced, after */
    size_t pinned_objects;          /* pinned objects it kept in the nursery */
    uint64_t cpu_duration;          /* typegc's: typegc.h, Hooks */
} tgc_minor_stats;

typedef struct tgc_collect_step_stats {
    uint64_t count;
    uint64_t duration, duration_min, duration_max;
    tgc_phase oldstate, newstate;   /* PyPy's names: the phases */
    bool major_is_done;
    uint64_t cpu_duration;          /* typegc's: typegc.h, Hooks */
} tgc_collect_step_stats;

typedef struct tgc_collect_stats {
    uint64_t count;
    uint64_t num_major_collects;
    size_t arenas_count_before, arenas_count_after;
    size_t arenas_bytes;            /* bytes in use in arenas, after */
    size_t rawmalloc_bytes_before, rawmalloc_bytes_after;
    size_t pinned_objects;          /* pinned at the end of the cycle */
} tgc_collect_stats;

typedef struct tgc_hooks {
    void (*on_gc_minor)(const tgc_minor_stats *stats, void *arg);
    void (*on_gc_collect_step)(const tgc_collect_step_stats *stats, void *arg);
    void (*on_gc_collect)(const tgc_collect_stats *stats, void *arg);
    void *arg;
} tgc_hooks;

/* ---- Sizes, as incminimark's TRANSLATION_PARAMS on 64-bit --------------- */
#define TGC_WORD                   8
#define TGC_MIN_OBJECT_SIZE        16          /* header + forwarding address */
#define TGC_SMALL_REQUEST_THRESHOLD (35 * TGC_WORD)           /* 280 */
#define TGC_LARGE_OBJECT           ((16384 + 512) * TGC_WORD) /* 135168 */
#define TGC_NONLARGE_MAX           (TGC_LARGE_OBJECT - 1)

static inline size_t tgc_round_up_size(size_t size)
{
    size = (size + (TGC_WORD - 1)) & ~(size_t)(TGC_WORD - 1);
    return size < TGC_MIN_OBJECT_SIZE ? TGC_MIN_OBJECT_SIZE : size;
}

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_TYPES_H */
