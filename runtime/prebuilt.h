/* prebuilt.h -- the prebuilt objects a schema declares ("objects"), which
 * `typegc gen` emits as static data with TGC_PREBUILT_FLAGS (prebuilt.c).
 *
 * They are old from the start and never swept nor freed: no space owns
 * them, and nothing lists them until the first store into one.  Until
 * then a prebuilt object points only to other prebuilt objects, which are
 * immortal, so it keeps nothing alive and marking skips it (its
 * NO_HEAP_PTRS flag).  The first store runs the write barrier's slow path
 * (its TRACK_YOUNG_PTRS flag), which records it here for good, as PyPy's
 * prebuilt_root_objects: from then on it is a root of every major
 * marking, and like any old object the barrier records it for the minor
 * collections.  A program with any number of prebuilt objects therefore
 * starts with no work per object. */
#ifndef TGC_PREBUILT_H
#define TGC_PREBUILT_H

#include "addrstack.h"
#include "object.h"

/* Written by prebuilt.c only. */
typedef struct tgc_prebuilt {
    tgc_addrstack roots;        /* written-to prebuilt objects, for good */
} tgc_prebuilt;

/* The barrier's slow path met an object with NO_HEAP_PTRS: clears it and
 * lists the object as a root from now on. */
void tgc_prebuilt_record(void *object);

/* Calls visit(slot, arg) for a slot holding each recorded prebuilt
 * object, as tgc_walk_roots() does for the program's roots.  The slots
 * are the list's own: a visitor must not change them (prebuilt objects
 * never move). */
void tgc_prebuilt_walk_roots(tgc_slot_visitor visit, void *arg);

/* After the end of marking has used the marks: clears VISITED on the
 * recorded prebuilt objects, which no sweep visits (PyPy resets them after
 * each sweep).  The others were never marked. */
void tgc_prebuilt_after_marking(void);

/* Whether an object is prebuilt: static data, never freed. */
static inline bool tgc_is_prebuilt(const void *object)
{
    return ((const tgc_header *)object)->flags & TGC_FLAG_PREBUILT;
}

#endif /* TGC_PREBUILT_H */
