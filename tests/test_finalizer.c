/* test_finalizer.c -- finalizer queues (PyPy's FinalizerQueue): a dead
 * registered object is queued once, kept alive with what it reaches until
 * handed out, in order (A reaching B comes out first), cycles one object
 * at a time; weak pointers to what a queue keeps alive are cleared; the
 * trigger runs outside collections; destructors wait; memory pressure of
 * objects counts while they live; misuse stops the program. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "finalizers.h"

enum { MAX_SERIAL = 1 << 20 };

static long next_serial = 1;
static int destructed[MAX_SERIAL];
static Node *holder;            /* a root: its weak field watches targets */
static tgc_finalizer_queue *queue;
static int trigger_calls;
static Node *handed_in_trigger; /* a root the trigger may store into */
static int handed_out_in_trigger;
/* TYPEGC_TORTURE runs full collections inside allocations: objects may be
 * queued earlier than a test's explicit collection. */
static bool torture;

void Owned_destruct(Owned *obj)
{
    if (obj->serial > 0 && obj->serial < MAX_SERIAL)
        destructed[obj->serial]++;
}

static Node *numbered(Node *n)
{
    n->serial = next_serial++;
    return n;
}

/* new_node(cursor, live...): a Node with the next serial. */
#define new_node(...) numbered(TGC_NEW(Node, __VA_ARGS__))

/* Everything queued, in order, into serials[]; returns how many. */
static int drain(tgc_finalizer_queue *q, long *serials, int max)
{
    int n = 0;
    void *obj;
    while ((obj = tgc_finalizer_next_dead(q)) != NULL)
        if (n < max)
            serials[n++] = ((Node *)obj)->serial;
    return n;
}

/* Registered objects dropped are queued once, after a major collection;
 * the ones still reachable are not. */
static void test_dead_objects_queued_once(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_stats before, after;
    tgc_get_stats(&before, false);
    Node *kept = NULL;
    long first = next_serial;
    for (int i = 0; i < 200; i++) {
        Node *n = new_node(c, kept);
        tgc_finalizer_register(queue, n);
        if (i % 2 == 0) {
            Node_set_a(n, kept);
            kept = n;
        }
    }
    TGC_SAVE(kept);
    tgc_collect_minor(c);
    long serials[300];
    int n = 0;
    if (!torture)
        CHECK(tgc_finalizer_next_dead(queue) == NULL);  /* only a major one queues */
    else
        n = drain(queue, serials, 300);
    tgc_collect(c);
    TGC_RESTORE(kept);
    n += drain(queue, serials + n, 300 - n);
    CHECK_EQ_U(n, 100);
    int seen[200] = { 0 };
    for (int i = 0; i < n; i++) {
        long k = serials[i] - first;
        CHECK(k >= 0 && k < 200 && k % 2 == 1);
        if (k >= 0 && k < 200)
            seen[k]++;
    }
    for (int k = 1; k < 200; k += 2)
        CHECK(seen[k] == 1);
    TGC_SAVE(kept);
    tgc_collect(c);
    TGC_RESTORE(kept);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);  /* once, not again */
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.finalizers_queued - before.finalizers_queued, 100);
    kept = NULL;                        /* a chain: its head comes out first */
    tgc_collect(c);
    CHECK_EQ_U(drain(queue, serials, 300), 1);
    CHECK(serials[0] == first + 198);
    int later = 0;                      /* one per collection, once handed out */
    for (int i = 0; i < 99; i++) {
        tgc_collect(c);
        later += drain(queue, serials, 300);
    }
    CHECK_EQ_U(later, 99);
    tgc_cursor_close(c);
}

/* A queued object and what it reaches stay intact until handed out, over
 * collections; once the program drops it, it dies (a weak pointer to it
 * is NULL; its child, reached only from it, too). */
