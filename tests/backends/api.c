/* The API a program uses, from one source built with each backend
 * (tests/backends/meson.build: typegc, Boehm GC, malloc): every call of
 * typegc.h, and what must hold on all three.  Without #ifdef: a call that
 * a backend lacks fails the build. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arrays.h"
#include "backend_check.h"

static tgc_cursor c;
static Item *global_item;
static int collect_hooks, step_hooks, handler_calls;

static bool valid_phase(tgc_phase phase)
{
    return phase == TGC_PHASE_SCANNING || phase == TGC_PHASE_MARKING ||
           phase == TGC_PHASE_SWEEPING || phase == TGC_PHASE_FINALIZING ||
           phase == TGC_PHASE_USERDEL;
}



static Item *make_item(int32_t key)
{
    Item *item = Item_new(c);
    item->key = key;
    Bytes *label = TGC_NEW_ARRAY(Bytes, c, 3, item);
    label->items[0] = 'k';
    Item_set_label(item, label);
    return item;
}

/* Objects, roots, the shadow stack's calls. */
static void test_objects_and_roots(void)
{
    global_item = make_item(-1);
    tgc_register_root(&global_item);

    Item *items[8];
    for (int i = 0; i < 8; i++) {
        TGC_SAVE_ARRAY(items, i);
        Item *item = make_item(i);
        TGC_RESTORE_ARRAY(items, i);
        items[i] = item;
    }
    tgc_root_mark mark = tgc_roots_mark();
    TGC_SAVE_ARRAY(items, 8);
    tgc_collect(c);
    TGC_RESTORE_ARRAY(items, 8);
    CHECK(tgc_roots_mark().depth == mark.depth);
    /* As after a longjmp out of a function that had saved roots. */
    TGC_SAVE(global_item);
    CHECK(tgc_roots_mark().depth >= mark.depth);
    tgc_roots_reset(mark);
    CHECK(tgc_roots_mark().depth == mark.depth);

    for (int i = 0; i < 8; i++) {
        CHECK(Item_isinstance(items[i]) && items[i]->key == i);
        CHECK(items[i]->label != NULL && Bytes_get(items[i]->label, 0) == 'k');
    }
    CHECK(Item_isinstance(global_item) && global_item->key == -1);
    CHECK(strcmp(tgc_type_of(items[3])->name, "Item") == 0);
    CHECK(strcmp(tgc_type_of(items[3]->label)->name, "Bytes") == 0);
    char text[128];
    CHECK(tgc_format_object(text, sizeof text, items[0]) > 0);
    CHECK(strncmp(text, "<Item object at 0x", 18) == 0);
    CHECK(tgc_format_object(text, sizeof text, NULL) == 4 && strcmp(text, "NULL") == 0);
}

static void on_collect(const tgc_collect_stats *stats, void *arg)
{
    CHECK(arg == &collect_hooks && stats->count >= 1);
    collect_hooks++;
}

static void on_step(const tgc_collect_step_stats *stats, void *arg)
{
    CHECK(arg == &collect_hooks && stats->count >= 1);
    CHECK(valid_phase(stats->oldstate) && valid_phase(stats->newstate));
    /* USERDEL is gc.collect_step()'s, never the hooks' (as in PyPy) */
    CHECK(stats->oldstate != TGC_PHASE_USERDEL && stats->newstate != TGC_PHASE_USERDEL);
    step_hooks++;
}

static void on_minor(const tgc_minor_stats *stats, void *arg)
{
    (void)stats;
    (void)arg;
}

