/* test_cursor_chunks.c -- a nursery larger than the cache-sized default
 * is handed out a chunk at a time, the chunk after the cursor's prefetched
 * (cursor.c, "Prefetching the nursery"); one of the default size is
 * handed out whole.  Run as `test_cursor_chunks chunked` with
 * PYPY_GC_NURSERY=8M and `test_cursor_chunks whole` with 4M. */
#include <string.h>

#include "arrays.h"
#include "check.h"

/* cursor.c's PREFETCH_CHUNK: what the cursor's top stops at. */
enum { CHUNK = 1024, NURSERY_8M = 8 << 20, NURSERY_4M = 4 << 20 };

static bool chunked;

static size_t room(tgc_cursor c)
{
    return (size_t)(c[TGC__CURSOR_TOP] - c[TGC__CURSOR_FREE]);
}

/* A fresh cursor reaches one chunk on, or the nursery's end. */
static void test_first_cursor(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    if (chunked)
        CHECK_EQ_U(room(c), CHUNK);
    else
        CHECK(room(c) > NURSERY_4M - CHUNK && room(c) <= NURSERY_4M);
    tgc_cursor_close(c);
}

/* Objects follow each other across the chunks' ends: the slow path at a
 * chunk's end hands out the next chunk from where the last object ended,
 * and wastes nothing. */
static void test_chunks_are_contiguous(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    uint64_t before = check_stats().minor_collections;
    Doubles *first = TGC_NEW_ARRAY(Doubles, c, 3);
    size_t size = tgc_round_up_size(Doubles__ITEMS_OFFSET + 3 * sizeof(double));
    char *expected = (char *)first + size;
    int chunk_ends = 0;
    for (int i = 0; i < 2000; i++) {
        char *top = c[TGC__CURSOR_TOP];
        Doubles *next = TGC_NEW_ARRAY(Doubles, c, 3);
        if (check_stats().minor_collections != before)
            break;
        CHECK((char *)next == expected);
        if (c[TGC__CURSOR_TOP] != top)
            chunk_ends++;
        expected = (char *)next + size;
    }
    CHECK_EQ_U(check_stats().minor_collections, before);
    /* the 2000 arrays cross a chunk's end every CHUNK bytes, or none */
    if (chunked)
        CHECK(chunk_ends >= (int)(2000 * size / CHUNK) - 1);
    else
        CHECK_EQ_U(chunk_ends, 0);
    tgc_cursor_close(c);
}

/* Arrays larger than a chunk, up to the largest nursery object, keep
 * their contents and their neighbours' through the chunks' ends and the
 * minor collections they reach. */
static void test_objects_larger_than_a_chunk(void)
{
    enum { COUNT = 64 };
    tgc_cursor c;
    tgc_cursor_open(c);
    Items *keep = TGC_NEW_ARRAY(Items, c, COUNT);
    size_t max_length = TGC_LARGE_OBJECT - Bytes__ITEMS_OFFSET - 8;
    for (size_t round = 0; round < 8; round++) {
        for (size_t i = 0; i < COUNT; i++) {
            size_t length = (i * 7919 + round * 104729) % max_length + 1;
            Bytes *bytes = TGC_NEW_ARRAY(Bytes, c, length, keep);
            memset(bytes->items, (int)(i & 0xff), length);
            Item *item = TGC_NEW(Item, c, keep, bytes);
            item->key = (int32_t)length;
            Item_set_label(item, bytes);
            Items_set(keep, i, item);
        }
        for (size_t i = 0; i < COUNT; i++) {
            Item *item = keep->items[i];
            Bytes *bytes = item->label;
            CHECK_EQ_U(bytes->length, (size_t)item->key);
            size_t bad = 0;
            for (int64_t k = 0; k < bytes->length; k++)
                bad += bytes->items[k] != (uint8_t)(i & 0xff);
            CHECK_EQ_U(bad, 0);
        }
    }
    tgc_cursor_close(c);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "chunked") != 0 && strcmp(argv[1], "whole") != 0)) {
        fprintf(stderr, "usage: test_cursor_chunks chunked|whole\n");
        return 2;
    }
    chunked = strcmp(argv[1], "chunked") == 0;
    if (arrays_init() != 0)
        return 1;
    RUN(test_first_cursor);
    RUN(test_chunks_are_contiguous);
    RUN(test_objects_larger_than_a_chunk);
    return check_finish();
}
