/* hooks.h -- PyPy's gc.hooks (hooks.c): the collectors report each event
 * here as it ends, with its figures; the events are folded together and
 * handed to the program's hooks at the next safe point (collect.c). */
#ifndef TGC_HOOKS_H
#define TGC_HOOKS_H

#include <stdint.h>

#include "typegc.h"

/* The thread's CPU clock in ns if a minor or step hook is installed, else
 * 0: read around a collection for the hooks' cpu_duration. */
uint64_t tgc_hooks_cpu_clock(void);
void tgc_hooks_minor_done(uint64_t duration, uint64_t cpu_duration, size_t total_memory_used,
                          size_t pinned_objects);
void tgc_hooks_step_done(uint64_t duration, uint64_t cpu_duration, tgc_phase old_phase,
                         tgc_phase new_phase);
/* A major cycle ended; `cycle` holds its figures (its count is ignored). */
void tgc_hooks_collect_done(const tgc_collect_stats *cycle);
/* Calls the program's hooks with what was folded since the last call. */
void tgc_hooks_fire(void);

#endif /* TGC_HOOKS_H */
