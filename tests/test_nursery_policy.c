/* test_nursery_policy.c -- the adaptive nursery's decisions
 * (runtime/nursery_policy.c), fed sequences of made-up collection figures:
 * no program, no clock. */
#include "check.h"
#include "nursery_policy.h"

enum { MiB = 1 << 20 };

static const tgc_nursery_limits throughput = { .min_size = 4 * MiB, .max_size = 256 * MiB };

/* A full nursery of `size` bytes, `surviving` of them copied out. */
static tgc_nursery_figures full(size_t size, size_t surviving)
{
    return (tgc_nursery_figures){ .size = size, .used = size, .surviving = surviving,
                                  .pause_ns = 1000000, .memory_bound = SIZE_MAX,
                                  .promoted_dying_percent = 90 };
}

/* Runs `n` collections with the given survival (a fraction of each
 * nursery), applying each decision; returns the last size. */
static size_t run(tgc_nursery_policy *p, size_t size, double survival, int n, size_t bound)
{
    for (int i = 0; i < n; i++) {
        tgc_nursery_figures f = full(size, (size_t)((double)size * survival));
        f.memory_bound = bound;
        tgc_nursery_decision d = tgc_nursery_policy_next(p, &f);
        CHECK(d.size >= p->limits.min_size && d.size <= p->limits.max_size);
        CHECK(d.size % TGC_NURSERY_POLICY_PAGE == 0);
        CHECK((d.reason == TGC_NURSERY_KEEP) == (d.size == size));
        size = d.size;
    }
    return size;
}

static void test_grows_while_much_survives(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, throughput);
    tgc_nursery_figures f = full(4 * MiB, 2 * MiB);
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);   /* once is not enough */
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_GROW_SURVIVAL);
    CHECK_EQ_U(d.size, 8 * MiB);
    /* and on, up to the largest size, never past it */
    CHECK_EQ_U(run(&p, 8 * MiB, 0.5, 40, SIZE_MAX), 256 * MiB);
}

/* A heap being built up promotes everything and keeps it: growing the
 * nursery would not let anything die young. */
static void test_no_growth_while_promoted_objects_live_on(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, throughput);
    for (int i = 0; i < 20; i++) {
        tgc_nursery_figures f = full(4 * MiB, 4 * MiB);
        f.promoted_dying_percent = i < 10 ? 0 : 49;
        CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    }
    tgc_nursery_figures f = full(4 * MiB, 4 * MiB);
    f.promoted_dying_percent = 50;
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_GROW_SURVIVAL);
}

static void test_memory_bound_caps_and_shrinks(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, throughput);
    CHECK_EQ_U(run(&p, 4 * MiB, 0.5, 40, 20 * MiB), 20 * MiB);
    /* the bound falls below the size: shrink to it at once */
    tgc_nursery_figures f = full(20 * MiB, 10 * MiB);
    f.memory_bound = 6 * MiB;
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_SHRINK_MEMORY);
    CHECK_EQ_U(d.size, 6 * MiB);
    /* never below the minimum, whatever the bound */
    f = full(6 * MiB, 0);
    f.memory_bound = 0;
    d = tgc_nursery_policy_next(&p, &f);
    CHECK_EQ_U(d.size, 4 * MiB);
    CHECK_EQ_U(run(&p, 4 * MiB, 0.9, 20, 0), 4 * MiB);
}

/* A fresh policy after eight collections that promoted half the nursery:
 * returns the size they grew it to. */
static size_t grown(tgc_nursery_policy *p)
{
    tgc_nursery_policy_init(p, throughput);
    size_t size = run(p, 4 * MiB, 0.5, 8, SIZE_MAX);
    CHECK(size >= 32 * MiB);
    return size;
}

static void test_shrinks_back_when_little_survives(void)
{
    tgc_nursery_policy p;
    size_t size = grown(&p);
    /* a few quiet collections are not enough ... */
    CHECK_EQ_U(run(&p, size, 0.001, TGC_NURSERY_SHRINK_AFTER - 1, SIZE_MAX), size);
    /* ... but a quiet phase brings it back to the minimum, halving */
    tgc_nursery_figures f = full(size, 0);
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_SHRINK_SURVIVAL);
    CHECK_EQ_U(d.size, size / 2);
    CHECK_EQ_U(run(&p, size / 2, 0.0, 200, SIZE_MAX), 4 * MiB);
}

/* A program that keeps nothing goes to the floor at once, not halving
 * through every size between (allocatealot spent 32 collections on it);
 * one that keeps a little still halves. */
