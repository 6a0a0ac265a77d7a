/* init.c -- start-up, in the order PyPy's incminimark follows, so that
 * PYPYLOG shows the same sections: a bootstrap nursery of the minimum size,
 * the environment, the hardware, one minor collection, the real nursery.
 * It sets each part's configuration once, before the program runs.  A
 * later tgc_init(), another schema's NAME_init(), only adds its types. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc.h"
#include "log.h"
#include "profile.h"
#include "sysmem.h"
#include "torture.h"

tgc_collector tgc_gc;

/* With TYPEGC_PAUSE_GOAL_MS, per millisecond of the goal: the first
 * nursery (the latency settings' figure for 1 ms, which met it), and a
 * marking step's budget, four times theirs: the step's time limit keeps
 * the pause, and the faster marking the footprint (runtime/DESIGN.md, "The
 * pause goal"). */
#define PAUSE_GOAL_NURSERY_PER_MS   (128.0 * 1024)
#define PAUSE_GOAL_INCREMENT_PER_MS (2048.0 * 1024)
/* The adaptive nursery's largest size, before the memory bound. */
#define ADAPTIVE_NURSERY_MAX        ((size_t)256 << 20)

/* The largest nursery the cache estimate may give.  The estimate reads
 * the last-level cache of the whole host (480 MiB on one guest of this
 * project, a 240 MiB nursery): resident once filled, before any figure
 * says that the program needs it; the policy grows the nursery from there
 * when the figures do (runtime/DESIGN.md, "The adaptive nursery"). */
#define NURSERY_ESTIMATE_MAX        ((size_t)48 << 20)

/* The nursery size, from PYPY_GC_NURSERY, the pause goal or the L2 cache
 * (at most NURSERY_ESTIMATE_MAX);
 * sets the tiny nursery mode for sizes below the minimum (a goal under
 * about 2 ms asks for one). */
static size_t choose_nursery_size(const tgc_config *config)
{
    size_t size = config->nursery_size & ~(size_t)(TGC_WORD - 1);
    if (config->nursery_size == 0) {
        long l2 = tgc_l2_cache_size();
        tgc_log_start("gc-hardware");
        tgc_log_print("L2cache = %ld", l2 < 0 ? LONG_MAX : l2);
        tgc_log_stop("gc-hardware");
        if (l2 < 0)
            tgc_log_print("Warning: cannot find your CPU L2 cache size in /proc/cpuinfo");
        size = tgc_nursery_size_for_l2(l2);
        if (size > NURSERY_ESTIMATE_MAX)
            size = NURSERY_ESTIMATE_MAX;
        if (config->pause_goal_ms > 0) {
            double goal_size = config->pause_goal_ms * PAUSE_GOAL_NURSERY_PER_MS;
            if (goal_size < (double)size)
                size = (size_t)goal_size & ~(size_t)(TGC_OS_PAGE - 1);
            if (size < TGC_OS_PAGE)
                size = TGC_OS_PAGE;
        }
    }
    if (config->torture > 0) {
        tgc_gc.nursery.debug_tiny = 1;
        return TGC_TORTURE_NURSERY_SIZE;
    }
    if (size < TGC_MIN_NURSERY_SIZE) {
        tgc_gc.nursery.debug_tiny = (long)size;
        size = TGC_MIN_NURSERY_SIZE;
    }
    return size;
}

static void read_total_memory(tgc_config *config)
{
    if (config->max_delta != 0)
        return;
    double memtotal = tgc_total_memory();
    tgc_log_start("gc-hardware");
    if (memtotal < 0)
        tgc_log_print("get_total_memory() failed");
    else
        tgc_log_print("memtotal = %f", memtotal);
    tgc_log_stop("gc-hardware");
    config->max_delta = memtotal < 0 ? SIZE_MAX / 2 : (size_t)(memtotal / 8);
}

/* TYPEGC_PAUSE_GOAL_MS stands for the latency settings: steps cut at half
 * the goal and a marking budget that fits in it, unless set themselves. */
static void configure_pause_goal(tgc_config *config)
{
    double goal = config->pause_goal_ms;
    if (goal <= 0)
        return;
    if (config->step_max_us == 0)
        config->step_max_us = goal * 500 >= 1 ? (long)(goal * 500) : 1;
    if (config->increment_step == 0)
        config->increment_step = (size_t)(goal * PAUSE_GOAL_INCREMENT_PER_MS) + 1;
}

/* The policy adapts the nursery unless a knob fixes it: PYPY_GC_NURSERY,
 * TYPEGC_TORTURE, the failure injection, whose tests count requests, the
 * memory limit, or a pause goal short enough to ask for fills below the
 * minimum nursery. */
static bool nursery_adapts(const tgc_config *config)
{
    return config->nursery_size == 0 && config->torture == 0 && config->fail_alloc == 0 &&
           config->memory_limit == 0 && tgc_gc.nursery.debug_tiny < 0;
}

/* PyPy's unknown-cache size, or the estimate if smaller. */
static size_t cache_sized(size_t estimate)
{
    return estimate < TGC_DEFAULT_NURSERY_SIZE ? estimate : TGC_DEFAULT_NURSERY_SIZE;
}

/* The first nursery.  The estimate reads the "cache size" of /proc/cpuinfo,
 * which on x86 is the last-level cache that every core (and on a virtual
 * machine, every guest) shares, far more than one core keeps cached: a
 * program that keeps nothing would write every new object to memory, and
 * the first fill of such a nursery costs a page fault per 2 MiB, slow on a
 * virtual machine.  So an adaptive nursery without a pause goal starts at
 * PyPy's unknown-cache size, and doubles towards the estimate (the
 * policy's working size) while its collections copy out much. */
