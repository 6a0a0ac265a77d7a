/* aging_policy.h -- whether minor collections should keep the nursery's
 * survivors young in the survivor space (aging_policy.c).
 *
 * Aging pays when most objects that survive one minor collection die
 * before the next: they are copied once more, but never marked or swept.
 * It costs when they live on (a long-lived structure being built): each
 * is copied twice, and the survivor space holds memory for nothing.  So a
 * minor collection that finds more than half of the aged bytes still
 * reachable turns aging off, and the survivor space is given back; after
 * a while it is tried again.
 *
 * A pure function of one minor collection's figures and its own state,
 * as nursery_policy.h is, so that tests can feed it made-up sequences;
 * collect.c applies the decision. */
#ifndef TGC_AGING_POLICY_H
#define TGC_AGING_POLICY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tgc_aging_policy {
    bool off;                   /* aging found not to pay */
    unsigned collections_off;   /* minor collections since */
} tgc_aging_policy;

/* One minor collection, as it ended. */
typedef struct tgc_aging_figures {
    size_t nursery_size;
    size_t aged_before;         /* bytes the survivor space held when it began */
    size_t aged_promoted;       /* of those, the bytes it reached (promoted) */
} tgc_aging_figures;

/* Aged bytes below 1/AGING_MEASURE_DIVISOR of the nursery are too few to
 * judge by; aging stays off for AGING_RETRY_AFTER minor collections. */
enum {
    TGC_AGING_MEASURE_DIVISOR = 64,
    TGC_AGING_RETRY_AFTER = 16,
};

/* Whether the next minor collection may age. */
bool tgc_aging_policy_next(tgc_aging_policy *policy, const tgc_aging_figures *f);

#endif /* TGC_AGING_POLICY_H */
