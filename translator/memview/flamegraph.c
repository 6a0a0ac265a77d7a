/* flamegraph.c -- the SVG flame graph: a tree of frames, laid out with
 * each node's width proportional to its value, drawn bottom-up (roots at
 * the bottom, as Brendan Gregg's flamegraph.pl draws allocation graphs). */
#include "flamegraph.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct flame_node {
    char *name;
    double value;
    flame_node **children;
    size_t n_children, capacity;
};

enum { WIDTH = 1200, FRAME_HEIGHT = 16, MARGIN = 10, TITLE_HEIGHT = 40, CHAR_WIDTH = 7 };

flame_node *flame_new(void)
{
    flame_node *root = xcalloc(1, sizeof *root);
    root->name = xstrdup("all");
    return root;
}

static flame_node *child(flame_node *parent, const char *name)
{
    for (size_t i = 0; i < parent->n_children; i++)
        if (strcmp(parent->children[i]->name, name) == 0)
            return parent->children[i];
    if (parent->n_children == parent->capacity) {
        parent->capacity = parent->capacity ? parent->capacity * 2 : 4;
        parent->children = xrealloc(parent->children, parent->capacity * sizeof(flame_node *));
    }
    flame_node *node = xcalloc(1, sizeof *node);
    node->name = xstrdup(name);
    parent->children[parent->n_children++] = node;
    return node;
}

void flame_add(flame_node *root, const char *const *frames, size_t n, double value)
{
    root->value += value;
    flame_node *node = root;
    for (size_t i = 0; i < n; i++) {
        node = child(node, frames[i]);
        node->value += value;
    }
}

void flame_free(flame_node *root)
{
    for (size_t i = 0; i < root->n_children; i++)
        flame_free(root->children[i]);
    free(root->children);
    free(root->name);
    free(root);
}

static size_t depth_of(const flame_node *node)
{
    size_t deepest = 0;
    for (size_t i = 0; i < node->n_children; i++) {
        size_t d = depth_of(node->children[i]);
        if (d > deepest)
            deepest = d;
    }
    return deepest + 1;
}

static void put_escaped(FILE *out, const char *text, size_t max_chars)
{
    for (size_t i = 0; text[i] != '\0' && i < max_chars; i++) {
        switch (text[i]) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: putc(text[i], out); break;
        }
    }
}

/* Warm colours, the same for the same name on every run. */
static void colour(const char *name, int *r, int *g, int *b)
{
    unsigned hash = 2166136261u;
    for (const char *p = name; *p != '\0'; p++)
        hash = (hash ^ (unsigned char)*p) * 16777619u;
    *r = 205 + (int)(hash % 50);
    *g = 80 + (int)((hash >> 8) % 150);
    *b = 20 + (int)((hash >> 16) % 55);
}

typedef struct layout {
    FILE *out;
    double total;
    double scale;               /* pixels per unit of value */
    size_t depth;
    const char *unit;
} layout;

static void draw(const layout *l, const flame_node *node, double x, size_t level)
{
    double width = node->value * l->scale;
    if (width < 0.3)
        return;
    double y = TITLE_HEIGHT + (double)(l->depth - 1 - level) * FRAME_HEIGHT;
    int r, g, b;
    colour(node->name, &r, &g, &b);
    fprintf(l->out, "<g><title>");
    put_escaped(l->out, node->name, (size_t)-1);
    fprintf(l->out, " (%.0f %s, %.2f%%)</title>", node->value, l->unit,
            l->total > 0 ? 100.0 * node->value / l->total : 0.0);
    fprintf(l->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
            "fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>", x, y, width, FRAME_HEIGHT - 1, r, g, b);
    size_t fits = (size_t)(width / CHAR_WIDTH);
    if (fits >= 3) {
        fprintf(l->out, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FRAME_HEIGHT - 4);
        size_t length = strlen(node->name);
        put_escaped(l->out, node->name, length <= fits ? length : fits - 2);
        if (length > fits)
            fputs("..", l->out);
        fputs("</text>", l->out);
    }
    fputs("</g>\n", l->out);
    double child_x = x;
    for (size_t i = 0; i < node->n_children; i++) {
        draw(l, node->children[i], child_x, level + 1);
        child_x += node->children[i]->value * l->scale;
    }
}

void flame_write_svg(const flame_node *root, FILE *out, const char *title, const char *unit)
{
    size_t depth = depth_of(root);
    int height = TITLE_HEIGHT + (int)depth * FRAME_HEIGHT + MARGIN;
    fprintf(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
            "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n"
            "<style>text { font-family: monospace; font-size: 12px; fill: black; } "
            "g:hover rect { stroke: black; stroke-width: 0.5; }</style>\n"
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(250,250,240)\"/>\n"
            "<text x=\"%d\" y=\"24\" style=\"font-size: 17px\">",
            WIDTH, height, WIDTH, height, WIDTH, height, MARGIN);
    put_escaped(out, title, (size_t)-1);
    fputs("</text>\n", out);
    layout l = {
        .out = out, .total = root->value, .depth = depth, .unit = unit,
        .scale = root->value > 0 ? (WIDTH - 2.0 * MARGIN) / root->value : 0,
    };
    draw(&l, root, MARGIN, 0);
    fputs("</svg>\n", out);
}
