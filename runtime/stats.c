/* stats.c -- PyPy's gc.get_stats(): the counters, read from each part of
 * the collector, and the report. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gc.h"

void tgc_get_stats(tgc_stats *stats, bool with_memory_pressure)
{
    const tgc_arena_collection *ac = &tgc_gc.arenas;
    const tgc_raw_space *raw = &tgc_gc.raw;
    const tgc_major *major = &tgc_gc.major;
    size_t nursery_size = tgc_gc.nursery.size;
    const tgc_survivors *survivors = &tgc_gc.survivors;
    size_t aged = tgc_survivors_size(survivors), survivor_space = tgc_survivors_mapped(survivors);
    /* the pressure given without an object, and the live objects' */
    size_t pressure;
    if (__builtin_add_overflow(major->memory_pressure, tgc_gc.pressure.of_live_objects,
                               &pressure))
        pressure = SIZE_MAX;
    size_t arena_peak = ac->peak_memory_used > ac->total_memory_used ? ac->peak_memory_used
                                                                      : ac->total_memory_used;
    *stats = (tgc_stats){
        .total_gc_memory = ac->total_memory_used + raw->total_size + nursery_size + aged,
        .peak_gc_memory = arena_peak + raw->peak_size + nursery_size + aged,
        .total_arena_memory = ac->total_memory_used,
        .peak_arena_memory = arena_peak,
        .total_rawmalloced_memory = raw->total_size,
        .peak_rawmalloced_memory = raw->peak_size,
        .nursery_size = nursery_size,
        .total_allocated_memory =
            ac->total_memory_alloced + raw->total_size + nursery_size + survivor_space,
        .peak_allocated_memory =
            ac->peak_memory_alloced + raw->peak_size + nursery_size + survivor_space,
        .arenas_count = ac->arenas_count,
        .total_memory_pressure = !with_memory_pressure ? -1
                                 : pressure > (size_t)LLONG_MAX ? LLONG_MAX
                                                                : (long long)pressure,
        .total_gc_time_ns = tgc_gc.minor.time_ns + major->time_ns,
        .minor_collections = tgc_gc.minor.collections,
        .major_collections = major->num_major_collects,
        .major_steps = major->steps,
        .destructors_run = tgc_gc.destructors.run,
        .weakrefs_cleared = tgc_gc.weakrefs.cleared,
        .nursery_resizes = tgc_gc.nursery.resizes,
        .peak_nursery_size = tgc_gc.nursery.peak_size,
        .finalizers_queued = tgc_gc.finalizers.queued,
        .pinned_objects = tgc_pinning_count(&tgc_gc.pinning),
        .aged_size = aged,
        .survivor_space_size = survivor_space,
        .aged_total = survivors->copied_total,
    };
}

/* PyPy's format_size: kB below a million bytes, MB above. */
static const char *format_size(char *buf, double bytes)
{
    if (bytes < 1000000)
        snprintf(buf, 32, "%.1fkB", bytes / 1024.0);
    else
        snprintf(buf, 32, "%.1fMB", bytes / 1024.0 / 1024.0);
    return buf;
}

/* Seconds from whole milliseconds, as Python's str() of a float prints
 * them: "0.123", "2.5", "0.0". */
static const char *format_seconds(char *buf, uint64_t ns)
{
    uint64_t ms = ns / 1000000;
    snprintf(buf, 32, "%llu.%03llu", (unsigned long long)(ms / 1000),
             (unsigned long long)(ms % 1000));
    size_t n = strlen(buf);
    while (buf[n - 1] == '0' && buf[n - 2] != '.')
        buf[--n] = '\0';
    return buf;
}

int tgc_format_stats(char *buf, size_t size, const tgc_stats *s)
{
    char b[16][32], pressure_size[32], seconds[32];
    char pressure[64] = "";
    double pressure_bytes = s->total_memory_pressure > 0 ? (double)s->total_memory_pressure : 0;
    if (s->total_memory_pressure >= 0)
        snprintf(pressure, sizeof pressure, "\n    memory pressure:         %s",
                 format_size(pressure_size, pressure_bytes));
    /* PyPy's lines: the survivor space is part of the young generation,
     * shown with the nursery (used: its aged objects; allocated: its
     * mapping) */
    size_t allocated_in_arenas = s->total_allocated_memory - s->total_rawmalloced_memory -
                                 s->nursery_size - s->survivor_space_size;
    return snprintf(buf, size,
        "Total memory consumed:\n"
        "    GC used:                 %s (peak: %s)\n"
        "       in arenas:            %s (peak: %s)\n"
        "       rawmalloced:          %s (peak: %s)\n"
        "       nursery:              %s\n"
        "    raw assembler used:      %s%s\n"
        "    -----------------------------\n"
        "    Total:                   %s\n"
        "\n"
        "    Total memory allocated (includes freelists):\n"
        "    GC allocated:            %s (peak: %s)\n"
        "       in arenas:            %s\n"
        "       rawmalloced:          %s\n"
        "       nursery:              %s\n"
        "    raw assembler allocated: %s%s\n"
        "    -----------------------------\n"
        "    Total:                   %s\n"
        "\n"
        "    Total time spent in GC:  %s\n"
        "    ",
        format_size(b[0], (double)s->total_gc_memory), format_size(b[1], (double)s->peak_gc_memory),
        format_size(b[2], (double)s->total_arena_memory),
        format_size(b[3], (double)s->peak_arena_memory),
        format_size(b[4], (double)s->total_rawmalloced_memory),
        format_size(b[5], (double)s->peak_rawmalloced_memory),
        format_size(b[6], (double)(s->nursery_size + s->aged_size)), format_size(b[7], 0),
        pressure,
        format_size(b[8], (double)s->total_gc_memory + pressure_bytes),
        format_size(b[9], (double)s->total_allocated_memory),
        format_size(b[10], (double)s->peak_allocated_memory),
        format_size(b[11], (double)allocated_in_arenas),
        format_size(b[12], (double)s->total_rawmalloced_memory),
        format_size(b[13], (double)(s->nursery_size + s->survivor_space_size)),
        format_size(b[14], 0), pressure,
        format_size(b[15], (double)s->total_allocated_memory + pressure_bytes),
        format_seconds(seconds, s->total_gc_time_ns));
}
