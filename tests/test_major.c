/* test_major.c -- the incremental major collector: unreachable objects
 * (cycles included) are freed, live graphs stay intact across full and
 * stepwise cycles with mutation between the steps, a store into a black
 * object during MARKING keeps its target alive, enable/disable, the
 * statistics add up, the hooks fire with sane counts, resident memory
 * falls after garbage dies, pages a sweep frees are reused before it ends,
 * minor collections between cycles give back empty arenas, the adaptive
 * nursery keeps its floor across a cycle that finds nothing live,
 * a marking step stops at its time limit (TYPEGC_STEP_MAX_US), and
 * PYPY_GC_MAX reaches the memory error path with the heap intact.
 * Run with small nurseries, a tiny increment step and PYPY_GC_DEBUG. */
#include <limits.h>

#include "check.h"
#include "tree.h"
#include "tree_chains.h"

static tgc_cursor c;
static Tree *root;              /* a registered global root */

static size_t old_bytes(void)
{
    tgc_stats s;
    tgc_get_stats(&s, false);
    return s.total_arena_memory + s.total_rawmalloced_memory;
}

static void test_unreachable_cycle_is_freed(void)
{
    tgc_collect(c);
    size_t before = old_bytes();
    Tree *head = make_chain(c, 0, 5000);
    Tree *last = head;
    while (last->left != NULL)
        last = last->left;
    Tree_set_left(last, head);                  /* a cycle */
    TGC_SAVE(head);
    tgc_collect(c);
    TGC_RESTORE(head);
    CHECK(old_bytes() >= before + 5000 * Tree__SIZE);
    head = NULL;
    tgc_collect(c);
    CHECK_EQ_U(old_bytes(), before);
}

/* Steps one at a time, replacing parts of a live structure between the
 * steps, and checks it whole at every state. */
static void test_live_graph_survives_stepwise_cycles(void)
{
    enum { CHAINS = 40, LENGTH = 50 };
    root = TGC_NEW(Tree, c);
    Tree *spine = root;
    for (long k = 0; k < CHAINS; k++) {
        TGC_SAVE(spine);
        Tree *chain = make_chain(c, k * 1000, LENGTH);
        TGC_RESTORE(spine);
        Tree_set_right(spine, chain);
        if (k + 1 < CHAINS) {
            Tree *next = TGC_NEW(Tree, c, spine);
            Tree_set_left(spine, next);
            spine = next;
        }
    }
    long completed = 0, steps = 0;
    for (long round = 0; completed < 3 && steps < 200000; round++, steps++) {
        tgc_step_result r;
        tgc_collect_step(c, &r);
        if (r.major_is_done)
            completed++;
        /* Replace the chain of one spine node with a fresh one. */
        long k = round % CHAINS;
        Tree *s = root;
        for (long i = 0; i < k; i++)
            s = s->left;
        TGC_SAVE(s);
        Tree *chain = make_chain(c, k * 1000, LENGTH);
        TGC_RESTORE(s);
        Tree_set_right(s, chain);
        /* Check everything. */
        s = root;
        for (long i = 0; i < CHAINS; i++, s = s->left)
            if (s == NULL || !chain_ok(s->right, i * 1000, LENGTH)) {
                fprintf(stderr, "chain %ld broken in round %ld (state %s)\n", i, round,
                        tgc_phase_name(r.new_phase));
                CHECK(!"structure intact");
                root = NULL;
                return;
            }
    }
    CHECK(completed == 3);
    root = NULL;
}

/* B hangs off the end of a long chain; while MARKING has blackened the
 * chain's first nodes, B is moved under a black node and cut from where it
 * was.  The barrier must keep B alive. */
