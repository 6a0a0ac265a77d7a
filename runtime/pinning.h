/* pinning.h -- pinned objects (pinning.c): nursery objects that the
 * program asked not to move (tgc_pin, PyPy's rgc.pin), for as long as it
 * lends their address to code the collector cannot see.
 *
 * A pinned object stays where it is at each minor collection that finds
 * it reachable, and dies at the first one that does not, as any young
 * object: its pin goes with it.  The nursery is then handed out in the
 * gaps between the survivors (nursery.c).  Only objects with no GC
 * pointers, no weak pointers and no destructor, not registered with a
 * finalizer queue, can be pinned (PyPy's cannot_pin): a pinned object is
 * never traced, so it holds nothing alive, and nothing the collector does
 * after finding it dead needs it.  An old object pointing to one is
 * recorded on old_objects_pointing_to_pinned and traced again at each
 * minor collection, since nothing else would find the pinned object
 * alive. */
#ifndef TGC_PINNING_H
#define TGC_PINNING_H

#include <stdbool.h>
#include <stddef.h>

#include "addrstack.h"

/* Written by pinning.c only; max_pinned by init.c at start-up. */
typedef struct tgc_pinning {
    size_t max_pinned;                  /* PYPY_GC_MAX_PINNED */
    /* every object pinned now, in no order (its length is PyPy's
     * pinned_objects_in_nursery); after a minor collection, the ones it
     * kept, sorted by address: the nursery allocates around them */
    tgc_addrstack pinned;
    /* PyPy's old_objects_pointing_to_pinned: old objects that pointed to
     * a pinned object at the last minor collection */
    tgc_addrstack old_objects_pointing_to_pinned;
    /* during a minor collection, the last one's list, traced again */
    tgc_addrstack parents_to_trace;
} tgc_pinning;

/* How many objects are pinned now. */
static inline size_t tgc_pinning_count(const tgc_pinning *p)
{
    return p->pinned.length;
}

/* The start of a minor collection: the last one's list of old objects
 * pointing to pinned ones moves to parents_to_trace, which the minor
 * collection empties with tgc_pinning_next_parent() and traces. */
void tgc_pinning_minor_start(void);
/* The next old object that pointed to a pinned one, or NULL. */
void *tgc_pinning_next_parent(void);

/* The minor collection met a pinned object through a slot of `parent`
 * (NULL: a root): it survives in place, and `parent` is recorded. */
void tgc_pinning_reached(void *object, void *parent);

/* Whether a pinned object has been reached by the minor collection in
 * progress (before tgc_pinning_after_minor()). */
bool tgc_pinning_survives(const void *object);

/* The end of a minor collection, before the nursery is reset: the pinned
 * objects it did not reach are dead and lose their pin; the others are
 * sorted by address, for the nursery. */
void tgc_pinning_after_minor(void);

/* At the end of marking, before sweeping: old objects that were not
 * marked leave old_objects_pointing_to_pinned (sweeping frees them). */
void tgc_pinning_after_marking(void);

#endif /* TGC_PINNING_H */
