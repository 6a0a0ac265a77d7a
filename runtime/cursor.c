/* cursor.c -- the cursor user code bumps through the nursery: handing it
 * out and taking it back, and checking that a cursor given to the runtime
 * is the one it handed out last.  With TYPEGC_PROFILE the `top` handed out
 * stops at the next sample point (profile.h), below the nursery's. */
#include "gc.h"
#include "profile.h"

char *tgc_expected_free;

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

tgc_cursor_words tgc_cursor_fresh(tgc_nursery *n)
{
    n->cursor_epoch++;
    tgc_expected_free = n->free;
    size_t room = (size_t)(n->top - n->free);
    size_t to_sample = tgc_profile_bytes_to_sample();
    n->cursor_start = n->free;
    n->cursor_top = to_sample < room ? n->free + to_sample : n->top;
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
    return tgc_cursor_fresh(n);
}

void tgc_cursor_close_value(tgc_cursor_words cursor)
{
    tgc_nursery *n = &tgc_gc.nursery;
    tgc_cursor_publish(n, &cursor, "tgc_cursor_close");
    n->cursor_open = false;
    n->cursor_epoch++;
    tgc_expected_free = NULL;
}