static void test_store_into_black_object_keeps_target(void)
{
    tgc_collect(c);
    root = make_chain(c, 0, 2000);
    Tree *b = make_chain(c, 777000, 10);
    Tree *last = root;
    while (last->left != NULL)
        last = last->left;
    Tree_set_right(last, b);
    b = last = NULL;
    tgc_step_result r = { 0 };
    while (r.new_phase != TGC_PHASE_MARKING)
        tgc_collect_step(c, &r);
    for (int i = 0; i < 20; i++)                /* blacken the head of the chain */
        tgc_collect_step(c, &r);
    CHECK(r.new_phase == TGC_PHASE_MARKING);
    last = root;
    while (last->left != NULL)
        last = last->left;
    Tree_set_right(root->left, last->right);    /* into a black node */
    Tree_set_right(last, NULL);                 /* cut the old path */
    last = NULL;
    while (!r.major_is_done)
        tgc_collect_step(c, &r);
    (void)make_chain(c, 0, 20000);              /* reuse whatever was freed */
    CHECK(chain_ok(root->left->right, 777000, 10));
    root = NULL;
}

static void test_disable_stops_major_steps(void)
{
    tgc_collect(c);
    tgc_disable();
    CHECK(!tgc_isenabled());
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    for (int round = 0; round < 200; round++)
        root = make_chain(c, 0, 1000);          /* promoted, then garbage */
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.major_steps, before.major_steps);
    CHECK(after.minor_collections > before.minor_collections);
    /* Explicit steps still work. */
    tgc_step_result r;
    tgc_collect_step(c, &r);
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.major_steps, before.major_steps + 1);
    tgc_enable();
    CHECK(tgc_isenabled());
    for (int round = 0; round < 200; round++)
        root = make_chain(c, 0, 1000);
    tgc_get_stats(&after, false);
    CHECK(after.major_steps > before.major_steps + 1);
    tgc_collect(c);
    root = NULL;
}

