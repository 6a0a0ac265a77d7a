/* test_pin.c -- tgc_pin() and tgc_unpin() (PyPy's rgc.pin): a pinned
 * young object keeps its address and contents across minor and major
 * collections, reached from roots, from old objects and from the cards of
 * a large array; allocation goes around it; once unpinned it moves like
 * any young object; it dies when unreachable, pinned or not, and a weak
 * reference to it is cleared then (and followed while it lives); its id
 * is the address it moves to; an object registered with a finalizer
 * queue cannot be pinned, one registered while pinned lives until it is
 * unpinned; memory pressure on a pinned object counts while it lives; the
 * limit (PYPY_GC_MAX_PINNED) and the refusals are PyPy's; misuse stops the
 * program; the count is in the gc-minor log line, the hooks and the
 * statistics.
 *
 *   test_pin       the tests (any PYPY_GC_NURSERY; PYPY_GC_MAX_PINNED
 *                  is set to 8 unless given)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "buffers.h"

enum { BUFFER_BYTES = 200, MANY = 16 };

static tgc_cursor c;
static size_t max_pinned;
static bool pin_in_destructor;

/* Rooted slots the tests use. */
static Box *box;
static Points *points;
static Point *kept[MANY];

void File_destruct(File *file)
{
    (void)file;
    if (pin_in_destructor)
        (void)tgc_pin(file);    /* the program stops */
}

static size_t pinned_now(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    return stats.pinned_objects;
}

/* Allocates garbage until `count` more minor collections have run. */
static void churn(uint64_t count)
{
    uint64_t until = check_stats().minor_collections + count;
    while (check_stats().minor_collections < until)
        for (int i = 0; i < 256; i++) {
            Point *p = TGC_NEW(Point, c);
            p->serial = -1;
        }
}

static uint8_t pattern(unsigned seed, size_t i)
{
    return (uint8_t)(seed * 31 + i * 7 + 1);
}

static Buffer *new_buffer(size_t length, unsigned seed)
{
    Buffer *b = TGC_NEW_ARRAY(Buffer, c, length);
    for (size_t i = 0; i < length; i++)
        b->items[i] = pattern(seed, i);
    return b;
}

static bool buffer_intact(const Buffer *b, size_t length, unsigned seed)
{
    if (!Buffer_isinstance(b) || b->length != (int64_t)length)
        return false;
    for (size_t i = 0; i < length; i++)
        if (b->items[i] != pattern(seed, i))
            return false;
    return true;
}

static Point *new_point(long serial)
{
    Point *p = TGC_NEW(Point, c);
    p->serial = serial;
    p->x = (double)serial / 2;
    return p;
}

static bool point_intact(const Point *p, long serial)
{
    return p != NULL && Point_isinstance(p) && p->serial == serial && p->x == (double)serial / 2;
}

/* An old Box in `box`, its fields NULL. */
static void make_old_box(void)
{
    box = TGC_NEW(Box, c);
    tgc_collect_minor(c);
    CHECK(tgc_pin(box) == false);       /* old now, and has GC pointers anyway */
}

/* ---- Address and contents ---------------------------------------------------- */

static void test_pinned_buffer_stays_put(void)
{
    Buffer *b = new_buffer(BUFFER_BYTES, 1);
    CHECK(tgc_pin(b));
    CHECK_EQ_U(pinned_now(), 1);
    char *address = (char *)b;
    TGC_SAVE(b);
    churn(25);
    TGC_RESTORE(b);
    CHECK((char *)b == address);
    CHECK(buffer_intact(b, BUFFER_BYTES, 1));
    /* the contents may change while pinned, as a C call fills it */
    memset(b->items, 0x5a, BUFFER_BYTES);
    TGC_SAVE(b);
    tgc_collect(c);
    churn(3);
    TGC_RESTORE(b);
    CHECK((char *)b == address && b->items[0] == 0x5a && b->items[BUFFER_BYTES - 1] == 0x5a);
    CHECK_EQ_U(pinned_now(), 1);
    tgc_unpin(b);
    CHECK_EQ_U(pinned_now(), 0);
    TGC_SAVE(b);
    tgc_collect_minor(c);
    TGC_RESTORE(b);
    CHECK((char *)b != address);        /* moved out like any survivor */
    CHECK(Buffer_isinstance(b) && b->items[17] == 0x5a);
    CHECK(tgc_pin(b) == false);         /* old: it never moves again */
}

