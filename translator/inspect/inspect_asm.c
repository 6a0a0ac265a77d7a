/* inspect_asm.c -- the inlined fast paths of a binary, annotated.
 *
 * A fast path is found by its slow path: a conditional jump whose target
 * (or whose fall-through) runs, in straight-line code, into a call to
 * tgc_refill (an allocation: the nursery is full) or to
 * tgc_remember_young_pointer (a write barrier: the object is old).  From
 * that jump the code around it is read by pattern, the way one annotates
 * a listing by hand:
 *
 *   allocation  [load the cursor's free pointer]  lea SIZE(%free),%new
 *               cmp %new,%top (or the top in memory)   jb/ja slow path
 *               then the stores through %free: the header (movq $ID,(%free)),
 *               the fields; %new becomes the free pointer again
 *               (mov %new,%free, or a store into the cursor in memory)
 *   barrier     testb $0x1,0x4(%obj)   jne slow path   then the store
 *
 * The line information of a -g build names what the patterns cannot: the
 * type whose T__init() wrote the header, the setter, the source of each
 * field store.  Then the innermost loop around each fast path (the
 * shortest backward jump over it) is printed whole, with its instruction
 * count per allocation; the slow paths are left out of the count. */
#include "inspect_asm.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "inspect.h"
#include "strbuf.h"
#include "xalloc.h"

#define NONE ((size_t)-1)
#define SLOW_PATH_REACH 64      /* instructions followed to find the call */
#define FAST_PATH_REACH 40      /* instructions read after the branch */
#define BUMP_REACH 8            /* instructions read before the compare */
#define HEADER_SIZE 8           /* tgc_header: tid, then flags */
#define FLAGS_OFFSET 4

typedef enum site_kind { SITE_ALLOC, SITE_BARRIER } site_kind;

/* The runtime functions that are the out-of-line halves of inline code. */
static const struct {
    const char *function;
    site_kind kind;
} slow_functions[] = {
    { "tgc_refill", SITE_ALLOC },
    { "tgc_remember_young_pointer", SITE_BARRIER },
    { "tgc_remember_young_pointer_from_array", SITE_BARRIER },
};

typedef struct slow_path {
    size_t first, last;     /* its first straight-line run of instructions */
    size_t call;
    const char *callee;
    site_kind kind;
    bool resumes;           /* it jumps back to the fast path, at `resume` */
    uint64_t resume;
} slow_path;

typedef struct site {
    site_kind kind;
    size_t branch;          /* the conditional jump to the slow path */
    size_t fast;            /* where the fast path goes on after it */
    bool skips;             /* the branch jumps over an inline slow path */
    slow_path slow;
    char what[64];          /* the type allocated (from T__init), the
                               setter; "" if unknown */
    const char *header;     /* the generated header T__init is in */
    int64_t size;           /* bytes allocated; -1 if not seen */
    bool recognised;        /* the bump or the flag test was found */
    size_t anchor;          /* the instruction whose line information
                               places the site in the source */
    size_t head, back;      /* the loop around it: NONE if none */
} site;

typedef struct source_file {
    const char *path;
    char **lines;
    size_t n_lines;
    size_t lines_capacity;
} source_file;

/* A struct of a generated header, laid out by clang: to name the fields
 * a store writes. */
typedef struct layout {
    const char *header;
    char type[64];
    inspect_struct st;
} layout;

typedef struct analysis {
    const disasm *d;
    char **notes;           /* per instruction, or NULL */
    bool *slow;             /* per instruction: in an inline slow path */
    site *sites;
    size_t n_sites;
    source_file *sources;
    size_t n_sources;
    layout *layouts;
    size_t n_layouts;
} analysis;

/* ---- registers ------------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A set of registers holding one value (the object, the new free). */
typedef struct regset {
    asm_reg regs[8];
    size_t n;
} regset;

static bool in_set(const regset *s, const asm_reg *r)
{
    for (size_t i = 0; i < s->n; i++)
        if (asm_same_reg(&s->regs[i], r))
            return true;
    return false;
}

static void set_add(regset *s, const asm_reg *r)
{
    if (!in_set(s, r) && s->n < sizeof s->regs / sizeof s->regs[0])
        s->regs[s->n++] = *r;
}

static void set_remove(regset *s, const asm_reg *r)
{
    for (size_t i = 0; i < s->n; i++)
        if (asm_same_reg(&s->regs[i], r)) {
            s->regs[i] = s->regs[--s->n];
            return;
        }
}

