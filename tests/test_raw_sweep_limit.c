/* test_raw_sweep_limit.c -- TYPEGC_STEP_MAX_US bounds the sweeping of
 * large (raw-malloced) objects, as it does marking and the sweeping of
 * arena pages (test_major).  Each case runs in a child that sets its own
 * environment. */
#include "arrays.h"
#include "check.h"

static tgc_cursor c;

/* 6000 old byte arrays of 400 bytes, all dead: without a limit a sweeping
 * step looks at nursery × 3 ÷ 280 of them (2896 with the smallest
 * nursery), so they take 3 steps; with a limit of 1 microsecond a step
 * stops at the first clock reading past it, every 64 objects (~94 steps
 * here, over 20 asked).  Only the steps until no raw memory is left are
 * counted: the sweep of the arena pages after them is limited too, and
 * would take over 20 steps by itself.  Exits with that count, at most
 * 100, or 99 if raw memory is left when the sweep ends. */
enum { RAW_ARRAYS = 6000 };
static Items *raw_holders;

static void count_raw_sweeping_steps_child(void *max_us)
{
    set_env("TYPEGC_STEP_MAX_US", max_us);
    set_env("PYPY_GC_NURSERY", "64KB");
    set_env("PYPY_GC_INCREMENT_STEP", "256MB");
    set_env("PYPY_GC_DEBUG", "1");
    set_env("PYPY_GC_NURSERY_DEBUG", "1");
    if (arrays_init() != 0)
        _exit(98);
    tgc_cursor_open(c);
    tgc_register_root(&raw_holders);
    raw_holders = TGC_NEW_ARRAY(Items, c, RAW_ARRAYS);
    for (size_t i = 0; i < RAW_ARRAYS; i++) {
        Items_set(raw_holders, i, TGC_NEW(Item, c));
        Bytes *label = TGC_NEW_ARRAY(Bytes, c, 400);
        Item_set_label(Items_get(raw_holders, i), label);
    }
    tgc_collect(c);
    raw_holders = NULL;
    tgc_disable();
    tgc_step_result r = step_into(c, TGC_PHASE_SWEEPING);
    tgc_stats stats;
    int steps = 0;
    for (;;) {
        tgc_get_stats(&stats, false);
        if (stats.total_rawmalloced_memory == 0 || r.new_phase != TGC_PHASE_SWEEPING)
            break;
        tgc_collect_step(c, &r);
        steps++;
    }
    fprintf(stderr, "steps sweeping: %d, rawmalloced after: %zu bytes\n", steps,
            stats.total_rawmalloced_memory);
    _exit(stats.total_rawmalloced_memory != 0 ? 99 : steps > 98 ? 100 : steps);
}

static bool is_three(int steps)
{
    return steps == 3;
}

static bool is_over_twenty(int steps)
{
    return steps > 20 && steps != 99;
}

static void test_step_time_limit_cuts_raw_sweeping_steps(void)
{
    CHECK(is_three(child_status(count_raw_sweeping_steps_child, NULL, is_three)));
    CHECK(is_over_twenty(child_status(count_raw_sweeping_steps_child, "1", is_over_twenty)));
}

int main(void)
{
    RUN(test_step_time_limit_cuts_raw_sweeping_steps);
    return check_finish();
}
