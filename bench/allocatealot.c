/* allocatealot -- the allocation loop of "How fast can the RPython GC
 * allocate?" (PyPy blog, 2025), on typegc: two 16-byte objects alive at a
 * time.  Same command line and output as the article's targetallocatealot-c.
 *
 *   usage: allocatealot LOOPS 0|1      (1: initialize the field)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "allocatealot.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void print_pair(const A *prev, const A *a)
{
    char left[64], right[64];
    tgc_format_object(left, sizeof left, prev);
    tgc_format_object(right, sizeof right, a);
    printf("%s %s\n", left, right);
}

/* The cursor is a local that only the runtime's slow paths see, by value,
 * so the compiler keeps it in registers; `prev` is the one root, saved only
 * on the slow path. */
static void run(bool initialize_field, long long loops)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    double t1 = now();
    A *a = NULL, *prev = NULL;
    if (initialize_field) {
        for (long long i = 0; i < loops; i++) {
            prev = a;
            a = TGC_NEW(A, c, prev);
            a->i = i;
        }
    } else {
        for (long long i = 0; i < loops; i++) {
            prev = a;
            a = TGC_NEW(A, c, prev);
        }
    }
    print_pair(prev, a);
    double t2 = now();
    tgc_cursor_close(c);
    printf("%f s\n", t2 - t1);
    double object_size_in_words = 2; /* GC header, one integer field */
    double mem = (double)loops * 8 * object_size_in_words / 1024.0 / 1024.0 / 1024.0;
    printf("%f GB\n", mem);
    printf("%f GB/s\n", mem / (t2 - t1));
}

static bool parse_count(const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < 0)
        return false;
    *out = value;
    return true;
}

int main(int argc, char **argv)
{
    long long loops, with_init;
    if (argc != 3 || !parse_count(argv[1], &loops) || !parse_count(argv[2], &with_init) ||
        with_init > 1) {
        fprintf(stderr, "usage: %s LOOPS 0|1\n", argc > 0 ? argv[0] : "allocatealot");
        return 2;
    }
    if (allocatealot_init() != 0)
        return 1;
    if (with_init)
        printf("with initialization\n");
    else
        printf("without initialization\n");
    run(with_init != 0, loops);
    return 0;
}
