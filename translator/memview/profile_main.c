/* profile_main.c -- `typegc profile FILE [--binary BIN] [--top N]
 * [--folded OUT] [--svg OUT]`: what TYPEGC_PROFILE sampled, as tables of
 * estimated bytes and objects per type and per allocation site, folded
 * stacks for flame-graph tools, and a flame graph drawn as SVG.
 *
 * Each sample stands for size / (1 - exp(-size / period)) bytes
 * (profile_sample_weight): small objects for about one period each, an
 * object larger than the period for itself. */
#include "memview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "diag.h"
#include "flamegraph.h"
#include "profile_file.h"
#include "strbuf.h"
#include "strmap.h"
#include "symbols.h"
#include "xalloc.h"

static const char usage[] =
    "usage: typegc profile FILE [--binary BIN] [--top N] [--folded OUT] [--svg OUT]\n";

static const char help[] =
    "\n"
    "Reads a profile written by a program run with TYPEGC_PROFILE=FILE and\n"
    "prints the estimated bytes and objects allocated per type and per\n"
    "allocation site (the function that allocated, with file:line where\n"
    "the binary has debug info and addr2line is installed).\n"
    "\n"
    "  --binary BIN  the program's binary, if it is no longer at the path\n"
    "                the profile recorded\n"
    "  --top N       rows per table (default 20)\n"
    "  --folded OUT  write the stacks in the folded format of flame-graph\n"
    "                tools (frames root first, the type last, estimated bytes)\n"
    "  --svg OUT     draw the flame graph as SVG, to open in a browser\n"
    "                (OUT '-': standard output)\n"
    "\n"
    "Exit status: 0, 1 if FILE cannot be read or is not a valid profile,\n"
    "2 if the command line is wrong.\n";

typedef struct options {
    const char *path, *binary, *folded, *svg, *top;
} options;

/* ---- Names for addresses --------------------------------------------------- */

typedef struct module {
    const char *path;           /* the file read */
    symtab symbols;
    bool loaded;
} module;

typedef struct namer {
    const profile *p;
    module *modules;            /* one per segment */
    char **names;               /* per frame of p->frames */
    char **lines;               /* per frame: file:line, or NULL */
} namer;

static const prof_segment *segment_of(const profile *p, uint64_t address, size_t *index)
{
    for (size_t i = 0; i < p->n_segments; i++)
        if (address >= p->segments[i].start && address < p->segments[i].end) {
            *index = i;
            return &p->segments[i];
        }
    return NULL;
}

/* The segments of one file share its symbols: loaded once, for the first. */
static module *module_for(namer *n, size_t segment)
{
    const profile *p = n->p;
    for (size_t i = 0; i < segment; i++)
        if (strcmp(p->segments[i].path, p->segments[segment].path) == 0)
            return &n->modules[i];
    return &n->modules[segment];
}

static void load_modules(namer *n, const char *binary)
{
    const profile *p = n->p;
    n->modules = xcalloc(p->n_segments + 1, sizeof(module));
    for (size_t i = 0; i < p->n_segments; i++) {
        module *m = module_for(n, i);
        if (m != &n->modules[i])
            continue;
        /* the first object is the program itself */
        bool main_program = strcmp(p->segments[i].path, p->segments[0].path) == 0;
        m->path = binary != NULL && main_program ? binary : p->segments[i].path;
        char error[512];
        m->loaded = symtab_load(m->path, &m->symbols, error, sizeof error);
        if (!m->loaded && main_program)
            diag_tool("warning: %s; functions of the program are shown as addresses", error);
    }
}

static void name_frames(namer *n)
{
    const profile *p = n->p;
    n->names = xcalloc(p->n_frames + 1, sizeof(char *));
    n->lines = xcalloc(p->n_frames + 1, sizeof(char *));
    for (size_t i = 0; i < p->n_frames; i++) {
        /* a return address: the call is the byte before it */
        uint64_t address = p->frames[i] - 1;
        size_t index;
        const prof_segment *s = segment_of(p, address, &index);
        strbuf name = STRBUF_INIT;
        if (s == NULL) {
            sb_printf(&name, "0x%llx", (unsigned long long)address);
        } else {
            const module *m = module_for(n, index);
            const symbol *sym = m->loaded ? symtab_lookup(&m->symbols, address - s->bias) : NULL;
            if (sym != NULL) {
                sb_puts(&name, sym->name);
            } else {
                const char *base = strrchr(s->path, '/');
                sb_printf(&name, "%s+0x%llx", base != NULL ? base + 1 : s->path,
                          (unsigned long long)(address - s->bias));
            }
        }
        n->names[i] = xstrdup(sb_text(&name));
        sb_free(&name);
    }
}

