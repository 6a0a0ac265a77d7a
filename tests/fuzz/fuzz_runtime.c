/* fuzz_runtime.c -- libFuzzer harness for the collector.
 *
 * Each input is a program: every byte that starts an operation picks one
 * (its value modulo N_OPS), and the bytes after it are its arguments; a
 * program ends with its input, or after MAX_OPS operations.  The
 * operations allocate Nodes, arrays of Nodes (up to the card-marked large
 * ones) and byte strings into roots or into the slots of reachable
 * objects, link and unlink them through the generated setters, drop
 * roots, keep an object alive in a C local only, and collect: minor, one
 * major step, or everything.  heap_model.h keeps the same graph by hand;
 * after every collection, the program's own and those its allocations
 * trigger (through the on_gc_minor hook), the heap reachable from the
 * roots must be that graph, or the harness aborts.  Every Node has a
 * destructor (fuzz_heap.json), which must run once per Node, never while
 * the model can reach it, and for every Node the model cannot reach by
 * the end of a full collection.  A Node's weak field (OP_WEAK) must be its
 * target in the model or NULL after every collection, NULL only once the
 * model cannot reach the target, and NULL then after a full collection.
 * Ids taken of objects (OP_ID) must stay
 * the same after every collection, and differ between reachable objects.
 * Byte strings are pinned and unpinned (OP_PIN): after every collection a
 * reachable pinned one is where it was pinned, and the collector counts
 * the pinned ones the model keeps, and after a full collection no
 * other (an unreachable one dies, pin and all).
 * Paths start at a root or at one of the two prebuilt objects
 * (fuzz_heap.json), which are always reachable and are stored into like
 * any object: what they hold must survive.
 * Nodes registered with a finalizer queue (OP_REGISTER) come out of it
 * (OP_DRAIN) once per registration, never while the model reaches them,
 * never while a registered Node that they do not reach reaches them; what
 * registered Nodes reach counts as alive for the destructors and weak
 * fields (a weak field to it may be cleared).  Memory pressure on objects
 * (OP_PRESSURE): after a full collection the statistics sum the live
 * objects' figures exactly.  Each program ends with every root cleared,
 * the prebuilt objects set back as declared, full collections until the
 * queue has handed out every registered Node, and one more, which must
 * leave the heap empty: so every input starts
 * from the same state.
 *
 * The collector runs with a tiny nursery, the nursery poisoned after
 * each minor collection, the heap checked by the runtime itself and one
 * object marked per major step; the environment may override each
 * setting (see LLVMFuzzerInitialize). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_heap.h"
#include "heap_model.h"

enum {
    MAX_OPS = MAX_OBJECTS,      /* an operation allocates at most one object */
    LARGE_PER_INPUT = 2,        /* arrays at the size of a large object */
};

typedef enum op {
    OP_NEW_ROOT,        /* root, kind, [length]: a new object into a root */
    OP_NEW_CHILD,       /* path, slot, [length]: a new object into a slot of
                           an object, which stays live across the allocation */
    OP_STORE,           /* path, path or NULL, slot: store an object in a slot */
    OP_ROOT_FROM_PATH,  /* root, path: a root points where a path ends */
    OP_DROP_ROOT,       /* root */
    OP_MINOR,
    OP_STEP,
    OP_FULL,
    OP_COLLECT_IN_LOCAL,/* path, root, what: the object only in a C local
                           while collecting, then into a root */
    OP_ID,              /* path: take the object's id (tgc_id) */
    OP_WEAK,            /* path, path or NULL: store into a Node's weak field */
    OP_REGISTER,        /* path: register the Node with the finalizer queue */
    OP_DRAIN,           /* roots...: hand out what the queue holds, some into roots */
    OP_PRESSURE,        /* path, bytes: memory pressure on the object */
    OP_PIN,             /* path: pin the byte string there, or unpin it */
    N_OPS
} op;

static tgc_cursor cursor;
static tgc_finalizer_queue *queue;
static long long pressure_base;     /* the statistics' figure without objects */

/* The input not yet read, and what is left of its budget. */
static struct {
    const uint8_t *next, *end;
    int large_left;
} program;

