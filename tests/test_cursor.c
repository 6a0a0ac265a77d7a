/* test_cursor.c -- the cursor cannot be misused silently: a second open, a
 * stale copy, a use after close and a corrupted cursor all stop the program
 * with a message saying what went wrong. */
#include "allocatealot.h"
#include "check.h"

static void double_open(void)
{
    tgc_cursor c, d;
    tgc_cursor_open(c);
    tgc_cursor_open(d);
}

/* A copy that allocates and is dropped, the original going on: the copy
 * takes only the first word, so its first allocation goes to the runtime
 * and stops the program in every build.  (With the cursor a struct, this
 * copy handed out the original's next addresses and nothing noticed.) */
static void dropped_copy(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    A *kept = TGC_NEW(A, c);
    {
        tgc_cursor copy = { *c };  /* typegc-check: allow */
        (void)TGC_NEW(A, copy, kept);
    }
    A *next = TGC_NEW(A, c, kept);
    (void)next;
}

/* A copy made word by word, by hand, after which the original collects. */
static void stale_copy(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_cursor copy = { c[0], c[1], c[2] };  /* typegc-check: allow */
    tgc_collect_minor(c);
    for (;;)                    /* caught at once with TGC_CHECK_CURSOR, */
        (void)TGC_NEW(A, copy); /* else when the copy reaches the slow path */
}

/* The same copy, while the original goes on allocating: caught when the
 * second of the two reaches the slow path. */
static void interleaved_copies(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_cursor copy = { c[0], c[1], c[2] };  /* typegc-check: allow */
    for (;;) {
        (void)TGC_NEW(A, c);
        (void)TGC_NEW(A, copy);
    }
}

static void use_after_close(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_cursor_close(c);
    for (;;)
        (void)TGC_NEW(A, c);
}

static void corrupted_cursor(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    c[TGC__CURSOR_TOP] += 4096;
    c[TGC__CURSOR_FREE] = c[TGC__CURSOR_TOP];
    TGC__CURSOR_MOVED(c);
    (void)TGC_NEW(A, c);
}

/* Through a function: `tgc_cursor` parameters share the caller's cursor. */
static A *make(tgc_cursor cursor)
{
    return A_new(cursor);
}

static void test_callee_shares_the_cursor(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    A *a = make(c);
    A *b = TGC_NEW(A, c, a);
    CHECK(a != b);
    tgc_collect_minor(c);
    A *d = make(c);
    CHECK(A_isinstance(d));
    tgc_cursor_close(c);
}

static void test_double_open_dies(void)
{
    CHECK(expect_death(double_open, "the cursor is already open"));
}

static void test_stale_copy_dies(void)
{
    CHECK(expect_death(dropped_copy, "stale cursor"));
    CHECK(expect_death(stale_copy, "stale cursor"));
    CHECK(expect_death(interleaved_copies, "stale cursor"));
}

static void test_use_after_close_dies(void)
{
    CHECK(expect_death(use_after_close, "no cursor is open"));
}

static void test_corrupted_cursor_dies(void)
{
    CHECK(expect_death(corrupted_cursor, "corrupted cursor"));
}

static void test_open_close_open(void)
{
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    tgc_cursor c;
    tgc_cursor_open(c);
    A *a = TGC_NEW(A, c);
    a->i = 42;
    tgc_cursor_close(c);
    tgc_cursor_open(c);
    A *b = TGC_NEW(A, c, a);
    CHECK(a->i == 42 && b->i == 0);
    tgc_cursor_close(c);
    tgc_get_stats(&after, false);
    /* Without a collection in between, allocation goes on where it stopped. */
    if (after.minor_collections == before.minor_collections)
        CHECK((char *)b == (char *)a + A__SIZE);
}

int main(void)
{
    if (allocatealot_init() != 0)
        return 1;
    RUN(test_double_open_dies);
    RUN(test_stale_copy_dies);
    RUN(test_use_after_close_dies);
    RUN(test_corrupted_cursor_dies);
    RUN(test_open_close_open);
    RUN(test_callee_shares_the_cursor);
    return check_finish();
}
