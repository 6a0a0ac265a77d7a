/* test_oom.c -- running out of system memory reaches the documented path,
 * and the heap stays intact for whatever the program does next.
 *
 * A child program keeps a small structure for good (`kept`) and fills a
 * cache of rounds (large arrays of references, items, byte labels: the
 * nursery, the arenas, old raw objects and large objects all take memory);
 * its memory error handler drops the cache.  It runs with:
 *   - TYPEGC_FAIL_ALLOC=N for every N up to past its last request: each
 *     request of the runtime to the system fails once, in turn;
 *   - TYPEGC_MEMORY_LIMIT: the requests fail for good beyond a budget, so
 *     the handler must free memory for the program to go on;
 *   - the same without a handler, or with one that frees nothing: the
 *     program stops with the documented message, never a crash.
 * With PYPY_GC_DEBUG=2 the heap check runs after every minor collection. */
#include "check.h"
#include "arrays.h"

enum { KEPT_ITEMS = 64, MAX_ROUNDS = 120 };

static tgc_cursor c;
static Items *kept;
static Items *rounds[MAX_ROUNDS];
static int handler_calls;
static bool handler_frees;
static bool with_handler = true;

static void drop_the_cache(void *arg)
{
    (void)arg;
    handler_calls++;
    if (handler_frees)
        memset(rounds, 0, sizeof rounds);
}

static uint8_t byte_at(long key, size_t j)
{
    return (uint8_t)(key * 7 + (long)j);
}

/* An Item with `key` and, if label_length > 0, a label of that many bytes. */
static Item *make_item(long key, size_t label_length)
{
    Item *item = TGC_NEW(Item, c);
    item->key = (int32_t)key;
    item->weight = (double)key / 2;
    if (label_length > 0) {
        Bytes *label = TGC_NEW_ARRAY(Bytes, c, label_length, item);
        for (size_t j = 0; j < label_length; j++)
            Bytes_set(label, j, byte_at(key, j));
        Item_set_label(item, label);
    }
    return item;
}

static bool item_ok(const Item *item, long key, size_t label_length)
{
    if (item == NULL || !Item_isinstance(item) || item->key != key ||
        item->weight != (double)key / 2)
        return false;
    if (label_length == 0)
        return item->label == NULL;
    if (item->label == NULL || Bytes_length(item->label) != label_length)
        return false;
    for (size_t j = 0; j < label_length; j++)
        if (Bytes_get(item->label, j) != byte_at(key, j))
            return false;
    return true;
}

/* Labels above 280 bytes are old raw objects once promoted. */
static size_t kept_label(long i) { return 10 + (size_t)i * 7; }
static size_t round_label(long j) { return j % 50 == 0 ? 400 : j % 3 == 0 ? 16 : 0; }

static bool kept_ok(void)
{
    for (long i = 0; i < KEPT_ITEMS; i++)
        if (!item_ok(Items_get(kept, (size_t)i), i, kept_label(i)))
            return false;
    return true;
}

static bool round_ok(long r, size_t filled)
{
    for (size_t j = 0; j < filled; j++)
        if (!item_ok(Items_get(rounds[r], j), r * 100000 + (long)j, round_label((long)j)))
            return false;
    return true;
}

/* The program: ROUNDS rounds of a large array of `filled` new items; checks
 * everything it still holds at the end.  Prints "ok, handler called N". */
static void run_program(long n_rounds, size_t filled)
{
    if (arrays_init() != 0)
        _exit(3);
    if (with_handler)
        tgc_set_memory_error_handler(drop_the_cache, NULL);
    tgc_register_root(&kept);
    for (int r = 0; r < MAX_ROUNDS; r++)
        tgc_register_root(&rounds[r]);
    tgc_cursor_open(c);
    kept = TGC_NEW_ARRAY(Items, c, KEPT_ITEMS);
    for (long i = 0; i < KEPT_ITEMS; i++)
        Items_set(kept, (size_t)i, make_item(i, kept_label(i)));
    for (long r = 0; r < n_rounds; r++) {
        rounds[r] = TGC_NEW_ARRAY(Items, c, 20000);     /* a large object: 160 KB */
        for (size_t j = 0; j < filled && rounds[r] != NULL; j++) {
            Item *item = make_item(r * 100000 + (long)j, round_label((long)j));
            if (rounds[r] != NULL)      /* the handler may have run */
                Items_set(rounds[r], j, item);
        }
        if (!kept_ok()) {
            fprintf(stderr, "round %ld: kept structure BROKEN\n", r);
            _exit(1);
        }
        if (r % 8 == 7)
            tgc_collect(c);
    }
    for (long r = 0; r < n_rounds; r++)
        if (rounds[r] != NULL && !round_ok(r, filled)) {
            fprintf(stderr, "round %ld BROKEN\n", r);
            _exit(1);
        }
    tgc_cursor_close(c);
    fprintf(stderr, "ok, handler called %d\n", handler_calls);
}

