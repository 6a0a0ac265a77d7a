/* test_arrays.c -- arrays of bytes, floats and references survive minor
 * collections with their contents; arrays of TGC_LARGE_OBJECT bytes and
 * more are allocated outside the nursery and never move, die when
 * unreachable, and keep the young objects they point to alive (through the
 * array write barrier once they are old).  Run with a tiny nursery. */
#include "arrays.h"
#include "check.h"

static tgc_cursor c;

static void test_byte_arrays_survive(void)
{
    enum { COUNT = 300 };
    Items *keep = TGC_NEW_ARRAY(Items, c, COUNT);
    for (size_t n = 0; n < COUNT; n++) {
        Bytes *b = TGC_NEW_ARRAY(Bytes, c, n, keep);
        for (size_t i = 0; i < n; i++)
            Bytes_set(b, i, (uint8_t)(n + i));
        Item *item = TGC_NEW(Item, c, keep, b);
        Item_set_label(item, b);
        Items_set(keep, n, item);
    }
    for (size_t n = 0; n < COUNT; n++) {
        Bytes *b = Items_get(keep, n)->label;
        CHECK_EQ_U(Bytes_length(b), n);
        for (size_t i = 0; i < n; i++)
            if (Bytes_get(b, i) != (uint8_t)(n + i)) {
                CHECK_EQ_U(Bytes_get(b, i), (uint8_t)(n + i));
                return;
            }
    }
}

static void test_double_arrays_survive(void)
{
    Doubles *d = TGC_NEW_ARRAY(Doubles, c, 1000);
    for (size_t i = 0; i < 1000; i++) {
        Doubles_set(d, i, (double)i * 0.5);
        (void)TGC_NEW_ARRAY(Doubles, c, 7, d);     /* garbage */
    }
    for (size_t i = 0; i < 1000; i++)
        CHECK(Doubles_get(d, i) == (double)i * 0.5);
}

static void test_new_arrays_are_zeroed(void)
{
    for (int round = 0; round < 200; round++) {
        Bytes *b = TGC_NEW_ARRAY(Bytes, c, 100);
        for (size_t i = 0; i < 100; i++)
            CHECK(Bytes_get(b, i) == 0);
        Items *items = TGC_NEW_ARRAY(Items, c, 20);
        for (size_t i = 0; i < 20; i++)
            CHECK(Items_get(items, i) == NULL);
    }
}

static void test_large_arrays_never_move(void)
{
    size_t length = TGC_LARGE_OBJECT;          /* bytes: at the threshold */
    Bytes *big = TGC_NEW_ARRAY(Bytes, c, length);
    Bytes_set(big, length - 1, 0x5a);
    Bytes *where = big;
    for (int i = 0; i < 100; i++) {
        TGC_SAVE(big);
        tgc_collect_minor(c);
        TGC_RESTORE(big);
        (void)TGC_NEW_ARRAY(Bytes, c, 100, big);
    }
    CHECK(big == where);  /* a large object never moves; typegc-check: allow */
    CHECK(Bytes_get(big, length - 1) == 0x5a && Bytes_get(big, 0) == 0);
}

static void test_large_array_keeps_young_items_alive(void)
{
    size_t length = TGC_LARGE_OBJECT / sizeof(void *) + 10;
    Items *big = TGC_NEW_ARRAY(Items, c, length);
    Items *where = big;
    for (size_t i = 0; i < length; i += 97) {
        Item *item = TGC_NEW(Item, c, big);
        item->key = (int32_t)i;
        Items_set(big, i, item);           /* old after the first collection */
    }
    TGC_SAVE(big);
    tgc_collect_minor(c);
    TGC_RESTORE(big);
    CHECK(big == where);  /* a large object never moves; typegc-check: allow */
    for (size_t i = 0; i < length; i++) {
        Item *item = Items_get(big, i);
        if (i % 97 == 0)
            CHECK(item != NULL && Item_isinstance(item) && item->key == (int32_t)i);
        else
            CHECK(item == NULL);
    }
}

static void test_unreachable_large_arrays_are_freed(void)
{
    tgc_stats before, after;
    /* a full collection: what earlier tests left old and dead would be
     * freed by a major cycle that the 50 MiB below may start */
    tgc_collect(c);
    tgc_get_stats(&before, false);
    for (int i = 0; i < 50; i++)
        (void)TGC_NEW_ARRAY(Bytes, c, 1 << 20);
    tgc_collect_minor(c);
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.total_rawmalloced_memory, before.total_rawmalloced_memory);
    CHECK(after.peak_rawmalloced_memory >= before.total_rawmalloced_memory + (1 << 20));
}

/* A large array of references has cards: stores mark one card each, and
 * minor collections trace only the marked cards' items.  Old and young
 * items, stores spread over many cards, a full collection in between, and
 * the memory of the cards given back with the array. */
static void test_card_marked_array(void)
{
    tgc_collect(c);
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    enum { LENGTH = 100000 };
    Items *big = TGC_NEW_ARRAY(Items, c, LENGTH);
    TGC_SAVE(big);
    tgc_collect_minor(c);                       /* big is old now */
    for (size_t round = 0; round < 40; round++) {
        for (size_t i = round; i < LENGTH; i += 997) {
            Item *item = TGC_NEW(Item, c, big);  /* big is large: never moves; typegc-check: allow */
            item->key = (int32_t)(i * 3 + round);
            Items_set(big, i, item);
        }
        if (round % 10 == 9)
            tgc_collect(c);
        else
            tgc_collect_minor(c);
        TGC_RESTORE(big);
        for (size_t i = 0; i < LENGTH; i++) {
            Item *item = Items_get(big, i);
            size_t last_round = i % 997 <= round ? i % 997 : (size_t)-1;
            if (last_round == (size_t)-1 ? item != NULL
                                         : (item == NULL || item->key != (int32_t)(i * 3 + last_round))) {
                fprintf(stderr, "round %zu: item %zu wrong\n", round, i);
                CHECK(!"card-marked items intact");
                return;
            }
        }
        TGC_SAVE(big);
    }
    TGC_RESTORE(big);
    big = NULL;
    tgc_collect(c);
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.total_rawmalloced_memory, before.total_rawmalloced_memory);
}

static void read_past_end(void)
{
    Bytes *b = TGC_NEW_ARRAY(Bytes, c, 3);
    (void)Bytes_get(b, 3);
}

static void test_index_out_of_range_dies_cleanly(void)
{
    CHECK(expect_death(read_past_end, "index 3 out of range for Bytes of length 3"));
}

int main(void)
{
    if (arrays_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_byte_arrays_survive);
    RUN(test_double_arrays_survive);
    RUN(test_new_arrays_are_zeroed);
    RUN(test_large_arrays_never_move);
    RUN(test_large_array_keeps_young_items_alive);
    RUN(test_unreachable_large_arrays_are_freed);
    RUN(test_card_marked_array);
    RUN(test_index_out_of_range_dies_cleanly);
    tgc_cursor_close(c);
    return check_finish();
}
