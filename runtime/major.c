/* major.c -- the incremental major collector: mark and sweep of the old
 * generation, one bounded step after a minor collection.
 *
 * Colours, as in a tri-colour marker:
 *   white  an old object without VISITED: not reached yet (freed by the
 *          sweep if it stays white);
 *   gray   GRAY (typegc's flag): on objects_to_trace or
 *          more_objects_to_trace, once: reached, its fields not traced yet;
 *   black  VISITED: reached and traced.
 * The invariant between steps: no black object points to a white one,
 * unless the black object was recorded by the write barrier since it was
 * traced.  It holds because marking sets TRACK_YOUNG_PTRS on every black
 * object, so the first store into it afterwards goes through the barrier
 * and lands it on old_objects_pointing_to_young; the next minor collection
 * (which runs before every step) turns those back to gray.  Objects that
 * minor collections reach from the roots are grayed too, so the roots need
 * no rescan at the end of marking.  Objects promoted during marking are
 * white, and reachable ones are found through the above.
 *
 * A cycle: SCANNING (roots, one step) -> MARKING (steps until no gray is
 * left) -> SWEEPING (raw objects, then arena pages, a bounded amount per
 * step; objects allocated meanwhile are not swept) -> FINALIZING -> back
 * to SCANNING.
 */
#include <limits.h>
#include <math.h>

#include "object.h"
#include "log.h"
#include "sysmem.h"

static const char *const state_names[] = { "SCANNING", "MARKING", "SWEEPING", "FINALIZING" };

const char *tgc_gc_state_name(tgc_gc_state state)
{
    return (unsigned)state < 4 ? state_names[state] : "(invalid)";
}

/* ---- Heap size targets -------------------------------------------------- */

static size_t old_bytes_used(void)
{
    return tgc_state.arenas.total_memory_used + tgc_state.rawmalloced_total_size;
}

bool tgc_threshold_reached(size_t extra)
{
    return tgc_state.next_major_collection_threshold - (double)old_bytes_used() < (double)extra;
}

/* The threshold of the next cycle, from what survived this one; true if
 * PYPY_GC_MAX capped it (PyPy's set_major_threshold_from). */
static bool set_major_threshold_from(double threshold, size_t reserving_size)
{
    tgc_gc *gc = &tgc_state;
    double threshold_max = gc->next_major_collection_initial * gc->growth_rate_max;
    if (threshold > threshold_max)
        threshold = threshold_max;
    threshold += (double)reserving_size;
    if (threshold < gc->min_heap_size)
        threshold = gc->min_heap_size;
    bool bounded = false;
    if (gc->config.max_heap > 0 && threshold > (double)gc->config.max_heap) {
        threshold = (double)gc->config.max_heap;
        bounded = true;
    }
    gc->next_major_collection_initial = threshold;
    gc->next_major_collection_threshold = threshold;
    return bounded;
}

void tgc_major_init(void)
{
    tgc_gc *gc = &tgc_state;
    const tgc_config *config = &gc->config;
    double nursery = (double)gc->nursery_size;
    gc->enabled = true;
    gc->gc_state = TGC_STATE_SCANNING;
    gc->major_collection_threshold = config->major_collect > 1.0 ? config->major_collect : 1.82;
    gc->growth_rate_max = config->growth > 1.0 ? config->growth : 1.4;
    gc->max_delta = (double)config->max_delta;
    gc->increment_step = config->increment_step ? config->increment_step : 4 * gc->nursery_size;
    double min_heap = config->min_heap ? (double)config->min_heap : 8 * nursery;
    gc->min_heap_size = fmax(min_heap, gc->major_collection_threshold * nursery);
    gc->next_major_collection_initial = gc->min_heap_size;
    gc->next_major_collection_threshold = gc->min_heap_size;
    set_major_threshold_from(0.0, 0);
}

/* ---- Marking -------------------------------------------------------------- */

/* White to gray: at most once per object and cycle.  Inlined into the
 * marking loop, which calls it for every edge. */
