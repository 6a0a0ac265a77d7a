/* heap_main.c -- `typegc heap FILE [--top N] [--type T]`: what a heap dump
 * holds, per type and largest first, and for type T the paths from the
 * roots that keep its objects alive and what its objects retain.
 *
 * Paths and retained sizes follow the dump's spanning tree: each object's
 * parent is the record that reached it first in the breadth-first walk,
 * so its chain of parents is a shortest path from a root.  "Retained by
 * T" is the bytes of T's objects and of everything below them in that
 * tree: exactly what would become garbage without them when the heap is a
 * tree, an approximation (an upper bound of the dominator-tree figure)
 * when objects are shared.  Memory: a few words per type, and with --type
 * four bytes per object. */
#include "memview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "diag.h"
#include "heap_file.h"
#include "xalloc.h"

static const char usage[] = "usage: typegc heap FILE [--top N] [--type T]\n";

static const char help[] =
    "\n"
    "Reads a heap dump written by tgc_dump_heap() or TYPEGC_DUMP_HEAP_AT_EXIT\n"
    "and prints the objects and bytes per type and the largest objects.\n"
    "\n"
    "  --top N    rows per table (default 20)\n"
    "  --type T   also the paths from the roots that keep T's objects alive\n"
    "             (shortest, type by type, 'T+' for a run of T), and the\n"
    "             bytes T's objects retain, by type\n"
    "\n"
    "Exit status: 0, 1 if FILE cannot be read or is not a valid dump, or has\n"
    "no type T; 2 if the command line is wrong.\n";

/* ---- Paths from the roots, interned ---------------------------------------- */

#define NO_PATH 0u
#define RETAINED_BIT 0x80000000u

typedef struct path_node {
    uint32_t prev;              /* NO_PATH: starts at a root */
    uint32_t type;
    bool run;                   /* "T+": more than one T in a row */
} path_node;

typedef struct paths {
    path_node *nodes;           /* [0] unused: NO_PATH */
    size_t count, capacity;
    uint32_t *slots;            /* hash of nodes, 0: empty */
    size_t n_slots;
    uint64_t *objects, *bytes;  /* of the chosen type, per path */
} paths;

static uint64_t node_hash(path_node n)
{
    return ((uint64_t)n.prev * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)n.type << 1) ^ n.run;
}

static void rehash(paths *p)
{
    free(p->slots);
    p->n_slots = p->n_slots ? p->n_slots * 2 : 1024;
    p->slots = xcalloc(p->n_slots, sizeof(uint32_t));
    for (uint32_t id = 1; id < p->count; id++) {
        size_t i = node_hash(p->nodes[id]) & (p->n_slots - 1);
        while (p->slots[i] != 0)
            i = (i + 1) & (p->n_slots - 1);
        p->slots[i] = id;
    }
}

static uint32_t intern(paths *p, path_node n)
{
    if (2 * p->count >= p->n_slots)
        rehash(p);
    size_t i = node_hash(n) & (p->n_slots - 1);
    for (; p->slots[i] != 0; i = (i + 1) & (p->n_slots - 1)) {
        const path_node *m = &p->nodes[p->slots[i]];
        if (m->prev == n.prev && m->type == n.type && m->run == n.run)
            return p->slots[i];
    }
    if (p->count >= p->capacity) {
        p->capacity = p->capacity ? p->capacity * 2 : 1024;
        p->nodes = xrealloc(p->nodes, p->capacity * sizeof(path_node));
        p->objects = xrealloc(p->objects, p->capacity * sizeof(uint64_t));
        p->bytes = xrealloc(p->bytes, p->capacity * sizeof(uint64_t));
    }
    uint32_t id = (uint32_t)p->count++;
    p->nodes[id] = n;
    p->objects[id] = p->bytes[id] = 0;
    p->slots[i] = id;
    return id;
}

/* The path of an object of `type` whose parent's path is `parent`. */
static uint32_t extend(paths *p, uint32_t parent, uint32_t type)
{
    if (parent != NO_PATH && p->nodes[parent].type == type)
        return intern(p, (path_node){ p->nodes[parent].prev, type, true });
    return intern(p, (path_node){ parent, type, false });
}

/* ---- The visitor ---------------------------------------------------------------- */

typedef struct stats {
    const heap_dump *dump;
    size_t n_types;             /* 0 until the first object */
    uint64_t *objects, *bytes;  /* per type */
    heap_object *largest;       /* a min-heap of the `top` largest */
    size_t n_largest, top;
    const char *chosen_name;    /* --type, or NULL */
    int64_t chosen;             /* its index; -1 if not in the dump */
    uint32_t *path_of;          /* per object (index - 1), RETAINED_BIT if retained */
    size_t path_capacity;
    paths paths;
    uint64_t *retained_objects, *retained_bytes;   /* per type */
} stats;

