/* test_heapdump.c -- tgc_dump_heap() writes exactly the live heap, read
 * back with `typegc heap`'s reader (translator/memview/heap_file.c):
 *
 *   - a Holder, its Items array, 1000 Items and the 100 Bytes they share
 *     as labels: 1102 objects, each once, with their types and sizes, and
 *     no garbage, though garbage of every type was allocated around them;
 *   - every reference in the dump is to an object in the dump, and each
 *     object's parent comes before it;
 *   - the same taken while the collector is MARKING and while SWEEPING
 *     (the dump's full collection finishes the cycle first), after which
 *     the collector is back at SCANNING;
 *   - a second dump finds the same objects (the walk's marks were
 *     cleared), and the heap check (PYPY_GC_DEBUG) passes after each;
 *   - a dump to a path that cannot be written returns -1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arrays.h"
#include "check.h"
#include "memview/heap_file.h"

enum { ITEMS = 1000, LABELS = 100, LIVE = 2 + ITEMS + LABELS };

static Holder *holder;          /* the one registered root */

static size_t bytes_size(size_t length)
{
    return tgc_round_up_size(Bytes__ITEMS_OFFSET + length);
}

static size_t items_size(size_t length)
{
    return tgc_round_up_size(Items__ITEMS_OFFSET + length * Items__ITEM_SIZE);
}

static void make_garbage(tgc_cursor c, int n)
{
    for (int i = 0; i < n; i++) {
        Item *item = TGC_NEW(Item, c);
        Bytes *label = TGC_NEW_ARRAY(Bytes, c, 40, item);
        Item_set_label(item, label);
        (void)TGC_NEW(Holder, c);
    }
}

static void build(tgc_cursor c)
{
    holder = TGC_NEW(Holder, c);
    Items *items = TGC_NEW_ARRAY(Items, c, ITEMS);
    Holder_set_items(holder, items);
    holder->count = ITEMS;
    for (int i = 0; i < ITEMS; i++) {
        make_garbage(c, 3);
        items = holder->items;
        Item *item = TGC_NEW(Item, c, items);
        item->key = i;
        Items_set(items, (size_t)i, item);
        if (i < LABELS) {
            Bytes *label = TGC_NEW_ARRAY(Bytes, c, (size_t)i + 1, item);
            Item_set_label(item, label);
        } else {
            Item_set_label(item, Items_get(items, (size_t)(i % LABELS))->label);
        }
    }
}

static size_t expected_bytes(void)
{
    size_t bytes = Holder__SIZE + items_size(ITEMS) + (size_t)ITEMS * Item__SIZE;
    for (int i = 0; i < LABELS; i++)
        bytes += bytes_size((size_t)i + 1);
    return bytes;
}

/* ---- Reading the dump back ------------------------------------------------- */

typedef struct seen {
    const heap_dump *dump;
    uint64_t *addresses;        /* by record index - 1 */
    uint64_t *refs;             /* every reference, in record order */
    size_t n_refs;
    size_t per_type[6];         /* by type id */
    bool parents_before;
} seen;

static void visit(const heap_object *o, void *arg)
{
    seen *s = arg;
    if (o->index > LIVE * 2)
        return;                 /* too many: reported by the count */
    s->addresses[o->index - 1] = o->address;
    s->parents_before &= o->parent < o->index;
    uint32_t id = s->dump->types[o->type].id;
    if (id < 6)
        s->per_type[id]++;
    s->refs = realloc(s->refs, (s->n_refs + o->n_refs) * sizeof(uint64_t) + 8);
    heap_refs(o, s->refs + s->n_refs);
    s->n_refs += o->n_refs;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void check_dump(const char *path)
{
    FILE *in = fopen(path, "rb");
    CHECK(in != NULL);
    if (in == NULL)
        return;
    static uint8_t data[1 << 20];
    size_t size = fread(data, 1, sizeof data, in);
    fclose(in);
    heap_dump d;
    seen s = { .dump = &d, .parents_before = true };
    s.addresses = calloc(LIVE * 2, sizeof(uint64_t));
    char error[200] = "";
    bool ok = heap_parse(data, size, &d, visit, &s, error, sizeof error);
    if (!ok)
        fprintf(stderr, "heap_parse: %s\n", error);
    CHECK(ok);
    CHECK_EQ_U(d.objects, LIVE);
    CHECK_EQ_U(d.bytes, expected_bytes());
    CHECK_EQ_U(d.roots, 1);
    CHECK_EQ_U(s.per_type[Holder__TYPE_ID], 1);
    CHECK_EQ_U(s.per_type[Items__TYPE_ID], 1);
    CHECK_EQ_U(s.per_type[Item__TYPE_ID], ITEMS);
    CHECK_EQ_U(s.per_type[Bytes__TYPE_ID], LABELS);
    CHECK(s.parents_before);
    /* each object once; each reference to one of them */
    size_t n = d.objects < LIVE * 2 ? (size_t)d.objects : LIVE * 2;
    qsort(s.addresses, n, sizeof(uint64_t), by_value);
    size_t duplicates = 0, dangling = 0;
    for (size_t i = 1; i < n; i++)
        duplicates += s.addresses[i] == s.addresses[i - 1];
    for (size_t i = 0; i < s.n_refs; i++)
        dangling += bsearch(&s.refs[i], s.addresses, n, sizeof(uint64_t), by_value) == NULL;
    CHECK_EQ_U(duplicates, 0);
    CHECK_EQ_U(dangling, 0);
    /* Holder -> Items, Items -> 1000 Items, each Item -> its label */
    CHECK_EQ_U(s.n_refs, 1 + ITEMS + ITEMS);
    heap_free(&d);
    free(s.addresses);
    free(s.refs);
}

/* ---- The tests ------------------------------------------------------------------ */

static void dump_and_check(tgc_cursor c, const char *path)
{
    CHECK_EQ_U(tgc_dump_heap(c, path), 0);
    check_dump(path);
    tgc_step_result r;
    tgc_collect_step(c, &r);
    CHECK_EQ_U(r.old_phase, TGC_PHASE_SCANNING);
    make_garbage(c, 200);
    CHECK_EQ_U(tgc_dump_heap(c, path), 0);
    check_dump(path);
    remove(path);
}

static void test_dump_is_the_live_heap(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    build(c);
    dump_and_check(c, "test_heapdump.scanning");
    tgc_cursor_close(c);
}

static void test_dump_while_marking(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_disable();
    build(c);
    tgc_step_result r = step_into(c, TGC_PHASE_MARKING);
    CHECK_EQ_U(r.new_phase, TGC_PHASE_MARKING);
    make_garbage(c, 100);
    dump_and_check(c, "test_heapdump.marking");
    tgc_enable();
    tgc_cursor_close(c);
}

static void test_dump_while_sweeping(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_disable();
    build(c);
    tgc_step_result r = step_into(c, TGC_PHASE_SWEEPING);
    CHECK_EQ_U(r.new_phase, TGC_PHASE_SWEEPING);
    dump_and_check(c, "test_heapdump.sweeping");
    tgc_enable();
    tgc_cursor_close(c);
}

static void test_unwritable_path_fails(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    CHECK(tgc_dump_heap(c, "no-such-directory/dump") == -1);
    tgc_cursor_close(c);
}

int main(void)
{
    if (arrays_init() != 0)
        return 1;
    tgc_register_root(&holder);
    RUN(test_dump_is_the_live_heap);
    RUN(test_dump_while_marking);
    RUN(test_dump_while_sweeping);
    RUN(test_unwritable_path_fails);
    return check_finish();
}