/* ---- the source, for the annotations ------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static void load_source(source_file *f)
{
    FILE *fp = fopen(f->path, "r");
    if (fp == NULL)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        while (n > 0 && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        char *text = line;
        while (isspace((unsigned char)*text))
            text++;
        xgrow(&f->lines, &f->lines_capacity, f->n_lines + 1, sizeof *f->lines);
        f->lines[f->n_lines++] = xstrdup(text);
    }
    free(line);
    fclose(fp);
}

/* The text of line `line` of `path`, trimmed; NULL if it cannot be read. */
static const char *source_line(analysis *a, const char *path, unsigned line)
{
    if (path == NULL || line == 0)
        return NULL;
    size_t i = 0;
    while (i < a->n_sources && a->sources[i].path != path)
        i++;
    if (i == a->n_sources) {
        a->sources = xrealloc(a->sources, (a->n_sources + 1) * sizeof *a->sources);
        a->sources[a->n_sources++] = (source_file){ path, NULL, 0, 0 };
        load_source(&a->sources[i]);
    }
    const source_file *f = &a->sources[i];
    return line <= f->n_lines ? f->lines[line - 1] : NULL;
}

/* The function of a C header whose body line `line` is in: the nearest
 * "static inline ... NAME(" above it (how typegc.h and the generated
 * headers define theirs).  Copies it into `name`; false if none. */