static void test_queued_objects_live_until_handed_out(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *x = new_node(c);
    long serial = x->serial;
    Node *child = new_node(c, x);
    long child_serial = child->serial;
    Node_set_a(x, child);
    child = NULL;
    tgc_finalizer_register(queue, x);
    x = NULL;
    tgc_collect(c);
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 2000; k++)
            (void)new_node(c);          /* garbage over the queued object */
        tgc_collect(c);
    }
    x = tgc_finalizer_next_dead(queue);
    CHECK(x != NULL && x->serial == serial);
    CHECK(x != NULL && x->a != NULL && x->a->serial == child_serial);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    Node_set_weak(holder, x);
    Node_set_b(holder, NULL);
    x = NULL;
    tgc_collect(c);
    CHECK(holder->weak == NULL);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    tgc_cursor_close(c);
}

/* A -> B -> C, all registered and dropped: A first, then B once A is
 * gone, then C. */
static void test_chain_comes_out_in_order(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *a = new_node(c);
    Node *b = new_node(c, a);
    Node *cc = new_node(c, a, b);
    Node_set_a(a, b);
    Node_set_a(b, cc);
    long serials[3] = { a->serial, b->serial, cc->serial };
    /* registered in the opposite order, so that the list order does not
     * decide */
    tgc_finalizer_register(queue, cc);
    tgc_finalizer_register(queue, b);
    tgc_finalizer_register(queue, a);
    a = b = cc = NULL;
    for (int k = 0; k < 3; k++) {
        tgc_collect(c);
        long out[4];
        int n = drain(queue, out, 4);
        CHECK_EQ_U(n, 1);
        CHECK(n >= 1 && out[0] == serials[k]);
    }
    tgc_collect(c);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    tgc_cursor_close(c);
}

/* A <-> B: one comes out, then the other; nothing is leaked. */
static void test_cycle_comes_out_one_at_a_time(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *a = new_node(c);
    Node *b = new_node(c, a);
    Node_set_a(a, b);
    Node_set_a(b, a);
    long sa = a->serial, sb = b->serial;
    tgc_finalizer_register(queue, a);
    tgc_finalizer_register(queue, b);
    a = b = NULL;
    long out[4];
    tgc_collect(c);
    int n1 = drain(queue, out, 4);
    long first = n1 == 1 ? out[0] : 0;
    tgc_collect(c);
    int n2 = drain(queue, out, 4);
    CHECK_EQ_U(n1, 1);
    CHECK_EQ_U(n2, 1);
    CHECK((first == sa && out[0] == sb) || (first == sb && out[0] == sa));
    tgc_collect(c);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    tgc_cursor_close(c);
}

/* Weak pointers to an object a queue keeps alive, and to what only it
 * reaches, are cleared at the collection that queues it (PyPy's
 * invalidate_old_weakrefs); a registered object another one reaches stays
 * registered and alive, and keeps its weak pointers. */
static void test_weak_pointers_to_resurrected_cleared(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *watch = TGC_NEW(Node, c);
    Node_set_a(holder, watch);          /* watch: a root holding weak pointers */
    Node *a = new_node(c, watch);
    Node *only_a = new_node(c, watch, a);
    Node *b = new_node(c, watch, a, only_a);
    Node_set_a(a, only_a);
    Node_set_b(a, b);
    tgc_finalizer_register(queue, a);
    tgc_finalizer_register(queue, b);
    Node_set_weak(holder, a);
    Node_set_weak(watch, only_a);
    Node_set_weak(only_a, b);           /* a weak pointer inside the kept graph */
    long sa = a->serial, sb = b->serial;
    Node *weak_b = TGC_NEW(Node, c, a, b, only_a);
    Node_set_weak(weak_b, b);
    Node_set_b(holder, weak_b);
    a = b = only_a = weak_b = watch = NULL;
    tgc_collect_minor(c);
    CHECK(holder->weak != NULL);        /* registered: kept by the minor one */
    tgc_collect(c);
    CHECK(holder->weak == NULL);
    CHECK(holder->a->weak == NULL);
    /* b, which a reaches, stays registered; weak pointers to it may be
     * cleared now (PyPy clears them if a was ordered first) */
    a = tgc_finalizer_next_dead(queue);
    CHECK(a != NULL && a->serial == sa);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    CHECK(a != NULL && a->b != NULL && a->b->serial == sb);
    a = NULL;
    tgc_collect(c);
    b = tgc_finalizer_next_dead(queue);
    CHECK(b != NULL && b->serial == sb);
    CHECK(holder->b->weak == NULL);     /* queued now: cleared */
    b = NULL;
    Node_set_a(holder, NULL);
    Node_set_b(holder, NULL);
    tgc_collect(c);
    tgc_cursor_close(c);
}

