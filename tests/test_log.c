/* test_log.c -- PYPYLOG output has PyPy's format and selection rules:
 * "[hex] {category" ... "[hex] category}", nested sections, the gc-minor
 * lines, prefixes, everything (":FILE"), profile mode ("FILE"), "-" for
 * stderr, "%d" for the pid, one gc-minor-walkroots per nursery fill plus
 * the bootstrap collection, and the major collector's gc-collect-step and
 * gc-collect-done with PyPy's lines. */
#include <ctype.h>
#include <stdint.h>

#include "allocatealot.h"
#include "check.h"

static char log_path[256];

struct child_run {
    const char *pypylog;
    const char *nursery;
    long loops;
};

static void allocate_in_child(void *arg)
{
    const struct child_run *run = arg;
    setenv("PYPYLOG", run->pypylog, 1);
    if (run->nursery)
        setenv("PYPY_GC_NURSERY", run->nursery, 1);
    else
        unsetenv("PYPY_GC_NURSERY");
    if (allocatealot_init() != 0)
        _exit(3);
    tgc_cursor c;
    tgc_cursor_open(c);
    for (long i = 0; i < run->loops; i++)
        (void)TGC_NEW(A, c);
    tgc_cursor_close(c);
}

/* In a child: set PYPYLOG (and PYPY_GC_NURSERY), allocate `loops` objects
 * of 16 bytes; returns the child's exit status, its stderr in err. */
static int run_child(const char *pypylog, const char *nursery, long loops, char *err,
                     size_t err_size)
{
    struct child_run run = { pypylog, nursery, loops };
    return run_in_child(allocate_in_child, &run, err, err_size);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Every line is a bracket with a hex timestamp (non-decreasing) or a
 * printed line; brackets nest properly.  Returns false with a message. */
static bool well_formed(const char *text)
{
    char stack[16][64];
    int depth = 0;
    unsigned long long last = 0;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        if (end == NULL)
            return fprintf(stderr, "unterminated line\n"), false;
        if (line[0] == '[') {
            char *close;
            unsigned long long ts = strtoull(line + 1, &close, 16);
            if (*close != ']' || close[1] != ' ' || ts < last || !isxdigit((unsigned char)line[1]))
                return fprintf(stderr, "bad bracket line: %.*s\n", (int)(end - line), line), false;
            last = ts;
            const char *what = close + 2;
            size_t len = (size_t)(end - what);
            if (what[0] == '{') {
                if (depth == 16 || len - 1 >= 64)
                    return false;
                snprintf(stack[depth++], 64, "%.*s", (int)(len - 1), what + 1);
            } else {
                if (depth == 0 || what[len - 1] != '}' || strlen(stack[depth - 1]) != len - 1 ||
                    strncmp(stack[depth - 1], what, len - 1) != 0)
                    return fprintf(stderr, "unbalanced: %.*s\n", (int)len, what), false;
                depth--;
            }
        }
        line = end + 1;
    }
    return depth == 0;
}

static void test_gc_minor_sections_and_lines(void)
{
    char err[4096];
    snprintf(log_path, sizeof log_path, "gc-minor:%s", "test_log.out");
    CHECK_EQ_U(run_child(log_path, "64KB", 100000, err, sizeof err), 0);
    char *text = read_file("test_log.out");
    CHECK(text != NULL);
    if (text == NULL)
        return;
    CHECK(well_formed(text));
    /* 100000 x 16 bytes in fills of 65536 bytes: 24 collections, plus the
     * one PyPy runs at start-up on its bootstrap nursery. */
    CHECK_EQ_U(count(text, "] {gc-minor-walkroots\n"), 25);
    CHECK_EQ_U(count(text, "] {gc-minor\n"), 25);
    CHECK_EQ_U(count(text, "\nminor collect, total memory used: "), 25);
    CHECK_EQ_U(count(text, "\nnumber of pinned objects: 0\n"), 25);
    CHECK_EQ_U(count(text, "\ntotal size of surviving objects: "), 25);
    CHECK_EQ_U(count(text, "\ntime taken: 0."), 25);
    CHECK(count(text, "gc-set-nursery-size") == 0);
    /* The first collection, at start-up, has nothing to do. */
    CHECK(strstr(text, "minor collect, total memory used: 0\nnumber of pinned objects: 0\n"
                       "total size of surviving objects: 0\ntime taken: ") != NULL);
    /* One 16-byte object survives each later collection: the one being
     * allocated is not reachable yet, the previous one is overwritten. */
    CHECK(strstr(text, "gc-minor-walkroots}\nminor collect, total memory used: ") != NULL);
    remove("test_log.out");
}