/* file:line of each sample's allocating frame, one addr2line run per file. */
static void find_lines(namer *n)
{
    const profile *p = n->p;
    size_t *frames = xcalloc(p->n_samples + 1, sizeof(size_t));
    uint64_t *addresses = xcalloc(p->n_samples + 1, sizeof(uint64_t));
    char **found = xcalloc(p->n_samples + 1, sizeof(char *));
    for (size_t seg = 0; seg < p->n_segments; seg++) {
        module *m = module_for(n, seg);
        if (m != &n->modules[seg])
            continue;
        size_t count = 0;
        for (size_t i = 0; i < p->n_samples; i++) {
            const prof_sample *s = &p->samples[i];
            size_t index;
            if (s->depth == 0 || n->lines[s->first_frame] != NULL)
                continue;
            uint64_t address = p->frames[s->first_frame] - 1;
            const prof_segment *in = segment_of(p, address, &index);
            if (in == NULL || module_for(n, index) != m)
                continue;
            frames[count] = s->first_frame;
            addresses[count++] = address - in->bias;
        }
        if (count == 0 || !symbols_lines(m->path, addresses, count, found))
            continue;
        for (size_t k = 0; k < count; k++) {
            if (n->lines[frames[k]] == NULL)
                n->lines[frames[k]] = found[k];
            else
                free(found[k]);
        }
    }
    free(frames);
    free(addresses);
    free(found);
}

static void free_namer(namer *n)
{
    for (size_t i = 0; i < n->p->n_frames; i++) {
        free(n->names[i]);
        free(n->lines[i]);
    }
    for (size_t i = 0; i < n->p->n_segments; i++)
        symtab_free(&n->modules[i].symbols);
    free(n->names);
    free(n->lines);
    free(n->modules);
}

/* ---- Tables --------------------------------------------------------------------- */

typedef struct row {
    char *key;
    double bytes, objects;
    size_t samples;
} row;

typedef struct table {
    strmap index;
    row *rows;
    size_t count, capacity;
} table;

static void add_row(table *t, const char *key, double bytes, double objects)
{
    size_t i = strmap_get(&t->index, key);
    if (i == STRMAP_NONE) {
        if (t->count == t->capacity) {
            t->capacity = t->capacity ? t->capacity * 2 : 16;
            t->rows = xrealloc(t->rows, t->capacity * sizeof(row));
        }
        i = t->count++;
        t->rows[i] = (row){ .key = xstrdup(key) };
        strmap_add(&t->index, key, i);
    }
    t->rows[i].bytes += bytes;
    t->rows[i].objects += objects;
    t->rows[i].samples++;
}

static int by_bytes(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void print_table(table *t, const char *heading, double total, size_t top)
{
    qsort(t->rows, t->count, sizeof(row), by_bytes);
    printf("\n%-14s %7s %14s %8s  %s\n", "bytes (est.)", "%", "objects (est.)", "samples",
           heading);
    for (size_t i = 0; i < t->count && i < top; i++)
        printf("%14.0f %6.2f%% %14.0f %8zu  %s\n", t->rows[i].bytes,
               total > 0 ? 100.0 * t->rows[i].bytes / total : 0.0, t->rows[i].objects,
               t->rows[i].samples, t->rows[i].key);
    if (t->count > top)
        printf("%14s %7s %14s %8s  (%zu more)\n", "", "", "", "", t->count - top);
}

static void free_table(table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->rows[i].key);
    free(t->rows);
    strmap_free(&t->index);
}

/* ---- Folded stacks and the flame graph -------------------------------------- */

/* The stack of sample `s`, root first, its type as the last frame. */
static size_t stack_of(const namer *n, const prof_sample *s, const char **frames)
{
    size_t k = 0;
    for (uint32_t i = s->depth; i > 0; i--)
        frames[k++] = n->names[s->first_frame + i - 1];
    frames[k++] = profile_type_name(n->p, s->type_id);
    return k;
}

static bool write_folded(const namer *n, const char *path)
{
    const profile *p = n->p;
    table folded = { STRMAP_INIT, NULL, 0, 0 };
    const char **frames = xcalloc(1025 + 1, sizeof(char *));
    for (size_t i = 0; i < p->n_samples; i++) {
        size_t k = stack_of(n, &p->samples[i], frames);
        strbuf line = STRBUF_INIT;
        for (size_t j = 0; j < k; j++)
            sb_printf(&line, "%s%s", j ? ";" : "", frames[j]);
        add_row(&folded, sb_text(&line), profile_sample_weight(p, &p->samples[i]), 0);
        sb_free(&line);
    }
    free(frames);
    FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    bool ok = out != NULL;
    for (size_t i = 0; ok && i < folded.count; i++)
        fprintf(out, "%s %.0f\n", folded.rows[i].key, folded.rows[i].bytes);
    if (out != NULL && out != stdout)
        ok = fclose(out) == 0;
    free_table(&folded);
    if (!ok)
        diag_tool("cannot write '%s'", path);
    return ok;
}