/* The trigger: once per queue after a cycle that queued objects into it,
 * at a safe point, where it may hand objects out and store them. */
static void on_dead(tgc_finalizer_queue *q, void *arg)
{
    trigger_calls++;
    CHECK(arg == &trigger_calls);
    Node *n = tgc_finalizer_next_dead(q);
    if (n != NULL) {
        handed_out_in_trigger++;
        Node_set_b(handed_in_trigger, n);
    }  /* the write barrier runs: outside a collection */
}

static void test_trigger_runs_after_the_cycle(void)
{
    tgc_finalizer_queue *q = tgc_finalizer_queue_new(on_dead, &trigger_calls);
    tgc_cursor c;
    tgc_cursor_open(c);
    handed_in_trigger = TGC_NEW(Node, c);
    tgc_register_root(&handed_in_trigger);
    tgc_collect(c);                     /* old: a store into it runs the barrier */
    trigger_calls = 0;
    tgc_collect(c);
    CHECK_EQ_U(trigger_calls, 0);       /* nothing queued: no call */
    Node *n = new_node(c);
    long serial = n->serial;
    tgc_finalizer_register(q, n);
    n = NULL;
    tgc_collect(c);
    CHECK_EQ_U(trigger_calls, 1);
    CHECK(handed_in_trigger->b != NULL && handed_in_trigger->b->serial == serial);
    CHECK(tgc_finalizer_next_dead(q) == NULL);
    /* step by step: the trigger runs when the FINALIZING step returns,
     * once, and not before */
    handed_out_in_trigger = 0;
    for (int i = 0; i < 50; i++) {
        n = new_node(c);
        tgc_finalizer_register(q, n);
    }
    n = NULL;
    Node_set_b(handed_in_trigger, NULL);
    tgc_disable();
    tgc_step_result r = { 0 };
    int cycles = 0;
    int calls_before = trigger_calls;
    while (cycles < 2) {
        int calls = trigger_calls;
        tgc_collect_step(c, &r);
        if (trigger_calls != calls && !torture)
            CHECK(r.old_phase == TGC_PHASE_FINALIZING && trigger_calls == calls + 1 &&
                  cycles == 0);
        /* PyPy's gc.collect_step(): FINALIZING -> USERDEL, then USERDEL ->
         * SCANNING, done, collecting nothing */
        if (r.old_phase == TGC_PHASE_FINALIZING) {
            CHECK(r.new_phase == TGC_PHASE_USERDEL && !r.major_is_done);
            tgc_stats before, after;
            tgc_get_stats(&before, false);
            tgc_collect_step(c, &r);
            tgc_get_stats(&after, false);
            CHECK(r.old_phase == TGC_PHASE_USERDEL && r.new_phase == TGC_PHASE_SCANNING &&
                  r.major_is_done);
            CHECK_EQ_U(after.major_steps, before.major_steps);
            CHECK_EQ_U(after.minor_collections, before.minor_collections);
        }
        cycles += r.major_is_done;
    }
    tgc_enable();
    if (!torture)
        CHECK_EQ_U(trigger_calls - calls_before, 1);
    int left = handed_out_in_trigger;
    while (tgc_finalizer_next_dead(q) != NULL)
        left++;
    CHECK_EQ_U(left, 50);
    Node_set_b(handed_in_trigger, NULL);
    tgc_cursor_close(c);
}

