/* env.c -- the PYPY_GC_* environment variables, in one table.
 *
 * Sizes are read as PyPy's env.py reads them: one trailing 'b' or 'B' is
 * dropped, then an optional k/m/g suffix (any case) multiplies by 1024,
 * 1024^2 or 1024^3, and the rest is a number ("4M", "1.5GB", "1KB", "300").
 * Unlike PyPy, which reads a malformed value as 0, a value that does not
 * parse is reported with the variable's name and tgc_init() fails.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

/* KNOB_COUNT: a whole number, negative read as 0. */
typedef enum { KNOB_SIZE, KNOB_FACTOR, KNOB_FLAG, KNOB_LEVEL, KNOB_COUNT } knob_kind;

typedef struct knob {
    const char *name;
    knob_kind kind;
    size_t offset;              /* of the field in tgc_config */
    const char *doc;
} knob;

static const knob knobs[] = {
    { "PYPY_GC_NURSERY", KNOB_SIZE, offsetof(tgc_config, nursery_size),
      "nursery size, fixed; default: 4 MiB, doubling while much survives up "
      "to half the L2 cache if above 8 MiB (at most 48 MiB), adapting to the "
      "program; "
      "below 270336 the nursery keeps its minimum size and only that many "
      "bytes are used between minor collections (debugging)" },
    { "PYPY_GC_MAJOR_COLLECT", KNOB_FACTOR, offsetof(tgc_config, major_collect),
      "start a major collection when the old generation reaches this many "
      "times what survived the last one; default 1.82, used if above 1" },
    { "PYPY_GC_GROWTH", KNOB_FACTOR, offsetof(tgc_config, growth),
      "the major-collection threshold grows at most this much per cycle; "
      "default 1.4, used if above 1" },
    { "PYPY_GC_MIN", KNOB_SIZE, offsetof(tgc_config, min_heap),
      "the major-collection threshold never goes below this; default 32 MiB "
      "(8 x the 4 MiB nursery of a 512 KiB L2 cache, whatever the nursery)" },
    { "PYPY_GC_MAX", KNOB_SIZE, offsetof(tgc_config, max_heap),
      "the most the old generation may use: collect more often near it, then "
      "report a memory error, then stop; default: no limit" },
    { "PYPY_GC_MAX_DELTA", KNOB_SIZE, offsetof(tgc_config, max_delta),
      "most the major-collection threshold may exceed the live heap; "
      "default 1/8 of the RAM" },
    { "PYPY_GC_INCREMENT_STEP", KNOB_SIZE, offsetof(tgc_config, increment_step),
      "bytes marked per major step, at least twice what the last minor "
      "collection promoted; default 4 x nursery" },
    { "PYPY_GC_NURSERY_DEBUG", KNOB_FLAG, offsetof(tgc_config, nursery_debug),
      "nonzero: fill the nursery with '#' after each minor collection, and "
      "old objects' memory when a sweep frees it" },
    { "PYPY_GC_MAX_PINNED", KNOB_COUNT, offsetof(tgc_config, max_pinned),
      "the most objects tgc_pin() pins at once; 0 disables pinning; default: "
      "nursery / 270336 (15 for a 4 MiB nursery)" },
    { "PYPY_GC_DEBUG", KNOB_LEVEL, offsetof(tgc_config, debug_level),
      "1: check the heap before each major step; 2: after each minor "
      "collection too" },
    /* typegc's own, not PyPy's */
    { "TYPEGC_TORTURE", KNOB_LEVEL, offsetof(tgc_config, torture),
      "N: a minor collection at every allocation and a full collection every "
      "N allocations, with the emptied nursery made inaccessible, so that a "
      "missing root faults at once (debugging)" },
    { "TYPEGC_FAIL_ALLOC", KNOB_LEVEL, offsetof(tgc_config, fail_alloc),
      "N: the runtime's Nth request for memory from the system fails, as if "
      "malloc or mmap had returned nothing (testing)" },
    { "TYPEGC_MEMORY_LIMIT", KNOB_SIZE, offsetof(tgc_config, memory_limit),
      "the runtime's requests for memory from the system fail beyond this "
      "many bytes held at once, as under a ulimit (testing)" },
    { "TYPEGC_PREFAULT_ARENAS", KNOB_LEVEL, offsetof(tgc_config, prefault_arenas),
      "N: keep N spare arenas (at most 16) mapped ahead, which a helper thread "
      "faults in so that minor collections take no page faults; 0: no helper "
      "thread; default: one nursery's worth plus 2, or 0 under "
      "TYPEGC_FAIL_ALLOC or TYPEGC_MEMORY_LIMIT" },
    { "TYPEGC_STEP_MAX_US", KNOB_LEVEL, offsetof(tgc_config, step_max_us),
      "N: a marking or sweeping step stops after N microseconds even if its "
      "budget is not spent (the next steps do the rest); default 0: no "
      "limit, as in PyPy, or half of TYPEGC_PAUSE_GOAL_MS" },
    { "TYPEGC_PAUSE_GOAL_MS", KNOB_FACTOR, offsetof(tgc_config, pause_goal_ms),
      "T: keep each pause under T milliseconds (fractions allowed): the "
      "nursery starts at T x 128 KiB and grows only while its collections "
      "stay well under half of T, marking steps do T x 512 KiB and every "
      "step stops after T / 2; default 0: no goal, the nursery adapts for "
      "throughput" },
    { "TYPEGC_NO_AGING", KNOB_FLAG, offsetof(tgc_config, no_aging),
      "nonzero: each minor collection makes every young object it reaches "
      "old, as PyPy's does, instead of keeping the nursery's survivors young "
      "in the survivor space until they survive a second one" },
    { "TYPEGC_AGING_ALWAYS", KNOB_FLAG, offsetof(tgc_config, aging_always),
      "nonzero: minor collections age between major cycles even when the "
      "aging policy would stop them, tgc_collect_minor()'s too (testing)" },
    { "TYPEGC_NURSERY_RESIZE_EVERY", KNOB_LEVEL, offsetof(tgc_config, nursery_resize_every),
      "N: resize and move the nursery after every Nth minor collection, "
      "whatever the policy says (testing)" },
};