/* Pinned objects spread over the nursery; many allocations after them,
 * some kept: none lands on a pinned object, whose contents stay. */
static void test_allocation_goes_around_pins(void)
{
    size_t n = max_pinned < MANY ? max_pinned : MANY;
    for (size_t i = 0; i < n; i++) {
        kept[i] = new_point((long)i + 1000);
        CHECK(tgc_pin(kept[i]));
        for (int k = 0; k < 7; k++)
            (void)new_point(-1);
    }
    CHECK_EQ_U(pinned_now(), n);
    char *address[MANY];
    char *lowest = NULL, *highest = NULL;
    for (size_t i = 0; i < n; i++) {
        address[i] = (char *)kept[i];
        lowest = lowest == NULL || address[i] < lowest ? address[i] : lowest;
        highest = address[i] > highest ? address[i] : highest;
    }
    points = TGC_NEW_ARRAY(Points, c, 4000);
    tgc_collect_minor(c);       /* the next fill goes around them */
    long between = 0;
    long rounds = getenv("TYPEGC_TORTURE") != NULL ? 2000 : 20000;
    for (long round = 0; round < rounds; round++) {
        Point *p = new_point(round);
        for (size_t i = 0; i < n; i++)
            if ((char *)p + Point__SIZE > address[i] && (char *)p < address[i] + Point__SIZE) {
                fprintf(stderr, "allocated %p over the pinned object %p\n", (void *)p,
                        (void *)address[i]);
                CHECK(false);
            }
        between += (char *)p > lowest && (char *)p < highest;
        if (round % 5 == 0)
            Points_set(points, (size_t)(round / 5) % 4000, p);
    }
    /* whole fills (not the tiny-nursery modes) start at the nursery's
     * start, and use the gaps between the pinned objects */
    const char *nursery = getenv("PYPY_GC_NURSERY");
    if (n >= 2 && (nursery == NULL || strcmp(nursery, "4M") == 0) &&
        getenv("PYPY_GC_NURSERY_DEBUG") == NULL && getenv("TYPEGC_TORTURE") == NULL)
        CHECK(between >= (long)(7 * (n - 1)));
    for (size_t i = 0; i < n; i++) {
        CHECK((char *)kept[i] == address[i]);
        CHECK(point_intact(kept[i], (long)i + 1000));
    }
    long wrong = 0;
    for (long k = 0; k < 4000 && k < rounds / 5; k++) {
        Point *p = Points_get(points, (size_t)k);
        wrong += !(p != NULL && p->serial % 5 == 0 && (p->serial / 5) % 4000 == k);
    }
    CHECK_EQ_U(wrong, 0);
    for (size_t i = 0; i < n; i++)
        tgc_unpin(kept[i]);
    CHECK_EQ_U(pinned_now(), 0);
    tgc_collect_minor(c);
    for (size_t i = 0; i < n; i++) {
        CHECK(point_intact(kept[i], (long)i + 1000));
        kept[i] = NULL;
    }
    points = NULL;
}

/* A pinned object larger than a tiny nursery's fill, and allocation
 * around it. */
static void test_large_pinned_buffer(void)
{
    Buffer *b = new_buffer(60000, 3);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.nursery_size >= 4 * (size_t)TGC_LARGE_OBJECT) {
        CHECK(tgc_pin(b));
    } else if (!tgc_pin(b)) {
        /* a tiny nursery's mapping: in its middle the buffer would leave
         * no gap for the largest nursery object (see below) */
        CHECK_EQ_U(pinned_now(), 0);
        return;
    }
    char *address = (char *)b;
    TGC_SAVE(b);
    churn(10);
    (void)new_buffer(60000, 4);
    churn(2);
    TGC_RESTORE(b);
    CHECK((char *)b == address && buffer_intact(b, 60000, 3));
    tgc_unpin(b);
}

/* Pins never take the nursery's last gap for its largest object: with
 * as many large buffers pinned as the collector accepts, objects of the
 * largest nursery size are still allocated, after minor collections too.
 * (A tiny nursery's mapping, 270336 bytes, holds two of them: one pin in
 * its middle would leave room for neither, and the next such allocation
 * had no gap to go to.) */
