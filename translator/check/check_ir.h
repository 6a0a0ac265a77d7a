/* check_ir.h -- what `typegc check` knows about one function, and what it
 * found.
 *
 * check_build.c reads a function's body through libclang, macros already
 * expanded, and lowers it to a control-flow graph whose blocks hold only
 * the events the rules are about:
 *   - a GC variable read or written (a local or parameter pointing to a
 *     generated GC type, a `void *` given one, an array of them);
 *   - a call that may collect (the runtime's collecting calls, which the
 *     allocation macros and tgc_collect*() expand to, and any call passed
 *     the cursor);
 *   - a TGC_SAVE / TGC_RESTORE frame pushed or popped;
 *   - a return.
 * check_flow.c runs the analyses over it.  The variables the macros write
 * back (TGC_RESTORE's and the live list's) are ordinary writes after the
 * collecting call in the expanded code, so "saved" needs no special case:
 * a variable is stale when it is read after a collecting call with no
 * write in between. */
#ifndef TYPEGC_CHECK_IR_H
#define TYPEGC_CHECK_IR_H

#include <stdbool.h>
#include <stddef.h>

/* A place in the checked file (a macro's code is placed at its use). */
typedef struct check_loc {
    unsigned line, column;
} check_loc;

typedef enum event_kind {
    EV_READ,            /* var: its value is used */
    EV_WRITE,           /* var: assigned (null_value: a null constant) */
    EV_WRITE_PART,      /* var: an item of an array assigned */
    EV_COLLECT,         /* site: a call that may collect */
    EV_SAVE,            /* frame: TGC_SAVE or TGC_SAVE_ARRAY */
    EV_RESTORE,         /* frame: TGC_RESTORE or TGC_RESTORE_ARRAY */
    EV_MARK,            /* index: `tgc_root_mark m = tgc_roots_mark()` */
    EV_RESET,           /* index: tgc_roots_reset(m), back to m's depth */
    EV_RETURN           /* a return, or the end of the body */
} event_kind;

typedef struct event {
    event_kind kind;
    int index;          /* the var, site or frame */
    bool null_value;
    check_loc loc;
} event;

typedef struct edge {
    int to;
    check_loc loc;      /* the jump, for a message about this path */
} edge;

typedef struct block {
    event *events;
    size_t n_events;
    edge *succ;
    size_t n_succ;
} block;

typedef struct gc_var {
    char *name;
    char *type;         /* as declared, for messages */
    bool tracked;       /* false for a `void *` never given a GC pointer */
    bool is_void;       /* a `void *`: tracked once given a GC pointer */
    bool is_array;      /* a local array of GC pointers */
    long long length;   /* its length */
} gc_var;

/* A call that may collect. */
typedef struct collect_site {
    char *callee;       /* as spelled where it is called (a macro's name) */
    char *alloc_text;   /* TGC_NEW(...) / TGC_NEW_ARRAY(...) as written, or NULL */
    check_loc loc;
    char **saved;       /* names in open TGC_SAVE frames here (check_flow.c) */
    size_t n_saved;
} collect_site;

/* A TGC_SAVE or TGC_RESTORE: the expressions it names, in order. */
typedef struct root_frame {
    char **names;
    size_t n_names;
    bool is_array;      /* TGC_SAVE_ARRAY / TGC_RESTORE_ARRAY */
    check_loc loc;
} root_frame;

enum { BLOCK_ENTRY = 0, BLOCK_EXIT = 1 };

/* The tgc_root_mark variables a function may follow. */
enum { MAX_ROOT_MARKS = 8 };

typedef struct function_ir {
    char *name;
    gc_var *vars;
    size_t n_vars;
    block *blocks;
    size_t n_blocks;
    collect_site *sites;
    size_t n_sites;
    root_frame *frames;
    size_t n_frames;
} function_ir;

void function_ir_free(function_ir *fn);

/* ---- Findings ------------------------------------------------------------ */

typedef enum finding_kind {
    FINDING_ERROR,      /* a mistake: exit status 1 */
    FINDING_NOTE        /* where the analysis cannot decide */
} finding_kind;

typedef struct finding {
    finding_kind kind;
    const char *rule;   /* "root", "barrier", "shadow-stack", "cursor-copy", "undecided" */
    check_loc loc;
    char *message;
} finding;

typedef struct findings {
    finding *items;
    size_t n;
} findings;

void findings_add(findings *f, finding_kind kind, const char *rule,
                  check_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void findings_free(findings *f);

#endif