static inline void push_gray(void *object, tgc_addrstack *stack)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & (TGC_FLAG_VISITED | TGC_FLAG_GRAY))
        return;
    hdr->flags |= TGC_FLAG_GRAY;
    tgc_addrstack_push(stack, object);
}

void tgc_push_gray(void *object, tgc_addrstack *stack)
{
    push_gray(object, stack);
}

static void push_gray_slot(void **slot, void *stack)
{
    push_gray(*slot, stack);
}

/* Marking chases pointers through a heap larger than the caches: reading a
 * child's header to gray it is a cache miss, one after another.  So the
 * children a visit finds go first through a small ring: each is prefetched
 * when it enters and grayed when it leaves, EDGE_RING children later, by
 * which time its header has arrived.  The ring is emptied before a step
 * returns, so between steps every child found is gray or black. */
enum { EDGE_RING = 8 };

typedef struct edge_ring {
    void *objects[EDGE_RING];
    unsigned count, next;       /* entries in use; the slot to fill next */
} edge_ring;

static void push_gray_later(void **slot, void *ring_arg)
{
    edge_ring *ring = ring_arg;
    void *object = *slot;
    __builtin_prefetch(object, 1);
    void **entry = &ring->objects[ring->next];
    ring->next = (ring->next + 1) % EDGE_RING;
    if (ring->count == EDGE_RING)
        push_gray(*entry, &tgc_state.objects_to_trace);
    else
        ring->count++;
    *entry = object;
}

static void flush_edges(edge_ring *ring)
{
    for (; ring->count > 0; ring->count--)
        push_gray(ring->objects[(ring->next + EDGE_RING - ring->count) % EDGE_RING],
                  &tgc_state.objects_to_trace);
}

/* Blackens one object; returns the bytes it accounts for (0 if it was
 * black already). */
static size_t visit(void *object, edge_ring *ring)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_VISITED)
        return 0;
    hdr->flags = (hdr->flags & ~TGC_FLAG_GRAY) | TGC_FLAG_VISITED | TGC_FLAG_TRACK_YOUNG_PTRS;
    tgc_trace_object(object, push_gray_later, ring);
    return tgc_object_size(object);
}

/* The clock is read once per this many visits when a step has a deadline.
 * A visit takes about 10 ns in most steps, and in slow minutes on a shared
 * machine up to 15 us (bench/pauses: steps that stopped every 128 visits
 * still took 1.2-2.6 ms against a limit of 0.5).  A reading costs about
 * 28 ns: under a tenth of the marking time, for at most ~0.5 ms over. */
enum { VISITS_PER_CLOCK_READ = 32 };

/* Traces gray objects until `budget` bytes are done; returns what is left
 * of the budget (PyPy's visit_all_objects_step).  With a `deadline`
 * (tgc_now_ns(); 0: none) it also stops once that has passed, and says so
 * in *out_of_time. */
static long long visit_objects_step(long long budget, uint64_t deadline, bool *out_of_time)
{
    tgc_addrstack *gray = &tgc_state.objects_to_trace;
    edge_ring ring = { .count = 0 };
    unsigned until_clock_read = VISITS_PER_CLOCK_READ;
    for (;;) {
        if (tgc_addrstack_empty(gray)) {
            if (ring.count == 0)
                return budget;
            flush_edges(&ring);
            continue;
        }
        budget -= (long long)visit(tgc_addrstack_pop(gray), &ring);
        if (budget < 0) {
            flush_edges(&ring);
            return 0;
        }
        if (deadline != 0 && --until_clock_read == 0) {
            until_clock_read = VISITS_PER_CLOCK_READ;
            if (tgc_deadline_passed(deadline)) {
                flush_edges(&ring);
                *out_of_time = true;
                return budget;
            }
        }
    }
}

static void visit_all_objects(void)
{
    bool out_of_time = false;
    visit_objects_step(LLONG_MAX, 0, &out_of_time);
}

