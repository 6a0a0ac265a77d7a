/* A program outside the tree, built against the installed libtypegc with
 * pkg-config's flags and a header from the installed `typegc gen`. */
#include <stdio.h>

#include "list.h"

int main(void)
{
    if (list_init() != 0)
        return 1;
    tgc_cursor c;
    tgc_cursor_open(c);
    Node *head = NULL;
    for (int i = 0; i < 100000; i++) {
        Node *n = TGC_NEW(Node, c, head);
        n->value = i;
        Node_set_next(n, head);
        head = n;
    }
    long sum = 0;
    for (Node *n = head; n != NULL; n = n->next)
        sum += n->value;
    tgc_cursor_close(c);
    printf("%ld\n", sum);
    return sum == 4999950000L ? 0 : 1;
}