/* The next byte of the program; 0 past its end. */
static unsigned next_byte(void)
{
    return program.next < program.end ? *program.next++ : 0;
}

/* An index below `n` (n > 0): one byte, two for long arrays. */
static size_t next_index(size_t n)
{
    size_t value = next_byte();
    if (n > 256)
        value |= (size_t)next_byte() << 8;
    return value % n;
}

static void fail(const char *what) __attribute__((noreturn));

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_runtime: %s\n", what);
    abort();
}

static void check_heap(void)
{
    if (!heap_matches_model())
        fail("the heap is not what the model says (see above)");
}

/* Runs inside the collection, when the collector finds a Node dead. */
void Node_destruct(Node *node)
{
    long n = node->number;
    if (n < 0 || n >= model.count || model.objects[n].kind != OBJECT_NODE)
        fail("a destructor ran for an object that is not a Node of the model");
    static bool kept[MAX_OBJECTS];
    model_kept(kept);
    if (kept[n])
        fail("a destructor ran for a Node the model can reach (or a registered one)");
    if (++model.destructed[n] != 1)
        fail("a destructor ran twice for one Node");
}

/* After a full collection: every Node the model cannot reach is
 * destructed. */
static void check_destructed(void)
{
    static bool reachable[MAX_OBJECTS];
    model_kept(reachable);
    for (long n = 0; n < model.count; n++)
        if (model.objects[n].kind == OBJECT_NODE && !reachable[n] &&
            model.destructed[n] != 1)
            fail("a full collection left an unreachable Node not destructed");
}

static void check_ids(void);
static void check_weak(bool full);
static void check_pins(bool full);
static void note_weak_fields_in_doubt(void);

static void check_after_gc_minor(const tgc_minor_stats *stats, void *arg)
{
    (void)stats;
    (void)arg;
    note_weak_fields_in_doubt();
    check_heap();
    check_weak(false);
    check_pins(false);
}

/* The length of a new array: from one byte, up to about 2 KB; or, while
 * the input's budget lasts, within four items of the large-object size:
 * the largest arrays the nursery takes, then the smallest allocated
 * outside it (with card marking, for Nodes). */
static size_t array_length(size_t items_offset, size_t item_size)
{
    unsigned b = next_byte();
    if (b < 0xf8 || program.large_left == 0)
        return b * 8 / item_size;
    program.large_left--;
    size_t first_large = (TGC_NONLARGE_MAX - items_offset) / item_size + 1;
    return first_large + b - 0xfc;
}

/* A new object of `kind`, its number in the model; `live` stays valid
 * across the allocation. */
static void *new_object(object_kind kind, void **live, long *number)
{
    void *object = NULL;
    void *keep = *live;
    size_t length = 0;
    switch (kind) {
    case OBJECT_NODE:
        object = TGC_NEW(Node, cursor, keep);
        break;
    case OBJECT_NODES:
        length = array_length(Nodes__ITEMS_OFFSET, Nodes__ITEM_SIZE);
        object = TGC_NEW_ARRAY(Nodes, cursor, length, keep);
        break;
    case OBJECT_BYTES:
        length = array_length(Bytes__ITEMS_OFFSET, Bytes__ITEM_SIZE);
        object = TGC_NEW_ARRAY(Bytes, cursor, length, keep);
        break;
    }
    *live = keep;
    *number = model_add(kind, length);
    if (kind == OBJECT_NODE)
        ((Node *)object)->number = *number;
    for (size_t i = 0; kind == OBJECT_BYTES && i < length; i++)
        Bytes_set(object, i, byte_pattern(*number, i));
    return object;
}

/* A reachable object, or NULL. */
typedef struct place {
    void *heap;
    long number;        /* -1 for NULL */
} place;

/* Where a path ends: a root or a prebuilt object, then up to three slots,
 * stopping early at NULL or at an object without slots. */