/* Appends `from` to `to` and empties it. */
static void move_all(tgc_addrstack *from, tgc_addrstack *to)
{
    while (!tgc_addrstack_empty(from))
        tgc_addrstack_push(to, tgc_addrstack_pop(from));
}

static void collect_roots(void)
{
    tgc_walk_roots(push_gray_slot, &tgc_state.objects_to_trace);
}

/* ---- Sweeping ------------------------------------------------------------- */

static void start_sweeping(void)
{
    tgc_gc *gc = &tgc_state;
    tgc_arena_sweep_prepare(&gc->arenas);
    move_all(&gc->old_rawmalloced_objects, &gc->raw_malloc_might_sweep);
    gc->arenas_count_before = gc->arenas.arenas_count;
    gc->rawmalloc_bytes_before = gc->rawmalloced_total_size;
}

/* Freeing raw objects looks at the clock this often when a step has a
 * deadline. */
enum { RAW_OBJECTS_PER_CLOCK_READ = 64 };

/* Looks at up to `limit` raw objects, or fewer once `deadline` (0: none)
 * has passed; returns how many it looked at. */
static size_t sweep_raw_objects(size_t limit, uint64_t deadline)
{
    tgc_gc *gc = &tgc_state;
    size_t done = 0;
    while (done < limit && !tgc_addrstack_empty(&gc->raw_malloc_might_sweep)) {
        if (done > 0 && done % RAW_OBJECTS_PER_CLOCK_READ == 0 && tgc_deadline_passed(deadline))
            break;
        void *object = tgc_addrstack_pop(&gc->raw_malloc_might_sweep);
        if (tgc_sweep_frees(object))
            tgc_raw_free(object);
        else
            tgc_addrstack_push(&gc->old_rawmalloced_objects, object);
        done++;
    }
    return done;
}

/* The end of a cycle: the next threshold, the log, the hook, the limit. */
static void finish_cycle(void)
{
    tgc_gc *gc = &tgc_state;
    gc->num_major_collects++;
    gc->promoted_during_last_cycle = gc->size_objects_made_old;
    double used = (double)old_bytes_used();
    bool bounded = set_major_threshold_from(
        fmin(used * gc->major_collection_threshold, used + gc->max_delta), 0);

    tgc_log_start("gc-collect-done");
    tgc_log_print("arenas:                %zu  =>  %zu", gc->arenas_count_before,
                  gc->arenas.arenas_count);
    tgc_log_print("bytes used in arenas:  %zu", gc->arenas.total_memory_used);
    tgc_log_print("bytes raw-malloced:    %zu  =>  %zu", gc->rawmalloc_bytes_before,
                  gc->rawmalloced_total_size);
    tgc_log_print("next major collection threshold:  %f", gc->next_major_collection_threshold);
    tgc_log_stop("gc-collect-done");
    tgc_hooks_collect_done();

    /* Memory has been freed: the emergency reserve, if it was spent, can be
     * taken again (sysmem.c). */
    if (tgc_sys_reserve_spent())
        tgc_sys_take_reserve(gc->reserve_size);

    /* PYPY_GC_MAX: the heap did not fit under the limit even after a full
     * collection.  The first time, report it at the next safe point; the
     * second time, give up. */
    if (bounded && tgc_threshold_reached(0)) {
        if (gc->max_heap_size_already_raised)
            tgc_fatal("using too much memory, aborting (PYPY_GC_MAX=%zu, in use %zu)",
                      gc->config.max_heap, old_bytes_used());
        gc->max_heap_size_already_raised = true;
        gc->memory_error_pending = true;
    }
}

/* Empty arenas are kept for the promotion expected before the next cycle
 * ends: the threshold's headroom, and what the last cycle promoted while it
 * ran.  Mapping an arena costs up to milliseconds here (the kernel zeroes
 * and maps 128 pages), too much for one minor collection, and an arena
 * unmapped now would be mapped again within the cycle.  The rest are
 * unmapped, a few per step so that no step pays for thousands of munmap
 * calls: resident memory falls over the following steps, and at once in
 * tgc_collect().  Not while SWEEPING: the threshold is the last cycle's
 * and the bytes in use still count the garbage not swept yet, so the
 * headroom would be underestimated and arenas unmapped that the next
 * cycle maps again (binary-trees 21: 979 arenas mapped in all, against
 * 1037 when released during the sweep too). */