/* Collections, enable/disable, hooks. */
static void test_collections(void)
{
    tgc_hooks hooks = { on_minor, on_step, on_collect, &collect_hooks };
    tgc_set_hooks(&hooks);
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    tgc_collect(c);
    tgc_get_stats(&after, false);
    CHECK(after.major_collections > before.major_collections);
    CHECK(collect_hooks >= 1);

    /* Steps until a cycle is done: the phases are incminimark's. */
    tgc_step_result result = { TGC_PHASE_FINALIZING, TGC_PHASE_FINALIZING, false };
    int steps = 0;
    do {
        tgc_collect_step(c, &result);
        CHECK(valid_phase(result.old_phase) && valid_phase(result.new_phase));
        steps++;
    } while (!result.major_is_done && steps < 100000);
    CHECK(result.major_is_done);
    CHECK(result.new_phase == TGC_PHASE_SCANNING);
    CHECK(step_hooks >= 1);
    tgc_collect_minor(c);

    /* typegc's own tools: a dump where there is one (-1 and a message on
     * the peers), a flush that does nothing without TYPEGC_PROFILE. */
    int dumped = tgc_dump_heap(c, "api-dump.heap");
    CHECK(dumped == 0 || dumped == -1);
    remove("api-dump.heap");
    tgc_profile_flush();

    CHECK(tgc_isenabled());
    tgc_disable();
    tgc_disable();
    CHECK(!tgc_isenabled());
    tgc_get_stats(&before, false);
    tgc_collect(c);             /* works while disabled */
    tgc_get_stats(&after, false);
    CHECK(after.major_collections > before.major_collections);
    tgc_enable();
    CHECK(tgc_isenabled());
    tgc_set_hooks(NULL);
    int hooks_before = collect_hooks;
    tgc_collect(c);
    CHECK(collect_hooks == hooks_before);
    CHECK(strcmp(tgc_phase_name(TGC_PHASE_SCANNING), "SCANNING") == 0);
    CHECK(strcmp(tgc_phase_name(TGC_PHASE_MARKING), "MARKING") == 0);
    CHECK(strcmp(tgc_phase_name(TGC_PHASE_SWEEPING), "SWEEPING") == 0);
    CHECK(strcmp(tgc_phase_name(TGC_PHASE_FINALIZING), "FINALIZING") == 0);
}

static void test_stats(void)
{
    for (int i = 0; i < 1000; i++)
        global_item = make_item(i);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    CHECK(stats.total_memory_pressure == -1);
    CHECK(stats.peak_gc_memory >= stats.total_gc_memory);
    CHECK(stats.peak_arena_memory >= stats.total_arena_memory);
    CHECK(stats.peak_rawmalloced_memory >= stats.total_rawmalloced_memory);
    CHECK(stats.peak_allocated_memory >= stats.total_allocated_memory);
    CHECK(stats.total_allocated_memory >= stats.total_gc_memory);
    CHECK(stats.major_steps >= stats.major_collections);
    tgc_add_memory_pressure(1 << 20);
    tgc_get_stats(&stats, true);
    CHECK(stats.total_memory_pressure >= 0);
    char report[2048];
    int n = tgc_format_stats(report, sizeof report, &stats);
    CHECK(n > 0 && (size_t)n < sizeof report);
    CHECK(strstr(report, "GC used:") != NULL);
    CHECK(strstr(report, "Total time spent in GC:") != NULL);
}

/* A pinned buffer keeps its address and contents through a collection
 * (over the peers nothing moves, and tgc_pin says true); an object with
 * GC pointers is refused by typegc only, so its result is not checked. */
static void test_pinning(void)
{
    Bytes *buffer = TGC_NEW_ARRAY(Bytes, c, 64);
    buffer->items[63] = 'p';
    CHECK(tgc_pin(buffer));
    char *address = (char *)buffer;
    TGC_SAVE(buffer);
    tgc_collect(c);
    TGC_RESTORE(buffer);
    CHECK((char *)buffer == address && Bytes_get(buffer, 63) == 'p');
    tgc_unpin(buffer);
    (void)tgc_pin(global_item);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    CHECK(stats.pinned_objects <= 1);
}

static void on_memory_error(void *arg)
{
    handler_calls++;
    fprintf(stderr, "memory error handler ran (%s)\n", (const char *)arg);
}

/* The handler runs when the system refuses an object, then the program
 * stops: in a child process. */
static void test_memory_error_handler(void)
{
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        dup2(pipefd[1], 2);
        tgc_set_memory_error_handler(on_memory_error, (void *)"arg");
        Bytes *huge = Bytes_new(c, (size_t)1 << 50);
        fprintf(stderr, "allocated %p\n", (void *)huge);
        _exit(0);
    }
    close(pipefd[1]);
    char err[4096];
    size_t length = 0;
    ssize_t got;
    while (length < sizeof err - 1 &&
           (got = read(pipefd[0], err + length, sizeof err - 1 - length)) > 0)
        length += (size_t)got;
    err[length] = '\0';
    close(pipefd[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(err, "memory error handler ran (arg)") != NULL);
    CHECK(strstr(err, "out of memory") != NULL);
    if (failures)
        fprintf(stderr, "the child's stderr:\n%s", err);
}

int main(void)
{
    if (arrays_init() != 0)
        return 1;
    tgc_cursor_open(c);
    test_objects_and_roots();
    test_collections();
    test_stats();
    test_pinning();
    test_memory_error_handler();
    tgc_cursor_close(c);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
