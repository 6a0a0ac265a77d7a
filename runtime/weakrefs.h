/* weakrefs.h -- the objects whose type has weak pointers (TGC_KIND_WEAK
 * fields, weak_offsets in the type table): the lists that find them, and
 * the clearing of the weak pointers whose target died (weakrefs.c).  The
 * collectors say when: the minor collection fixes the holders it promoted
 * and the old holders the write barrier recorded, the end of marking the
 * old holders marking reached. */
#ifndef TGC_WEAKREFS_H
#define TGC_WEAKREFS_H

#include <stdint.h>

#include "addrstack.h"

/* Written by weakrefs.c only. */
typedef struct tgc_weakrefs {
    tgc_addrstack old;          /* every old holder (PyPy's
                                   old_objects_with_weakrefs) */
    tgc_addrstack to_fix;       /* holders whose weak pointers may point into
                                   the young generation: fixed at the end of
                                   this minor collection (may repeat one) */
    tgc_addrstack pointing_to_young; /* old holders whose weak pointers
                                   pointed to objects the last minor
                                   collection kept young (pinned, aged):
                                   fixed again by the next */
    uint64_t cleared;           /* weak pointers set to NULL so far */
} tgc_weakrefs;

/* In a minor collection: a holder just made old (a copy out of the
 * nursery, a young raw object reached). */
void tgc_weakrefs_note_promoted(void *holder);

/* In a minor collection: an old holder that the write barrier recorded
 * (its weak pointers may have been given young targets). */
void tgc_weakrefs_note_recorded(void *holder);

/* A prebuilt holder that the write barrier met for the first time: it is
 * old, and never dies, from now on (prebuilt.c). */
void tgc_weakrefs_note_immortal(void *holder);

/* In a minor collection, after the survivors are copied and before the
 * nursery and the unreached young raw objects are freed: each weak
 * pointer of the noted holders to a young target follows it to its copy,
 * or is cleared if the target was not reached. */
void tgc_weakrefs_after_minor(void);

/* At the end of marking, between the finalizer queues' two passes and
 * before sweeping: holders that were not marked leave the list; in the
 * others, a weak pointer whose old target was not marked, or is marked
 * only for a finalizer queue (FINALIZATION_ORDERING), is cleared. */
void tgc_weakrefs_after_marking(void);

#endif /* TGC_WEAKREFS_H */
