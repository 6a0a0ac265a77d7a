/* driver.c -- random programs over a random schema, checked against a
 * model.  Compiled once per schema, with -DSHIM_HEADER='"rs_SEED_shim.h"'
 * (gen_schema.py writes it with the schema) and the build's root and the
 * replay script as RS_BUILD_ROOT and RS_REPLAY_SCRIPT.
 *
 *   driver FIRST_SEED COUNT      runs programs FIRST_SEED .. FIRST_SEED+COUNT-1
 *
 * Each program allocates objects of the schema's types (arrays of every
 * length, now and then a large one that skips the nursery), keeps some
 * in registered roots and some in locals across allocations, links their
 * ref fields and items (those of fixed-size array fields one by one, and
 * `any` ones to objects of every type), overwrites their scalars, drops
 * roots, and collects at random points.  A plain model holds the same
 * graph by object number.  After every collection, the ones allocations run
 * included, the heap is walked from the roots in step with the model:
 * type ids, isinstance, array lengths, every scalar and every ref must
 * agree, and each model object must be at one heap address, a different
 * one from every other object's.  The first difference stops the driver
 * with what differs and the command that replays that program alone; a
 * crash or a fatal error of the runtime prints that command too.
 *
 * Objects of the types with a destructor carry their id (the program's
 * serial and the object's number) in their id slot (shim.h); each
 * T_destruct() call finds its model object by it, and must be the one
 * destructor of that object, of the right type, for an object the model
 * no longer reaches.  After every full collection each such object the
 * model does not reach has been destructed, and at the end of a program,
 * with everything dropped, each of its objects.
 *
 * Weak slots are stored into as refs are, young and old targets alike,
 * and the heap walk checks them against the model (compare_weak): never
 * cleared while the model reaches the target through strong refs, NULL
 * once it is destructed or after a tgc_collect() that finds it
 * unreachable, and NULL from then on; a target still held is compared as
 * a live object, and the program may read it back and link it strongly
 * again. */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include SHIM_HEADER

enum {
    ROOTS = 64,
    OPS = 1000,                     /* operations per program */
    MAX_OBJECTS = SHIM_PREBUILT_COUNT + OPS, /* the prebuilt objects, then one
                                               allocation an operation at most */
    LARGE_PER_PROGRAM = 2,          /* arrays of TGC_LARGE_OBJECT bytes or more */
    ARRAY_ITEMS_OFFSET = 16,        /* schemas/README.md: items start there */
};
#define NO_OBJECT SIZE_MAX

/* The schema's prebuilt objects: the model's objects 0 .. prebuilt_count - 1
 * (not a constant expression, so that loops over none compile cleanly). */
static const size_t prebuilt_count = SHIM_PREBUILT_COUNT;

/* An object in the heap and its number in the model; NULL and NO_OBJECT
 * together. */
typedef struct handle {
    void *obj;
    size_t number;
} handle;

static void *roots[ROOTS];          /* registered with the collector */

typedef struct model_object {
    int type;                       /* index in shim_types */
    size_t slot_count;              /* its fields, or its items */
    uint64_t *slots;                /* scalars: the value last written, 0 at first;
                                       refs: the target's number, or NO_OBJECT;
                                       the id slot: the object's id */
    unsigned destructed;            /* T_destruct() calls for it */
} model_object;

static struct {
    size_t root[ROOTS];
    size_t kept[2];                 /* held in locals across an allocation */
    model_object objects[MAX_OBJECTS];
    size_t count;
    uint64_t writes;                /* scalar writes so far: no value repeats */
    int large_left;
    uint64_t serial;                /* programs run by this process, this one included */
    bool reachable[MAX_OBJECTS];    /* from the roots and kept, when valid */
    bool reachable_valid;           /* false once the graph changes */
    size_t to_visit[MAX_OBJECTS];   /* reachable_objects()' stack */
    uint64_t destructions;          /* T_destruct() calls in this program */
    uint64_t destructors_run_before;    /* tgc_stats.destructors_run at its start */
    char wrong_destruction[256];    /* the first wrong T_destruct() call, if any */
} model;

/* An object's id, in its id slot: the program's serial in the high half,
 * so that a destructor run for an object of an earlier program is told
 * from one of this program. */
#define ID_NUMBER_BITS 32

/* Where the program is, for the messages. */
static struct {
    uint64_t seed;
    int op;
    const char *event;              /* what collected last */
    bool full;                      /* it was a tgc_collect(): weak slots to
                                       what the model no longer reaches are NULL */
    char step[80];                  /* the event of a major step */
} now;

/* Weak slots the heap walks found cleared, over all programs: the
 * closing line says how much the programs exercised them. */
static uint64_t weak_slots_seen_cleared;

/* Minor collections counted by the hook: a change means an allocation
 * collected, and the heap is compared again. */
static uint64_t minor_collections, compared_after;

static void count_minor_collections(const tgc_minor_stats *stats, void *arg)
{
    (void)arg;
    minor_collections += stats->count;
}

/* ---- Random numbers (splitmix64) -------------------------------------- */

