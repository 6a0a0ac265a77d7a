/* collect.c -- the entry layer: every way the program gets into a
 * collection.  The allocation slow paths, the gc-module calls, the safe
 * points where the program hears what happened (hooks, memory errors), and
 * the policy for memory the system refuses.  It decides how many major
 * steps a minor collection brings (the pacing), and what a memory error
 * leads to; the collectors and spaces below only report.
 *
 * Every call from the program publishes its cursor first (the collector
 * works on the nursery's state, not the program's registers) and hands
 * back a fresh one after the safe point. */
#include <stdio.h>

#include "gc.h"
#include "hooks.h"
#include "heapdump.h"
#include "log.h"
#include "object.h"
#include "profile.h"
#include "sysmem.h"

/* ---- The adaptive nursery ------------------------------------------------- */

/* The nursery stays at most this fraction of the old generation's live
 * size, so that it adds at most a quarter of the live heap to the
 * footprint (runtime/DESIGN.md, "The adaptive nursery"). */
enum { NURSERY_LIVE_DIVISOR = 4 };

/* The live size the nursery is sized against: the larger of what the last
 * two major cycles found.  A cycle that ends between two phases of a
 * program finds little live (between binary-trees' stretch tree and its
 * long-lived tree) and would shrink the nursery to the minimum just as the
 * next structure is built; one cycle later it is measured again. */
static size_t recent_live_size(void)
{
    const tgc_collect_control *control = &tgc_gc.control;
    return control->live_at_cycle_end > control->live_at_cycle_end_before
               ? control->live_at_cycle_end : control->live_at_cycle_end_before;
}

/* The largest nursery memory allows now: a share of what survived the
 * last major cycles, of PYPY_GC_MAX and of PYPY_GC_MAX_DELTA. */
static size_t nursery_memory_bound(void)
{
    const tgc_config *config = &tgc_gc.config;
    /* Before the first major cycle the live size is unknown: no bound
     * (the policy grows only on figures from two cycles) */
    if (tgc_gc.major.num_major_collects == 0)
        return SIZE_MAX;
    size_t bound = recent_live_size() / NURSERY_LIVE_DIVISOR;
    if (config->max_heap > 0 && bound > config->max_heap / NURSERY_LIVE_DIVISOR)
        bound = config->max_heap / NURSERY_LIVE_DIVISOR;
    if (bound > config->max_delta)
        bound = config->max_delta;
    return bound;
}

/* The smallest nursery the old generation calls for: the cache-based
 * size it started at, once what survived the last major cycles is at
 * least that large (a program that keeps a large heap keeps objects for
 * long: runtime/DESIGN.md, "The adaptive nursery"); none before.  (Under
 * a pause goal the policy ignores it.) */
static size_t nursery_floor(void)
{
    size_t size = tgc_gc.control.nursery_initial_size;
    return recent_live_size() < size ? 0 : size;
}

/* Replaces the nursery, empty after the minor collection that just ended,
 * with one of `size` bytes; the emergency reserve, which must hold what a
 * full nursery promotes, grows first and shrinks after.  Not while the
 * nursery holds pinned objects, which cannot move. */
static void resize_nursery(size_t size, const char *reason)
{
    tgc_nursery *nursery = &tgc_gc.nursery;
    if (tgc_nursery_holds_pinned(nursery))
        return;
    size_t reserve = 2 * size + 4 * TGC_ARENA_SIZE;
    bool grows = size > nursery->size;
    if (grows && !tgc_sys_resize_reserve(reserve))
        return;
    if (!tgc_nursery_resize(nursery, size, reason))
        return;
    if (!grows && size < nursery->size)
        tgc_sys_resize_reserve(reserve);
}

/* TYPEGC_NURSERY_RESIZE_EVERY: every Nth minor collection the nursery
 * moves, and doubles or returns to its first size; the debug modes that
 * hand out fewer bytes than the mapping holds keep their size. */