static void test_pins_leave_room_for_the_largest_object(void)
{
    enum { TRIES = 64, PINS = 8 };
    Buffer *pinned[PINS] = { 0 };
    size_t n = 0;
    for (int i = 0; i < TRIES && n < PINS; i++) {
        TGC_SAVE_ARRAY(pinned, PINS);
        Buffer *b = new_buffer(60000, 5);
        TGC_RESTORE_ARRAY(pinned, PINS);
        if (tgc_pin(b))
            pinned[n++] = b;
    }
    CHECK(n >= 1);
    size_t largest = (TGC_NONLARGE_MAX - Buffer__ITEMS_OFFSET) / Buffer__ITEM_SIZE;
    for (int i = 0; i < 6; i++) {
        TGC_SAVE_ARRAY(pinned, PINS);
        Buffer *big = new_buffer(largest, 6);
        CHECK(buffer_intact(big, largest, 6));
        churn(1);
        TGC_RESTORE_ARRAY(pinned, PINS);
    }
    for (size_t i = 0; i < n; i++) {
        CHECK(buffer_intact(pinned[i], 60000, 5));
        tgc_unpin(pinned[i]);
    }
}

/* ---- Who keeps a pinned object alive -------------------------------------------- */

/* Only an old object points to it: the write barrier records the store,
 * and every later minor collection traces the old object again. */
static void test_old_object_keeps_pinned_alive(void)
{
    make_old_box();
    Point *p = new_point(77);
    CHECK(tgc_pin(p));
    Box_set_point(box, p);
    char *address = (char *)p;
    churn(20);
    CHECK((char *)box->point == address && point_intact(box->point, 77));
    tgc_collect(c);
    tgc_collect_step(c, NULL);
    churn(5);
    tgc_collect(c);
    CHECK((char *)box->point == address && point_intact(box->point, 77));
    CHECK_EQ_U(pinned_now(), 1);
    /* unpinned, it moves, and the old object's field follows */
    tgc_unpin(box->point);
    tgc_collect_minor(c);
    CHECK((char *)box->point != address && point_intact(box->point, 77));
    box = NULL;
}

/* The same through the cards of a large array of references. */
static void test_large_array_keeps_pinned_alive(void)
{
    points = TGC_NEW_ARRAY(Points, c, 20000);
    tgc_collect_minor(c);
    Point *p = new_point(88);
    CHECK(tgc_pin(p));
    Points_set(points, 12345, p);
    char *address = (char *)p;
    churn(10);
    tgc_collect(c);
    churn(2);
    CHECK((char *)Points_get(points, 12345) == address);
    CHECK(point_intact(Points_get(points, 12345), 88));
    tgc_unpin(Points_get(points, 12345));
    tgc_collect_minor(c);
    CHECK((char *)Points_get(points, 12345) != address);
    CHECK(point_intact(Points_get(points, 12345), 88));
    points = NULL;
}

/* Through a major cycle taken one step at a time, with an old object
 * pointing to the pinned one (PYPY_GC_DEBUG checks the marking). */
static void test_major_steps_with_pins(void)
{
    tgc_disable();              /* only the steps taken here */
    make_old_box();
    Point *p = new_point(99);
    CHECK(tgc_pin(p));
    Box_set_point(box, p);
    Buffer *b = new_buffer(BUFFER_BYTES, 9);
    CHECK(tgc_pin(b));
    Box_set_buffer(box, b);
    char *point_address = (char *)p, *buffer_address = (char *)b;
    /* a whole cycle (TYPEGC_TORTURE's full collections may end it) */
    tgc_step_result r = { TGC_PHASE_SCANNING, TGC_PHASE_SCANNING, false };
    tgc_stats before, now;
    tgc_get_stats(&before, false);
    int steps = 0;
    do {
        tgc_collect_step(c, &r);
        churn(1);
        tgc_get_stats(&now, false);
    } while (now.major_collections == before.major_collections && ++steps < 100000);
    CHECK(now.major_collections > before.major_collections);
    CHECK((char *)box->point == point_address && point_intact(box->point, 99));
    CHECK((char *)box->buffer == buffer_address && buffer_intact(box->buffer, BUFFER_BYTES, 9));
    /* unpinned while MARKING: the copy is kept by its black parent */
    do
        tgc_collect_step(c, &r);
    while (r.new_phase != TGC_PHASE_MARKING);
    tgc_unpin(box->point);
    tgc_unpin(box->buffer);
    tgc_collect_step(c, &r);
    tgc_collect(c);
    CHECK(point_intact(box->point, 99) && buffer_intact(box->buffer, BUFFER_BYTES, 9));
    box = NULL;
    tgc_enable();
}

