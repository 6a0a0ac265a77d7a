/* limit -- what a bump-pointer allocator can do at best on this machine:
 * the loop of bench/allocatealot with all of the collector taken out.
 * Objects are 16 bytes (a header word and one integer), two alive at a
 * time, and a full nursery is simply reused from its start, as a minor
 * collection with no survivors would leave it.  Same command line and
 * output as bench/allocatealot, so that bench/vs-limit.sh compares rates.
 *
 *   usage: limit LOOPS 0|1 [register|memory]     (1: initialize the field)
 *
 * register (default): the cursor is a local struct that the slow path
 *     takes and returns by value, so the compiler keeps it in registers:
 *     the shape typegc's TGC_NEW aims at.
 * memory: the cursor is a global, stored and loaded again at every
 *     allocation: the shape of the C that RPython emits for the article.
 *
 * Like typegc's, each object is written whole: header and field (the
 * loop counter with initialization, 0 without). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_loop.h"

/* typegc's default nursery size (PYPY_GC_NURSERY) where the cache is small. */
#define NURSERY_BYTES ((size_t)4 << 20)
#define OBJECT_BYTES 16
#define HEADER_OF_A 1u          /* type id 1, no flags, as allocatealot's A */

typedef struct obj {
    uintptr_t header;
    long long i;
} obj;

typedef struct bump {
    char *free;
    char *top;
} bump;

static char *nursery;
static unsigned long long refills;

/* The slow path, out of line as typegc's tgc_refill is: the whole nursery
 * again, with nothing to copy out. */
__attribute__((noinline)) static bump refill(bump used)
{
    (void)used;
    refills++;
    return (bump){ nursery, nursery + NURSERY_BYTES };
}

static inline obj *take(bump *c)
{
    if ((size_t)(c->top - c->free) < OBJECT_BYTES)
        *c = refill(*c);
    obj *o = (obj *)c->free;
    c->free += OBJECT_BYTES;
    return o;
}

static void loop_in_registers(long long loops, bool initialize_field, obj **prev_out, obj **last_out)
{
    bump c = { nursery, nursery + NURSERY_BYTES };
    obj *a = NULL, *prev = NULL;
    if (initialize_field) {
        for (long long i = 0; i < loops; i++) {
            prev = a;
            a = take(&c);
            a->header = HEADER_OF_A;
            a->i = i;
        }
    } else {
        for (long long i = 0; i < loops; i++) {
            prev = a;
            a = take(&c);
            a->header = HEADER_OF_A;
            a->i = 0;
        }
    }
    *prev_out = prev;
    *last_out = a;
}

static bump global_cursor;

static void loop_in_memory(long long loops, bool initialize_field, obj **prev_out, obj **last_out)
{
    global_cursor = (bump){ nursery, nursery + NURSERY_BYTES };
    obj *a = NULL, *prev = NULL;
    /* The empty asm says the cursor is in memory there: stored before,
     * loaded again after. */
    if (initialize_field) {
        for (long long i = 0; i < loops; i++) {
            __asm__ volatile("" : "+m"(global_cursor));
            prev = a;
            a = take(&global_cursor);
            a->header = HEADER_OF_A;
            a->i = i;
        }
    } else {
        for (long long i = 0; i < loops; i++) {
            __asm__ volatile("" : "+m"(global_cursor));
            prev = a;
            a = take(&global_cursor);
            a->header = HEADER_OF_A;
            a->i = 0;
        }
    }
    *prev_out = prev;
    *last_out = a;
}

int main(int argc, char **argv)
{
    long long loops, with_init;
    bool in_memory = argc == 4 && strcmp(argv[3], "memory") == 0;
    if (argc < 3 || argc > 4 || !alloc_loop_parse_count(argv[1], &loops) ||
        !alloc_loop_parse_count(argv[2], &with_init) || with_init > 1 ||
        (argc == 4 && !in_memory && strcmp(argv[3], "register") != 0)) {
        fprintf(stderr, "usage: %s LOOPS 0|1 [register|memory]\n", argc > 0 ? argv[0] : "limit");
        return 2;
    }
    nursery = aligned_alloc(64, NURSERY_BYTES);
    if (nursery == NULL) {
        fprintf(stderr, "limit: out of memory\n");
        return 1;
    }
    memset(nursery, 0, NURSERY_BYTES);  /* resident before the clock starts */
    printf(with_init ? "with initialization\n" : "without initialization\n");

    obj *prev, *a;
    double t1 = alloc_loop_now();
    if (in_memory)
        loop_in_memory(loops, with_init != 0, &prev, &a);
    else
        loop_in_registers(loops, with_init != 0, &prev, &a);
    printf("<A object at %p> <A object at %p>\n", (void *)prev, (void *)a);
    double t2 = alloc_loop_now();
    alloc_loop_report(loops, OBJECT_BYTES, t1, t2);
    fprintf(stderr, "refills: %llu\n", refills);
    free(nursery);
    return 0;
}