static void force_resize(void)
{
    const tgc_collect_control *control = &tgc_gc.control;
    const tgc_nursery *nursery = &tgc_gc.nursery;
    size_t size = nursery->size;
    if (nursery->debug_tiny < 0)
        size = size == control->nursery_initial_size ? 2 * size : control->nursery_initial_size;
    resize_nursery(size, tgc_nursery_reason_name(TGC_NURSERY_FORCED));
}

/* At the end of each major cycle: how much of what minor collections
 * promoted since the last one this one found dead, and what the last two
 * found live. */
static void note_promoted_dying(void)
{
    tgc_collect_control *control = &tgc_gc.control;
    size_t live = tgc_gc.major.live_after_last_cycle;
    size_t promoted = control->promoted_since_cycle_end;
    size_t kept = live > control->live_at_cycle_end ? live - control->live_at_cycle_end : 0;
    control->promoted_dying_percent =
        promoted == 0 || kept >= promoted ? 0
                                          : (unsigned)((double)(promoted - kept) * 100 / (double)promoted);
    control->live_at_cycle_end_before = control->live_at_cycle_end;
    control->live_at_cycle_end = live;
    control->promoted_since_cycle_end = 0;
}

/* At the end of each minor collection: the policy's decision, applied. */
static void adapt_nursery(void)
{
    tgc_collect_control *control = &tgc_gc.control;
    const tgc_minor *minor = &tgc_gc.minor;
    long every = tgc_gc.config.nursery_resize_every;
    if (every > 0) {
        if (minor->collections % (uint64_t)every == 0)
            force_resize();
        return;
    }
    if (!control->nursery_adapts)
        return;
    tgc_nursery_figures figures = {
        .size = tgc_gc.nursery.size,
        .used = minor->nursery_used,
        .surviving = minor->nursery_surviving_size,
        /* on the CPU: a shared host's deschedules are not the nursery's */
        .pause_ns = minor->last_cpu_duration_ns,
        .memory_bound = nursery_memory_bound(),
        .floor = nursery_floor(),
        .promoted_dying_percent = control->promoted_dying_percent,
    };
    tgc_nursery_decision decision = tgc_nursery_policy_next(&control->nursery_policy, &figures);
    if (decision.reason == TGC_NURSERY_KEEP || decision.size == figures.size)
        return;
    char bound[32] = "none";
    if (figures.memory_bound != SIZE_MAX)
        snprintf(bound, sizeof bound, "%zu", figures.memory_bound);
    char reason[192];
    snprintf(reason, sizeof reason,
             "%s (%zu of %zu bytes survived, %.3f ms, bound %s, floor %zu, "
             "%u%% of promoted died)",
             tgc_nursery_reason_name(decision.reason), figures.surviving, figures.used,
             (double)figures.pause_ns * 1e-6, bound, figures.floor,
             figures.promoted_dying_percent);
    resize_nursery(decision.size, reason);
}

/* ---- Aging ------------------------------------------------------------------ */

/* Each half of the survivor space holds up to this fraction of the
 * nursery: all of it, so that a structure that a nursery holds whole
 * never overflows it into the old generation (runtime/DESIGN.md,
 * "Aging"). */
enum { SURVIVOR_NURSERY_DIVISOR = 1 };

/* Each half of the survivor space while aging is on (the policy, not
 * TYPEGC_NO_AGING); unmapped while it is off. */
static size_t survivor_capacity(void)
{
    return tgc_gc.control.aging ? tgc_gc.nursery.size / SURVIVOR_NURSERY_DIVISOR : 0;
}

/* What a minor collection may copy into it: nothing while a major cycle
 * is in progress, since marking does not see young objects, nor for a
 * minor collection that a major step or the program's tgc_collect_minor()
 * follows (`may_age` false). */