enum { ARENAS_RELEASED_PER_STEP = 8 };

static void release_empty_arenas(size_t max)
{
    tgc_gc *gc = &tgc_state;
    if (gc->gc_state == TGC_STATE_SWEEPING)
        return;
    double headroom = gc->next_major_collection_threshold - (double)old_bytes_used() +
                      (double)gc->promoted_during_last_cycle;
    size_t keep = headroom > 0 ? (size_t)(headroom / TGC_ARENA_SIZE) : 0;
    tgc_arena_release_empty(&gc->arenas, keep, max, true);
}

/* ---- The steps ------------------------------------------------------------ */

/* TYPEGC_STEP_MAX_US: when a marking or sweeping step must stop, whatever
 * is left of its budget (tgc_now_ns(); 0: no limit).  The same work takes
 * ten times longer in some minutes on a shared machine: bench/pauses with
 * the latency settings marked 16385 objects in 0.17 ms in most steps and
 * in 1.9 ms in a few, and swept 96 pages in 0.14 ms (the median) and in up
 * to 11 ms in a run of 25 steps, with no page fault and no other thread
 * on the processor (the host bringing back memory it had taken). */
static bool in_full_collection;

static uint64_t step_deadline(void)
{
    long max_us = tgc_state.config.step_max_us;
    /* A full collection is one pause however its steps are cut: cutting
     * them only adds steps (256 MiB live: 0.090 s against 0.085). */
    if (max_us <= 0 || in_full_collection)
        return 0;
    return tgc_now_ns() + (uint64_t)max_us * 1000;
}

static void step_scanning(void)
{
    tgc_gc *gc = &tgc_state;
    gc->size_objects_made_old = 0;
    gc->threshold_objects_made_old = gc->nursery_size / 2;
    gc->marking_steps = 0;
    collect_roots();
    gc->gc_state = TGC_STATE_MARKING;
}

static void step_marking(void)
{
    tgc_gc *gc = &tgc_state;
    tgc_log_print("number of objects to mark %zu plus %zu", gc->objects_to_trace.length,
                  gc->more_objects_to_trace.length);
    long long estimate = (long long)gc->increment_step;
    if ((long long)(2 * gc->nursery_surviving_size) > estimate)
        estimate = (long long)(2 * gc->nursery_surviving_size);
    uint64_t deadline = step_deadline();
    bool out_of_time = false;
    long long remaining = visit_objects_step(estimate, deadline, &out_of_time);
    /* Budget left over means the gray objects ran out: the ones minor
     * collections grayed meanwhile come next, with the rest of the budget.
     * PyPy traces those whole at once, which makes one long pause when
     * many roots changed; typegc does so only once marking has taken more
     * steps than the heap's size justifies, so that it still ends however
     * hard the program keeps storing into black objects. */
    if (remaining > 0 && !out_of_time && !tgc_addrstack_empty(&gc->more_objects_to_trace)) {
        move_all(&gc->more_objects_to_trace, &gc->objects_to_trace);
        remaining = visit_objects_step(remaining, deadline, &out_of_time);
    }
    /* Marking the old generation takes old/increment steps; allow eight
     * times that, plus some, before finishing in one go.  A step that ran
     * out of time counts for the part of its budget it did. */
    gc->marking_steps += out_of_time ? (double)(estimate - remaining) / (double)estimate : 1.0;
    if (gc->marking_steps > 16.0 + 8.0 * (double)old_bytes_used() / (double)gc->increment_step) {
        move_all(&gc->more_objects_to_trace, &gc->objects_to_trace);
        visit_all_objects();
    }
    if (!tgc_addrstack_empty(&gc->objects_to_trace) ||
        !tgc_addrstack_empty(&gc->more_objects_to_trace))
        return;
    /* Marking is complete.  The static roots are looked at once more (a
     * pointer may have been stored there since SCANNING), then sweeping
     * begins. */
    collect_roots();
    visit_all_objects();
    start_sweeping();
    gc->gc_state = TGC_STATE_SWEEPING;
}