static place follow_path(void)
{
    unsigned r = next_byte() % (ROOTS + PREBUILT);
    place at = r < ROOTS ? (place){ heap_roots[r], model.root[r] }
                         : (place){ heap_prebuilt[r - ROOTS], (long)(r - ROOTS) };
    for (unsigned steps = next_byte() % 4; steps > 0 && at.number >= 0; steps--) {
        const model_object *o = &model.objects[at.number];
        if (o->n_slots == 0)
            break;
        size_t slot = next_index(o->n_slots);
        place next = { heap_slot(at.heap, o->kind, slot), o->slots[slot] };
        if ((next.heap == NULL) != (next.number < 0))
            fail("a path reached NULL in the heap only, or in the model only");
        if (next.number < 0)
            break;
        at = next;
    }
    return at;
}

static void new_root(void)
{
    unsigned r = next_byte() % ROOTS;
    object_kind kind = (object_kind)(next_byte() % (OBJECT_BYTES + 1));
    void *none = NULL;
    long number;
    heap_roots[r] = new_object(kind, &none, &number);
    model.root[r] = number;
}

static void new_child(void)
{
    place holder = follow_path();
    if (holder.number < 0 || model.objects[holder.number].n_slots == 0)
        return;
    object_kind kind = model.objects[holder.number].kind;
    size_t slot = next_index(model.objects[holder.number].n_slots);
    long number;
    void *child = new_object(slot_target_kind(kind, slot), &holder.heap, &number);
    heap_set_slot(holder.heap, kind, slot, child);
    model.objects[holder.number].slots[slot] = number;
}

/* A slot of `holder` that can point to an object of `kind`, or false. */
static bool slot_for(const model_object *holder, object_kind kind, size_t *slot)
{
    if (holder->kind == OBJECT_NODES) {
        if (kind != OBJECT_NODE || holder->n_slots == 0)
            return false;
        *slot = next_index(holder->n_slots);
        return true;
    }
    if (holder->kind == OBJECT_BYTES)
        return false;
    switch (kind) {
    case OBJECT_NODE:  *slot = next_byte() % 2 ? SLOT_RIGHT : SLOT_LEFT; break;
    case OBJECT_NODES: *slot = SLOT_KIDS; break;
    case OBJECT_BYTES: *slot = SLOT_DATA; break;
    }
    return true;
}

static void store(void)
{
    place holder = follow_path();
    place value = next_byte() % 8 ? follow_path() : (place){ NULL, -1 };
    if (holder.number < 0)
        return;
    model_object *o = &model.objects[holder.number];
    size_t slot;
    if (value.number < 0) {
        if (o->n_slots == 0)
            return;
        slot = next_index(o->n_slots);
    } else if (!slot_for(o, model.objects[value.number].kind, &slot)) {
        return;
    }
    heap_set_slot(holder.heap, o->kind, slot, value.heap);
    o->slots[slot] = value.number;
}

static void root_from_path(void)
{
    unsigned r = next_byte() % ROOTS;
    place at = follow_path();
    heap_roots[r] = at.heap;
    model.root[r] = at.number;
}

static void drop_root(void)
{
    unsigned r = next_byte() % ROOTS;
    heap_roots[r] = NULL;
    model.root[r] = -1;
}

/* After a collection: a weak field whose target only a registered Node
 * keeps alive may have been cleared (PyPy clears the weak references to
 * what a finalizer queue resurrects), and the target may become
 * reachable again when the queue hands the Node out. */
static void note_weak_fields_in_doubt(void)
{
    static bool reachable[MAX_OBJECTS];
    model_reachable(reachable);
    for (long n = 0; n < model.count; n++)
        if (model.weak[n] >= 0 && !reachable[model.weak[n]])
            model.weak_may_be_cleared[n] = true;
}

/* After a full collection: the statistics sum the pressure of exactly the
 * objects alive. */
static void check_pressure(void)
{
    static bool kept[MAX_OBJECTS];
    model_kept(kept);
    long long expected = pressure_base;
    for (long n = 0; n < model.count; n++)
        if (kept[n])
            expected += (long long)model.pressure[n];
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    if (stats.total_memory_pressure != expected) {
        fprintf(stderr, "fuzz_runtime: memory pressure %lld, the live objects own %lld\n",
                stats.total_memory_pressure, expected);
        abort();
    }
}