static size_t survivor_limit(bool may_age)
{
    if (!may_age || tgc_gc.major.phase != TGC_PHASE_SCANNING)
        return 0;
    return survivor_capacity();
}

/* At the end of each minor collection: the aging policy's decision, and
 * the log line when it changes. */
static void adapt_aging(void)
{
    tgc_collect_control *control = &tgc_gc.control;
    const tgc_minor *minor = &tgc_gc.minor;
    if (tgc_gc.config.no_aging || tgc_gc.config.aging_always)
        return;
    tgc_aging_figures figures = {
        .nursery_size = tgc_gc.nursery.size,
        .aged_before = minor->aged_before,
        .aged_promoted = minor->aged_promoted,
    };
    bool aging = tgc_aging_policy_next(&control->aging_policy, &figures);
    if (aging == control->aging)
        return;
    control->aging = aging;
    tgc_log_start("gc-set-aging");
    tgc_log_print("aging: %s", aging ? "on" : "off");
    if (aging)
        tgc_log_print("reason: tried again after %d minor collections",
                      (int)TGC_AGING_RETRY_AFTER);
    else
        tgc_log_print("reason: %zu of %zu aged bytes lived on", figures.aged_promoted,
                      figures.aged_before);
    tgc_log_stop("gc-set-aging");
}

static void count_promoted(void)
{
    tgc_major_count_promoted(tgc_gc.minor.promoted_size);
    tgc_gc.control.promoted_since_cycle_end += tgc_gc.minor.promoted_size;
}

/* Before a major step: marking sees no young object, so the aged ones are
 * made old first, by a minor collection that ages nothing.  Right after
 * another one, its nursery holds nothing (but pinned objects): it costs
 * the aged objects' copies, and it is not one of the nursery policy's
 * figures. */
static void promote_aged(void)
{
    if (tgc_survivors_empty(&tgc_gc.survivors))
        return;
    /* the first marking step's budget reads what the nursery's last
     * collection copied out, not this one's nothing */
    size_t nursery_surviving = tgc_gc.minor.nursery_surviving_size;
    tgc_minor_collection(survivor_capacity(), 0);
    tgc_gc.minor.nursery_surviving_size = nursery_surviving;
    count_promoted();
}

/* ---- Collections ---------------------------------------------------------- */

static void minor_collection(bool may_age)
{
    tgc_minor_collection(survivor_capacity(), survivor_limit(may_age));
    count_promoted();
    adapt_aging();
    adapt_nursery();
}

/* One major step, and what its end of a cycle means for memory errors:
 * freed memory lets the emergency reserve be taken again (sysmem.c); a
 * heap still over PYPY_GC_MAX is reported at the next safe point the
 * first time, and stops the program the second. */
static void major_step(bool whole_pause)
{
    tgc_collect_control *control = &tgc_gc.control;
    promote_aged();
    tgc_major_outcome outcome = tgc_major_step(whole_pause);
    if (!outcome.cycle_done)
        return;
    note_promoted_dying();
    if (tgc_sys_reserve_spent())
        tgc_sys_retake_reserve();
    if (outcome.over_heap_limit) {
        if (control->heap_limit_reported)
            tgc_fatal("using too much memory, aborting (PYPY_GC_MAX=%zu, in use %zu)",
                      tgc_gc.config.max_heap, tgc_major_old_bytes());
        control->heap_limit_reported = true;
        control->pending = TGC_HEAP_LIMIT_ERROR;
    }
}

/* A major step, and the steps of the phases after it while each one ends
 * its phase: SCANNING goes on into MARKING, a marking that ran out of gray
 * objects into SWEEPING, a finished sweep into FINALIZING.  Each phase
 * left for a later minor collection lets a nursery more be promoted into
 * arenas that this cycle cannot reuse, and that promotion, not the
 * threshold, set the peak of a program whose medium-lived objects outlive
 * the nursery (runtime/DESIGN.md, "Pacing").  Not under a pause goal or a
 * step time limit, whose steps must stay short; not for tgc_collect_step(),
 * whose caller asks for one step and is told which phases it went
 * between, as PyPy's gc.collect_step() does. */
