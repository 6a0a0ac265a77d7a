/* cursor.c -- the cursor user code bumps through the nursery: handing it
 * out and taking it back, and checking that a cursor given to the runtime
 * is the one it handed out last.  The `top` handed out may stop below the
 * nursery's: at TYPEGC_PROFILE's next sample point (profile.h), and in a
 * nursery larger than the cache-sized default, at the end of the chunk
 * prefetched for the program (below). */
#include "gc.h"
#include "profile.h"

char *tgc_expected_free;

/* Prefetching the nursery for the program.  In a nursery larger than the
 * caches, the first write to each new line waits for the line to come from
 * memory, and the program's other stores queue behind it: the allocation
 * is where a program that builds data spends its time.  Such a nursery
 * is handed out a chunk at a time, and the slow path that moves the cursor
 * on to the next chunk prefetches the one after it for writing, so that its
 * lines arrive while the program fills this one.  The nursery of a program
 * that keeps nothing shrinks to the cache-sized default, whose cursor
 * runs to its end: no slow path per chunk (runtime/DESIGN.md, "Prefetching
 * the nursery"). */
enum {
    PREFETCH_CHUNK = 1024,
    PREFETCH_LINE = 64,
};

static bool prefetches(const tgc_nursery *n)
{
    return n->size > TGC_DEFAULT_NURSERY_SIZE;
}

/* The top of a cursor starting at n->free: no further than `top`, at least
 * `needed` bytes on if the nursery has them. */
static char *chunk_top(const tgc_nursery *n, char *top, size_t needed)
{
    size_t chunk = needed > PREFETCH_CHUNK ? needed : PREFETCH_CHUNK;
    if (chunk >= (size_t)(top - n->free))
        return top;
    char *chunk_end = n->free + chunk;
    /* past `top` too: a prefetch never faults, and the next fill is there */
    for (size_t offset = 0; offset < PREFETCH_CHUNK; offset += PREFETCH_LINE)
        __builtin_prefetch(chunk_end + offset, 1, 3);
    return chunk_end;
}

/* A cursor that is not the one last handed out would allocate over live
 * objects: stop at once, saying which mistake it most likely is. */
void tgc_cursor_check(const tgc_nursery *n, const tgc_cursor_words *c, const char *who)
{
    if (!n->cursor_open)
        tgc_fatal("%s: no cursor is open (call tgc_cursor_open() first, and do not "
                  "use a cursor after tgc_cursor_close())", who);
    if (c->epoch != n->cursor_epoch)
        tgc_fatal("%s: stale cursor (epoch %lu, current %lu): a copy of the cursor "
                  "was used after the runtime replaced it", who,
                  (unsigned long)c->epoch, (unsigned long)n->cursor_epoch);
    if (c->top != n->cursor_top || c->free < n->cursor_start || c->free > c->top)
        tgc_fatal("%s: corrupted cursor (free %p, top %p; nursery %p..%p)", who,
                  (void *)c->free, (void *)c->top, (void *)n->start, (void *)n->cursor_top);
}

void tgc_cursor_publish(tgc_nursery *n, const tgc_cursor_words *cursor, const char *who)
{
    tgc_cursor_check(n, cursor, who);
    tgc_profile_count((size_t)(cursor->free - n->cursor_start));
    n->free = n->cursor_start = cursor->free;
}

tgc_cursor_words tgc_cursor_fresh(tgc_nursery *n, size_t needed)
{
    n->cursor_epoch++;
    tgc_expected_free = n->free;
    size_t room = (size_t)(n->top - n->free);
    size_t to_sample = tgc_profile_bytes_to_sample();
    if (to_sample < needed)
        to_sample = needed;
    char *top = to_sample < room ? n->free + to_sample : n->top;
    if (prefetches(n))
        top = chunk_top(n, top, needed);
    n->cursor_start = n->free;
    n->cursor_top = top;
    return (tgc_cursor_words){ n->free, n->cursor_top, n->cursor_epoch };
}

/* ---- The public calls ---------------------------------------------------- */

void tgc_cursor_mismatch(char *const *cursor)
{
    const tgc_nursery *n = &tgc_gc.nursery;
    tgc_cursor_words c = tgc__cursor_get(cursor);
    tgc_destructors_forbid("an allocation");
    if (!n->cursor_open)
        tgc_cursor_check(n, &c, "allocation");     /* says that none is open */
    tgc_fatal("allocation: stale cursor (free %p, but the last allocation left %p): a "
              "copy of the cursor, or a cursor used after tgc_cursor_close()",
              (void *)c.free, (void *)tgc_expected_free);
}

tgc_cursor_words tgc_cursor_open_value(void)
{
    tgc_nursery *n = &tgc_gc.nursery;
    tgc_destructors_forbid("tgc_cursor_open");
    tgc_finalizers_forbid("tgc_cursor_open");
    if (n->cursor_open)
        tgc_fatal("tgc_cursor_open: the cursor is already open; pass the open "
                  "cursor down instead");
    if (n->start == NULL)
        tgc_fatal("tgc_cursor_open: tgc_init() has not run");
    n->cursor_open = true;
    return tgc_cursor_fresh(n, 0);
}

void tgc_cursor_close_value(tgc_cursor_words cursor)
{
    tgc_nursery *n = &tgc_gc.nursery;
    tgc_cursor_publish(n, &cursor, "tgc_cursor_close");
    n->cursor_open = false;
    n->cursor_epoch++;
    tgc_expected_free = NULL;
}
