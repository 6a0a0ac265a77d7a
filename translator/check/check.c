/* check.c -- `typegc check`: the command line, then for each file: read
 * it, parse it with libclang, lower and analyse its functions
 * (check_build.c, check_flow.c), and print what was found, sorted, as
 * compiler-style lines or one JSON array.  Nothing below calls back here. */
#include "check.h"

#include <clang-c/Index.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "check_build.h"
#include "check_usage.h"
#include "diag.h"
#include "xalloc.h"

/* The in-tree runtime/include, and where `meson install` puts typegc.h:
 * searched after the caller's -I flags, as `typegc inspect` does. */
#ifndef TGC_RUNTIME_INCLUDE_DIR
#error "the build defines TGC_RUNTIME_INCLUDE_DIR, the directory of typegc.h"
#endif
#ifndef TGC_INSTALLED_INCLUDE_DIR
#define TGC_INSTALLED_INCLUDE_DIR TGC_RUNTIME_INCLUDE_DIR
#endif

static const char usage[] = "usage: " CHECK_USAGE_LINES;

static const char help[] =
    CHECK_HELP
    "\n"
    "Exit status: 0 when nothing is found (notes alone included), 1 when a\n"
    "mistake is found, 2 if the command line is wrong or a file cannot be\n"
    "read or compiled.\n";

/* The marker that silences the findings on its line. */
static const char allow_marker[] = "typegc-check: allow";

typedef struct check_options {
    char **paths;
    int n_paths;
    bool json;
    char *const *cflags;
    int n_cflags;
} check_options;

typedef enum parsed { PARSED_RUN, PARSED_DONE, PARSED_MISUSE } parsed;

#define MISUSE(...) (args_misuse(usage, __VA_ARGS__), PARSED_MISUSE)

static parsed parse(int argc, char **argv, check_options *o)
{
    o->paths = xmalloc((size_t)argc * sizeof *o->paths);
    for (int i = 2; i < argc; i++) {
        char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            o->cflags = argv + i + 1;
            o->n_cflags = argc - i - 1;
            break;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf("%s%s", usage, help);
            return PARSED_DONE;
        }
        if (strcmp(arg, "--format=json") == 0)
            o->json = true;
        else if (strcmp(arg, "--format=text") == 0)
            o->json = false;
        else if (strncmp(arg, "--format=", 9) == 0)
            return MISUSE("check: unknown format '%s': --format=text or json", arg + 9);
        else if (arg[0] == '-' && arg[1] != '\0')
            return MISUSE("unknown option '%s' (compiler flags go after '--')", arg);
        else if (arg[0] == '\0')
            return MISUSE("check: a file name is empty");
        else
            o->paths[o->n_paths++] = arg;
    }
    if (o->n_paths == 0)
        return MISUSE("check: no file given");
    return PARSED_RUN;
}

/* The whole file, NUL-terminated; NULL after saying why. */
static char *read_file(const char *path, size_t *length)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        diag_tool("%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *text = xmalloc(cap);
    size_t got;
    while ((got = fread(text + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            text = xrealloc(text, cap);
        }
    }
    int error = ferror(fp) ? errno : 0;
    fclose(fp);
    if (error != 0) {
        diag_tool("%s: cannot read: %s", path, strerror(error));
        free(text);
        return NULL;
    }
    text[n] = '\0';
    *length = n;
    return text;
}

static CXTranslationUnit parse_file(CXIndex index, const char *path,
                                    const check_options *o)
{
    const char *fixed[] = { "-xc", "-std=gnu11" };
    const char *includes[] = { "-I", TGC_RUNTIME_INCLUDE_DIR,
                               "-I", TGC_INSTALLED_INCLUDE_DIR };
    size_t n_fixed = sizeof fixed / sizeof fixed[0];
    size_t n_includes = sizeof includes / sizeof includes[0];
    size_t n_args = n_fixed + (size_t)o->n_cflags + n_includes;
    const char **args = xmalloc(n_args * sizeof *args);
    size_t n = 0;
    for (size_t i = 0; i < n_fixed; i++)
        args[n++] = fixed[i];
    for (int i = 0; i < o->n_cflags; i++)
        args[n++] = o->cflags[i];
    for (size_t i = 0; i < n_includes; i++)
        args[n++] = includes[i];
    CXTranslationUnit tu = NULL;
    enum CXErrorCode error = clang_parseTranslationUnit2(
        index, path, args, (int)n_args, NULL, 0, CXTranslationUnit_None, &tu);
    free(args);
    if (error != CXError_Success) {
        diag_tool("%s: libclang cannot parse it (error %d)", path, (int)error);
        return NULL;
    }
    return tu;
}

/* clang's errors, on stderr; true if there were any (then the file is
 * not checked: a type clang could not read would hide GC pointers). */
static bool report_clang_errors(CXTranslationUnit tu, const char *path)
{
    bool any = false;
    unsigned n = clang_getNumDiagnostics(tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            CXString text = clang_formatDiagnostic(d, CXDiagnostic_DisplaySourceLocation |
                                                   CXDiagnostic_DisplayColumn);
            fprintf(stderr, "%s\n", clang_getCString(text));
            clang_disposeString(text);
            any = true;
        }
        clang_disposeDiagnostic(d);
    }
    if (any)
        diag_tool("%s: cannot be compiled, so nothing was checked (a header "
                  "missing? add its directory: -- -I DIR)", path);
    return any;
}

