/* check_flow.c -- the two analyses over a function's graph.
 *
 * The shadow stack runs first, forward: the stack of open TGC_SAVE frames
 * is the same on every path to a point, or the paths that join there are
 * reported (one path left a frame open, or closed one another did not).
 * A TGC_RESTORE must pop a frame naming the same variables in the same
 * order; a return must find the stack empty.  It also records, at each
 * call that may collect, which names are saved there, for the wording of
 * the root rule.
 *
 * Stale pointers are a forward "may" analysis: per variable, whether it
 * may hold a non-null pointer, and whether it may be stale (a call that
 * may collect ran since it was last written), with the first such call.
 * A read of a variable that may be stale is reported once per variable
 * and call.  Null constants are tracked so that `Node *prev = NULL` kept
 * across an allocation is not reported: a collection cannot move NULL. */
#include "check_flow.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- the shadow stack ------------------------------------------------------- */

typedef struct stack_state {
    bool reached;
    int *frames;                /* open TGC_SAVE frames, bottom first */
    size_t depth;
    size_t marks[MAX_ROOT_MARKS]; /* each mark variable's depth */
} stack_state;

static void stack_copy(stack_state *to, const stack_state *from)
{
    to->reached = true;
    to->depth = from->depth;
    memcpy(to->marks, from->marks, sizeof to->marks);
    to->frames = xrealloc(to->frames, (from->depth + 1) * sizeof *to->frames);
    if (from->depth > 0)
        memcpy(to->frames, from->frames, from->depth * sizeof *from->frames);
}

static bool frames_match(const root_frame *save, const root_frame *restore);

/* Two stacks are the same when their frames name the same variables: a
 * loop may close its frame and open it again before looping back. */
static bool stack_same(const function_ir *fn, const stack_state *a, const stack_state *b)
{
    if (a->depth != b->depth)
        return false;
    for (size_t i = 0; i < a->depth; i++)
        if (!frames_match(&fn->frames[a->frames[i]], &fn->frames[b->frames[i]]))
            return false;
    return true;
}

/* "TGC_SAVE(a, b)" as the frame names them. */
static void frame_text(strbuf *sb, const root_frame *f, bool restore)
{
    sb_printf(sb, "%s%s(", restore ? "TGC_RESTORE" : "TGC_SAVE",
              f->is_array ? "_ARRAY" : "");
    for (size_t i = 0; i < f->n_names; i++)
        sb_printf(sb, "%s%s", i > 0 ? ", " : "", f->names[i]);
    sb_puts(sb, ")");
}

/* "TGC_SAVE(a) of line 10, TGC_SAVE(b) of line 12", or "none". */
static void stack_text(strbuf *sb, const function_ir *fn, const stack_state *s)
{
    if (s->depth == 0)
        sb_puts(sb, "none");
    for (size_t i = 0; i < s->depth; i++) {
        const root_frame *f = &fn->frames[s->frames[i]];
        if (i > 0)
            sb_puts(sb, ", ");
        frame_text(sb, f, false);
        sb_printf(sb, " of line %u", f->loc.line);
    }
}

static bool frames_match(const root_frame *save, const root_frame *restore)
{
    if (save->is_array != restore->is_array || save->n_names != restore->n_names)
        return false;
    for (size_t i = 0; i < save->n_names; i++)
        if (strcmp(save->names[i], restore->names[i]) != 0)
            return false;
    return true;
}

/* Reported places, so that a path met twice is reported once. */
typedef struct seen {
    check_loc *locs;
    size_t n;
} seen;

static bool first_time(seen *s, check_loc loc)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->locs[i].line == loc.line && s->locs[i].column == loc.column)
            return false;
    s->locs = xrealloc(s->locs, (s->n + 1) * sizeof *s->locs);
    s->locs[s->n++] = loc;
    return true;
}

static void record_saved_names(collect_site *site, const function_ir *fn,
                               const stack_state *s)
{
    for (size_t i = 0; i < s->depth; i++) {
        const root_frame *f = &fn->frames[s->frames[i]];
        for (size_t k = 0; k < f->n_names; k++) {
            site->saved = xrealloc(site->saved, (site->n_saved + 1) * sizeof *site->saved);
            site->saved[site->n_saved++] = f->names[k];
        }
    }
}

