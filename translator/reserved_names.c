/* reserved_names.c -- the names a schema cannot give: C keywords and what
 * the headers the emitted C includes already take.  (The names typegc
 * itself derives are generated_names.c's; schema_check.c also checks
 * each of those here.)
 *
 * The emitted header includes <stdbool.h>, <stddef.h>, <stdint.h> and
 * typegc.h, or with --gc=boehm typegc_boehm.h (<gc.h>, <stdio.h>,
 * <stdlib.h>), with --gc=malloc typegc_malloc.h (<stdio.h>, <stdlib.h>).
 * A schema name must be an identifier that none of these takes, with any
 * backend (a schema stays valid whichever it is generated for): not a
 * keyword, not a macro they define (that would rewrite a member as well
 * as a type), and for names at file scope not a name they declare.
 *
 * Rules cover typegc's headers (tgc_, TGC_, TYPEGC_), <gc.h> (GC_) and
 * the names C reserves (a leading underscore, <stdint.h>'s patterns);
 * reserved_headers.inc lists every other name the headers define, as
 * tests/translator/header_names.py reads them from the headers under gcc
 * and clang, -std=gnu11, c11, gnu2x and c2x.  tests/test_translator.py
 * checks that every name the headers define is rejected here. */
#include "reserved_names.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reserved_headers.inc"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const keywords[] = {
    /* C11 */
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof",
    "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
    "_Static_assert", "_Thread_local",
    /* C23, so the emitted code keeps compiling there; bool, true and false
     * are also <stdbool.h>'s macros before C23 */
    "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
    "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
    "_BitInt", "_Decimal32", "_Decimal64", "_Decimal128",
    /* GNU C */
    "asm",
};

typedef struct taken_name {
    const char *name;
    const char *problem;
} taken_name;

/* Macros: they would rewrite a member name as well as a type name. */
static const taken_name macros[] = {
    { "NULL", "is a macro of <stddef.h>" },
    { "offsetof", "is a macro of <stddef.h>" },
    { "SIZE_MAX", "is a macro of <stdint.h>" },
    { "PTRDIFF_MIN", "is a macro of <stdint.h>" },
    { "PTRDIFF_MAX", "is a macro of <stdint.h>" },
    { "SIG_ATOMIC_MIN", "is a macro of <stdint.h>" },
    { "SIG_ATOMIC_MAX", "is a macro of <stdint.h>" },
    { "WCHAR_MIN", "is a macro of <stdint.h>" },
    { "WCHAR_MAX", "is a macro of <stdint.h>" },
    { "WINT_MIN", "is a macro of <stdint.h>" },
    { "WINT_MAX", "is a macro of <stdint.h>" },
    { "linux", "is a macro GCC predefines in GNU C mode" },
    { "unix", "is a macro GCC predefines in GNU C mode" },
    /* C23's, which GCC 12 and clang 14 do not define yet */
    { "unreachable", "is a macro of C23's <stddef.h>" },
    { "BITINT_MAXWIDTH", "is a macro of C23's <limits.h>" },
};

/* Ordinary identifiers at file scope: only type names can collide. */
static const taken_name declared[] = {
    { "size_t", "is declared by <stddef.h>" },
    { "ptrdiff_t", "is declared by <stddef.h>" },
    { "max_align_t", "is declared by <stddef.h>" },
    { "wchar_t", "is declared by <stddef.h>" },
    { "nullptr_t", "is declared by C23's <stddef.h>" },
    { "main", "is the program's main() function" },
    /* the parameters of T_new(), next to which the type name is used */
    { "cursor", "names a parameter of the generated T_new() functions" },
    { "length", "names a parameter of the generated T_new() functions" },
};

