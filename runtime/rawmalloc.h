/* rawmalloc.h -- objects malloced one by one (rawmalloc.c): old objects
 * too big for the arenas (over TGC_SMALL_REQUEST_THRESHOLD bytes), and
 * objects too big for the nursery (TGC_LARGE_OBJECT bytes and more),
 * which are born young here and never move.  A space: it reports what it
 * cannot do and leaves the policy (collect, retry, report) to collect.c. */
#ifndef TGC_RAWMALLOC_H
#define TGC_RAWMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"
#include "typegc.h"

/* Written by rawmalloc.c only. */
typedef struct tgc_raw_space {
    tgc_addrstack young;        /* PyPy's young_rawmalloced_objects */
    tgc_addrstack old;          /* old_rawmalloced_objects */
    tgc_addrstack might_sweep;  /* raw_malloc_might_sweep: what this sweep walks */
    size_t total_size;          /* rawmalloced_total_size, card areas included */
    size_t peak_size;
} tgc_raw_space;

/* An old object of `size` bytes, promoted out of the nursery.  Cannot
 * fail: a refusal spends the emergency reserve (sysmem.h). */
void *tgc_raw_malloc_old(tgc_raw_space *raw, size_t size);
void tgc_raw_free(tgc_raw_space *raw, void *object);

/* The bytes of an object of this type and length, or 0 if that overflows. */
size_t tgc_raw_object_size(const tgc_type_info *info, size_t length);

/* A young object of `size` bytes (tgc_raw_object_size), zeroed, its header
 * and length written, with cards if it is an array of GC pointers; NULL if
 * the system refuses the memory. */
void *tgc_raw_alloc_young(tgc_raw_space *raw, uint32_t type_id, const tgc_type_info *info,
                          size_t length, size_t size);

static inline bool tgc_raw_have_young(const tgc_raw_space *raw)
{
    return !tgc_addrstack_empty(&raw->young);
}

/* The end of a minor collection: young objects it reached (VISITED_RMY)
 * become old, the others are freed. */
void tgc_raw_free_unreached_young(tgc_raw_space *raw);

/* Sweeping: the old objects now are the ones this sweep looks at. */
void tgc_raw_sweep_prepare(tgc_raw_space *raw);
static inline bool tgc_raw_sweep_done(const tgc_raw_space *raw)
{
    return tgc_addrstack_empty(&raw->might_sweep);
}
/* Frees the unmarked among up to `limit` objects, fewer once `deadline`
 * (tgc_now_ns(); 0: none) has passed; returns how many it looked at. */
size_t tgc_raw_sweep_step(tgc_raw_space *raw, size_t limit, uint64_t deadline);

#endif /* TGC_RAWMALLOC_H */
