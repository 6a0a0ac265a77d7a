/* fuzz_check.c -- libFuzzer harness of `typegc check`.
 *
 * The input is the text of a C file (the seeds include the generated
 * headers of schemas/, found in the build tree).  It is parsed by libclang
 * from memory and every function in it is lowered and analysed as
 * `typegc check` does -- even when clang reports errors, which `typegc
 * check` refuses, so that the walk over a broken tree is fuzzed too.  The
 * harness aborts if the checker crashes, leaks or does what the sanitizers
 * catch, or reports a finding on a line the file does not have. */
#include <clang-c/Index.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_build.h"

#ifndef FUZZ_SCHEMA_DIR
#error "the build defines FUZZ_SCHEMA_DIR, where the schemas' headers are generated"
#endif
#ifndef FUZZ_RUNTIME_INCLUDE_DIR
#error "the build defines FUZZ_RUNTIME_INCLUDE_DIR, the directory of typegc.h"
#endif

/* Lines as clang counts them: "\n", "\r\n" and a lone "\r" each end one
 * (counting only "\n" made a finding on a "\r"-separated input look past
 * the end of the file). */
static unsigned count_lines(const char *text, size_t length)
{
    unsigned lines = 1;
    for (size_t i = 0; i < length; i++)
        lines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == length || text[i + 1] != '\n'));
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static CXIndex index;
    if (index == NULL)
        index = clang_createIndex(0, 0);
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct CXUnsavedFile file = { "fuzz.c", text, (unsigned long)size };
    const char *args[] = { "-xc", "-std=gnu11", "-ferror-limit=0",
                           "-I", FUZZ_SCHEMA_DIR, "-I", FUZZ_RUNTIME_INCLUDE_DIR };
    CXTranslationUnit tu = NULL;
    if (clang_parseTranslationUnit2(index, "fuzz.c", args, sizeof args / sizeof args[0],
                                    &file, 1, CXTranslationUnit_None, &tu) == CXError_Success) {
        findings found = { NULL, 0 };
        check_source source = { "fuzz.c", text, size };
        check_build_unit(tu, &source, &found);
        unsigned lines = count_lines(text, size);
        for (size_t i = 0; i < found.n; i++) {
            if (found.items[i].loc.line < 1 || found.items[i].loc.line > lines) {
                fprintf(stderr, "fuzz_check: a finding at line %u of a file of %u lines: %s\n",
                        found.items[i].loc.line, lines, found.items[i].message);
                abort();
            }
        }
        findings_free(&found);
        clang_disposeTranslationUnit(tu);
    }
    free(text);
    return 0;
}
