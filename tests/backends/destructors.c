/* Destructors on every backend (tests/backends/meson.build), from one
 * source: typegc runs one for each object found dead, Boehm GC runs it as
 * a finalizer (conservatively: an object that looks referenced from the
 * stack stays), malloc runs it when the program frees the object.  On
 * each, a destructor runs at most once per object, never for one still in
 * use, and tgc_get_stats() counts them. */
#include <stdio.h>
#include <stdlib.h>

#include "resources.h"

enum { OBJECTS = 1000 };

static int destructed[OBJECTS + 1];
static bool in_use[OBJECTS + 1];
static int failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

void Resource_destruct(Resource *obj)
{
    if (obj->serial < 1 || obj->serial > OBJECTS || in_use[obj->serial]) {
        failures++;
        return;
    }
    destructed[obj->serial]++;
}

void Socket_destruct(Socket *obj)
{
    Resource_destruct(Resource_of(obj));
}

void Image_destruct(Image *obj)
{
    (void)obj;
}

/* Allocates OBJECTS resources, keeps every tenth in a chain and drops the
 * rest; returns the chain. */
static Resource *allocate(tgc_cursor c)
{
    Resource *kept = NULL;
    for (int serial = 1; serial <= OBJECTS; serial++) {
        Resource *r = TGC_NEW(Resource, c, kept);
        r->serial = serial;
        if (serial % 10 == 0) {
            Resource_set_next(r, kept);
            kept = r;
            in_use[serial] = true;
        } else {
#ifdef TYPEGC_EXPLICIT_FREE
            tgc_free(r);
#endif
        }
    }
    return kept;
}

int main(void)
{
    if (resources_init() != 0)
        return 1;
    tgc_cursor c;
    tgc_cursor_open(c);
    Resource *kept = allocate(c);
    TGC_SAVE(kept);
    tgc_collect(c);
    TGC_RESTORE(kept);

    int dead = 0, more_than_once = 0;
    for (int s = 1; s <= OBJECTS; s++) {
        dead += destructed[s] == 1;
        more_than_once += destructed[s] > 1;
    }
    int chain = 0;
    for (Resource *r = kept; r != NULL; r = r->next)
        chain += r->serial % 10 == 0 && destructed[r->serial] == 0;
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    printf("%d of %d dropped objects destructed, %llu destructors run\n", dead,
           OBJECTS - OBJECTS / 10, (unsigned long long)stats.destructors_run);
    CHECK(more_than_once == 0);
    CHECK(chain == OBJECTS / 10);
    CHECK(stats.destructors_run == (uint64_t)dead);
#if defined(TYPEGC_BOEHM)
    CHECK(dead >= (OBJECTS - OBJECTS / 10) / 2);    /* conservative */
#else
    CHECK(dead == OBJECTS - OBJECTS / 10);          /* typegc, malloc: exact */
#endif
    tgc_cursor_close(c);
    printf("%s\n", failures == 0 ? "ok" : "FAIL");
    return failures != 0;
}