static void major_steps_while_phases_end(void)
{
    const tgc_config *config = &tgc_gc.config;
    bool chain = config->pause_goal_ms <= 0 && config->step_max_us <= 0;
    for (;;) {
        tgc_phase before = tgc_gc.major.phase;
        major_step(false);
        tgc_phase after = tgc_gc.major.phase;
        if (!chain || after == before || after == TGC_PHASE_SCANNING)
            return;
    }
}

/* A minor collection, then as many major steps as promotion demands:
 * normally one per minor collection once a cycle is under way, more when
 * objects are made old faster than half a nursery per step.  `extra_size`
 * is memory about to be allocated outside the nursery. */
static void minor_collection_with_major_progress(size_t extra_size)
{
    minor_collection(true);
    if (!tgc_gc.control.enabled)
        return;
    if (tgc_gc.major.phase == TGC_PHASE_SCANNING && !tgc_major_threshold_reached(extra_size)) {
        tgc_major_release_empty_arenas();
        return;
    }
    major_steps_while_phases_end();
    while (tgc_gc.major.phase != TGC_PHASE_SCANNING && tgc_major_behind(extra_size)) {
        minor_collection(false);
        major_steps_while_phases_end();
    }
}

static void step_until(tgc_phase phase)
{
    while (tgc_gc.major.phase != phase) {
        minor_collection(false);
        major_step(true);
    }
}

/* Finishes the cycle in progress, whose marks may predate garbage made
 * since, then runs a whole new one, and gives every empty arena back. */
static void full_collection(void)
{
    tgc_gc.control.userdel_next = false;
    step_until(TGC_PHASE_SCANNING);
    step_until(TGC_PHASE_MARKING);
    step_until(TGC_PHASE_SCANNING);
    tgc_arena_release_empty(&tgc_gc.arenas, 0, SIZE_MAX, false);
}

/* TYPEGC_TORTURE=N: after every allocation slow path, and a full
 * collection every Nth. */
static void torture_after_slow_path(void)
{
    if (tgc_gc.config.torture > 0 &&
        ++tgc_gc.control.slow_paths % (uint64_t)tgc_gc.config.torture == 0)
        full_collection();
}

/* ---- Memory errors and safe points ------------------------------------------ */

/* The system refused memory the program needs (`what`): the handler may
 * drop references and return, or the program stops. */
static void memory_error_now(const char *what)
{
    const tgc_collect_control *control = &tgc_gc.control;
    if (control->handler == NULL)
        tgc_fatal("out of memory: cannot allocate %s; no memory error handler is set", what);
    control->handler(control->handler_arg);
}

/* Where the collector hands control back to the program: hooks fire, the
 * finalizer queues' due triggers run, and a memory error is reported.
 * After the system refused memory to a collection, which then spent the
 * emergency reserve, what the handler dropped is collected at once and the
 * reserve taken again: the next collection may need it. */
static void at_safe_point(void)
{
    tgc_collect_control *control = &tgc_gc.control;
    const char *what;
    tgc_hooks_fire();
    tgc_finalizers_run_triggers();
    if (tgc_sys_take_failure(&what)) {
        control->pending = TGC_SYSTEM_MEMORY_ERROR;
        control->pending_what = what;
    }
    tgc_memory_error_kind pending = control->pending;
    control->pending = TGC_NO_MEMORY_ERROR;
    switch (pending) {
    case TGC_NO_MEMORY_ERROR:
        return;
    case TGC_SYSTEM_MEMORY_ERROR:
        memory_error_now(control->pending_what);
        full_collection();      /* whose end of cycle retakes the reserve */
        return;
    case TGC_HEAP_LIMIT_ERROR:
        if (control->handler == NULL)
            tgc_fatal("using too much memory, aborting (PYPY_GC_MAX=%zu, in use %zu; "
                      "no memory error handler is set)", tgc_gc.config.max_heap,
                      tgc_major_old_bytes());
        control->handler(control->handler_arg);
        return;
    }
}