/* The nursery size the child logged last ("nursery size: N"). */
static long logged_nursery_size(const char *text)
{
    long size = -1;
    for (const char *p = text; (p = strstr(p, "nursery size: ")) != NULL; p++)
        size = strtol(p + strlen("nursery size: "), NULL, 10);
    return size;
}

static void test_default_nursery_count(void)
{
    char err[4096];
    CHECK_EQ_U(run_child("gc-minor-walkroots,gc-set-nursery-size:test_log.out", NULL, 1000000,
                         err, sizeof err), 0);
    char *text = read_file("test_log.out");
    CHECK(text != NULL && well_formed(text));
    if (text) {
        /* LOOPS x 16 / nursery size, plus one.  Only the selected inner
         * section of gc-minor is printed. */
        long nursery = logged_nursery_size(text);
        CHECK(nursery >= 4194304);
        CHECK_EQ_U(count(text, "{gc-minor-walkroots"), 16000000 / nursery + 1);
        CHECK(count(text, "{gc-minor\n") == 0);
        CHECK(count(text, "minor collect") == 0);
    }
    remove("test_log.out");
}

/* Each resize of the nursery is a gc-set-nursery-size section with its
 * size and reason; forced every second collection, a 1 MiB nursery
 * doubles and comes back in turn. */
static void test_nursery_resizes_are_logged(void)
{
    char err[4096];
    setenv("TYPEGC_NURSERY_RESIZE_EVERY", "2", 1);
    CHECK_EQ_U(run_child("gc-set-nursery-size:test_log.out", "1MB", 1000000, err,
                         sizeof err), 0);
    unsetenv("TYPEGC_NURSERY_RESIZE_EVERY");
    char *text = read_file("test_log.out");
    CHECK(text != NULL && well_formed(text));
    if (text) {
        int resizes = count(text, "reason: forced: TYPEGC_NURSERY_RESIZE_EVERY\n");
        CHECK(resizes >= 4);
        CHECK_EQ_U(count(text, "{gc-set-nursery-size"), resizes + 2);   /* + start-up's two */
        CHECK(count(text, "nursery size: 2097152\nreason:") >= 2);
        CHECK(count(text, "nursery size: 1048576\nreason:") >= 2);
    }
    remove("test_log.out");
}

static void test_everything_selector(void)
{
    char err[4096];
    CHECK_EQ_U(run_child(":test_log.out", NULL, 10, err, sizeof err), 0);
    char *text = read_file("test_log.out");
    CHECK(text != NULL && well_formed(text));
    if (text) {
        const char *first = strstr(text, "{gc-set-nursery-size\nnursery size: 270336\n");
        const char *l2 = strstr(text, "{gc-hardware\nL2cache = ");
        const char *mem = strstr(text, "{gc-hardware\nmemtotal = ");
        const char *minor = strstr(text, "{gc-minor\n");
        const char *last = strstr(minor ? minor : text, "{gc-set-nursery-size\nnursery size: ");
        CHECK(first && l2 && mem && minor && last);
        CHECK(first < l2 && l2 < mem && mem < minor && minor < last);
    }
    remove("test_log.out");
}

static void test_profile_mode_has_no_lines(void)
{
    char err[4096];
    CHECK_EQ_U(run_child("test_log.out", "64KB", 100000, err, sizeof err), 0);
    char *text = read_file("test_log.out");
    CHECK(text != NULL && well_formed(text));
    if (text) {
        CHECK_EQ_U(count(text, "{gc-minor\n"), 25);
        CHECK(count(text, "minor collect") == 0);
        CHECK(count(text, "{gc-set-nursery-size") == 2);
    }
    remove("test_log.out");
}