/* A sweeping step walks the pages of this many nurseries; PyPy's walks 3.
 * Whatever minor collections promote while the sweep runs is not swept,
 * and counts as live when the next threshold is set (1.82 x what is in
 * use at the end): a sweep twice as fast leaves less of it.  binary-trees
 * 21: peak RSS 503 -> 442 MiB, time unchanged; bench/pauses 1024 with the
 * latency settings: 2054 -> 1784 MiB, p99 unchanged (0.5-0.85 ms). */
enum { SWEEP_NURSERIES_PER_STEP = 6 };

static void step_sweeping(void)
{
    tgc_gc *gc = &tgc_state;
    uint64_t deadline = step_deadline();
    if (!tgc_addrstack_empty(&gc->raw_malloc_might_sweep)) {
        size_t limit = 3 * gc->nursery_size / TGC_SMALL_REQUEST_THRESHOLD;
        size_t done = sweep_raw_objects(limit, deadline);
        tgc_log_print("freeing raw objects: %zu freed, limit was %zu", done, limit);
        return;
    }
    size_t max_pages = SWEEP_NURSERIES_PER_STEP * gc->nursery_size / TGC_PAGE_SIZE;
    bool done = tgc_arena_sweep_step(&gc->arenas, max_pages, deadline);
    tgc_log_print("freeing GC objects, up to %zu pages. %s", max_pages,
                  done ? "No more pages left." : "More to do.");
    if (done) {
        finish_cycle();
        gc->gc_state = TGC_STATE_FINALIZING;
    }
}

/* typegc has no finalizers yet: the step only closes the cycle. */
static void step_finalizing(void)
{
    tgc_state.gc_state = TGC_STATE_SCANNING;
}

void tgc_major_collection_step(void)
{
    tgc_gc *gc = &tgc_state;
    uint64_t start = tgc_now_ns();
    uint64_t cpu_start = tgc_hooks_cpu_clock();
    tgc_gc_state old_state = gc->gc_state;
    tgc_log_start("gc-collect-step");
    tgc_log_print("starting gc state:  %s", tgc_gc_state_name(old_state));
    if (gc->config.debug_level >= 1)
        tgc_debug_check_heap("before a major step");
    gc->threshold_objects_made_old += gc->nursery_size / 2;
    release_empty_arenas(ARENAS_RELEASED_PER_STEP);

    switch (gc->gc_state) {
    case TGC_STATE_SCANNING:
        step_scanning();
        break;
    case TGC_STATE_MARKING:
        step_marking();
        break;
    case TGC_STATE_SWEEPING:
        step_sweeping();
        break;
    case TGC_STATE_FINALIZING:
        step_finalizing();
        break;
    }

    uint64_t cpu_duration = tgc_hooks_cpu_clock() - cpu_start;
    uint64_t duration = tgc_now_ns() - start;
    gc->gc_time_ns += duration;
    gc->major_steps++;
    tgc_log_print("stopping, now in gc state:  %s", tgc_gc_state_name(gc->gc_state));
    tgc_log_print("time taken:  %f", (double)duration * 1e-9);
    tgc_log_stop("gc-collect-step");
    tgc_hooks_step_done(duration, cpu_duration, old_state, gc->gc_state);
}

/* A minor collection, then as many major steps as promotion demands:
 * normally one per minor collection once a cycle is under way, more when
 * objects are made old faster than half a nursery per step.  `extra_size`
 * is memory about to be allocated outside the nursery. */
