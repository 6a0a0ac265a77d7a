/* allocatealot -- the allocation loop of "How fast can the RPython GC
 * allocate?" (PyPy blog, 2025), on typegc: two 16-byte objects alive at a
 * time.  Same command line and output as the article's targetallocatealot-c.
 *
 *   usage: allocatealot LOOPS 0|1      (1: initialize the field)
 */
#include <stdbool.h>
#include <stdio.h>

#include "alloc_loop.h"
#include "allocatealot.h"

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
    double t1 = alloc_loop_now();
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
    double t2 = alloc_loop_now();
    tgc_cursor_close(c);
    double object_size_in_words = 2; /* GC header, one integer field */
    alloc_loop_report(loops, 8 * object_size_in_words, t1, t2);
}

int main(int argc, char **argv)
{
    long long loops, with_init;
    if (argc != 3 || !alloc_loop_parse_count(argv[1], &loops) ||
        !alloc_loop_parse_count(argv[2], &with_init) ||
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
