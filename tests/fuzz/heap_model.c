/* heap_model.c -- fuzz_runtime's model of its heap, and the walk that
 * compares the heap with it. */
#include "heap_model.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *heap_roots[ROOTS];
heap_model model;
void *const heap_prebuilt[PREBUILT] = { &Node__prebuilt_anchor, &Nodes__prebuilt_table };

static const uint32_t type_id_of[] = {
    [OBJECT_NODE] = Node__TYPE_ID,
    [OBJECT_NODES] = Nodes__TYPE_ID,
    [OBJECT_BYTES] = Bytes__TYPE_ID,
};

object_kind slot_target_kind(object_kind kind, size_t slot)
{
    static const object_kind node_slot_kinds[NODE_SLOTS] = {
        [SLOT_LEFT] = OBJECT_NODE, [SLOT_RIGHT] = OBJECT_NODE,
        [SLOT_KIDS] = OBJECT_NODES, [SLOT_DATA] = OBJECT_BYTES,
    };
    return kind == OBJECT_NODES ? OBJECT_NODE : node_slot_kinds[slot];
}

void *heap_slot(const void *object, object_kind kind, size_t slot)
{
    if (kind == OBJECT_NODES)
        return Nodes_get(object, slot);
    const Node *node = object;
    switch (slot) {
    case SLOT_LEFT:  return node->left;
    case SLOT_RIGHT: return node->right;
    case SLOT_KIDS:  return node->kids;
    default:         return node->data;
    }
}

void heap_set_slot(void *object, object_kind kind, size_t slot, void *value)
{
    if (kind == OBJECT_NODES) {
        Nodes_set(object, slot, value);
        return;
    }
    Node *node = object;
    switch (slot) {
    case SLOT_LEFT:  Node_set_left(node, value);  break;
    case SLOT_RIGHT: Node_set_right(node, value); break;
    case SLOT_KIDS:  Node_set_kids(node, value);  break;
    default:         Node_set_data(node, value);  break;
    }
}

uint8_t byte_pattern(long number, size_t index)
{
    return (uint8_t)((size_t)number * 37 + index * 7 + 1);
}

long model_add(object_kind kind, size_t length)
{
    model_object *o = &model.objects[model.count];
    o->kind = kind;
    o->length = length;
    o->n_slots = kind == OBJECT_NODE ? NODE_SLOTS : kind == OBJECT_NODES ? length : 0;
    o->slots = malloc(o->n_slots * sizeof *o->slots);
    if (o->slots == NULL && o->n_slots > 0)
        abort();
    for (size_t i = 0; i < o->n_slots; i++)
        o->slots[i] = -1;
    model.weak[model.count] = -1;
    model.weak_may_be_cleared[model.count] = false;
    return model.count++;
}

static void reach(bool *reachable, long n)
{
    if (n < 0 || reachable[n])
        return;
    reachable[n] = true;
    const model_object *o = &model.objects[n];
    for (size_t s = 0; s < o->n_slots; s++)
        reach(reachable, o->slots[s]);
}

void model_reachable(bool reachable[MAX_OBJECTS])
{
    memset(reachable, 0, MAX_OBJECTS * sizeof *reachable);
    for (size_t r = 0; r < ROOTS; r++)
        reach(reachable, model.root[r]);
    for (long p = 0; p < PREBUILT; p++)
        reach(reachable, p);
    reach(reachable, model.local);
}

void model_kept(bool kept[MAX_OBJECTS])
{
    model_reachable(kept);
    for (long n = 0; n < model.count; n++)
        if (model.registered[n])
            reach(kept, n);
}

void model_reached_from(bool reached[MAX_OBJECTS], long from)
{
    memset(reached, 0, MAX_OBJECTS * sizeof *reached);
    reach(reached, from);
}

void model_clear(void)
{
    for (long n = 0; n < model.count; n++)
        free(model.objects[n].slots);
    model.count = 0;
    model.local = -1;
    memset(model.destructed, 0, sizeof model.destructed);
    memset(model.id, 0, sizeof model.id);
    memset(model.weak_may_be_cleared, 0, sizeof model.weak_may_be_cleared);
    memset(model.registered, 0, sizeof model.registered);
    memset(model.ever_registered, 0, sizeof model.ever_registered);
    memset(model.pressure, 0, sizeof model.pressure);
    memset(model.pinned, 0, sizeof model.pinned);
    for (size_t r = 0; r < ROOTS; r++) {
        heap_roots[r] = NULL;
        model.root[r] = -1;
    }
    model_add(OBJECT_NODE, 0);
    model_add(OBJECT_NODES, Nodes_length(&Nodes__prebuilt_table));
    model.objects[0].slots[SLOT_KIDS] = 1;
    model.weak[0] = 0;
}

