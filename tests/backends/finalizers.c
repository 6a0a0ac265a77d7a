/* Finalizer queues and memory pressure on every backend
 * (tests/backends/meson.build), from one source.  typegc queues each
 * dropped registered object after a full collection, a chain's head
 * first; Boehm GC through its ordered finalizers (conservatively: an
 * object that looks referenced from the stack stays); malloc when the
 * program frees a registered object.  On each: an object comes out at
 * most once and never while in use, its fields intact; the trigger runs;
 * misuse stops the program; tgc_get_stats() counts what was queued. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "finalizers.h"
#include "backend_check.h"

enum { OBJECTS = 1000 };

static int handed_out[OBJECTS + 1];
static bool in_use[OBJECTS + 1];
static int trigger_calls;

void Owned_destruct(Owned *obj)
{
    (void)obj;
}

static void on_dead(tgc_finalizer_queue *queue, void *arg)
{
    (void)queue;
    CHECK(arg == &trigger_calls);
    trigger_calls++;
}

/* Registers OBJECTS nodes, keeps every tenth in a chain (through b) and
 * drops the rest; returns the chain. */
static Node *allocate(tgc_cursor c, tgc_finalizer_queue *queue)
{
    Node *kept = NULL;
    for (int serial = 1; serial <= OBJECTS; serial++) {
        Node *n = TGC_NEW(Node, c, kept);
        n->serial = serial;
        Node *child = TGC_NEW(Node, c, kept, n);
        child->serial = -serial;
        Node_set_a(n, child);
        tgc_finalizer_register(queue, n);
        tgc_add_memory_pressure(n, 100);
        if (serial % 10 == 0) {
            Node_set_b(n, kept);
            kept = n;
            in_use[serial] = true;
        } else {
#ifdef TYPEGC_EXPLICIT_FREE
            tgc_free(n);                /* queued, not freed */
#endif
        }
    }
    return kept;
}

static int drain(tgc_finalizer_queue *queue)
{
    int n = 0;
    Node *node;
    while ((node = tgc_finalizer_next_dead(queue)) != NULL) {
        long s = node->serial;
        if (s < 1 || s > OBJECTS || in_use[s] || node->a == NULL || node->a->serial != -s) {
            failures++;
            continue;
        }
        handed_out[s]++;
        n++;
#ifdef TYPEGC_EXPLICIT_FREE
        tgc_free(node->a);
        tgc_free(node);                 /* now freed */
#endif
    }
    return n;
}

static char **cursor;           /* main's, for the children */

static void register_twice(void)
{
    tgc_finalizer_queue *queue = tgc_finalizer_queue_new(NULL, NULL);
    Node *n = TGC_NEW(Node, cursor);
    tgc_finalizer_register(queue, n);
    tgc_finalizer_register(queue, n);
    _exit(0);
}

static void register_null_queue(void)
{
    tgc_finalizer_register(NULL, TGC_NEW(Node, cursor));
    _exit(0);
}

/* fn() must stop the program (abort or a non-zero exit). */
static bool dies(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    if (finalizers_init() != 0)
        return 1;
    tgc_finalizer_queue *queue = tgc_finalizer_queue_new(on_dead, &trigger_calls);
    tgc_cursor c;
    tgc_cursor_open(c);
    cursor = c;
    Node *kept = allocate(c, queue);
    int out = 0;
    for (int round = 0; round < 3; round++) {
        TGC_SAVE(kept);
        tgc_collect(c);
        TGC_RESTORE(kept);
        out += drain(queue);
    }
    int more_than_once = 0;
    for (int s = 1; s <= OBJECTS; s++)
        more_than_once += handed_out[s] > 1;
    int chain = 0;
    for (Node *n = kept; n != NULL; n = n->b)
        chain += n->serial % 10 == 0 && handed_out[n->serial] == 0;
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    printf("%d of %d dropped objects handed out, %llu queued, %d trigger calls\n", out,
           OBJECTS - OBJECTS / 10, (unsigned long long)stats.finalizers_queued, trigger_calls);
    CHECK(more_than_once == 0);
    CHECK(chain == OBJECTS / 10);
    CHECK(stats.finalizers_queued == (uint64_t)out);
    CHECK(out == 0 || trigger_calls > 0);
    CHECK(stats.total_memory_pressure >= 0);
#if defined(TYPEGC_BOEHM)
    CHECK(out >= (OBJECTS - OBJECTS / 10) / 2);     /* conservative */
#else
    CHECK(out == OBJECTS - OBJECTS / 10);           /* typegc, malloc: exact */
#endif
    CHECK(dies(register_twice));
    CHECK(dies(register_null_queue));
    tgc_cursor_close(c);
    printf("%s\n", failures == 0 ? "ok" : "FAIL");
    return failures != 0;
}
