/* identity.h -- ids and identity hashes that stay the same while objects
 * move (identity.c): PyPy's shadows.  A young object whose id is asked
 * for gets its old-generation home at once (the shadow), whose address is
 * the id; the next minor collection copies the object there instead of to
 * a fresh block. */
#ifndef TGC_IDENTITY_H
#define TGC_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Written by identity.c only: nursery address -> shadow, open addressing
 * (PyPy's nursery_objects_shadows).  Emptied by every minor collection. */
typedef struct tgc_identity {
    struct tgc_shadow_entry *entries;
    size_t capacity;            /* a power of two, or 0 */
    size_t count;
    uint64_t shadows_made;
} tgc_identity;

/* The minor collection, copying out a young object flagged HAS_SHADOW:
 * where it goes. */
void *tgc_identity_take_shadow(const void *object);

/* The end of a minor collection: the shadows of the young objects that
 * died stay behind as garbage old objects (a valid header, zeroed fields),
 * freed by the next sweep.  Those of the pinned objects it keeps stay
 * theirs, and are marked if `marking`. */
void tgc_identity_after_minor(bool marking);

#endif /* TGC_IDENTITY_H */
