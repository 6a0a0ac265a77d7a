/* flamegraph.h -- a flame graph drawn as SVG (flamegraph.c), from stacks
 * given root first with a value each, as the folded-stacks format lists
 * them: a box per frame, as wide as the value of the stacks through it,
 * its callees stacked on top.  Each box has a tooltip (its name, value and
 * share), so the file is something to open in a browser. */
#ifndef TYPEGC_FLAMEGRAPH_H
#define TYPEGC_FLAMEGRAPH_H

#include <stddef.h>
#include <stdio.h>

typedef struct flame_node flame_node;

flame_node *flame_new(void);
/* Adds `value` along the path frames[0] (the root) ... frames[n - 1]. */
void flame_add(flame_node *root, const char *const *frames, size_t n, double value);
/* Writes the SVG; `title` on top, `unit` after each value ("bytes"). */
void flame_write_svg(const flame_node *root, FILE *out, const char *title, const char *unit);
void flame_free(flame_node *root);

#endif