static bool enclosing_function(analysis *a, const char *path, unsigned line,
                               char name[64])
{
    for (unsigned l = line; l > 0; l--) {
        const char *text = source_line(a, path, l);
        if (text == NULL)
            return false;
        if (!starts_with(text, "static inline "))
            continue;
        const char *open = strchr(text, '(');
        if (open == NULL)
            return false;
        const char *start = open;
        while (start > text && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
            start--;
        snprintf(name, 64, "%.*s", (int)(open - start), start);
        return open > start;
    }
    return false;
}

/* Struct `type` as the header lays it out, or NULL. */
static const inspect_struct *layout_of(analysis *a, const char *header,
                                       const char *type)
{
    if (header == NULL || type[0] == '\0')
        return NULL;
    for (size_t i = 0; i < a->n_layouts; i++)
        if (a->layouts[i].header == header && strcmp(a->layouts[i].type, type) == 0)
            return a->layouts[i].st.found ? &a->layouts[i].st : NULL;
    a->layouts = xrealloc(a->layouts, (a->n_layouts + 1) * sizeof *a->layouts);
    layout *l = &a->layouts[a->n_layouts++];
    l->header = header;
    snprintf(l->type, sizeof l->type, "%s", type);
    inspect_read_struct(header, type, &l->st);
    return l->st.found ? &l->st : NULL;
}

/* What bytes [offset, offset + width) of an object are: "next",
 * "part of next", "tag and x"; by offset without a layout. */
static void describe_bytes(const inspect_struct *st, int64_t offset, int width,
                           strbuf *out)
{
    int64_t end = offset + width;
    size_t before = out->len;
    for (size_t i = 0; st != NULL && i < st->n_members; i++) {
        const inspect_member *m = &st->members[i];
        if (m->flexible && end > m->offset && m->size > 0) {
            int64_t from = offset > m->offset ? offset : m->offset;
            int64_t first = (from - m->offset) / m->size;
            int64_t last = (end - 1 - m->offset) / m->size;
            sb_printf(out, "%s%s[%lld", out->len > before ? " and " : "",
                      m->name, (long long)first);
            if (last > first)
                sb_printf(out, "..%lld", (long long)last);
            sb_putc(out, ']');
            continue;
        }
        if (m->flexible || m->offset >= end || offset >= m->offset + m->size)
            continue;
        bool whole = offset <= m->offset && m->offset + m->size <= end;
        sb_printf(out, "%s%s%s", out->len > before ? " and " : "",
                  whole ? "" : "part of ", m->path);
    }
    if (out->len == before)
        sb_printf(out, "%d bytes at +%lld", width, (long long)offset);
}

/* ---- annotations ----------------------------------------------------------- */

static void note(analysis *a, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(analysis *a, size_t i, const char *fmt, ...)
{
    if (i == NONE || a->notes[i] != NULL)
        return;
    strbuf text = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&text, fmt, ap);
    va_end(ap);
    a->notes[i] = xstrdup(sb_text(&text));
    sb_free(&text);
}

/* Whether instruction `i` comes from a generated T__init(); if so, `type`
 * gets T. */
static bool init_type(const analysis *a, size_t i, char type[64])
{
    const char *fn = a->d->insns[i].frames[0].function;
    if (fn == NULL || !ends_with(fn, "__init"))
        return false;
    snprintf(type, 64, "%.*s", (int)(strlen(fn) - strlen("__init")), fn);
    return true;
}

/* The frame of the user's code an instruction was inlined into: the first
 * that is not in a header. */
static const disasm_frame *user_frame(const disasm_insn *in)
{
    for (size_t i = 0; i < in->n_frames; i++)
        if (in->frames[i].file != NULL && !ends_with(in->frames[i].file, ".h"))
            return &in->frames[i];
    return NULL;
}

/* A store through the new object, at `offset` from its start. */
static void note_store(analysis *a, site *s, size_t i, const char *src,
                       int64_t offset, bool zero)
{
    const disasm_insn *in = &a->d->insns[i];
    char init[64];
    bool in_init = init_type(a, i, init);
    int width = asm_store_width(in->mnemonic, src);
    uint64_t value = 0;
    bool constant = asm_immediate_of(src, &value);
    char type[80] = "";
    if (s->what[0] != '\0')
        snprintf(type, sizeof type, " (%s)", s->what);
    const inspect_struct *st = layout_of(a, s->header, s->what);
    int64_t end = offset + width;
    strbuf text = STRBUF_INIT;
    if (offset == 0 && constant && end >= HEADER_SIZE)
        sb_printf(&text, "header: type id %u%s, flags %u",
                  (unsigned)(value & 0xffffffffu), type, (unsigned)(value >> 32));
    else if (offset == 0 && constant)
        sb_printf(&text, "header: type id %u%s", (unsigned)(value & 0xffffffffu), type);
    else if (offset == FLAGS_OFFSET && constant)
        sb_printf(&text, "header flags: %u", (unsigned)(value & 0xffffffffu));
    else if (offset == FLAGS_OFFSET)
        sb_puts(&text, "header flags");
    else if (offset < HEADER_SIZE)
        sb_puts(&text, "header");
    if (end > HEADER_SIZE) {
        int64_t from = offset < HEADER_SIZE ? HEADER_SIZE : offset;
        sb_printf(&text, "%swrite ", text.len > 0 ? "; " : "");
        describe_bytes(st, from, (int)(end - from), &text);
        if (constant && offset >= HEADER_SIZE)
            sb_printf(&text, " = %lld", (long long)value);
        else if (zero)
            sb_puts(&text, " = 0");
        const disasm_frame *f = &in->frames[0];
        const char *line = in_init ? NULL : source_line(a, f->file, f->line);
        if (line != NULL)
            sb_printf(&text, ": %s", line);
    }
    if (in_init)
        sb_printf(&text, " (in %s__init)", init);
    note(a, i, "%s", sb_text(&text));
    sb_free(&text);
}

/* ---- slow paths ------------------------------------------------------------ */

static bool slow_function(const char *name, site_kind *kind)
{
    if (name == NULL)
        return false;
    for (size_t i = 0; i < sizeof slow_functions / sizeof slow_functions[0]; i++)
        if (strcmp(name, slow_functions[i].function) == 0) {
            *kind = slow_functions[i].kind;
            return true;
        }
    return false;
}

/* Follows the code from instruction `i` (conditional jumps fall through,
 * unconditional ones are taken) to the first call: true if it is a call
 * to one of the runtime's slow paths. */
static bool follow_slow_path(const disasm *d, size_t i, slow_path *out)
{
    if (i == NONE)
        return false;
    *out = (slow_path){ .first = i, .last = i, .call = NONE };
    bool straight = true;
    for (size_t steps = 0; steps < SLOW_PATH_REACH && i < d->n_insns; steps++) {
        const disasm_insn *in = &d->insns[i];
        if (straight)
            out->last = i;
        if (asm_is_call(in) && in->target_symbol != NULL &&
            starts_with(in->target_symbol, "tgc_shadowstack_")) {
            /* saving or restoring the roots, not inlined */
        } else if (asm_is_call(in)) {
            if (out->call != NONE)
                return true;
            if (!slow_function(in->target_symbol, &out->kind))
                return false;
            out->call = i;
            out->callee = in->target_symbol;
        } else if (asm_ends_flow(in)) {
            return out->call != NONE;
        } else if (asm_is_unconditional(in)) {
            if (!in->has_target)
                return out->call != NONE;
            if (out->call != NONE) {
                out->resumes = true;
                out->resume = in->target;
                return true;
            }
            straight = false;
            i = disasm_find(d, in->target);
            if (i == NONE)
                return false;
            continue;
        }
        i++;
    }
    return out->call != NONE;
}

/* ---- finding the fast paths ------------------------------------------------ */

static size_t symbol_first(const disasm *d, size_t i)
{
    while (i > 0 && d->insns[i - 1].symbol == d->insns[i].symbol)
        i--;
    return i;
}

static size_t symbol_last(const disasm *d, size_t i)
{
    while (i + 1 < d->n_insns && d->insns[i + 1].symbol == d->insns[i].symbol)
        i++;
    return i;
}

/* The nearest instruction before `i`, within `reach` and the same straight
 * run of code, whose mnemonic starts with `prefix`. */
static size_t find_before(const disasm *d, size_t i, size_t reach, const char *prefix)
{
    for (size_t k = i; k-- > 0 && i - k <= reach;) {
        const disasm_insn *in = &d->insns[k];
        if (in->symbol != d->insns[i].symbol || asm_is_jump(in) || asm_is_call(in))
            return NONE;
        if (starts_with(in->mnemonic, prefix))
            return k;
    }
    return NONE;
}

/* `mov MEM,%r` before `i`: where a register was loaded from memory. */
static size_t find_load(const disasm *d, size_t i, size_t reach, const asm_reg *r)
{
    for (size_t k = i; k-- > 0 && i - k <= reach;) {
        const disasm_insn *in = &d->insns[k];
        if (in->symbol != d->insns[i].symbol || asm_is_jump(in) || asm_is_call(in))
            return NONE;
        asm_operands ops = asm_operands_of(in->operands);
        asm_reg dst;
        if (ops.n == 2 && asm_reg_of(ops.text[1], &dst) && asm_same_reg(&dst, r)) {
            asm_mem m = asm_mem_of(ops.text[0]);
            return starts_with(in->mnemonic, "mov") && m.ok ? k : NONE;
        }
    }
    return NONE;
}

static void describe_slow_path(analysis *a, site *s, const char *question)
{
    const disasm *d = a->d;
    strbuf back = STRBUF_INIT;
    if (s->slow.resumes)
        sb_printf(&back, ", back at %llx", (unsigned long long)s->slow.resume);
    note(a, s->branch, "%s the slow path: %s (call at %llx%s)", question,
         s->slow.callee, (unsigned long long)d->insns[s->slow.call].addr,
         sb_text(&back));
    sb_free(&back);
}

/* The bump: `lea SIZE(%free),%new` (or `add $SIZE,%new`), the compare
 * with the top and the branch; then the stores through the object. */
static void read_allocation(analysis *a, site *s)
{
    const disasm *d = a->d;
    size_t j = s->branch;
    describe_slow_path(a, s, s->skips ? "if there is room, skip"
                                      : "if past the top,");
    size_t c = find_before(d, j, 4, "cmp");
    if (c == NONE)
        return;
    asm_operands cmp = asm_operands_of(d->insns[c].operands);
    if (cmp.n != 2)
        return;
    asm_reg r0 = { "" }, r1 = { "" }, fresh = { "" }, free_reg = { "" };
    bool is_r0 = asm_reg_of(cmp.text[0], &r0), is_r1 = asm_reg_of(cmp.text[1], &r1);
    size_t bump = NONE;
    for (size_t k = c; k-- > 0 && c - k <= BUMP_REACH && bump == NONE;) {
        const disasm_insn *in = &d->insns[k];
        if (in->symbol != d->insns[c].symbol || asm_is_jump(in) || asm_is_call(in))
            break;
        asm_operands ops = asm_operands_of(in->operands);
        asm_reg dst;
        if (ops.n != 2 || !asm_reg_of(ops.text[1], &dst) ||
            !((is_r0 && asm_same_reg(&dst, &r0)) || (is_r1 && asm_same_reg(&dst, &r1))))
            continue;
        asm_mem m = asm_mem_of(ops.text[0]);
        uint64_t imm;
        if (strcmp(in->mnemonic, "lea") == 0 && m.ok && !m.indexed) {
            bump = k;
            s->size = m.disp;
            fresh = dst;
            free_reg = m.base;
        } else if (strcmp(in->mnemonic, "add") == 0 && asm_immediate_of(ops.text[0], &imm)) {
            bump = k;
            s->size = (int64_t)imm;
            fresh = dst;
        } else {
            break;
        }
    }
    if (bump == NONE)
        return;
    s->recognised = true;
    const char *top = is_r0 && asm_same_reg(&fresh, &r0) ? cmp.text[1] : cmp.text[0];
    asm_reg top_reg;
    if (free_reg.name[0] != '\0') {
        note(a, bump, "new free = free + %lld (free is in %%%s)",
             (long long)s->size, free_reg.name);
        note(a, find_load(d, bump, 6, &free_reg),
             "load the cursor's free pointer");
    } else {
        note(a, bump, "new free = free + %lld", (long long)s->size);
        note(a, find_load(d, bump, 6, &fresh), "load the cursor's free pointer");
    }
    if (asm_reg_of(top, &top_reg)) {
        note(a, c, "compare with the top (in %%%s)", top_reg.name);
        note(a, find_load(d, c, BUMP_REACH, &top_reg), "load the cursor's top");
    } else {
        note(a, c, "compare with the top (in memory, %s)", top);
    }

    /* the type first, from the T__init() the fast path inlines, so that
     * the stores before its header store can name their fields */
    for (size_t k = s->fast, steps = 0; k < d->n_insns && steps < FAST_PATH_REACH &&
                                        s->what[0] == '\0'; k++, steps++) {
        const disasm_insn *in = &d->insns[k];
        if (in->symbol != d->insns[j].symbol || asm_is_jump(in) || asm_is_call(in) ||
            asm_ends_flow(in))
            break;
        if (init_type(a, k, s->what))
            s->header = in->frames[0].file;
    }

    regset object = { .n = 0 }, next = { .n = 0 }, zeros = { .n = 0 };
    if (free_reg.name[0] != '\0')
        set_add(&object, &free_reg);
    set_add(&next, &fresh);
    for (size_t k = s->fast, steps = 0; k < d->n_insns && steps < FAST_PATH_REACH;
         k++, steps++) {
        const disasm_insn *in = &d->insns[k];
        if (in->symbol != d->insns[j].symbol || asm_is_jump(in) || asm_is_call(in) ||
            asm_ends_flow(in))
            break;
        asm_operands ops = asm_operands_of(in->operands);
        if (ops.n != 2) {
            asm_reg dst;
            if (ops.n > 0 && asm_reg_of(ops.text[ops.n - 1], &dst) && asm_writes_last(in)) {
                set_remove(&object, &dst);
                set_remove(&next, &dst);
            }
            continue;
        }
        asm_reg src, dst;
        bool src_reg = asm_reg_of(ops.text[0], &src), dst_reg = asm_reg_of(ops.text[1], &dst);
        /* xor %edx,%edx: a zero to store, as T__init() does */
        bool zeroing = dst_reg && strcmp(ops.text[0], ops.text[1]) == 0 &&
                       (starts_with(in->mnemonic, "xor") ||
                        starts_with(in->mnemonic, "pxor"));
        if (dst_reg && asm_writes_last(in))
            set_remove(&zeros, &dst);
        if (zeroing)
            set_add(&zeros, &dst);
        asm_mem src_mem = asm_mem_of(ops.text[0]), dst_mem = asm_mem_of(ops.text[1]);
        bool is_mov = starts_with(in->mnemonic, "mov");
        if (is_mov && src_reg && in_set(&next, &src) && dst_reg) {
            if (in_set(&object, &dst))
                note(a, k, "free = new free (the cursor stays in %%%s)", dst.name);
            set_remove(&object, &dst);
            set_add(&next, &dst);
        } else if (is_mov && src_reg && in_set(&next, &src) && dst_mem.ok) {
            note(a, k, "store the new free pointer into the cursor");
        } else if (is_mov && src_reg && in_set(&object, &src) && dst_reg) {
            set_remove(&next, &dst);
            set_add(&object, &dst);
        } else if (is_mov && dst_mem.ok && !dst_mem.indexed &&
                   (in_set(&object, &dst_mem.base) || in_set(&next, &dst_mem.base))) {
            int64_t offset = dst_mem.disp +
                             (in_set(&next, &dst_mem.base) ? s->size : 0);
            if (offset >= 0 && offset < s->size)
                note_store(a, s, k, ops.text[0], offset,
                           src_reg && in_set(&zeros, &src));
        } else if (strcmp(in->mnemonic, "lea") == 0 && src_mem.ok && dst_reg &&
                   !src_mem.indexed && in_set(&object, &src_mem.base) &&
                   src_mem.disp == s->size) {
            note(a, k, "new free = free + %lld", (long long)s->size);
            set_remove(&object, &dst);
            set_add(&next, &dst);
        } else if (dst_reg && asm_writes_last(in)) {
            set_remove(&object, &dst);
            set_remove(&next, &dst);
        }
    }
}

/* `testb $0x1,0x4(%obj)`, the branch, then the store through %obj. */
static void read_barrier(analysis *a, site *s)
{
    const disasm *d = a->d;
    describe_slow_path(a, s, s->skips ? "if young, skip" : "if old, first");
    size_t t = find_before(d, s->branch, 3, "test");
    if (t == NONE)
        return;
    asm_operands ops = asm_operands_of(d->insns[t].operands);
    uint64_t bit;
    asm_mem flags = ops.n == 2 ? asm_mem_of(ops.text[1]) : (asm_mem){ .ok = false };
    if (!flags.ok || flags.disp != FLAGS_OFFSET || !asm_immediate_of(ops.text[0], &bit))
        return;
    s->recognised = true;
    note(a, t, "write barrier: is the object old (TRACK_YOUNG_PTRS in its "
         "header's flags)?");
    s->anchor = t;
    const disasm_insn *test = &d->insns[t];
    for (size_t f = 0; f + 1 < test->n_frames; f++)
        if (test->frames[f].function != NULL &&
            starts_with(test->frames[f].function, "tgc_write_barrier") &&
            test->frames[f + 1].function != NULL)
            snprintf(s->what, sizeof s->what, "%s", test->frames[f + 1].function);
    for (size_t k = s->fast, steps = 0; k < d->n_insns && steps < 12; k++, steps++) {
        const disasm_insn *in = &d->insns[k];
        if (in->symbol != test->symbol || asm_is_jump(in) || asm_is_call(in) || asm_ends_flow(in))
            break;
        asm_operands st = asm_operands_of(in->operands);
        asm_mem dst = st.n == 2 ? asm_mem_of(st.text[1]) : (asm_mem){ .ok = false };
        if (starts_with(in->mnemonic, "mov") && dst.ok && asm_same_reg(&dst.base, &flags.base)) {
            /* the store's line information is the setter's, and more
             * reliable than the test's, which compilers merge */
            const disasm_frame *fr = &in->frames[0];
            const char *text = source_line(a, fr->file, fr->line);
            note(a, k, "the store, at +%lld%s%s", (long long)dst.disp,
                 text ? ": " : "", text ? text : "");
            s->anchor = k;
            char setter[64];
            if (fr->file != NULL && ends_with(fr->file, ".h") &&
                enclosing_function(a, fr->file, fr->line, setter))
                snprintf(s->what, sizeof s->what, "%s", setter);
            break;
        }
    }
}

/* The innermost loop around instruction `key`: the shortest backward jump
 * at or after it, in its symbol, to at or before it, that is not a slow
 * path's jump back. */
static void find_loop(analysis *a, site *s)
{
    const disasm *d = a->d;
    size_t key = s->branch;
    size_t first = symbol_first(d, key), last = symbol_last(d, key);
    s->head = s->back = NONE;
    for (size_t k = key; k <= last; k++) {
        const disasm_insn *in = &d->insns[k];
        if (!asm_is_jump(in) || !in->has_target || a->slow[k] ||
            in->target > d->insns[key].addr)
            continue;
        size_t h = disasm_find(d, in->target);
        if (h == NONE || h < first)
            continue;
        /* a jump back to a shared epilogue is no loop */
        bool returns = false;
        for (size_t r = h; r < k && !returns; r++)
            returns = asm_ends_flow(&d->insns[r]);
        if (returns)
            continue;
        if (s->head == NONE || k - h < s->back - s->head) {
            s->head = h;
            s->back = k;
        }
    }
}

/* Every conditional jump whose one side runs into a slow path. */
static void find_sites(analysis *a)
{
    const disasm *d = a->d;
    for (size_t i = 0; i < d->n_insns; i++) {
        const disasm_insn *in = &d->insns[i];
        if (!asm_is_jump(in) || asm_is_unconditional(in) || !in->has_target)
            continue;
        site s = { .branch = i, .size = -1, .anchor = i, .head = NONE,
                   .back = NONE };
        size_t target = disasm_find(d, in->target);
        if (follow_slow_path(d, target, &s.slow)) {
            s.fast = i + 1;
        } else if (in->target > in->addr && follow_slow_path(d, i + 1, &s.slow) &&
                   d->insns[s.slow.call].addr < in->target) {
            s.fast = target;
            s.skips = true;
            for (size_t k = s.slow.first; k <= s.slow.last; k++)
                a->slow[k] = true;
        } else {
            continue;
        }
        s.kind = s.slow.kind;
        if (s.slow.first > i && s.slow.last < d->n_insns && s.slow.first != s.fast) {
            /* an out-of-line slow path that happens to lie inside a loop */
            for (size_t k = s.slow.first; k <= s.slow.last; k++)
                a->slow[k] = true;
        }
        a->sites = xrealloc(a->sites, (a->n_sites + 1) * sizeof *a->sites);
        a->sites[a->n_sites++] = s;
    }
}

/* ---- printing -------------------------------------------------------------- */

static void print_insn(analysis *a, size_t i)
{
    const disasm_insn *in = &a->d->insns[i];
    char text[96];
    snprintf(text, sizeof text, "%-6s %s", in->mnemonic, in->operands);
    if (in->target_symbol != NULL && asm_is_call(in)) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, " <%s>", in->target_symbol);
    }
    printf("    %6llx  %-34s", (unsigned long long)in->addr, text);
    if (a->notes[i] != NULL) {
        printf(" # %s", a->notes[i]);
    } else {
        /* no pattern: where it comes from */
        const disasm_frame *f = &in->frames[0];
        if (f->file != NULL)
            printf(" #   %s:%u", base_name(f->file), f->line);
        if (f->file != NULL && f->function != NULL && ends_with(f->function, "__init"))
            printf(" (in %s)", f->function);
        if (in->comment_symbol != NULL)
            printf("%s(%s)", f->file != NULL ? " " : " #   ", in->comment_symbol);
    }
    putchar('\n');
}

