/* hardware.c -- the cache and memory sizes the GC sizes itself from, read
 * as PyPy's env.py reads them on Linux x86-64. */
#include <stdio.h>
#include <string.h>

#include "env.h"
#include "nursery.h"

/* The smallest "cache size : N KB" of /proc/cpuinfo, in bytes.  On x86 this
 * is often the last-level cache; PyPy logs it as "L2cache" all the same. */
long tgc_l2_cache_size(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return -1;
    long best = -1;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "cache size", 10) != 0)
            continue;
        const char *colon = strchr(line, ':');
        long kb;
        char unit;
        if (colon != NULL && sscanf(colon + 1, " %ld %c", &kb, &unit) == 2 &&
            (unit == 'K' || unit == 'k') && kb > 0) {
            long bytes = kb * 1024;
            if (best < 0 || bytes < best)
                best = bytes;
        }
    }
    fclose(f);
    return best;
}

/* env.py's best_nursery_size_for_L2cache. */
size_t tgc_nursery_size_for_l2(long l2)
{
    if (l2 > 8L * 1024 * 1024)
        return (size_t)l2 / 2;
    return TGC_DEFAULT_NURSERY_SIZE;
}

/* MemTotal of /proc/meminfo, in bytes. */
double tgc_total_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return -1.0;
    double result = -1.0;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        double kb;
        if (sscanf(line, "MemTotal: %lf kB", &kb) == 1) {
            result = kb * 1024.0;
            break;
        }
    }
    fclose(f);
    return result;
}
