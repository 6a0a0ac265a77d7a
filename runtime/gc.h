/* gc.h -- what the runtime's modules share.  Not installed.
 *
 * Memory layout:
 *
 *   nursery   [start ............ start+size)[slack: TGC_NONLARGE_MAX+1]
 *              ^ bump cursor moves right; a full nursery triggers a minor
 *              collection, which copies the survivors out and resets it.
 *              The slack lets the fast path compute `free + size` past the
 *              end without leaving the mapping.
 *   arenas    512 KiB each, 64 pages of 8 KiB, each page one size class
 *             (8..280 bytes): old objects up to small_request_threshold.
 *   raw       malloc()ed one by one: old objects copied out of the nursery
 *             above 280 bytes, and objects of TGC_LARGE_OBJECT bytes and
 *             more, which never enter the nursery and never move.
 */
#ifndef TGC_GC_H
#define TGC_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "typegc.h"
#include "addrstack.h"
#include "arena.h"

/* ---- Header flags (the high half of the header word) ---------------------
 * Numbered as incminimark's GCFLAG_* bits above first_gcflag. */
#define TGC_FLAG_VISITED          (1u << 2)  /* GCFLAG_VISITED: marked by a major collection */
#define TGC_FLAG_EXTRA            (1u << 5)  /* GCFLAG_EXTRA: the heap checker's mark */
#define TGC_FLAG_HAS_CARDS        (1u << 6)  /* GCFLAG_HAS_CARDS */
#define TGC_FLAG_CARDS_SET        (1u << 7)  /* GCFLAG_CARDS_SET */
#define TGC_FLAG_VISITED_RMY      (1u << 8)  /* GCFLAG_VISITED_RMY: young raw object seen by this minor GC */
/* typegc's own: a raw-malloced object allocated young.  PyPy keeps these in
 * a dictionary (young_rawmalloced_objects); a flag answers in one load. */
#define TGC_FLAG_YOUNG_RAW        (1u << 13)
/* typegc's own: on a gray stack (objects_to_trace or more_objects_to_trace)
 * during MARKING, so that no object is pushed twice. */
#define TGC_FLAG_GRAY             (1u << 14)

/* A nursery object copied out: the whole header word is -42, as in
 * incminimark's FORWARDSTUB, and the next word holds the new address. */
#define TGC_FORWARDED_TID         ((uint64_t)-42)

/* ---- Sizes (PyPy names in comments) ------------------------------------- */
#define TGC_MIN_NURSERY_SIZE      (2 * TGC_LARGE_OBJECT)   /* 270336: min nursery, bootstrap size */
#define TGC_DEFAULT_NURSERY_SIZE  (4u << 20)               /* NURSERY_SIZE_UNKNOWN_CACHE */
#define TGC_SHADOWSTACK_DEPTH     163840                   /* root_stack_depth, in words */
#define TGC_OS_PAGE               4096
#define TGC_TORTURE_NURSERY_SIZE  (16u << 20)

/* ---- Environment knobs (env.c) ------------------------------------------ */
typedef struct tgc_config {
    size_t nursery_size;        /* PYPY_GC_NURSERY; 0 = from the L2 cache */
    bool nursery_debug;         /* PYPY_GC_NURSERY_DEBUG */
    long debug_level;           /* PYPY_GC_DEBUG */
    double major_collect;       /* PYPY_GC_MAJOR_COLLECT; 0 = 1.82 */
    double growth;              /* PYPY_GC_GROWTH; 0 = 1.4 */
    size_t min_heap;            /* PYPY_GC_MIN; 0 = 8 x nursery */
    size_t max_heap;            /* PYPY_GC_MAX; 0 = no limit */
    size_t max_delta;           /* PYPY_GC_MAX_DELTA; 0 = 1/8 of the RAM */
    size_t increment_step;      /* PYPY_GC_INCREMENT_STEP; 0 = 4 x nursery */
    long torture;               /* TYPEGC_TORTURE; 0 = off (torture.c) */
    long fail_alloc;            /* TYPEGC_FAIL_ALLOC; 0 = off (sysmem.c) */
    size_t memory_limit;        /* TYPEGC_MEMORY_LIMIT; 0 = off (sysmem.c) */
    long prefault_arenas;       /* TYPEGC_PREFAULT_ARENAS; -1 = the default */
    long step_max_us;           /* TYPEGC_STEP_MAX_US; 0 = no limit */
} tgc_config;

int tgc_config_read(tgc_config *config);

/* ---- Hardware (hardware.c) ---------------------------------------------- */
long tgc_l2_cache_size(void);           /* -1 if unknown */
double tgc_total_memory(void);          /* bytes, or -1.0 if unknown */
size_t tgc_nursery_size_for_l2(long l2);