/* "allocates A (16 bytes) at allocatealot.c:42 in run" */
static void print_site_name(const analysis *a, const site *s)
{
    const disasm_frame *f = user_frame(&a->d->insns[s->anchor]);
    if (s->kind == SITE_ALLOC)
        printf("allocates %s", s->what[0] != '\0' ? s->what : "an object");
    else
        printf("write barrier%s%s", s->what[0] != '\0' ? " in " : "", s->what);
    if (s->kind == SITE_ALLOC && s->size >= 0)
        printf(" (%lld bytes)", (long long)s->size);
    if (f != NULL)
        printf(" at %s:%u%s%s", base_name(f->file), f->line,
               f->function != NULL ? " in " : "",
               f->function != NULL ? f->function : "");
}

/* Prints instructions first..last, leaving out inline slow paths, and
 * returns how many were printed. */
static size_t print_range(analysis *a, size_t first, size_t last)
{
    size_t count = 0;
    for (size_t i = first; i <= last; i++) {
        if (!a->slow[i]) {
            print_insn(a, i);
            count++;
            continue;
        }
        size_t end = i;
        while (end < last && a->slow[end + 1])
            end++;
        printf("    %6llx  ... slow path, %zu instructions, not counted\n",
               (unsigned long long)a->d->insns[i].addr, end - i + 1);
        i = end;
    }
    return count;
}

