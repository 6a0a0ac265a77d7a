/* build_list.c -- for test_inspect.py: a loop that allocates Nodes and
 * stores GC pointers through the write barrier, into the new node (whose
 * barrier the compiler can drop: it has just written the header) and
 * into an old one (whose barrier it must keep), so that
 * `typegc inspect --asm` has both kinds of fast path to find.
 *
 *   usage: build_list COUNT      prints COUNT + 1 */
#include <stdio.h>
#include <stdlib.h>

#include "list.h"

static Node *build(tgc_cursor c, Node *head, long count)
{
    Node *list = NULL;
    for (long i = 0; i < count; i++) {
        Node *n = TGC_NEW(Node, c, head, list);
        n->value = i;
        Node_set_next(n, list);
        Node_set_next(head, n);
        list = n;
    }
    return head;
}

int main(int argc, char **argv)
{
    if (argc != 2 || list_init() != 0)
        return 2;
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *head = TGC_NEW(Node, c);
    TGC_SAVE(head);
    tgc_collect_minor(c);       /* head is old from now on */
    TGC_RESTORE(head);
    head = build(c, head, atol(argv[1]));
    long length = 0;
    for (const Node *n = head; n != NULL; n = n->next)
        length++;
    tgc_cursor_close(c);
    printf("%ld\n", length);
    return 0;
}
