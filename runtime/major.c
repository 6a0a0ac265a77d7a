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
 * step; objects allocated meanwhile are not swept) -> FINALIZING (the
 * finalizer queues' triggers become due) -> back to SCANNING.
 */
#include <limits.h>
#include <math.h>

#include "debug.h"
#include "gc.h"
#include "hooks.h"
#include "log.h"
#include "mark.h"
#include "object.h"

static const char *const phase_names[] = { "SCANNING", "MARKING", "SWEEPING", "FINALIZING",
                                            "USERDEL" };

const char *tgc_phase_name(tgc_phase phase)
{
    return (unsigned)phase < 5 ? phase_names[phase] : "(invalid)";
}

/* ---- Heap size targets -------------------------------------------------- */

size_t tgc_major_old_bytes(void)
{
    return tgc_gc.arenas.total_memory_used + tgc_gc.raw.total_size;
}

/* What the threshold is compared with: the old objects, and the external
 * memory that live objects own (their memory pressure). */
static double in_use_bytes(void)
{
    return (double)tgc_major_old_bytes() + (double)tgc_gc.pressure.of_live_objects;
}

bool tgc_major_threshold_reached(size_t extra)
{
    return tgc_gc.major.next_major_collection_threshold - in_use_bytes() < (double)extra;
}

void tgc_major_count_promoted(size_t bytes)
{
    tgc_gc.major.size_objects_made_old += bytes;
    if (tgc_gc.major.phase == TGC_PHASE_MARKING)
        tgc_gc.major.promoted_while_marking += bytes;
}

bool tgc_major_behind(size_t extra)
{
    const tgc_major *major = &tgc_gc.major;
    size_t allowed = major->threshold_objects_made_old;
    return !(allowed >= extra && major->size_objects_made_old <= allowed - extra);
}

/* The threshold of the next cycle, from what survived this one; true if
 * PYPY_GC_MAX capped it (PyPy's set_major_threshold_from). */
static bool set_major_threshold_from(double threshold, size_t reserving_size)
{
    tgc_major *major = &tgc_gc.major;
    size_t max_heap = tgc_gc.config.max_heap;
    double threshold_max = major->next_major_collection_initial * major->growth_rate_max;
    if (threshold > threshold_max)
        threshold = threshold_max;
    threshold += (double)reserving_size;
    if (threshold < major->min_heap_size)
        threshold = major->min_heap_size;
    bool bounded = false;
    if (max_heap > 0 && threshold > (double)max_heap) {
        threshold = (double)max_heap;
        bounded = true;
    }
    major->next_major_collection_initial = threshold;
    major->next_major_collection_threshold = threshold;
    return bounded;
}

void tgc_major_init(void)
{
    tgc_major *major = &tgc_gc.major;
    const tgc_config *config = &tgc_gc.config;
    size_t nursery_size = tgc_gc.nursery.size;
    major->phase = TGC_PHASE_SCANNING;
    major->major_collection_threshold = config->major_collect > 1.0 ? config->major_collect : 1.82;
    major->growth_rate_max = config->growth > 1.0 ? config->growth : 1.4;
    major->max_delta = (double)config->max_delta;
    major->increment_step = config->increment_step ? config->increment_step : 4 * nursery_size;
    major->min_heap_size = config->min_heap ? (double)config->min_heap : TGC_DEFAULT_MIN_HEAP;
    major->next_major_collection_initial = major->min_heap_size;
    major->next_major_collection_threshold = major->min_heap_size;
    set_major_threshold_from(0.0, 0);
}

/* The sum saturates: a counter that wrapped would report a small figure
 * after the largest ones.  (The name in parentheses: typegc.h's macro of
 * the same name picks this or the next by the number of arguments.) */
void (tgc_add_memory_pressure)(size_t bytes)
{
    tgc_major *major = &tgc_gc.major;
    major->next_major_collection_threshold -= (double)bytes + 2 * TGC_WORD;
    if (__builtin_add_overflow(major->memory_pressure, bytes, &major->memory_pressure))
        major->memory_pressure = SIZE_MAX;
}

/* An object's pressure counts as memory in use until it dies
 * (pressure.c), which is all the threshold needs: in_use_bytes() reads it. */
void tgc_add_object_memory_pressure(void *object, size_t bytes)
{
    if (object == NULL) {
        (tgc_add_memory_pressure)(bytes);
        return;
    }
    tgc_destructors_forbid("tgc_add_memory_pressure");
    tgc_check_gc_object("tgc_add_memory_pressure", object);
    tgc_pressure_note(object, bytes);
}

/* ---- Marking -------------------------------------------------------------- */

static void gray_slot(void **slot, void *stack)
{
    tgc_gray(*slot, stack);
}

/* Marking chases pointers through a heap larger than the caches: reading a
 * child's header to gray it is a cache miss, one after another.  So the
 * children a visit finds go first through a small ring: each is prefetched
 * when it enters and grayed when it leaves, EDGE_RING children later, by
 * which time its header has arrived.  The ring is emptied before a step
 * returns, so between steps every child found is gray or black. */
enum { EDGE_RING = 16 };

typedef struct edge_ring {
    void *objects[EDGE_RING];
    unsigned count, next;       /* entries in use; the slot to fill next */
} edge_ring;

static void gray_later(void **slot, void *ring_arg)
{
    edge_ring *ring = ring_arg;
    void *object = *slot;
    __builtin_prefetch(object, 1);
    void **entry = &ring->objects[ring->next];
    ring->next = (ring->next + 1) % EDGE_RING;
    if (ring->count == EDGE_RING)
        tgc_gray(*entry, &tgc_gc.major.objects_to_trace);
    else
        ring->count++;
    *entry = object;
}

static void flush_edges(edge_ring *ring)
{
    for (; ring->count > 0; ring->count--)
        tgc_gray(ring->objects[(ring->next + EDGE_RING - ring->count) % EDGE_RING],
                 &tgc_gc.major.objects_to_trace);
}

/* Blackens one object; returns the bytes it accounts for (0 if it was
 * black already). */
static size_t visit(void *object, edge_ring *ring)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_VISITED)
        return 0;
    hdr->flags = (hdr->flags & ~TGC_FLAG_GRAY) | TGC_FLAG_VISITED | TGC_FLAG_TRACK_YOUNG_PTRS;
    size_t size = tgc_object_size(object);
    tgc_gc.major.objects_marked++;
    tgc_gc.major.bytes_marked += size;
    tgc_trace_object(object, gray_later, ring);
    return size;
}