static void test_dash_is_stderr(void)
{
    char err[1 << 16];
    CHECK_EQ_U(run_child("gc-set-nursery-size:-", "1MB", 10, err, sizeof err), 0);
    CHECK(well_formed(err));
    CHECK(strstr(err, "nursery size: 270336\n") != NULL);
    CHECK(strstr(err, "nursery size: 1048576\n") != NULL);
}

static void test_pid_in_file_name(void)
{
    char err[4096];
    CHECK_EQ_U(run_child("gc-minor:test_log_%d.out", "64KB", 1000, err, sizeof err), 0);
    /* The child's pid is unknown here: find the file by its pattern. */
    FILE *ls = popen("ls test_log_[0-9]*.out 2>/dev/null", "r");
    char name[256] = "";
    CHECK(ls != NULL && fgets(name, sizeof name, ls) != NULL);
    if (ls)
        pclose(ls);
    name[strcspn(name, "\n")] = '\0';
    char *text = name[0] ? read_file(name) : NULL;
    CHECK(text != NULL && count(text, "{gc-minor\n") == 1);
    if (name[0])
        remove(name);
}

/* A child that runs full collections, for the major collector's sections. */
static void collect_in_child(void *arg)
{
    (void)arg;
    setenv("PYPYLOG", "gc-collect-step,gc-collect-done:test_log.out", 1);
    if (allocatealot_init() != 0)
        _exit(3);
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_collect(c);
    tgc_collect(c);
    tgc_cursor_close(c);
}

static void test_major_collection_sections(void)
{
    char err[4096];
    CHECK_EQ_U(run_in_child(collect_in_child, NULL, err, sizeof err), 0);
    char *text = read_file("test_log.out");
    CHECK(text != NULL && well_formed(text));
    if (text == NULL)
        return;
    /* Two full collections from SCANNING: 2 x (SCANNING, MARKING, SWEEPING,
     * FINALIZING), each step between its start and stop lines. */
    CHECK_EQ_U(count(text, "{gc-collect-step\nstarting gc state:  SCANNING\n"
                           "stopping, now in gc state:  MARKING\ntime taken:  0."), 2);
    CHECK_EQ_U(count(text, "{gc-collect-step\nstarting gc state:  MARKING\n"
                           "number of objects to mark "), 2);
    CHECK_EQ_U(count(text, "\nstopping, now in gc state:  SWEEPING\n"), 2);
    CHECK_EQ_U(count(text, "{gc-collect-step\nstarting gc state:  SWEEPING\n"
                           "freeing GC objects, up to "), 2);
    CHECK_EQ_U(count(text, " pages. No more pages left.\n"), 2);
    CHECK_EQ_U(count(text, "{gc-collect-done\narenas:                "), 2);
    CHECK_EQ_U(count(text, "\nbytes used in arenas:  "), 2);
    CHECK_EQ_U(count(text, "\nbytes raw-malloced:    0  =>  0\n"), 2);
    CHECK_EQ_U(count(text, "\nnext major collection threshold:  "), 2);
    CHECK_EQ_U(count(text, "gc-collect-done}\nstopping, now in gc state:  FINALIZING\n"), 2);
    CHECK_EQ_U(count(text, "starting gc state:  FINALIZING\nstopping, now in gc state:  SCANNING\n"), 2);
    remove("test_log.out");
}

static void test_unwritable_file_fails_init(void)
{
    char err[4096];
    CHECK_EQ_U(run_child("gc:/nonexistent-dir/log", NULL, 1, err, sizeof err), 3);
    CHECK(strstr(err, "PYPYLOG: cannot open '/nonexistent-dir/log'") != NULL);
}

int main(void)
{
    RUN(test_gc_minor_sections_and_lines);
    RUN(test_default_nursery_count);
    RUN(test_nursery_resizes_are_logged);
    RUN(test_everything_selector);
    RUN(test_profile_mode_has_no_lines);
    RUN(test_dash_is_stderr);
    RUN(test_pid_in_file_name);
    RUN(test_major_collection_sections);
    RUN(test_unwritable_file_fails_init);
    return check_finish();
}