static void stack_event(function_ir *fn, const event *ev, stack_state *s,
                        findings *out, seen *reported)
{
    strbuf sb = STRBUF_INIT;
    switch (ev->kind) {
    case EV_SAVE:
        s->frames = xrealloc(s->frames, (s->depth + 1) * sizeof *s->frames);
        s->frames[s->depth++] = ev->index;
        break;
    case EV_RESTORE: {
        const root_frame *restore = &fn->frames[ev->index];
        if (s->depth == 0) {
            if (first_time(reported, ev->loc)) {
                frame_text(&sb, restore, true);
                findings_add(out, FINDING_ERROR, "shadow-stack", ev->loc,
                             "%s with no TGC_SAVE open on this path: it pops "
                             "the caller's frame", sb_text(&sb));
            }
            break;
        }
        const root_frame *save = &fn->frames[s->frames[--s->depth]];
        if (!frames_match(save, restore) && first_time(reported, ev->loc)) {
            frame_text(&sb, restore, true);
            sb_puts(&sb, " does not match ");
            frame_text(&sb, save, false);
            sb_printf(&sb, " of line %u: restore the same variables in the "
                      "same order (", save->loc.line);
            frame_text(&sb, save, true);
            sb_puts(&sb, ")");
            findings_add(out, FINDING_ERROR, "shadow-stack", ev->loc, "%s", sb_text(&sb));
        }
        break;
    }
    case EV_MARK:
        s->marks[ev->index] = s->depth;
        break;
    case EV_RESET: {
        size_t depth = ev->index >= 0 ? s->marks[ev->index] : 0;
        if (depth < s->depth)
            s->depth = depth;
        break;
    }
    case EV_COLLECT:
        record_saved_names(&fn->sites[ev->index], fn, s);
        break;
    case EV_RETURN:
        if (s->depth > 0 && first_time(reported, ev->loc)) {
            stack_text(&sb, fn, s);
            findings_add(out, FINDING_ERROR, "shadow-stack", ev->loc,
                         "this return leaves %s on the shadow stack: restore "
                         "before returning", sb_text(&sb));
        }
        break;
    default:
        break;
    }
    sb_free(&sb);
}

static void check_shadow_stack(function_ir *fn, findings *out)
{
    stack_state *in = xcalloc(fn->n_blocks, sizeof *in);
    int *work = xmalloc(fn->n_blocks * sizeof *work);
    size_t n_work = 0;
    seen reported = { NULL, 0 };
    stack_state s = { .reached = true };
    in[BLOCK_ENTRY].reached = true;
    work[n_work++] = BLOCK_ENTRY;
    /* each block is entered with the first state that reaches it; a later
     * path that differs is reported, not merged */
    while (n_work > 0) {
        int bi = work[--n_work];
        const block *bl = &fn->blocks[bi];
        stack_copy(&s, &in[bi]);
        for (size_t i = 0; i < bl->n_events; i++)
            stack_event(fn, &bl->events[i], &s, out, &reported);
        for (size_t i = 0; i < bl->n_succ; i++) {
            const edge *e = &bl->succ[i];
            if (e->to == BLOCK_EXIT)
                continue;
            if (!in[e->to].reached) {
                stack_copy(&in[e->to], &s);
                work[n_work++] = e->to;
            } else if (!stack_same(fn, &in[e->to], &s) && first_time(&reported, e->loc)) {
                strbuf here = STRBUF_INIT, there = STRBUF_INIT;
                stack_text(&here, fn, &s);
                stack_text(&there, fn, &in[e->to]);
                findings_add(out, FINDING_ERROR, "shadow-stack", e->loc,
                             "the shadow stack differs between the paths that "
                             "join after this point: this one has %s open, "
                             "another %s; every path must restore what it saved",
                             sb_text(&here), sb_text(&there));
                sb_free(&here);
                sb_free(&there);
            }
        }
    }
    for (size_t i = 0; i < fn->n_blocks; i++)
        free(in[i].frames);
    free(in);
    free(s.frames);
    free(work);
    free(reported.locs);
}

/* ---- stale pointers ---------------------------------------------------------- */

typedef struct flow_state {
    bool reached;
    unsigned char *nonnull;     /* may hold a non-null pointer */
    int *stale;                 /* the first call since its last write, or -1 */
} flow_state;

static void state_init(flow_state *s, size_t n_vars)
{
    s->reached = false;
    s->nonnull = xcalloc(n_vars + 1, 1);
    s->stale = xmalloc((n_vars + 1) * sizeof *s->stale);
    for (size_t i = 0; i < n_vars; i++)
        s->stale[i] = -1;
}

static void state_free(flow_state *s)
{
    free(s->nonnull);
    free(s->stale);
}

/* Joins `from` into `into`; true if `into` changed. */
static bool state_join(flow_state *into, const flow_state *from, size_t n_vars)
{
    bool changed = !into->reached;
    into->reached = true;
    for (size_t i = 0; i < n_vars; i++) {
        if (from->nonnull[i] && !into->nonnull[i]) {
            into->nonnull[i] = 1;
            changed = true;
        }
        int a = into->stale[i], b = from->stale[i];
        if (b >= 0 && (a < 0 || b < a)) {
            into->stale[i] = b;
            changed = true;
        }
    }
    return changed;
}

/* The first stale read (in the file's order) of each variable after each
 * call, so that a variable is reported once per call, where it is first
 * used. */
typedef struct stale_reporter {
    const event **first;        /* [var * n_sites + site], or NULL */
} stale_reporter;

static bool before(check_loc a, check_loc b)
{
    return a.line < b.line || (a.line == b.line && a.column < b.column);
}

static bool name_saved(const collect_site *site, const char *name)
{
    for (size_t i = 0; i < site->n_saved; i++)
        if (strcmp(site->saved[i], name) == 0)
            return true;
    return false;
}

