/* env.h -- the environment knobs (env.c) and the hardware sizes the
 * collector sizes itself from (hardware.c).  Read once, by tgc_init(). */
#ifndef TGC_ENV_H
#define TGC_ENV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tgc_config {
    size_t nursery_size;        /* PYPY_GC_NURSERY; 0 = from the L2 cache */
    bool nursery_debug;         /* PYPY_GC_NURSERY_DEBUG */
    long debug_level;           /* PYPY_GC_DEBUG */
    long max_pinned;            /* PYPY_GC_MAX_PINNED; -1 = nursery / 270336 */
    double major_collect;       /* PYPY_GC_MAJOR_COLLECT; 0 = 1.82 */
    double growth;              /* PYPY_GC_GROWTH; 0 = 1.4 */
    size_t min_heap;            /* PYPY_GC_MIN; 0 = 32 MiB */
    size_t max_heap;            /* PYPY_GC_MAX; 0 = no limit */
    size_t max_delta;           /* PYPY_GC_MAX_DELTA; 0 = 1/8 of the RAM */
    size_t increment_step;      /* PYPY_GC_INCREMENT_STEP; 0 = 4 x nursery */
    long torture;               /* TYPEGC_TORTURE; 0 = off (torture.c) */
    long fail_alloc;            /* TYPEGC_FAIL_ALLOC; 0 = off (sysmem.c) */
    size_t memory_limit;        /* TYPEGC_MEMORY_LIMIT; 0 = off (sysmem.c) */
    long prefault_arenas;       /* TYPEGC_PREFAULT_ARENAS; -1 = the default */
    long step_max_us;           /* TYPEGC_STEP_MAX_US; 0 = no limit */
    double pause_goal_ms;       /* TYPEGC_PAUSE_GOAL_MS; <= 0 = none */
    long nursery_resize_every;  /* TYPEGC_NURSERY_RESIZE_EVERY; 0 = off */
    bool no_aging;              /* TYPEGC_NO_AGING */
    bool aging_always;          /* TYPEGC_AGING_ALWAYS */
} tgc_config;

/* Fills *config from the environment; -1 after printing what is wrong. */
int tgc_config_read(tgc_config *config);

long tgc_l2_cache_size(void);           /* -1 if unknown */
double tgc_total_memory(void);          /* bytes, or -1.0 if unknown */
size_t tgc_nursery_size_for_l2(long l2);

#endif /* TGC_ENV_H */