/* ---- Death -------------------------------------------------------------------- */

static Point *dead_pinned;

static void unpin_dead(void)
{
    tgc_unpin(dead_pinned);
}

/* A pinned object nothing reaches dies at the next minor collection, and
 * its pin with it; a weak reference to it is cleared then. */
static void test_unreachable_pinned_object_dies(void)
{
    make_old_box();
    Point *p = new_point(5);
    CHECK(tgc_pin(p));
    Box_set_weak_point(box, p);
    CHECK_EQ_U(pinned_now(), 1);
    dead_pinned = p;
    tgc_collect_minor(c);
    CHECK(box->weak_point == NULL);
    CHECK_EQ_U(pinned_now(), 0);
    CHECK(expect_death(unpin_dead, "is not pinned"));
    dead_pinned = NULL;
    /* unpinned, then dropped: the same */
    p = new_point(6);
    CHECK(tgc_pin(p));
    Box_set_weak_point(box, p);
    tgc_unpin(p);
    tgc_collect_minor(c);
    CHECK(box->weak_point == NULL);
    CHECK_EQ_U(pinned_now(), 0);
    box = NULL;
}

/* A weak reference to a pinned object that lives stays, and follows it
 * once it moves; cleared when it dies. */
static void test_weakref_to_pinned_object(void)
{
    make_old_box();
    kept[0] = new_point(11);
    CHECK(tgc_pin(kept[0]));
    char *address = (char *)kept[0];
    Box_set_weak_point(box, kept[0]);
    churn(5);
    tgc_collect(c);
    churn(2);
    CHECK((char *)box->weak_point == address && kept[0] == box->weak_point);
    tgc_unpin(kept[0]);
    tgc_collect_minor(c);
    CHECK((char *)kept[0] != address && box->weak_point == kept[0]);
    CHECK(point_intact(box->weak_point, 11));
    kept[0] = NULL;
    tgc_collect(c);
    CHECK(box->weak_point == NULL);
    box = NULL;
}

/* ---- Identity ------------------------------------------------------------------ */

/* A pinned object's id is its shadow's address, as in PyPy: it moves
 * there once unpinned, however many major cycles later.  Meanwhile the
 * shadow, which nothing points to, is not swept: old objects made since
 * are elsewhere. */
static void test_id_of_pinned_object(void)
{
    kept[0] = new_point(21);
    CHECK(tgc_pin(kept[0]));
    uintptr_t id = tgc_id(kept[0]);
    char *address = (char *)kept[0];
    CHECK(id != (uintptr_t)address);
    points = TGC_NEW_ARRAY(Points, c, 3000);
    for (long round = 0; round < 3; round++) {
        for (long i = 0; i < 1000; i++) {
            Point *p = new_point(round * 1000 + i);
            Points_set(points, (size_t)(round * 1000 + i), p);
        }
        tgc_collect(c);
        churn(2);
        CHECK(tgc_id(kept[0]) == id && (char *)kept[0] == address);
    }
    for (long i = 0; i < 3000; i++) {
        CHECK((uintptr_t)Points_get(points, (size_t)i) != id);
        CHECK(point_intact(Points_get(points, (size_t)i), i));
    }
    tgc_unpin(kept[0]);
    tgc_collect_minor(c);
    CHECK((uintptr_t)kept[0] == id && point_intact(kept[0], 21) && tgc_id(kept[0]) == id);
    for (long i = 0; i < 3000; i++)
        CHECK(point_intact(Points_get(points, (size_t)i), i));
    kept[0] = NULL;
    points = NULL;
}

/* ---- Finalizer queues and memory pressure ------------------------------------- */

