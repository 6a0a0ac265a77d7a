/* nursery.c -- the young generation's memory: mapping it, and emptying it
 * after a minor collection, with the debug modes that keep freed space out
 * of use for a while. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "object.h"
#include "nursery.h"
#include "poison.h"
#include "sysmem.h"
#include "torture.h"
#include "util.h"

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
    tgc_nursery_reset(n, NULL, 0);

    tgc_log_start("gc-set-nursery-size");
    tgc_log_print("nursery size: %zu", size);
    if (reason != NULL)
        tgc_log_print("reason: %s", reason);
    tgc_log_stop("gc-set-nursery-size");
}

int tgc_nursery_allocate(tgc_nursery *n, size_t size)
{
    char *start = tgc_sys_map_huge(mapping_for(size));
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
    char *start = tgc_sys_map_huge(mapping_for(size));
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

/* ---- Pinned objects -------------------------------------------------------- */

static char *pinned_end(void *object)
{
    return (char *)object + tgc_object_size(object);
}

/* Enters the gap at or after `from`: `free` becomes the first address
 * there that no pinned object holds, `top` the next pinned object or
 * `limit`, whichever is lower (`free` if the gap is empty).  Pinned
 * objects below next_pinned are behind the cursor already. */
static void enter_gap(tgc_nursery *n, char *from, char *limit)
{
    size_t i = n->next_pinned;
    for (; i < n->pinned.length && (char *)n->pinned.items[i] <= from; i++) {
        char *end = pinned_end(n->pinned.items[i]);
        if (end > from)
            from = end;
    }
    n->next_pinned = i;
    char *top = i < n->pinned.length ? (char *)n->pinned.items[i] : limit;
    if (top > limit)
        top = limit;
    n->free = from;
    n->top = top > from ? top : from;
}

/* PYPY_GC_NURSERY_DEBUG's '#' over [from, to), but the pinned objects. */
static void fill_around_pinned(const tgc_nursery *n, char *from, char *to)
{
    unpoison(from, (size_t)(to - from));
    for (size_t i = 0; i < n->pinned.length && from < to; i++) {
        char *object = n->pinned.items[i], *end = pinned_end(object);
        if (end <= from)
            continue;
        if (object >= to)
            break;
        if (object > from)
            memset(from, '#', (size_t)(object - from));
        from = end;
    }
    if (from < to)
        memset(from, '#', (size_t)(to - from));
}

bool tgc_nursery_next_gap(tgc_nursery *n, size_t size)
{
    while (n->top < n->fill_end && n->next_pinned < n->pinned.length &&
           (char *)n->pinned.items[n->next_pinned] == n->top) {
        enter_gap(n, n->top, n->fill_end);
        if (tgc_nursery_has_room(n, size)) {
            unpoison(n->free, (size_t)(n->top - n->free));
            return true;
        }
    }
    return false;
}

/* ---- Emptying the nursery ---------------------------------------------------- */

/* Two debug modes keep freed space out of use for a while, so that a
 * stale pointer into it finds poison (the '#' fill, or AddressSanitizer's)
 * rather than a new object:
 *   - in the tiny-nursery mode only `debug_tiny` bytes are handed out per
 *     fill, and each fill starts where the last one ended (under
 *     TYPEGC_TORTURE, on fresh pages: torture.c);
 *   - with PYPY_GC_NURSERY_DEBUG the two halves of the nursery are filled
 *     in turn (each holds the largest nursery object).
 * Either way the fill goes around the pinned objects, which keep their
 * memory and contents. */
