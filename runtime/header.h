/* header.h -- the GC header's flags, which every collector and space
 * reads (the header word itself is typegc_types.h's tgc_header). */
#ifndef TGC_HEADER_H
#define TGC_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "typegc.h"

/* ---- Header flags (the high half of the header word) ---------------------
 * Numbered as incminimark's GCFLAG_* bits above first_gcflag. */
#define TGC_FLAG_VISITED          (1u << 2)  /* GCFLAG_VISITED: marked by a major collection */
#define TGC_FLAG_HAS_SHADOW       (1u << 3)  /* GCFLAG_HAS_SHADOW: a young object whose id was taken */
#define TGC_FLAG_FINALIZATION_ORDERING (1u << 4)  /* GCFLAG_FINALIZATION_ORDERING: only
                                                  inside the end of marking (finalizers.c) */
#define TGC_FLAG_EXTRA            (1u << 5)  /* GCFLAG_EXTRA: the heap checker's mark */
#define TGC_FLAG_HAS_CARDS        (1u << 6)  /* GCFLAG_HAS_CARDS */
#define TGC_FLAG_CARDS_SET        (1u << 7)  /* GCFLAG_CARDS_SET */
#define TGC_FLAG_VISITED_RMY      (1u << 8)  /* GCFLAG_VISITED_RMY: young raw object seen by this minor GC */
#define TGC_FLAG_PINNED           (1u << 9)  /* GCFLAG_PINNED: a nursery object that must not move */
#define TGC_FLAG_IGNORE_FINALIZER (1u << 10) /* GCFLAG_IGNORE_FINALIZER: tgc_may_ignore_finalizer() */
/* GCFLAG_PINNED_OBJECT_PARENT_KNOWN: during a minor collection, an old
 * object already on old_objects_pointing_to_pinned.  PyPy gives it bit 9,
 * PINNED's, since one is only on old objects and the other only on young
 * ones; a bit of its own lets tgc_gray() skip pinned objects by their flag
 * alone, even on an old object that a minor collection regrays. */
#define TGC_FLAG_PINNED_OBJECT_PARENT_KNOWN (1u << 11)
/* typegc's own: a raw-malloced object allocated young.  PyPy keeps these in
 * a dictionary (young_rawmalloced_objects); a flag answers in one load. */
#define TGC_FLAG_YOUNG_RAW        (1u << 13)
/* typegc's own: on a gray stack (objects_to_trace or more_objects_to_trace)
 * during MARKING, so that no object is pushed twice. */
#define TGC_FLAG_GRAY             (1u << 14)
/* typegc's own: registered with a finalizer queue and not queued yet, so
 * that a second registration is caught (PyPy does not check). */
#define TGC_FLAG_FINALIZER_REGISTERED (1u << 15)

/* A nursery object copied out: the whole header word is -42, as in
 * incminimark's FORWARDSTUB, and the next word holds the new address. */
#define TGC_FORWARDED_TID         ((uint64_t)-42)

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

#endif /* TGC_HEADER_H */