/* An object registered with a finalizer queue cannot be pinned, as in
 * PyPy.  One registered while pinned stays put and alive while pinned,
 * dropped or not (marking, which orders registered objects, never sees
 * the nursery); once unpinned it moves out and is handed out as any
 * registered object. */
static void test_finalizer_queue_and_pins(void)
{
    tgc_finalizer_queue *q = tgc_finalizer_queue_new(NULL, NULL);
    kept[0] = new_point(41);
    tgc_finalizer_register(q, kept[0]);
    CHECK(tgc_pin(kept[0]) == false);
    kept[0] = NULL;
    tgc_collect(c);
    Point *out = tgc_finalizer_next_dead(q);
    CHECK(point_intact(out, 41));
    CHECK(tgc_finalizer_next_dead(q) == NULL);
    out = NULL;

    kept[1] = new_point(42);
    CHECK(tgc_pin(kept[1]));
    tgc_finalizer_register(q, kept[1]);
    /* the address lent out, in no root: the object does not move */
    char *lent = (char *)kept[1];
    kept[1] = NULL;
    churn(3);
    tgc_collect(c);
    churn(2);
    CHECK(tgc_finalizer_next_dead(q) == NULL);
    CHECK_EQ_U(pinned_now(), 1);
    CHECK(point_intact((Point *)lent, 42));
    tgc_unpin(lent);
    tgc_collect(c);
    out = tgc_finalizer_next_dead(q);
    CHECK(out != NULL && (char *)out != lent && point_intact(out, 42));
    CHECK(tgc_finalizer_next_dead(q) == NULL);
    CHECK_EQ_U(pinned_now(), 0);
    out = NULL;
    tgc_collect(c);
}

static long long pressure_now(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    return stats.total_memory_pressure;
}

/* Memory pressure on a pinned object counts while it lives, pinned or
 * moved out after its unpin, and stops when it dies. */
static void test_memory_pressure_of_pinned_object(void)
{
    long long base = pressure_now();
    kept[0] = new_point(51);
    CHECK(tgc_pin(kept[0]));
    tgc_add_memory_pressure(kept[0], 1000);
    Point *dropped = new_point(52);
    CHECK(tgc_pin(dropped));
    tgc_add_memory_pressure(dropped, 20000);
    dropped = NULL;
    CHECK_EQ_U(pressure_now() - base, 21000);
    churn(3);
    CHECK_EQ_U(pressure_now() - base, 1000);
    tgc_collect(c);
    churn(2);
    CHECK_EQ_U(pressure_now() - base, 1000);
    tgc_unpin(kept[0]);
    tgc_collect_minor(c);
    tgc_collect(c);
    CHECK_EQ_U(pressure_now() - base, 1000);
    CHECK(point_intact(kept[0], 51));
    kept[0] = NULL;
    tgc_collect(c);
    CHECK_EQ_U(pressure_now() - base, 0);
}

/* ---- What cannot be pinned, the limit, misuse ------------------------------------ */

static void test_refusals(void)
{
    CHECK(tgc_pin(NULL) == false);
    Box *b = TGC_NEW(Box, c);
    CHECK(tgc_pin(b) == false);                 /* GC pointers */
    CHECK(tgc_pin(TGC_NEW(Watcher, c)) == false);   /* a weak pointer */
    CHECK(tgc_pin(TGC_NEW(File, c)) == false);      /* a destructor */
    CHECK(tgc_pin(TGC_NEW_ARRAY(Points, c, 3)) == false);
    Buffer *large = TGC_NEW_ARRAY(Buffer, c, 200000);   /* outside the nursery */
    CHECK(tgc_pin(large) == false);
    Point *p = new_point(1);
    CHECK(tgc_pin(p));
    CHECK(tgc_pin(p) == false);                 /* pinned already */
    CHECK_EQ_U(pinned_now(), 1);
    tgc_unpin(p);
    CHECK(tgc_pin(p));                          /* again, after the unpin */
    tgc_unpin(p);
    CHECK_EQ_U(pinned_now(), 0);
}