static void collect(op what)
{
    tgc_step_result result;
    switch (what) {
    case OP_MINOR:
        tgc_collect_minor(cursor);
        break;
    case OP_STEP:
        tgc_collect_step(cursor, &result);
        break;
    default:
        tgc_collect(cursor);
        check_destructed();
        break;
    }
    note_weak_fields_in_doubt();
    check_heap();
    check_ids();
    check_weak(what == OP_FULL);
    check_pins(what == OP_FULL);
    if (what == OP_FULL)
        check_pressure();
}

/* The object a path ends at is held only in a C local (on the shadow
 * stack) while a root is emptied and the collector runs; then it goes
 * into that root. */
static void collect_in_local(void)
{
    place at = follow_path();
    unsigned r = next_byte() % ROOTS;
    op what = OP_MINOR + (op)(next_byte() % 3);
    heap_roots[r] = NULL;
    model.root[r] = -1;
    model.local = at.number;
    TGC_SAVE(at.heap);
    collect(what);
    TGC_RESTORE(at.heap);
    model.local = -1;
    heap_roots[r] = at.heap;
    model.root[r] = at.number;
    check_heap();
}

/* The id of the object a path ends at, the same each time it is asked. */
static void take_id(void)
{
    place at = follow_path();
    if (at.number < 0)
        return;
    uintptr_t id = tgc_id(at.heap);
    if (model.id[at.number] != 0 && model.id[at.number] != id)
        fail("an object's id changed");
    model.id[at.number] = id;
}

/* After a collection: each reachable object whose id was taken has it
 * still; no two share one. */
static void check_ids(void)
{
    static bool reachable[MAX_OBJECTS];
    static void *heap_of[MAX_OBJECTS];
    model_reachable(reachable);
    memset(heap_of, 0, sizeof heap_of);
    for (size_t r = 0; r < ROOTS; r++)
        if (model.root[r] >= 0)
            heap_of[model.root[r]] = heap_roots[r];
    for (long p = 0; p < PREBUILT; p++)
        heap_of[p] = heap_prebuilt[p];
    for (long n = 0; n < model.count; n++) {
        if (!reachable[n] || model.id[n] == 0 || heap_of[n] == NULL)
            continue;
        if (tgc_id(heap_of[n]) != model.id[n])
            fail("a root's object has another id after a collection");
        for (long m = 0; m < n; m++)
            if (reachable[m] && model.id[m] == model.id[n])
                fail("two reachable objects have one id");
    }
}

/* A Node's weak field gets the Node a path ends at, or NULL. */
static void store_weak(void)
{
    place holder = follow_path();
    place target = next_byte() % 8 ? follow_path() : (place){ NULL, -1 };
    if (holder.number < 0 || model.objects[holder.number].kind != OBJECT_NODE)
        return;
    if (target.number >= 0 && model.objects[target.number].kind != OBJECT_NODE)
        return;
    Node_set_weak(holder.heap, target.heap);
    model.weak[holder.number] = target.number;
}

/* The heap object of each object the model reaches, found from the roots
 * (and the local, which the caller's frame holds: not looked at). */
static void *heap_object_of[MAX_OBJECTS];

static void find_heap_objects(long n, void *heap)
{
    if (n < 0 || heap == NULL || heap_object_of[n] != NULL)
        return;
    heap_object_of[n] = heap;
    const model_object *o = &model.objects[n];
    for (size_t s = 0; s < o->n_slots; s++)
        find_heap_objects(o->slots[s], heap_slot(heap, o->kind, s));
}

/* Each Node reachable from a root: its weak field is the model's target
 * or NULL, NULL only if the model cannot reach the target; after a full
 * collection (`full`), NULL exactly then. */
static void check_weak(bool full)
{
    static bool reachable[MAX_OBJECTS], kept[MAX_OBJECTS];
    model_reachable(reachable);
    model_kept(kept);
    memset(heap_object_of, 0, sizeof heap_object_of);
    for (size_t r = 0; r < ROOTS; r++)
        find_heap_objects(model.root[r], heap_roots[r]);
    for (long p = 0; p < PREBUILT; p++)
        find_heap_objects(p, heap_prebuilt[p]);
    for (long n = 0; n < model.count; n++) {
        if (heap_object_of[n] == NULL || model.objects[n].kind != OBJECT_NODE)
            continue;
        const Node *node = heap_object_of[n];
        long target = model.weak[n];
        bool dead = target >= 0 && !reachable[target];
        if (node->weak == NULL) {
            if (target >= 0 && !dead && !model.weak_may_be_cleared[n])
                fail("a weak field was cleared while its target is reachable");
            model.weak[n] = -1;
        } else if (node->weak->number != target) {
            fail("a weak field points to another object than the model says");
        } else if (full && dead && !kept[target]) {
            fail("a full collection left a weak field to an unreachable Node");
        }
    }
}