static void small_program(void *arg)
{
    setenv("TYPEGC_FAIL_ALLOC", (const char *)arg, 1);
    handler_frees = true;
    run_program(6, 600);
}

/* Every request fails once in turn: the program finishes with its data
 * intact, or (a request of tgc_init) reports it and stops cleanly. */
static void test_each_request_failing_once(void)
{
    char err[8192], n[32];
    int finished = 0, init_failures = 0, handled = 0;
    /* TEST_OOM_STRIDE=K tries every Kth request only (under valgrind) */
    int stride = getenv("TEST_OOM_STRIDE") ? atoi(getenv("TEST_OOM_STRIDE")) : 1;
    if (stride < 1)
        stride = 1;
    for (int i = 1; i <= 600; i += i < 200 ? stride : 7 * stride) {
        snprintf(n, sizeof n, "%d", i);
        int status = run_in_child(small_program, n, err, sizeof err);
        if (status == 0 && strstr(err, "ok, handler called ") != NULL) {
            finished++;
            handled += strstr(err, "ok, handler called 0") == NULL;
        } else if (status == 3 && strstr(err, "typegc: out of memory: cannot map") != NULL) {
            init_failures++;
        } else {
            fprintf(stderr, "TYPEGC_FAIL_ALLOC=%d: status %d\n%s", i, status, err);
            CHECK(false);
            return;
        }
    }
    printf("  %d runs finished (%d called the handler), %d failed in tgc_init\n",
           finished, handled, init_failures);
    CHECK(init_failures >= 1);      /* the nursery's own request */
    CHECK(handled >= 10 / stride);  /* failures inside collections */
}

enum limited_mode { HANDLER_FREES, HANDLER_FREES_NOTHING, NO_HANDLER };

static void limited_program(void *mode)
{
    setenv("TYPEGC_MEMORY_LIMIT", "12MB", 1);
    setenv("PYPY_GC_DEBUG", "1", 1);    /* the heap is large: check at majors only */
    handler_frees = *(enum limited_mode *)mode == HANDLER_FREES;
    with_handler = *(enum limited_mode *)mode != NO_HANDLER;
    run_program(120, 4000);
}

static int run_limited(enum limited_mode mode, char *err, size_t size)
{
    return run_in_child(limited_program, &mode, err, size);
}

/* Memory runs out for good: the handler drops the cache and the program
 * goes on, several times over. */
static void test_limit_reached_and_handled(void)
{
    char err[8192];
    int status = run_limited(HANDLER_FREES, err, sizeof err);
    CHECK_EQ_U(status, 0);
    int calls = -1;
    const char *ok = strstr(err, "ok, handler called ");
    if (ok != NULL)
        calls = atoi(ok + strlen("ok, handler called "));
    printf("  handler called %d times\n", calls);
    CHECK(calls >= 2);
    if (status != 0 || calls < 2)
        fprintf(stderr, "%s", err);
}

/* No memory comes back, or no handler is set: the documented fatal
 * error, not a crash. */
static void test_limit_without_relief_stops_cleanly(void)
{
    char err[8192];
    int status = run_limited(HANDLER_FREES_NOTHING, err, sizeof err);
    CHECK_EQ_U(status, 128 + SIGABRT);
    CHECK(strstr(err, "typegc: fatal error: out of memory: cannot allocate ") != NULL);
    if (status != 128 + SIGABRT)
        fprintf(stderr, "%s", err);

    status = run_limited(NO_HANDLER, err, sizeof err);
    CHECK_EQ_U(status, 128 + SIGABRT);
    CHECK(strstr(err, "typegc: fatal error: out of memory: cannot allocate ") != NULL);
    CHECK(strstr(err, "no memory error handler is set") != NULL);
    if (status != 128 + SIGABRT)
        fprintf(stderr, "%s", err);
}

/* `test_oom fail N` and `test_oom limit 0|1|2` run one child's program in
 * the foreground, to replay a failure under a debugger. */
int main(int argc, char **argv)
{
    setenv("PYPY_GC_NURSERY", "64KB", 0);
    setenv("PYPY_GC_DEBUG", "2", 0);
    setenv("PYPY_GC_NURSERY_DEBUG", "1", 0);
    if (argc == 3 && strcmp(argv[1], "fail") == 0) {
        small_program(argv[2]);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "limit") == 0) {
        enum limited_mode mode = (enum limited_mode)atoi(argv[2]);
        limited_program(&mode);
        return 0;
    }
    RUN(test_each_request_failing_once);
    RUN(test_limit_reached_and_handled);
    RUN(test_limit_without_relief_stops_cleanly);
    return check_finish();
}
