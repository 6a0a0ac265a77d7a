/* test_debug.c -- the user's two possible mistakes fail loudly: a store
 * into an old object that skips the write barrier is named by the heap
 * check of PYPY_GC_DEBUG=2 at the next minor collection, and a pointer
 * kept across a collection without being saved reads the nursery poison
 * of PYPY_GC_NURSERY_DEBUG (or trips AddressSanitizer). */
#include "check.h"
#include "list.h"

static void store_without_barrier(void)
{
    setenv("PYPY_GC_DEBUG", "2", 1);
    if (list_init() != 0)
        _exit(3);
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *old = TGC_NEW(Node, c);
    TGC_SAVE(old);
    tgc_collect_minor(c);           /* `old` is old now */
    TGC_RESTORE(old);
    Node *young = TGC_NEW(Node, c, old);
    old->next = young;                  /* the mistake: no Node_set_next() */
    TGC_SAVE(old);
    tgc_collect_minor(c);
    TGC_RESTORE(old);
}

static void test_missing_barrier_is_named(void)
{
    CHECK(expect_death(store_without_barrier,
                       "heap check after a minor collection: Node object at 0x"));
    CHECK(expect_death(store_without_barrier, "field 'next'"));
}

static void keep_pointer_without_saving(void *unused)
{
    (void)unused;
    setenv("PYPY_GC_NURSERY_DEBUG", "1", 1);
    if (list_init() != 0)
        _exit(3);
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *n = TGC_NEW(Node, c);
    n->value = 5;
    tgc_collect_minor(c);           /* the mistake: n was not saved */
    fprintf(stderr, "value %#llx\n", (unsigned long long)n->value);
}

static void test_missing_root_reads_poison(void)
{
    char err[8192];
    int status = run_in_child(keep_pointer_without_saving, NULL, err, sizeof err);
    bool poisoned = status == 0 && strstr(err, "value 0x2323232323232323") != NULL;
    bool asan = status != 0 && strstr(err, "use-after-poison") != NULL;
    if (!poisoned && !asan)
        fprintf(stderr, "status %d, stderr: %s\n", status, err);
    CHECK(poisoned || asan);
}

int main(void)
{
    unsetenv("PYPY_GC_NURSERY");
    RUN(test_missing_barrier_is_named);
    RUN(test_missing_root_reads_poison);
    return check_finish();
}