static void print_slow_paths(const analysis *a, const site *group, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const slow_path *sp = &group[i].slow;
        printf("    slow path at %llx: calls %s at %llx",
               (unsigned long long)a->d->insns[sp->first].addr, sp->callee,
               (unsigned long long)a->d->insns[sp->call].addr);
        if (sp->resumes)
            printf(", back at %llx", (unsigned long long)sp->resume);
        putchar('\n');
    }
}

/* One loop with the fast paths in it, or one fast path alone. */
static void print_group(analysis *a, site *group, size_t n)
{
    const disasm *d = a->d;
    const site *s = &group[0];
    size_t first, last;
    if (s->head != NONE) {
        first = s->head;
        last = s->back;
        note(a, last, "loop back: the next iteration");
        printf("%s: loop %llx..%llx: ", d->insns[s->branch].symbol,
               (unsigned long long)d->insns[first].addr,
               (unsigned long long)d->insns[last].addr);
    } else {
        /* from the first to the last annotated instruction around it */
        first = s->branch;
        last = s->branch;
        size_t from = s->branch > BUMP_REACH + 4 ? s->branch - (BUMP_REACH + 4) : 0;
        for (size_t i = from; i < d->n_insns && i < s->branch + FAST_PATH_REACH; i++)
            if (a->notes[i] != NULL && d->insns[i].symbol == d->insns[s->branch].symbol &&
                !a->slow[i]) {
                if (i < first)
                    first = i;
                if (i > last)
                    last = i;
            }
        printf("%s: ", d->insns[s->branch].symbol);
    }
    size_t allocations = 0, barriers = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            printf("; ");
        print_site_name(a, &group[i]);
        if (group[i].kind == SITE_ALLOC)
            allocations++;
        else
            barriers++;
    }
    putchar('\n');
    size_t count = print_range(a, first, last);
    if (s->head == NONE)
        printf("    %zu instructions on the fast path\n", count);
    else if (allocations > 0)
        printf("    %zu instructions per iteration, %zu allocation%s: %.3g "
               "instructions per allocation%s\n", count, allocations,
               allocations == 1 ? "" : "s", (double)count / (double)allocations,
               barriers > 0 ? " (write barriers included)" : "");
    else
        printf("    %zu instructions per iteration, %zu write barrier%s\n",
               count, barriers, barriers == 1 ? "" : "s");
    print_slow_paths(a, group, n);
}

