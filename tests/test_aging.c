/* test_aging.c -- the survivor space (runtime/survivors.h): a nursery
 * object that a minor collection reaches stays young, aged, until a second
 * one promotes it; the old objects and arrays' cards that point to it are
 * remembered between the two; what the program asks of young objects (id,
 * pin, memory pressure, finalizer queues) holds for aged ones.  Run with
 * PYPY_GC_DEBUG=2, whose heap check after each minor collection stops the
 * program at an old object pointing to an aged one that is not
 * remembered.  `test_aging off` runs under TYPEGC_NO_AGING=1, where every
 * survivor is promoted at once. */
#include <string.h>

#include "arrays.h"
#include "check.h"

static bool aging;

/* The tests' objects: static roots, so that the garbage allocated to
 * bring minor collections need not name them. */
static Item *item_root;
static Items *items_root;
static Bytes *bytes_root;

/* Allocates garbage until an allocation has collected: a minor
 * collection of the kind that ages (tgc_collect_minor() does not). */
static void minor_by_allocation(tgc_cursor c)
{
    uint64_t before = check_stats().minor_collections;
    while (check_stats().minor_collections == before)
        (void)TGC_NEW_ARRAY(Doubles, c, 8);
}

static Bytes *new_bytes(tgc_cursor c, size_t length, int fill)
{
    Bytes *bytes = TGC_NEW_ARRAY(Bytes, c, length);
    memset(bytes->items, fill, length);
    return bytes;
}

static long long pressure_now(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    return stats.total_memory_pressure;
}

static bool bytes_hold(const Bytes *bytes, size_t length, int fill)
{
    if (bytes == NULL || (size_t)bytes->length != length)
        return false;
    for (size_t i = 0; i < length; i++)
        if (bytes->items[i] != (uint8_t)fill)
            return false;
    return true;
}

/* One minor collection ages a reached nursery object; the next one
 * promotes it, and the survivor space is empty again. */
static void test_two_collections_to_promote(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    item_root = TGC_NEW(Item, c);
    item_root->key = 4242;
    size_t size = tgc_round_up_size(Item__SIZE);
    uint64_t aged_before = check_stats().aged_total;
    minor_by_allocation(c);
    tgc_stats s = check_stats();
    if (aging) {
        CHECK(s.aged_size >= size);
        CHECK(s.aged_total >= aged_before + size);
        CHECK(s.survivor_space_size >= s.aged_size);
    } else {
        CHECK_EQ_U(s.aged_size, 0);
        CHECK_EQ_U(s.aged_total, 0);
    }
    CHECK_EQ_U(item_root->key, 4242);
    minor_by_allocation(c);
    /* only the garbage was allocated since: nothing is aged now */
    CHECK_EQ_U(check_stats().aged_size, 0);
    CHECK_EQ_U(item_root->key, 4242);
    item_root = NULL;
    tgc_cursor_close(c);
}

/* An old object given a young pointer, which a minor collection ages: the
 * old object stays remembered, and the next minor collection, which
 * promotes the target, fixes its field. */
static void test_old_parent_of_aged_object(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    item_root = TGC_NEW(Item, c);
    tgc_collect_minor(c);               /* item_root is old */
    Bytes *label = new_bytes(c, 100, 0x5a);
    Item_set_label(item_root, label);
    minor_by_allocation(c);             /* the label is aged */
    CHECK(bytes_hold(item_root->label, 100, 0x5a));
    minor_by_allocation(c);             /* promoted */
    CHECK(bytes_hold(item_root->label, 100, 0x5a));
    CHECK_EQ_U(check_stats().aged_size, 0);
    /* a chain of young objects, aged together, then promoted together */
    item_root = TGC_NEW(Item, c);
    item_root->key = 7;
    Bytes *young_label = new_bytes(c, 33, 0x11);
    Item_set_label(item_root, young_label);
    minor_by_allocation(c);
    CHECK(bytes_hold(item_root->label, 33, 0x11));
    minor_by_allocation(c);
    CHECK(bytes_hold(item_root->label, 33, 0x11));
    CHECK_EQ_U(item_root->key, 7);
    item_root = NULL;
    tgc_cursor_close(c);
}

