/* Prebuilt objects (schemas/prebuilt.json) on every backend
 * (tests/backends/meson.build), from one source: each is static data with
 * its initial values; objects stored into one stay alive (typegc records
 * the prebuilt object as a root at the first store; Boehm GC scans static
 * data as roots anyway; malloc frees nothing the program does not free),
 * and a prebuilt object's destructor never runs. */
#include <stdio.h>
#include <stdlib.h>

#include "prebuilt.h"
#include "backend_check.h"

void Res_destruct(Res *obj)
{
    (void)obj;
    failures++;         /* only the prebuilt Res exists */
}

#ifdef TYPEGC_EXPLICIT_FREE
/* `prebuilt free`: tgc_free() of a prebuilt object stops the program.
 * Through a volatile, or GCC sees the free() of static data and warns. */
static int free_a_prebuilt_object(void)
{
    void *volatile object = &Node__prebuilt_one;
    tgc_free(object);
    return 0;
}
#endif

int main(int argc, char **argv)
{
    if (prebuilt_init() != 0)
        return 1;
#ifdef TYPEGC_EXPLICIT_FREE
    if (argc == 2 && argv[1][0] == 'f')
        return free_a_prebuilt_object();
#else
    (void)argv;
    if (argc != 1)
        return 2;
#endif
    tgc_cursor c;
    tgc_cursor_open(c);
    CHECK(Node__prebuilt_one.next == &Node__prebuilt_nil && Node__prebuilt_one.value == 1);
    CHECK(Bytes_length(&Bytes__prebuilt_hello) == 5 && Bytes__prebuilt_hello.items[4] == 'o');
    CHECK(Node_isinstance(&Named__prebuilt_two));
    CHECK(tgc_id(&Node__prebuilt_one) == (uintptr_t)&Node__prebuilt_one);
    for (int round = 0; round < 20; round++) {
        Node *n = TGC_NEW(Node, c);
        n->value = 100 + round;
        Node_set_next(n, Node__prebuilt_nil.next);
        Node_set_next(&Node__prebuilt_nil, n);
        Nodes_set(&Nodes__prebuilt_table, (size_t)round % 8, n);
        for (int i = 0; i < 20000; i++)
            TGC_NEW(Node, c);
        if (round % 5 == 4)
            tgc_collect(c);
    }
    tgc_collect(c);
    int count = 0;
    for (Node *n = Node__prebuilt_nil.next; n != NULL; n = n->next, count++)
        CHECK(n->value == 100 + 19 - count);
    CHECK(count == 20);
    CHECK(Nodes_get(&Nodes__prebuilt_table, 3)->value == 100 + 19);
    CHECK(Res__prebuilt_res.fd == 3);
    tgc_cursor_close(c);
    printf("%s: %d failures\n", "prebuilt", failures);
    return failures != 0;
}