/* ---- the command ----------------------------------------------------------- */

static bool mentions(const disasm_insn *in, const char *function)
{
    if (strcmp(in->symbol != NULL ? in->symbol : "", function) == 0)
        return true;
    for (size_t f = 0; f < in->n_frames; f++)
        if (in->frames[f].function != NULL && strcmp(in->frames[f].function, function) == 0)
            return true;
    return false;
}

static int compare_sites(const void *x, const void *y)
{
    const site *a = x, *b = y;
    size_t ka = a->head != NONE ? a->head : a->branch;
    size_t kb = b->head != NONE ? b->head : b->branch;
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return a->branch < b->branch ? -1 : a->branch > b->branch;
}

static void free_analysis(analysis *a)
{
    for (size_t i = 0; i < a->d->n_insns; i++)
        free(a->notes[i]);
    free(a->notes);
    free(a->slow);
    free(a->sites);
    for (size_t i = 0; i < a->n_sources; i++) {
        for (size_t k = 0; k < a->sources[i].n_lines; k++)
            free(a->sources[i].lines[k]);
        free(a->sources[i].lines);
    }
    free(a->sources);
    for (size_t i = 0; i < a->n_layouts; i++)
        inspect_struct_free(&a->layouts[i].st);
    free(a->layouts);
}