/* The hooks see the FINALIZING step as PyPy's do (FINALIZING to
 * SCANNING, the cycle done), and never USERDEL. */
static int finalizing_steps, userdel_steps;

static void on_step(const tgc_collect_step_stats *s, void *arg)
{
    (void)arg;
    if (s->oldstate == TGC_PHASE_FINALIZING && s->newstate == TGC_PHASE_SCANNING &&
        s->major_is_done)
        finalizing_steps++;
    if (s->oldstate == TGC_PHASE_USERDEL || s->newstate == TGC_PHASE_USERDEL)
        userdel_steps++;
}

static void test_hooks_see_finalizing(void)
{
    tgc_hooks hooks = { .on_gc_collect_step = on_step };
    tgc_set_hooks(&hooks);
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *n = new_node(c);
    tgc_finalizer_register(queue, n);
    n = NULL;
    tgc_collect(c);
    tgc_step_result r = { 0 };
    do
        tgc_collect_step(c, &r);
    while (!r.major_is_done);
    tgc_set_hooks(NULL);
    CHECK(finalizing_steps >= 2);
    CHECK_EQ_U(userdel_steps, 0);
    CHECK(tgc_finalizer_next_dead(queue) != NULL);
    tgc_cursor_close(c);
}

static void collect_in_trigger_queue(tgc_finalizer_queue *q, void *arg)
{
    (void)q;
    tgc_cursor *c = arg;
    tgc_collect_minor(*c);
}

static void collect_in_trigger(void)
{
    static tgc_cursor c;
    tgc_finalizer_queue *q = tgc_finalizer_queue_new(collect_in_trigger_queue, &c);
    tgc_cursor_open(c);
    Node *n = new_node(c);
    tgc_finalizer_register(q, n);
    n = NULL;
    tgc_collect(c);
}

/* The destructor of a queued object waits until it dies for good. */
static void test_destructor_waits_for_the_queue(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Owned *o = TGC_NEW(Owned, c);
    long serial = o->serial = next_serial++;
    tgc_finalizer_register(queue, o);
    o = NULL;
    tgc_collect_minor(c);
    tgc_collect(c);
    CHECK_EQ_U(destructed[serial], 0);
    o = tgc_finalizer_next_dead(queue);
    CHECK(o != NULL && o->serial == serial);
    o = NULL;
    tgc_collect(c);
    CHECK_EQ_U(destructed[serial], 1);
    tgc_cursor_close(c);
}

/* Large objects, registered young and old; registering again after the
 * hand-out; tgc_may_ignore_finalizer. */
static void test_large_reregistered_and_ignored(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    BigNode *big = TGC_NEW(BigNode, c);
    big->serial = 777;
    big->pixels[16999] = 777;
    tgc_finalizer_register(queue, big);
    big = NULL;
    tgc_collect(c);
    big = tgc_finalizer_next_dead(queue);
    CHECK(big != NULL && big->serial == 777 && big->pixels[16999] == 777);
    tgc_finalizer_register(queue, big);     /* once more */
    big = NULL;
    tgc_collect(c);
    big = tgc_finalizer_next_dead(queue);
    CHECK(big != NULL && big->serial == 777);
    big = NULL;

    /* ignored young: the minor collection lets it die */
    Node *ignored = new_node(c);
    tgc_finalizer_register(queue, ignored);
    tgc_may_ignore_finalizer(ignored);
    Node_set_weak(holder, ignored);
    ignored = NULL;
    tgc_collect(c);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    CHECK(holder->weak == NULL);
    /* ignored old: the end of marking lets it die */
    ignored = new_node(c);
    tgc_finalizer_register(queue, ignored);
    TGC_SAVE(ignored);
    tgc_collect(c);
    TGC_RESTORE(ignored);
    tgc_may_ignore_finalizer(ignored);
    Node_set_weak(holder, ignored);
    ignored = NULL;
    tgc_collect(c);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    CHECK(holder->weak == NULL);
    tgc_cursor_close(c);
}

