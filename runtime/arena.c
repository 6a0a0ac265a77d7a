/* arena.c -- size-class pages in 512 KiB arenas, for small old objects:
 * allocation, incremental sweeping, and giving empty arenas back to the OS
 * (PyPy's minimarkpage). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "header.h"
#include "sysmem.h"
#include "util.h"

void tgc_arena_init(tgc_arena_collection *ac)
{
    *ac = (tgc_arena_collection){ .min_empty_nfreepages = TGC_PAGES_PER_ARENA };
}

/* Called while objects are being promoted: it must not fail (sysmem.c). */
static tgc_arena *allocate_new_arena(tgc_arena_collection *ac)
{
    tgc_arena *arena;
    while ((arena = tgc_sys_malloc(sizeof *arena)) == NULL)
        tgc_sys_out_of_memory("an arena's descriptor", sizeof *arena);
    char *base;
    while ((base = tgc_arena_memory_take(&ac->memory)) == NULL)
        tgc_sys_out_of_memory("an arena", TGC_ARENA_SIZE);
    *arena = (tgc_arena){
        .base = base,
        .nfreepages = TGC_PAGES_PER_ARENA,
        .totalpages = TGC_PAGES_PER_ARENA,
        .uninitialized = base,
    };
    ac->total_memory_alloced += TGC_ARENA_SIZE;
    if (ac->total_memory_alloced > ac->peak_memory_alloced)
        ac->peak_memory_alloced = ac->total_memory_alloced;
    ac->arenas_count++;
    return arena;
}

static void free_arena(tgc_arena_collection *ac, tgc_arena *arena, bool in_background)
{
    tgc_arena_memory_give_back(&ac->memory, arena->base, in_background);
    tgc_sys_free(arena, sizeof *arena);
    ac->total_memory_alloced -= TGC_ARENA_SIZE;
    ac->arenas_count--;
}

/* arenas_lists[] are doubly linked through `link`, so that an arena can
 * leave its list in constant time. */
static void unfile_arena(tgc_arena *arena)
{
    *arena->link = arena->next;
    if (arena->next != NULL)
        arena->next->link = arena->link;
    arena->link = NULL;
}

/* Files an arena that is in no list by its free pages: an entirely free
 * one goes with the empty arenas. */
static void file_arena(tgc_arena_collection *ac, tgc_arena *arena)
{
    size_t n = arena->nfreepages;
    if (n == arena->totalpages) {
        arena->link = NULL;
        arena->next = ac->empty_arenas;
        ac->empty_arenas = arena;
        ac->empty_arenas_count++;
        return;
    }
    tgc_arena **list = &ac->arenas_lists[n];
    arena->next = *list;
    if (arena->next != NULL)
        arena->next->link = &arena->next;
    arena->link = list;
    *list = arena;
    if (n > 0 && n < ac->min_empty_nfreepages)
        ac->min_empty_nfreepages = n;
}

/* The arena with the fewest free pages that has one, else an empty one,
 * else a new one. */
static tgc_arena *pick_next_arena(tgc_arena_collection *ac)
{
    for (size_t n = ac->min_empty_nfreepages; n < TGC_PAGES_PER_ARENA; n++) {
        tgc_arena *arena = ac->arenas_lists[n];
        if (arena != NULL) {
            unfile_arena(arena);
            return arena;
        }
        ac->min_empty_nfreepages = n + 1;
    }
    tgc_arena *arena = ac->empty_arenas;
    if (arena == NULL)
        return allocate_new_arena(ac);
    ac->empty_arenas = arena->next;
    ac->empty_arenas_count--;
    arena->freepages = NULL;
    arena->uninitialized = arena->base;
    arena->nfreepages = arena->totalpages;
    return arena;
}

tgc_page *tgc_arena_new_page(tgc_arena_collection *ac, size_t size_class)
{
    if (ac->current_arena == NULL)
        ac->current_arena = pick_next_arena(ac);
    tgc_arena *arena = ac->current_arena;

    tgc_page *page;
    if (arena->freepages != NULL) {
        page = arena->freepages;
        arena->freepages = page->next;
    } else {
        page = (tgc_page *)arena->uninitialized;
        arena->uninitialized += TGC_PAGE_SIZE;
    }
    if (--arena->nfreepages == 0) {
        file_arena(ac, arena);
        ac->current_arena = NULL;
    }
    page->next = NULL;
    page->arena = arena;
    page->nfree = 0;
    page->freeblock = (char *)page + TGC_PAGE_HEADER_SIZE;
    ac->page_for_size[size_class] = page;
    return page;
}

/* ---- Sweeping ------------------------------------------------------------ */

void tgc_arena_sweep_prepare(tgc_arena_collection *ac)
{
    for (size_t i = 1; i < TGC_SIZE_CLASSES; i++) {
        ac->old_page_for_size[i] = ac->page_for_size[i];
        ac->old_full_page_for_size[i] = ac->full_page_for_size[i];
        ac->page_for_size[i] = ac->full_page_for_size[i] = NULL;
    }
    ac->sweep_size_class = TGC_SIZE_CLASSES - 1;
}

/* The free list of a page is kept in address order and its last block
 * links to the first block never used, so one pass in address order tells
 * free blocks from blocks in use.  Returns the blocks still in use. */
