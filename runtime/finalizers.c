/* finalizers.c -- finalizer queues (PyPy's FinalizerQueue): objects the
 * program registered, found dead, kept alive with everything they reach
 * and handed back to the program through their queue, in an order where
 * an object comes out before the objects it reaches.
 *
 * An object registered young is on `young` until the next minor
 * collection, which keeps it alive whatever reaches it (it must reach a
 * major collection to be ordered) and moves it to `old`; a pinned one
 * stays there, alive, until it is unpinned and moves out.  At the end of
 * marking, the registered objects marking did not reach are dead.  The
 * order is CPython's and PyPy's, with two header flags, VISITED and
 * FINALIZATION_ORDERING, making four states:
 *
 *   0  neither          not reached by anything yet
 *   1  ORDERING         reached from a dead registered object, not marked
 *   2  VISITED|ORDERING marked again, for a dead registered object
 *   3  VISITED          alive (reached by marking, or settled below)
 *
 * For each dead registered object x: everything x reaches in state 0 goes
 * to 1 (a state-2 object met on the way was kept alive for an earlier x,
 * and x reaches it: it and what it reaches go to 3), then marking from x
 * takes them to 2.  The weak pointers are cleared next, to everything not
 * in state 3.  Then each x still in state 2 is reached by no other dead
 * registered object: it is queued, and what it reaches goes to 3.  An x
 * in state 3 is reached by another one, which comes out first; it stays
 * registered, and a later cycle finds it dead again.  A cycle of
 * registered objects comes out one object per major collection, never
 * leaked.  Queued objects are roots until next_dead() hands them out. */
#include "finalizers.h"

#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "object.h"

/* ---- The program's calls ---------------------------------------------------- */

tgc_finalizer_queue *tgc_finalizer_queue_new(tgc_finalizer_trigger trigger, void *arg)
{
    tgc_finalizer_queue *queue = calloc(1, sizeof *queue);
    if (queue == NULL)
        tgc_fatal("tgc_finalizer_queue_new: out of memory");
    queue->trigger = trigger;
    queue->trigger_arg = arg;
    queue->next = tgc_gc.finalizers.queues;
    tgc_gc.finalizers.queues = queue;
    return queue;
}

static void check_queue(const char *call, const tgc_finalizer_queue *queue)
{
    if (queue == NULL)
        tgc_fatal("%s: the queue is NULL (make one with tgc_finalizer_queue_new())", call);
}

void tgc_finalizer_register(tgc_finalizer_queue *queue, void *object)
{
    tgc_destructors_forbid("tgc_finalizer_register");
    check_queue("tgc_finalizer_register", queue);
    tgc_check_gc_object("tgc_finalizer_register", object);
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_FINALIZER_REGISTERED)
        tgc_fatal("tgc_finalizer_register: %s object at %p is registered already (an "
                  "object is on one queue at a time, and not again after "
                  "tgc_may_ignore_finalizer())", tgc_info_of(object)->name, object);
    /* an object not registered is on no list: an earlier
     * tgc_may_ignore_finalizer() has nothing left to drop */
    hdr->flags = (hdr->flags | TGC_FLAG_FINALIZER_REGISTERED) & ~TGC_FLAG_IGNORE_FINALIZER;
    /* a prebuilt object never dies: it is on no list, and never queued
     * (the ordering walk below assumes every object it meets is in the
     * heap) */
    if (hdr->flags & TGC_FLAG_PREBUILT)
        return;
    tgc_finalizers *f = &tgc_gc.finalizers;
    bool young = tgc_is_young(object) || (hdr->flags & TGC_FLAG_YOUNG_RAW);
    tgc_addrstack *list = young ? &f->young : &f->old;
    tgc_addrstack_push(list, object);
    tgc_addrstack_push(list, queue);
}

void tgc_may_ignore_finalizer(void *object)
{
    tgc_check_gc_object("tgc_may_ignore_finalizer", object);
    tgc_hdr(object)->flags |= TGC_FLAG_IGNORE_FINALIZER;
}