static void test_stats_add_up(void)
{
    root = make_chain(c, 0, 3000);
    tgc_collect(c);
    tgc_stats s;
    tgc_get_stats(&s, false);
    /* a full collection leaves nothing aged */
    CHECK_EQ_U(s.aged_size, 0);
    CHECK_EQ_U(s.total_gc_memory,
               s.total_arena_memory + s.total_rawmalloced_memory + s.nursery_size);
    CHECK(s.peak_gc_memory >= s.total_gc_memory);
    CHECK_EQ_U(s.total_allocated_memory, s.arenas_count * 512 * 1024 +
                                             s.total_rawmalloced_memory + s.nursery_size +
                                             s.survivor_space_size);
    CHECK(s.total_arena_memory >= 3000 * Tree__SIZE);
    CHECK(s.total_memory_pressure == -1);
    tgc_add_memory_pressure(12345);
    tgc_get_stats(&s, true);
    CHECK(s.total_memory_pressure >= 12345);

    char report[2048];
    tgc_format_stats(report, sizeof report, &s);
    const char *lines[] = {
        "Total memory consumed:\n    GC used:                 ",
        "\n       in arenas:            ", "\n       rawmalloced:          ",
        "\n       nursery:              ", "\n    raw assembler used:      0.0kB",
        "\n    memory pressure:         ", "\n    -----------------------------\n",
        "\n    Total memory allocated (includes freelists):\n    GC allocated:            ",
        "\n    raw assembler allocated: 0.0kB", "\n    Total time spent in GC:  ",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (strstr(report, lines[i]) == NULL) {
            fprintf(stderr, "missing \"%s\" in:\n%s\n", lines[i], report);
            CHECK(!"report line");
        }
    CHECK(strcmp(report + strlen(report) - 5, "\n    ") == 0);
    root = NULL;
}

static struct {
    uint64_t minor_calls, minors, steps, collects, last_major, done_steps;
    uint64_t cpu;               /* sum of cpu_duration */
    uint64_t bad;
} seen;

/* On the CPU no longer than on the wall clock (1 ms for the two clocks'
 * different reads). */
static bool cpu_time_sane(uint64_t cpu_duration, uint64_t duration)
{
    return cpu_duration <= duration + 1000000;
}

static void on_minor(const tgc_minor_stats *s, void *arg)
{
    (void)arg;
    seen.minor_calls++;
    seen.minors += s->count;
    seen.cpu += s->cpu_duration;
    if (s->count == 0 || s->duration_min > s->duration_max || s->duration < s->duration_max ||
        s->pinned_objects != 0 || !cpu_time_sane(s->cpu_duration, s->duration))
        seen.bad++;
}

static void on_step(const tgc_collect_step_stats *s, void *arg)
{
    (void)arg;
    seen.steps += s->count;
    seen.cpu += s->cpu_duration;
    if (s->major_is_done)
        seen.done_steps++;
    if (s->count == 0 || s->duration_min > s->duration_max || (unsigned)s->newstate > 3 ||
        !cpu_time_sane(s->cpu_duration, s->duration))
        seen.bad++;
}

static void on_collect(const tgc_collect_stats *s, void *arg)
{
    (void)arg;
    seen.collects += s->count;
    seen.last_major = s->num_major_collects;
    if (s->arenas_bytes > s->arenas_count_after * 512 * 1024)
        seen.bad++;
}

/* The start-up's minor collection is counted by the statistics, and
 * reaches no hook installed afterwards. */
static void startup_collection_child(void *unused)
{
    (void)unused;
    if (tree_init() != 0)
        _exit(3);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    memset(&seen, 0, sizeof seen);
    tgc_hooks hooks = { .on_gc_minor = on_minor };
    tgc_set_hooks(&hooks);
    tgc_cursor_open(c);
    tgc_collect_minor(c);
    _exit(stats.minor_collections == 1 && seen.minors == 1 ? 0 : 1);
}

static void test_startup_collection_counted_not_hooked(void)
{
    check_child_succeeds(startup_collection_child);
}

static void test_hooks_fire_with_sane_counts(void)
{
    tgc_stats before, after;
    tgc_hooks hooks = { on_minor, on_step, on_collect, NULL };
    tgc_set_hooks(&hooks);
    tgc_get_stats(&before, false);
    for (int round = 0; round < 300; round++) {
        root = make_chain(c, 0, 500);
        Tree *garbage = make_chain(c, 0, 500);
        (void)garbage;
    }
    tgc_collect(c);
    tgc_get_stats(&after, false);
    tgc_set_hooks(NULL);
    CHECK_EQ_U(seen.minors, after.minor_collections - before.minor_collections);
    CHECK(seen.minor_calls > 0 && seen.minor_calls <= seen.minors);
    CHECK_EQ_U(seen.collects, after.major_collections - before.major_collections);
    CHECK_EQ_U(seen.last_major, after.major_collections);
    CHECK(seen.steps + 4 > 4 * seen.collects);  /* a cycle takes 4 steps or more */
    CHECK(seen.done_steps >= 1);
    CHECK(seen.cpu > 0);
    CHECK_EQ_U(seen.bad, 0);
    root = NULL;
}

/* ---- In child processes, with their own environment --------------------- */

static long resident_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Starts the collector in a child process with these settings (NULL: the
 * variable unset, its default), the cursor open and `root` registered. */
static void start_child_gc(const char *nursery, const char *increment_step, const char *debug,
                           const char *nursery_debug)
{
    set_env("PYPY_GC_NURSERY", nursery);
    set_env("PYPY_GC_INCREMENT_STEP", increment_step);
    set_env("PYPY_GC_DEBUG", debug);
    set_env("PYPY_GC_NURSERY_DEBUG", nursery_debug);
    if (tree_init() != 0)
        _exit(3);
    tgc_cursor_open(c);
    tgc_register_root(&root);
}

static void rss_child(void *unused)
{
    (void)unused;
    /* the default increment step: one of an object would make building 4M
     * objects take a minute under AddressSanitizer.  A fixed nursery: the
     * default one is half the processor's cache, tens of MiB on some
     * machines, which would hide the arenas' memory. */
    start_child_gc("4M", NULL, NULL, NULL);
    long base = resident_kib();
    root = make_chain(c, 0, 4000000);           /* ~128 MB of old objects */
    tgc_collect(c);
    long full = resident_kib();
    root = NULL;
    tgc_collect(c);
    long after = resident_kib();
    fprintf(stderr, "rss base %ld full %ld after %ld KiB\n", base, full, after);
    _exit(full - base > 100000 && after - base < (full - base) / 4 ? 0 : 1);
}

static void test_resident_memory_falls_after_garbage_dies(void)
{
    check_child_succeeds(rss_child);
}

/* Between cycles, minor collections give back the empty arenas beyond
 * the expected promotion, a few at a time: a program whose objects now
 * die young may not start another cycle for a long time.  A stepwise
 * cycle frees a 128 MB chain; the garbage allocated after it is collected
 * by minor collections only (the threshold is not reached again). */
static void release_between_cycles_child(void *unused)
{
    (void)unused;
    start_child_gc("1M", NULL, NULL, NULL);
    root = make_chain(c, 0, 4000000);
    tgc_collect(c);
    root = NULL;
    tgc_step_result r = { 0 };
    do
        tgc_collect_step(c, &r);
    while (!r.major_is_done);
    tgc_stats s;
    tgc_get_stats(&s, false);
    size_t after_cycle = s.arenas_count;
    uint64_t cycles = s.major_collections;
    for (long i = 0; i < 2000000; i++)
        (void)TGC_NEW(Tree, c);
    tgc_get_stats(&s, false);
    fprintf(stderr, "arenas after the cycle %zu, after 60 MB of young garbage %zu "
            "(cycles %llu then %llu)\n", after_cycle, s.arenas_count,
            (unsigned long long)cycles, (unsigned long long)s.major_collections);
    _exit(after_cycle > 200 && s.arenas_count < after_cycle / 2 &&
          s.major_collections == cycles ? 0 : 1);
}

static void test_minor_collections_give_back_empty_arenas(void)
{
    check_child_succeeds(release_between_cycles_child);
}

/* The adaptive nursery is sized against the larger of what the last two
 * cycles found live: one that ends between two phases of a program finds
 * nothing, and must not shrink the nursery below the floor that the
 * cycle before it set (twice the cache estimate live: the floor is the
 * estimate).  Where the estimate is the minimum nursery, there is no floor
 * to keep. */
static void floor_across_empty_cycle_child(void *unused)
{
    (void)unused;
    start_child_gc(NULL, NULL, NULL, NULL);
    /* twice the largest estimate (48 MiB): the nursery doubles up to the
     * estimate while it copies the chain out */
    root = make_chain(c, 0, (long)(96 * 1024 * 1024 / Tree__SIZE));
    tgc_collect(c);
    tgc_stats s;
    tgc_get_stats(&s, false);
    size_t first = s.nursery_size;
    if (first <= 4 * 1024 * 1024) {
        fprintf(stderr, "the cache estimate is the minimum here: no floor to test\n");
        _exit(0);
    }
    root = NULL;
    tgc_collect(c);
    for (long i = 0; i < (long)(4 * first / Tree__SIZE); i++)
        (void)TGC_NEW(Tree, c);
    tgc_get_stats(&s, false);
    fprintf(stderr, "nursery %zu, after an empty cycle and 4 fills %zu\n", first,
            s.nursery_size);
    _exit(s.nursery_size >= first ? 0 : 1);
}

static void test_nursery_keeps_its_floor_across_an_empty_cycle(void)
{
    check_child_succeeds(floor_across_empty_cycle_child);
}

/* Pages that a sweep frees are reused by the objects promoted while it
 * goes on.  Two chains are built node by node in turn, so that their
 * pages alternate in groups; one is dropped.  Once the sweep has freed 3
 * arenas' worth of its pages, a new chain of 2 arenas' worth must map no
 * new arena: it fills pages of arenas that are partly in use.  (Re-filing
 * the arenas only when the sweep ends, as PyPy does, leaves them in the
 * list of full arenas meanwhile.) */
static Tree *dropped;

static void make_two_chains(tgc_cursor cursor, long n)
{
    root = dropped = NULL;
    for (long i = n - 1; i >= 0; i--) {
        Tree *t = TGC_NEW(Tree, cursor);
        t->item = i;
        Tree_set_left(t, root);
        root = t;
        t = TGC_NEW(Tree, cursor);
        t->item = i;
        Tree_set_left(t, dropped);
        dropped = t;
    }
}

static void sweep_reuse_child(void *unused)
{
    (void)unused;
    start_child_gc("64KB", NULL, "1", NULL);
    tgc_register_root(&dropped);
    const long per_arena = 64 * (8192 / Tree__SIZE);
    make_two_chains(c, 8 * per_arena);
    tgc_collect(c);
    dropped = NULL;
    tgc_disable();
    tgc_step_result r = { 0 };
    while (r.new_phase != TGC_PHASE_SWEEPING)
        tgc_collect_step(c, &r);
    tgc_stats s;
    tgc_get_stats(&s, false);
    size_t full = s.total_arena_memory;
    while (r.new_phase == TGC_PHASE_SWEEPING && s.total_arena_memory + 3 * 512 * 1024 > full) {
        tgc_collect_step(c, &r);
        tgc_get_stats(&s, false);
    }
    if (r.new_phase != TGC_PHASE_SWEEPING) {
        fprintf(stderr, "the sweep ended before freeing 3 arenas' worth\n");
        _exit(2);
    }
    size_t arenas = s.arenas_count;
    dropped = make_chain(c, 7, 2 * per_arena);
    tgc_get_stats(&s, false);
    fprintf(stderr, "arenas during the sweep: %zu, after promoting 2 arenas' worth: %zu\n",
            arenas, s.arenas_count);
    tgc_enable();
    tgc_collect(c);
    bool intact = chain_ok(root, 0, 8 * per_arena) && chain_ok(dropped, 7, 2 * per_arena);
    _exit(s.arenas_count == arenas && intact ? 0 : 1);
}

static void test_sweep_reuses_freed_pages_at_once(void)
{
    check_child_succeeds(sweep_reuse_child);
}

/* TYPEGC_STEP_MAX_US: a marking or sweeping step stops at its deadline,
 * however much of its budget is left, and the cycle still completes.  The
 * child counts the steps spent in `state`: with a budget far above the live
 * heap, marking 10000 objects takes one step without the limit and over
 * 20 with a limit of 1 microsecond (a step looks at the clock every 32
 * objects: ~80 steps here); sweeping the 80 pages of them and of as many
 * dead ones (made for this case only) takes one step without the limit
 * (198 pages a step with the smallest nursery) and over 20 with it (one
 * or a few pages a step).  Exits with the count, at most 100, or 99 if
 * the chain broke. */
static void count_steps_in(tgc_phase state, const char *max_us)
{
    set_env("TYPEGC_STEP_MAX_US", max_us);
    start_child_gc("64KB", "256MB", "1", "1");
    root = make_chain(c, 0, 10000);
    if (state == TGC_PHASE_SWEEPING) {
        Tree *garbage = make_chain(c, 1, 10000);
        (void)garbage;
    }
    tgc_disable();
    int steps = steps_spent_in(c, state);
    tgc_collect(c);
    bool intact = chain_ok(root, 0, 10000);
    fprintf(stderr, "steps in %s: %d, chain %s\n", tgc_phase_name(state), steps,
            intact ? "intact" : "BROKEN");
    _exit(intact ? (steps > 98 ? 100 : steps) : 99);
}

static void count_marking_steps_child(void *max_us)
{
    count_steps_in(TGC_PHASE_MARKING, max_us);
}

static void count_sweeping_steps_child(void *max_us)
{
    count_steps_in(TGC_PHASE_SWEEPING, max_us);
}

/* The steps the child counted (its exit status); its stderr is shown when
 * `ok` finds the count wrong. */
static int steps_counted(void (*child)(void *), const char *max_us, bool (*ok)(int))
{
    return child_status(child, (void *)max_us, ok);
}

static bool is_one(int steps)
{
    return steps == 1;
}

static bool is_over_twenty(int steps)
{
    return steps > 20 && steps != 99;
}

static void test_step_time_limit_cuts_marking_steps(void)
{
    CHECK(is_one(steps_counted(count_marking_steps_child, NULL, is_one)));
    CHECK(is_over_twenty(steps_counted(count_marking_steps_child, "1", is_over_twenty)));
}

static void test_step_time_limit_cuts_sweeping_steps(void)
{
    CHECK(is_one(steps_counted(count_sweeping_steps_child, NULL, is_one)));
    CHECK(is_over_twenty(steps_counted(count_sweeping_steps_child, "1", is_over_twenty)));
}

/* tgc_collect() is one pause however its steps are cut, so it ignores
 * the limit: with a budget far above the live heap it takes the same few
 * steps (scanning, one of marking, one of sweeping, finalizing) with a
 * limit of 1 microsecond as without one, where the limit would make it
 * take over 20. */
static uint64_t full_collection_steps;

static void count_full_collection_steps(const tgc_collect_step_stats *s, void *arg)
{
    (void)arg;
    full_collection_steps += s->count;
}

static void full_collection_steps_child(void *max_us)
{
    set_env("TYPEGC_STEP_MAX_US", max_us);
    start_child_gc("64KB", "256MB", "1", "1");
    root = make_chain(c, 0, 10000);
    Tree *garbage = make_chain(c, 1, 10000);
    (void)garbage;
    tgc_disable();
    tgc_hooks hooks = { .on_gc_collect_step = count_full_collection_steps };
    tgc_set_hooks(&hooks);
    tgc_collect(c);
    bool intact = chain_ok(root, 0, 10000);
    fprintf(stderr, "steps in tgc_collect: %llu, chain %s\n",
            (unsigned long long)full_collection_steps, intact ? "intact" : "BROKEN");
    _exit(intact ? (full_collection_steps > 98 ? 100 : (int)full_collection_steps) : 99);
}

static bool is_few(int steps)
{
    return steps >= 3 && steps <= 6;
}

static void test_full_collection_ignores_step_time_limit(void)
{
    int unlimited = steps_counted(full_collection_steps_child, NULL, is_few);
    CHECK(is_few(unlimited));
    CHECK_EQ_U(steps_counted(full_collection_steps_child, "1", is_few), unlimited);
}

static Tree *keep;
static bool memory_error_seen;
static int memory_errors;

static void on_memory_error(void *arg)
{
    (void)arg;
    memory_error_seen = true;
    memory_errors++;
    fprintf(stderr, "memory error %d\n", memory_errors);
    root = NULL;                /* drop the big structure, as a cache would */
}

/* Grows `root` until the handler drops it (or 2M nodes). */
static void grow_until_memory_error(void)
{
    memory_error_seen = false;
    for (long i = 0; i < 2000000 && !memory_error_seen; i++) {
        Tree *t = TGC_NEW(Tree, c);
        t->item = i;
        Tree_set_left(t, root);
        root = t;
    }
}

static void oom_child(void *with_handler)
{
    setenv("PYPY_GC_MAX", "16MB", 1);
    /* not the default nursery, which is tens of MiB on some machines */
    setenv("PYPY_GC_NURSERY", "4M", 1);
    if (tree_init() != 0)
        _exit(3);
    if (with_handler)
        tgc_set_memory_error_handler(on_memory_error, NULL);
    tgc_cursor_open(c);
    tgc_register_root(&root);
    tgc_register_root(&keep);
    keep = make_chain(c, 5, 1000);
    root = NULL;
    grow_until_memory_error();
    /* The handler dropped the structure: the heap must be intact. */
    Tree *more = make_chain(c, 9, 1000);
    TGC_SAVE(more);
    tgc_collect(c);
    TGC_RESTORE(more);
    fprintf(stderr, "memory error %s, keep %s, more %s\n",
            memory_error_seen ? "handled" : "NOT SEEN",
            chain_ok(keep, 5, 1000) ? "intact" : "BROKEN",
            chain_ok(more, 9, 1000) ? "intact" : "BROKEN");
    if (with_handler == (void *)2)      /* the heap outgrows the limit again */
        grow_until_memory_error();
}

static void test_max_heap_reaches_memory_error(void)
{
    char err[8192];
    int status = run_in_child(oom_child, (void *)1, err, sizeof err);
    CHECK_EQ_U(status, 0);
    CHECK(strstr(err, "memory error handled, keep intact, more intact") != NULL);
    status = run_in_child(oom_child, NULL, err, sizeof err);
    CHECK_EQ_U(status, 128 + SIGABRT);
    CHECK(strstr(err, "typegc: fatal error: using too much memory, aborting") != NULL);
    if (status != 128 + SIGABRT)
        fprintf(stderr, "%s", err);
}

/* As PyPy: the handler runs the first time only.  A handler that freed
 * memory lets the program go on, but the next time the heap stays over
 * PYPY_GC_MAX after a collection the program stops, however long after. */
static void test_max_heap_second_exhaustion_stops(void)
{
    char err[8192];
    int status = run_in_child(oom_child, (void *)2, err, sizeof err);
    CHECK_EQ_U(status, 128 + SIGABRT);
    CHECK(strstr(err, "memory error handled, keep intact, more intact") != NULL);
    CHECK(strstr(err, "memory error 2") == NULL);
    CHECK(strstr(err, "typegc: fatal error: using too much memory, aborting") != NULL);
    if (status != 128 + SIGABRT)
        fprintf(stderr, "%s", err);
}

/* Memory pressure counts up to the largest figure the statistics can
 * give, and stays there, instead of wrapping round to a small one. */
static void test_memory_pressure_saturates(void)
{
    tgc_stats before, after;
    tgc_get_stats(&before, true);
    tgc_add_memory_pressure(SIZE_MAX / 2);
    tgc_add_memory_pressure(SIZE_MAX / 2);
    tgc_add_memory_pressure(SIZE_MAX);
    tgc_get_stats(&after, true);
    CHECK(before.total_memory_pressure >= 0);
    CHECK(after.total_memory_pressure == LLONG_MAX);
}

int main(void)
{
    RUN(test_resident_memory_falls_after_garbage_dies);
    RUN(test_max_heap_reaches_memory_error);
    RUN(test_max_heap_second_exhaustion_stops);
    RUN(test_startup_collection_counted_not_hooked);
    RUN(test_sweep_reuses_freed_pages_at_once);
    RUN(test_minor_collections_give_back_empty_arenas);
    RUN(test_nursery_keeps_its_floor_across_an_empty_cycle);
    RUN(test_step_time_limit_cuts_marking_steps);
    RUN(test_step_time_limit_cuts_sweeping_steps);
    RUN(test_full_collection_ignores_step_time_limit);
    if (tree_init() != 0)
        return 1;
    tgc_register_root(&root);
    tgc_cursor_open(c);
    RUN(test_unreachable_cycle_is_freed);
    RUN(test_live_graph_survives_stepwise_cycles);
    RUN(test_store_into_black_object_keeps_target);
    RUN(test_disable_stops_major_steps);
    RUN(test_stats_add_up);
    RUN(test_hooks_fire_with_sane_counts);
    RUN(test_memory_pressure_saturates);
    tgc_cursor_close(c);
    return check_finish();
}
