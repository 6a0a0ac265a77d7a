/* test_destructor.c -- destructors (schema "destructor": true) run once for
 * each object found dead, never for one still reachable: young objects at
 * the minor collection, old ones at the end of marking, large ones either
 * way; subclasses use their base's unless they declare their own; a
 * destructor that allocates or stores a GC pointer stops the program.
 *
 *   test_destructor          the tests (any PYPY_GC_NURSERY)
 *   test_destructor rss      an interpreter's file objects: 10^6 objects
 *                            owning malloced buffers, the peak RSS bounded
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"
#include "resources.h"

enum { MAX_SERIAL = 1 << 20, BUFFER_BYTES = 1024 };

/* What the destructors saw, by serial. */
static unsigned char destructed[MAX_SERIAL];
static unsigned char destructed_as[MAX_SERIAL];     /* type id of the call */
static bool reachable[MAX_SERIAL];                  /* the test says it is */
static long destructed_while_reachable;
static long destructed_with_bad_fields;
static long next_serial = 1;

/* What a destructor may be made to do wrong, in a child process. */
static enum { BEHAVE, ALLOCATE, STORE } misbehave;
static Plain *keeper;           /* an old object, for STORE */

static void record(Resource *obj, uint32_t type_id)
{
    long serial = obj->serial;
    if (serial <= 0 || serial >= MAX_SERIAL) {
        destructed_with_bad_fields++;
        return;
    }
    if (reachable[serial])
        destructed_while_reachable++;
    if (destructed[serial] < 255)
        destructed[serial]++;
    destructed_as[serial] = (unsigned char)type_id;
    /* the object's own fields are intact: its buffer holds its serial */
    long *buffer = (long *)(uintptr_t)obj->buffer;
    if (buffer == NULL || buffer[0] != serial)
        destructed_with_bad_fields++;
    free(buffer);
    if (misbehave == ALLOCATE) {
        tgc_cursor c;
        tgc_cursor_open(c);
    } else if (misbehave == STORE) {
        Plain_set_held(keeper, NULL);
    }
}

void Resource_destruct(Resource *obj)
{
    record(obj, Resource__TYPE_ID);
}

void Socket_destruct(Socket *obj)
{
    record(Resource_of(obj), Socket__TYPE_ID);
}

void Image_destruct(Image *obj)
{
    long serial = obj->serial;
    if (serial <= 0 || serial >= MAX_SERIAL || obj->pixels[16999] != (uint64_t)serial) {
        destructed_with_bad_fields++;
        return;
    }
    if (reachable[serial])
        destructed_while_reachable++;
    destructed[serial]++;
    destructed_as[serial] = Image__TYPE_ID;
}

static void give_buffer(Resource *r)
{
    long serial = next_serial++;
    long *buffer = malloc(BUFFER_BYTES);
    if (buffer == NULL)
        abort();
    buffer[0] = serial;
    r->serial = serial;
    r->buffer = (uint64_t)(uintptr_t)buffer;
}

static Resource *new_resource(tgc_cursor c, Resource *next)
{
    Resource *r = TGC_NEW(Resource, c, next);
    give_buffer(r);
    Resource_set_next(r, next);
    return r;
}

/* Serials [first, next_serial) were each destructed exactly once, as
 * `type_id`. */
static bool each_destructed_once(long first, uint32_t type_id)
{
    for (long s = first; s < next_serial; s++)
        if (destructed[s] != 1 || destructed_as[s] != type_id) {
            fprintf(stderr, "serial %ld: destructed %d times, as type %d\n", s,
                    destructed[s], destructed_as[s]);
            return false;
        }
    return true;
}

static bool none_destructed(long first, long end)
{
    for (long s = first; s < end; s++)
        if (destructed[s] != 0)
            return false;
    return true;
}

static void test_young_garbage_destructed_at_minor_collection(void)
{
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    long first = next_serial;
    tgc_cursor c;
    tgc_cursor_open(c);
    for (int i = 0; i < 500; i++)
        (void)new_resource(c, NULL);
    tgc_collect_minor(c);
    tgc_cursor_close(c);
    CHECK(each_destructed_once(first, Resource__TYPE_ID));
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.destructors_run - before.destructors_run, 500);
    CHECK_EQ_U(destructed_with_bad_fields, 0);
}

/* A chain kept through minor and major collections is never destructed;
 * dropped, a full collection destructs every object of it once. */
static void test_reachable_never_destructed(void)
{
    long first = next_serial;
    tgc_cursor c;
    tgc_cursor_open(c);
    Resource *head = NULL;
    for (int i = 0; i < 2000; i++) {
        head = new_resource(c, head);
        reachable[head->serial] = true;
    }
    long end = next_serial;
    TGC_SAVE(head);
    tgc_collect_minor(c);
    tgc_collect(c);
    for (int i = 0; i < 3000; i++)        /* garbage, to step the collector */
        (void)TGC_NEW(Plain, c);
    tgc_collect(c);
    TGC_RESTORE(head);
    CHECK(none_destructed(first, end));
    long length = 0;
    for (Resource *r = head; r != NULL; r = r->next)
        length++;
    CHECK_EQ_U(length, 2000);
    for (long s = first; s < end; s++)
        reachable[s] = false;
    head = NULL;
    tgc_collect(c);
    tgc_cursor_close(c);
    CHECK(each_destructed_once(first, Resource__TYPE_ID));
    CHECK_EQ_U(destructed_while_reachable, 0);
}

