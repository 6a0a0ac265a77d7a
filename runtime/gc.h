/* gc.h -- the collector's state, one struct with one part per owner, and
 * the header flags every collector reads.  Not installed.
 *
 * The runtime's layers; calls and includes only go down:
 *
 *   entry       init.c collect.c stats.c          the program's ways in
 *   collectors  minor.c major.c (mark.h) debug.c  what a collection does
 *               heapdump.c
 *   spaces      nursery.c cursor.c torture.c      where objects live
 *               survivors.c
 *               arena.c arenamem.c prefault.c
 *               rawmalloc.c roots.c barrier.c destructors.c identity.c
 *               weakrefs.c finalizers.c pressure.c prebuilt.c pinning.c
 *   base        sysmem.c addrstack.c object.c hooks.c env.c hardware.c
 *               log.c profile.c fatal.c nursery_policy.c aging_policy.c
 *
 * hooks.c is at the base: the collectors report their events to it, and
 * only collect.c, at a safe point, makes it call the program.  Each part
 * of tgc_collector below is written by the files named beside it.  See
 * runtime/DESIGN.md, "Layers".
 *
 * Memory: the nursery (nursery.h), 512 KiB arenas of 8 KiB pages, one
 * size class per page, for old objects up to TGC_SMALL_REQUEST_THRESHOLD
 * bytes (arena.h), and raw objects malloced one by one: old objects above
 * that, and objects of TGC_LARGE_OBJECT bytes and more, which never enter
 * the nursery and never move (rawmalloc.h).
 */
#ifndef TGC_GC_H
#define TGC_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "typegc.h"
#include "arena.h"
#include "collect.h"
#include "destructors.h"
#include "env.h"
#include "finalizers.h"
#include "identity.h"
#include "header.h"
#include "major.h"
#include "minor.h"
#include "nursery.h"
#include "pressure.h"
#include "prebuilt.h"
#include "pinning.h"
#include "rawmalloc.h"
#include "roots.h"
#include "survivors.h"
#include "util.h"
#include "weakrefs.h"

/* ---- The collector ------------------------------------------------------ */
typedef struct tgc_collector {
    tgc_config config;                  /* init.c, from env.c */
    tgc_collect_control control;        /* collect.c */
    tgc_nursery nursery;                /* nursery.c, cursor.c */
    tgc_survivors survivors;            /* survivors.c, driven by minor.c */
    tgc_remembered remembered;          /* barrier.c fills, minor.c empties */
    tgc_minor minor;                    /* minor.c */
    tgc_major major;                    /* major.c, mark.h */
    tgc_arena_collection arenas;        /* arena.c, arenamem.c */
    tgc_raw_space raw;                  /* rawmalloc.c */
    tgc_destructors destructors;        /* destructors.c */
    tgc_identity identity;              /* identity.c */
    tgc_weakrefs weakrefs;              /* weakrefs.c */
    tgc_finalizers finalizers;          /* finalizers.c */
    tgc_pressure pressure;              /* pressure.c */
    tgc_prebuilt prebuilt;              /* prebuilt.c */
    tgc_pinning pinning;                /* pinning.c */
} tgc_collector;

extern tgc_collector tgc_gc;

static inline bool tgc_is_in_nursery(const void *p)
{
    return tgc_nursery_contains(&tgc_gc.nursery, p);
}

/* A young object that the next minor collection moves (or frees): in the
 * nursery, or aged in the survivor space.  Large young objects (raw, with
 * TGC_FLAG_YOUNG_RAW) never move and are not counted. */
static inline bool tgc_is_young(const void *p)
{
    return tgc_is_in_nursery(p) || tgc_survivors_holds(&tgc_gc.survivors, p);
}

/* An old block: arena blocks for small objects, malloc for the rest
 * (PyPy's _malloc_out_of_nursery).  Not zeroed. */
static inline __attribute__((always_inline)) void *tgc_malloc_old(size_t size)
{
    if (size <= TGC_SMALL_REQUEST_THRESHOLD)
        return tgc_arena_malloc(&tgc_gc.arenas, size);
    return tgc_raw_malloc_old(&tgc_gc.raw, size);
}

#endif /* TGC_GC_H */