static void start(stats *s)
{
    const heap_dump *d = s->dump;
    s->n_types = d->n_types + 1;
    s->objects = xcalloc(s->n_types, sizeof(uint64_t));
    s->bytes = xcalloc(s->n_types, sizeof(uint64_t));
    s->retained_objects = xcalloc(s->n_types, sizeof(uint64_t));
    s->retained_bytes = xcalloc(s->n_types, sizeof(uint64_t));
    s->chosen = -1;
    for (size_t i = 0; s->chosen_name != NULL && i < d->n_types; i++)
        if (strcmp(d->types[i].name, s->chosen_name) == 0)
            s->chosen = (int64_t)i;
    s->paths.count = 1;         /* NO_PATH */
}

static void sift_down(heap_object *h, size_t n, size_t i)
{
    for (;;) {
        size_t smallest = i, l = 2 * i + 1, r = l + 1;
        if (l < n && h[l].size < h[smallest].size)
            smallest = l;
        if (r < n && h[r].size < h[smallest].size)
            smallest = r;
        if (smallest == i)
            return;
        heap_object t = h[i];
        h[i] = h[smallest];
        h[smallest] = t;
        i = smallest;
    }
}

static void keep_if_large(stats *s, const heap_object *o)
{
    if (s->n_largest < s->top) {
        size_t i = s->n_largest++;
        s->largest[i] = *o;
        while (i > 0 && s->largest[(i - 1) / 2].size > s->largest[i].size) {
            heap_object t = s->largest[i];
            s->largest[i] = s->largest[(i - 1) / 2];
            s->largest[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    } else if (o->size > s->largest[0].size) {
        s->largest[0] = *o;
        sift_down(s->largest, s->n_largest, 0);
    }
}

/* Parents come before their objects, so the parent's path is known. */
static void follow_path(stats *s, const heap_object *o)
{
    if (o->index > s->path_capacity) {
        s->path_capacity = s->path_capacity ? s->path_capacity * 2 : 1 << 16;
        s->path_of = xrealloc(s->path_of, s->path_capacity * sizeof(uint32_t));
    }
    uint32_t parent = o->parent == 0 ? NO_PATH : s->path_of[o->parent - 1];
    bool retained = (parent & RETAINED_BIT) || o->type == (uint32_t)s->chosen;
    uint32_t path = extend(&s->paths, parent & ~RETAINED_BIT, o->type);
    s->path_of[o->index - 1] = path | (retained ? RETAINED_BIT : 0);
    if (o->type == (uint32_t)s->chosen) {
        s->paths.objects[path]++;
        s->paths.bytes[path] += o->size;
    }
    if (retained) {
        s->retained_objects[o->type]++;
        s->retained_bytes[o->type] += o->size;
    }
}

static void visit(const heap_object *o, void *arg)
{
    stats *s = arg;
    if (s->n_types == 0)
        start(s);
    s->objects[o->type]++;
    s->bytes[o->type] += o->size;
    keep_if_large(s, o);
    if (s->chosen >= 0)
        follow_path(s, o);
}

/* ---- The report ----------------------------------------------------------------- */

typedef struct ranked {
    size_t index;
    uint64_t objects, bytes;
} ranked;

static int by_bytes(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void print_by_type(const stats *s, const uint64_t *objects, const uint64_t *bytes,
                          uint64_t total)
{
    const heap_dump *d = s->dump;
    ranked *rows = xcalloc(d->n_types + 1, sizeof(ranked));
    size_t n = 0;
    for (size_t i = 0; i < d->n_types; i++)
        if (objects[i] != 0)
            rows[n++] = (ranked){ i, objects[i], bytes[i] };
    qsort(rows, n, sizeof(ranked), by_bytes);
    printf("%12s %14s %7s  %s\n", "objects", "bytes", "%", "type");
    for (size_t i = 0; i < n && i < s->top; i++)
        printf("%12llu %14llu %6.2f%%  %s\n", (unsigned long long)rows[i].objects,
               (unsigned long long)rows[i].bytes,
               total ? 100.0 * (double)rows[i].bytes / (double)total : 0.0,
               d->types[rows[i].index].name);
    if (n > s->top)
        printf("%12s %14s %7s  (%zu more)\n", "", "", "", n - s->top);
    free(rows);
}

static int by_size_down(const void *a, const void *b)
{
    const heap_object *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A path, root first; a long one (types alternating down a long chain)
 * with its middle left out. */
static void print_path(const stats *s, uint32_t id)
{
    enum { SHOWN = 24 };
    uint32_t last[SHOWN];
    size_t length = 0;
    for (uint32_t at = id; at != NO_PATH; at = s->paths.nodes[at].prev, length++)
        if (length < SHOWN)
            last[length] = at;      /* the object's end: last[0] is its own type */
    printf("root");
    if (length > SHOWN)
        printf(" -> ... (%zu more)", length - SHOWN);
    size_t shown = length < SHOWN ? length : SHOWN;
    for (size_t k = shown; k > 0; k--) {
        const path_node *n = &s->paths.nodes[last[k - 1]];
        printf(" -> %s%s", s->dump->types[n->type].name, n->run ? "+" : "");
    }
}

static void print_paths(const stats *s)
{
    ranked *rows = xcalloc(s->paths.count + 1, sizeof(ranked));
    size_t n = 0;
    for (size_t id = 1; id < s->paths.count; id++)
        if (s->paths.objects[id] != 0)
            rows[n++] = (ranked){ id, s->paths.objects[id], s->paths.bytes[id] };
    qsort(rows, n, sizeof(ranked), by_bytes);
    printf("\npaths from the roots to %s objects (shortest; T+ is a run of T):\n",
           s->chosen_name);
    printf("%12s %14s  %s\n", "objects", "bytes", "path");
    for (size_t i = 0; i < n && i < s->top; i++) {
        printf("%12llu %14llu  ", (unsigned long long)rows[i].objects,
               (unsigned long long)rows[i].bytes);
        print_path(s, (uint32_t)rows[i].index);
        putchar('\n');
    }
    if (n > s->top)
        printf("%12s %14s  (%zu more)\n", "", "", n - s->top);
    free(rows);
}

static void report(const stats *s, const char *path)
{
    const heap_dump *d = s->dump;
    printf("%s: %llu objects, %llu bytes, %llu root slots\n\n", path,
           (unsigned long long)d->objects, (unsigned long long)d->bytes,
           (unsigned long long)d->roots);
    if (d->objects == 0)
        return;
    print_by_type(s, s->objects, s->bytes, d->bytes);
    qsort(s->largest, s->n_largest, sizeof(heap_object), by_size_down);
    printf("\nlargest objects:\n%14s  %-18s  %s\n", "bytes", "address", "type");
    for (size_t i = 0; i < s->n_largest; i++)
        printf("%14llu  0x%016llx  %s\n", (unsigned long long)s->largest[i].size,
               (unsigned long long)s->largest[i].address, d->types[s->largest[i].type].name);
    if (s->chosen < 0)
        return;
    print_paths(s);
    uint64_t retained = 0, retained_objects = 0;
    for (size_t i = 0; i < d->n_types; i++) {
        retained += s->retained_bytes[i];
        retained_objects += s->retained_objects[i];
    }
    printf("\nretained by %s objects: %llu bytes in %llu objects (%.2f%% of the heap;\n"
           "what they and the objects first reached through them hold):\n", s->chosen_name,
           (unsigned long long)retained, (unsigned long long)retained_objects,
           100.0 * (double)retained / (double)d->bytes);
    print_by_type(s, s->retained_objects, s->retained_bytes, retained);
}

static void free_stats(stats *s)
{
    free(s->objects);
    free(s->bytes);
    free(s->largest);
    free(s->path_of);
    free(s->paths.nodes);
    free(s->paths.slots);
    free(s->paths.objects);
    free(s->paths.bytes);
    free(s->retained_objects);
    free(s->retained_bytes);
}

int heap_main(int argc, char **argv)
{
    const char *path = NULL, *top_text = NULL, *type = NULL;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf("%s%s", usage, help);
            return 0;
        }
        if (strcmp(arg, "--top") == 0) {
            if (!args_take_value(argc, argv, &i, &top_text, usage))
                return 2;
        } else if (strcmp(arg, "--type") == 0) {
            if (!args_take_value(argc, argv, &i, &type, usage))
                return 2;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            args_misuse(usage, "unknown option '%s'", arg);
            return 2;
        } else if (path != NULL) {
            args_misuse(usage, "heap: one file at a time; '%s' is a second", arg);
            return 2;
        } else {
            path = arg;
        }
    }
    if (path == NULL) {
        args_misuse(usage, "heap: no dump file given");
        return 2;
    }
    stats s = { .top = 20, .chosen_name = type, .chosen = -1 };
    if (top_text != NULL && !memview_parse_count(top_text, &s.top)) {
        args_misuse(usage, "--top '%s': a number from 1", top_text);
        return 2;
    }
    uint8_t *data;
    size_t size;
    if (!memview_map_file(path, &data, &size))
        return 1;
    heap_dump d;
    s.dump = &d;
    s.largest = xcalloc(s.top, sizeof(heap_object));
    char error[200];
    bool ok = heap_parse(data, size, &d, visit, &s, error, sizeof error);
    memview_unmap(data, size);
    int status = 0;
    if (!ok) {
        diag_tool("%s: not a valid heap dump: %s", path, error);
        status = 1;
    } else if (type != NULL && s.chosen < 0 && d.objects > 0) {
        diag_tool("%s: no object of type '%s' in the dump", path, type);
        status = 1;
    } else {
        if (s.n_types == 0)
            start(&s);
        report(&s, path);
    }
    free_stats(&s);
    heap_free(&d);
    return status;
}
