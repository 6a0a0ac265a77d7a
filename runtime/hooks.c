/* hooks.c -- PyPy's gc.hooks: events are folded together while the
 * collector works, and handed to the program's hooks at the next safe
 * point (tgc_at_safe_point), one call per kind of event. */
#include <time.h>

#include "hooks.h"
#include "util.h"

static tgc_hooks hooks;
static tgc_minor_stats minor_events;
static tgc_collect_step_stats step_events;
static tgc_collect_stats collect_events;
static bool firing;

void tgc_set_hooks(const tgc_hooks *new_hooks)
{
    hooks = new_hooks != NULL ? *new_hooks : (tgc_hooks){0};
    minor_events = (tgc_minor_stats){0};
    step_events = (tgc_collect_step_stats){0};
    collect_events = (tgc_collect_stats){0};
}

uint64_t tgc_hooks_cpu_clock(void)
{
    if (hooks.on_gc_minor == NULL && hooks.on_gc_collect_step == NULL)
        return 0;
    return tgc_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* Folds one event's durations into the count, total and extremes. */
#define FOLD_DURATIONS(e, duration, cpu_duration)                          \
    fold_duration(&(e)->count, &(e)->duration, &(e)->duration_min,         \
                  &(e)->duration_max, &(e)->cpu_duration, (duration), (cpu_duration))

static void fold_duration(uint64_t *count, uint64_t *total, uint64_t *min, uint64_t *max,
                          uint64_t *cpu_total, uint64_t duration, uint64_t cpu_duration)
{
    if (*count == 0 || duration < *min)
        *min = duration;
    if (*count == 0 || duration > *max)
        *max = duration;
    *total += duration;
    *cpu_total += cpu_duration;
    (*count)++;
}

void tgc_hooks_minor_done(uint64_t duration, uint64_t cpu_duration, size_t total_memory_used,
                          size_t pinned_objects)
{
    if (hooks.on_gc_minor == NULL)
        return;
    FOLD_DURATIONS(&minor_events, duration, cpu_duration);
    minor_events.total_memory_used = total_memory_used;
    minor_events.pinned_objects = pinned_objects;
}

void tgc_hooks_step_done(uint64_t duration, uint64_t cpu_duration, tgc_phase old_phase,
                         tgc_phase new_phase)
{
    if (hooks.on_gc_collect_step == NULL)
        return;
    FOLD_DURATIONS(&step_events, duration, cpu_duration);
    step_events.oldstate = old_phase;
    step_events.newstate = new_phase;
    step_events.major_is_done = old_phase != TGC_PHASE_SCANNING &&
                                new_phase == TGC_PHASE_SCANNING;
}

void tgc_hooks_collect_done(const tgc_collect_stats *cycle)
{
    if (hooks.on_gc_collect == NULL)
        return;
    uint64_t count = collect_events.count + 1;
    collect_events = *cycle;
    collect_events.count = count;
}

void tgc_hooks_fire(void)
{
    if (firing)
        return;
    firing = true;
    if (minor_events.count > 0 && hooks.on_gc_minor != NULL) {
        tgc_minor_stats e = minor_events;
        minor_events = (tgc_minor_stats){0};
        hooks.on_gc_minor(&e, hooks.arg);
    }
    if (step_events.count > 0 && hooks.on_gc_collect_step != NULL) {
        tgc_collect_step_stats e = step_events;
        step_events = (tgc_collect_step_stats){0};
        hooks.on_gc_collect_step(&e, hooks.arg);
    }
    if (collect_events.count > 0 && hooks.on_gc_collect != NULL) {
        tgc_collect_stats e = collect_events;
        collect_events = (tgc_collect_stats){0};
        hooks.on_gc_collect(&e, hooks.arg);
    }
    firing = false;
}