static uint64_t rng_state;

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t next_random(void)
{
    rng_state += 0x9e3779b97f4a7c15u;
    return mix(rng_state);
}

static size_t random_below(size_t n)
{
    return (size_t)(next_random() % n);
}

/* ---- The schema ------------------------------------------------------- */

static const char *const kind_names[] = {
    [TGC_KIND_I8] = "i8", [TGC_KIND_I16] = "i16", [TGC_KIND_I32] = "i32",
    [TGC_KIND_I64] = "i64", [TGC_KIND_U8] = "u8", [TGC_KIND_U16] = "u16",
    [TGC_KIND_U32] = "u32", [TGC_KIND_U64] = "u64", [TGC_KIND_F64] = "f64",
    [TGC_KIND_BOOL] = "bool", [TGC_KIND_REF] = "ref", [TGC_KIND_WEAK] = "weak",
};

/* A slot that holds an object or NULL, set through a generated setter: a
 * ref (`any` included), traced, or a weak one, which keeps nothing alive. */
static bool is_pointer_kind(tgc_kind kind)
{
    return kind == TGC_KIND_REF || kind == TGC_KIND_WEAK;
}

static const shim_slot *slot_of(int type, size_t slot)
{
    const shim_type *t = &shim_types[type];
    return t->is_array ? &t->item : &t->slots[slot];
}

/* A `type` is an `of` (isinstance). */
static bool is_subtype(int type, int of)
{
    for (; type >= 0; type = shim_types[type].base)
        if (type == of)
            return true;
    return false;
}

/* The ref slot may hold an object of this type: any type if it is `any`,
 * else its declared type or a subclass. */
static bool can_hold(const shim_slot *s, int type)
{
    return s->any || is_subtype(type, s->to);
}

/* The slot that holds the object's id, which only allocate() writes. */
static bool is_id_slot(int type, size_t slot)
{
    return shim_types[type].id_slot >= 0 && slot == (size_t)shim_types[type].id_slot;
}

static int random_type_for(const shim_slot *s)
{
    int candidates[SHIM_TYPE_COUNT], count = 0;
    for (int type = 0; type < SHIM_TYPE_COUNT; type++)
        if (can_hold(s, type))
            candidates[count++] = type;
    return candidates[random_below((size_t)count)];
}

static const char *table_name_of(uint32_t type_id)
{
    if (type_id == 0 || type_id >= SHIM_TABLE.n_types)
        return "no such type";
    return SHIM_TABLE.types[type_id].name;
}

static void table_mismatch(const char *type, const char *what) __attribute__((noreturn));

static void table_mismatch(const char *type, const char *what)
{
    fprintf(stderr, "rs_%d: type %s: %s differs between the type table and the schema\n",
            SHIM_SCHEMA_SEED, type, what);
    exit(1);
}

static bool has_ptr_offset(const tgc_type_info *info, size_t offset)
{
    for (uint32_t i = 0; i < info->n_ptr_offsets; i++)
        if (info->ptr_offsets[i] == offset)
            return true;
    return false;
}

static bool has_weak_offset(const tgc_type_info *info, size_t offset)
{
    for (uint32_t i = 0; i < info->n_weak_offsets; i++)
        if (info->weak_offsets[i] == offset)
            return true;
    return false;
}

/* The type table the translator emitted says what the schema says, and
 * lays the structs out as the C compiler does: each slot at its field's
 * offset plus `index` items, and every ref slot, `any` ones and each
 * item of a fixed-size array included, one of the GC pointer offsets the
 * collector traces. */
static void check_table_against_schema(void)
{
    for (int i = 0; i < SHIM_TYPE_COUNT; i++) {
        const shim_type *t = &shim_types[i];
        const tgc_type_info *info = &SHIM_TABLE.types[t->type_id];
        if (strcmp(info->name, t->name) != 0)
            table_mismatch(t->name, "the name");
        if (info->base_id != (t->base < 0 ? 0 : shim_types[t->base].type_id))
            table_mismatch(t->name, "the base");
        if ((info->destructor != NULL) != (t->destructor >= 0) ||
            t->destructor_flag != (t->destructor >= 0))
            table_mismatch(t->name, "whether a destructor runs");
        if (t->is_array) {
            if (info->item_kind != t->item.kind)
                table_mismatch(t->name, "the item kind");
            continue;
        }
        if (info->n_fields != t->field_count)
            table_mismatch(t->name, "the number of fields");
        size_t ref_slots = 0, weak_slots = 0;
        for (size_t k = 0; k < t->slot_count; k++) {
            const shim_slot *slot = &t->slots[k];
            const tgc_field_info *field = &info->fields[slot->field];
            size_t items = slot->length > 0 ? slot->length : 1;
            if (strcmp(field->name, slot->name) != 0 || field->kind != slot->kind ||
                field->size != items * slot_size(slot->kind) ||
                field->offset + slot->index * slot_size(slot->kind) != slot->offset)
                table_mismatch(t->name, slot->name);
            if (!is_pointer_kind(slot->kind))
                continue;
            if (field->ref_type_id != (slot->any ? 0 : shim_types[slot->to].type_id))
                table_mismatch(t->name, slot->name);
            /* a weak slot is not traced: listed apart, never among the
             * GC pointer offsets */
            bool weak = slot->kind == TGC_KIND_WEAK;
            ref_slots += !weak;
            weak_slots += weak;
            if (has_ptr_offset(info, slot->offset) == weak)
                table_mismatch(t->name, "the list of GC pointer offsets");
            if (has_weak_offset(info, slot->offset) != weak)
                table_mismatch(t->name, "the list of weak pointer offsets");
        }
        if (info->n_ptr_offsets != ref_slots)
            table_mismatch(t->name, "the number of GC pointer offsets");
        if (info->n_weak_offsets != weak_slots ||
            ((info->infobits & TGC_T_HAS_WEAKPTR) != 0) != (weak_slots > 0))
            table_mismatch(t->name, "the number of weak pointer offsets");
    }
}

