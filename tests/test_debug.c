/* test_debug.c -- the user's two possible mistakes fail loudly: a store
 * into an old object that skips the write barrier is named by the heap
 * check of PYPY_GC_DEBUG=2 at the next minor collection, and a pointer
 * kept across a collection without being saved reads the nursery poison
 * of PYPY_GC_NURSERY_DEBUG (or trips AddressSanitizer), and under
 * TYPEGC_TORTURE faults at the allocation that follows the mistake. */
#include "check.h"
#include "list.h"

/* In the child process: the runtime started with one debug variable set
 * (exit status 3 if it does not start). */
static void start_heap_with(const char *variable, const char *value)
{
    setenv(variable, value, 1);
    if (list_init() != 0)
        _exit(3);
}

static void store_without_barrier(void)
{
    start_heap_with("PYPY_GC_DEBUG", "2");
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *old = TGC_NEW(Node, c);
    TGC_SAVE(old);
    tgc_collect_minor(c);           /* `old` is old now */
    TGC_RESTORE(old);
    Node *young = TGC_NEW(Node, c, old);
    old->next = young;                  /* the mistake: no Node_set_next() (typegc-check: allow) */
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
    start_heap_with("PYPY_GC_NURSERY_DEBUG", "1");
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *n = TGC_NEW(Node, c);
    n->value = 5;
    tgc_collect_minor(c);           /* the mistake: n was not saved */
    fprintf(stderr, "value %#llx\n", (unsigned long long)n->value);  /* typegc-check: allow */
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

/* Builds a list properly, then at allocation 3 keeps `last` across an
 * allocation without passing it as live. */
static void forget_root_at_third_allocation(void *unused)
{
    (void)unused;
    start_heap_with("TYPEGC_TORTURE", "1000");
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *last = NULL;
    for (int i = 1; i <= 10; i++) {
        fprintf(stderr, "allocation %d\n", i);
        Node *n = i == 3 ? TGC_NEW(Node, c) : TGC_NEW(Node, c, last);
        Node_set_next(n, last);  /* typegc-check: allow */
        n->value = last != NULL ? last->value + 1 : 0;
        last = n;
    }
    tgc_cursor_close(c);
}

static void test_torture_finds_missing_root_at_once(void)
{
    char err[8192];
    int status = run_in_child(forget_root_at_third_allocation, NULL, err, sizeof err);
    bool named = strstr(err, "TYPEGC_TORTURE: access to 0x") != NULL &&
                 strstr(err, "a missing root") != NULL;
    bool asan = strstr(err, "use-after-poison") != NULL;
    CHECK(status == 128 + SIGABRT || (asan && status != 0));
    CHECK(named || asan);
    /* found at the third allocation, before the fourth */
    CHECK(strstr(err, "allocation 3\n") != NULL);
    CHECK(strstr(err, "allocation 4\n") == NULL);
    if (!(named || asan))
        fprintf(stderr, "status %d, stderr: %s\n", status, err);
}

/* An old object kept only in a C variable: the full collection that
 * TYPEGC_TORTURE=1 runs at the next allocation frees it, and its memory
 * reads the poison. */
static void keep_old_object_without_root(void *unused)
{
    (void)unused;
    start_heap_with("TYPEGC_TORTURE", "1");
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *n = TGC_NEW(Node, c);
    n->value = 5;
    TGC_SAVE(n);
    tgc_collect_minor(c);               /* n is old now */
    TGC_RESTORE(n);
    Node *other = TGC_NEW(Node, c);     /* the mistake: n not live */
    (void)other;
    fprintf(stderr, "value %#llx\n", (unsigned long long)n->value);  /* typegc-check: allow */
    tgc_cursor_close(c);
}

static void test_torture_frees_unrooted_old_object(void)
{
    char err[8192];
    int status = run_in_child(keep_old_object_without_root, NULL, err, sizeof err);
    CHECK(status == 0);
    CHECK(strstr(err, "value 0x2323232323232323") != NULL);
}

int main(void)
{
    unsetenv("PYPY_GC_NURSERY");
    RUN(test_missing_barrier_is_named);
    RUN(test_missing_root_reads_poison);
    RUN(test_torture_finds_missing_root_at_once);
    RUN(test_torture_frees_unrooted_old_object);
    return check_finish();
}
