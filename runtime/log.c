/* log.c -- PYPYLOG output, in the format of PyPy's debug_print.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static FILE *log_file;          /* NULL: PYPYLOG unset */
static char *prefixes;          /* "cat1,cat2" ("" = all); NULL in profile mode */
static bool profile;            /* every start and stop, no lines */
/* One bit per open section, innermost in bit 0: are its lines printed?
 * All ones at top level, so lines outside a section are printed. */
static unsigned long have_prints = ~0ul;
static const char *color_start = "", *color_stop = "", *color_reset = "";

uint64_t tgc_clock_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t tgc_now_ns(void)
{
    return tgc_clock_ns(CLOCK_MONOTONIC);
}

static bool starts_with_one_of(const char *category, const char *list)
{
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t length = comma ? (size_t)(comma - p) : strlen(p);
        if (strncmp(category, p, length) == 0)
            return true;
        if (comma == NULL)
            return false;
        p = comma + 1;
    }
}

/* "%d" in the file name is replaced by the process id. */
static char *expand_pid(const char *name, bool *has_pid)
{
    const char *mark = strstr(name, "%d");
    *has_pid = mark != NULL;
    if (mark == NULL)
        return strdup(name);
    size_t length = strlen(name) + 32;
    char *result = malloc(length);
    if (result != NULL)
        snprintf(result, length, "%.*s%ld%s", (int)(mark - name), name,
                 (long)getpid(), mark + 2);
    return result;
}

int tgc_log_open(void)
{
    const char *spec = getenv("PYPYLOG");
    if (spec == NULL || spec[0] == '\0')
        return 0;

    const char *colon = strchr(spec, ':');
    const char *name;
    if (spec[0] == '+') {
        profile = true;
        name = spec + 1;
    } else if (colon != NULL) {
        prefixes = strndup(spec, (size_t)(colon - spec));
        name = colon + 1;
    } else {
        profile = true;
        name = spec;
    }

    bool has_pid;
    char *path = expand_pid(name, &has_pid);
    if (path == NULL || (prefixes == NULL && !profile)) {
        fprintf(stderr, "typegc: PYPYLOG: out of memory\n");
        return -1;
    }
    if (strcmp(path, "-") == 0 || path[0] == '\0') {
        log_file = stderr;
    } else {
        log_file = fopen(path, "w");
        if (log_file == NULL) {
            fprintf(stderr, "typegc: PYPYLOG: cannot open '%s': %s\n", path, strerror(errno));
            free(path);
            return -1;
        }
    }
    free(path);
    if (isatty(fileno(log_file))) {
        color_start = "\033[1m\033[31m";
        color_stop = "\033[31m";
        color_reset = "\033[0m";
    }
    /* As PyPy: child processes must not overwrite this log, unless each
     * writes its own file. */
    if (!has_pid)
        unsetenv("PYPYLOG");
    return 0;
}

static void print_bracket(const char *color, const char *open, const char *category,
                          const char *close)
{
    fprintf(log_file, "%s[%llx] %s%s%s\n%s", color, (unsigned long long)tgc_now_ns(),
            open, category, close, color_reset);
}

void tgc_log_start(const char *category)
{
    have_prints <<= 1;
    if (log_file == NULL)
        return;
    if (profile) {
        print_bracket(color_start, "{", category, "");
    } else if (starts_with_one_of(category, prefixes)) {
        have_prints |= 1;
        print_bracket(color_start, "{", category, "");
    }
}

void tgc_log_stop(const char *category)
{
    if (log_file != NULL && (profile || (have_prints & 1))) {
        print_bracket(color_stop, "", category, "}");
        fflush(log_file);
    }
    have_prints = (have_prints >> 1) | (~0ul << (sizeof have_prints * 8 - 1));
}

bool tgc_log_have_prints(void)
{
    return have_prints & 1;
}

void tgc_log_print(const char *fmt, ...)
{
    if (!tgc_log_have_prints())
        return;
    FILE *out = log_file != NULL ? log_file : stderr;
    va_list args;
    va_start(args, fmt);
    vfprintf(out, fmt, args);
    va_end(args);
    fputc('\n', out);
}