/* Whether line `line` (1-based) of `text` holds the allow marker. */
static bool line_allowed(const char *text, size_t length, unsigned line)
{
    size_t start = 0;
    for (unsigned l = 1; l < line && start < length; start++)
        if (text[start] == '\n')
            l++;
    const char *end = memchr(text + start, '\n', length - start);
    size_t n = end != NULL ? (size_t)(end - (text + start)) : length - start;
    size_t m = sizeof allow_marker - 1;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(text + start + i, allow_marker, m) == 0)
            return true;
    return false;
}

static int by_place(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    if (x->loc.line != y->loc.line)
        return x->loc.line < y->loc.line ? -1 : 1;
    if (x->loc.column != y->loc.column)
        return x->loc.column < y->loc.column ? -1 : 1;
    return strcmp(x->message, y->message);
}

static void print_text(const char *path, const finding *f)
{
    printf("%s:%u:%u: %s%s [%s]\n", path, f->loc.line, f->loc.column,
           f->kind == FINDING_NOTE ? "note: " : "", f->message, f->rule);
}

static void add_json(json_t *all, const char *path, const finding *f)
{
    json_t *item = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}",
                             "file", path, "line", (json_int_t)f->loc.line,
                             "column", (json_int_t)f->loc.column,
                             "severity", f->kind == FINDING_NOTE ? "note" : "error",
                             "rule", f->rule, "message", f->message);
    if (item != NULL)
        json_array_append_new(all, item);
}

/* Checks one file; returns its status (0, 1 or 2). */
static int check_file(CXIndex index, const char *path, const check_options *o,
                      json_t *all)
{
    size_t length = 0;
    char *text = read_file(path, &length);
    if (text == NULL)
        return 2;
    CXTranslationUnit tu = parse_file(index, path, o);
    if (tu == NULL) {
        free(text);
        return 2;
    }
    int status = 2;
    if (!report_clang_errors(tu, path)) {
        findings found = { NULL, 0 };
        check_source source = { path, text, length };
        check_build_unit(tu, &source, &found);
        if (found.n > 1)
            qsort(found.items, found.n, sizeof *found.items, by_place);
        status = 0;
        for (size_t i = 0; i < found.n; i++) {
            const finding *f = &found.items[i];
            if (line_allowed(text, length, f->loc.line))
                continue;
            if (f->kind == FINDING_ERROR)
                status = 1;
            if (o->json)
                add_json(all, path, f);
            else
                print_text(path, f);
        }
        findings_free(&found);
    }
    clang_disposeTranslationUnit(tu);
    free(text);
    return status;
}

int check_main(int argc, char **argv)
{
    check_options o = { .paths = NULL };
    parsed how = parse(argc, argv, &o);
    if (how != PARSED_RUN) {
        free(o.paths);
        return how == PARSED_DONE ? 0 : 2;
    }
    CXIndex index = clang_createIndex(0, 0);
    json_t *all = json_array();
    int status = 0;
    for (int i = 0; i < o.n_paths; i++) {
        int file_status = check_file(index, o.paths[i], &o, all);
        if (file_status > status)
            status = file_status;
        fflush(stdout);
    }
    if (o.json) {
        char *text = json_dumps(all, JSON_INDENT(2));
        if (text != NULL)
            printf("%s\n", text);
        free(text);
    }
    json_decref(all);
    clang_disposeIndex(index);
    free(o.paths);
    return status;
}
