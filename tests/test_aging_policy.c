/* test_aging_policy.c -- the aging policy's decisions
 * (runtime/aging_policy.c), fed sequences of made-up collection figures:
 * no program, no clock. */
#include "aging_policy.h"
#include "check.h"

enum { MiB = 1 << 20, NURSERY = 64 * MiB };

/* A minor collection that found `aged` bytes in the survivor space and
 * promoted `promoted` of them. */
static bool next(tgc_aging_policy *p, size_t aged, size_t promoted)
{
    tgc_aging_figures f = { .nursery_size = NURSERY, .aged_before = aged,
                            .aged_promoted = promoted };
    return tgc_aging_policy_next(p, &f);
}

/* Aged objects that die before the next collection: aging goes on. */
static void test_stays_on_while_aged_objects_die(void)
{
    tgc_aging_policy p = { 0 };
    for (int i = 0; i < 100; i++)
        CHECK(next(&p, 30 * MiB, (size_t)(i % 3) * MiB));
    /* half is not more than half */
    CHECK(next(&p, 30 * MiB, 15 * MiB));
}

/* Most aged bytes live on (a long-lived structure being built): off at
 * once, for TGC_AGING_RETRY_AFTER collections, then tried again. */
static void test_off_while_aged_objects_live_on(void)
{
    tgc_aging_policy p = { 0 };
    CHECK(!next(&p, 30 * MiB, 30 * MiB));
    for (int i = 1; i < TGC_AGING_RETRY_AFTER; i++)
        CHECK(!next(&p, 0, 0));
    CHECK(next(&p, 0, 0));
    /* the try finds them living on again: off again */
    CHECK(!next(&p, 20 * MiB, 11 * MiB));
    /* what the collections while off find does not shorten the wait */
    for (int i = 1; i < TGC_AGING_RETRY_AFTER; i++)
        CHECK(!next(&p, 20 * MiB, 0));
    CHECK(next(&p, 0, 0));
}

/* A few aged bytes say nothing: below 1/TGC_AGING_MEASURE_DIVISOR of the
 * nursery, all of them living on keeps aging on. */
static void test_too_few_to_judge(void)
{
    tgc_aging_policy p = { 0 };
    size_t few = NURSERY / TGC_AGING_MEASURE_DIVISOR - 8;
    for (int i = 0; i < 50; i++)
        CHECK(next(&p, few, few));
    CHECK(next(&p, 0, 0));
    CHECK(!next(&p, few + 8, few + 8));
}

int main(void)
{
    RUN(test_stays_on_while_aged_objects_die);
    RUN(test_off_while_aged_objects_live_on);
    RUN(test_too_few_to_judge);
    return check_finish();
}