/* A large array (old at once, with cards) given young items at scattered
 * indices: the cards of the aged ones stay marked, not the whole array
 * recorded, and every item is found again after its promotion. */
static void test_array_cards_of_aged_items(void)
{
    enum { LENGTH = 20000, STRIDE = 997 };
    tgc_cursor c;
    tgc_cursor_open(c);
    items_root = TGC_NEW_ARRAY(Items, c, LENGTH);
    size_t stored = 0;
    for (size_t i = 0; i < LENGTH; i += STRIDE, stored++) {
        Item *item = TGC_NEW(Item, c);
        item->key = (int32_t)i;
        Items_set(items_root, i, item);
    }
    minor_by_allocation(c);
    if (aging)
        CHECK(check_stats().aged_size > 0);
    /* more young items beside the aged ones, in the same cards */
    for (size_t i = 1; i < LENGTH; i += STRIDE, stored++) {
        Item *item = TGC_NEW(Item, c);
        item->key = (int32_t)i;
        Items_set(items_root, i, item);
    }
    minor_by_allocation(c);
    minor_by_allocation(c);
    CHECK_EQ_U(check_stats().aged_size, 0);
    size_t found = 0;
    for (size_t i = 0; i < LENGTH; i++) {
        Item *item = items_root->items[i];
        if (item == NULL)
            continue;
        found++;
        CHECK_EQ_U(item->key, (int32_t)i);
    }
    CHECK_EQ_U(found, stored);
    items_root = NULL;
    tgc_cursor_close(c);
}

/* An aged object's id is the address it is promoted to, as a nursery
 * object's is; taken before aging, it holds through both collections. */
static void test_id_of_aged_object(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    item_root = TGC_NEW(Item, c);
    uintptr_t young_id = tgc_id(item_root);
    minor_by_allocation(c);
    uintptr_t aged_id = tgc_id(item_root);
    CHECK(aged_id == young_id);
    Item *second = TGC_NEW(Item, c);
    items_root = TGC_NEW_ARRAY(Items, c, 1, second);
    Items_set(items_root, 0, second);
    minor_by_allocation(c);             /* second is aged, its id not taken */
    uintptr_t second_id = tgc_id(items_root->items[0]);
    uintptr_t second_hash = tgc_identity_hash(items_root->items[0]);
    minor_by_allocation(c);             /* both promoted */
    CHECK(tgc_id(item_root) == young_id);
    CHECK((uintptr_t)item_root == young_id);
    CHECK(tgc_id(items_root->items[0]) == second_id);
    CHECK((uintptr_t)items_root->items[0] == second_id);
    CHECK(tgc_identity_hash(items_root->items[0]) == second_hash);
    item_root = NULL;
    items_root = NULL;
    tgc_cursor_close(c);
}

/* tgc_pin() refuses an aged object: it moves at the next minor
 * collection, and the survivor space cannot keep it in place. */
static void test_pin_refuses_aged_object(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    bytes_root = new_bytes(c, 64, 3);
    minor_by_allocation(c);
    CHECK(!tgc_pin(bytes_root));        /* aged, or old without aging */
    Bytes *fresh = new_bytes(c, 64, 4);
    if (tgc_pin(fresh))
        tgc_unpin(fresh);
    CHECK(bytes_hold(bytes_root, 64, 3));
    bytes_root = NULL;
    tgc_cursor_close(c);
}

/* The memory pressure of an aged object is counted while it lives, and
 * no longer once a minor collection finds it dead. */
static void test_pressure_of_aged_object(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    bytes_root = new_bytes(c, 8, 1);
    tgc_add_memory_pressure(bytes_root, 1000000);
    long long with = pressure_now();
    minor_by_allocation(c);             /* aged, alive */
    CHECK(pressure_now() == with);
    bytes_root = NULL;
    minor_by_allocation(c);             /* dead while aged (old without aging:
                                           counted until a major cycle) */
    CHECK(pressure_now() == (aging ? with - 1000000 : with));
    /* and one that lives is counted on through its promotion */
    long long before = pressure_now();
    bytes_root = new_bytes(c, 8, 1);
    tgc_add_memory_pressure(bytes_root, 3000);
    minor_by_allocation(c);
    minor_by_allocation(c);
    CHECK(pressure_now() == before + 3000);
    bytes_root = NULL;
    tgc_cursor_close(c);
}