static size_t sweep_page(tgc_arena_collection *ac, tgc_page *page, size_t size)
{
    char *end_of_used = page->freeblock;
    for (size_t i = 0; i < page->nfree; i++)
        end_of_used = *(char **)end_of_used;

    char *next_free = page->freeblock;
    char *head = NULL, **tail = &head;
    size_t nfree = 0, in_use = 0, freed = 0;
    for (char *block = (char *)page + TGC_PAGE_HEADER_SIZE; block < end_of_used; block += size) {
        if (block == next_free) {
            next_free = *(char **)block;
        } else if (tgc_sweep_frees(block)) {
            freed++;
            /* a stale pointer to the block reads the poison, past the link */
            if (ac->poison_freed)
                memset(block + sizeof(char *), '#', size - sizeof(char *));
        } else {
            in_use++;
            continue;
        }
        *tail = block;
        tail = (char **)block;
        nfree++;
    }
    *tail = end_of_used;
    page->freeblock = head != NULL ? head : end_of_used;
    page->nfree = nfree;
    ac->total_memory_used -= freed * size;
    return in_use;
}

/* An empty page goes back to its arena, which moves to the list for its
 * new number of free pages (the current arena is in none). */
static void free_page(tgc_arena_collection *ac, tgc_page *page)
{
    tgc_arena *arena = page->arena;
    page->next = arena->freepages;
    arena->freepages = page;
    bool filed = arena != ac->current_arena;
    if (filed)
        unfile_arena(arena);
    arena->nfreepages++;
    if (filed)
        file_arena(ac, arena);
}

static void file_swept_page(tgc_arena_collection *ac, tgc_page *page, size_t size_class,
                            size_t in_use)
{
    tgc_page **list;
    if (in_use == 0) {
        free_page(ac, page);
        return;
    }
    list = tgc_page_has_room(page, size_class << 3) ? &ac->page_for_size[size_class]
                                                 : &ac->full_page_for_size[size_class];
    page->next = *list;
    *list = page;
}

/* The clock is read after every page when there is a deadline: a reading
 * costs little against a page's sweep, and a page whose memory the host
 * has to bring back can take far longer than the others. */
bool tgc_arena_sweep_step(tgc_arena_collection *ac, size_t max_pages, uint64_t deadline)
{
    size_t pages = 0;
    while (ac->sweep_size_class > 0) {
        size_t sc = ac->sweep_size_class;
        tgc_page **lists[2] = { &ac->old_full_page_for_size[sc], &ac->old_page_for_size[sc] };
        for (int l = 0; l < 2; l++) {
            while (*lists[l] != NULL) {
                if (pages == max_pages || (pages > 0 && tgc_deadline_passed(deadline)))
                    return false;
                tgc_page *page = *lists[l];
                *lists[l] = page->next;
                file_swept_page(ac, page, sc, sweep_page(ac, page, sc << 3));
                pages++;
            }
        }
        ac->sweep_size_class--;
    }
    return true;
}

size_t tgc_arena_release_empty(tgc_arena_collection *ac, size_t keep, size_t max,
                               bool in_background)
{
    size_t released = 0;
    while (released < max && ac->empty_arenas_count > keep) {
        tgc_arena *arena = ac->empty_arenas;
        ac->empty_arenas = arena->next;
        ac->empty_arenas_count--;
        free_arena(ac, arena, in_background);
        released++;
    }
    return released;
}

/* ---- Checking (PYPY_GC_DEBUG) ----------------------------------------- */

static size_t free_pages_of(const tgc_arena *arena)
{
    size_t n = (size_t)(arena->base + TGC_ARENA_SIZE - arena->uninitialized) / TGC_PAGE_SIZE;
    for (const tgc_page *page = arena->freepages; page != NULL; page = page->next)
        n++;
    return n;
}

static void check_arena(const tgc_arena *arena, const char *when, const char *where)
{
    if (free_pages_of(arena) != arena->nfreepages)
        tgc_fatal("heap check %s: arena %p (%s) counts %zu free pages but has %zu", when,
                  (void *)arena->base, where, arena->nfreepages, free_pages_of(arena));
}

void tgc_arena_check(const tgc_arena_collection *ac, const char *when)
{
    size_t seen = 0;
    for (size_t n = 0; n < TGC_PAGES_PER_ARENA; n++) {
        tgc_arena *const *link = &ac->arenas_lists[n];
        for (const tgc_arena *arena = *link; arena != NULL; arena = arena->next) {
            if (arena->nfreepages != n || arena->link != link || arena == ac->current_arena)
                tgc_fatal("heap check %s: arena %p with %zu free pages is misfiled in "
                          "the list for %zu", when, (void *)arena->base, arena->nfreepages, n);
            if (n > 0 && n < ac->min_empty_nfreepages)
                tgc_fatal("heap check %s: arena %p has %zu free pages, below the first "
                          "list searched (%zu)", when, (void *)arena->base, n,
                          ac->min_empty_nfreepages);
            check_arena(arena, when, "filed");
            link = &arena->next;
            seen++;
        }
    }
    size_t empty = 0;
    for (const tgc_arena *arena = ac->empty_arenas; arena != NULL; arena = arena->next) {
        if (arena->nfreepages != arena->totalpages)
            tgc_fatal("heap check %s: arena %p is with the empty ones but has %zu of %zu "
                      "pages free", when, (void *)arena->base, arena->nfreepages,
                      arena->totalpages);
        empty++;
    }
    if (empty != ac->empty_arenas_count)
        tgc_fatal("heap check %s: %zu empty arenas counted as %zu", when, empty,
                  ac->empty_arenas_count);
    if (ac->current_arena != NULL) {
        check_arena(ac->current_arena, when, "current");
        seen++;
    }
    if (seen + empty != ac->arenas_count)
        tgc_fatal("heap check %s: %zu arenas are mapped but %zu are in the lists", when,
                  ac->arenas_count, seen + empty);
}