static void test_nothing_surviving_goes_to_the_floor(void)
{
    tgc_nursery_policy p;
    size_t size = grown(&p);
    CHECK_EQ_U(run(&p, size, 0.0, TGC_NURSERY_SHRINK_AFTER - 1, SIZE_MAX), size);
    tgc_nursery_figures f = full(size, size / TGC_NURSERY_IDLE_DIVISOR);
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_SHRINK_NOTHING);
    CHECK_EQ_U(d.size, 4 * MiB);

    /* above the floor, the floor */
    size = grown(&p);
    for (int i = 0; i < TGC_NURSERY_SHRINK_AFTER; i++) {
        f = full(size, 0);
        f.floor = 16 * MiB;
        d = tgc_nursery_policy_next(&p, &f);
    }
    CHECK(d.reason == TGC_NURSERY_SHRINK_NOTHING);
    CHECK_EQ_U(d.size, 16 * MiB);

    /* twice as much as nothing: halving */
    size = run(&p, 16 * MiB, 0.5, 4, SIZE_MAX);
    CHECK(size >= 32 * MiB);
    CHECK_EQ_U(run(&p, size, 2.0 / TGC_NURSERY_IDLE_DIVISOR, TGC_NURSERY_SHRINK_AFTER, SIZE_MAX),
               size / 2);
}

/* A nursery that starts at the cache-sized default below its working size
 * (the cache estimate) stays there while nothing survives, doubles at each
 * collection that copies out half its fill, whatever the promoted
 * objects do, up to the working size and the memory bound, and stops at
 * the first resize for another reason: after it, growth is by the usual
 * figures. */
static void test_survivors_at_the_start_double_it(void)
{
    tgc_nursery_limits limits = throughput;
    limits.working_size = 48 * MiB + 100;
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, limits);
    CHECK_EQ_U(p.limits.working_size, 48 * MiB);
    CHECK_EQ_U(run(&p, 4 * MiB, 0.0, 50, SIZE_MAX), 4 * MiB);
    tgc_nursery_figures under_half = full(4 * MiB, 4 * MiB * 45 / 100);
    under_half.promoted_dying_percent = 0;
    CHECK(tgc_nursery_policy_next(&p, &under_half).reason == TGC_NURSERY_KEEP);
    size_t size = 4 * MiB;
    size_t expect = 8 * MiB;
    for (int i = 0; i < 8 && size < 48 * MiB; i++, expect *= 2) {
        tgc_nursery_figures f = full(size, size / TGC_NURSERY_START_DIVISOR);
        f.promoted_dying_percent = 0;
        tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
        CHECK(d.reason == TGC_NURSERY_GROW_START);
        CHECK_EQ_U(d.size, expect < 48 * MiB ? expect : 48 * MiB);
        size = d.size;
    }
    CHECK_EQ_U(size, 48 * MiB);
    /* at the working size, the usual rules: no growth while promoted
     * objects live on */
    tgc_nursery_figures f = full(size, size);
    f.promoted_dying_percent = 0;
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);

    /* not above the memory bound */
    tgc_nursery_policy_init(&p, limits);
    f = full(16 * MiB, 16 * MiB);
    f.memory_bound = 20 * MiB;
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_GROW_START);
    CHECK_EQ_U(d.size, 20 * MiB);

    /* once resized for another reason (the floor here), no more: doubling
     * only if promoted objects die, after two collections */
    tgc_nursery_policy_init(&p, limits);
    f = full(4 * MiB, 0);
    f.floor = 8 * MiB;
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_GROW_FLOOR);
    f = full(8 * MiB, 4 * MiB);
    f.promoted_dying_percent = 0;
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    CHECK_EQ_U(run(&p, 8 * MiB, 0.5, 2, SIZE_MAX), 16 * MiB);

    /* none without a working size */
    tgc_nursery_policy_init(&p, throughput);
    f = full(4 * MiB, 4 * MiB);
    f.promoted_dying_percent = 0;
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
}

static void test_middling_survival_keeps_the_size(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, throughput);
    size_t size = run(&p, 4 * MiB, 0.5, 6, SIZE_MAX);
    CHECK_EQ_U(run(&p, size, 0.1, 100, SIZE_MAX), size);
    /* survival that alternates around a threshold never builds a run */
    for (int i = 0; i < 50; i++) {
        tgc_nursery_figures f = full(size, i % 2 ? size / 2 : size / 10);
        CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
        f = full(size, i % 2 ? 0 : size / 10);
        CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    }
}

static void test_early_collections_say_nothing(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, throughput);
    for (int i = 0; i < 20; i++) {
        tgc_nursery_figures f = full(4 * MiB, 1 * MiB);
        f.used = 1 * MiB;                   /* tgc_collect() on a quarter-full nursery */
        CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    }
}

