/* collect.h -- the entry layer (collect.c): every way the program gets
 * into a collection goes through it, and it alone decides what a memory
 * error leads to.  What it keeps: */
#ifndef TGC_COLLECT_H
#define TGC_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "typegc.h"
#include "aging_policy.h"
#include "nursery_policy.h"

typedef enum tgc_memory_error_kind {
    TGC_NO_MEMORY_ERROR,
    TGC_SYSTEM_MEMORY_ERROR,    /* the system refused memory to a collection */
    TGC_HEAP_LIMIT_ERROR        /* PYPY_GC_MAX: the heap stayed over it */
} tgc_memory_error_kind;

/* Written by collect.c only. */
typedef struct tgc_collect_control {
    bool enabled;                       /* tgc_enable / tgc_disable */
    uint64_t slow_paths;                /* TYPEGC_TORTURE's count */
    tgc_memory_error_kind pending;      /* to report at the next safe point */
    const char *pending_what;           /* what the refused request was for */
    bool heap_limit_reported;           /* PYPY_GC_MAX: the second time stops */
    bool userdel_next;                  /* tgc_collect_step: report USERDEL next */
    tgc_memory_error_handler handler;
    void *handler_arg;
    /* The adaptive nursery (runtime/DESIGN.md, "The adaptive nursery"):
     * off when PYPY_GC_NURSERY fixes the size, under TYPEGC_TORTURE and
     * under the failure-injection knobs, whose tests count requests. */
    bool nursery_adapts;
    tgc_nursery_policy nursery_policy;
    /* the cache-based size it started at: what TYPEGC_NURSERY_RESIZE_EVERY
     * returns to, and the floor once the old generation is that large */
    size_t nursery_initial_size;
    size_t promoted_since_cycle_end;    /* by minor collections */
    size_t live_at_cycle_end;           /* what the last cycle marked */
    size_t live_at_cycle_end_before;    /* and the one before it */
    unsigned promoted_dying_percent;    /* the policy's figure */
    /* Aging (runtime/DESIGN.md, "Aging"): whether the next minor
     * collection may copy into the survivor space */
    tgc_aging_policy aging_policy;
    bool aging;
} tgc_collect_control;

#endif /* TGC_COLLECT_H */
