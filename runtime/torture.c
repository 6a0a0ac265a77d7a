/* torture.c -- TYPEGC_TORTURE=N, the setting under which a missing root or
 * a skipped write barrier shows itself within a few allocations:
 *
 *   - every allocation takes the slow path and runs a minor collection
 *     (the tiny nursery of PYPY_GC_NURSERY=1), and every Nth slow path a
 *     full major collection as well (collect.c counts them);
 *   - each fill of the nursery starts on a fresh page, and the pages of the
 *     previous fill are made inaccessible, so that any use of a pointer kept
 *     across an allocation without being saved faults at once; the fault is
 *     reported as what it is;
 *   - PYPY_GC_NURSERY_DEBUG is on.
 *
 * The pages come back when the fills reach the end of the nursery, which is
 * TGC_TORTURE_NURSERY_SIZE so that this happens only every few thousand
 * allocations. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "object.h"
#include "torture.h"

static struct sigaction previous_segv_action;
static const tgc_nursery *watched;      /* the nursery whose faults are ours */

static char *page_floor(char *p)
{
    return (char *)((uintptr_t)p & ~(uintptr_t)(TGC_OS_PAGE - 1));
}

static char *page_ceil(char *p)
{
    return page_floor(p + TGC_OS_PAGE - 1);
}

/* Says what a fault in the protected nursery means, then stops; any other
 * fault goes to the handler that was there before. */
static void on_segv(int signal, siginfo_t *info, void *context)
{
    (void)context;
    char *address = info->si_addr;
    if (address >= watched->start && address < watched->start + watched->mapping) {
        char message[400];
        int n = snprintf(message, sizeof message,
                         "typegc: fatal error: TYPEGC_TORTURE: access to %p, in nursery "
                         "space that an earlier minor collection emptied: a GC pointer was "
                         "kept across an allocation or a collection without being saved "
                         "(a missing root: pass it to TGC_NEW, TGC_SAVE/TGC_RESTORE it, or "
                         "register its slot)\n", (void *)address);
        if (n > 0)
            (void)!write(STDERR_FILENO, message, (size_t)n < sizeof message ? (size_t)n
                                                                           : sizeof message - 1);
        abort();
    }
    sigaction(signal, &previous_segv_action, NULL);
}

void tgc_torture_init(const tgc_nursery *n)
{
    watched = n;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv_action);
}

/* Makes the pages of [first, next) inaccessible, and gives their memory
 * back, but those that hold a pinned object: it stays, contents and all. */
static void protect_around_pinned(const tgc_nursery *n, char *first, char *next)
{
    for (size_t i = 0; i < n->pinned.length && first < next; i++) {
        char *object = n->pinned.items[i];
        char *object_first = page_floor(object);
        char *object_next = page_ceil(object + tgc_object_size(object));
        if (object_next <= first)
            continue;
        if (object_first >= next)
            break;
        if (object_first > first) {
            madvise(first, (size_t)(object_first - first), MADV_DONTNEED);
            mprotect(first, (size_t)(object_first - first), PROT_NONE);
        }
        first = object_next;
    }
    if (next > first) {
        madvise(first, (size_t)(next - first), MADV_DONTNEED);
        mprotect(first, (size_t)(next - first), PROT_NONE);
    }
}

/* Called by tgc_nursery_reset() with the fill just collected: returns where
 * the next fill starts, after those pages, which become inaccessible (and
 * give their memory back), but those of the pinned objects it keeps; at
 * the end of the nursery all pages come back and the fills start again
 * from its beginning. */
char *tgc_torture_next_fill(const tgc_nursery *n, char *fill_start, char *fill_end,
                            size_t fill_size)
{
    if (fill_end <= fill_start)         /* nothing allocated: no stale pages */
        return fill_start;
    char *first = page_floor(fill_start), *next = page_ceil(fill_end);
    if (next + fill_size + TGC_NONLARGE_MAX < n->start + n->size) {
        protect_around_pinned(n, first, next);
        return next;
    }
    mprotect(n->start, n->size, PROT_READ | PROT_WRITE);
    return n->start;
}
