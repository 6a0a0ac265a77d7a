/* arenamem.c -- where arenas' memory comes from.
 *
 * Arenas are carved from large chunks of address space (1 GiB, mapped
 * once, resident only where written), and an arena given back returns its
 * pages to the system with MADV_DONTNEED and keeps its address for the
 * next arena.  So once a chunk is mapped, taking and giving back arenas
 * makes no mmap() or munmap() call: those take the process's mmap lock
 * for writing and wait for the page faults in progress, and the prefault
 * helper (prefault.c) is faulting pages in all the time.
 *
 * A few spare arenas (spare_target, TYPEGC_PREFAULT_ARENAS) are taken
 * ahead of need and posted to the helper, which faults them in on another
 * core; a minor collection then promotes onto resident pages.  Giving an
 * arena's pages back waits for the other processors' TLBs, so a major
 * step leaves that to the helper too (tgc_arena_release_empty).
 *
 * If the system refuses a chunk, one arena's worth is mapped at a time
 * instead.  Chunks are never unmapped: what goes back to the system is
 * the pages, as PyPy's arenas do with free().  The measurements behind
 * this are in runtime/DESIGN.md, "Arena memory". */
#include <string.h>

#include "arena.h"
#include "sysmem.h"

#define ADDRESS_SPACE_CHUNK ((size_t)1 << 30)

/* Maps `size` bytes of address space (a multiple of the arena size)
 * whose arenas start on TGC_PAGE_SIZE boundaries, so that an object's
 * page header is found by masking its address. */
static bool map_address_space(tgc_arena_memory *am, size_t size)
{
    char *base = tgc_sys_map_address_space(size, TGC_PAGE_SIZE);
    if (base == NULL)
        return false;
    am->unused = base;
    am->unused_end = base + size;
    return true;
}

/* The oldest arena of a queue posted to the helper, taken off the queue
 * if the helper is through with it, else NULL: the helper works through
 * what it is given in order, so the ones behind are not finished either. */
static char *pop_finished(tgc_posted_arena *queue, size_t *count)
{
    if (*count == 0 || !tgc_prefault_finished(queue[0].ticket))
        return NULL;
    char *base = queue[0].base;
    (*count)--;
    memmove(&queue[0], &queue[1], *count * sizeof queue[0]);
    return base;
}

/* Arenas whose pages the helper has released are free for reuse. */
static void collect_released(tgc_arena_memory *am)
{
    char *base;
    while ((base = pop_finished(am->releasing, &am->releasing_count)) != NULL)
        tgc_addrstack_push(&am->free_slots, base);
}

/* An arena's worth of memory, charged (sysmem.c), untouched since the
 * system gave it; NULL if the system refuses. */
static char *new_slot(tgc_arena_memory *am)
{
    if (!tgc_sys_charge(TGC_ARENA_SIZE))
        return NULL;
    collect_released(am);
    if (!tgc_addrstack_empty(&am->free_slots))
        return tgc_addrstack_pop(&am->free_slots);
    if (am->unused == am->unused_end && !map_address_space(am, ADDRESS_SPACE_CHUNK) &&
        !map_address_space(am, TGC_ARENA_SIZE)) {
        tgc_sys_uncharge(TGC_ARENA_SIZE);
        return NULL;
    }
    char *base = am->unused;
    am->unused += TGC_ARENA_SIZE;
    return base;
}

/* Takes spares up to spare_target and posts them to the helper.  They are
 * a convenience: none is taken once memory ran short (the emergency
 * reserve is spent) or if the helper cannot run, and a refusal from the
 * system just leaves fewer. */
static void top_up_spares(tgc_arena_memory *am)
{
    while (am->spare_count < am->spare_target && !tgc_sys_reserve_spent() &&
           tgc_prefault_available()) {
        char *base = new_slot(am);
        if (base == NULL)
            return;
        am->spares[am->spare_count++] =
            (tgc_posted_arena){ base, tgc_prefault_post(base, TGC_ARENA_SIZE) };
    }
}

/* The oldest spare, if the helper is through with it.  If there is none,
 * or the helper is behind (while the heap grows fast), a new slot is used,
 * faulted in by its first use, and the spares wait. */
char *tgc_arena_memory_take(tgc_arena_memory *am)
{
    char *base = pop_finished(am->spares, &am->spare_count);
    if (base == NULL)
        base = new_slot(am);
    if (base != NULL)
        top_up_spares(am);
    return base;
}

void tgc_arena_memory_give_back(tgc_arena_memory *am, char *base, bool in_background)
{
    if (am->spare_count < am->spare_target) {
        /* resident already, and nobody else's: a spare as it is */
        am->spares[am->spare_count++] = (tgc_posted_arena){ base, { 0, 0 } };
        return;
    }
    tgc_sys_uncharge(TGC_ARENA_SIZE);
    if (in_background) {
        collect_released(am);
        if (am->releasing_count < TGC_MAX_RELEASING_ARENAS) {
            tgc_prefault_ticket ticket = tgc_prefault_post_release(base, TGC_ARENA_SIZE);
            if (ticket.process != 0) {
                am->releasing[am->releasing_count++] = (tgc_posted_arena){ base, ticket };
                return;
            }
        }
    }
    tgc_sys_release_pages(base, TGC_ARENA_SIZE);
    tgc_addrstack_push(&am->free_slots, base);
}
