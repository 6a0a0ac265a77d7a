/* test_weakref.c -- weak fields (kind "weak"): never cleared while their
 * target is reachable, NULL after the collection that finds it dead (the
 * minor one for a young target, a full one for an old target), following
 * a target that moves; stored into old holders through the setter; young
 * large objects as holders and as targets; inherited and fixed-size array
 * weak fields; and a weak pointer keeps nothing alive. */
#include "check.h"
#include "weak.h"

static uint64_t cleared_so_far(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    return stats.weakrefs_cleared;
}

/* Young holder, young target: it follows the target's copy while the
 * target lives, and is NULL after the minor collection that finds it
 * dead. */
static void test_young_target_moves_then_dies(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Holder *h = TGC_NEW(Holder, c);
    Target *t = TGC_NEW(Target, c, h);
    t->serial = 41;
    Holder_set_weak(h, t);
    TGC_SAVE(h, t);
    tgc_collect_minor(c);
    TGC_RESTORE(h, t);
    CHECK(h->weak == t && h->weak->serial == 41);

    uint64_t before = cleared_so_far();
    Target *young = TGC_NEW(Target, c, h);
    young->serial = 42;
    Holder_set_weak(h, young);      /* old holder, young target: the barrier */
    TGC_SAVE(h);
    tgc_collect_minor(c);
    TGC_RESTORE(h);
    CHECK(h->weak == NULL);
    CHECK(cleared_so_far() == before + 1);
    tgc_cursor_close(c);
}

/* An old holder given a young target that lives: it follows the copy. */
static void test_old_holder_young_target_survives(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Holder *h = TGC_NEW(Holder, c);
    TGC_SAVE(h);
    tgc_collect(c);
    TGC_RESTORE(h);
    Target *t = TGC_NEW(Target, c, h);
    t->serial = 7;
    Holder_set_weak(h, t);
    TGC_SAVE(h, t);
    tgc_collect_minor(c);
    TGC_RESTORE(h, t);
    CHECK(h->weak == t && t->serial == 7);
    TGC_SAVE(h, t);
    tgc_collect(c);
    tgc_collect(c);
    TGC_RESTORE(h, t);
    CHECK(h->weak == t && t->serial == 7);
    tgc_cursor_close(c);
}

/* An old target dies: a minor collection cannot know, a full one clears
 * the weak pointer. */
static void test_old_target_cleared_by_full_collection(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Holder *h = TGC_NEW(Holder, c);
    Target *t = TGC_NEW(Target, c, h);
    Holder_set_weak(h, t);
    TGC_SAVE(h, t);
    tgc_collect_minor(c);
    TGC_RESTORE(h, t);
    CHECK(h->weak == t);
    TGC_SAVE(h);                    /* t is dropped */
    tgc_collect_minor(c);
    TGC_RESTORE(h);
    CHECK(h->weak != NULL);         /* old: a minor collection keeps it */
    uint64_t before = cleared_so_far();
    TGC_SAVE(h);
    tgc_collect(c);
    TGC_RESTORE(h);
    CHECK(h->weak == NULL);
    CHECK(cleared_so_far() == before + 1);
    tgc_cursor_close(c);
}

/* A target also reached strongly is kept, and both fields agree. */
static void test_strong_and_weak_to_one_target(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Holder *h = TGC_NEW(Holder, c);
    Target *t = TGC_NEW(Target, c, h);
    t->serial = 5;
    Holder_set_weak(h, t);
    Holder_set_strong(h, t);
    TGC_SAVE(h);
    tgc_collect_minor(c);
    tgc_collect(c);
    TGC_RESTORE(h);
    CHECK(h->strong != NULL && h->weak == h->strong && h->weak->serial == 5);
    Holder_set_strong(h, NULL);     /* now only weakly reached */
    TGC_SAVE(h);
    tgc_collect(c);
    TGC_RESTORE(h);
    CHECK(h->weak == NULL);
    tgc_cursor_close(c);
}

/* Many holders, every other target kept in a strong chain: after each
 * kind of collection the kept ones are intact and the others NULL; the
 * holders themselves go from young to old on the way. */
static void test_many_holders(void)
{
    enum { N = 300 };
    static Holder *list[N];
    tgc_cursor c;
    tgc_cursor_open(c);
    Target *kept = NULL;            /* the even targets, through next */
    for (int i = 0; i < N; i++) {
        TGC_SAVE_ARRAY(list, (size_t)i);
        Holder *h = TGC_NEW(Holder, c, kept);
        h->serial = i;
        Target *t = TGC_NEW(Target, c, kept, h);
        t->serial = i;
        TGC_RESTORE_ARRAY(list, (size_t)i);
        Holder_set_weak(h, t);
        if (i % 2 == 0) {
            Target_set_next(t, kept);
            kept = t;
        }
        list[i] = h;
        if (i % 100 == 99) {
            TGC_SAVE_ARRAY(list, (size_t)i + 1);
            TGC_SAVE(kept);
            tgc_collect_minor(c);
            TGC_RESTORE(kept);
            TGC_RESTORE_ARRAY(list, (size_t)i + 1);
        }
    }
    for (int round = 0; round < 2; round++) {
        TGC_SAVE_ARRAY(list, N);
        TGC_SAVE(kept);
        if (round == 0)
            tgc_collect_minor(c);
        else
            tgc_collect(c);
        TGC_RESTORE(kept);
        TGC_RESTORE_ARRAY(list, N);
        for (int i = 0; i < N; i++) {
            if (i % 2 == 0)
                CHECK(list[i]->weak != NULL && list[i]->weak->serial == i);
            else if (round == 1)    /* the odd ones died young or old */
                CHECK(list[i]->weak == NULL);
            else                    /* promoted by an earlier minor one, or NULL */
                CHECK(list[i]->weak == NULL || list[i]->weak->serial == i);
        }
    }
    int count = 0;
    for (Target *t = kept; t != NULL; t = t->next)
        count++;
    CHECK(count == N / 2);
    tgc_cursor_close(c);
}

