/* heap_model.h -- what fuzz_runtime's heap must hold, kept by hand.
 *
 * The heap is made of fuzz_heap.json's types.  Every object the harness
 * allocates gets a number, in allocation order, and the model records
 * what each of its GC pointer slots points to: the number of the target,
 * or -1 for NULL.
 *   - a Node has four slots (left, right, kids, data) and holds its own
 *     number in `number`;
 *   - a Nodes array has one slot per item;
 *   - a Bytes array has no slot; item i holds byte_pattern(number, i).
 * heap_roots[] are registered with the collector and model.root[] says
 * what each must hold.  The two prebuilt objects of fuzz_heap.json are
 * objects 0 (Node anchor, whose kids is table and whose weak field points
 * to itself) and 1 (Nodes table, 3 items) of every input, always
 * reachable; the harness stores into them as into any object.  heap_matches_model() walks both from the roots at
 * once and checks that they are the same graph. */
#ifndef FUZZ_HEAP_MODEL_H
#define FUZZ_HEAP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_heap.h"

enum {
    ROOTS = 16,
    PREBUILT = 2,           /* prebuilt objects: model objects 0 and 1 */
    MAX_OBJECTS = 256 + PREBUILT, /* objects per input */
};

/* &Node__prebuilt_anchor, &Nodes__prebuilt_table: object p is heap_prebuilt[p]. */
extern void *const heap_prebuilt[PREBUILT];

/* A Node's slots, in the model's order. */
enum { SLOT_LEFT, SLOT_RIGHT, SLOT_KIDS, SLOT_DATA, NODE_SLOTS };

typedef enum object_kind { OBJECT_NODE, OBJECT_NODES, OBJECT_BYTES } object_kind;

typedef struct model_object {
    object_kind kind;
    size_t length;          /* arrays: items */
    size_t n_slots;
    long *slots;
} model_object;

typedef struct heap_model {
    long root[ROOTS];
    long local;             /* an object held only in a C local, or -1 */
    model_object objects[MAX_OBJECTS];
    long count;
    unsigned destructed[MAX_OBJECTS];   /* Node_destruct() calls, by number */
    uintptr_t id[MAX_OBJECTS];          /* tgc_id() once taken, else 0 */
    long weak[MAX_OBJECTS];             /* a Node's weak field: its target's
                                           number, -1 for NULL (and once the
                                           collector cleared it) */
    bool weak_may_be_cleared[MAX_OBJECTS]; /* its target was alive only through a
                                           registered Node at a collection */
    bool registered[MAX_OBJECTS];       /* a Node registered with the finalizer
                                           queue, not handed out yet */
    bool ever_registered[MAX_OBJECTS];  /* once per Node and input */
    size_t pressure[MAX_OBJECTS];       /* tgc_add_memory_pressure(obj, n) */
    bool pinned[MAX_OBJECTS];           /* Bytes pinned by OP_PIN */
    uintptr_t pinned_at[MAX_OBJECTS];   /* their address then */
} heap_model;

extern void *heap_roots[ROOTS];
extern heap_model model;

/* What slot `slot` of an object of `kind` may point to. */
object_kind slot_target_kind(object_kind kind, size_t slot);
/* Slot `slot` of a heap object, read; and written through the generated
 * setters, which run the write barrier. */
void *heap_slot(const void *object, object_kind kind, size_t slot);
void heap_set_slot(void *object, object_kind kind, size_t slot, void *value);

uint8_t byte_pattern(long number, size_t index);

/* Numbers a new object whose slots are all NULL (fewer than MAX_OBJECTS
 * must have been added since model_clear()). */
long model_add(object_kind kind, size_t length);
/* Forgets every object and empties every root, in the model and in
 * heap_roots[]; the model's prebuilt objects are as declared again. */
void model_clear(void);
/* Sets the prebuilt objects back as fuzz_heap.json declares them, through
 * the setters, in the heap and in the model: what they held is garbage. */
void model_reset_prebuilt(void);

/* reachable[n]: whether object n is reachable from the roots, the
 * prebuilt objects or the local, in the model. */
void model_reachable(bool reachable[MAX_OBJECTS]);

/* kept[n]: reachable, or reachable from a registered Node (which the
 * collector keeps alive until it hands it out). */
void model_kept(bool kept[MAX_OBJECTS]);
/* reached[n]: whether object `from` reaches n (itself included). */
void model_reached_from(bool reached[MAX_OBJECTS], long from);

/* false after printing the first difference on stderr. */
bool heap_matches_model(void);

#endif