void tgc_minor_collection_with_major_progress(size_t extra_size, bool force)
{
    tgc_gc *gc = &tgc_state;
    tgc_minor_collection();
    if (!gc->enabled && !force)
        return;
    if (gc->gc_state == TGC_STATE_SCANNING && !tgc_threshold_reached(extra_size))
        return;
    tgc_major_collection_step();
    while (gc->gc_state != TGC_STATE_SCANNING) {
        size_t allowed = gc->threshold_objects_made_old;
        if (allowed >= extra_size && gc->size_objects_made_old <= allowed - extra_size)
            break;
        tgc_minor_collection();
        tgc_major_collection_step();
    }
}

/* ---- The API -------------------------------------------------------------- */

static void step_until(tgc_gc_state state)
{
    while (tgc_state.gc_state != state) {
        tgc_minor_collection();
        tgc_major_collection_step();
    }
}

/* Finishes the cycle in progress, whose marks may predate garbage made
 * since, then runs a whole new one. */
void tgc_full_collection(void)
{
    in_full_collection = true;
    step_until(TGC_STATE_SCANNING);
    step_until(TGC_STATE_MARKING);
    step_until(TGC_STATE_SCANNING);
    in_full_collection = false;
    tgc_arena_release_empty(&tgc_state.arenas, 0, SIZE_MAX, false);
}

tgc_cursor_state tgc_collect_state(tgc_cursor_state cursor)
{
    tgc_publish_cursor(&cursor, "tgc_collect");
    tgc_full_collection();
    return tgc_cursor_after_collection();
}

tgc_cursor_state tgc_collect_step_state(tgc_cursor_state cursor, tgc_step_result *result)
{
    tgc_publish_cursor(&cursor, "tgc_collect_step");
    tgc_gc_state old_state = tgc_state.gc_state;
    tgc_minor_collection();
    tgc_major_collection_step();
    if (result != NULL)
        *result = (tgc_step_result){
            .old_state = old_state,
            .new_state = tgc_state.gc_state,
            .major_is_done = old_state != TGC_STATE_SCANNING &&
                             tgc_state.gc_state == TGC_STATE_SCANNING,
        };
    return tgc_cursor_after_collection();
}

void tgc_enable(void)
{
    tgc_state.enabled = true;
}

void tgc_disable(void)
{
    tgc_state.enabled = false;
}

bool tgc_isenabled(void)
{
    return tgc_state.enabled;
}

void tgc_add_memory_pressure(size_t bytes)
{
    tgc_state.next_major_collection_threshold -= (double)bytes + 2 * TGC_WORD;
    tgc_state.memory_pressure += bytes;
}

void tgc_set_memory_error_handler(tgc_memory_error_handler handler, void *arg)
{
    tgc_state.memory_error_handler = handler;
    tgc_state.memory_error_arg = arg;
}

/* The system refused memory the program needs (`what`): the handler may
 * drop references and return, or the program stops. */
void tgc_memory_error_now(const char *what)
{
    tgc_gc *gc = &tgc_state;
    if (gc->memory_error_handler == NULL)
        tgc_fatal("out of memory: cannot allocate %s; no memory error handler is set", what);
    gc->memory_error_handler(gc->memory_error_arg);
}

/* Where the collector hands control back to the program: hooks fire, and a
 * memory error is reported.  After the system refused memory to a
 * collection, which then spent the emergency reserve, what the handler
 * dropped is collected at once and the reserve taken again: the next
 * collection may need it. */
void tgc_at_safe_point(void)
{
    tgc_gc *gc = &tgc_state;
    tgc_hooks_fire();
    if (!gc->memory_error_pending)
        return;
    gc->memory_error_pending = false;
    if (gc->memory_error_is_system) {
        gc->memory_error_is_system = false;
        tgc_memory_error_now(gc->memory_error_what);
        tgc_full_collection();      /* whose finish_cycle() retakes the reserve */
        return;
    }
    if (gc->memory_error_handler == NULL)
        tgc_fatal("using too much memory, aborting (PYPY_GC_MAX=%zu, in use %zu; "
                  "no memory error handler is set)", gc->config.max_heap, old_bytes_used());
    gc->memory_error_handler(gc->memory_error_arg);
}