void tgc_set_memory_error_handler(tgc_memory_error_handler handler, void *arg)
{
    tgc_gc.control.handler = handler;
    tgc_gc.control.handler_arg = arg;
}

/* After the collector ran on the program's behalf: the safe point, then a
 * fresh cursor. */
static tgc_cursor_words cursor_after_collection(void)
{
    at_safe_point();
    return tgc_cursor_fresh(&tgc_gc.nursery, 0);
}

/* ---- The allocation slow paths ---------------------------------------------- */

/* Reached when the cursor's top is: the nursery is full, or the gap
 * before a pinned object is (then the cursor moves past it, and collects
 * only if the fill has no gap left with room), or the allocation covers
 * TYPEGC_PROFILE's sample point (then it is recorded, and collects only if
 * the nursery is full too), or the end of a prefetched chunk (cursor.c:
 * the next chunk is handed out). */
tgc_cursor_words tgc_refill(tgc_cursor_words cursor, size_t size)
{
    tgc_nursery *nursery = &tgc_gc.nursery;
    tgc_destructors_forbid("an allocation");
    tgc_finalizers_forbid("an allocation");
    tgc_cursor_publish(nursery, &cursor, "allocation");
    if (size > TGC_LARGE_OBJECT)
        tgc_fatal("tgc_refill: %zu bytes do not fit in the nursery", size);
    bool sampled = tgc_profile_sample_due(size, __builtin_return_address(0));
    if (!tgc_nursery_has_room(nursery, size) && !tgc_nursery_next_gap(nursery, size)) {
        minor_collection_with_major_progress(0);
        torture_after_slow_path();
        tgc_nursery_make_room(nursery, size);
        at_safe_point();
    }
    if (sampled)
        tgc_profile_sampled_at(nursery->free);
    return tgc_cursor_fresh(nursery, size);
}

/* The system will not give the program the object it asked for: collect
 * everything and retry; then report the memory error, which the program's
 * handler may answer by dropping references, collect and retry once more;
 * then stop. */
static void *alloc_external_after_collections(uint32_t type_id, const tgc_type_info *info,
                                              size_t length, size_t size)
{
    full_collection();
    void *object = tgc_raw_alloc_young(&tgc_gc.raw, type_id, info, length, size);
    if (object != NULL)
        return object;
    char what[160];
    snprintf(what, sizeof what, "%s of length %zu (%zu bytes)", info->name, length, size);
    memory_error_now(what);
    full_collection();
    object = tgc_raw_alloc_young(&tgc_gc.raw, type_id, info, length, size);
    if (object == NULL)
        tgc_fatal("out of memory: cannot allocate %s, even after the memory error "
                  "handler ran", what);
    return object;
}

