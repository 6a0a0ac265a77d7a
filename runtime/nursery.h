/* nursery.h -- the young generation's memory (nursery.c) and the cursor
 * that user code bumps through it (cursor.c).
 *
 *   nursery   [start ............ start+size)[slack: TGC_NONLARGE_MAX+1]
 *              ^ bump cursor moves right; a full nursery triggers a minor
 *              collection, which copies the survivors out and resets it.
 *              The slack lets the fast path compute `free + size` past the
 *              end without leaving the mapping.
 */
#ifndef TGC_NURSERY_H
#define TGC_NURSERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    char *top;                  /* end of the space handed out */
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
 * one either), and before a cursor is handed out: replaces it with an
 * empty nursery of `size` bytes at a new address, and logs the `reason`.
 * The debug modes carry over (the tiny mode keeps handing out its bytes
 * per fill).  False, leaving the nursery as it was, if the system refuses
 * the memory. */
bool tgc_nursery_resize(tgc_nursery *n, size_t size, const char *reason);
/* After a minor collection: the whole nursery is free again. */
void tgc_nursery_reset(tgc_nursery *n);
/* The tiny-nursery modes may hand out less than `size` bytes: make room. */
void tgc_nursery_make_room(tgc_nursery *n, size_t size);

static inline bool tgc_nursery_contains(const tgc_nursery *n, const void *p)
{
    return (const char *)p >= n->start && (const char *)p < n->start + n->size;
}

/* Whether objects stay in the nursery after a minor collection (pinned
 * ones: issue 17's pinning fills this in).  A nursery that holds some
 * cannot be replaced, so the adaptive nursery waits for one that does
 * not (runtime/DESIGN.md, "The adaptive nursery"). */
static inline bool tgc_nursery_holds_pinned(const tgc_nursery *n)
{
    (void)n;
    return false;
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
/* A new cursor over what is left of the nursery; earlier ones go stale. */
tgc_cursor_words tgc_cursor_fresh(tgc_nursery *n);

#endif /* TGC_NURSERY_H */
