/* pause_samples.h -- what bench/pauses and bench/splay measure the same
 * way: samples in nanoseconds (the max and the 99th percentile), the GC
 * pauses gathered from the hooks, and the peak resident memory.
 *
 * A pause is the whole time the program is stopped in the collector at
 * once: the minor collection and the major steps that follow it at the
 * same safe point.  The hooks deliver the minor collections first, then
 * the steps (tgc_hooks_fire), so a minor hook closes the previous pause. */
#ifndef BENCH_PAUSE_SAMPLES_H
#define BENCH_PAUSE_SAMPLES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct samples {
    uint64_t *ns;
    size_t count, capacity;
} samples;

static void add_sample(samples *s, uint64_t ns)
{
    if (s->count == s->capacity) {
        s->capacity = s->capacity ? 2 * s->capacity : 4096;
        s->ns = realloc(s->ns, s->capacity * sizeof *s->ns);
        if (s->ns == NULL) {
            fprintf(stderr, "out of memory for samples\n");
            exit(1);
        }
    }
    s->ns[s->count++] = ns;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts the samples; the largest (0 if none: Boehm has no hooks). */
static uint64_t sample_max(samples *s)
{
    if (s->count == 0)
        return 0;
    qsort(s->ns, s->count, sizeof *s->ns, compare_u64);
    return s->ns[s->count - 1];
}

/* After sample_max(): the one 99 % of the samples do not pass. */
static uint64_t sample_p99(const samples *s)
{
    return s->count ? s->ns[(s->count * 99) / 100] : 0;
}

static samples pauses;
static uint64_t pending_pause;  /* the pause being gathered, ns */

/* Ends the pause being gathered; call once more at the end. */
static void close_pause(void)
{
    if (pending_pause != 0)
        add_sample(&pauses, pending_pause);
    pending_pause = 0;
}

static void on_minor(const tgc_minor_stats *s, void *arg)
{
    (void)arg;
    close_pause();              /* a new safe point */
    pending_pause = s->duration;
}

static void on_step(const tgc_collect_step_stats *s, void *arg)
{
    (void)arg;
    pending_pause += s->duration;
}

static void gather_pauses(void)
{
    tgc_hooks hooks = { .on_gc_minor = on_minor, .on_gc_collect_step = on_step };
    tgc_set_hooks(&hooks);
}

static long peak_rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kib / 1024;
}

#endif /* BENCH_PAUSE_SAMPLES_H */