/* Returns 0 and the value in *out, or -1 if the text is not a size. */
static int parse_size(const char *text, double *out, bool allow_suffix)
{
    char buf[64];
    size_t length = strlen(text);
    if (length == 0 || length >= sizeof buf)
        return -1;
    memcpy(buf, text, length + 1);
    if (length > 1 && (buf[length - 1] == 'b' || buf[length - 1] == 'B'))
        buf[--length] = '\0';
    double factor = 1.0;
    switch (tolower((unsigned char)buf[length - 1])) {
    case 'k': factor = 1024.0; break;
    case 'm': factor = 1024.0 * 1024.0; break;
    case 'g': factor = 1024.0 * 1024.0 * 1024.0; break;
    default: break;
    }
    if (factor != 1.0) {
        if (!allow_suffix)
            return -1;
        buf[--length] = '\0';
    }
    if (length == 0 || isspace((unsigned char)buf[0]))
        return -1;
    char *end;
    errno = 0;
    double value = strtod(buf, &end);
    if (*end != '\0' || errno != 0 || !isfinite(value))
        return -1;
    *out = value * factor;
    return 0;
}

static int read_knob(const knob *k, tgc_config *config)
{
    const char *text = getenv(k->name);
    if (text == NULL)
        return 0;
    double value;
    if (parse_size(text, &value, k->kind == KNOB_SIZE) != 0 ||
        (k->kind == KNOB_COUNT && value != floor(value))) {
        fprintf(stderr, "typegc: %s=%s: not a %s (%s)\n", k->name, text,
                k->kind == KNOB_SIZE    ? "size such as 4M, 1.5GB or 300"
                : k->kind == KNOB_COUNT ? "whole number"
                                        : "number", k->doc);
        return -1;
    }
    char *field = (char *)config + k->offset;
    if (k->kind == KNOB_FLAG) {
        *(bool *)field = value > 0;
    } else if (k->kind == KNOB_LEVEL || k->kind == KNOB_COUNT) {
        *(long *)field = value <= 0 ? 0 : value >= 1e9 ? 1000000000L : (long)value;
    } else if (k->kind == KNOB_FACTOR) {
        *(double *)field = value;
    } else if (value > 0) {     /* <= 0 means "the default", as in PyPy */
        *(size_t *)field = value >= 0x1p63 ? (size_t)1 << 63 : (size_t)value;
    }
    return 0;
}

int tgc_config_read(tgc_config *config)
{
    *config = (tgc_config){ .prefault_arenas = -1, .max_pinned = -1 };
    for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++)
        if (read_knob(&knobs[i], config) != 0)
            return -1;
    return 0;
}