/* The Node a path ends at is registered with the queue, once per input.
 * Not a prebuilt one: it never dies, so never comes out, and stays
 * registered for the inputs that follow (a second registration stops the
 * program). */
static void register_node(void)
{
    place at = follow_path();
    if (at.number < PREBUILT || model.objects[at.number].kind != OBJECT_NODE ||
        model.ever_registered[at.number])
        return;
    tgc_finalizer_register(queue, at.heap);
    model.registered[at.number] = model.ever_registered[at.number] = true;
}

/* Hands out what the queue holds: each a registered Node the model does
 * not reach, that no registered Node reaches unless it reaches that one
 * too (a cycle comes out one Node at a time); some go into roots. */
static void drain(void)
{
    static bool reachable[MAX_OBJECTS], from_out[MAX_OBJECTS], from_other[MAX_OBJECTS];
    note_weak_fields_in_doubt();
    Node *node;
    while ((node = tgc_finalizer_next_dead(queue)) != NULL) {
        long n = node->number;
        if (n < 0 || n >= model.count || model.objects[n].kind != OBJECT_NODE ||
            !model.registered[n])
            fail("the queue handed out an object that is not a registered Node");
        model.registered[n] = false;
        model_reachable(reachable);
        if (reachable[n])
            fail("the queue handed out a Node the model reaches");
        model_reached_from(from_out, n);
        for (long m = 0; m < model.count; m++) {
            if (!model.registered[m] || from_out[m])
                continue;
            model_reached_from(from_other, m);
            if (from_other[n])
                fail("the queue handed out a Node that a registered Node reaches first");
        }
        unsigned b = next_byte();
        if (b % 2) {
            heap_roots[b / 2 % ROOTS] = node;
            model.root[b / 2 % ROOTS] = n;
        }
    }
}

/* Memory pressure on the object a path ends at. */
static void add_pressure(void)
{
    place at = follow_path();
    size_t bytes = 1 + next_byte() * 16;
    /* not on a prebuilt object: it never dies, so its pressure would
     * count on into the next input */
    if (at.number < PREBUILT)
        return;
    tgc_add_memory_pressure(at.heap, bytes);
    model.pressure[at.number] += bytes;
}

/* The byte string a path ends at: pinned if the model says it is not
 * (the collector may refuse: it is old, or PYPY_GC_MAX_PINNED are
 * pinned), unpinned if it is. */
static void pin_or_unpin(void)
{
    place at = follow_path();
    if (at.number < 0 || model.objects[at.number].kind != OBJECT_BYTES)
        return;
    if (model.pinned[at.number]) {
        tgc_unpin(at.heap);
        model.pinned[at.number] = false;
        return;
    }
    model.pinned[at.number] = tgc_pin(at.heap);
    model.pinned_at[at.number] = (uintptr_t)at.heap;
}

/* Each pinned byte string the model reaches is where it was pinned.  The
 * collector counts those, and those that registered Nodes keep alive, and
 * maybe some the model does not reach: an old object that pointed to a
 * pinned one at a minor collection keeps it alive until a major
 * collection finds that object dead (PyPy's
 * old_objects_pointing_to_pinned).  After a full collection (`full`) the
 * ones not kept are dead, and their pins with them. */
