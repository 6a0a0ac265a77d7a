/* check_ir.c -- freeing a function's graph, and the list of findings. */
#include "check_ir.h"

#include <stdarg.h>
#include <stdlib.h>

#include "strbuf.h"
#include "xalloc.h"

void function_ir_free(function_ir *fn)
{
    for (size_t i = 0; i < fn->n_vars; i++) {
        free(fn->vars[i].name);
        free(fn->vars[i].type);
    }
    for (size_t i = 0; i < fn->n_blocks; i++) {
        free(fn->blocks[i].events);
        free(fn->blocks[i].succ);
    }
    for (size_t i = 0; i < fn->n_sites; i++) {
        free(fn->sites[i].callee);
        free(fn->sites[i].alloc_text);
        free(fn->sites[i].saved);   /* the names belong to the frames */
    }
    for (size_t i = 0; i < fn->n_frames; i++) {
        for (size_t k = 0; k < fn->frames[i].n_names; k++)
            free(fn->frames[i].names[k]);
        free(fn->frames[i].names);
    }
    free(fn->name);
    free(fn->vars);
    free(fn->blocks);
    free(fn->sites);
    free(fn->frames);
}

void findings_add(findings *f, finding_kind kind, const char *rule,
                  check_loc loc, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    f->items = xrealloc(f->items, (f->n + 1) * sizeof *f->items);
    f->items[f->n++] = (finding){ kind, rule, loc, xstrdup(sb_text(&sb)) };
    sb_free(&sb);
}

void findings_free(findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->items[i].message);
    free(f->items);
    f->items = NULL;
    f->n = 0;
}
