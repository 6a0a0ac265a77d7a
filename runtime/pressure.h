/* pressure.h -- memory pressure (PyPy's add_memory_pressure): external
 * memory that the program says GC objects keep alive (pressure.c).  Some
 * belongs to no object and only brings the next major collection nearer;
 * an object's counts as in use for as long as the object lives, like its
 * own bytes.  The collectors say when an object died: the minor
 * collection for young ones, the end of marking for old ones. */
#ifndef TGC_PRESSURE_H
#define TGC_PRESSURE_H

#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"

/* Written by pressure.c only. */
typedef struct tgc_pressure {
    tgc_addrstack young;        /* (object, bytes) pairs, young objects */
    tgc_addrstack old;          /* (object, bytes) pairs, old objects */
    size_t of_live_objects;     /* the bytes of both lists: PyPy's
                                   special_memory_pressure fields, summed */
    size_t without_object;      /* tgc_add_memory_pressure(bytes), summed,
                                   saturating */
} tgc_pressure;

/* `bytes` more for `object` (a GC object), from now until it dies. */
void tgc_pressure_note(void *object, size_t bytes);

/* In a minor collection, after the survivors are copied and before the
 * nursery and the unreached young raw objects are freed (and while
 * tgc_pinning_survives() holds): the entries of the young objects that
 * died stop counting, the others become old but the pinned ones. */
void tgc_pressure_after_minor(void);

/* At the end of marking, once the finalizer queues kept their objects
 * alive: the entries of the old objects not marked stop counting. */
void tgc_pressure_after_marking(void);

#endif /* TGC_PRESSURE_H */
