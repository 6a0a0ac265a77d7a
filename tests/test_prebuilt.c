/* test_prebuilt.c -- prebuilt objects (schema "objects", schemas/
 * prebuilt.json): their initial values and references, an id that is
 * their address; GC pointers stored into them keep heap objects alive
 * across minor and full collections (young and old targets, during
 * MARKING too, through fields, fixed-size array fields and array items);
 * an object dropped from a prebuilt one dies; weak fields of a prebuilt
 * object are cleared when a heap target dies and never when the target is
 * prebuilt; a prebuilt object's destructor never runs.  meson runs it at
 * every nursery size under PYPY_GC_DEBUG=2, whose heap check walks the
 * recorded prebuilt objects as roots. */
#include <stdlib.h>
#include "check.h"
#include "prebuilt.h"

static int res_destructed;

void Res_destruct(Res *obj)
{
    (void)obj;
    res_destructed++;
}

static uint64_t cleared_so_far(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    return stats.weakrefs_cleared;
}

/* Plenty of garbage, so that collections happen and reuse memory.  Under
 * TYPEGC_TORTURE every allocation collects and every 50th collects fully:
 * a tenth of the garbage still makes dozens of full collections, and the
 * heap check of PYPY_GC_DEBUG=2 at each one is what takes the time. */
static void churn(tgc_cursor c, int n)
{
    static int divisor;
    if (divisor == 0)
        divisor = getenv("TYPEGC_TORTURE") != NULL ? 10 : 1;
    n /= divisor;
    for (int i = 0; i < n; i++) {
        Node *n1 = TGC_NEW(Node, c);
        n1->value = -i;
    }
}

static void test_initial_values(void)
{
    CHECK(Node__prebuilt_nil.next == NULL && Node__prebuilt_nil.value == 0);
    CHECK(Node__prebuilt_one.next == &Node__prebuilt_nil && Node__prebuilt_one.value == 1);
    CHECK(Named__prebuilt_two.super.next == &Node__prebuilt_one);
    CHECK(Named__prebuilt_two.super.value == INT64_MIN);
    CHECK(Named__prebuilt_two.label == &Bytes__prebuilt_hello);
    CHECK(Named__prebuilt_two.weight == 2.5 && Named__prebuilt_two.on);
    CHECK(Bytes_length(&Bytes__prebuilt_hello) == 5);
    CHECK(memcmp(Bytes__prebuilt_hello.items, "hello", 5) == 0);
    CHECK(Box__prebuilt_box.item == (void *)&Bytes__prebuilt_hello);
    CHECK(Box__prebuilt_box.watch == Node_of(&Named__prebuilt_two));
    CHECK(Box__prebuilt_box.kids[0] == &Node__prebuilt_one && Box__prebuilt_box.kids[1] == NULL);
    CHECK(Box__prebuilt_box.kids[2] == Node_of(&Named__prebuilt_two));
    CHECK(Box__prebuilt_box.small[0] == -1 && Box__prebuilt_box.small[1] == 2 &&
          Box__prebuilt_box.small[3] == 0);
    CHECK(Nodes_length(&Nodes__prebuilt_table) == 8);
    CHECK(Nodes_get(&Nodes__prebuilt_table, 1) == Node_of(&Named__prebuilt_two));
    CHECK(Nodes_get(&Nodes__prebuilt_table, 7) == NULL);
    CHECK(Nodes_length(&Nodes__prebuilt_empty) == 0);
    CHECK(Node_isinstance(&Named__prebuilt_two) && !Named_isinstance(&Node__prebuilt_one));
    CHECK(Res__prebuilt_res.fd == 3 && Res__prebuilt_res.link == &Node__prebuilt_one);
    CHECK(tgc_id(&Node__prebuilt_one) == (uintptr_t)&Node__prebuilt_one);
    char text[80];
    tgc_format_object(text, sizeof text, &Named__prebuilt_two);
    CHECK(strncmp(text, "<Named object at ", 17) == 0);
}

/* Collections before any store leave them as they were: nothing marks
 * or frees them. */
static void test_untouched_survive_collections(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    churn(c, 5000);
    tgc_collect(c);
    tgc_collect(c);
    CHECK(Node__prebuilt_one.next == &Node__prebuilt_nil && Node__prebuilt_one.value == 1);
    CHECK(Box__prebuilt_box.watch == Node_of(&Named__prebuilt_two));
    CHECK(tgc_id(&Node__prebuilt_one) == (uintptr_t)&Node__prebuilt_one);
    tgc_cursor_close(c);
}

/* A young object reachable only from a prebuilt one survives minor and
 * full collections, with the objects it reaches. */