/* Memory pressure of an object counts while it lives: in the statistics,
 * and towards the next major collection. */
static void test_object_memory_pressure(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_stats s0, s1, s2, s3;
    tgc_get_stats(&s0, true);
    Node *young = new_node(c);
    tgc_add_memory_pressure(young, 1000);
    Node *old = new_node(c, young);
    TGC_SAVE(young, old);
    tgc_collect_minor(c);
    tgc_collect(c);
    TGC_RESTORE(young, old);
    tgc_add_memory_pressure(old, 20000);
    tgc_add_memory_pressure(old, 300000);
    tgc_add_memory_pressure(NULL, 5);
    tgc_get_stats(&s1, true);
    CHECK_EQ_U(s1.total_memory_pressure - s0.total_memory_pressure, 321005);
    young = NULL;
    TGC_SAVE(old);
    tgc_collect(c);
    TGC_RESTORE(old);
    tgc_get_stats(&s2, true);
    CHECK_EQ_U(s2.total_memory_pressure - s0.total_memory_pressure, 320005);
    /* a live object owning a lot brings major collections on, at the
     * slow paths */
    tgc_add_memory_pressure(old, (size_t)1 << 40);
    tgc_get_stats(&s2, false);
    do {
        (void)new_node(c, old);
        tgc_get_stats(&s3, false);
    } while (s3.minor_collections < s2.minor_collections + 4);
    CHECK(s3.major_steps > s2.major_steps + 2);
    old = NULL;
    tgc_collect(c);
    tgc_get_stats(&s3, true);
    CHECK_EQ_U(s3.total_memory_pressure - s0.total_memory_pressure, 5);
    tgc_cursor_close(c);
}

static void register_twice(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *n = new_node(c);
    tgc_finalizer_register(queue, n);
    tgc_finalizer_register(queue, n);
}

static void register_null_queue(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_finalizer_register(NULL, new_node(c));
}

static void register_non_gc_object(void)
{
    static uint64_t not_an_object[4] = { 0xfffffff0u, 0, 0, 0 };
    tgc_finalizer_register(queue, not_an_object);
}

static void next_dead_null_queue(void)
{
    (void)tgc_finalizer_next_dead(NULL);
}

static void test_misuse_stops_the_program(void)
{
    CHECK(expect_death(register_twice, "is registered already"));
    CHECK(expect_death(register_null_queue, "tgc_finalizer_register: the queue is NULL"));
    CHECK(expect_death(register_non_gc_object, "is not a GC object"));
    CHECK(expect_death(next_dead_null_queue, "tgc_finalizer_next_dead: the queue is NULL"));
    CHECK(expect_death(collect_in_trigger,
                       "tgc_collect_minor inside a finalizer queue's trigger"));
}

int main(void)
{
    if (finalizers_init() != 0)
        return 1;
    torture = getenv("TYPEGC_TORTURE") != NULL;
    queue = tgc_finalizer_queue_new(NULL, NULL);
    tgc_cursor c;
    tgc_cursor_open(c);
    holder = TGC_NEW(Node, c);
    tgc_register_root(&holder);
    tgc_cursor_close(c);
    RUN(test_dead_objects_queued_once);
    RUN(test_queued_objects_live_until_handed_out);
    RUN(test_chain_comes_out_in_order);
    RUN(test_cycle_comes_out_one_at_a_time);
    RUN(test_weak_pointers_to_resurrected_cleared);
    RUN(test_trigger_runs_after_the_cycle);
    RUN(test_hooks_see_finalizing);
    RUN(test_destructor_waits_for_the_queue);
    RUN(test_large_reregistered_and_ignored);
    RUN(test_object_memory_pressure);
    RUN(test_misuse_stops_the_program);
    return check_finish();
}