/* ---- Failing ---------------------------------------------------------- */

/* The command that replays the current program alone, with the
 * environment this run has. */
static char replay_command[1024];
static size_t replay_length;

static void append_to_replay_command(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

static void append_to_replay_command(const char *format, ...)
{
    size_t room = sizeof replay_command - replay_length;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(replay_command + replay_length, room, format, args);
    va_end(args);
    if (n > 0)
        replay_length += (size_t)n < room ? (size_t)n : room - 1;
}

static void set_replay_command(void)
{
    static const char *const variables[] = {
        "PYPY_GC_NURSERY", "PYPY_GC_NURSERY_DEBUG", "PYPY_GC_DEBUG", "PYPY_GC_INCREMENT_STEP",
        "TYPEGC_TORTURE",
    };
    replay_length = 0;
    append_to_replay_command("replay it alone with:\n    TYPEGC_BUILD=%s", RS_BUILD_ROOT);
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++) {
        const char *value = getenv(variables[i]);
        if (value != NULL)
            append_to_replay_command(" %s=%s", variables[i], value);
    }
    append_to_replay_command(" %s %d %" PRIu64 "\n", RS_REPLAY_SCRIPT, SHIM_SCHEMA_SEED,
                             now.seed);
}

/* Async-signal-safe: also called as the program dies. */
static void print_replay_command(void)
{
    ssize_t written = write(STDERR_FILENO, replay_command, replay_length);
    (void)written;
}

/* The sanitizers' runtime, when linked in, calls back as it kills the
 * program; without it a crash is caught as a signal. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void on_deadly_signal(int signal_number)
{
    print_replay_command();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

/* A fatal error of the runtime (it aborts), a sanitizer's report or a
 * crash names the program to replay too. */
static void name_the_program_on_crashes(void)
{
    signal(SIGABRT, on_deadly_signal);
    if (__sanitizer_set_death_callback != NULL) {
        __sanitizer_set_death_callback(print_replay_command);
    } else {
        signal(SIGSEGV, on_deadly_signal);
        signal(SIGBUS, on_deadly_signal);
    }
}

