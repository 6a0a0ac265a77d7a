/* profile_mix.c -- a fixed mix of allocations from known sites, for
 * test_memview.py to compare with what TYPEGC_PROFILE sampled.
 *
 *   usage: profile_mix [ROUNDS]
 *
 * Each round allocates, each from its own function (the allocation
 * site): Items (32 bytes), Holders (24), Doubles of 30 items (256),
 * Bytes of 100 (120), and every tenth round one Bytes of 200000 (outside
 * the nursery).  Each site's last object stays live (registered roots),
 * the rest is garbage at once.  It prints the truth, one line per site:
 *     site FUNCTION TYPE BYTES OBJECTS */
#include <stdio.h>
#include <stdlib.h>

#include "arrays.h"

enum { ITEMS = 2000, HOLDERS = 2000, DOUBLES = 250, SMALL_BYTES = 500, SMALL_LENGTH = 100,
       BIG_LENGTH = 200000, BIG_EVERY = 10 };

typedef struct site {
    const char *function, *type;
    unsigned long long bytes, objects;
} site;

static site sites[] = {
    { "make_items", "Item", 0, 0 },
    { "make_holders", "Holder", 0, 0 },
    { "make_doubles", "Doubles", 0, 0 },
    { "make_small_bytes", "Bytes", 0, 0 },
    { "make_big_bytes", "Bytes", 0, 0 },
};

static void count(int k, size_t size, unsigned n)
{
    sites[k].bytes += (unsigned long long)size * n;
    sites[k].objects += n;
}

/* Each site keeps its last object in a global, so the compiler cannot
 * drop the allocations. */
Item *last_item;
Holder *last_holder;
Doubles *last_doubles;
Bytes *last_bytes;

__attribute__((noinline)) void make_items(tgc_cursor c)
{
    for (int i = 0; i < ITEMS; i++)
        last_item = TGC_NEW(Item, c);
    count(0, Item__SIZE, ITEMS);
}

__attribute__((noinline)) void make_holders(tgc_cursor c)
{
    for (int i = 0; i < HOLDERS; i++)
        last_holder = TGC_NEW(Holder, c);
    count(1, Holder__SIZE, HOLDERS);
}

__attribute__((noinline)) void make_doubles(tgc_cursor c)
{
    for (int i = 0; i < DOUBLES; i++)
        last_doubles = TGC_NEW_ARRAY(Doubles, c, 30);
    count(2, tgc_round_up_size(Doubles__ITEMS_OFFSET + 30 * Doubles__ITEM_SIZE), DOUBLES);
}

__attribute__((noinline)) void make_small_bytes(tgc_cursor c)
{
    for (int i = 0; i < SMALL_BYTES; i++)
        last_bytes = TGC_NEW_ARRAY(Bytes, c, SMALL_LENGTH);
    count(3, tgc_round_up_size(Bytes__ITEMS_OFFSET + SMALL_LENGTH), SMALL_BYTES);
}

__attribute__((noinline)) void make_big_bytes(tgc_cursor c)
{
    last_bytes = TGC_NEW_ARRAY(Bytes, c, BIG_LENGTH);
    count(4, tgc_round_up_size(Bytes__ITEMS_OFFSET + BIG_LENGTH), 1);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 3000;
    if (rounds <= 0) {
        fprintf(stderr, "usage: profile_mix [ROUNDS]\n");
        return 2;
    }
    if (arrays_init() != 0)
        return 1;
    tgc_register_root(&last_item);
    tgc_register_root(&last_holder);
    tgc_register_root(&last_doubles);
    tgc_register_root(&last_bytes);
    tgc_cursor c;
    tgc_cursor_open(c);
    for (long r = 0; r < rounds; r++) {
        make_items(c);
        make_holders(c);
        make_doubles(c);
        make_small_bytes(c);
        if (r % BIG_EVERY == 0)
            make_big_bytes(c);
    }
    tgc_cursor_close(c);
    tgc_profile_flush();
    for (size_t k = 0; k < sizeof sites / sizeof sites[0]; k++)
        printf("site %s %s %llu %llu\n", sites[k].function, sites[k].type, sites[k].bytes,
               sites[k].objects);
    return 0;
}
