/* util.h -- what every module of the runtime may use: stopping with a
 * message (fatal.c) and the clocks (log.c).  Calls nothing above it. */
#ifndef TGC_UTIL_H
#define TGC_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

void tgc_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2), cold));

/* Nanoseconds on `clock` (clock_gettime); tgc_now_ns() is CLOCK_MONOTONIC,
 * what the log's timestamps and the pause durations use. */
uint64_t tgc_clock_ns(clockid_t clock);
uint64_t tgc_now_ns(void);

/* Whether a step's `deadline` (a tgc_now_ns() time; 0: none) has passed. */
static inline bool tgc_deadline_passed(uint64_t deadline)
{
    return deadline != 0 && tgc_now_ns() >= deadline;
}

#endif /* TGC_UTIL_H */
