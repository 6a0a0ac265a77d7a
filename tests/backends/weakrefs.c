/* Weak fields on every backend (tests/backends/meson.build), from one
 * source (schemas/weak.json): typegc clears one when its target dies,
 * Boehm GC too, through a disappearing link (conservatively: a target
 * that looks referenced from the stack stays), and malloc never, the
 * program clearing what it frees.  On each, a weak field keeps the last
 * target stored while that target is reachable, NULL stays NULL, and the
 * strong fields beside weak ones keep their targets alive (over Boehm the
 * object is scanned precisely, without its weak slots). */
#include <stdio.h>
#include <stdlib.h>

#include "weak.h"
#include "backend_check.h"

enum { HOLDERS = 200, FILLERS = 20000 };

static Holder *holders[HOLDERS];     /* registered roots */
static Target *anchor;               /* a registered root */

/* Gives each holder a fresh target that nothing else reaches (over malloc:
 * freed, its field cleared by the program). */
static void give_dying_targets(tgc_cursor c)
{
    for (int i = 0; i < HOLDERS; i++) {
        Target *t = TGC_NEW(Target, c);
        t->serial = 1000 + i;
        Holder_set_weak(holders[i], t);
#ifdef TYPEGC_EXPLICIT_FREE
        Holder_set_weak(holders[i], NULL);
        tgc_free(t);
#endif
    }
}

/* Allocates enough that a target freed by mistake would be reused. */
static void allocate_fillers(tgc_cursor c)
{
    for (int i = 0; i < FILLERS; i++) {
        Target *t = TGC_NEW(Target, c);
        t->serial = -1;
#ifdef TYPEGC_EXPLICIT_FREE
        tgc_free(t);
#endif
    }
}

/* The last target stored stays while reachable; an earlier one that died
 * does not clear it; NULL stays NULL. */
static void test_last_target_stays(tgc_cursor c)
{
    Holder *h = TGC_NEW(Holder, c);
    Target *first = TGC_NEW(Target, c, h);
    first->serial = 1;
    Holder_set_weak(h, first);
    anchor = TGC_NEW(Target, c, h);
    anchor->serial = 2;
    Holder_set_weak(h, anchor);
#ifdef TYPEGC_EXPLICIT_FREE
    tgc_free(first);
#endif
    Holder *empty = TGC_NEW(Holder, c, h);
    Holder_set_weak(empty, anchor);
    Holder_set_weak(empty, NULL);
    TGC_SAVE(h, empty);
    tgc_collect(c);
    allocate_fillers(c);
    tgc_collect(c);
    TGC_RESTORE(h, empty);
    CHECK(h->weak == anchor && anchor->serial == 2);
    CHECK(empty->weak == NULL);
}

/* A strong field beside a weak one keeps its target; the weak one to the
 * same target is not cleared.  Inherited weak fields (SubHolder), weak
 * fields only with a fixed-size array of them (WeakOnly), a large holder
 * (BigHolder). */
static void test_strong_beside_weak(tgc_cursor c)
{
    SubHolder *sub = TGC_NEW(SubHolder, c);
    Target *t = TGC_NEW(Target, c, sub);
    t->serial = 77;
    Holder_set_strong(Holder_of(sub), t);
    SubHolder_set_weak(sub, t);
    SubHolder_set_extra(sub, Holder_of(sub));
    WeakOnly *only = TGC_NEW(WeakOnly, c, sub, t);
    for (size_t i = 0; i < 3; i++)
        WeakOnly_set_many(only, i, t);
    WeakOnly_set_one(only, t);
    BigHolder *big = TGC_NEW(BigHolder, c, sub, only, t);
    BigHolder_set_weak(big, NULL);
    t = NULL;
    TGC_SAVE(sub, only, big);
    tgc_collect(c);
    allocate_fillers(c);
    tgc_collect(c);
    TGC_RESTORE(sub, only, big);
    Target *strong = Holder_of(sub)->strong;
    CHECK(strong != NULL && strong->serial == 77);
    CHECK(Holder_of(sub)->weak == strong);
    CHECK(sub->extra == Holder_of(sub));
    CHECK(only->one == strong);
    for (size_t i = 0; i < 3; i++)
        CHECK(only->many[i] == strong);
    CHECK(big->weak == NULL);
}

/* A weak field does not keep its target alive: over the collectors, the
 * fields of targets nothing else reaches read NULL after a collection. */
static void test_dead_targets_cleared(tgc_cursor c)
{
    for (int i = 0; i < HOLDERS; i++) {
        tgc_register_root(&holders[i]);
        holders[i] = TGC_NEW(Holder, c);
        holders[i]->serial = i;
    }
    give_dying_targets(c);
    tgc_collect(c);
    allocate_fillers(c);
    tgc_collect(c);
    int cleared = 0, wrong = 0;
    for (int i = 0; i < HOLDERS; i++) {
        Target *t = holders[i]->weak;
        if (t == NULL)
            cleared++;
        else
            wrong += t->serial != 1000 + i;
    }
    printf("%d of %d weak fields to dead targets cleared\n", cleared, HOLDERS);
    CHECK(wrong == 0);
#if defined(TYPEGC_BOEHM)
    CHECK(cleared >= HOLDERS * 9 / 10);     /* conservative */
#else
    CHECK(cleared == HOLDERS);              /* typegc; malloc: the program's */
#endif
}

int main(void)
{
    if (weak_init() != 0)
        return 1;
    tgc_register_root(&anchor);
    tgc_cursor c;
    tgc_cursor_open(c);
    test_last_target_stays(c);
    test_strong_beside_weak(c);
    test_dead_targets_cleared(c);
    tgc_cursor_close(c);
    printf("%s\n", failures == 0 ? "ok" : "FAIL");
    return failures != 0;
}