void *tgc_finalizer_next_dead(tgc_finalizer_queue *queue)
{
    tgc_destructors_forbid("tgc_finalizer_next_dead");
    check_queue("tgc_finalizer_next_dead", queue);
    tgc_addrstack *dead = &queue->dead;
    if (queue->head == dead->length)
        return NULL;
    void *object = dead->items[queue->head++];
    if (queue->head == dead->length) {
        queue->head = dead->length = 0;
    } else if (queue->head > dead->length / 2) {
        /* a queue the program drains slowly: drop the handed-out part */
        memmove(dead->items, dead->items + queue->head,
                (dead->length - queue->head) * sizeof *dead->items);
        dead->length -= queue->head;
        queue->head = 0;
    }
    return object;
}

/* ---- The minor collection ------------------------------------------------------ */

bool tgc_finalizers_keep_young_alive(tgc_slot_visitor keep_alive)
{
    tgc_finalizers *f = &tgc_gc.finalizers;
    tgc_addrstack *young = &f->young;
    bool promoted = false;
    size_t kept = 0;
    for (size_t i = 0; i < young->length; i += 2) {
        void *object = young->items[i], *queue = young->items[i + 1];
        /* a copy made already (the header is a forwarding stub) has the
         * flags */
        const void *current = tgc_is_young(object) &&
                                      *(uint64_t *)object == TGC_FORWARDED_TID
                                  ? ((void **)object)[1]
                                  : object;
        if (tgc_hdr((void *)current)->flags & TGC_FLAG_IGNORE_FINALIZER)
            continue;           /* dropped; if unreached, it dies now */
        keep_alive(&object, NULL);
        if (tgc_is_in_nursery(object)) {
            /* pinned (registered after its pin: tgc_pin() refuses
             * registered objects): it stays in place, alive and young,
             * until the minor collection after its unpin moves it out.
             * Marking never sees nursery objects, so it could not order
             * it; and it reaches nothing, so keeping it costs nothing
             * else. */
            young->items[kept++] = object;
            young->items[kept++] = queue;
            continue;
        }
        tgc_addrstack_push(&f->old, object);
        tgc_addrstack_push(&f->old, queue);
        promoted = true;
    }
    young->length = kept;
    return promoted;
}

/* ---- Marking ---------------------------------------------------------------------- */

void tgc_finalizers_walk_queued(tgc_slot_visitor visit, void *arg)
{
    for (tgc_finalizer_queue *q = tgc_gc.finalizers.queues; q != NULL; q = q->next)
        for (size_t i = q->head; i < q->dead.length; i++)
            visit(&q->dead.items[i], arg);
}

static void push_target(void **slot, void *stack)
{
    tgc_addrstack_push(stack, *slot);
}

/* State 2 to 3, for `object` and what it reaches in state 2 (PyPy's
 * _recursively_bump_finalization_state_from_2_to_3).  Everything a marked
 * object reaches is marked, so only state-2 and state-3 objects are met. */
static void settle(tgc_finalizers *f, void *object)
{
    tgc_addrstack_push(&f->bumping, object);
    while (!tgc_addrstack_empty(&f->bumping)) {
        void *y = tgc_addrstack_pop(&f->bumping);
        tgc_header *hdr = tgc_hdr(y);
        if (hdr->flags & TGC_FLAG_FINALIZATION_ORDERING) {
            hdr->flags &= ~TGC_FLAG_FINALIZATION_ORDERING;
            tgc_trace_object(y, push_target, &f->bumping);
        }
    }
}

/* What a dead registered object reaches goes from state 0 to 1; state-2
 * objects met on the way are settled (3).  Their bytes are not counted as
 * live when the next threshold is set (PyPy's kept_alive_by_finalizer):
 * a program allocating mostly objects with finalizers would otherwise see
 * its major collections pushed further and further away. */
