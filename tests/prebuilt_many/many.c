/* many.c -- a program whose schema declares many prebuilt objects
 * (gen_many.py): `Cell`s in a chain ending at `top`, and the array
 * `index` of every tenth.  Built twice (meson.build): with 10 objects and
 * with 10^5, from SCHEMA_HEADER and SCHEMA_INIT.
 *
 *   many N         walks the chain (N cells), stores young objects into
 *                  cells and into `index`, collects, and checks that the
 *                  stored objects and the chain survive
 *   many init      only starts the collector: scripts/prebuilt-startup.sh
 *                  counts its instructions with callgrind, which are the
 *                  same whatever the number of prebuilt objects */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include SCHEMA_HEADER

#include "../backends/backend_check.h"    /* CHECK, failures */

static long chain_length(void)
{
    long n = 0;
    for (Cell *c = &Cell__prebuilt_top; c != NULL; c = c->prev)
        n++;
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: many N | many init\n", stderr);
        return 2;
    }
    if (SCHEMA_INIT() != 0)
        return 1;
    if (strcmp(argv[1], "init") == 0)
        return 0;
    long n = atol(argv[1]);
    CHECK(chain_length() == n);
    CHECK(Cell__prebuilt_top.value == n - 1);
    CHECK((long)Cells_length(&Cells__prebuilt_index) == (n + 9) / 10);

    tgc_cursor c;
    tgc_cursor_open(c);
    /* a young Cell in `extra` of every tenth cell, and in the index */
    size_t stored = 0;
    for (size_t i = 0; i < Cells_length(&Cells__prebuilt_index); i += 97, stored++) {
        Cell *target = Cells_get(&Cells__prebuilt_index, i);
        Cell *fresh = TGC_NEW(Cell, c);
        fresh->value = -(int64_t)i - 1;
        Cell_set_extra(target, fresh);
        Cell *other = TGC_NEW(Cell, c);
        other->value = (int64_t)i + 1000000000;
        Cells_set(&Cells__prebuilt_index, i, other);
        Cell_set_prev(other, target);
        for (int k = 0; k < 500; k++)
            TGC_NEW(Cell, c);
    }
    tgc_collect(c);
    for (int k = 0; k < 50000; k++)
        TGC_NEW(Cell, c);
    tgc_collect(c);
    size_t checked = 0;
    for (size_t i = 0; i < Cells_length(&Cells__prebuilt_index); i += 97, checked++) {
        Cell *other = Cells_get(&Cells__prebuilt_index, i);
        CHECK(other->value == (int64_t)i + 1000000000);
        CHECK(other->prev->extra != NULL && other->prev->extra->value == -(int64_t)i - 1);
    }
    CHECK(checked == stored);
    CHECK(chain_length() == n);
    tgc_cursor_close(c);
    printf("%ld prebuilt cells, %zu stores checked, %d failures\n", n, checked, failures);
    return failures != 0;
}
