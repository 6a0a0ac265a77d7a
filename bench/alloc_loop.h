/* alloc_loop.h -- what bench/allocatealot and bench/limit share: their
 * command line (LOOPS 0|1) and their report (the seconds, the GB
 * allocated and the rate, as the article's targetallocatealot-c prints
 * them), so that bench/vs-limit.sh compares like with like. */
#ifndef BENCH_ALLOC_LOOP_H
#define BENCH_ALLOC_LOOP_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double alloc_loop_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A non-negative decimal count, all of `text`. */
static inline bool alloc_loop_parse_count(const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < 0)
        return false;
    *out = value;
    return true;
}

/* `loops` objects of `object_bytes` each, allocated between t1 and t2. */
static inline void alloc_loop_report(long long loops, double object_bytes, double t1, double t2)
{
    double mem = (double)loops * object_bytes / 1024.0 / 1024.0 / 1024.0;
    printf("%f s\n", t2 - t1);
    printf("%f GB\n", mem);
    printf("%f GB/s\n", mem / (t2 - t1));
}

#endif /* BENCH_ALLOC_LOOP_H */
