/* arena.h -- the allocator for small old objects (PyPy's minimarkpage).
 *
 *   arena (512 KiB, page-aligned mmap)
 *   +--------+--------+--------+-- ... --+--------+
 *   | page 0 | page 1 | page 2 |         | page 63|     64 pages of 8 KiB
 *   +--------+--------+--------+-- ... --+--------+
 *   page: [tgc_page header, 32 bytes][block][block]...   one size class per page
 *
 * A size class holds blocks of 8 * class bytes, classes 1..35 (8..280 bytes).
 * In a page, `freeblock` is the head of the list of freed blocks when
 * `nfree > 0`; the last freed block links to the first block never used,
 * and with `nfree == 0` `freeblock` is that block itself.
 */
#ifndef TGC_ARENA_H
#define TGC_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"
#include "prefault.h"

#define TGC_PAGE_SIZE        (1024 * 8)               /* page_size = 1024 * WORD */
#define TGC_PAGES_PER_ARENA  64                       /* max_pages_per_arena */
#define TGC_ARENA_SIZE       (TGC_PAGES_PER_ARENA * TGC_PAGE_SIZE) /* arena_size: 512 KiB */
#define TGC_SIZE_CLASSES     36                       /* classes 1..35; 0 unused */
#define TGC_MAX_SPARE_ARENAS 16
#define TGC_MAX_RELEASING_ARENAS 32

struct tgc_arena;

typedef struct tgc_page {
    struct tgc_page *next;      /* next page of the same list */
    struct tgc_arena *arena;
    size_t nfree;               /* blocks on the free list */
    char *freeblock;
} tgc_page;

#define TGC_PAGE_HEADER_SIZE sizeof(tgc_page)         /* 32 bytes, as PAGE_HEADER */

typedef struct tgc_arena {
    char *base;
    size_t nfreepages;          /* free pages, initialised or not */
    size_t totalpages;
    tgc_page *freepages;        /* pages given back by sweeping */
    char *uninitialized;        /* next page never used */
    struct tgc_arena *next;
    /* While filed in arenas_lists: the link that points to this arena, so
     * that a sweep freeing one of its pages re-files it at once. */
    struct tgc_arena **link;
} tgc_arena;

/* An arena's memory posted to the prefault helper, to be faulted in (a
 * spare) or to have its pages released; the helper's until its ticket is
 * finished. */
typedef struct tgc_posted_arena {
    char *base;
    tgc_prefault_ticket ticket;
} tgc_posted_arena;

/* Where arenas' memory comes from (arenamem.c). */
typedef struct tgc_arena_memory {
    char *unused, *unused_end;  /* never used yet, in the last chunk mapped */
    tgc_addrstack free_slots;   /* arenas given back, their pages released */
    /* Arenas given back whose pages the prefault helper is releasing,
     * oldest first: to free_slots once it is finished with them. */
    tgc_posted_arena releasing[TGC_MAX_RELEASING_ARENAS];
    size_t releasing_count;
    /* Taken ahead of need and posted to the prefault helper (prefault.c),
     * oldest first; outside arenas_count and the statistics until used.
     * spare_target: how many to keep (TYPEGC_PREFAULT_ARENAS). */
    tgc_posted_arena spares[TGC_MAX_SPARE_ARENAS];
    size_t spare_count;
    size_t spare_target;
} tgc_arena_memory;

typedef struct tgc_arena_collection {
    tgc_page *page_for_size[TGC_SIZE_CLASSES];       /* pages with room */
    tgc_page *full_page_for_size[TGC_SIZE_CLASSES];
    /* While sweeping: the pages this sweep has still to walk.  Pages
     * allocated meanwhile go to the lists above and are not swept. */
    tgc_page *old_page_for_size[TGC_SIZE_CLASSES];
    tgc_page *old_full_page_for_size[TGC_SIZE_CLASSES];
    size_t sweep_size_class;    /* the class being swept, 35 down to 1 */

    tgc_arena *current_arena;   /* pages are taken from here */
    /* arenas_lists[n]: the arenas with n free pages, current_arena and
     * the empty arenas aside.  The fullest arenas are used first so that
     * others can empty out.  An arena moves to its new list as soon as a
     * sweep frees one of its pages (PyPy re-files them all when the sweep
     * ends, a pause that grows with the heap).  An arena with all its
     * pages free is with empty_arenas, so n stops below TGC_PAGES_PER_ARENA. */
    tgc_arena *arenas_lists[TGC_PAGES_PER_ARENA];
    size_t min_empty_nfreepages; /* arenas_lists[1 .. this-1] are empty */
    /* Arenas a sweep left entirely free: used after the partly free ones,
     * and unmapped a few at a time (tgc_arena_release_empty), not all at
     * the end of the sweep. */
    tgc_arena *empty_arenas;
    size_t empty_arenas_count;
    tgc_arena_memory memory;

    size_t total_memory_used;   /* bytes in live blocks */
    size_t peak_memory_used;    /* updated after each minor collection */
    size_t total_memory_alloced;/* bytes of arenas */
    size_t peak_memory_alloced;
    size_t arenas_count;
    bool poison_freed;          /* PYPY_GC_NURSERY_DEBUG: fill freed blocks with '#' */
} tgc_arena_collection;

