/* nursery.h -- the young generation's memory (nursery.c) and the cursor
 * that user code bumps through it (cursor.c).
 *
 *   nursery   [start ............ start+size)[slack: TGC_NONLARGE_MAX+1]
 *              ^ bump cursor moves right; a full nursery triggers a minor
 *              collection, which copies the survivors out and resets it.
 *              The slack lets the fast path compute `free + size` past the
 *              end without leaving the mapping.
 *
 * Pinned objects (pinning.h) that a minor collection keeps stay where they
 * are, and the fill after it is handed out in the gaps between them, as
 * PyPy's nursery_barriers do:
 *
 *   [gap ....][pinned][gap ........][pinned][gap ..............]
 *    ^free     ^top: the cursor's top stops at the next pinned object;
 *              the refill moves past it to the next gap, without
 *              collecting, until the fill's end.
 */
#ifndef TGC_NURSERY_H
#define TGC_NURSERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"
#include "typegc.h"

#define TGC_MIN_NURSERY_SIZE      (2 * TGC_LARGE_OBJECT)   /* 270336: min nursery, bootstrap size */
#define TGC_DEFAULT_NURSERY_SIZE  (4u << 20)               /* NURSERY_SIZE_UNKNOWN_CACHE */
#define TGC_TORTURE_NURSERY_SIZE  (16u << 20)
#define TGC_OS_PAGE               4096

/* Written by nursery.c and cursor.c only. */
typedef struct tgc_nursery {
    char *start;
    size_t size;
    size_t mapping;             /* bytes mapped, slack included */
    char *fill_start;           /* where the current fill began */
    char *free;                 /* the published cursor, while it is closed
                                   or the collector runs */
    char *top;                  /* end of the space handed out: the end of
                                   the fill, or the next pinned object */
    char *fill_end;             /* where the current fill ends */
    /* the pinned objects the last minor collection kept, sorted by
     * address (a copy of pinning.c's list): the fill goes around them */
    tgc_addrstack pinned;
    size_t next_pinned;         /* the first of them not below `free` */
    /* -1, or the bytes handed out per fill: PYPY_GC_NURSERY below the
     * minimum size, or TYPEGC_TORTURE (then 1, each fill on fresh pages) */
    long debug_tiny;
    bool debug_fill;            /* PYPY_GC_NURSERY_DEBUG: '#' over each fill */
    bool torture;               /* TYPEGC_TORTURE: fills on fresh pages */
    /* the cursor (cursor.c): the free and top it was last handed out with
     * (top: the nursery's, or the next sample point's if lower) */
    char *cursor_start;
    char *cursor_top;
    bool cursor_open;
    uintptr_t cursor_epoch;
    uint64_t resizes;           /* by tgc_nursery_resize() */
    size_t peak_size;           /* the largest size it had */
} tgc_nursery;

/* ---- nursery.c ---- */
/* Maps a nursery of `size` bytes; -1, after saying so, if the system
 * refuses the memory.  The first call makes the bootstrap nursery, which
 * tgc_nursery_free_mapping() gives back before the real one is mapped. */
int tgc_nursery_allocate(tgc_nursery *n, size_t size);
void tgc_nursery_free_mapping(tgc_nursery *n);
/* After a minor collection, while the nursery holds no object (no pinned
 * one either: tgc_nursery_holds_pinned()), and before a cursor is handed
 * out: replaces it with an empty nursery of `size` bytes at a new
 * address, and logs the `reason`.  The debug modes carry over (the tiny
 * mode keeps handing out its bytes per fill).  False, leaving the nursery as it was, if the system refuses
 * the memory. */
bool tgc_nursery_resize(tgc_nursery *n, size_t size, const char *reason);
/* After a minor collection: the whole nursery is free again, but the
 * `n_pinned` objects of `pinned` (sorted by address), which it keeps
 * where they are. */
void tgc_nursery_reset(tgc_nursery *n, void *const *pinned, size_t n_pinned);
/* The space left before the cursor's top is too small for `size` bytes:
 * moves the cursor past the pinned object at its top to the next gap of
 * this fill with room.  False if the fill has none (then collect). */
bool tgc_nursery_next_gap(tgc_nursery *n, size_t size);
/* After a collection: the tiny-nursery modes may hand out less than
 * `size` bytes, and the first gap between pinned objects may be smaller:
 * make room. */
void tgc_nursery_make_room(tgc_nursery *n, size_t size);

/* Whether the nursery, with the `n_pinned` objects of `pinned` (any
 * order) held in place, still has a gap of at least `size` bytes between
 * them, its start and its end: tgc_nursery_make_room() finds one for any
 * request up to that size. */
bool tgc_nursery_gap_remains(const tgc_nursery *n, void *const *pinned, size_t n_pinned,
                             size_t size);

/* Whether the last minor collection kept pinned objects in the nursery.
 * A nursery that is resized or moved after a minor collection must ask:
 * pinned objects may not move, so it may not while one is pinned (see
 * runtime/DESIGN.md, "Pinning").  Objects pinned since that collection
 * are in the fill behind the cursor and not counted here; the next minor
 * collection, which comes before any resize, counts them. */
static inline bool tgc_nursery_holds_pinned(const tgc_nursery *n)
{
    return !tgc_addrstack_empty(&n->pinned);
}

static inline bool tgc_nursery_contains(const tgc_nursery *n, const void *p)
{
    return (const char *)p >= n->start && (const char *)p < n->start + n->size;
}

static inline bool tgc_nursery_has_room(const tgc_nursery *n, size_t size)
{
    return (size_t)(n->top - n->free) >= size;
}

/* ---- cursor.c ---- */
/* The cursor's three words, as the slow paths take and return them. */
typedef struct tgc__cursor_words tgc_cursor_words;

/* Stops the program unless `cursor` is the one handed out last. */
void tgc_cursor_check(const tgc_nursery *n, const tgc_cursor_words *cursor, const char *who);
/* Makes the nursery's state the cursor's, before the collector runs. */
void tgc_cursor_publish(tgc_nursery *n, const tgc_cursor_words *cursor, const char *who);
/* A new cursor over what is left of the nursery, with room for `needed`
 * bytes if the nursery has them; earlier ones go stale. */
tgc_cursor_words tgc_cursor_fresh(tgc_nursery *n, size_t needed);

#endif /* TGC_NURSERY_H */