/* With a deadline, the clock is read once per this many visits: a reading
 * costs a few visits' time, and a host that slows memory down can make
 * one visit take microseconds (runtime/DESIGN.md, "Step time limit"). */
enum { VISITS_PER_CLOCK_READ = 32 };

/* Traces gray objects until `budget` bytes are done; returns what is left
 * of the budget (PyPy's visit_all_objects_step).  With a `deadline`
 * (tgc_now_ns(); 0: none) it also stops once that has passed, and says so
 * in *out_of_time. */
static long long visit_objects_step(long long budget, uint64_t deadline, bool *out_of_time)
{
    tgc_addrstack *gray = &tgc_gc.major.objects_to_trace;
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

/* The program's roots, the objects waiting in finalizer queues, and the
 * prebuilt objects written to so far: those recorded since SCANNING are
 * white, and are found when marking ends, which calls this again. */
static void collect_roots(void)
{
    tgc_walk_roots(gray_slot, &tgc_gc.major.objects_to_trace);
    tgc_finalizers_walk_queued(gray_slot, &tgc_gc.major.objects_to_trace);
    tgc_prebuilt_walk_roots(gray_slot, &tgc_gc.major.objects_to_trace);
}

/* Marks what `object` reaches, at the end of marking: for the finalizer
 * queues, which keep their dead objects alive (finalizers.c). */
static void mark_from(void *object)
{
    tgc_gray(object, &tgc_gc.major.objects_to_trace);
    visit_all_objects();
}

/* ---- Sweeping ------------------------------------------------------------- */

static void start_sweeping(void)
{
    tgc_major *major = &tgc_gc.major;
    tgc_arena_sweep_prepare(&tgc_gc.arenas);
    tgc_raw_sweep_prepare(&tgc_gc.raw);
    major->arenas_count_before = tgc_gc.arenas.arenas_count;
    major->rawmalloc_bytes_before = tgc_gc.raw.total_size;
}

/* The old generation's size that starts the next cycle, for `live` bytes
 * found live by this one.  The heap may grow to PYPY_GC_MAJOR_COLLECT x
 * live in all, and two things besides the threshold are part of it: the
 * nursery (a program whose objects outlive a nursery has one nursery of
 * them in flight as well as its old generation), and what the next cycle
 * will promote while it runs, before its sweep frees anything (taken to
 * be what this one promoted).  The old generation gets the growth less
 * both; never less than half the growth, so that a nursery large beside
 * the live heap does not start a cycle at every minor collection; never
 * more than PYPY_GC_MAX_DELTA over the live heap (runtime/DESIGN.md,
 * "Pacing"). */
static double next_threshold(double live)
{
    const tgc_major *major = &tgc_gc.major;
    double growth = live * (major->major_collection_threshold - 1.0);
    double in_flight = (double)tgc_gc.nursery.size + (double)major->promoted_during_last_cycle;
    double old_growth = fmax(growth - in_flight, growth / 2);
    return live + fmin(old_growth, major->max_delta);
}

/* The end of a cycle: the next threshold, the log, the hook.  Returns
 * whether the heap is still over PYPY_GC_MAX. */
static bool finish_cycle(void)
{
    tgc_major *major = &tgc_gc.major;
    const tgc_arena_collection *arenas = &tgc_gc.arenas;
    major->num_major_collects++;
    major->promoted_during_last_cycle = major->size_objects_made_old;
    /* What marking found live, not what is in use now: that counts the
     * objects promoted while the cycle swept, which were not swept and
     * are mostly garbage in a program whose objects live a little longer
     * than a nursery.  Nor what minor collections promoted while it
     * marked: those objects are marked whatever their fate (through the
     * barrier or their parents), and counting them made the next
     * threshold grow with the cycle's own length; at most half of what
     * was marked is left out (runtime/DESIGN.md, "Pacing").  What the
     * finalizer queues keep alive is not counted (PyPy's
     * kept_alive_by_finalizer): see finalizers.c. */
    double marked = fmax((double)major->bytes_marked - (double)major->promoted_while_marking,
                         (double)major->bytes_marked / 2);
    double live = fmax(marked - (double)tgc_gc.finalizers.kept_alive_bytes, 0.0);
    major->live_after_last_cycle = (size_t)live;
    bool bounded = set_major_threshold_from(next_threshold(live), 0);

    tgc_log_start("gc-collect-done");
    tgc_log_print("arenas:                %zu  =>  %zu", major->arenas_count_before,
                  arenas->arenas_count);
    tgc_log_print("bytes used in arenas:  %zu", arenas->total_memory_used);
    tgc_log_print("bytes raw-malloced:    %zu  =>  %zu", major->rawmalloc_bytes_before,
                  tgc_gc.raw.total_size);
    tgc_log_print("objects marked:        %llu", (unsigned long long)major->objects_marked);
    tgc_log_print("next major collection threshold:  %f", major->next_major_collection_threshold);
    tgc_log_stop("gc-collect-done");
    tgc_hooks_collect_done(&(tgc_collect_stats){
        .num_major_collects = major->num_major_collects,
        .arenas_count_before = major->arenas_count_before,
        .arenas_count_after = arenas->arenas_count,
        .arenas_bytes = arenas->total_memory_used,
        .rawmalloc_bytes_before = major->rawmalloc_bytes_before,
        .rawmalloc_bytes_after = tgc_gc.raw.total_size,
        .pinned_objects = tgc_pinning_count(&tgc_gc.pinning),
    });
    return bounded && tgc_major_threshold_reached(0);
}

/* Empty arenas are kept for the promotion expected before the next cycle
 * ends: the threshold's headroom, and what the last cycle promoted while it
 * ran.  Mapping an arena inside a minor collection costs too much of its
 * pause, and an arena unmapped now would be mapped again within the cycle.
 * The rest are unmapped, a few per step so that no step pays for thousands
 * of them: resident memory falls over the following steps (between
 * cycles, minor collections), and at once in tgc_collect().  Not while
 * SWEEPING: the threshold is the last cycle's and the bytes in use still
 * count the garbage not swept yet, so the headroom would be
 * underestimated and arenas unmapped that the next cycle maps again
 * (runtime/DESIGN.md, "Giving arenas back"). */
enum { ARENAS_RELEASED_PER_STEP = 8 };

static void release_empty_arenas(size_t max)
{
    const tgc_major *major = &tgc_gc.major;
    if (major->phase == TGC_PHASE_SWEEPING)
        return;
    double headroom = major->next_major_collection_threshold - in_use_bytes() +
                      (double)major->promoted_during_last_cycle;
    size_t keep = headroom > 0 ? (size_t)(headroom / TGC_ARENA_SIZE) : 0;
    tgc_arena_release_empty(&tgc_gc.arenas, keep, max, true);
}

/* Without this, the arenas that the last cycle emptied stay resident for
 * as long as the program's old generation stays under the threshold: a
 * program whose objects now die young (binary-trees once its long-lived
 * tree is built, with aging) may run no cycle again. */
void tgc_major_release_empty_arenas(void)
{
    release_empty_arenas(ARENAS_RELEASED_PER_STEP);
}

/* ---- The steps ------------------------------------------------------------ */

/* TYPEGC_STEP_MAX_US: when a marking or sweeping step must stop, whatever
 * is left of its budget (tgc_now_ns(); 0: no limit).  On a shared machine
 * the same work takes ten times longer in some minutes (runtime/DESIGN.md,
 * "Step time limit").  A full collection is one pause however its steps
 * are cut, so there cutting them would only add steps. */
static uint64_t step_deadline(bool whole_pause)
{
    long max_us = tgc_gc.config.step_max_us;
    if (max_us <= 0 || whole_pause)
        return 0;
    return tgc_now_ns() + (uint64_t)max_us * 1000;
}

static void step_scanning(void)
{
    tgc_major *major = &tgc_gc.major;
    /* the entry layer promotes the aged objects first (collect.c,
     * promote_aged): marking does not see young objects, and would free
     * old ones that only aged ones reach */
    if (!tgc_survivors_empty(&tgc_gc.survivors))
        tgc_fatal("a major cycle starts with %zu bytes of aged objects in the survivor space",
                  tgc_survivors_size(&tgc_gc.survivors));
    major->size_objects_made_old = 0;
    major->threshold_objects_made_old = tgc_gc.nursery.size / 2;
    major->marking_steps = 0;
    major->objects_marked = 0;
    major->bytes_marked = 0;
    major->promoted_while_marking = 0;
    collect_roots();
    major->phase = TGC_PHASE_MARKING;
}

static void step_marking(bool whole_pause)
{
    tgc_major *major = &tgc_gc.major;
    tgc_log_print("number of objects to mark %zu plus %zu", major->objects_to_trace.length,
                  major->more_objects_to_trace.length);
    long long estimate = (long long)major->increment_step;
    size_t surviving = tgc_gc.minor.nursery_surviving_size;
    if ((long long)(2 * surviving) > estimate)
        estimate = (long long)(2 * surviving);
    uint64_t deadline = step_deadline(whole_pause);
    bool out_of_time = false;
    long long remaining = visit_objects_step(estimate, deadline, &out_of_time);
    /* Budget left over means the gray objects ran out: the ones minor
     * collections grayed meanwhile come next, with the rest of the budget.
     * PyPy traces those whole at once, which makes one long pause when
     * many roots changed; typegc does so only once marking has taken more
     * steps than the heap's size justifies, so that it still ends however
     * hard the program keeps storing into black objects. */
    if (remaining > 0 && !out_of_time && !tgc_addrstack_empty(&major->more_objects_to_trace)) {
        move_all(&major->more_objects_to_trace, &major->objects_to_trace);
        remaining = visit_objects_step(remaining, deadline, &out_of_time);
    }
    /* Marking the old generation takes old/increment steps; allow eight
     * times that, plus some, before finishing in one go.  A step that ran
     * out of time counts for the part of its budget it did. */
    major->marking_steps += out_of_time ? (double)(estimate - remaining) / (double)estimate : 1.0;
    if (major->marking_steps >
        16.0 + 8.0 * (double)tgc_major_old_bytes() / (double)major->increment_step) {
        move_all(&major->more_objects_to_trace, &major->objects_to_trace);
        visit_all_objects();
    }
    if (!tgc_addrstack_empty(&major->objects_to_trace) ||
        !tgc_addrstack_empty(&major->more_objects_to_trace))
        return;
    /* Marking is complete.  The static roots are looked at once more (a
     * pointer may have been stored there since SCANNING), then sweeping
     * begins. */
    collect_roots();
    visit_all_objects();
    /* What is unmarked now is dead.  The finalizer queues keep their dead
     * objects alive first, with what they reach; weak pointers to those
     * are cleared all the same (PyPy's deal_with_objects_with_finalizers
     * and invalidate_old_weakrefs); then what is still unmarked is
     * destructed, stops counting as pressure and leaves
     * old_objects_pointing_to_pinned, before sweeping frees it. */
    tgc_finalizers_order(mark_from);
    tgc_weakrefs_after_marking();
    tgc_finalizers_queue_dead();
    tgc_destructors_after_marking();
    tgc_pressure_after_marking();
    tgc_pinning_after_marking();
    tgc_prebuilt_after_marking();       /* no sweep clears their marks */
    start_sweeping();
    major->phase = TGC_PHASE_SWEEPING;
}

/* A sweeping step walks the pages of this many nurseries (PyPy's walks 3).
 * Whatever minor collections promote while the sweep runs is not swept,
 * and counts as live when the next threshold is set: a faster sweep leaves
 * less of it, and a smaller peak (runtime/DESIGN.md, "Sweeping"). */
enum { SWEEP_NURSERIES_PER_STEP = 6 };

static bool step_sweeping(bool whole_pause)
{
    tgc_major *major = &tgc_gc.major;
    size_t nursery_size = tgc_gc.nursery.size;
    uint64_t deadline = step_deadline(whole_pause);
    if (!tgc_raw_sweep_done(&tgc_gc.raw)) {
        size_t limit = 3 * nursery_size / TGC_SMALL_REQUEST_THRESHOLD;
        size_t done = tgc_raw_sweep_step(&tgc_gc.raw, limit, deadline);
        tgc_log_print("freeing raw objects: %zu freed, limit was %zu", done, limit);
        return false;
    }
    size_t max_pages = SWEEP_NURSERIES_PER_STEP * nursery_size / TGC_PAGE_SIZE;
    bool done = tgc_arena_sweep_step(&tgc_gc.arenas, max_pages, deadline);
    tgc_log_print("freeing GC objects, up to %zu pages. %s", max_pages,
                  done ? "No more pages left." : "More to do.");
    if (done)
        major->phase = TGC_PHASE_FINALIZING;
    return done;
}

/* Closes the cycle.  SCANNING first, as in PyPy, so that what the
 * triggers lead to may start a new cycle; the triggers of the finalizer
 * queues that this cycle filled are due, and collect.c calls them at the
 * next safe point, outside the collection. */
static void step_finalizing(void)
{
    tgc_gc.major.phase = TGC_PHASE_SCANNING;
    tgc_finalizers_cycle_done();
}

tgc_major_outcome tgc_major_step(bool whole_pause)
{
    tgc_major *major = &tgc_gc.major;
    tgc_major_outcome outcome = { false, false };
    uint64_t start = tgc_now_ns();
    uint64_t cpu_start = tgc_hooks_cpu_clock();
    tgc_phase old_phase = major->phase;
    tgc_log_start("gc-collect-step");
    tgc_log_print("starting gc state:  %s", tgc_phase_name(old_phase));
    if (tgc_gc.config.debug_level >= 1)
        tgc_debug_check_heap("before a major step");
    major->threshold_objects_made_old += tgc_gc.nursery.size / 2;
    release_empty_arenas(ARENAS_RELEASED_PER_STEP);

    switch (major->phase) {
    case TGC_PHASE_SCANNING:
        step_scanning();
        break;
    case TGC_PHASE_MARKING:
        step_marking(whole_pause);
        break;
    case TGC_PHASE_SWEEPING:
        if (step_sweeping(whole_pause)) {
            outcome.cycle_done = true;
            outcome.over_heap_limit = finish_cycle();
        }
        break;
    case TGC_PHASE_FINALIZING:
        step_finalizing();
        break;
    case TGC_PHASE_USERDEL:             /* tgc_collect_step()'s, never the collector's */
        tgc_fatal("major step in phase USERDEL: memory corruption");
    }

    uint64_t cpu_duration = tgc_hooks_cpu_clock() - cpu_start;
    uint64_t duration = tgc_now_ns() - start;
    major->time_ns += duration;
    major->steps++;
    tgc_log_print("stopping, now in gc state:  %s", tgc_phase_name(major->phase));
    tgc_log_print("time taken:  %f", (double)duration * 1e-9);
    tgc_log_stop("gc-collect-step");
    tgc_hooks_step_done(duration, cpu_duration, old_phase, major->phase);
    return outcome;
}