static void mismatch(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void mismatch(const char *format, ...)
{
    fprintf(stderr, "rs_%d, program seed %" PRIu64 ", operation %d, after %s:\n    ",
            SHIM_SCHEMA_SEED, now.seed, now.op, now.event);
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    print_replay_command();
    exit(1);
}

/* "root 3", "object 12 (S4), field 2 f1_0 (i16)", "object 12 (S4), field 3
 * f1_1[2] (any)", "object 7 (A1), item 40 (ref)": for one message at a
 * time. */
static const char *describe_slot(size_t number, size_t slot)
{
    static char text[160];
    if (number == NO_OBJECT) {
        snprintf(text, sizeof text, "root %zu", slot);
        return text;
    }
    int type = model.objects[number].type;
    const shim_slot *s = slot_of(type, slot);
    const char *kind = s->any ? "any" : kind_names[s->kind];
    char item[24] = "";
    if (shim_types[type].is_array) {
        snprintf(text, sizeof text, "object %zu (%s), item %zu (%s)", number,
                 shim_types[type].name, slot, kind);
    } else {
        if (s->length > 0)
            snprintf(item, sizeof item, "[%zu]", s->index);
        snprintf(text, sizeof text, "object %zu (%s), field %zu %s%s (%s)", number,
                 shim_types[type].name, s->field, s->name, item, kind);
    }
    return text;
}

/* ---- Destructors ------------------------------------------------------ */

/* The graph changed (a root, a link, a kept local, a new object): the set
 * of what the model reaches is worked out again when next needed. */
static void graph_changed(void)
{
    model.reachable_valid = false;
}

static void reach(size_t number, size_t *pending)
{
    if (number != NO_OBJECT && !model.reachable[number]) {
        model.reachable[number] = true;
        model.to_visit[(*pending)++] = number;
    }
}

/* What the model reaches from the roots and the kept locals, through
 * strong refs only (a weak slot keeps nothing alive).  A
 * destructor may run in any allocation, so this is what must hold then;
 * the graph does not change during a collection, so the set is worked out
 * once for all the destructors that one runs. */
static const bool *reachable_objects(void)
{
    if (model.reachable_valid)
        return model.reachable;
    memset(model.reachable, 0, model.count * sizeof model.reachable[0]);
    size_t pending = 0;
    for (size_t r = 0; r < ROOTS; r++)
        reach(model.root[r], &pending);
    for (size_t p = 0; p < prebuilt_count; p++)
        reach(p, &pending);     /* never die, so what they hold lives */
    for (size_t k = 0; k < 2; k++)
        reach(model.kept[k], &pending);
    while (pending > 0) {
        const model_object *m = &model.objects[model.to_visit[--pending]];
        const shim_type *t = &shim_types[m->type];
        if (t->is_array && t->item.kind != TGC_KIND_REF)
            continue;
        for (size_t slot = 0; slot < m->slot_count; slot++)
            if (slot_of(m->type, slot)->kind == TGC_KIND_REF)   /* not weak ones */
                reach(m->slots[slot], &pending);
    }
    model.reachable_valid = true;
    return model.reachable;
}

static void wrong_destruction(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Keeps the first wrong call for after the collection: a destructor runs
 * inside one, where the driver should not stop the program. */
static void wrong_destruction(const char *format, ...)
{
    if (model.wrong_destruction[0] != '\0')
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(model.wrong_destruction, sizeof model.wrong_destruction, format, args);
    va_end(args);
}

/* Every T_destruct() of the schema: `obj` is found dead, as a `type`.  It
 * reads the object's id slot and its header's type id, which a destructor
 * may (nothing else of the object, and nothing of the model's graph but
 * the reachable set). */
void shim_destruct(void *obj, int type)
{
    const shim_type *as = &shim_types[type];
    model.destructions++;
    uint64_t id = as->read(obj, (size_t)as->id_slot);
    uint32_t type_id = ((const tgc_header *)obj)->tid;
    size_t number = (size_t)(id & ((UINT64_C(1) << ID_NUMBER_BITS) - 1));
    if (id >> ID_NUMBER_BITS != model.serial || number >= model.count) {
        wrong_destruction("%s_destruct(%p), type id %" PRIu32 " (%s): id 0x%" PRIx64 " is no "
                          "object of this program (serial %" PRIu64 ", %zu objects)", as->name,
                          obj, type_id, table_name_of(type_id), id, model.serial, model.count);
        return;
    }
    model_object *m = &model.objects[number];
    const shim_type *t = &shim_types[m->type];
    unsigned times = ++m->destructed;
    if (type_id != t->type_id)
        wrong_destruction("object %zu (%s): %s_destruct(%p) for type id %" PRIu32 " (%s)",
                          number, t->name, as->name, obj, type_id, table_name_of(type_id));
    else if (t->destructor != type)
        wrong_destruction("object %zu (%s): %s_destruct() ran, the model expects %s%s", number,
                          t->name, as->name, t->destructor < 0 ? "none" :
                          shim_types[t->destructor].name, t->destructor < 0 ? "" : "_destruct()");
    else if (reachable_objects()[number])
        wrong_destruction("object %zu (%s): %s_destruct() ran while the model reaches it",
                          number, t->name, as->name);
    else if (times > 1)
        wrong_destruction("object %zu (%s): %s_destruct() ran %u times", number, t->name,
                          as->name, times);
}

static void check_destructions(void)
{
    if (model.wrong_destruction[0] != '\0')
        mismatch("%s", model.wrong_destruction);
}

/* After tgc_collect(): each object with a destructor has been destructed
 * once if the model no longer reaches it, else not at all. */
static void check_destructions_after_full_collection(void)
{
    check_destructions();
    const bool *reachable = reachable_objects();
    for (size_t n = 0; n < model.count; n++) {
        const model_object *m = &model.objects[n];
        const shim_type *t = &shim_types[m->type];
        if (t->destructor < 0 || m->destructed == (reachable[n] ? 0u : 1u))
            continue;
        mismatch("object %zu (%s): %s_destruct() ran %u times, and the model %s it", n,
                 t->name, shim_types[t->destructor].name, m->destructed,
                 reachable[n] ? "reaches" : "no longer reaches");
    }
}

/* ---- Comparing the heap with the model -------------------------------- */

typedef struct visit {
    const void *address;
    size_t number;
} visit;

static struct {
    const void *address[MAX_OBJECTS];   /* where each object was found; NULL: not yet */
    visit visits[MAX_OBJECTS];
    size_t visit_count;
} walk;

static void compare_object(const void *obj, size_t number);

/* The ref in slot `slot` of object `from` (NO_OBJECT: root `slot`). */
static void compare_ref(const void *found, size_t expected, size_t from, size_t slot)
{
    if (found == NULL && expected == NO_OBJECT)
        return;
    if (found == NULL)
        mismatch("%s: NULL in the heap, object %zu in the model", describe_slot(from, slot),
                 expected);
    if (expected == NO_OBJECT)
        mismatch("%s: %p (a %s) in the heap, NULL in the model", describe_slot(from, slot),
                 found, table_name_of(((const tgc_header *)found)->tid));
    /* Checked here, where the slot is known, before compare_object()
     * checks it again: for an `any` slot, the object's type id is all the
     * heap says of which type it holds. */
    uint32_t type_id = ((const tgc_header *)found)->tid;
    const shim_type *t = &shim_types[model.objects[expected].type];
    if (type_id != t->type_id)
        mismatch("%s: %p, type id %" PRIu32 " (%s), in the heap, object %zu (%s) in the model",
                 describe_slot(from, slot), found, type_id, table_name_of(type_id), expected,
                 t->name);
    compare_object(found, expected);
}

/* Weak slot `slot` of object `from`.  The model holds what the program
 * stored last, which the collector may have cleared since: never while
 * the model reaches the target through strong refs (from the roots, the
 * prebuilt objects or the kept locals), always once it is destructed, and
 * by a tgc_collect() once the model no longer reaches it.  A cleared slot
 * is NULL in the model from then on, so it must stay NULL until the
 * program stores into it again.  A target still held is the model's
 * object, compared as one a ref holds: alive, with all it reaches (the
 * program may read it and link it strongly again). */
static void compare_weak(const void *found, size_t from, size_t slot)
{
    uint64_t *expected = &model.objects[from].slots[slot];
    if (*expected == NO_OBJECT) {
        if (found != NULL)
            mismatch("%s: %p (a %s) in the heap, NULL in the model (never set, or cleared "
                     "before)", describe_slot(from, slot), found,
                     table_name_of(((const tgc_header *)found)->tid));
        return;
    }
    size_t target = *expected;
    const model_object *m = &model.objects[target];
    const shim_type *t = &shim_types[m->type];
    bool reachable = reachable_objects()[target];
    if (found == NULL) {
        if (reachable)
            mismatch("%s: NULL in the heap, object %zu (%s) in the model, which reaches it "
                     "through strong refs", describe_slot(from, slot), target, t->name);
        if (t->destructor >= 0 && m->destructed != 1)
            mismatch("%s: cleared, its target object %zu (%s) destructed %u times",
                     describe_slot(from, slot), target, t->name, m->destructed);
        *expected = NO_OBJECT;
        weak_slots_seen_cleared++;
        return;
    }
    if (m->destructed > 0)
        mismatch("%s: still holds object %zu (%s), destructed %u times",
                 describe_slot(from, slot), target, t->name, m->destructed);
    if (now.full && !reachable)
        mismatch("%s: still holds object %zu (%s) after a full collection, and the model no "
                 "longer reaches it", describe_slot(from, slot), target, t->name);
    compare_ref(found, target, from, slot);
}

static void compare_object(const void *obj, size_t number)
{
    if (walk.address[number] != NULL) {
        if (walk.address[number] != obj)
            mismatch("object %zu is shared in the model, at %p and at %p in the heap", number,
                     walk.address[number], obj);
        return;
    }
    walk.address[number] = obj;
    walk.visits[walk.visit_count++] = (visit){ obj, number };
    const model_object *m = &model.objects[number];
    const shim_type *t = &shim_types[m->type];
    uint32_t type_id = ((const tgc_header *)obj)->tid;
    if (type_id != t->type_id)
        mismatch("object %zu at %p: a %s in the model, type id %" PRIu32 " (%s) in the heap",
                 number, obj, t->name, type_id, table_name_of(type_id));
    for (int other = 0; other < SHIM_TYPE_COUNT; other++)
        if (shim_types[other].isinstance(obj) != is_subtype(m->type, other))
            mismatch("object %zu (%s): %s_isinstance() says %s", number, t->name,
                     shim_types[other].name, is_subtype(m->type, other) ? "false" : "true");
    if (t->is_array && t->length(obj) != m->slot_count)
        mismatch("object %zu (%s): length %zu in the heap, %zu in the model", number, t->name,
                 t->length(obj), m->slot_count);
    for (size_t slot = 0; slot < m->slot_count; slot++) {
        tgc_kind kind = slot_of(m->type, slot)->kind;
        if (kind == TGC_KIND_REF) {
            compare_ref(t->target(obj, slot), m->slots[slot], number, slot);
            continue;
        }
        if (kind == TGC_KIND_WEAK) {
            compare_weak(t->target(obj, slot), number, slot);
            continue;
        }
        uint64_t found = t->read(obj, slot);
        uint64_t expected = slot_read_back(kind, m->slots[slot]);
        if (found != expected)
            mismatch("%s: 0x%" PRIx64 " in the heap, 0x%" PRIx64 " in the model",
                     describe_slot(number, slot), found, expected);
    }
}

static int by_address(const void *a, const void *b)
{
    const char *x = ((const visit *)a)->address, *y = ((const visit *)b)->address;
    return x < y ? -1 : x > y;
}

static void compare_heap_with_model(void)
{
    check_destructions();
    walk.visit_count = 0;
    for (size_t r = 0; r < ROOTS; r++)
        compare_ref(roots[r], model.root[r], NO_OBJECT, r);
    /* the prebuilt objects, at the addresses of their definitions */
    for (size_t p = 0; p < prebuilt_count; p++)
        compare_object(shim_prebuilt_objects[p].object, p);
    qsort(walk.visits, walk.visit_count, sizeof walk.visits[0], by_address);
    for (size_t i = 1; i < walk.visit_count; i++)
        if (walk.visits[i].address == walk.visits[i - 1].address)
            mismatch("objects %zu and %zu are distinct in the model, both at %p in the heap",
                     walk.visits[i - 1].number, walk.visits[i].number, walk.visits[i].address);
    for (size_t i = 0; i < walk.visit_count; i++)
        walk.address[walk.visits[i].number] = NULL;
    compared_after = minor_collections;
}

/* ---- The program's operations ----------------------------------------- */

static int type_of(handle h)
{
    return model.objects[h.number].type;
}

static void set_root(size_t r, handle h)
{
    roots[r] = h.obj;
    model.root[r] = h.number;
    graph_changed();
}

/* A random ref (or scalar) slot of h, if it has one; never the id slot,
 * which keeps the id allocate() wrote. */
static bool random_slot(handle h, bool ref, size_t *slot)
{
    const model_object *m = &model.objects[h.number];
    for (int tries = 0; tries < 8 && m->slot_count > 0; tries++) {
        *slot = random_below(m->slot_count);
        if ((is_pointer_kind(slot_of(m->type, *slot)->kind)) == ref &&
            !is_id_slot(m->type, *slot))
            return true;
    }
    return false;
}

/* An object reached from a random root, or one time in four from a
 * prebuilt object if the schema has any, in up to 3 steps; or none. */
static handle somewhere(void)
{
    size_t r = random_below(ROOTS);
    handle h = { roots[r], model.root[r] };
    if (prebuilt_count > 0 && random_below(4) == 0) {
        size_t p = random_below(prebuilt_count);
        h = (handle){ shim_prebuilt_objects[p].object, p };
    }
    for (size_t steps = random_below(4); steps > 0 && h.obj != NULL; steps--) {
        size_t slot;
        if (!random_slot(h, true, &slot))
            break;
        size_t next = model.objects[h.number].slots[slot];
        void *next_obj = shim_types[type_of(h)].target(h.obj, slot);
        if (next == NO_OBJECT || next_obj == NULL)
            break;
        h = (handle){ next_obj, next };
    }
    return h;
}

/* An object the ref slot may hold, or none. */
static handle somewhere_for(const shim_slot *s)
{
    for (int tries = 0; tries < 8; tries++) {
        handle h = somewhere();
        if (h.obj != NULL && can_hold(s, type_of(h)))
            return h;
    }
    return (handle){ NULL, NO_OBJECT };
}

/* Mostly short, sometimes empty, now and then large: just below the size
 * that skips the nursery, at it, or above it. */
static size_t random_length(tgc_kind kind)
{
    size_t first_large = (TGC_NONLARGE_MAX - ARRAY_ITEMS_OFFSET) / slot_size(kind) + 1;
    size_t roll = random_below(1000);
    if (roll < 6 && model.large_left > 0) {
        model.large_left--;
        return roll < 2 ? first_large - 1 : roll < 4 ? first_large : first_large + random_below(20000);
    }
    if (roll < 200)
        return 0;
    if (roll < 750)
        return 1 + random_below(8);
    return 9 + random_below(300);
}

static void write_scalar(handle h, size_t slot)
{
    uint64_t value = mix(((uint64_t)h.number << 40) ^ ((uint64_t)slot << 20) ^ ++model.writes);
    shim_types[type_of(h)].write(h.obj, slot, value);
    model.objects[h.number].slots[slot] = value;
}

/* Through the generated setter, and read back at once: a setter that
 * stores into the wrong item of a fixed-size array is caught here. */
static void set_ref(handle from, size_t slot, handle to)
{
    const shim_type *t = &shim_types[type_of(from)];
    t->link(from.obj, slot, to.obj);
    model.objects[from.number].slots[slot] = to.number;
    graph_changed();
    void *stored = t->target(from.obj, slot);
    if (stored != to.obj) {
        now.event = "a store through the generated setter";
        mismatch("%s: set to %p, reads back %p", describe_slot(from.number, slot), to.obj,
                 stored);
    }
}

/* A new object of the type and its twin in the model, with its id (if
 * its type has a destructor) and some of its other scalars written;
 * *keep_a and *keep_b stay valid. */
static handle allocate(tgc_cursor c, int type, void **keep_a, void **keep_b)
{
    const shim_type *t = &shim_types[type];
    size_t length = t->is_array ? random_length(t->item.kind) : 0;
    void *obj = t->allocate(c, length, keep_a, keep_b);
    handle h = { obj, model.count++ };
    model_object *m = &model.objects[h.number];
    m->type = type;
    m->slot_count = t->is_array ? length : t->slot_count;
    m->slots = NULL;
    m->destructed = 0;
    graph_changed();
    if (m->slot_count > 0) {
        m->slots = malloc(m->slot_count * sizeof m->slots[0]);
        if (m->slots == NULL) {
            fprintf(stderr, "driver: out of memory\n");
            exit(2);
        }
    }
    for (size_t slot = 0; slot < m->slot_count; slot++)
        m->slots[slot] = is_pointer_kind(slot_of(type, slot)->kind) ? NO_OBJECT : 0;
    /* Before any allocation can collect, and run its destructor: until
     * then its id slot holds 0. */
    if (t->id_slot >= 0) {
        uint64_t id = model.serial << ID_NUMBER_BITS | h.number;
        t->write(obj, (size_t)t->id_slot, id);
        m->slots[t->id_slot] = id;
    }
    size_t writes = t->is_array ? random_below(5) : m->slot_count;
    for (size_t i = 0; i < writes && m->slot_count > 0; i++) {
        size_t slot = t->is_array ? random_below(m->slot_count) : i;
        if (!is_pointer_kind(slot_of(type, slot)->kind) && !is_id_slot(type, slot) &&
            random_below(4) != 0)
            write_scalar(h, slot);
    }
    return h;
}

static void op_allocate_into_root(tgc_cursor c)
{
    void *nothing_a = NULL, *nothing_b = NULL;
    handle h = allocate(c, (int)random_below(SHIM_TYPE_COUNT), &nothing_a, &nothing_b);
    set_root(random_below(ROOTS), h);
}

/* Allocates while holding two objects in locals, links the new object
 * into the first and the second into the new one where the types allow. */
static void op_allocate_linked(tgc_cursor c)
{
    handle parent = somewhere(), other = somewhere();
    size_t slot = 0;
    bool into_parent = parent.obj != NULL && random_slot(parent, true, &slot);
    int type = into_parent ? random_type_for(slot_of(type_of(parent), slot))
                           : (int)random_below(SHIM_TYPE_COUNT);
    /* Reached from the roots too, today; but what the program holds in
     * locals is live whatever the roots say. */
    model.kept[0] = parent.number;
    model.kept[1] = other.number;
    graph_changed();
    handle fresh = allocate(c, type, &parent.obj, &other.obj);
    if (into_parent)
        set_ref(parent, slot, fresh);
    size_t back;
    if (other.obj != NULL && random_slot(fresh, true, &back) &&
        can_hold(slot_of(type, back), type_of(other)))
        set_ref(fresh, back, other);
    if (random_below(2) == 0)
        set_root(random_below(ROOTS), fresh);
    model.kept[0] = model.kept[1] = NO_OBJECT;
    graph_changed();
}

/* Sets a ref field, or several items of an array (of the cards of a large
 * one), to compatible objects or NULL. */
static void op_link(void)
{
    handle from = somewhere();
    size_t slot;
    if (from.obj == NULL || !random_slot(from, true, &slot))
        return;
    size_t links = shim_types[type_of(from)].is_array ? 1 + random_below(8) : 1;
    for (size_t i = 0; i < links; i++) {
        if (i > 0)
            slot = random_below(model.objects[from.number].slot_count);
        handle to = { NULL, NO_OBJECT };
        if (random_below(8) != 0)
            to = somewhere_for(slot_of(type_of(from), slot));
        set_ref(from, slot, to);
    }
}

static void op_write_scalar(void)
{
    handle h = somewhere();
    size_t slot;
    if (h.obj != NULL && random_slot(h, false, &slot))
        write_scalar(h, slot);
}

static void op_drop_root(void)
{
    set_root(random_below(ROOTS), (handle){ NULL, NO_OBJECT });
}

static void op_collect(tgc_cursor c)
{
    size_t kind = random_below(20);
    if (kind == 0) {
        now.event = "tgc_collect";
        tgc_collect(c);
        now.full = true;
        check_destructions_after_full_collection();
    } else if (kind < 8) {
        now.event = "tgc_collect_minor";
        tgc_collect_minor(c);
    } else {
        tgc_step_result result;
        tgc_collect_step(c, &result);
        snprintf(now.step, sizeof now.step, "tgc_collect_step (%s -> %s)",
                 tgc_phase_name(result.old_phase), tgc_phase_name(result.new_phase));
        now.event = now.step;
    }
    compare_heap_with_model();
    now.full = false;
}

/* ---- Programs ---------------------------------------------------------- */

/* The prebuilt objects as the schema declares them, in the model: each
 * program starts with them so (end_program() puts them back). */
static void model_prebuilt_objects(void)
{
    for (size_t p = 0; p < prebuilt_count; p++) {
        const shim_prebuilt *pb = &shim_prebuilt_objects[p];
        const shim_type *t = &shim_types[pb->type];
        model_object *m = &model.objects[p];
        m->type = pb->type;
        m->slot_count = t->is_array ? pb->length : t->slot_count;
        m->destructed = 0;
        m->slots = m->slot_count > 0 ? malloc(m->slot_count * sizeof m->slots[0]) : NULL;
        if (m->slot_count > 0 && m->slots == NULL) {
            fprintf(stderr, "driver: out of memory\n");
            exit(2);
        }
        for (size_t slot = 0; slot < m->slot_count; slot++) {
            bool ref = is_pointer_kind(slot_of(pb->type, slot)->kind);
            m->slots[slot] = !ref ? 0
                             : pb->initial != NULL && pb->initial[slot] >= 0
                                   ? (size_t)pb->initial[slot] : NO_OBJECT;
        }
    }
}

/* Puts the prebuilt objects back as the schema declares them, through
 * the setters, so that the next program starts as when replayed alone and
 * what this program stored into them is garbage at its end. */
static void reset_prebuilt_objects(void)
{
    for (size_t p = 0; p < prebuilt_count; p++) {
        const shim_prebuilt *pb = &shim_prebuilt_objects[p];
        handle h = { pb->object, p };
        for (size_t slot = 0; slot < model.objects[p].slot_count; slot++) {
            if (!is_pointer_kind(slot_of(pb->type, slot)->kind)) {
                if (!is_id_slot(pb->type, slot)) {
                    shim_types[pb->type].write(pb->object, slot, 0);
                    model.objects[p].slots[slot] = 0;
                }
                continue;
            }
            size_t initial = pb->initial != NULL && pb->initial[slot] >= 0
                                 ? (size_t)pb->initial[slot] : NO_OBJECT;
            set_ref(h, slot, (handle){ initial == NO_OBJECT ? NULL
                                       : shim_prebuilt_objects[initial].object, initial });
        }
    }
}

static void start_program(uint64_t seed)
{
    rng_state = mix(seed ^ ((uint64_t)SHIM_SCHEMA_SEED << 32));
    now.seed = seed;
    set_replay_command();
    model.count = prebuilt_count;
    model_prebuilt_objects();
    model.writes = 0;
    model.large_left = LARGE_PER_PROGRAM;
    model.serial++;
    for (size_t r = 0; r < ROOTS; r++)
        model.root[r] = NO_OBJECT;
    model.kept[0] = model.kept[1] = NO_OBJECT;
    graph_changed();
    model.destructions = 0;
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    model.destructors_run_before = stats.destructors_run;
}

/* Drops everything and collects it, so that each program starts from an
 * empty heap, as it does when replayed alone: every object of this
 * program with a destructor has been destructed once now, and no other
 * destructor ran than those the driver saw. */
static void end_program(tgc_cursor c)
{
    reset_prebuilt_objects();
    for (size_t r = 0; r < ROOTS; r++)
        set_root(r, (handle){ NULL, NO_OBJECT });
    now.event = "the tgc_collect that ends the program, with every root dropped";
    tgc_collect(c);
    check_destructions_after_full_collection();
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.destructors_run - model.destructors_run_before != model.destructions)
        mismatch("tgc_stats.destructors_run counts %" PRIu64 " destructors in this program, "
                 "the driver saw %" PRIu64, stats.destructors_run - model.destructors_run_before,
                 model.destructions);
    for (size_t n = 0; n < model.count; n++)
        free(model.objects[n].slots);
}

static void run_program(tgc_cursor c, uint64_t seed)
{
    start_program(seed);
    for (now.op = 0; now.op < OPS; now.op++) {
        size_t what = random_below(100);
        if (what < 20)
            op_allocate_into_root(c);
        else if (what < 40)
            op_allocate_linked(c);
        else if (what < 65)
            op_link();
        else if (what < 80)
            op_write_scalar();
        else if (what < 88)
            op_drop_root();
        else
            op_collect(c);
        /* A destructor runs in a collection, and so is checked after
         * one, even one that did not count as a minor collection. */
        if (minor_collections != compared_after || model.wrong_destruction[0] != '\0') {
            now.event = "a collection run by an allocation";
            compare_heap_with_model();
        }
    }
    now.event = "the final tgc_collect";
    tgc_collect(c);
    now.full = true;
    compare_heap_with_model();
    now.full = false;
    check_destructions_after_full_collection();
    end_program(c);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIRST_SEED COUNT\n", argv[0]);
        return 2;
    }
    uint64_t first = strtoull(argv[1], NULL, 10);
    uint64_t count = strtoull(argv[2], NULL, 10);
    if (SHIM_INIT() != 0)
        return 1;
    check_table_against_schema();
    name_the_program_on_crashes();
    for (size_t r = 0; r < ROOTS; r++)
        tgc_register_root(&roots[r]);
    tgc_set_hooks(&(tgc_hooks){ .on_gc_minor = count_minor_collections });
    tgc_cursor c;
    tgc_cursor_open(c);
    for (uint64_t seed = first; seed < first + count; seed++)
        run_program(c, seed);
    tgc_cursor_close(c);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    printf("rs_%d: %" PRIu64 " programs from seed %" PRIu64 " passed (weak slots: %" PRIu64
           " cleared by the collector, %" PRIu64 " of them seen by the heap walks)\n",
           SHIM_SCHEMA_SEED, count, first, stats.weakrefs_cleared, weak_slots_seen_cleared);
    return 0;
}