void tgc_nursery_reset(tgc_nursery *n, void *const *pinned, size_t n_pinned)
{
    char *end = n->start + n->size;
    char *half = n->start + n->size / 2;
    char *used_end = n->top;
    bool tiny = n->debug_tiny >= 0 && (size_t)n->debug_tiny < n->size;
    n->pinned.length = 0;
    for (size_t i = 0; i < n_pinned; i++)
        tgc_addrstack_push(&n->pinned, pinned[i]);
    n->next_pinned = 0;
    if (n->debug_fill)
        fill_around_pinned(n, n->fill_start, n->free);
    char *unused = n->start;            /* poisoned but the pinned objects */
    for (size_t i = 0; i < n_pinned; i++) {
        poison(unused, (size_t)((char *)pinned[i] - unused));
        unused = pinned_end(pinned[i]);
    }
    poison(unused, (size_t)(end - unused));
    char *from = n->start, *limit = end;
    if (tiny && n->torture) {
        from = tgc_torture_next_fill(n, n->fill_start, used_end, (size_t)n->debug_tiny);
        limit = from + n->debug_tiny;
    } else if (tiny) {
        if (used_end > n->start && used_end + n->debug_tiny + TGC_NONLARGE_MAX < end)
            from = used_end;
        limit = from + n->debug_tiny;
    } else if (n->debug_fill) {
        bool first_half_next = n->fill_start != n->start;
        from = first_half_next ? n->start : half;
        limit = first_half_next ? half : end;
    }
    n->fill_start = from;
    n->fill_end = limit;
    enter_gap(n, from, limit);
    unpoison(n->free, (size_t)(n->top - n->free));
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

bool tgc_nursery_gap_remains(const tgc_nursery *n, void *const *pinned, size_t n_pinned,
                             size_t size)
{
    /* n_pinned objects cut the nursery into n_pinned + 1 gaps: if what
     * they leave free is that many times `size`, one gap is that large,
     * without sorting (every nursery but the smallest, at PyPy's default
     * PYPY_GC_MAX_PINNED: tgc_pin is on the path of every pinned call) */
    size_t pinned_bytes = 0;
    for (size_t i = 0; i < n_pinned; i++)
        pinned_bytes += (size_t)(pinned_end(pinned[i]) - (char *)pinned[i]);
    if (pinned_bytes <= n->size && (n->size - pinned_bytes) / (n_pinned + 1) >= size)
        return true;
    /* a scratch copy to sort (PYPY_GC_MAX_PINNED may be large); without
     * one, say no: the caller refuses the pin */
    void **sorted = malloc((n_pinned > 0 ? n_pinned : 1) * sizeof *sorted);
    if (sorted == NULL)
        return false;
    memcpy(sorted, pinned, n_pinned * sizeof *pinned);
    qsort(sorted, n_pinned, sizeof *sorted, compare_addresses);
    char *from = n->start, *end = n->start + n->size;
    bool found = false;
    for (size_t i = 0; i < n_pinned && !found; i++) {
        char *object = sorted[i];
        if (object >= from && (size_t)(object - from) >= size)
            found = true;
        else if (pinned_end(object) > from)
            from = pinned_end(object);
    }
    free(sorted);
    return found || (from <= end && (size_t)(end - from) >= size);
}

/* The fill has no room for `size` bytes: the first gap with room, from the
 * cursor on, then from the nursery's start.  The tiny modes hand out the
 * object's bytes at least; the others the whole gap. */
void tgc_nursery_make_room(tgc_nursery *n, size_t size)
{
    if (tgc_nursery_has_room(n, size))
        return;
    char *end = n->start + n->size;
    char *from = n->free;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            from = n->fill_start = n->start;
            n->next_pinned = 0;
        }
        for (;;) {
            enter_gap(n, from, end);
            if (tgc_nursery_has_room(n, size)) {
                char *limit = n->free + size > n->fill_end ? n->free + size : n->fill_end;
                if (n->top > limit)
                    n->top = limit;
                n->fill_end = n->top;
                unpoison(n->free, (size_t)(n->top - n->free));
                return;
            }
            if (n->top >= end)
                break;
            from = n->top;
        }
    }
    tgc_fatal("no room for %zu bytes in the nursery between its %zu pinned objects "
              "(PYPY_GC_MAX_PINNED is too high for a nursery of %zu bytes)", size,
              n->pinned.length, n->size);
}
