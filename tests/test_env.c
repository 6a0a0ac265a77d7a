/* test_env.c -- PYPY_GC_NURSERY is read as PyPy reads sizes ("4M", "1KB",
 * "1.5GB", plain bytes), tiny values switch to the debug mode that keeps
 * the minimum nursery and collects every few bytes, and a malformed value
 * is reported by name instead of being ignored. */
#include "allocatealot.h"
#include "check.h"

/* In a child: init with PYPY_GC_NURSERY=value, allocate 1000 objects and
 * print the nursery size and the number of minor collections (bootstrap
 * excluded) on stderr. */
static void init_with_nursery(void *value)
{
    setenv("PYPY_GC_NURSERY", value, 1);
    unsetenv("PYPYLOG");
    if (allocatealot_init() != 0)
        _exit(3);
    tgc_cursor c;
    tgc_cursor_open(c);
    for (int i = 0; i < 1000; i++)
        (void)TGC_NEW(A, c);
    tgc_cursor_close(c);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    fprintf(stderr, "nursery %zu collections %llu\n", stats.nursery_size,
            (unsigned long long)stats.minor_collections - 1);
}

/* The nursery size the child reports; *collections its minor collections. */
static long nursery_for(const char *value, long *collections)
{
    char err[4096];
    long size = -1;
    *collections = -1;
    int status = run_in_child(init_with_nursery, (void *)value, err, sizeof err);
    if (status != 0 || sscanf(err, "nursery %ld collections %ld", &size, collections) != 2)
        fprintf(stderr, "PYPY_GC_NURSERY=%s: status %d, stderr: %s\n", value, status, err);
    return size;
}

static void test_sizes_with_suffixes(void)
{
    long collections;
    CHECK_EQ_U(nursery_for("4M", &collections), 4194304);
    CHECK_EQ_U(nursery_for("4MB", &collections), 4194304);
    CHECK_EQ_U(nursery_for("1.5mb", &collections), 1572864);
    CHECK_EQ_U(nursery_for("300000", &collections), 300000);
    CHECK_EQ_U(nursery_for("2g", &collections), 2147483648);
}

static void test_zero_means_default(void)
{
    long collections;
    CHECK(nursery_for("0", &collections) >= 4194304);
}

static void test_tiny_values_collect_often(void)
{
    long collections;
    /* The nursery keeps its minimum size, 2 x large_object ... */
    CHECK_EQ_U(nursery_for("1KB", &collections), 270336);
    /* ... but 1000 objects of 16 bytes in fills of 1024 bytes take 15
     * collections. */
    CHECK_EQ_U(collections, 15);
    /* "1": a collection at every allocation. */
    CHECK_EQ_U(nursery_for("1", &collections), 270336);
    CHECK_EQ_U(collections, 1000);
}

static void test_malformed_value_is_reported(void)
{
    const char *bad[] = { "lots", "4X", "", "1e999", "M", "4 M" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[4096];
        int status = run_in_child(init_with_nursery, (void *)bad[i], err, sizeof err);
        CHECK_EQ_U(status, 3);
        char expected[64];
        snprintf(expected, sizeof expected, "typegc: PYPY_GC_NURSERY=%s: not a size", bad[i]);
        if (strstr(err, expected) == NULL) {
            fprintf(stderr, "for '%s': %s", bad[i], err);
            CHECK(!"message names the variable");
        }
    }
}

int main(void)
{
    RUN(test_sizes_with_suffixes);
    RUN(test_zero_means_default);
    RUN(test_tiny_values_collect_often);
    RUN(test_malformed_value_is_reported);
    return check_finish();
}