/* LoggedResource declares none: its base's runs.  Socket has its own. */
static void test_subclasses_inherit_or_override(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    long first_logged = next_serial;
    for (int i = 0; i < 100; i++) {
        LoggedResource *l = TGC_NEW(LoggedResource, c);
        give_buffer(Resource_of(l));
    }
    long first_socket = next_serial;
    for (int i = 0; i < 100; i++) {
        Socket *s = TGC_NEW(Socket, c);
        give_buffer(Resource_of(s));
        s->port = 80;
    }
    long end = next_serial;
    tgc_collect(c);
    tgc_cursor_close(c);
    for (long s = first_logged; s < first_socket; s++)
        CHECK(destructed[s] == 1 && destructed_as[s] == Resource__TYPE_ID);
    for (long s = first_socket; s < end; s++)
        CHECK(destructed[s] == 1 && destructed_as[s] == Socket__TYPE_ID);
}

/* Objects too large for the nursery: destructed when found dead young
 * (the minor collection frees them) and when found dead old. */
static void test_large_objects(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    long dead = next_serial++;
    Image *img = TGC_NEW(Image, c);
    img->serial = dead;
    img->pixels[16999] = (uint64_t)dead;
    long kept = next_serial++;
    img = TGC_NEW(Image, c);
    img->serial = kept;
    img->pixels[16999] = (uint64_t)kept;
    reachable[kept] = true;
    TGC_SAVE(img);
    tgc_collect_minor(c);
    CHECK(destructed[dead] == 1);
    CHECK(destructed[kept] == 0);
    tgc_collect(c);
    TGC_RESTORE(img);
    CHECK(destructed[kept] == 0 && img->serial == kept);
    reachable[kept] = false;
    img = NULL;
    tgc_collect(c);
    tgc_cursor_close(c);
    CHECK(destructed[kept] == 1);
    CHECK_EQ_U(destructed_while_reachable, 0);
}

/* An object promoted while a major cycle marks, then dropped, is
 * destructed by that cycle or the next, once. */
static void test_dropped_during_marking(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    long first = next_serial;
    Resource *head = NULL;
    for (int round = 0; round < 20; round++) {
        tgc_step_result step;
        TGC_SAVE(head);
        tgc_collect_step(c, &step);
        TGC_RESTORE(head);
        for (int i = 0; i < 50; i++)
            head = new_resource(c, head);
        TGC_SAVE(head);
        tgc_collect_minor(c);           /* promoted */
        TGC_RESTORE(head);
        if (round % 3 == 2)
            head = NULL;                /* dropped, old */
    }
    head = NULL;
    tgc_collect(c);
    tgc_cursor_close(c);
    CHECK(each_destructed_once(first, Resource__TYPE_ID));
}

static void allocate_in_destructor(void)
{
    misbehave = ALLOCATE;
    tgc_cursor c;
    tgc_cursor_open(c);
    (void)new_resource(c, NULL);
    tgc_collect_minor(c);
}

static void store_in_destructor(void)
{
    misbehave = STORE;
    tgc_cursor c;
    tgc_cursor_open(c);
    keeper = TGC_NEW(Plain, c);
    tgc_register_root(&keeper);
    tgc_collect(c);                     /* keeper is old, tracking young pointers */
    (void)new_resource(c, NULL);
    tgc_collect_minor(c);
}

static void test_misbehaving_destructor_dies(void)
{
    CHECK(expect_death(allocate_in_destructor, "tgc_cursor_open inside a destructor"));
    CHECK(expect_death(store_in_destructor, "a store of a GC pointer inside a destructor"));
}

/* An interpreter's file objects: each owns a malloced buffer that only its
 * destructor frees, and tells the collector with memory pressure.  A
 * thousand are alive at a time; 10^6 in all would be 1 GiB of buffers if
 * the dead ones were never destructed. */
static int run_rss_bound(void)
{
    enum { OBJECTS = 1000000, ALIVE = 1000 };
    long first = next_serial;
    tgc_cursor c;
    tgc_cursor_open(c);
    Resource *head = NULL;
    for (long i = 0; i < OBJECTS; i++) {
        if (i % ALIVE == 0)
            head = NULL;
        head = new_resource(c, head);
        tgc_add_memory_pressure(BUFFER_BYTES);
    }
    head = NULL;
    tgc_collect(c);
    tgc_cursor_close(c);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    long peak_mib = usage.ru_maxrss / 1024;
    long never = 0;
    for (long s = first; s < next_serial; s++)
        never += destructed[s] != 1;
    printf("%d objects of %d-byte buffers: peak RSS %ld MiB, %ld not destructed once\n",
           OBJECTS, BUFFER_BYTES, peak_mib, never);
    /* generous: the buffers alone would be 1000 MiB */
    bool ok = peak_mib < 300 && never == 0 && destructed_while_reachable == 0;
    printf("%s\n", ok ? "ok   rss bound" : "FAIL rss bound");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (resources_init() != 0)
        return 1;
    if (argc == 2 && strcmp(argv[1], "rss") == 0)
        return run_rss_bound();
    RUN(test_young_garbage_destructed_at_minor_collection);
    RUN(test_reachable_never_destructed);
    RUN(test_subclasses_inherit_or_override);
    RUN(test_large_objects);
    RUN(test_dropped_during_marking);
    RUN(test_misbehaving_destructor_dies);
    return check_finish();
}
