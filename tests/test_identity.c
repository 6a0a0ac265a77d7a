/* test_identity.c -- tgc_id() and tgc_identity_hash(): the same for an
 * object's whole life, across minor and major collections, young or old,
 * small, array or large; different for different live objects; the id of
 * an object that died young costs nothing lasting; and not to be asked
 * inside a destructor. */
#include <stdlib.h>

#include "check.h"
#include "resources.h"

static bool id_in_destructor_mode;

void Resource_destruct(Resource *obj)
{
    if (id_in_destructor_mode)
        (void)tgc_id(obj);      /* a young dead object: the program stops */
}

void Socket_destruct(Socket *obj)
{
    (void)obj;
}

void Image_destruct(Image *obj)
{
    (void)obj;
}

static int compare_ids(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

static void test_id_stable_across_collections(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Plain *p = TGC_NEW(Plain, c);
    p->serial = 7;
    uintptr_t id = tgc_id(p);
    uintptr_t hash = tgc_identity_hash(p);
    CHECK(id != 0 && hash == (id ^ (id >> 4)));
    CHECK(tgc_id(p) == id);                 /* asked twice while young */
    TGC_SAVE(p);
    tgc_collect_minor(c);
    TGC_RESTORE(p);
    CHECK((uintptr_t)p == id);              /* moved where its id said */
    CHECK(p->serial == 7 && Plain_isinstance(p));
    TGC_SAVE(p);
    tgc_collect(c);
    tgc_collect(c);
    TGC_RESTORE(p);
    CHECK(tgc_id(p) == id && tgc_identity_hash(p) == hash && p->serial == 7);
    CHECK(tgc_id(NULL) == 0);
    tgc_cursor_close(c);
}

/* Young objects with and without ids, linked, kept or dropped: the kept
 * ones keep their ids, all live ids differ, and the links are intact. */
static void test_ids_unique_among_live_objects(void)
{
    enum { N = 3000 };
    static uintptr_t ids[N];
    tgc_cursor c;
    tgc_cursor_open(c);
    Resource *head = NULL;
    long kept = 0;
    for (long i = 0; i < N; i++) {
        Resource *p = TGC_NEW(Resource, c, head);
        p->serial = i;
        if (i % 3 != 2) {                   /* every third dies young */
            Resource_set_next(p, head);
            head = p;
        }
        if (i % 2 == 0 && i % 3 != 2)
            ids[kept++] = tgc_id(p);
        else if (i % 3 == 2)
            (void)tgc_id(p);                /* an id taken, then dropped */
        if (i % 500 == 0) {
            TGC_SAVE(head);
            tgc_collect_minor(c);
            TGC_RESTORE(head);
        }
    }
    TGC_SAVE(head);
    tgc_collect(c);
    TGC_RESTORE(head);
    /* walk the chain: each kept object with an even serial has the id it
     * was given, in order from the newest */
    long k = kept, count = 0;
    for (Resource *p = head; p != NULL; p = p->next) {
        count++;
        if (p->serial % 2 == 0) {
            k--;
            CHECK(k >= 0 && tgc_id(p) == ids[k] && (uintptr_t)p == ids[k]);
        }
    }
    CHECK_EQ_U(count, N - N / 3);
    CHECK_EQ_U(k, 0);
    qsort(ids, (size_t)kept, sizeof ids[0], compare_ids);
    for (long i = 1; i < kept; i++)
        CHECK(ids[i] != ids[i - 1]);
    tgc_cursor_close(c);
}

/* Objects allocated outside the nursery never move: the id is the address. */
static void test_large_object_id_is_its_address(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Image *img = TGC_NEW(Image, c);
    img->serial = 1;                        /* so its destructor does nothing */
    CHECK(tgc_id(img) == (uintptr_t)img);
    tgc_cursor_close(c);
}

/* Ids of objects that die young leave garbage shadows, which the next
 * major collection frees: memory in arenas comes back to where it was. */
static void test_dead_shadows_are_freed(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_collect(c);
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    for (int i = 0; i < 20000; i++)
        (void)tgc_id(TGC_NEW(Plain, c));
    tgc_collect(c);
    tgc_get_stats(&after, false);
    CHECK(after.total_arena_memory <= before.total_arena_memory);
    tgc_cursor_close(c);
}

static void id_in_destructor(void)
{
    id_in_destructor_mode = true;
    tgc_cursor c;
    tgc_cursor_open(c);
    Resource *r = TGC_NEW(Resource, c);
    r->serial = 1;
    tgc_collect_minor(c);
}

static void test_id_inside_destructor_dies(void)
{
    CHECK(expect_death(id_in_destructor, "tgc_id of a young object inside a destructor"));
}

/* Under TYPEGC_NURSERY_RESIZE_EVERY (the -nursery-resize runs) the ids
 * above held across nurseries that moved: the statistics say they did. */
static void test_resizes_show_in_the_stats(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    CHECK(stats.peak_nursery_size >= stats.nursery_size);
    const char *every = getenv("TYPEGC_NURSERY_RESIZE_EVERY");
    if (every != NULL && atoi(every) > 0)
        CHECK(stats.nursery_resizes > 0);
}

int main(void)
{
    if (resources_init() != 0)
        return 1;
    RUN(test_id_stable_across_collections);
    RUN(test_ids_unique_among_live_objects);
    RUN(test_large_object_id_is_its_address);
    RUN(test_dead_shadows_are_freed);
    RUN(test_id_inside_destructor_dies);
    RUN(test_resizes_show_in_the_stats);
    return check_finish();
}
