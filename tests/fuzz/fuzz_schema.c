/* fuzz_schema.c -- libFuzzer harness for the translator.
 *
 * Each input is the text of a schema file, saved as fuzz.json in a
 * private directory and run through the pipeline of `typegc gen`
 * (translator/main.c's generate()): schema_load, schema_check,
 * layout_schema, then emit_header and emit_source into memory, once for
 * each collector (--gc=incminimark, boehm, malloc).  Nothing is written.
 * Besides what ASan, UBSan and LeakSanitizer catch, the harness aborts if
 *   - a rejected schema printed no message, or more than one (the first
 *     problem is reported, in one line), or an accepted one printed any;
 *   - an accepted schema gave an empty file, one with a NUL byte in it,
 *     or a header without `struct T {` for one of its types T.
 *
 * The translator's messages go to /dev/null; TYPEGC_FUZZ_DIAG=1 keeps
 * them on stderr. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "emit.h"
#include "layout.h"
#include "schema.h"
#include "strbuf.h"

static const char *const collectors[] = { NULL, "boehm", "malloc" };

static char *input_dir;     /* $TMPDIR/fuzz_schema.XXXXXX */
static char *input_path;    /* input_dir/fuzz.json: the schema is "fuzz" */
static FILE *report;        /* the harness's own messages: the real stderr */

static void fail(const schema *s, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

static void fail(const schema *s, const char *fmt, ...)
{
    fputs("fuzz_schema: ", report);
    if (s != NULL)
        fprintf(report, "with --gc=%s: ", s->peer != NULL ? s->peer : "incminimark");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(report, fmt, ap);
    va_end(ap);
    fputc('\n', report);
    abort();
}

static void check_file(const schema *s, const char *which, const strbuf *text)
{
    if (text->len == 0)
        fail(s, "the %s is empty", which);
    if (strlen(sb_text(text)) != text->len)
        fail(s, "the %s has a NUL byte at offset %zu", which, strlen(sb_text(text)));
}

static void check_header_types(const schema *s, const strbuf *header)
{
    for (size_t i = 0; i < s->n_types; i++) {
        strbuf opening = STRBUF_INIT;
        sb_printf(&opening, "struct %s {", s->types[i].name);
        bool found = strstr(sb_text(header), sb_text(&opening)) != NULL;
        sb_free(&opening);
        if (!found)
            fail(s, "the header has no 'struct %s {'", s->types[i].name);
    }
}

static void emit_and_check(const schema *s)
{
    strbuf header = STRBUF_INIT, source = STRBUF_INIT;
    emit_header(s, &header);
    emit_source(s, &source);
    check_file(s, "header", &header);
    check_file(s, "source", &source);
    check_header_types(s, &header);
    sb_free(&header);
    sb_free(&source);
}

/* What `typegc gen` does with the file, but checking the output instead
 * of writing it; true if the schema is accepted. */
static bool translate(const char *path)
{
    schema *s = schema_load(path, NULL);
    if (s == NULL)
        return false;
    bool ok = schema_check(s) && layout_schema(s);
    for (size_t i = 0; ok && i < sizeof collectors / sizeof *collectors; i++) {
        s->peer = collectors[i];
        emit_and_check(s);
    }
    schema_free(s);
    return ok;
}

static void write_input(const uint8_t *data, size_t size)
{
    FILE *fp = fopen(input_path, "wb");
    if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        fail(NULL, "cannot write %s", input_path);
}

static void remove_input_dir(void)
{
    rmdir(input_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    report = stderr;
    const char *tmp = getenv("TMPDIR");
    strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
    sb_printf(&dir, "%s/fuzz_schema.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir.data) == NULL)
        fail(NULL, "cannot create a directory from %s", sb_text(&dir));
    sb_printf(&path, "%s/fuzz.json", sb_text(&dir));
    input_dir = dir.data;
    input_path = path.data;
    atexit(remove_input_dir);
    /* libFuzzer prints through its own copy of the stderr pointer, taken
     * at start-up, and the sanitizers write to file descriptor 2: only
     * the translator's messages go through `stderr` from here on. */
    const char *keep = getenv("TYPEGC_FUZZ_DIAG");
    if (keep == NULL || strcmp(keep, "1") != 0) {
        FILE *quiet = fopen("/dev/null", "w");
        if (quiet == NULL)
            fail(NULL, "cannot open /dev/null");
        stderr = quiet;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    unsigned long before = diag_count();
    bool accepted = translate(input_path);
    unsigned long messages = diag_count() - before;
    unlink(input_path);
    if (accepted && messages != 0)
        fail(NULL, "an accepted schema printed %lu messages", messages);
    if (!accepted && messages != 1)
        fail(NULL, "a rejected schema printed %lu messages, not one", messages);
    return 0;
}