/* An object registered with a finalizer queue while aged is promoted by
 * the next minor collection, and queued once a full collection finds it
 * dead. */
static void test_finalizer_of_aged_object(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    tgc_finalizer_queue *queue = tgc_finalizer_queue_new(NULL, NULL);
    item_root = TGC_NEW(Item, c);
    item_root->key = 99;
    minor_by_allocation(c);
    tgc_finalizer_register(queue, item_root);
    minor_by_allocation(c);
    CHECK_EQ_U(item_root->key, 99);
    item_root = NULL;
    tgc_collect(c);
    Item *dead = tgc_finalizer_next_dead(queue);
    CHECK(dead != NULL);
    if (dead != NULL)
        CHECK_EQ_U(dead->key, 99);
    CHECK(tgc_finalizer_next_dead(queue) == NULL);
    tgc_cursor_close(c);
}

/* The collections the program asks for leave nothing aged: marking does
 * not see young objects, and tgc_collect_minor() empties the young
 * generation, as PyPy's does. */
static void test_explicit_collections_promote_everything(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    item_root = TGC_NEW(Item, c);
    minor_by_allocation(c);
    tgc_collect_minor(c);
    CHECK_EQ_U(check_stats().aged_size, 0);
    item_root->key = 5;
    bytes_root = new_bytes(c, 16, 2);
    minor_by_allocation(c);
    tgc_collect(c);
    CHECK_EQ_U(check_stats().aged_size, 0);
    CHECK(bytes_hold(bytes_root, 16, 2));
    CHECK_EQ_U(item_root->key, 5);
    item_root = NULL;
    bytes_root = NULL;
    tgc_cursor_close(c);
}

/* A major cycle that an allocation starts right after a minor collection
 * aged objects: they are promoted before marking, and an old object that
 * only an aged one reaches lives through the cycle. */
static void test_cycle_start_promotes_aged_objects(void)
{
    enum { BIG = 256 * 1024, SLOTS = 1000 };
    tgc_cursor c;
    tgc_cursor_open(c);
    bytes_root = new_bytes(c, 50, 0x77);
    tgc_collect_minor(c);               /* the label is old */
    items_root = TGC_NEW_ARRAY(Items, c, SLOTS);
    uint64_t cycles = check_stats().major_collections;
    uint64_t steps = check_stats().major_steps;
    size_t i = 0;
    for (; i < SLOTS && check_stats().major_steps == steps; i++) {
        /* a nursery object, the label's only way from the roots, which
         * the minor collection before the step may age */
        Item *holder = TGC_NEW(Item, c);
        Item_set_label(holder, bytes_root);
        item_root = holder;
        bytes_root = NULL;
        /* large arrays, kept, bring the major threshold */
        Item *keeper = TGC_NEW(Item, c);
        Items_set(items_root, i, keeper);
        Bytes *big = TGC_NEW_ARRAY(Bytes, c, BIG);
        Item_set_label(items_root->items[i], big);
        bytes_root = item_root->label;
    }
    CHECK(i < SLOTS);                   /* a cycle started */
    item_root = NULL;
    while (check_stats().major_collections == cycles)
        (void)TGC_NEW_ARRAY(Doubles, c, 8);
    CHECK(bytes_hold(bytes_root, 50, 0x77));
    bytes_root = NULL;
    items_root = NULL;
    tgc_collect(c);
    tgc_cursor_close(c);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0)) {
        fprintf(stderr, "usage: test_aging on|off\n");
        return 2;
    }
    aging = strcmp(argv[1], "on") == 0;
    if (arrays_init() != 0)
        return 1;
    tgc_register_root(&item_root);
    tgc_register_root(&items_root);
    tgc_register_root(&bytes_root);
    RUN(test_two_collections_to_promote);
    RUN(test_old_parent_of_aged_object);
    RUN(test_array_cards_of_aged_items);
    RUN(test_id_of_aged_object);
    RUN(test_pin_refuses_aged_object);
    RUN(test_pressure_of_aged_object);
    RUN(test_finalizer_of_aged_object);
    RUN(test_explicit_collections_promote_everything);
    RUN(test_cycle_start_promotes_aged_objects);
    return check_finish();
}