void model_reset_prebuilt(void)
{
    for (long p = 0; p < PREBUILT; p++) {
        model_object *o = &model.objects[p];
        for (size_t s = 0; s < o->n_slots; s++) {
            bool kids = p == 0 && s == SLOT_KIDS;
            heap_set_slot(heap_prebuilt[p], o->kind, s, kids ? heap_prebuilt[1] : NULL);
            o->slots[s] = kids ? 1 : -1;
        }
    }
    Node_set_weak(&Node__prebuilt_anchor, &Node__prebuilt_anchor);
    model.weak[0] = 0;
}

/* One comparison: where each object was met, and the objects met, in
 * order, to find two numbers sharing one heap object at the end. */
static struct {
    const void *at[MAX_OBJECTS];
    long met[MAX_OBJECTS];
    size_t n_met;
} walk;

/* Prints a difference found by following slot `slot` of object `holder`
 * (root `slot` if `holder` is -1); returns false. */
static bool differs(long holder, size_t slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool differs(long holder, size_t slot, const char *fmt, ...)
{
    if (holder < 0)
        fprintf(stderr, "fuzz_runtime: heap and model differ at root %zu: ", slot);
    else
        fprintf(stderr, "fuzz_runtime: heap and model differ at object %ld, slot %zu: ",
                holder, slot);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return false;
}

static bool same_ref(const void *heap, long number, long holder, size_t slot);

static bool same_contents(const void *heap, long number, long holder, size_t slot)
{
    const model_object *o = &model.objects[number];
    uint32_t tid = ((const tgc_header *)heap)->tid;
    if (tid != type_id_of[o->kind])
        return differs(holder, slot, "object %ld at %p has type id %" PRIu32 ", not %" PRIu32,
                       number, heap, tid, type_id_of[o->kind]);
    switch (o->kind) {
    case OBJECT_NODE:
        if (((const Node *)heap)->number != number)
            return differs(holder, slot, "object %ld at %p says it is object %" PRId64,
                           number, heap, ((const Node *)heap)->number);
        break;
    case OBJECT_NODES:
        if (Nodes_length(heap) != o->length)
            return differs(holder, slot, "object %ld at %p has %zu items, not %zu",
                           number, heap, Nodes_length(heap), o->length);
        break;
    case OBJECT_BYTES:
        if (Bytes_length(heap) != o->length)
            return differs(holder, slot, "object %ld at %p has %zu bytes, not %zu",
                           number, heap, Bytes_length(heap), o->length);
        for (size_t i = 0; i < o->length; i++)
            if (Bytes_get(heap, i) != byte_pattern(number, i))
                return differs(holder, slot, "byte %zu of object %ld at %p is %u, not %u",
                               i, number, heap, Bytes_get(heap, i), byte_pattern(number, i));
        break;
    }
    for (size_t i = 0; i < o->n_slots; i++)
        if (!same_ref(heap_slot(heap, o->kind, i), o->slots[i], number, i))
            return false;
    return true;
}

static bool same_ref(const void *heap, long number, long holder, size_t slot)
{
    if (number < 0)
        return heap == NULL ||
               differs(holder, slot, "the heap has %p, the model NULL", heap);
    if (heap == NULL)
        return differs(holder, slot, "the heap has NULL, the model object %ld", number);
    if (walk.at[number] != NULL)
        return walk.at[number] == heap ||
               differs(holder, slot, "object %ld is at %p here and at %p elsewhere",
                       number, heap, walk.at[number]);
    walk.at[number] = heap;
    walk.met[walk.n_met++] = number;
    return same_contents(heap, number, holder, slot);
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)walk.at[*(const long *)a];
    uintptr_t y = (uintptr_t)walk.at[*(const long *)b];
    return (x > y) - (x < y);
}

/* The same heap object reached as two different objects of the model. */
static bool all_distinct(void)
{
    qsort(walk.met, walk.n_met, sizeof *walk.met, by_address);
    for (size_t i = 1; i < walk.n_met; i++)
        if (walk.at[walk.met[i]] == walk.at[walk.met[i - 1]]) {
            fprintf(stderr, "fuzz_runtime: objects %ld and %ld are one heap object, at %p\n",
                    walk.met[i - 1], walk.met[i], walk.at[walk.met[i]]);
            return false;
        }
    return true;
}

bool heap_matches_model(void)
{
    memset(walk.at, 0, sizeof walk.at);
    walk.n_met = 0;
    for (size_t r = 0; r < ROOTS; r++)
        if (!same_ref(heap_roots[r], model.root[r], -1, r))
            return false;
    /* as roots ROOTS, ROOTS + 1 in the messages */
    for (long p = 0; p < PREBUILT; p++)
        if (!same_ref(heap_prebuilt[p], p, -1, ROOTS + (size_t)p))
            return false;
    return all_distinct();
}
