/* nursery.c -- the young generation's memory: mapping it, and emptying it
 * after a minor collection, with the debug modes that keep freed space out
 * of use for a while. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "nursery.h"
#include "sysmem.h"
#include "torture.h"

/* Under AddressSanitizer the part of the nursery not handed out is
 * poisoned, so that a pointer kept across a collection without being saved
 * (a missing root) faults at its first use. */
#if defined(__SANITIZE_ADDRESS__)
#define TGC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TGC_ASAN 1
#endif
#endif
#ifdef TGC_ASAN
#include <sanitizer/asan_interface.h>
#define poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define poison(p, n) ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#endif

static size_t mapping_for(size_t size)
{
    return (size + TGC_NONLARGE_MAX + 1 + TGC_OS_PAGE - 1) & ~(size_t)(TGC_OS_PAGE - 1);
}

/* Makes the mapping at `start` the nursery, empty, and says so in the log. */
static void install(tgc_nursery *n, char *start, size_t size, const char *reason)
{
    n->start = start;
    n->size = size;
    n->mapping = mapping_for(size);
    n->fill_start = n->free = n->top = start;
    tgc_nursery_reset(n);

    tgc_log_start("gc-set-nursery-size");
    tgc_log_print("nursery size: %zu", size);
    if (reason != NULL)
        tgc_log_print("reason: %s", reason);
    tgc_log_stop("gc-set-nursery-size");
}

int tgc_nursery_allocate(tgc_nursery *n, size_t size)
{
    char *start = tgc_sys_map(mapping_for(size));
    if (start == NULL) {
        fprintf(stderr, "typegc: out of memory: cannot map a nursery of %zu bytes\n", size);
        return -1;
    }
    install(n, start, size, NULL);
    if (size > n->peak_size)
        n->peak_size = size;
    return 0;
}

/* The new mapping is taken before the old one goes back, so the nursery
 * always moves: a pointer into the old one that a collection missed
 * faults at its first use (under the debug modes) instead of finding a
 * new object at the same address. */
bool tgc_nursery_resize(tgc_nursery *n, size_t size, const char *reason)
{
    char *start = tgc_sys_map(mapping_for(size));
    if (start == NULL)
        return false;
    tgc_nursery_free_mapping(n);
    install(n, start, size, reason);
    n->resizes++;
    if (size > n->peak_size)
        n->peak_size = size;
    return true;
}

void tgc_nursery_free_mapping(tgc_nursery *n)
{
    unpoison(n->start, n->mapping);
    tgc_sys_unmap(n->start, n->mapping);
    n->start = NULL;
}

/* Two debug modes keep freed space out of use for a while, so that a
 * stale pointer into it finds poison (the '#' fill, or AddressSanitizer's)
 * rather than a new object:
 *   - in the tiny-nursery mode only `debug_tiny` bytes are handed out per
 *     fill, and each fill starts where the last one ended (under
 *     TYPEGC_TORTURE, on fresh pages: torture.c);
 *   - with PYPY_GC_NURSERY_DEBUG the two halves of the nursery are filled
 *     in turn (each holds the largest nursery object). */
void tgc_nursery_reset(tgc_nursery *n)
{
    char *end = n->start + n->size;
    char *half = n->start + n->size / 2;
    char *used_end = n->top;
    bool tiny = n->debug_tiny >= 0 && (size_t)n->debug_tiny < n->size;
    if (n->debug_fill)
        memset(n->fill_start, '#', (size_t)(n->free - n->fill_start));
    poison(n->start, n->size);
    n->free = n->start;
    n->top = end;
    if (tiny && n->torture) {
        n->free = tgc_torture_next_fill(n, n->fill_start, used_end, (size_t)n->debug_tiny);
        n->top = n->free + n->debug_tiny;
    } else if (tiny) {
        if (used_end > n->start && used_end + n->debug_tiny + TGC_NONLARGE_MAX < end)
            n->free = used_end;
        n->top = n->free + n->debug_tiny;
    } else if (n->debug_fill) {
        bool first_half_next = n->fill_start != n->start;
        n->free = first_half_next ? n->start : half;
        n->top = first_half_next ? half : end;
    }
    n->fill_start = n->free;
    unpoison(n->free, (size_t)(n->top - n->free));
}

void tgc_nursery_make_room(tgc_nursery *n, size_t size)
{
    if ((size_t)(n->top - n->free) < size) {
        n->top = n->free + size;
        unpoison(n->free, size);
    }
}