static bool write_svg(const namer *n, const char *path, const char *profile_path)
{
    const profile *p = n->p;
    flame_node *root = flame_new();
    const char **frames = xcalloc(1025 + 1, sizeof(char *));
    for (size_t i = 0; i < p->n_samples; i++) {
        size_t k = stack_of(n, &p->samples[i], frames);
        flame_add(root, frames, k, profile_sample_weight(p, &p->samples[i]));
    }
    free(frames);
    FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    bool ok = out != NULL;
    if (ok) {
        strbuf title = STRBUF_INIT;
        sb_printf(&title, "Allocations: %s (estimated bytes)", profile_path);
        flame_write_svg(root, out, sb_text(&title), "bytes");
        sb_free(&title);
        if (out != stdout)
            ok = fclose(out) == 0;
    }
    flame_free(root);
    if (!ok)
        diag_tool("cannot write '%s'", path);
    return ok;
}

/* ---- The command ---------------------------------------------------------------- */

static void report(const namer *n, const char *path, size_t top)
{
    const profile *p = n->p;
    table types = { STRMAP_INIT, NULL, 0, 0 }, sites = { STRMAP_INIT, NULL, 0, 0 };
    double total = 0;
    for (size_t i = 0; i < p->n_samples; i++) {
        const prof_sample *s = &p->samples[i];
        double bytes = profile_sample_weight(p, s);
        double objects = bytes / (double)s->size;
        total += bytes;
        add_row(&types, profile_type_name(p, s->type_id), bytes, objects);
        strbuf site = STRBUF_INIT;
        if (s->depth == 0)
            sb_puts(&site, "(no stack)");
        else if (n->lines[s->first_frame] != NULL)
            sb_printf(&site, "%s (%s)", n->names[s->first_frame], n->lines[s->first_frame]);
        else
            sb_puts(&site, n->names[s->first_frame]);
        add_row(&sites, sb_text(&site), bytes, objects);
        sb_free(&site);
    }
    printf("%s: %zu samples, one per %llu bytes allocated on average\n", path, p->n_samples,
           (unsigned long long)p->period);
    printf("allocated: %llu bytes counted, %.0f estimated from the samples\n",
           (unsigned long long)p->counted, total);
    print_table(&types, "type", total, top);
    print_table(&sites, "allocation site", total, top);
    free_table(&types);
    free_table(&sites);
}

static bool parse_options(int argc, char **argv, options *o, int *status)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool ok = true;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf("%s%s", usage, help);
            *status = 0;
            return false;
        }
        if (strcmp(arg, "--binary") == 0)
            ok = args_take_value(argc, argv, &i, &o->binary, usage);
        else if (strcmp(arg, "--folded") == 0)
            ok = args_take_value(argc, argv, &i, &o->folded, usage);
        else if (strcmp(arg, "--svg") == 0)
            ok = args_take_value(argc, argv, &i, &o->svg, usage);
        else if (strcmp(arg, "--top") == 0)
            ok = args_take_value(argc, argv, &i, &o->top, usage);
        else if (arg[0] == '-' && arg[1] != '\0')
            return args_misuse(usage, "unknown option '%s'", arg), *status = 2, false;
        else if (o->path != NULL)
            return args_misuse(usage, "profile: one file at a time; '%s' is a second", arg),
                   *status = 2, false;
        else
            o->path = arg;
        if (!ok)
            return *status = 2, false;
    }
    if (o->path == NULL)
        return args_misuse(usage, "profile: no profile file given"), *status = 2, false;
    return true;
}

int profile_main(int argc, char **argv)
{
    options o = { NULL, NULL, NULL, NULL, NULL };
    int status;
    if (!parse_options(argc, argv, &o, &status))
        return status;
    size_t top = 20;
    if (o.top != NULL && !memview_parse_count(o.top, &top))
        return args_misuse(usage, "--top '%s': a number from 1", o.top), 2;
    uint8_t *data;
    size_t size;
    if (!memview_map_file(o.path, &data, &size))
        return 1;
    profile p;
    char error[200];
    bool ok = profile_parse(data, size, &p, error, sizeof error);
    memview_unmap(data, size);
    if (!ok) {
        diag_tool("%s: not a valid profile: %s", o.path, error);
        profile_free(&p);
        return 1;
    }
    namer n = { .p = &p };
    load_modules(&n, o.binary);
    name_frames(&n);
    find_lines(&n);
    report(&n, o.path, top);
    if (o.folded != NULL)
        ok &= write_folded(&n, o.folded);
    if (o.svg != NULL)
        ok &= write_svg(&n, o.svg, o.path);
    free_namer(&n);
    profile_free(&p);
    return ok ? 0 : 1;
}