/* Weak-only holders, with a fixed-size array of weak fields, young and
 * old. */
static void test_weak_only_and_array_slots(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    WeakOnly *w = TGC_NEW(WeakOnly, c);
    Target *a = TGC_NEW(Target, c, w);
    a->serial = 1;
    Target *b = TGC_NEW(Target, c, w, a);
    b->serial = 2;
    WeakOnly_set_one(w, a);
    WeakOnly_set_many(w, 0, b);
    WeakOnly_set_many(w, 1, a);
    WeakOnly_set_many(w, 2, b);
    TGC_SAVE(w, a);                 /* b dies young */
    tgc_collect_minor(c);
    TGC_RESTORE(w, a);
    CHECK(w->one == a && w->many[1] == a && a->serial == 1);
    CHECK(w->many[0] == NULL && w->many[2] == NULL);
    /* w is old now and has no strong fields: its barrier still records it */
    Target *y = TGC_NEW(Target, c, w, a);
    y->serial = 3;
    WeakOnly_set_many(w, 2, y);
    TGC_SAVE(w, a, y);
    tgc_collect_minor(c);
    TGC_RESTORE(w, a, y);
    CHECK(w->many[2] == y && y->serial == 3);
    TGC_SAVE(w, y);                 /* a dies old */
    tgc_collect(c);
    TGC_RESTORE(w, y);
    CHECK(w->one == NULL && w->many[1] == NULL && w->many[2] == y);
    tgc_cursor_close(c);
}

/* Inherited weak fields work through the base's setter and T_of(). */
static void test_inherited_weak_field(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    SubHolder *s = TGC_NEW(SubHolder, c);
    Holder *other = TGC_NEW(Holder, c, s);
    other->serial = 9;
    Target *t = TGC_NEW(Target, c, s, other);   /* last: still young below */
    Holder_set_weak(Holder_of(s), t);
    SubHolder_set_extra(s, other);
    TGC_SAVE(s, other);             /* t dies */
    tgc_collect_minor(c);
    TGC_RESTORE(s, other);
    CHECK(Holder_of(s)->weak == NULL && s->extra == other && other->serial == 9);
    TGC_SAVE(s);                    /* other dies old */
    tgc_collect(c);
    TGC_RESTORE(s);
    CHECK(s->extra == NULL);
    tgc_cursor_close(c);
}

/* Young large objects: as holders (never moved, visited in place) and as
 * targets (kept in place if reached, NULL if not). */
static void test_large_holders_and_targets(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    BigHolder *bh = TGC_NEW(BigHolder, c);
    BigTarget *bt = TGC_NEW(BigTarget, c, bh);
    bt->serial = 77;
    BigHolder_set_weak(bh, bt);
    TGC_SAVE(bh, bt);
    tgc_collect_minor(c);
    TGC_RESTORE(bh, bt);
    CHECK(bh->weak == bt && bt->serial == 77);
    BigTarget *young_big = TGC_NEW(BigTarget, c, bh, bt);
    BigHolder_set_weak(bh, young_big);
    TGC_SAVE(bh, bt);               /* young_big dies young */
    tgc_collect_minor(c);
    TGC_RESTORE(bh, bt);
    CHECK(bh->weak == NULL);
    BigHolder_set_weak(bh, bt);
    TGC_SAVE(bh);                   /* bt dies old */
    tgc_collect(c);
    TGC_RESTORE(bh);
    CHECK(bh->weak == NULL);

    /* a young large holder and nursery targets, one kept, one not */
    BigHolder *young_holder = TGC_NEW(BigHolder, c);
    Holder *h = TGC_NEW(Holder, c, young_holder);
    Target *t = TGC_NEW(Target, c, young_holder, h);
    t->serial = 12;
    Holder_set_weak(h, t);
    BigTarget *big = TGC_NEW(BigTarget, c, young_holder, h, t);
    big->serial = 13;
    BigHolder_set_weak(young_holder, big);
    Holder_set_strong(h, t);
    TGC_SAVE(young_holder, h, big);
    tgc_collect_minor(c);
    TGC_RESTORE(young_holder, h, big);
    CHECK(young_holder->weak == big && big->serial == 13);
    CHECK(h->weak == h->strong && h->weak->serial == 12);
    TGC_SAVE(h);                    /* young_holder and big die */
    tgc_collect(c);
    TGC_RESTORE(h);
    CHECK(h->weak != NULL && h->weak->serial == 12);
    tgc_cursor_close(c);
}

int main(void)
{
    if (weak_init() != 0)
        return 1;
    RUN(test_young_target_moves_then_dies);
    RUN(test_old_holder_young_target_survives);
    RUN(test_old_target_cleared_by_full_collection);
    RUN(test_strong_and_weak_to_one_target);
    RUN(test_many_holders);
    RUN(test_weak_only_and_array_slots);
    RUN(test_inherited_weak_field);
    RUN(test_large_holders_and_targets);
    return check_finish();
}