static int annotate(const disasm *d, const char *binary, const char *function)
{
    analysis a = { .d = d };
    a.notes = xcalloc(d->n_insns, sizeof *a.notes);
    a.slow = xcalloc(d->n_insns, sizeof *a.slow);
    find_sites(&a);

    size_t kept = 0;
    for (size_t i = 0; i < a.n_sites; i++) {
        site *s = &a.sites[i];
        if (function != NULL && !mentions(&d->insns[s->branch], function))
            continue;
        if (s->kind == SITE_ALLOC)
            read_allocation(&a, s);
        else
            read_barrier(&a, s);
        if (!s->recognised)
            continue;
        find_loop(&a, s);
        a.sites[kept++] = *s;
    }
    a.n_sites = kept;
    int status = 0;
    if (kept == 0) {
        diag_schema(binary, NULL, NULL, "no inlined allocation fast path or "
                    "write barrier%s%s%s (they are found by their slow paths, "
                    "calls to tgc_refill and tgc_remember_young_pointer)",
                    function != NULL ? " in function '" : "",
                    function != NULL ? function : "", function != NULL ? "'" : "");
        status = 1;
    } else {
        qsort(a.sites, a.n_sites, sizeof *a.sites, compare_sites);
        if (!d->has_lines)
            printf("(%s has no line information: build it with -g to see the "
                   "types and the source lines)\n", binary);
        for (size_t i = 0; i < a.n_sites;) {
            size_t n = 1;
            while (i + n < a.n_sites && a.sites[i].head != NONE &&
                   a.sites[i + n].head == a.sites[i].head &&
                   a.sites[i + n].back == a.sites[i].back)
                n++;
            if (i > 0)
                putchar('\n');
            print_group(&a, &a.sites[i], n);
            i += n;
        }
    }
    free_analysis(&a);
    return status;
}

int inspect_asm(const char *binary, const char *function)
{
    disasm d;
    if (!disasm_load(&d, binary))
        return 1;
    int status;
    bool known = function == NULL;
    for (size_t i = 0; i < d.n_insns && !known; i++)
        known = mentions(&d.insns[i], function);
    if (!known) {
        diag_schema(binary, NULL, NULL, "no function '%s' in it (neither a "
                    "symbol nor, in its line information, an inlined function)",
                    function);
        status = 1;
    } else {
        status = annotate(&d, binary, function);
    }
    fflush(stdout);
    disasm_free(&d);
    return status;
}
