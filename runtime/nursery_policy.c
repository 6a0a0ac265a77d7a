/* nursery_policy.c -- the adaptive nursery's decisions (nursery_policy.h).
 * Pure: the figures come in, a size and a reason go out. */
#include <stdbool.h>

#include "nursery_policy.h"

static const char *const reason_names[] = {
    [TGC_NURSERY_KEEP] = "kept",
    [TGC_NURSERY_GROW_START] = "grown: survivors at the start",
    [TGC_NURSERY_GROW_SURVIVAL] = "grown: high survival",
    [TGC_NURSERY_GROW_FLOOR] = "grown: large old generation",
    [TGC_NURSERY_SHRINK_SURVIVAL] = "shrunk: low survival",
    [TGC_NURSERY_SHRINK_NOTHING] = "shrunk: nothing survived",
    [TGC_NURSERY_SHRINK_PAUSE] = "shrunk: pause over the goal",
    [TGC_NURSERY_SHRINK_MEMORY] = "shrunk: memory bound",
    [TGC_NURSERY_FORCED] = "forced: TYPEGC_NURSERY_RESIZE_EVERY",
};

const char *tgc_nursery_reason_name(tgc_nursery_reason reason)
{
    return (unsigned)reason < sizeof reason_names / sizeof reason_names[0]
               ? reason_names[reason] : "(invalid)";
}

static size_t page_floor(size_t size)
{
    return size & ~(size_t)(TGC_NURSERY_POLICY_PAGE - 1);
}

void tgc_nursery_policy_init(tgc_nursery_policy *policy, tgc_nursery_limits limits)
{
    limits.min_size = page_floor(limits.min_size);
    limits.max_size = page_floor(limits.max_size);
    limits.working_size = page_floor(limits.working_size);
    if (limits.max_size < limits.min_size)
        limits.max_size = limits.min_size;
    if (limits.working_size > limits.max_size)
        limits.working_size = limits.max_size;
    *policy = (tgc_nursery_policy){ .limits = limits };
}

static tgc_nursery_decision resize(tgc_nursery_policy *policy, size_t size,
                                   tgc_nursery_reason reason)
{
    policy->high_survival_runs = policy->low_survival_runs = policy->idle_runs = 0;
    if (reason != TGC_NURSERY_GROW_START)
        policy->past_start = true;
    return (tgc_nursery_decision){ size, reason };
}

tgc_nursery_decision tgc_nursery_policy_next(tgc_nursery_policy *policy,
                                             const tgc_nursery_figures *f)
{
    const tgc_nursery_limits *limits = &policy->limits;
    size_t size = f->size;
    size_t bound = f->memory_bound < limits->max_size ? page_floor(f->memory_bound)
                                                      : limits->max_size;
    if (bound < limits->min_size)
        bound = limits->min_size;
    /* The floor holds without a pause goal only: with one, the goal
     * decides how large a collection may be. */
    size_t floor = limits->pause_goal_ns == 0 && page_floor(f->floor) > limits->min_size
                       ? page_floor(f->floor) : limits->min_size;
    if (floor > limits->max_size)
        floor = limits->max_size;
    if (bound < floor)
        bound = floor;
    size_t half = page_floor(size / 2) > floor ? page_floor(size / 2) : floor;
    if (size > bound)
        return resize(policy, bound, TGC_NURSERY_SHRINK_MEMORY);
    if (size < floor)
        return resize(policy, floor, TGC_NURSERY_GROW_FLOOR);
    if (limits->pause_goal_ns != 0 && f->pause_ns > limits->pause_goal_ns && size > half)
        return resize(policy, half, TGC_NURSERY_SHRINK_PAUSE);

    /* A collection asked for before the nursery filled (tgc_collect, a
     * large object) says little about how long its objects live. */
    if (f->used < size / 2)
        return (tgc_nursery_decision){ size, TGC_NURSERY_KEEP };
    if (f->surviving * TGC_NURSERY_GROW_DIVISOR >= f->used) {
        policy->high_survival_runs++;
        policy->low_survival_runs = 0;
    } else if (f->surviving * TGC_NURSERY_SHRINK_DIVISOR <= f->used) {
        policy->low_survival_runs++;
        policy->high_survival_runs = 0;
    } else {
        policy->high_survival_runs = policy->low_survival_runs = 0;
    }
    if (f->surviving * TGC_NURSERY_IDLE_DIVISOR <= f->used)
        policy->idle_runs++;
    else
        policy->idle_runs = 0;

    /* A nursery that starts small for a program that may keep nothing:
     * until it is resized for another reason, each collection that copies
     * out half its fill doubles it, up to the working size.  A
     * program that keeps much reaches it in a few collections, without the
     * gates below (their figures take two major cycles); one that keeps a
     * little stops on the way, with less memory to fault in. */
    if (!policy->past_start && f->surviving * TGC_NURSERY_START_DIVISOR >= f->used) {
        size_t to = 2 * size < limits->working_size ? 2 * size : limits->working_size;
        if (to > bound)
            to = bound;
        if (to > size)
            return resize(policy, to, TGC_NURSERY_GROW_START);
    }

    /* Doubling the nursery may double what the next collection copies:
     * with a goal, grow only if twice this pause still meets half of it,
     * which leaves room for the collections that promote more than this
     * one did. */
    bool pause_allows_growth = limits->pause_goal_ns == 0 ||
                               4 * f->pause_ns <= limits->pause_goal_ns;
    bool promoted_objects_die = f->promoted_dying_percent >= TGC_NURSERY_GROW_DYING_PERCENT;
    if (policy->high_survival_runs >= TGC_NURSERY_GROW_AFTER && size < bound &&
        pause_allows_growth && promoted_objects_die)
        return resize(policy, size <= bound / 2 ? 2 * size : bound, TGC_NURSERY_GROW_SURVIVAL);
    /* A program that keeps nothing gains nothing from the steps between:
     * straight to the floor, which a large old generation still holds. */
    if (policy->idle_runs >= TGC_NURSERY_SHRINK_AFTER && size > floor)
        return resize(policy, floor, TGC_NURSERY_SHRINK_NOTHING);
    if (policy->low_survival_runs >= TGC_NURSERY_SHRINK_AFTER && size > half)
        return resize(policy, half, TGC_NURSERY_SHRINK_SURVIVAL);
    return (tgc_nursery_decision){ size, TGC_NURSERY_KEEP };
}
