/* test_prefault.c -- the helper thread that faults in spare arenas
 * (TYPEGC_PREFAULT_ARENAS): once the first arena is mapped, the spares
 * become resident without the program touching them; with 0 there is no
 * helper thread and nothing extra becomes resident; a forked child gets
 * its own helper; objects promoted onto the spares stay intact; the pages
 * of arenas that major steps give back are released by the helper.  Each case
 * runs in a child process with its own environment. */
#include <time.h>

#include "check.h"
#include "tree.h"
#include "tree_chains.h"

#define ARENA_SIZE (512 * 1024)
#define MIB (1024 * 1024)

static tgc_cursor c;
static Tree *root;

static long resident_bytes(void)
{
    long pages_total, pages_resident;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    int n = fscanf(f, "%ld %ld", &pages_total, &pages_resident);
    fclose(f);
    return n == 2 ? pages_resident * sysconf(_SC_PAGESIZE) : -1;
}

static long thread_count(void)
{
    char line[256];
    long threads = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Threads: %ld", &threads) == 1)
            break;
    fclose(f);
    return threads;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static const long per_arena = 64 * (8192 / Tree__SIZE);

static void start_gc(const char *spares)
{
    set_env("PYPY_GC_NURSERY", "64KB");
    /* a threshold of 8 such nurseries, as before PYPY_GC_MIN stopped
     * scaling with the nursery: the empty arenas kept for the headroom
     * below it are then fewer than the chain's */
    set_env("PYPY_GC_MIN", "512KB");
    set_env("PYPY_GC_DEBUG", NULL);
    set_env("PYPY_GC_NURSERY_DEBUG", NULL);
    set_env("TYPEGC_PREFAULT_ARENAS", spares);
    if (tree_init() != 0)
        _exit(3);
    tgc_cursor_open(c);
    tgc_register_root(&root);
}

/* The helper runs at idle priority: while other tests keep both cores
 * busy it gets a small share of one, so the waits below are long. */
#define WAIT_STEPS_OF_10_MS 3000

/* Waits up to 30 s for resident memory to grow by `bytes` over `base`. */
static bool resident_grows_by(long base, long bytes)
{
    for (int i = 0; i < WAIT_STEPS_OF_10_MS; i++) {
        if (resident_bytes() - base >= bytes)
            return true;
        sleep_ms(10);
    }
    return false;
}

/* Promotes the first object: one arena is mapped, and 16 spares with it. */
static long promote_first_object(void)
{
    long before = resident_bytes();
    root = make_chain(c, 0, 1);
    tgc_collect(c);
    return before;
}

static void spares_become_resident_child(void *unused)
{
    (void)unused;
    start_gc("16");
    long before = promote_first_object();
    bool grew = resident_grows_by(before, 16 * ARENA_SIZE);
    long threads = thread_count();
    fprintf(stderr, "resident: %ld MiB more, %ld threads\n",
            (resident_bytes() - before) / MIB, threads);
    /* objects promoted onto the spares and past them */
    root = make_chain(c, 0, 40 * per_arena);
    tgc_collect(c);
    bool intact = chain_ok(root, 0, 40 * per_arena);
    fprintf(stderr, "a chain over 40 arenas: %s\n", intact ? "intact" : "BROKEN");
    _exit(grew && threads == 2 && intact ? 0 : 1);
}

static void no_helper_with_zero_child(void *unused)
{
    (void)unused;
    start_gc("0");
    long before = promote_first_object();
    sleep_ms(200);
    long grown = resident_bytes() - before;
    long threads = thread_count();
    fprintf(stderr, "resident: %ld KiB more, %ld threads\n", grown / 1024, threads);
    _exit(grown < 4 * MIB && threads == 1 ? 0 : 1);
}

/* In the forked child, the 16 spares it inherits are resident already;
 * promoting 20 arenas' worth takes them and maps 20 more, which only a
 * helper of its own faults in before they are used. */
static void promote_in_forked_child(void *unused)
{
    (void)unused;
    long before = resident_bytes();
    Tree *more = make_chain(c, 1000, 20 * per_arena);
    TGC_SAVE(more);
    tgc_collect(c);
    TGC_RESTORE(more);
    bool grew = resident_grows_by(before, 16 * ARENA_SIZE);
    long threads = thread_count();
    bool intact = chain_ok(more, 1000, 20 * per_arena) && chain_ok(root, 0, 1);
    fprintf(stderr, "forked child: resident %ld MiB more, %ld threads, chains %s\n",
            (resident_bytes() - before) / MIB, threads, intact ? "intact" : "BROKEN");
    _exit(grew && threads == 2 && intact ? 0 : 1);
}

static void forked_child_gets_a_helper_child(void *unused)
{
    (void)unused;
    start_gc("16");
    long before = promote_first_object();
    if (!resident_grows_by(before, 16 * ARENA_SIZE) || thread_count() != 2)
        _exit(4);
    char err[1024];
    int status = run_in_child(promote_in_forked_child, NULL, err, sizeof err);
    fprintf(stderr, "%s", err);
    _exit(status);
}

/* Major steps leave the release of empty arenas' pages to the helper:
 * after a burst of garbage dies, stepping through a few cycles (no full
 * collection, which releases at once) must bring resident memory down. */
static void background_release_child(void *unused)
{
    (void)unused;
    start_gc("2");
    root = make_chain(c, 0, 40 * per_arena);
    tgc_collect(c);
    long full = resident_bytes();
    root = NULL;
    tgc_step_result r = { 0 };
    for (int cycles = 0; cycles < 6;) {
        tgc_collect_step(c, &r);
        if (r.major_is_done)
            cycles++;
    }
    long target = full - 16 * ARENA_SIZE;
    bool fell = false;
    for (int i = 0; i < WAIT_STEPS_OF_10_MS && !fell; i++) {
        fell = resident_bytes() <= target;
        if (!fell)
            sleep_ms(10);
    }
    fprintf(stderr, "resident: %ld MiB with the chain, %ld MiB after its arenas were given "
            "back in major steps\n", full / MIB, resident_bytes() / MIB);
    _exit(fell ? 0 : 1);
}

static void test_spares_become_resident(void)
{
    check_child_succeeds(spares_become_resident_child);
}

static void test_no_helper_with_zero(void)
{
    check_child_succeeds(no_helper_with_zero_child);
}

static void test_forked_child_gets_a_helper(void)
{
    check_child_succeeds(forked_child_gets_a_helper_child);
}

static void test_major_steps_release_pages_in_background(void)
{
    check_child_succeeds(background_release_child);
}

int main(void)
{
    RUN(test_spares_become_resident);
    RUN(test_no_helper_with_zero);
    RUN(test_forked_child_gets_a_helper);
    RUN(test_major_steps_release_pages_in_background);
    return check_finish();
}