static void test_young_object_kept_alive(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *head = NULL;
    for (int i = 0; i < 100; i++) {
        Node *n = TGC_NEW(Node, c, head);
        n->value = 1000 + i;
        Node_set_next(n, head);
        head = n;
    }
    Node_set_next(&Node__prebuilt_nil, head);
    head = NULL;
    churn(c, 20000);
    tgc_collect_minor(c);
    churn(c, 20000);
    tgc_collect(c);
    churn(c, 20000);
    tgc_collect(c);
    int count = 0;
    for (Node *n = Node__prebuilt_nil.next; n != NULL; n = n->next, count++)
        CHECK(n->value == 1000 + 99 - count);
    CHECK(count == 100);
    /* dropped, it dies: a weak field of another prebuilt object says so */
    Node *first = Node__prebuilt_nil.next;
    Box_set_watch(&Box__prebuilt_box, first);
    Node_set_next(&Node__prebuilt_nil, NULL);
    first = NULL;
    uint64_t before = cleared_so_far();
    tgc_collect(c);
    CHECK(Box__prebuilt_box.watch == NULL);
    CHECK(cleared_so_far() == before + 1);
    tgc_cursor_close(c);
}

/* An old object stored into a prebuilt one while the major collector is
 * MARKING: the prebuilt object was not a root when marking began. */
static void test_store_while_marking(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *old = TGC_NEW(Node, c);
    old->value = 77;
    TGC_SAVE(old);
    tgc_collect(c);
    tgc_step_result step;
    do
        tgc_collect_step(c, &step);
    while (step.new_phase != TGC_PHASE_MARKING);
    TGC_RESTORE(old);
    Res_set_link(&Res__prebuilt_res, old);
    old = NULL;
    for (int i = 0; i < 50; i++) {
        churn(c, 200);
        tgc_collect_step(c, &step);
    }
    tgc_collect(c);
    CHECK(Res__prebuilt_res.link != NULL && Res__prebuilt_res.link->value == 77);
    Res_set_link(&Res__prebuilt_res, &Node__prebuilt_one);
    tgc_cursor_close(c);
}

/* Fixed-size array fields and array items of prebuilt objects. */
static void test_arrays_and_fixed_fields(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    for (size_t i = 0; i < 8; i++) {
        Node *n = TGC_NEW(Node, c);
        n->value = (int64_t)(500 + i);
        Nodes_set(&Nodes__prebuilt_table, i, n);
        Node *k = TGC_NEW(Node, c);
        k->value = (int64_t)(600 + i);
        Box_set_kids(&Box__prebuilt_box, i % 3, k);
        churn(c, 3000);
    }
    Bytes *b = TGC_NEW_ARRAY(Bytes, c, 3);
    b->items[0] = 9;
    Box_set_item(&Box__prebuilt_box, b);
    b = NULL;
    churn(c, 20000);
    tgc_collect(c);
    churn(c, 20000);
    tgc_collect(c);
    for (size_t i = 0; i < 8; i++)
        CHECK(Nodes_get(&Nodes__prebuilt_table, i)->value == (int64_t)(500 + i));
    CHECK(Box__prebuilt_box.kids[0]->value == 606 && Box__prebuilt_box.kids[1]->value == 607 &&
          Box__prebuilt_box.kids[2]->value == 605);
    CHECK(Bytes_isinstance(Box__prebuilt_box.item) &&
          ((Bytes *)Box__prebuilt_box.item)->items[0] == 9);
    tgc_cursor_close(c);
}

/* A weak field of a prebuilt object aimed at another prebuilt object is
 * never cleared: that target never dies. */
static void test_weak_to_prebuilt_kept(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Box_set_watch(&Box__prebuilt_box, &Node__prebuilt_one);
    churn(c, 20000);
    tgc_collect(c);
    tgc_collect(c);
    CHECK(Box__prebuilt_box.watch == &Node__prebuilt_one);
    tgc_cursor_close(c);
}

/* Heap objects of a type with a destructor die and are destructed; the
 * prebuilt one never is. */
static void test_destructor_never_runs(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    res_destructed = 0;
    for (int i = 0; i < 10; i++)
        TGC_NEW(Res, c);
    tgc_collect(c);
    tgc_collect(c);
    CHECK(res_destructed == 10);
    CHECK(Res__prebuilt_res.fd == 3);
    tgc_cursor_close(c);
}

/* The heap dump walks the prebuilt objects written to as roots. */
static void test_heap_dump(void)
{
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *n = TGC_NEW(Node, c);
    Node_set_next(&Node__prebuilt_one, n);
    char path[] = "/tmp/test_prebuilt_dumpXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(tgc_dump_heap(c, path) == 0);
    unlink(path);
    Node_set_next(&Node__prebuilt_one, &Node__prebuilt_nil);
    tgc_cursor_close(c);
}

int main(void)
{
    if (prebuilt_init() != 0)
        return 1;
    RUN(test_initial_values);
    RUN(test_untouched_survive_collections);
    RUN(test_young_object_kept_alive);
    RUN(test_store_while_marking);
    RUN(test_arrays_and_fixed_fields);
    RUN(test_weak_to_prebuilt_kept);
    RUN(test_destructor_never_runs);
    RUN(test_heap_dump);
    return check_finish();
}
