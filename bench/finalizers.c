/* finalizers -- finalizer-queue churn: objects registered with a queue,
 * dropped, handed back by the queue and processed, as an interpreter's
 * objects with __del__ are.
 *
 *   usage: finalizers [OBJECTS [LIVE]]   (default 10^7 objects, 10^5 live)
 *
 * Each object is a Node owning a child Node (what its finalizer reads).
 * It is registered with the queue and stored in a ring of LIVE slots, so
 * that the object it replaces becomes garbage: LIVE objects are alive at
 * any time, and every object dies at its own time.  The queue's trigger
 * only sets a flag; the main loop drains the queue when it is set and
 * checks each object handed out (its child intact, its serial seen once).
 * At the end the ring is emptied and collections run until every object
 * has come out.  Prints
 *   objects / finalized / major collections / peak RSS / time
 * The same source builds over Boehm GC (bench/boehm), whose ordered
 * finalizers feed the queue; Boehm is conservative, so a few objects may
 * still look referenced at the end. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "finalizers.h"

static Ring *ring;              /* the live window, a registered root */
static bool queue_has_work;     /* set by the trigger */
static unsigned char *seen;     /* by serial: handed out how often */
static long finalized, bad;

void Owned_destruct(Owned *obj)
{
    (void)obj;
}

static void on_dead(tgc_finalizer_queue *queue, void *arg)
{
    (void)queue;
    (void)arg;
    queue_has_work = true;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* What a finalizer does: reads the object and what it owns. */
static void process(tgc_finalizer_queue *queue, long objects)
{
    Node *n;
    queue_has_work = false;
    while ((n = tgc_finalizer_next_dead(queue)) != NULL) {
        long serial = n->serial;
        if (serial < 0 || serial >= objects || n->a == NULL || n->a->serial != -serial - 1 ||
            seen[serial] != 0) {
            bad++;
            continue;
        }
        seen[serial] = 1;
        finalized++;
    }
}

int main(int argc, char **argv)
{
    long objects = argc > 1 ? atol(argv[1]) : 10000000;
    long live = argc > 2 ? atol(argv[2]) : 100000;
    if (objects <= 0 || live <= 0) {
        fprintf(stderr, "usage: finalizers [OBJECTS [LIVE]]\n");
        return 2;
    }
    if (finalizers_init() != 0)
        return 1;
    seen = calloc((size_t)objects, 1);
    if (seen == NULL) {
        fprintf(stderr, "finalizers: out of memory\n");
        return 1;
    }
    tgc_finalizer_queue *queue = tgc_finalizer_queue_new(on_dead, NULL);
    double start = now();
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_register_root(&ring);
    ring = TGC_NEW_ARRAY(Ring, c, (size_t)live);
    for (long i = 0; i < objects; i++) {
        Node *n = TGC_NEW(Node, c);
        n->serial = i;
        Node *child = TGC_NEW(Node, c, n);
        child->serial = -i - 1;
        Node_set_a(n, child);
        tgc_finalizer_register(queue, n);
        Ring_set(ring, (size_t)(i % live), n);
        if (queue_has_work)
            process(queue, objects);
    }
    for (long i = 0; i < live; i++)
        Ring_set(ring, (size_t)i, NULL);
    for (int round = 0; round < 50 && finalized + bad < objects; round++) {
        tgc_collect(c);
        process(queue, objects);
    }
    tgc_cursor_close(c);
    double elapsed = now() - start;
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("objects: %ld, %ld live at a time\n", objects, live);
    printf("finalized: %ld of %ld, %ld bad\n", finalized, objects, bad);
    printf("major collections: %llu\n", (unsigned long long)stats.major_collections);
    printf("peak RSS: %ld MiB\n", usage.ru_maxrss / 1024);
    printf("time: %.3f s\n", elapsed);
    return bad != 0;
}
