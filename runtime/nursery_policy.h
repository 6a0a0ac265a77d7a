/* nursery_policy.h -- how big the next nursery should be (nursery_policy.c).
 *
 * A pure function of one minor collection's figures and a little history:
 * no clock, no memory, no global state, so that tests can feed it made-up
 * sequences.  collect.c gathers the figures at the end of each minor
 * collection and applies the decision (nursery.c does the resizing).
 *
 * Without a pause goal it aims at throughput: a nursery that promotes a
 * large share of what it holds, objects that then die in the old
 * generation, is doubled, so that objects which live a little longer
 * than one nursery die young instead of being copied, marked and swept; one that promotes almost nothing is halved back
 * towards the cache-sized minimum.  The memory bound caps it.  With a
 * pause goal, a minor collection over its share of the goal halves the
 * nursery, and growth must leave room under it (runtime/DESIGN.md, "The
 * adaptive nursery"). */
#ifndef TGC_NURSERY_POLICY_H
#define TGC_NURSERY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tgc_nursery_reason {
    TGC_NURSERY_KEEP,
    TGC_NURSERY_GROW_START,         /* survivors at the start: doubled, up to
                                       the working size */
    TGC_NURSERY_GROW_SURVIVAL,      /* much of it survived, memory allows */
    TGC_NURSERY_GROW_FLOOR,         /* below the floor the old generation allows */
    TGC_NURSERY_SHRINK_SURVIVAL,    /* almost nothing survived */
    TGC_NURSERY_SHRINK_NOTHING,     /* nothing to speak of survived */
    TGC_NURSERY_SHRINK_PAUSE,       /* the collection took over its goal */
    TGC_NURSERY_SHRINK_MEMORY,      /* above the memory bound */
    TGC_NURSERY_FORCED,             /* TYPEGC_NURSERY_RESIZE_EVERY (tests) */
} tgc_nursery_reason;

typedef struct tgc_nursery_limits {
    size_t min_size;            /* never below (the cache-sized default) */
    size_t max_size;            /* never above */
    /* Up to where a nursery that starts below it doubles at each
     * collection that copies out half its fill, until it is
     * resized for another reason (the cache estimate; 0: none).  A program
     * that keeps nothing never fills a nursery this large. */
    size_t working_size;
    uint64_t pause_goal_ns;     /* a minor collection's share of the goal; 0: none */
} tgc_nursery_limits;

/* One minor collection, as it ended. */
typedef struct tgc_nursery_figures {
    size_t size;                /* the nursery it emptied */
    size_t used;                /* bytes allocated in it since the last one */
    size_t surviving;           /* bytes it copied out */
    uint64_t pause_ns;          /* how long it took */
    size_t memory_bound;        /* the largest nursery memory allows now */
    /* The smallest nursery the old generation's size calls for (0: the
     * limits' minimum): a program that keeps a large heap keeps objects
     * for long, and its nursery does not shrink below this for low
     * survival, nor for the memory bound.  Ignored under a pause goal. */
    size_t floor;
    /* Of the bytes minor collections promoted between the last two major
     * cycles, the percentage the later one found dead (0 before two):
     * objects that outlive a nursery but die soon after, which a larger
     * nursery would let die young.  A program building up its live heap
     * promotes as much, but keeps it: a larger nursery only costs memory. */
    unsigned promoted_dying_percent;
} tgc_nursery_figures;

typedef struct tgc_nursery_policy {
    tgc_nursery_limits limits;
    bool past_start;                /* resized but by GROW_START: no more of it */
    unsigned high_survival_runs;    /* consecutive full nurseries, each */
    unsigned low_survival_runs;
    unsigned idle_runs;
} tgc_nursery_policy;

typedef struct tgc_nursery_decision {
    size_t size;                /* the next nursery's size */
    tgc_nursery_reason reason;  /* TGC_NURSERY_KEEP: size is figures.size */
} tgc_nursery_decision;

/* A nursery that promotes at least 1/GROW_DIVISOR of its fill
 * GROW_AFTER times running is doubled; one that promotes at most
 * 1/SHRINK_DIVISOR SHRINK_AFTER times running is halved, and one that
 * promotes at most 1/IDLE_DIVISOR (a program that keeps nothing) that
 * many times goes to the floor at once.  The gap between the two and the
 * runs keep a program whose survival hovers near one threshold from
 * resizing at every collection. */
enum {
    TGC_NURSERY_POLICY_PAGE = 4096,     /* sizes are whole pages */
    TGC_NURSERY_GROW_DIVISOR = 4,
    TGC_NURSERY_GROW_AFTER = 2,
    TGC_NURSERY_SHRINK_DIVISOR = 32,
    TGC_NURSERY_SHRINK_AFTER = 8,
    TGC_NURSERY_IDLE_DIVISOR = 1024,
    TGC_NURSERY_GROW_DYING_PERCENT = 50,    /* and only if this much of what
                                               was promoted died */
    /* At the start (limits.working_size): doubled at each collection that
     * copies out 1/START_DIVISOR of its fill; half, not GROW_DIVISOR's
     * quarter, so that a program whose long-lived data is a few MiB stops
     * early (runtime/DESIGN.md, "The adaptive nursery"). */
    TGC_NURSERY_START_DIVISOR = 2,
};

void tgc_nursery_policy_init(tgc_nursery_policy *policy, tgc_nursery_limits limits);

/* The next size after the collection `f` describes: within the limits,
 * a multiple of the page size. */
tgc_nursery_decision tgc_nursery_policy_next(tgc_nursery_policy *policy,
                                             const tgc_nursery_figures *f);

/* The reason as the log prints it. */
const char *tgc_nursery_reason_name(tgc_nursery_reason reason);

#endif /* TGC_NURSERY_POLICY_H */
