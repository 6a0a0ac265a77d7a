/* aging_policy.c -- aging_policy.h's decision. */
#include "aging_policy.h"

bool tgc_aging_policy_next(tgc_aging_policy *policy, const tgc_aging_figures *f)
{
    if (policy->off) {
        if (++policy->collections_off >= TGC_AGING_RETRY_AFTER)
            policy->off = false;
        return !policy->off;
    }
    bool measurable = f->aged_before >= f->nursery_size / TGC_AGING_MEASURE_DIVISOR &&
                      f->aged_before > 0;
    if (measurable && f->aged_promoted > f->aged_before / 2) {
        policy->off = true;
        policy->collections_off = 0;
    }
    return !policy->off;
}
