/* survivors.h -- the survivor space (survivors.c): where a minor
 * collection copies the nursery objects it reaches, instead of making them
 * old, so that an object must survive two minor collections to be
 * promoted.  A tree that a program builds across one minor collection and
 * drops before the next then never reaches the old generation, which
 * marks and sweeps only what lives longer (runtime/DESIGN.md, "Aging").
 *
 * Two halves, used in turn, as Java's survivor spaces are:
 *
 *   between minor collections   `aged`: the objects that survived one
 *                                minor collection, young still;
 *                                the other half: garbage.
 *   during one                  `aged` is emptied: what it holds that is
 *                                reached is promoted; the other half
 *                                receives the nursery's copies up to its
 *                                capacity (more are promoted), and becomes
 *                                `aged` when the collection ends.
 *
 * Written by survivors.c only; minor.c drives it. */
#ifndef TGC_SURVIVORS_H
#define TGC_SURVIVORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tgc_survivor_half {
    char *start;
    size_t capacity;            /* bytes mapped */
    size_t used;                /* bytes holding copies */
} tgc_survivor_half;

typedef struct tgc_survivors {
    tgc_survivor_half halves[2];
    unsigned aged;              /* the half holding the young survivors */
    char *copy_free;            /* during a minor collection: the next copy's place */
    char *copy_end;
    bool debug_fill;            /* PYPY_GC_NURSERY_DEBUG: '#' over a half once emptied */
    uint64_t copied_total;      /* bytes minor collections copied in so far */
} tgc_survivors;

/* At the start of a minor collection: the half that will receive copies,
 * mapped with `capacity` bytes (remapped when that changes, unmapped at 0;
 * if the system refuses the memory, this collection copies nothing into
 * it), of which it may fill `limit` (0: nothing this time, every survivor
 * is promoted, and the mapping stays for the next ones). */
void tgc_survivors_begin_minor(tgc_survivors *s, size_t capacity, size_t limit);

/* At the end of it: the half that received the copies holds the young
 * survivors now; the one emptied is garbage. */
void tgc_survivors_end_minor(tgc_survivors *s);

/* During a minor collection: room for a copy of `size` bytes in the
 * receiving half, or NULL if it is full. */
static inline void *tgc_survivors_alloc(tgc_survivors *s, size_t size)
{
    char *p = s->copy_free;
    if ((uintptr_t)s->copy_end - (uintptr_t)p < size)
        return NULL;
    s->copy_free = p + size;
    return p;
}

/* Whether `p` is in the half of the aged objects: between minor
 * collections, the young objects outside the nursery that will move; during
 * one, the objects it promotes if it reaches them. */
static inline bool tgc_survivors_holds(const tgc_survivors *s, const void *p)
{
    const tgc_survivor_half *h = &s->halves[s->aged];
    return (uintptr_t)p - (uintptr_t)h->start < h->used;
}

/* During a minor collection: whether `p` is a copy it made into the
 * receiving half (false for every `p` between minor collections). */
static inline bool tgc_survivors_in_copies(const tgc_survivors *s, const void *p)
{
    const tgc_survivor_half *h = &s->halves[1 - s->aged];
    return (uintptr_t)p - (uintptr_t)h->start < (uintptr_t)s->copy_free - (uintptr_t)h->start;
}

static inline bool tgc_survivors_empty(const tgc_survivors *s)
{
    return s->halves[s->aged].used == 0;
}

/* Bytes of the aged objects now (young, outside the nursery). */
static inline size_t tgc_survivors_size(const tgc_survivors *s)
{
    return s->halves[s->aged].used;
}

/* Bytes mapped for both halves. */
static inline size_t tgc_survivors_mapped(const tgc_survivors *s)
{
    return s->halves[0].capacity + s->halves[1].capacity;
}

#endif /* TGC_SURVIVORS_H */