void tgc_arena_init(tgc_arena_collection *ac);

/* An arena's worth of memory for a new arena: a spare the prefault helper
 * faulted in if one is ready, else fresh pages; NULL if the system
 * refuses.  Giving it back returns its pages to the system, in the
 * helper thread if `in_background` (a major step: not in the pause). */
char *tgc_arena_memory_take(tgc_arena_memory *am);
void tgc_arena_memory_give_back(tgc_arena_memory *am, char *base, bool in_background);

/* Takes a page for the size class, making it the class's current page. */
tgc_page *tgc_arena_new_page(tgc_arena_collection *ac, size_t size_class);

static inline bool tgc_page_has_room(const tgc_page *page, size_t size)
{
    return page->nfree > 0 ||
           (size_t)(page->freeblock - (const char *)page) <= TGC_PAGE_SIZE - size;
}

/* A block of `size` bytes (a multiple of 8, at most 280).  Not zeroed.
 * Inline: a minor collection calls it for every object it promotes, and
 * records the peak of total_memory_used once, at its end. */
static inline void *tgc_arena_malloc(tgc_arena_collection *ac, size_t size)
{
    size_t size_class = size >> 3;
    ac->total_memory_used += size;

    tgc_page *page = ac->page_for_size[size_class];
    if (__builtin_expect(page == NULL, 0))
        page = tgc_arena_new_page(ac, size_class);

    char *result = page->freeblock;
    if (page->nfree > 0) {
        page->nfree--;
        page->freeblock = *(char **)result;
        /* Reading a freed block's link is a cache miss; promotions come in
         * runs, so the next block's link is fetched now. */
        __builtin_prefetch(page->freeblock, 1);
    } else {
        page->freeblock = result + size;
    }
    if (!tgc_page_has_room(page, size)) {
        ac->page_for_size[size_class] = page->next;
        page->next = ac->full_page_for_size[size_class];
        ac->full_page_for_size[size_class] = page;
    }
    return result;
}

/* Records the peak of total_memory_used, which tgc_arena_malloc() leaves
 * to its caller: a minor collection calls this once, at its end. */
static inline void tgc_arena_note_peak(tgc_arena_collection *ac)
{
    if (ac->total_memory_used > ac->peak_memory_used)
        ac->peak_memory_used = ac->total_memory_used;
}

/* Starts a sweep of every page in use now (PyPy's mass_free_prepare). */
void tgc_arena_sweep_prepare(tgc_arena_collection *ac);

/* Sweeps at most `max_pages` pages, freeing the blocks that marking did not
 * reach (tgc_sweep_frees); true when the sweep is complete.  With a
 * `deadline` (tgc_now_ns(); 0: none) it also stops after the page that
 * passes it.  A page left empty goes back to its arena at once, and an
 * arena left empty to empty_arenas, which tgc_arena_release_empty()
 * returns to the OS. */
bool tgc_arena_sweep_step(tgc_arena_collection *ac, size_t max_pages, uint64_t deadline);

/* PYPY_GC_DEBUG: stops the program if an arena is in the wrong list or
 * miscounts its free pages. */
void tgc_arena_check(const tgc_arena_collection *ac, const char *when);

/* Gives empty arenas back to the system, at most `max`, while more than
 * `keep` remain; returns how many it gave back.  With `in_background`,
 * the prefault helper releases their pages: resident memory falls a
 * little later. */
size_t tgc_arena_release_empty(tgc_arena_collection *ac, size_t keep, size_t max,
                               bool in_background);

#endif /* TGC_ARENA_H */
