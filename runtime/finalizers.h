/* finalizers.h -- finalizer queues (PyPy's FinalizerQueue): the objects
 * registered with a queue, found dead by the collectors, kept alive with
 * everything they reach and handed to the program in order
 * (finalizers.c).  The collectors say when: the minor collection keeps
 * young registered objects alive (they must reach a major collection to
 * be ordered), the end of marking finds the dead ones and queues them, the
 * FINALIZING step makes the triggers due, and collect.c calls them at the
 * next safe point. */
#ifndef TGC_FINALIZERS_H
#define TGC_FINALIZERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"
#include "object.h"

/* One queue (typegc.h's tgc_finalizer_queue).  The dead objects wait in
 * `dead`, oldest first from `head`; they are roots until handed out. */
struct tgc_finalizer_queue {
    tgc_finalizer_trigger trigger;      /* may be NULL */
    void *trigger_arg;
    tgc_addrstack dead;
    size_t head;                        /* next to hand out */
    struct tgc_finalizer_queue *next;   /* every queue, newest first */
};

/* Written by finalizers.c only. */
typedef struct tgc_finalizers {
    tgc_addrstack young;        /* (object, queue) pairs: PyPy's
                                   probably_young_objects_with_finalizers */
    tgc_addrstack old;          /* (object, queue) pairs:
                                   old_objects_with_finalizers */
    tgc_addrstack marked;       /* (object, queue) pairs found dead by this
                                   marking, between the two passes */
    tgc_addrstack pending;      /* the first pass's worklist */
    tgc_addrstack bumping;      /* the worklist of the marks' last change */
    struct tgc_finalizer_queue *queues;
    size_t kept_alive_bytes;    /* kept_alive_by_finalizer: what the last
                                   ordering marked for the queues */
    uint64_t queued;            /* objects queued so far */
    bool queued_in_cycle;       /* objects queued since the last FINALIZING */
    bool triggers_due;          /* FINALIZING came after some were queued */
    bool triggering;            /* inside a trigger: nothing may allocate */
} tgc_finalizers;

/* In a minor collection, after the transitive closure and before the
 * destructors, weak pointers and the nursery are dealt with: every young
 * registered object survives (`keep_alive` copies it out and updates the
 * slot) and becomes an old one, but those tgc_may_ignore_finalizer()
 * released; a pinned one survives in place and stays on `young`.
 * Returns whether any was copied out: then the closure must run again. */
bool tgc_finalizers_keep_young_alive(tgc_slot_visitor keep_alive);

/* Every object waiting in a queue, for marking (they are roots). */
void tgc_finalizers_walk_queued(tgc_slot_visitor visit, void *arg);

/* At the end of marking, first pass (PyPy's deal_with_objects_with_
 * finalizers, up to the weak references): each registered object that
 * marking did not reach is marked again with everything it reaches, by
 * `mark_from` (which sets VISITED on what it reaches); what it reaches is
 * flagged FINALIZATION_ORDERING first, so that an object that another
 * dead registered object reaches is told apart.  The weak pointers are
 * cleared next, to every object still flagged too. */
void tgc_finalizers_order(void (*mark_from)(void *object));

/* Second pass: each dead registered object that no other one reaches is
 * queued (its registration ends); the others stay registered for a later
 * cycle.  No FINALIZATION_ORDERING flag is left. */
void tgc_finalizers_queue_dead(void);

/* The FINALIZING step: if objects were queued in this cycle, the triggers
 * of the queues that hold some are due. */
void tgc_finalizers_cycle_done(void);

/* At a safe point: calls the due triggers. */
void tgc_finalizers_run_triggers(void);

/* Stops the program if a trigger is running: `what` is the call that it
 * made and may not make. */
void tgc_finalizers_forbid(const char *what);

#endif /* TGC_FINALIZERS_H */
