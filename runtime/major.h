/* major.h -- the incremental major collector (major.c): its phases, the
 * heap-size targets that start a cycle, and one step at a time.  When to
 * step is the caller's decision (collect.c). */
#ifndef TGC_MAJOR_H
#define TGC_MAJOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"
#include "typegc.h"

/* PYPY_GC_MIN's default: PyPy's 8 nurseries of the 4 MiB a 512 KiB L2
 * cache gives, whatever the nursery is now.  A threshold that scaled with
 * the nursery would let garbage pile up in proportion to it
 * (runtime/DESIGN.md, "Pacing"). */
#define TGC_DEFAULT_MIN_HEAP ((double)(32u << 20))

/* Written by major.c only (and the gray stacks by mark.h's inlines). */
typedef struct tgc_major {
    tgc_phase phase;                        /* PyPy's gc_state */
    tgc_addrstack objects_to_trace;         /* gray objects */
    tgc_addrstack more_objects_to_trace;    /* grayed by minor collections */
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
    size_t live_after_last_cycle;           /* old bytes when it ended */
    size_t threshold_objects_made_old;      /* pacing: allowance so far */
    uint64_t objects_marked;                /* blackened in this cycle */
    size_t bytes_marked;                    /* their size */
    size_t promoted_while_marking;          /* by minor collections, this cycle */
    uint64_t num_major_collects;
    uint64_t steps;
    uint64_t time_ns;
    size_t arenas_count_before, rawmalloc_bytes_before;
    size_t memory_pressure;
} tgc_major;

/* What a step did that its caller must act on. */
typedef struct tgc_major_outcome {
    bool cycle_done;            /* a cycle ended: memory was freed */
    bool over_heap_limit;       /* and the heap is still over PYPY_GC_MAX */
} tgc_major_outcome;

void tgc_major_init(void);

/* One step of the phase machine.  With `whole_pause` (a full collection,
 * one pause however it is cut) TYPEGC_STEP_MAX_US does not cut it. */
tgc_major_outcome tgc_major_step(bool whole_pause);

/* Bytes of old objects, in arenas and raw. */
size_t tgc_major_old_bytes(void);
/* Whether `extra` more old bytes would reach the threshold of a cycle. */
bool tgc_major_threshold_reached(size_t extra);
/* A minor collection made `bytes` old. */
void tgc_major_count_promoted(size_t bytes);
/* During a cycle: whether promotion (and `extra` bytes about to be
 * allocated old) has got ahead of the steps taken, so another is due. */
bool tgc_major_behind(size_t extra);
/* Between cycles, after a minor collection that starts none: gives back a
 * few of the empty arenas beyond the expected promotion, as each step of
 * a cycle does. */
void tgc_major_release_empty_arenas(void);

#endif /* TGC_MAJOR_H */
