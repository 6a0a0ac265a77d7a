/* test_roots.c -- the shadow stack as a program uses it: TGC_SAVE and
 * TGC_RESTORE of many locals, arrays of GC pointers, a mismatched restore
 * stopping the program even in a nested frame, and unwinding after a
 * longjmp with tgc_roots_mark()/tgc_roots_reset().  Run with tiny
 * nurseries and the heap check, so that a root the collector missed shows. */
#include <setjmp.h>

#include "check.h"
#include "list.h"

static tgc_cursor c;

static Node *node(long value)
{
    Node *n = TGC_NEW(Node, c);
    n->value = value;
    return n;
}

/* Allocates enough to run several minor collections and a full one. */
static void churn(void)
{
    for (int i = 0; i < 5000; i++)
        (void)node(i);
    tgc_collect(c);
}

/* Registered slots that hold new objects until the locals take them. */
static Node *made[20];

static void test_save_of_twenty_locals_survives_collections(void)
{
    for (long v = 0; v < 20; v++)
        made[v] = node(v);
    Node *a = made[0], *b = made[1], *d = made[2], *e = made[3], *f = made[4];
    Node *g = made[5], *h = made[6], *i = made[7], *j = made[8], *k = made[9];
    Node *l = made[10], *m = made[11], *n = made[12], *o = made[13], *p = made[14];
    Node *q = made[15], *r = made[16], *s = made[17], *t = made[18], *u = made[19];
    for (long v = 0; v < 20; v++)
        made[v] = NULL;                 /* the locals are the only roots now */
    TGC_SAVE(a, b, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u);
    churn();
    TGC_RESTORE(a, b, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u);
    Node *all[] = { a, b, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u };
    for (long v = 0; v < 20; v++)
        CHECK(Node_isinstance(all[v]) && all[v]->value == v);   /* stale: '#' poison */
}

enum { ARRAY_LENGTH = 300 };

static void test_save_array_keeps_every_object(void)
{
    Node *array[ARRAY_LENGTH];
    for (long v = 0; v < ARRAY_LENGTH; v++) {
        TGC_SAVE_ARRAY(array, v);
        Node *fresh = node(v);
        TGC_RESTORE_ARRAY(array, v);
        array[v] = v % 7 == 3 ? NULL : fresh;
    }
    TGC_SAVE_ARRAY(array, ARRAY_LENGTH);
    churn();
    TGC_RESTORE_ARRAY(array, ARRAY_LENGTH);
    for (long v = 0; v < ARRAY_LENGTH; v++)
        CHECK(v % 7 == 3 ? array[v] == NULL
                         : Node_isinstance(array[v]) && array[v]->value == v);
}

/* A helper that restores one more pointer than it saved: without frame
 * tags it took its caller's slot silently. */
static void restore_more_than_saved(Node *x)
{
    Node *y = NULL;
    TGC_SAVE(x);
    churn();
    TGC_RESTORE(x, y);  /* typegc-check: allow */
}

static void nested_restore_of_more(void)
{
    tgc_cursor_open(c);
    Node *a = node(1);
    Node *b = TGC_NEW(Node, c, a);
    TGC_SAVE(a, b);
    restore_more_than_saved(node(3));
    TGC_RESTORE(a, b);
}

static void test_nested_restore_of_more_than_saved_stops(void)
{
    CHECK(expect_death(nested_restore_of_more,
                       "shadow stack mismatch: TGC_RESTORE of 2 GC pointers, but the last "
                       "TGC_SAVE not restored saved 1"));
}

static void restore_of_fewer(void)
{
    tgc_cursor_open(c);
    Node *a = node(1);
    Node *b = TGC_NEW(Node, c, a);
    TGC_SAVE(a, b);
    TGC_RESTORE(a);  /* typegc-check: allow */
}

static void test_restore_of_fewer_than_saved_stops(void)
{
    CHECK(expect_death(restore_of_fewer, "shadow stack mismatch: TGC_RESTORE of 1 GC "
                                         "pointers, but the last TGC_SAVE not restored "
                                         "saved 2"));
}

static jmp_buf escape;

/* Leaves by longjmp with two frames of roots on the shadow stack. */
static void saves_and_escapes(void)
{
    Node *inner = node(2);
    TGC_SAVE(inner);
    longjmp(escape, 1);
}  /* typegc-check: allow */

static void saves_and_calls(void)
{
    Node *outer = node(1);
    TGC_SAVE(outer);
    saves_and_escapes();
    TGC_RESTORE(outer);
}

static void test_reset_after_longjmp_unwinds_the_frames(void)
{
    Node *kept = node(42);
    TGC_SAVE(kept);
    tgc_root_mark mark = tgc_roots_mark();
    if (setjmp(escape) == 0)
        saves_and_calls();
    CHECK(tgc_roots_mark().depth > mark.depth);
    tgc_roots_reset(mark);
    CHECK_EQ_U(tgc_roots_mark().depth, mark.depth);
    churn();
    TGC_RESTORE(kept);                  /* its frame is on top again */
    CHECK(Node_isinstance(kept) && kept->value == 42);
}

static void reset_to_deeper_mark(void)
{
    tgc_root_mark mark = tgc_roots_mark();
    mark.depth += 2;
    tgc_roots_reset(mark);
}

static void test_reset_to_a_deeper_mark_stops(void)
{
    CHECK(expect_death(reset_to_deeper_mark, "tgc_roots_reset: the mark (2 words) is deeper"));
}

int main(void)
{
    if (list_init() != 0)
        return 1;
    for (int v = 0; v < 20; v++)
        tgc_register_root(&made[v]);
    RUN(test_nested_restore_of_more_than_saved_stops);
    RUN(test_restore_of_fewer_than_saved_stops);
    RUN(test_reset_to_a_deeper_mark_stops);
    tgc_cursor_open(c);
    RUN(test_save_of_twenty_locals_survives_collections);
    RUN(test_save_array_keeps_every_object);
    RUN(test_reset_after_longjmp_unwinds_the_frames);
    tgc_cursor_close(c);
    return check_finish();
}