static size_t first_nursery_size(const tgc_config *config, size_t estimate)
{
    if (!nursery_adapts(config) || config->pause_goal_ms > 0)
        return estimate;
    return cache_sized(estimate);
}

/* With a pause goal the nursery starts small and may shrink to the
 * minimum.  Without one it starts at the cache-sized default, doubles
 * towards the estimate while the program keeps much, and may shrink back.  A
 * program whose old generation is as large as the estimate keeps at least
 * the estimate (the floor in collect.c; runtime/DESIGN.md, "The adaptive
 * nursery"). */
static void configure_adaptive_nursery(const tgc_config *config, size_t estimate)
{
    tgc_collect_control *control = &tgc_gc.control;
    control->nursery_initial_size = estimate;
    control->nursery_adapts = nursery_adapts(config);
    double goal = config->pause_goal_ms;
    tgc_nursery_policy_init(&control->nursery_policy, (tgc_nursery_limits){
        .min_size = goal > 0 ? TGC_MIN_NURSERY_SIZE : cache_sized(estimate),
        .max_size = estimate > ADAPTIVE_NURSERY_MAX ? estimate : ADAPTIVE_NURSERY_MAX,
        .working_size = goal > 0 ? 0 : estimate,
        .pause_goal_ns = goal > 0 ? (uint64_t)(goal * 1e6 / 2) : 0,
    });
}

/* Spare arenas for the prefault helper: enough that a minor collection
 * promoting its whole nursery finds them ready, and two more.  None by
 * default under the failure-injection knobs, whose tests count requests. */
static size_t choose_spare_arenas(const tgc_config *config, size_t nursery_size)
{
    long n = config->prefault_arenas;
    if (n < 0) {
        if (config->fail_alloc > 0 || config->memory_limit > 0)
            return 0;
        n = (long)(nursery_size / TGC_ARENA_SIZE) + 2;
    }
    return n > TGC_MAX_SPARE_ARENAS ? TGC_MAX_SPARE_ARENAS : (size_t)n;
}

/* TYPEGC_DUMP_HEAP_AT_EXIT=FILE: at exit the program's cursor is closed
 * (its words live in the program's registers, so with one open the
 * nursery's extent is unknown and nothing can be collected). */
static const char *dump_at_exit_path;

static void dump_heap_at_exit(void)
{
    if (tgc_gc.nursery.cursor_open) {
        fprintf(stderr, "typegc: TYPEGC_DUMP_HEAP_AT_EXIT: the cursor is still open at "
                "exit, no dump written to '%s' (close it before the program ends)\n",
                dump_at_exit_path);
        return;
    }
    tgc_cursor c;
    tgc_cursor_open(c);
    int written = tgc_dump_heap(c, dump_at_exit_path);
    (void)written;              /* a failure was said on stderr */
    tgc_cursor_close(c);
}

/* Everything but the types, once. */
static int start_collector(void)
{
    tgc_collector *gc = &tgc_gc;
    gc->nursery.debug_tiny = -1;
    if (tgc_config_read(&gc->config) != 0)
        return -1;
    /* first: TYPEGC_FAIL_ALLOC and TYPEGC_MEMORY_LIMIT apply from here on */
    tgc_sys_init(gc->config.fail_alloc, gc->config.memory_limit);
    if (tgc_log_open() != 0 || tgc_profile_open() != 0)
        return -1;
    tgc_shadowstack_init();

    gc->nursery.debug_fill = gc->config.nursery_debug;
    gc->nursery.torture = gc->config.torture > 0;
    if (tgc_nursery_allocate(&gc->nursery, TGC_MIN_NURSERY_SIZE) != 0)
        return -1;
    if (gc->config.torture > 0) {
        gc->config.nursery_debug = gc->nursery.debug_fill = true;
        tgc_torture_init(&gc->nursery);
    }
    gc->survivors.debug_fill = gc->config.nursery_debug;
    size_t nursery_size = choose_nursery_size(&gc->config);
    read_total_memory(&gc->config);
    tgc_arena_init(&gc->arenas);
    gc->arenas.poison_freed = gc->config.nursery_debug;
    tgc_minor_collection(0, 0);
    tgc_nursery_free_mapping(&gc->nursery);
    if (tgc_nursery_allocate(&gc->nursery, first_nursery_size(&gc->config, nursery_size)) != 0)
        return -1;
    configure_pause_goal(&gc->config);
    configure_adaptive_nursery(&gc->config, nursery_size);
    gc->arenas.memory.spare_target = choose_spare_arenas(&gc->config, nursery_size);
    /* PyPy's default: nursery_size // (2 * large_object) */
    gc->pinning.max_pinned = gc->config.max_pinned >= 0 ? (size_t)gc->config.max_pinned
                                                        : nursery_size / TGC_MIN_NURSERY_SIZE;
    size_t reserve_size = 2 * nursery_size + 4 * TGC_ARENA_SIZE;
    if (!tgc_sys_take_reserve(reserve_size)) {
        fprintf(stderr, "typegc: out of memory: cannot map the emergency reserve (%zu bytes)\n",
                reserve_size);
        return -1;
    }
    gc->control.enabled = true;
    gc->control.aging = !gc->config.no_aging;
    tgc_major_init();
    dump_at_exit_path = getenv("TYPEGC_DUMP_HEAP_AT_EXIT");
    if (dump_at_exit_path != NULL && dump_at_exit_path[0] != '\0')
        atexit(dump_heap_at_exit);
    return 0;
}

/* 1 until the first tgc_init() has started the collector; then what
 * starting it returned, for every later call. */
static int start_result = 1;

int tgc_init(const tgc_type_table *types)
{
    if (tgc_install_types(types) != 0)
        return -1;
    if (start_result == 1)
        start_result = start_collector();
    return start_result;
}