static void check_pins(bool full)
{
    static bool kept[MAX_OBJECTS];
    model_kept(kept);
    memset(heap_object_of, 0, sizeof heap_object_of);
    for (size_t r = 0; r < ROOTS; r++)
        find_heap_objects(model.root[r], heap_roots[r]);
    for (long p = 0; p < PREBUILT; p++)
        find_heap_objects(p, heap_prebuilt[p]);
    size_t reached = 0, pinned = 0;
    for (long n = 0; n < model.count; n++) {
        if (!model.pinned[n])
            continue;
        if (full && !kept[n]) {
            model.pinned[n] = false;
            continue;
        }
        pinned++;
        reached += kept[n];
        if (heap_object_of[n] != NULL && (uintptr_t)heap_object_of[n] != model.pinned_at[n])
            fail("a pinned byte string moved");
    }
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.pinned_objects < reached || stats.pinned_objects > pinned)
        fail("the collector's count of pinned objects is not the model's");
}

static void run_op(op what)
{
    switch (what) {
    case OP_NEW_ROOT:         new_root(); break;
    case OP_NEW_CHILD:        new_child(); break;
    case OP_STORE:            store(); break;
    case OP_ROOT_FROM_PATH:   root_from_path(); break;
    case OP_DROP_ROOT:        drop_root(); break;
    case OP_MINOR:
    case OP_STEP:
    case OP_FULL:             collect(what); break;
    case OP_COLLECT_IN_LOCAL: collect_in_local(); break;
    case OP_ID:               take_id(); break;
    case OP_WEAK:             store_weak(); break;
    case OP_REGISTER:         register_node(); break;
    case OP_DRAIN:            drain(); break;
    case OP_PRESSURE:         add_pressure(); break;
    case OP_PIN:              pin_or_unpin(); break;
    case N_OPS:               break;
    }
}

/* With no roots left, a full collection frees every object. */
static void check_heap_empty(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.total_arena_memory != 0 || stats.total_rawmalloced_memory != 0) {
        fprintf(stderr, "fuzz_runtime: %zu bytes in arenas and %zu rawmalloced "
                "survive a full collection without roots\n",
                stats.total_arena_memory, stats.total_rawmalloced_memory);
        abort();
    }
    if (tgc_shadowstack.top != tgc_shadowstack.base)
        fail("the shadow stack is not empty");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("PYPY_GC_NURSERY", "4KB", 0);
    setenv("PYPY_GC_NURSERY_DEBUG", "1", 0);
    setenv("PYPY_GC_DEBUG", "2", 0);
    setenv("PYPY_GC_INCREMENT_STEP", "1", 0);
    if (fuzz_heap_init() != 0)
        fail("tgc_init failed");
    for (size_t r = 0; r < ROOTS; r++)
        tgc_register_root(&heap_roots[r]);
    model_clear();
    tgc_set_hooks(&(tgc_hooks){ .on_gc_minor = check_after_gc_minor });
    queue = tgc_finalizer_queue_new(NULL, NULL);
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    pressure_base = stats.total_memory_pressure;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    program.next = data;
    program.end = data + size;
    program.large_left = LARGE_PER_INPUT;
    tgc_cursor_open(cursor);
    for (int ops = 0; ops < MAX_OPS && program.next < program.end; ops++)
        run_op((op)(next_byte() % N_OPS));
    /* The prebuilt objects go back as declared, which drops what they
     * held (a registered Node too); the registered Nodes come out, at
     * least one per full collection (a chain or a cycle one at a time),
     * and are dropped. */
    model_reset_prebuilt();
    program.next = program.end;         /* drain() reads no more */
    for (;;) {
        for (size_t r = 0; r < ROOTS; r++) {
            heap_roots[r] = NULL;
            model.root[r] = -1;
        }
        long before = 0, after = 0;
        for (long n = 0; n < model.count; n++)
            before += model.registered[n];
        tgc_collect(cursor);
        check_destructed();
        drain();
        for (long n = 0; n < model.count; n++)
            after += model.registered[n];
        if (after == 0)
            break;
        if (after == before)
            fail("a full collection queued none of the unreachable registered Nodes");
    }
    tgc_collect(cursor);
    check_destructed();
    check_pins(true);
    check_pressure();
    /* the prebuilt objects never die: their pressure stays, for the
     * inputs that follow too */
    for (long p = 0; p < PREBUILT; p++)
        pressure_base += (long long)model.pressure[p];
    model_clear();
    check_heap_empty();
    tgc_cursor_close(cursor);
    return 0;
}