static void test_limit(void)
{
    for (size_t i = 0; i < max_pinned && i < MANY; i++) {
        kept[i] = new_point((long)i);
        CHECK(tgc_pin(kept[i]));
    }
    if (max_pinned < MANY) {
        Point *one_more = new_point(-2);
        CHECK(tgc_pin(one_more) == false);
        CHECK_EQ_U(pinned_now(), max_pinned);
        /* one unpinned makes room for one more */
        tgc_unpin(kept[0]);
        CHECK(tgc_pin(one_more));
        tgc_unpin(one_more);
        CHECK(tgc_pin(kept[0]));
    }
    churn(3);
    for (size_t i = 0; i < max_pinned && i < MANY; i++) {
        CHECK(point_intact(kept[i], (long)i));
        tgc_unpin(kept[i]);
        kept[i] = NULL;
    }
    CHECK_EQ_U(pinned_now(), 0);
}

static void unpin_never_pinned(void)
{
    tgc_unpin(new_point(3));
}

static void unpin_twice(void)
{
    Point *p = new_point(3);
    if (!tgc_pin(p))
        _exit(5);
    tgc_unpin(p);
    tgc_unpin(p);
}

static void pin_in_a_destructor(void)
{
    pin_in_destructor = true;
    (void)TGC_NEW(File, c);
    tgc_collect_minor(c);
}

static void test_misuse(void)
{
    CHECK(expect_death(unpin_never_pinned, "tgc_unpin: 0x"));
    CHECK(expect_death(unpin_never_pinned, "is not pinned"));
    CHECK(expect_death(unpin_twice, "is not pinned"));
    CHECK(expect_death(pin_in_a_destructor, "tgc_pin inside a destructor"));
}

/* ---- What is reported ------------------------------------------------------------- */

static size_t minor_hook_pinned = SIZE_MAX, collect_hook_pinned = SIZE_MAX;

static void on_minor(const tgc_minor_stats *stats, void *arg)
{
    (void)arg;
    minor_hook_pinned = stats->pinned_objects;
}

static void on_collect(const tgc_collect_stats *stats, void *arg)
{
    (void)arg;
    collect_hook_pinned = stats->pinned_objects;
}

static void test_hooks_and_stats_count(void)
{
    tgc_hooks hooks = { on_minor, NULL, on_collect, NULL };
    tgc_set_hooks(&hooks);
    for (int i = 0; i < 3; i++) {
        kept[i] = new_point(i);
        CHECK(tgc_pin(kept[i]));        /* at once: the next allocation may promote it */
    }
    CHECK_EQ_U(pinned_now(), 3);
    kept[2] = NULL;                     /* dies pinned */
    tgc_collect_minor(c);
    CHECK_EQ_U(minor_hook_pinned, 2);
    CHECK_EQ_U(pinned_now(), 2);
    tgc_collect(c);
    CHECK_EQ_U(collect_hook_pinned, 2);
    tgc_unpin(kept[0]);
    tgc_unpin(kept[1]);
    tgc_collect_minor(c);
    CHECK_EQ_U(minor_hook_pinned, 0);
    tgc_set_hooks(NULL);
    kept[0] = kept[1] = NULL;
}

/* ---- In child processes, before this one starts its collector ---------------------- */

static char log_path[256];

static void pin_three_and_collect(void *arg)
{
    (void)arg;
    set_env("PYPYLOG", log_path);
    if (buffers_init() != 0)
        _exit(3);
    for (int i = 0; i < 3; i++)
        tgc_register_root(&kept[i]);
    tgc_cursor_open(c);
    for (int i = 0; i < 3; i++) {
        kept[i] = new_point(i);
        if (!tgc_pin(kept[i]))
            _exit(4);
    }
    tgc_collect_minor(c);
    tgc_cursor_close(c);
}

/* gc-minor's "number of pinned objects" is the count it kept. */
static void test_log_line(void)
{
    snprintf(log_path, sizeof log_path, "gc-minor:test_pin-%d.log", (int)getpid());
    CHECK_EQ_U(child_status(pin_three_and_collect, NULL, status_is_zero), 0);
    const char *path = log_path + strlen("gc-minor:");
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    remove(path);
    CHECK(strstr(text, "number of pinned objects: 3\n") != NULL);
    CHECK(strstr(text, "number of pinned objects: 0\n") != NULL);   /* start-up's */
}