/* The struct members every generated struct may have. */
static const taken_name members[] = {
    { "hdr", "is reserved for the generated structs' object header" },
    { "super", "is reserved for the generated structs' embedded base" },
};

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* ASCII only, whatever the locale */
static bool is_identifier_start(char c)
{
    return is_upper(c) || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_identifier(const char *name)
{
    if (!is_identifier_start(name[0]))
        return false;
    for (const char *p = name; *p; p++)
        if (!is_identifier_start(*p) && !(*p >= '0' && *p <= '9'))
            return false;
    return true;
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static const char *problem_of(const char *name, const taken_name *list,
                             size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i].name) == 0)
            return list[i].problem;
    return NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* C11 7.31.10 reserves these for <stdint.h>: INT8_MAX, UINT64_C ... */
static bool is_stdint_macro(const char *name)
{
    return (starts_with(name, "INT") || starts_with(name, "UINT")) &&
           (ends_with(name, "_MIN") || ends_with(name, "_MAX") ||
            ends_with(name, "_C") || ends_with(name, "_WIDTH"));
}

/* ... and these: int8_t, uint_fast16_t ... */
static bool is_stdint_typedef(const char *name)
{
    return (starts_with(name, "int") || starts_with(name, "uint")) &&
           ends_with(name, "_t");
}

/* C11 7.1.3: names beginning with an underscore and a capital letter or
 * another underscore are reserved everywhere; beginning with an
 * underscore, at file scope. */
static bool is_reserved_for_c(const char *name, name_use use)
{
    if (name[0] != '_')
        return false;
    return use != NAME_OF_FIELD || name[1] == '_' ||
           is_upper(name[1]);
}

static bool is_typegc_name(const char *name)
{
    return strcmp(name, "tgc") == 0 || strcmp(name, "TGC") == 0 ||
           starts_with(name, "tgc_") || starts_with(name, "TGC_");
}

static int compare_names(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

#define IN_TABLE(name, table) \
    (bsearch((name), (table), COUNT(table), sizeof (table)[0], \
             compare_names) != NULL)

/* Macros of the included headers: no use of the name survives them. */
static const char *macro_problem(const char *name)
{
    const char *problem = problem_of(name, macros, COUNT(macros));
    if (problem != NULL)
        return problem;
    if (is_stdint_macro(name))
        return "is reserved for <stdint.h>";
    if (starts_with(name, "TYPEGC_"))
        return "is reserved for typegc's headers (TYPEGC_)";
    if (starts_with(name, "GC_"))
        return "is reserved for <gc.h>, which the --gc=boehm header includes";
    if (IN_TABLE(name, std_macro))
        return "is a macro of <stdbool.h>, <stddef.h> or <stdint.h>, or "
               "one the compiler predefines";
    if (IN_TABLE(name, libc_macro))
        return "is a macro of <stdio.h> or <stdlib.h>, which the "
               "--gc=boehm and --gc=malloc headers include";
    return NULL;
}

/* Names the included headers declare at file scope, where type names
 * live too. */
static const char *file_scope_problem(const char *name)
{
    const char *problem = problem_of(name, declared, COUNT(declared));
    if (problem != NULL)
        return problem;
    if (is_stdint_typedef(name))
        return "is reserved for <stdint.h>";
    if (IN_TABLE(name, std_declared))
        return "is declared by <stddef.h> or <stdint.h>";
    if (IN_TABLE(name, libc_declared))
        return "is declared by <stdio.h> or <stdlib.h>, which the "
               "--gc=boehm and --gc=malloc headers include";
    return NULL;
}

const char *c_name_problem(const char *name, name_use use)
{
    if (!is_identifier(name))
        return "is not a valid C identifier";
    if (use != NAME_OF_SCHEMA && in_list(name, keywords, COUNT(keywords)))
        return "is a C keyword";
    if (is_reserved_for_c(name, use))
        return "is reserved for the C implementation (it begins with an "
               "underscore)";
    if (is_typegc_name(name))
        return "is reserved for typegc's own names (tgc_, TGC_)";
    if (use == NAME_OF_SCHEMA)
        return NULL;
    const char *problem = macro_problem(name);
    if (problem != NULL)
        return problem;
    if (use == NAME_OF_TYPE)
        return file_scope_problem(name);
    return problem_of(name, members, COUNT(members));
}
