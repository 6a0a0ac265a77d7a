/* nursery.c -- the young generation: its memory, the cursor that user code
 * bumps, and the slow path that runs a minor collection when it is full. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "gc.h"
#include "log.h"
#include "sysmem.h"

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

/* Returns -1, after saying so, if the system refuses the memory. */
int tgc_nursery_allocate(size_t size)
{
    tgc_gc *gc = &tgc_state;
    size_t mapping = (size + TGC_NONLARGE_MAX + 1 + TGC_OS_PAGE - 1) & ~(size_t)(TGC_OS_PAGE - 1);
    char *start = tgc_sys_map(mapping);
    if (start == NULL) {
        fprintf(stderr, "typegc: out of memory: cannot map a nursery of %zu bytes\n", size);
        return -1;
    }
    gc->nursery = start;
    gc->nursery_size = size;
    gc->nursery_mapping = mapping;
    gc->nursery_fill_start = gc->nursery_free = gc->nursery_top = start;
    tgc_nursery_reset();

    tgc_log_start("gc-set-nursery-size");
    tgc_log_print("nursery size: %zu", size);
    tgc_log_stop("gc-set-nursery-size");
    return 0;
}

void tgc_nursery_free_mapping(void)
{
    unpoison(tgc_state.nursery, tgc_state.nursery_mapping);
    tgc_sys_unmap(tgc_state.nursery, tgc_state.nursery_mapping);
    tgc_state.nursery = NULL;
}

/* After a minor collection the nursery is free again.  Two debug modes
 * keep freed space out of use for a while, so that a stale pointer into it
 * finds poison (the '#' fill, or AddressSanitizer's) rather than a new
 * object:
 *   - in the tiny-nursery mode only `debug_tiny_nursery` bytes are handed
 *     out per fill, and each fill starts where the last one ended;
 *   - with PYPY_GC_NURSERY_DEBUG the two halves of the nursery are filled
 *     in turn (each holds the largest nursery object). */
void tgc_nursery_reset(void)
{
    tgc_gc *gc = &tgc_state;
    char *end = gc->nursery + gc->nursery_size;
    char *half = gc->nursery + gc->nursery_size / 2;
    char *used_end = gc->nursery_top;
    bool tiny = gc->debug_tiny_nursery >= 0 && (size_t)gc->debug_tiny_nursery < gc->nursery_size;
    if (gc->config.nursery_debug)
        memset(gc->nursery_fill_start, '#', (size_t)(gc->nursery_free - gc->nursery_fill_start));
    poison(gc->nursery, gc->nursery_size);
    gc->nursery_free = gc->nursery;
    gc->nursery_top = end;
    if (tiny && gc->config.torture > 0) {
        gc->nursery_free = tgc_torture_next_fill(gc->nursery_fill_start, used_end,
                                                 (size_t)gc->debug_tiny_nursery);
        gc->nursery_top = gc->nursery_free + gc->debug_tiny_nursery;
    } else if (tiny) {
        if (used_end > gc->nursery && used_end + gc->debug_tiny_nursery + TGC_NONLARGE_MAX < end)
            gc->nursery_free = used_end;
        gc->nursery_top = gc->nursery_free + gc->debug_tiny_nursery;
    } else if (gc->config.nursery_debug) {
        bool first_half_next = gc->nursery_fill_start != gc->nursery;
        gc->nursery_free = first_half_next ? gc->nursery : half;
        gc->nursery_top = first_half_next ? half : end;
    }
    gc->nursery_fill_start = gc->nursery_free;
    unpoison(gc->nursery_free, (size_t)(gc->nursery_top - gc->nursery_free));
}

char *tgc_expected_free;

/* A cursor that is not the one last handed out would allocate over live
 * objects: stop at once, saying which mistake it most likely is. */
void tgc_check_cursor(const tgc_cursor_state *c, const char *who)
{
    const tgc_gc *gc = &tgc_state;
    if (!gc->cursor_open)
        tgc_fatal("%s: no cursor is open (call tgc_cursor_open() first, and do not "
                  "use a cursor after tgc_cursor_close())", who);
    if (c->epoch != gc->cursor_epoch)
        tgc_fatal("%s: stale cursor (epoch %lu, current %lu): a copy of the cursor "
                  "state was used after the runtime replaced it", who,
                  (unsigned long)c->epoch, (unsigned long)gc->cursor_epoch);
    if (c->top != gc->nursery_top || c->free < gc->nursery || c->free > c->top)
        tgc_fatal("%s: corrupted cursor (free %p, top %p; nursery %p..%p)", who,
                  (void *)c->free, (void *)c->top, (void *)gc->nursery,
                  (void *)gc->nursery_top);
}

void tgc_cursor_mismatch(const tgc_cursor_state *c)
{
    if (!tgc_state.cursor_open)
        tgc_check_cursor(c, "allocation");      /* says that none is open */
    tgc_fatal("allocation: stale cursor (free %p, but the last allocation left %p): a "
              "copy of the cursor state, or a cursor used after tgc_cursor_close()",
              (void *)c->free, (void *)tgc_expected_free);
}

tgc_cursor_state tgc_cursor_fresh(void)
{
    tgc_gc *gc = &tgc_state;
    gc->cursor_epoch++;
    tgc_expected_free = gc->nursery_free;
    return (tgc_cursor_state){ gc->nursery_free, gc->nursery_top, gc->cursor_epoch };
}

tgc_cursor_state tgc_cursor_open_state(void)
{
    if (tgc_state.cursor_open)
        tgc_fatal("tgc_cursor_open: the cursor is already open; pass the open "
                  "cursor down instead");
    if (tgc_state.nursery == NULL)
        tgc_fatal("tgc_cursor_open: tgc_init() has not run");
    tgc_state.cursor_open = true;
    return tgc_cursor_fresh();
}

void tgc_cursor_close_state(tgc_cursor_state cursor)
{
    tgc_check_cursor(&cursor, "tgc_cursor_close");
    tgc_state.nursery_free = cursor.free;
    tgc_state.cursor_open = false;
    tgc_state.cursor_epoch++;
    tgc_expected_free = NULL;
}

/* Makes the nursery's state the cursor's, before the collector runs. */
void tgc_publish_cursor(const tgc_cursor_state *cursor, const char *who)
{
    tgc_check_cursor(cursor, who);
    tgc_state.nursery_free = cursor->free;
}

/* After the collector ran on the program's behalf: the safe point (hooks,
 * a memory error), then a fresh cursor. */
tgc_cursor_state tgc_cursor_after_collection(void)
{
    tgc_at_safe_point();
    return tgc_cursor_fresh();
}

tgc_cursor_state tgc_refill(tgc_cursor_state cursor, size_t size)
{
    tgc_publish_cursor(&cursor, "allocation");
    if (size > TGC_LARGE_OBJECT)
        tgc_fatal("tgc_refill: %zu bytes do not fit in the nursery", size);
    tgc_gc *gc = &tgc_state;
    tgc_minor_collection_with_major_progress(0, false);
    if (gc->config.torture > 0)
        tgc_torture_after_slow_path();
    /* The tiny-nursery mode may hand out less than one object. */
    if ((size_t)(gc->nursery_top - gc->nursery_free) < size) {
        gc->nursery_top = gc->nursery_free + size;
        unpoison(gc->nursery_free, size);
    }
    return tgc_cursor_after_collection();
}

tgc_cursor_state tgc_collect_minor_state(tgc_cursor_state cursor)
{
    tgc_publish_cursor(&cursor, "tgc_collect_minor");
    tgc_minor_collection();
    return tgc_cursor_after_collection();
}
