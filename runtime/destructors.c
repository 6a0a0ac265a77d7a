/* destructors.c -- running the program's destructors (PyPy's light
 * finalizers) once for each object found dead.
 *
 * TGC_NEW registers each new object whose type has one on `young`
 * (tgc_destructor_register()); tgc_alloc_external() does it for large
 * ones.  A minor collection destructs the young ones it did not reach and
 * moves the survivors' new addresses to `old`; the end of marking
 * destructs the old ones it did not reach.  Either way the object's memory
 * is still intact when its destructor runs, and is freed right after (the
 * nursery reset, the raw objects' release, the sweep).  A destructor runs
 * inside the collection, so it may not allocate, store GC pointers or
 * follow references (the objects they point to may be dead too): opening
 * the cursor, a refill and the write barrier's slow path stop the program
 * while one runs, and with TGC_CHECK_CURSOR so does any allocation. */
#include "destructors.h"

#include "gc.h"
#include "object.h"

static void destruct(tgc_destructors *d, void *object)
{
    void (*destructor)(void *) = tgc_info_of(object)->destructor;
    char *expected_free = tgc_expected_free;
    tgc_expected_free = NULL;           /* any allocation now is a mismatch */
    d->running = true;
    destructor(object);
    d->running = false;
    tgc_expected_free = expected_free;
    d->run++;
}

void tgc_destructor_register(void *object)
{
    tgc_addrstack_push(&tgc_gc.destructors.young, object);
}

void tgc_destructors_note_external(void *object)
{
    if (tgc_info_of(object)->destructor != NULL)
        tgc_addrstack_push(&tgc_gc.destructors.young, object);
}

void tgc_destructors_after_minor(void)
{
    tgc_destructors *d = &tgc_gc.destructors;
    while (!tgc_addrstack_empty(&d->young)) {
        char *object = tgc_addrstack_pop(&d->young);
        if (tgc_is_in_nursery(object)) {
            if (*(uint64_t *)object == TGC_FORWARDED_TID)
                tgc_addrstack_push(&d->old, ((void **)object)[1]);
            else
                destruct(d, object);
        } else if (tgc_hdr(object)->flags & TGC_FLAG_VISITED_RMY) {
            tgc_addrstack_push(&d->old, object);   /* a large object, reached */
        } else {
            destruct(d, object);
        }
    }
}

void tgc_destructors_after_marking(void)
{
    tgc_destructors *d = &tgc_gc.destructors;
    size_t kept = 0;
    for (size_t i = 0; i < d->old.length; i++) {
        void *object = d->old.items[i];
        if (tgc_hdr(object)->flags & TGC_FLAG_VISITED)
            d->old.items[kept++] = object;
        else
            destruct(d, object);
    }
    d->old.length = kept;
}

void tgc_destructors_forbid(const char *what)
{
    if (tgc_gc.destructors.running)
        tgc_fatal("%s inside a destructor: a destructor runs during a collection, "
                  "and may not allocate or store GC pointers", what);
}