/* ---- The collector's state ---------------------------------------------- */
typedef struct tgc_gc {
    const tgc_type_table *types;
    tgc_config config;

    /* nursery */
    char *nursery;              /* start */
    size_t nursery_size;
    size_t nursery_mapping;     /* bytes mapped, slack included */
    char *nursery_fill_start;   /* where the current fill began */
    char *nursery_free;         /* published cursor, while it is closed */
    char *nursery_top;          /* end of the space handed out */
    long debug_tiny_nursery;    /* -1, or the bytes handed out per fill */
    bool cursor_open;
    uintptr_t cursor_epoch;

    /* remembered sets and worklists */
    tgc_addrstack old_objects_pointing_to_young;
    tgc_addrstack old_objects_with_cards_set;
    tgc_addrstack young_rawmalloced_objects;
    tgc_addrstack old_rawmalloced_objects;
    tgc_addrstack static_roots;         /* addresses of registered slots */

    /* old space */
    tgc_arena_collection arenas;
    size_t rawmalloced_total_size;
    size_t rawmalloced_peak_size;

    /* the minor collection in progress */
    size_t nursery_surviving_size;

    /* the major collector (major.c) */
    tgc_gc_state gc_state;
    bool enabled;
    tgc_addrstack objects_to_trace;         /* gray objects */
    tgc_addrstack more_objects_to_trace;    /* grayed by minor collections */
    tgc_addrstack raw_malloc_might_sweep;   /* old raw objects this sweep walks */
    double next_major_collection_threshold; /* bytes of old objects */
    double next_major_collection_initial;
    double min_heap_size;
    double max_delta;
    double major_collection_threshold;      /* factor */
    double growth_rate_max;
    size_t increment_step;
    double marking_steps;                   /* in this cycle's MARKING so far */
    size_t size_objects_made_old;           /* promoted since the cycle began */
    size_t promoted_during_last_cycle;      /* its final value, last cycle */
    size_t threshold_objects_made_old;      /* pacing: allowance so far */
    uint64_t num_major_collects;
    uint64_t major_steps;
    size_t arenas_count_before, rawmalloc_bytes_before;
    bool max_heap_size_already_raised;
    bool memory_error_pending;
    bool memory_error_is_system;            /* not PYPY_GC_MAX: the system said no */
    size_t reserve_size;                    /* of the emergency reserve (sysmem.c) */
    const char *memory_error_what;          /* what the failed request was for */
    tgc_memory_error_handler memory_error_handler;
    void *memory_error_arg;
    size_t memory_pressure;

    /* statistics and hooks (stats.c, hooks.c) */
    uint64_t minor_collections;
    uint64_t gc_time_ns;
} tgc_gc;

extern tgc_gc tgc_state;

/* ---- Between modules ---------------------------------------------------- */
int tgc_nursery_allocate(size_t size);
void tgc_nursery_free_mapping(void);
void tgc_nursery_reset(void);
void tgc_minor_collection(void);
void tgc_minor_collection_with_major_progress(size_t extra_size, bool force);
void tgc_major_init(void);
void tgc_major_collection_step(void);
bool tgc_threshold_reached(size_t extra);
void tgc_at_safe_point(void);
void tgc_memory_error_now(const char *what);
/* The thread's CPU clock in ns if a minor or step hook is installed, else
 * 0: read around a collection for the hooks' cpu_duration. */
uint64_t tgc_hooks_cpu_clock(void);
void tgc_hooks_minor_done(uint64_t duration, uint64_t cpu_duration);
void tgc_hooks_step_done(uint64_t duration, uint64_t cpu_duration, tgc_gc_state old_state,
                         tgc_gc_state new_state);
void tgc_hooks_collect_done(void);
void tgc_hooks_fire(void);
void tgc_debug_check_heap(const char *when);
void tgc_push_gray(void *object, tgc_addrstack *stack);
void tgc_check_cursor(const tgc_cursor_state *cursor, const char *who);
void tgc_publish_cursor(const tgc_cursor_state *cursor, const char *who);
tgc_cursor_state tgc_cursor_after_collection(void);
tgc_cursor_state tgc_cursor_fresh(void);       /* no safe point */
void tgc_shadowstack_init(void);
void tgc_full_collection(void);

/* TYPEGC_TORTURE (torture.c) */
void tgc_torture_init(void);
char *tgc_torture_next_fill(char *fill_start, char *fill_end, size_t fill_size);
void tgc_torture_after_slow_path(void);

void *tgc_raw_malloc(size_t size);     /* malloc or fatal, counted */
void tgc_raw_free(void *object);

/* Card marking (PyPy's card_page_indices): a large array of GC pointers has
 * one bit per 128 items, in bytes just before its header, byte 0 nearest. */
#define TGC_CARD_PAGE_SHIFT       7
static inline size_t tgc_card_area_size(size_t length)
{
    return ((length + (64u << TGC_CARD_PAGE_SHIFT) - 1) >> 13) * TGC_WORD;
}

/* Nanoseconds on `clock` (clock_gettime); tgc_now_ns() is CLOCK_MONOTONIC,
 * what the log's timestamps and the pause durations use. */
uint64_t tgc_clock_ns(clockid_t clock);
uint64_t tgc_now_ns(void);

/* Whether a step's `deadline` (a tgc_now_ns() time; 0: none) has passed. */
static inline bool tgc_deadline_passed(uint64_t deadline)
{
    return deadline != 0 && tgc_now_ns() >= deadline;
}

void tgc_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2), cold));

static inline tgc_header *tgc_hdr(void *object)
{
    return (tgc_header *)object;
}

/* Sweeping: an object that marking did not reach is garbage; one it
 * reached survives, its mark cleared for the next cycle. */
static inline bool tgc_sweep_frees(void *object)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_VISITED) {
        hdr->flags &= ~TGC_FLAG_VISITED;
        return false;
    }
    return true;
}

static inline bool tgc_is_in_nursery(const void *p)
{
    return (const char *)p >= tgc_state.nursery &&
           (const char *)p < tgc_state.nursery + tgc_state.nursery_size;
}

typedef void (*tgc_slot_visitor)(void **slot, void *arg);
void tgc_walk_roots(tgc_slot_visitor visit, void *arg);

#endif /* TGC_GC_H */