static void pin_up_to_limit(void *arg)
{
    size_t expected = (size_t)(uintptr_t)arg;
    if (buffers_init() != 0)
        _exit(3);
    tgc_cursor_open(c);
    size_t pinned = 0;
    for (int i = 0; i < MANY + 4; i++) {
        kept[i % MANY] = new_point(i);
        pinned += tgc_pin(kept[i % MANY]);
    }
    _exit(pinned == expected ? 0 : 10 + (int)pinned);
}

static void bad_limit(void *arg)
{
    (void)arg;
    _exit(buffers_init() == -1 ? 0 : 1);
}

/* PyPy's default, nursery / (2 * 135168); 0 disables pinning; a value
 * that is not a whole number is an error. */
static void test_limit_from_environment(void)
{
    set_env("TYPEGC_TORTURE", NULL);    /* its own nursery size, and the unrooted pins die */
    set_env("PYPY_GC_NURSERY", "4M");
    set_env("PYPY_GC_MAX_PINNED", NULL);
    CHECK_EQ_U(child_status(pin_up_to_limit, (void *)(uintptr_t)15, status_is_zero), 0);
    set_env("PYPY_GC_NURSERY", "8M");
    CHECK_EQ_U(child_status(pin_up_to_limit, (void *)(uintptr_t)MANY + 4, status_is_zero), 0);
    set_env("PYPY_GC_MAX_PINNED", "0");
    CHECK_EQ_U(child_status(pin_up_to_limit, (void *)(uintptr_t)0, status_is_zero), 0);
    set_env("PYPY_GC_MAX_PINNED", "3");
    CHECK_EQ_U(child_status(pin_up_to_limit, (void *)(uintptr_t)3, status_is_zero), 0);
    char err[1024];
    set_env("PYPY_GC_MAX_PINNED", "1.5");
    CHECK_EQ_U(run_in_child(bad_limit, NULL, err, sizeof err), 0);
    CHECK(strstr(err, "PYPY_GC_MAX_PINNED=1.5: not a whole number") != NULL);
    set_env("PYPY_GC_MAX_PINNED", "4k");
    CHECK_EQ_U(run_in_child(bad_limit, NULL, err, sizeof err), 0);
}

int main(void)
{
    /* the children set their own environment; the parent's is restored */
    char *nursery = getenv("PYPY_GC_NURSERY");
    char *given_max = getenv("PYPY_GC_MAX_PINNED");
    char *torture = getenv("TYPEGC_TORTURE");
    nursery = nursery != NULL ? strdup(nursery) : NULL;
    given_max = given_max != NULL ? strdup(given_max) : NULL;
    torture = torture != NULL ? strdup(torture) : NULL;
    set_env("PYPY_GC_MAX_PINNED", given_max != NULL ? given_max : "8");
    RUN(test_log_line);
    RUN(test_limit_from_environment);
    set_env("PYPY_GC_NURSERY", nursery);
    set_env("TYPEGC_TORTURE", torture);
    set_env("PYPY_GC_MAX_PINNED", given_max != NULL ? given_max : "8");
    max_pinned = (size_t)atol(getenv("PYPY_GC_MAX_PINNED"));

    if (buffers_init() != 0)
        return 1;
    tgc_register_root(&box);
    tgc_register_root(&points);
    for (int i = 0; i < MANY; i++)
        tgc_register_root(&kept[i]);
    tgc_cursor_open(c);
    RUN(test_pinned_buffer_stays_put);
    RUN(test_allocation_goes_around_pins);
    RUN(test_large_pinned_buffer);
    RUN(test_pins_leave_room_for_the_largest_object);
    RUN(test_old_object_keeps_pinned_alive);
    RUN(test_large_array_keeps_pinned_alive);
    RUN(test_major_steps_with_pins);
    RUN(test_unreachable_pinned_object_dies);
    RUN(test_weakref_to_pinned_object);
    RUN(test_id_of_pinned_object);
    RUN(test_finalizer_queue_and_pins);
    RUN(test_memory_pressure_of_pinned_object);
    RUN(test_refusals);
    RUN(test_limit);
    RUN(test_misuse);
    RUN(test_hooks_and_stats_count);
    tgc_cursor_close(c);
    free(nursery);
    free(given_max);
    free(torture);
    return check_finish();
}
