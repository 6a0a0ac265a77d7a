/* fuzz_heap_dump.c -- libFuzzer harness for `typegc heap`: the input is
 * written to a file and read by heap_main() as the command would, once
 * plain and once with --type (a type the dump names, chosen by the
 * input), the report going to /dev/null.  Any input is read without a
 * crash, a leak or undefined behaviour, and
 *   - heap_main() exits 0 when heap_parse() accepts the input and 1 when
 *     it rejects it, never anything else;
 *   - a rejection prints exactly one message, an acceptance none. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "memview/heap_file.h"
#include "memview/memview.h"

static char input_path[256];
static FILE *report;

static void fail(const char *what, int status)
{
    fprintf(report, "fuzz_heap_dump: %s (exit status %d)\n", what, status);
    abort();
}

static void ignore(const heap_object *o, void *arg)
{
    (void)o;
    (void)arg;
}

static void remove_input(void)
{
    unlink(input_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    report = stderr;
    const char *tmp = getenv("TMPDIR");
    snprintf(input_path, sizeof input_path, "%s/fuzz_heap_dump.%ld",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp", (long)getpid());
    atexit(remove_input);
    if (freopen("/dev/null", "w", stdout) == NULL)
        fail("cannot open /dev/null", 0);
    const char *keep = getenv("TYPEGC_FUZZ_DIAG");
    if (keep == NULL || strcmp(keep, "1") != 0) {
        FILE *quiet = fopen("/dev/null", "w");
        if (quiet == NULL)
            fail("cannot open /dev/null", 0);
        stderr = quiet;
    }
    return 0;
}

static void run(int argc, char **argv, bool valid)
{
    unsigned long before = diag_count();
    int status = heap_main(argc, argv);
    unsigned long messages = diag_count() - before;
    if (status != (valid ? 0 : 1))
        fail(valid ? "an accepted dump did not exit 0" : "a rejected dump did not exit 1",
             status);
    if (messages != (valid ? 0u : 1u))
        fail(valid ? "an accepted dump printed a message"
                   : "a rejected dump printed no message, or several", status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fopen(input_path, "wb");
    if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        fail("cannot write the input", 0);
    heap_dump d;
    char error[200] = "";
    bool valid = heap_parse(data, size, &d, ignore, NULL, error, sizeof error);
    char type[64] = "";
    if (valid && d.n_types > 0)
        snprintf(type, sizeof type, "%s", d.types[(size ? data[size - 1] : 0) % d.n_types].name);
    heap_free(&d);
    char *plain[] = { "typegc", "heap", input_path, "--top", "3", NULL };
    run(5, plain, valid);
    /* a name cut short by the buffer may name no type */
    if (type[0] != '\0' && strlen(type) < sizeof type - 1) {
        char *typed[] = { "typegc", "heap", input_path, "--type", type, NULL };
        run(5, typed, true);
    }
    return 0;
}
