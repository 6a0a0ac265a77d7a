/* arena.c -- size-class pages in 512 KiB arenas, for small old objects. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "gc.h"

/* An arena is mapped with one page of extra room and trimmed, so that its
 * 64 pages are page-aligned: an object's page header is then found by
 * masking its address. */
static char *map_aligned_arena(void)
{
    size_t length = TGC_ARENA_SIZE + TGC_PAGE_SIZE;
    char *raw = mmap(NULL, length, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    char *base = (char *)(((uintptr_t)raw + TGC_PAGE_SIZE - 1) & ~(uintptr_t)(TGC_PAGE_SIZE - 1));
    if (base > raw)
        munmap(raw, (size_t)(base - raw));
    char *end = base + TGC_ARENA_SIZE;
    if (raw + length > end)
        munmap(end, (size_t)(raw + length - end));
    return base;
}

static tgc_arena *allocate_new_arena(tgc_arena_collection *ac)
{
    tgc_arena *arena = malloc(sizeof *arena);
    char *base = map_aligned_arena();
    if (arena == NULL || base == NULL)
        tgc_fatal("out of memory: couldn't allocate the next arena");
    arena->base = base;
    arena->nfreepages = TGC_PAGES_PER_ARENA;
    arena->totalpages = TGC_PAGES_PER_ARENA;
    arena->freepages = NULL;
    arena->uninitialized = arena->base;
    arena->next = NULL;
    ac->total_memory_alloced += TGC_ARENA_SIZE;
    if (ac->total_memory_alloced > ac->peak_memory_alloced)
        ac->peak_memory_alloced = ac->total_memory_alloced;
    ac->arenas_count++;
    return arena;
}

static tgc_page *allocate_new_page(tgc_arena_collection *ac, size_t size_class)
{
    if (ac->current_arena == NULL)
        ac->current_arena = allocate_new_arena(ac);
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
        arena->next = ac->full_arenas;
        ac->full_arenas = arena;
        ac->current_arena = NULL;
    }
    page->next = NULL;
    page->arena = arena;
    page->nfree = 0;
    page->freeblock = (char *)page + TGC_PAGE_HEADER_SIZE;
    ac->page_for_size[size_class] = page;
    return page;
}

void *tgc_arena_malloc(tgc_arena_collection *ac, size_t size)
{
    size_t size_class = size >> 3;
    ac->total_memory_used += size;

    tgc_page *page = ac->page_for_size[size_class];
    if (page == NULL)
        page = allocate_new_page(ac, size_class);

    char *result = page->freeblock;
    if (page->nfree > 0) {
        page->nfree--;
        page->freeblock = *(char **)result;
    } else {
        page->freeblock = result + size;
    }
    /* No room for one more block: the page moves to the full list. */
    if (page->nfree == 0 &&
        (size_t)(page->freeblock - (char *)page) > TGC_PAGE_SIZE - size) {
        ac->page_for_size[size_class] = page->next;
        page->next = ac->full_page_for_size[size_class];
        ac->full_page_for_size[size_class] = page;
    }
    return result;
}

static void unmap_arena_list(tgc_arena *arena)
{
    while (arena != NULL) {
        tgc_arena *next = arena->next;
        munmap(arena->base, TGC_ARENA_SIZE);
        free(arena);
        arena = next;
    }
}

void tgc_arena_release_all(tgc_arena_collection *ac)
{
    unmap_arena_list(ac->current_arena);
    unmap_arena_list(ac->full_arenas);
    *ac = (tgc_arena_collection){0};
}
