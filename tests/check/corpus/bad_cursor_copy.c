/* Cursors copied. */
#include <string.h>

#include "tree.h"

void copies(tgc_cursor c)
{
    tgc_cursor copy = { *c };  /* expect: cursor-copy: the cursor 'c' is copied into 'copy' */
    (void)TGC_NEW(Tree, copy);
}

void words(tgc_cursor c)
{
    tgc_cursor other;
    other[0] = c[0];  /* expect: cursor-copy: the cursor 'c' is copied into 'other' */
    memcpy(other, c, sizeof(tgc_cursor));  /* expect: cursor-copy: the cursor 'c' is copied into 'other' */
}

/* Moving one's own words is no copy; passing the cursor on neither. */
void own_words(tgc_cursor c)
{
    c[TGC__CURSOR_FREE] = c[TGC__CURSOR_TOP];
    (void)TGC_NEW(Tree, c);
}