tgc_cursor_words tgc_alloc_external(tgc_cursor_words cursor, uint32_t type_id, size_t length,
                                    void **result)
{
    tgc_nursery *nursery = &tgc_gc.nursery;
    tgc_destructors_forbid("an allocation");
    tgc_finalizers_forbid("an allocation");
    tgc_cursor_check(nursery, &cursor, "allocation");
    const tgc_type_info *info = tgc_type_info_of(type_id);
    size_t size = tgc_raw_object_size(info, length);
    if (size == 0)
        tgc_fatal("out of memory: %s of length %zu is too large", info->name, length);
    /* Old objects may have to die first, as for a nursery fill.  With
     * TYPEGC_PROFILE the cursor is published and handed out again in any
     * case: the byte clock counts what it allocated, and its top moves to
     * the sample point that this object's bytes bring nearer. */
    bool torture = tgc_gc.config.torture > 0;
    bool collect = torture || tgc_major_threshold_reached(size);
    bool republish = collect || tgc_profile_bytes_to_sample() != SIZE_MAX;
    if (republish)
        tgc_cursor_publish(nursery, &cursor, "allocation");
    if (collect) {
        minor_collection_with_major_progress(size + nursery->size / 2);
        torture_after_slow_path();
        /* before the object exists: what runs here may collect */
        at_safe_point();
    }
    void *object = tgc_raw_alloc_young(&tgc_gc.raw, type_id, info, length, size);
    if (object == NULL) {
        if (!republish)
            tgc_cursor_publish(nursery, &cursor, "allocation");
        republish = true;
        object = alloc_external_after_collections(type_id, info, length, size);
    }
    tgc_destructors_note_external(object);
    tgc_profile_count_outside(type_id, size, __builtin_return_address(0));
    *result = object;
    return republish ? tgc_cursor_fresh(nursery, 0) : cursor;
}

/* ---- PyPy's gc module ------------------------------------------------------- */

tgc_cursor_words tgc_collect_minor_value(tgc_cursor_words cursor)
{
    tgc_finalizers_forbid("tgc_collect_minor");
    tgc_cursor_publish(&tgc_gc.nursery, &cursor, "tgc_collect_minor");
    /* empties the young generation, as PyPy's does; TYPEGC_AGING_ALWAYS
     * lets tests reach aging through it */
    minor_collection(tgc_gc.config.aging_always);
    return cursor_after_collection();
}

tgc_cursor_words tgc_collect_value(tgc_cursor_words cursor)
{
    tgc_finalizers_forbid("tgc_collect");
    tgc_cursor_publish(&tgc_gc.nursery, &cursor, "tgc_collect");
    full_collection();
    return cursor_after_collection();
}

tgc_cursor_words tgc_collect_step_value(tgc_cursor_words cursor, tgc_step_result *result)
{
    tgc_finalizers_forbid("tgc_collect_step");
    tgc_cursor_publish(&tgc_gc.nursery, &cursor, "tgc_collect_step");
    tgc_collect_control *control = &tgc_gc.control;
    tgc_step_result r;
    if (control->userdel_next) {
        /* PyPy's app-level step after FINALIZING: nothing to collect */
        control->userdel_next = false;
        r = (tgc_step_result){ TGC_PHASE_USERDEL, TGC_PHASE_SCANNING, true };
    } else {
        tgc_phase old_phase = tgc_gc.major.phase;
        minor_collection(false);
        major_step(false);
        r = (tgc_step_result){ old_phase, tgc_gc.major.phase, false };
        if (old_phase != TGC_PHASE_SCANNING && r.new_phase == TGC_PHASE_SCANNING) {
            r.new_phase = TGC_PHASE_USERDEL;
            control->userdel_next = true;
        }
    }
    if (result != NULL)
        *result = r;
    return cursor_after_collection();
}

/* ---- Heap dumps ---------------------------------------------------------------- */

/* A full collection first: a cycle in progress (MARKING, SWEEPING) is
 * finished and a whole new one run, so the dump holds exactly what is live
 * and none of the collector's marks; the nursery holds only pinned
 * objects after it. */
tgc_cursor_words tgc_dump_heap_value(tgc_cursor_words cursor, const char *path, int *result)
{
    tgc_finalizers_forbid("tgc_dump_heap");
    tgc_cursor_publish(&tgc_gc.nursery, &cursor, "tgc_dump_heap");
    full_collection();
    int written = tgc_heap_dump_write(path, NULL);
    if (result != NULL)
        *result = written;
    return cursor_after_collection();
}

void tgc_enable(void)
{
    tgc_gc.control.enabled = true;
}

void tgc_disable(void)
{
    tgc_gc.control.enabled = false;
}

bool tgc_isenabled(void)
{
    return tgc_gc.control.enabled;
}
