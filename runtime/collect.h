/* collect.h -- the entry layer (collect.c): every way the program gets
 * into a collection goes through it, and it alone decides what a memory
 * error leads to.  What it keeps: */
#ifndef TGC_COLLECT_H
#define TGC_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "typegc.h"

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
} tgc_collect_control;

#endif /* TGC_COLLECT_H */