/* TGC_NEW(T, c, a) with `name` added to its live list. */
static void add_to_live_list(strbuf *sb, const char *call, const char *name)
{
    size_t n = strlen(call);
    sb_append(sb, call, n - 1);
    sb_printf(sb, ", %s)", name);
}

static void report_stale(const function_ir *fn, int v, int site_index,
                         const event *use, findings *out)
{
    const gc_var *var = &fn->vars[v];
    const collect_site *site = &fn->sites[site_index];
    strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "'%s' (%s) is used at line %u after %s%s at line %u, which "
              "may collect and move what it points to: ", var->name, var->type,
              use->loc.line, site->alloc_text != NULL ? "" : "the call to ",
              site->callee, site->loc.line);
    if (name_saved(site, var->name)) {
        sb_printf(&sb, "it is saved there, but only the saved copy is updated; "
                  "use it after its TGC_RESTORE");
    } else if (site->alloc_text != NULL && !var->is_array) {
        sb_printf(&sb, "list it after the cursor: ");
        add_to_live_list(&sb, site->alloc_text, var->name);
    } else if (var->is_array) {
        sb_printf(&sb, "save it around the call: TGC_SAVE_ARRAY(%s, %lld); before "
                  "line %u and TGC_RESTORE_ARRAY(%s, %lld); after it", var->name,
                  var->length, site->loc.line, var->name, var->length);
    } else {
        sb_printf(&sb, "save it around the call: TGC_SAVE(%s); before line %u "
                  "and TGC_RESTORE(%s); after it", var->name, site->loc.line,
                  var->name);
    }
    findings_add(out, FINDING_ERROR, "root", use->loc, "%s", sb_text(&sb));
    sb_free(&sb);
}

static void stale_event(const function_ir *fn, const event *ev, flow_state *s,
                        stale_reporter *r)
{
    switch (ev->kind) {
    case EV_READ:
        if (fn->vars[ev->index].tracked && s->stale[ev->index] >= 0 && r != NULL) {
            const event **first = &r->first[(size_t)ev->index * fn->n_sites +
                                             (size_t)s->stale[ev->index]];
            if (*first == NULL || before(ev->loc, (*first)->loc))
                *first = ev;
        }
        break;
    case EV_WRITE:
        s->stale[ev->index] = -1;
        s->nonnull[ev->index] = !ev->null_value;
        break;
    case EV_WRITE_PART:
        s->nonnull[ev->index] = 1;
        break;
    case EV_COLLECT:
        for (size_t i = 0; i < fn->n_vars; i++)
            if (fn->vars[i].tracked && s->nonnull[i] && s->stale[i] < 0)
                s->stale[i] = ev->index;
        break;
    default:
        break;
    }
}

static void check_stale_pointers(const function_ir *fn, findings *out)
{
    if (fn->n_sites == 0 || fn->n_vars == 0)
        return;
    size_t n_vars = fn->n_vars;
    flow_state *in = xmalloc(fn->n_blocks * sizeof *in);
    for (size_t i = 0; i < fn->n_blocks; i++)
        state_init(&in[i], n_vars);
    in[BLOCK_ENTRY].reached = true;
    flow_state s;
    state_init(&s, n_vars);
    /* round-robin to the fixed point: the graphs are small */
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t bi = 0; bi < fn->n_blocks; bi++) {
            if (!in[bi].reached)
                continue;
            memcpy(s.nonnull, in[bi].nonnull, n_vars);
            memcpy(s.stale, in[bi].stale, n_vars * sizeof *s.stale);
            const block *bl = &fn->blocks[bi];
            for (size_t i = 0; i < bl->n_events; i++)
                stale_event(fn, &bl->events[i], &s, NULL);
            for (size_t i = 0; i < bl->n_succ; i++)
                changed |= state_join(&in[bl->succ[i].to], &s, n_vars);
        }
    }
    stale_reporter r = { xcalloc(n_vars * fn->n_sites, sizeof *r.first) };
    for (size_t bi = 0; bi < fn->n_blocks; bi++) {
        if (!in[bi].reached)
            continue;
        memcpy(s.nonnull, in[bi].nonnull, n_vars);
        memcpy(s.stale, in[bi].stale, n_vars * sizeof *s.stale);
        const block *bl = &fn->blocks[bi];
        for (size_t i = 0; i < bl->n_events; i++)
            stale_event(fn, &bl->events[i], &s, &r);
    }
    for (size_t v = 0; v < n_vars; v++)
        for (size_t site = 0; site < fn->n_sites; site++)
            if (r.first[v * fn->n_sites + site] != NULL)
                report_stale(fn, (int)v, (int)site, r.first[v * fn->n_sites + site], out);
    free(r.first);
    state_free(&s);
    for (size_t i = 0; i < fn->n_blocks; i++)
        state_free(&in[i]);
    free(in);
}

void check_flow(function_ir *fn, findings *out)
{

    check_shadow_stack(fn, out);
    check_stale_pointers(fn, out);
}
