/* test_list.c -- linked lists survive thousands of minor collections with
 * their contents intact, both when new nodes point to old ones (head
 * insertion) and when old nodes are made to point to new ones (appending
 * at the tail, through the write barrier).  Run with a tiny nursery. */
#include "check.h"
#include "list.h"

enum { N = 20000, GARBAGE_PER_NODE = 3 };

static tgc_cursor c;

static void check_sequence(Node *head, long first, long step, long count)
{
    long seen = 0;
    for (Node *n = head; n != NULL; n = n->next, seen++) {
        if (n->value != first + step * seen) {
            CHECK_EQ_U(n->value, first + step * seen);
            return;
        }
        CHECK(Node_isinstance(n));
    }
    CHECK_EQ_U(seen, count);
}

static void test_head_insertion_survives(void)
{
    Node *head = NULL;
    for (long i = 0; i < N; i++) {
        Node *n = TGC_NEW(Node, c, head);
        n->value = i;
        Node_set_next(n, head);
        head = n;
        for (int g = 0; g < GARBAGE_PER_NODE; g++)
            (void)TGC_NEW(Node, c, head);
    }
    check_sequence(head, N - 1, -1, N);
}

static void test_tail_append_through_barrier(void)
{
    Node *head = TGC_NEW(Node, c);
    Node *tail = head;
    for (long i = 1; i < N; i++) {
        Node *n = TGC_NEW(Node, c, head, tail);
        n->value = i;
        Node_set_next(tail, n);
        tail = n;
        for (int g = 0; g < GARBAGE_PER_NODE; g++)
            (void)TGC_NEW(Node, c, head, tail);
    }
    TGC_SAVE(head, tail);
    tgc_collect_minor(c);
    TGC_RESTORE(head, tail);
    check_sequence(head, 0, 1, N);
    CHECK(tail->next == NULL && tail->value == N - 1);
}

/* Only reachable objects are copied out: after the list is built and a
 * last minor collection, the arenas hold exactly the list's nodes. */
static void test_only_survivors_are_copied(void)
{
    tgc_stats before, after;
    tgc_collect_minor(c);
    tgc_get_stats(&before, false);
    Node *head = NULL;
    for (long i = 0; i < N; i++) {
        Node *n = TGC_NEW(Node, c, head);
        n->value = i;
        Node_set_next(n, head);
        head = n;
        for (int g = 0; g < GARBAGE_PER_NODE; g++)
            (void)TGC_NEW(Node, c, head);
    }
    TGC_SAVE(head);
    tgc_collect_minor(c);
    TGC_RESTORE(head);
    tgc_get_stats(&after, false);
    CHECK_EQ_U(after.total_arena_memory - before.total_arena_memory, (size_t)N * Node__SIZE);
    CHECK(after.minor_collections > before.minor_collections);
    check_sequence(head, N - 1, -1, N);
}

/* A list built through a recursive function that saves its roots around
 * each call with TGC_SAVE / TGC_RESTORE. */
static Node *build_recursively(tgc_cursor cursor, long i, long count)
{
    if (i == count)
        return NULL;
    Node *self = TGC_NEW(Node, cursor);
    self->value = i;
    TGC_SAVE(self);
    Node *rest = build_recursively(cursor, i + 1, count);
    TGC_RESTORE(self);
    Node_set_next(self, rest);
    return self;
}

static void test_roots_saved_across_calls(void)
{
    Node *head = build_recursively(c, 0, 5000);
    check_sequence(head, 0, 1, 5000);
}

static Node *global_list;

static void test_registered_global_root(void)
{
    tgc_register_root(&global_list);
    for (long i = 0; i < N; i++) {
        Node *n = TGC_NEW(Node, c);
        n->value = i;
        Node_set_next(n, global_list);
        global_list = n;
    }
    tgc_collect_minor(c);
    check_sequence(global_list, N - 1, -1, N);
}

int main(void)
{
    if (list_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_head_insertion_survives);
    RUN(test_tail_append_through_barrier);
    RUN(test_only_survivors_are_copied);
    RUN(test_roots_saved_across_calls);
    RUN(test_registered_global_root);
    tgc_cursor_close(c);
    return check_finish();
}
