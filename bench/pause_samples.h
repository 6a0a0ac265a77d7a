/* pause_samples.h -- what bench/pauses and bench/splay measure the same
 * way: samples in nanoseconds (the max and the 99th percentile), the GC
 * pauses gathered from the hooks, and the peak resident memory.
 *
 * A pause is the whole time the program is stopped in the collector at
 * once: the minor collection and the major steps that follow it at the
 * same safe point.  The hooks deliver the minor collections first, then
 * the steps (tgc_hooks_fire), so a minor hook closes the previous pause.
 *
 * On a shared machine the kernel sometimes runs another process in the
 * middle of a pause, which then lasts milliseconds longer than the
 * collector worked.  So each minor hook also reads the process's count of
 * involuntary context switches: a pause is "not preempted" when the count
 * did not move since the previous safe point (program time included, so a
 * few pauses are set aside that were not preempted themselves).  The
 * hooks' cpu_duration gives each pause's time on the CPU as well, which
 * leaves out time the hypervisor took too. */
#ifndef BENCH_PAUSE_SAMPLES_H
#define BENCH_PAUSE_SAMPLES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

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
static samples pauses_not_preempted;
static samples pauses_on_cpu;
static uint64_t pending_cpu;    /* the pause's time on the CPU, ns */
static uint64_t pending_pause;  /* the pause being gathered, ns */
static int pending_preempted;   /* another process ran since the last one */
static long involuntary_switches;

/* Ends the pause being gathered; call once more at the end. */
static void close_pause(void)
{
    if (pending_pause != 0) {
        add_sample(&pauses, pending_pause);
        add_sample(&pauses_on_cpu, pending_cpu);
        if (!pending_preempted)
            add_sample(&pauses_not_preempted, pending_pause);
    }
    pending_pause = pending_cpu = 0;
}

#ifndef RUSAGE_THREAD
#define RUSAGE_THREAD 1         /* Linux's, declared only under _GNU_SOURCE */
#endif

/* This thread's only: the runtime's helper thread (prefault.c) has its own. */
static long involuntary_switches_now(void)
{
    struct rusage usage;
    return getrusage(RUSAGE_THREAD, &usage) == 0 ? usage.ru_nivcsw : -1;
}

static void on_minor(const tgc_minor_stats *s, void *arg)
{
    (void)arg;
    close_pause();              /* a new safe point */
    pending_pause = s->duration;
    pending_cpu = s->cpu_duration;
    long switches = involuntary_switches_now();
    pending_preempted = switches != involuntary_switches;
    involuntary_switches = switches;
}

static void on_step(const tgc_collect_step_stats *s, void *arg)
{
    (void)arg;
    pending_pause += s->duration;
    pending_cpu += s->cpu_duration;
}

static void gather_pauses(void)
{
    involuntary_switches = involuntary_switches_now();
    tgc_hooks hooks = { .on_gc_minor = on_minor, .on_gc_collect_step = on_step };
    tgc_set_hooks(&hooks);
}

/* Prints the pause lines: `pauses`, `max pause`, `p99 pause`, the max of
 * the pauses not preempted, with how many were set aside, and the max and
 * p99 of the pauses' time on the CPU. */
static void print_pauses(void)
{
    uint64_t max = sample_max(&pauses);
    uint64_t p99 = sample_p99(&pauses);
    printf("pauses: %zu\n", pauses.count);
    printf("max pause: %.3f ms\n", (double)max / 1e6);
    printf("p99 pause: %.3f ms\n", (double)p99 / 1e6);
    printf("max pause, not preempted: %.3f ms (%zu pauses set aside)\n",
           (double)sample_max(&pauses_not_preempted) / 1e6,
           pauses.count - pauses_not_preempted.count);
    uint64_t max_cpu = sample_max(&pauses_on_cpu);
    printf("max pause on CPU: %.3f ms\n", (double)max_cpu / 1e6);
    printf("p99 pause on CPU: %.3f ms\n", (double)sample_p99(&pauses_on_cpu) / 1e6);
    free(pauses.ns);
    free(pauses_not_preempted.ns);
    free(pauses_on_cpu.ns);
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