static void flag_reached(tgc_finalizers *f, void *x)
{
    tgc_addrstack_push(&f->pending, x);
    while (!tgc_addrstack_empty(&f->pending)) {
        void *y = tgc_addrstack_pop(&f->pending);
        tgc_header *hdr = tgc_hdr(y);
        /* a prebuilt object lives for good, and one never written to is
         * unmarked and reaches only other prebuilt objects */
        if (hdr->flags & TGC_FLAG_PREBUILT)
            continue;
        uint32_t state = hdr->flags & (TGC_FLAG_VISITED | TGC_FLAG_FINALIZATION_ORDERING);
        if (state == 0) {
            hdr->flags |= TGC_FLAG_FINALIZATION_ORDERING;
            f->kept_alive_bytes += tgc_object_size(y);
            tgc_trace_object(y, push_target, &f->pending);
        } else if (state == (TGC_FLAG_VISITED | TGC_FLAG_FINALIZATION_ORDERING)) {
            settle(f, y);
        }
    }
}

void tgc_finalizers_order(void (*mark_from)(void *object))
{
    tgc_finalizers *f = &tgc_gc.finalizers;
    tgc_addrstack *old = &f->old;
    size_t kept = 0;
    f->kept_alive_bytes = 0;
    for (size_t i = 0; i < old->length; i += 2) {
        void *x = old->items[i], *queue = old->items[i + 1];
        uint32_t flags = tgc_hdr(x)->flags;
        if (flags & TGC_FLAG_IGNORE_FINALIZER)
            continue;
        if (flags & TGC_FLAG_VISITED) {     /* alive, or kept for an earlier x */
            old->items[kept++] = x;
            old->items[kept++] = queue;
            continue;
        }
        tgc_addrstack_push(&f->marked, x);
        tgc_addrstack_push(&f->marked, queue);
        flag_reached(f, x);
        mark_from(x);                       /* state 1 to 2 */
    }
    old->length = kept;
}

static void enqueue(tgc_finalizer_queue *queue, void *object)
{
    tgc_addrstack_push(&queue->dead, object);
}

void tgc_finalizers_queue_dead(void)
{
    tgc_finalizers *f = &tgc_gc.finalizers;
    for (size_t i = 0; i < f->marked.length; i += 2) {
        void *x = f->marked.items[i], *queue = f->marked.items[i + 1];
        tgc_header *hdr = tgc_hdr(x);
        if (hdr->flags & TGC_FLAG_FINALIZATION_ORDERING) {
            hdr->flags &= ~TGC_FLAG_FINALIZER_REGISTERED;
            enqueue(queue, x);
            settle(f, x);
            f->queued++;
            f->queued_in_cycle = true;
        } else {                            /* another dead one reaches it */
            tgc_addrstack_push(&f->old, x);
            tgc_addrstack_push(&f->old, queue);
        }
    }
    f->marked.length = 0;
}

/* ---- FINALIZING and the safe point ------------------------------------------------ */

void tgc_finalizers_cycle_done(void)
{
    tgc_finalizers *f = &tgc_gc.finalizers;
    if (f->queued_in_cycle)
        f->triggers_due = true;
    f->queued_in_cycle = false;
}

void tgc_finalizers_run_triggers(void)
{
    tgc_finalizers *f = &tgc_gc.finalizers;
    if (!f->triggers_due || f->triggering)
        return;
    f->triggers_due = false;
    f->triggering = true;
    for (tgc_finalizer_queue *q = f->queues; q != NULL; q = q->next)
        if (q->trigger != NULL && q->head < q->dead.length)
            q->trigger(q, q->trigger_arg);
    f->triggering = false;
}

void tgc_finalizers_forbid(const char *what)
{
    if (tgc_gc.finalizers.triggering)
        tgc_fatal("%s inside a finalizer queue's trigger: a trigger runs at a safe point "
                  "inside the call that collected, and may not allocate or collect (note "
                  "that the queue has work, and call tgc_finalizer_next_dead() later)",
                  what);
}
