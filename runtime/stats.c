/* stats.c -- memory accounting, read by tgc_get_memory_stats(). */
#include "gc.h"

void tgc_get_memory_stats(tgc_memory_stats *stats)
{
    const tgc_gc *gc = &tgc_state;
    const tgc_arena_collection *ac = &gc->arenas;
    *stats = (tgc_memory_stats){
        .arena_used = ac->total_memory_used,
        .arena_used_peak = ac->peak_memory_used > ac->total_memory_used
                               ? ac->peak_memory_used : ac->total_memory_used,
        .arena_allocated = ac->total_memory_alloced,
        .arena_allocated_peak = ac->peak_memory_alloced,
        .arenas_count = ac->arenas_count,
        .rawmalloced = gc->rawmalloced_total_size,
        .rawmalloced_peak = gc->rawmalloced_peak_size,
        .nursery_size = gc->nursery_size,
        .minor_collections = gc->minor_collections,
        .minor_time_ns = gc->minor_time_ns,
    };
}