static void test_pause_goal(void)
{
    tgc_nursery_policy p;
    tgc_nursery_limits limits = { .min_size = 270336, .max_size = 256 * MiB,
                                  .pause_goal_ns = 500000 };
    tgc_nursery_policy_init(&p, limits);
    CHECK_EQ_U(p.limits.min_size, 270336);      /* already whole pages */
    /* grows while twice the pause still meets half the goal ... */
    tgc_nursery_figures f = full(1 * MiB, 1 * MiB / 2);
    f.pause_ns = 125000;
    tgc_nursery_policy_next(&p, &f);
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_GROW_SURVIVAL);
    /* ... not when it would not ... */
    f = full(2 * MiB, 1 * MiB);
    f.pause_ns = 130000;
    for (int i = 0; i < 10; i++)
        CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    /* ... and a pause over the goal halves it at once, down to the minimum */
    size_t size = 2 * MiB;
    for (int i = 0; i < 10; i++) {
        f = full(size, size);
        f.pause_ns = 900000;
        tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
        CHECK(d.size >= p.limits.min_size);
        if (size > p.limits.min_size) {
            CHECK(d.reason == TGC_NURSERY_SHRINK_PAUSE);
            CHECK(d.size < size);
        }
        size = d.size;
    }
    CHECK_EQ_U(size, 270336);
}

/* A program with a large old generation: the floor lifts the nursery at
 * once, holds it through quiet phases and against the memory bound, and
 * still lets high survival grow it further; a floor of 0 is the minimum. */
static void test_floor(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, throughput);
    tgc_nursery_figures f = full(4 * MiB, 0);
    f.floor = 52 * MiB + 100;
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_GROW_FLOOR);
    CHECK_EQ_U(d.size, 52 * MiB);
    CHECK(strcmp(tgc_nursery_reason_name(d.reason), "grown: large old generation") == 0);
    /* quiet for long, under a bound below the floor: it stays */
    for (int i = 0; i < 100; i++) {
        f = full(52 * MiB, i % 2 == 0 ? 0 : 1024);
        f.floor = 52 * MiB;
        f.memory_bound = 6 * MiB;
        CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    }
    /* much survives and the bound allows: it grows past the floor, to the bound */
    size_t size = 52 * MiB;
    for (int i = 0; i < 10; i++) {
        f = full(size, size / 2);
        f.floor = 52 * MiB;
        f.memory_bound = 150 * MiB;
        size = tgc_nursery_policy_next(&p, &f).size;
    }
    CHECK_EQ_U(size, 150 * MiB);
    /* the floor gone (the old generation shrank): low survival halves it
     * back down to the minimum */
    CHECK_EQ_U(run(&p, size, 0.0, 200, SIZE_MAX), 4 * MiB);
    /* a floor above the largest size is the largest size */
    f = full(4 * MiB, 0);
    f.floor = 1024 * MiB;
    CHECK_EQ_U(tgc_nursery_policy_next(&p, &f).size, 256 * MiB);
}

/* Under a pause goal the floor does nothing: the goal sizes the nursery. */
static void test_floor_ignored_under_a_pause_goal(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, (tgc_nursery_limits){ .min_size = 256 * 1024,
                                                      .max_size = 256 * MiB,
                                                      .pause_goal_ns = 500000 });
    tgc_nursery_figures f = full(1 * MiB, 0);
    f.floor = 52 * MiB;
    f.pause_ns = 100000;
    CHECK(tgc_nursery_policy_next(&p, &f).reason == TGC_NURSERY_KEEP);
    f.pause_ns = 600000;
    tgc_nursery_decision d = tgc_nursery_policy_next(&p, &f);
    CHECK(d.reason == TGC_NURSERY_SHRINK_PAUSE);
    CHECK_EQ_U(d.size, 512 * 1024);
}

static void test_limits_are_whole_pages_and_ordered(void)
{
    tgc_nursery_policy p;
    tgc_nursery_policy_init(&p, (tgc_nursery_limits){ .min_size = 5 * MiB + 123,
                                                      .max_size = 3 * MiB });
    CHECK_EQ_U(p.limits.min_size, 5 * MiB);
    CHECK_EQ_U(p.limits.max_size, 5 * MiB);
    CHECK_EQ_U(run(&p, 5 * MiB, 0.9, 10, SIZE_MAX), 5 * MiB);
    CHECK(strcmp(tgc_nursery_reason_name(TGC_NURSERY_GROW_SURVIVAL), "grown: high survival") == 0);
    CHECK(strcmp(tgc_nursery_reason_name((tgc_nursery_reason)99), "(invalid)") == 0);
}

int main(void)
{
    RUN(test_grows_while_much_survives);
    RUN(test_no_growth_while_promoted_objects_live_on);
    RUN(test_memory_bound_caps_and_shrinks);
    RUN(test_shrinks_back_when_little_survives);
    RUN(test_nothing_surviving_goes_to_the_floor);
    RUN(test_survivors_at_the_start_double_it);
    RUN(test_middling_survival_keeps_the_size);
    RUN(test_early_collections_say_nothing);
    RUN(test_pause_goal);
    RUN(test_floor);
    RUN(test_floor_ignored_under_a_pause_goal);
    RUN(test_limits_are_whole_pages_and_ordered);
    return check_finish();
}
