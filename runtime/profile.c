/* profile.c -- TYPEGC_PROFILE: the byte clock, the samples, and the file
 * they are written to (profile.h; the format is runtime/FORMATS.md's). */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <limits.h>
#include <link.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "object.h"
#include "profile.h"
#include "util.h"

enum { MAX_FRAMES = 64 };

typedef struct sample {
    uint64_t size;
    uint32_t type_id;           /* 0 until read, or if the header was no type */
    uint32_t depth;
    size_t first_frame;         /* into frames[] */
} sample;

static struct {
    bool on;
    char *path;                 /* "%d" already replaced */
    pid_t owner;                /* the process that opened it: a forked child does not write */
    uint64_t period;            /* mean bytes between sample points */
    uint64_t rng;               /* xorshift64* state */
    size_t countdown;           /* bytes before the next sample point */
    uint64_t counted;           /* bytes counted since the start */
    sample *samples;
    size_t n_samples, samples_capacity;
    uintptr_t *frames;
    size_t n_frames, frames_capacity;
    uint64_t lost;              /* samples dropped: malloc refused their record */
    const void *pending;        /* a sampled nursery object whose header is not read yet */
    size_t pending_sample;
} prof;

/* ---- The byte clock ---------------------------------------------------------- */

static uint64_t next_random(void)
{
    prof.rng ^= prof.rng >> 12;
    prof.rng ^= prof.rng << 25;
    prof.rng ^= prof.rng >> 27;
    return prof.rng * 0x2545f4914f6cdd1dull;
}

/* An exponential gap of mean `period`: the clock is memoryless, so each
 * object is sampled with probability 1 - exp(-size / period) whatever came
 * before it, which is what the reader's weights assume. */
static size_t next_gap(void)
{
    double u = ((double)(next_random() >> 11) + 0.5) / 9007199254740992.0;
    double gap = -log(u) * (double)prof.period;
    return gap >= (double)(SIZE_MAX / 2) ? SIZE_MAX / 2 : (size_t)gap;
}

size_t tgc_profile_bytes_to_sample(void)
{
    return prof.on ? prof.countdown : SIZE_MAX;
}

/* The object sampled at the last slow path has its header by now. */
static void read_pending_type(void)
{
    if (prof.pending == NULL)
        return;
    uint32_t tid = ((const tgc_header *)prof.pending)->tid;
    const tgc_type_table *types = tgc_types;
    bool known = tid != 0 && tid < types->n_types && types->types[tid].name != NULL;
    sample *s = &prof.samples[prof.pending_sample];
    s->type_id = known ? tid : 0;
    prof.pending = NULL;
    tgc_log_start("gc-profile-sample");
    tgc_log_print("type %s, %llu bytes, %u frames", known ? types->types[tid].name : "?",
                  (unsigned long long)s->size, s->depth);
    tgc_log_stop("gc-profile-sample");
}

void tgc_profile_count(size_t bytes)
{
    if (!prof.on)
        return;
    read_pending_type();
    prof.counted += bytes;
    prof.countdown = bytes > prof.countdown ? 0 : prof.countdown - bytes;
}

/* ---- Samples ------------------------------------------------------------------- */

static bool reserve(void **array, size_t *capacity, size_t needed, size_t item)
{
    if (needed <= *capacity)
        return true;
    size_t capacity_now = *capacity < 64 ? 64 : *capacity;
    while (capacity_now < needed)
        capacity_now *= 2;
    void *grown = realloc(*array, capacity_now * item);
    if (grown == NULL)
        return false;
    *array = grown;
    *capacity = capacity_now;
    return true;
}

/* Records a sample and its stack without the runtime's frames: those
 * before the one that returns to `caller`.  Returns its index, or
 * SIZE_MAX if there was no memory for it. */
static size_t record(uint64_t size, uint32_t type_id, const void *caller)
{
    void *stack[MAX_FRAMES];
    int depth = backtrace(stack, MAX_FRAMES);
    int first = 0;
    while (first < depth && stack[first] != caller)
        first++;
    if (first == depth)
        first = 0;              /* not found: keep the whole stack */
    size_t kept = (size_t)(depth - first);
    if (!reserve((void **)&prof.samples, &prof.samples_capacity, prof.n_samples + 1,
                 sizeof(sample)) ||
        !reserve((void **)&prof.frames, &prof.frames_capacity, prof.n_frames + kept,
                 sizeof(uintptr_t))) {
        prof.lost++;
        return SIZE_MAX;
    }
    for (size_t i = 0; i < kept; i++)
        prof.frames[prof.n_frames + i] = (uintptr_t)stack[(size_t)first + i];
    prof.samples[prof.n_samples] = (sample){
        .size = size, .type_id = type_id, .depth = (uint32_t)kept, .first_frame = prof.n_frames,
    };
    prof.n_frames += kept;
    return prof.n_samples++;
}

bool tgc_profile_sample_due(size_t size, const void *caller)
{
    if (!prof.on || size <= prof.countdown)
        return false;
    prof.pending_sample = record(size, 0, caller);
    /* The object is counted when the next cursor is: the next gap starts
     * after it. */
    prof.countdown = next_gap() + size;
    return prof.pending_sample != SIZE_MAX;
}

void tgc_profile_sampled_at(const void *object)
{
    prof.pending = object;
}

void tgc_profile_count_outside(uint32_t type_id, size_t size, const void *caller)
{
    if (!prof.on)
        return;
    prof.counted += size;
    if (size <= prof.countdown) {
        prof.countdown -= size;
        return;
    }
    size_t index = record(size, type_id, caller);
    prof.countdown = next_gap();
    if (index != SIZE_MAX) {
        tgc_log_start("gc-profile-sample");
        tgc_log_print("type %s, %zu bytes, %u frames", tgc_type_info_of(type_id)->name, size,
                      prof.samples[index].depth);
        tgc_log_stop("gc-profile-sample");
    }
}

/* ---- The file ------------------------------------------------------------------ */

static void put_u32(FILE *out, uint32_t value)
{
    fwrite(&value, sizeof value, 1, out);
}

static void put_u64(FILE *out, uint64_t value)
{
    fwrite(&value, sizeof value, 1, out);
}

static void put_string(FILE *out, const char *text)
{
    size_t length = strlen(text);
    put_u32(out, (uint32_t)length);
    fwrite(text, 1, length, out);
}

static void write_types(FILE *out)
{
    const tgc_type_table *types = tgc_types;
    uint32_t count = 0;
    for (uint32_t id = 1; types != NULL && id < types->n_types; id++)
        count += types->types[id].name != NULL;
    put_u32(out, count);
    for (uint32_t id = 1; types != NULL && id < types->n_types; id++)
        if (types->types[id].name != NULL) {
            put_u32(out, id);
            put_string(out, types->types[id].name);
        }
}

/* The executable segments of every loaded object, so that the reader can
 * turn return addresses into offsets in their files. */
typedef struct segment {
    uint64_t start, end, bias;
    char path[PATH_MAX];
} segment;

typedef struct segments {
    segment *items;
    size_t count, capacity;
} segments;

static int add_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    segments *all = arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        if (!reserve((void **)&all->items, &all->capacity, all->count + 1, sizeof(segment)))
            return 1;
        segment *s = &all->items[all->count++];
        s->bias = info->dlpi_addr;
        s->start = info->dlpi_addr + ph->p_vaddr;
        s->end = s->start + ph->p_memsz;
        s->path[0] = '\0';
        if (info->dlpi_name != NULL && info->dlpi_name[0] != '\0') {
            snprintf(s->path, sizeof s->path, "%s", info->dlpi_name);
        } else {
            ssize_t n = readlink("/proc/self/exe", s->path, sizeof s->path - 1);
            s->path[n > 0 ? n : 0] = '\0';
        }
    }
    return 0;
}

static void write_segments(FILE *out)
{
    segments all = { NULL, 0, 0 };
    dl_iterate_phdr(add_object, &all);
    put_u32(out, (uint32_t)all.count);
    for (size_t i = 0; i < all.count; i++) {
        put_u64(out, all.items[i].start);
        put_u64(out, all.items[i].end);
        put_u64(out, all.items[i].bias);
        put_string(out, all.items[i].path);
    }
    free(all.items);
}

static void write_samples(FILE *out)
{
    put_u64(out, prof.n_samples);
    for (size_t i = 0; i < prof.n_samples; i++) {
        const sample *s = &prof.samples[i];
        put_u64(out, s->size);
        put_u32(out, s->type_id);
        put_u32(out, s->depth);
        for (uint32_t k = 0; k < s->depth; k++)
            put_u64(out, prof.frames[s->first_frame + k]);
    }
}

void tgc_profile_write(void)
{
    if (!prof.on || getpid() != prof.owner)
        return;
    read_pending_type();
    FILE *out = fopen(prof.path, "wb");
    if (out == NULL) {
        fprintf(stderr, "typegc: TYPEGC_PROFILE: cannot write '%s': %s\n", prof.path,
                strerror(errno));
        return;
    }
    fwrite("TGCPROF1", 1, 8, out);
    put_u64(out, prof.period);
    put_u64(out, prof.counted);
    write_types(out);
    write_segments(out);
    write_samples(out);
    fwrite("TGCPEND1", 1, 8, out);
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed)
        fprintf(stderr, "typegc: TYPEGC_PROFILE: error writing '%s'\n", prof.path);
    tgc_log_start("gc-profile-write");
    tgc_log_print("samples: %zu (%llu lost), period: %llu, bytes allocated: %llu, file: %s",
                  prof.n_samples, (unsigned long long)prof.lost,
                  (unsigned long long)prof.period, (unsigned long long)prof.counted, prof.path);
    tgc_log_stop("gc-profile-write");
}

void tgc_profile_flush(void)
{
    tgc_profile_write();
}

static void write_at_exit(void)
{
    tgc_profile_write();
}

/* ---- TYPEGC_PROFILE ------------------------------------------------------------ */

/* A decimal number ending at `end`, after the last ':' before it; true and
 * *colon set if there is one. */
static bool number_suffix(const char *spec, const char *end, const char **colon,
                          unsigned long long *value)
{
    const char *p = end;
    while (p > spec && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || p == spec || p[-1] != ':' || end - p > 19)
        return false;
    *value = strtoull(p, NULL, 10);
    *colon = p - 1;
    return true;
}

int tgc_profile_open(void)
{
    const char *spec = getenv("TYPEGC_PROFILE");
    if (spec == NULL || spec[0] == '\0')
        return 0;
    unsigned long long first = 0, second = 0;
    const char *end = spec + strlen(spec), *colon;
    /* Without a seed each run draws its own gaps: with one fixed for all,
     * every short run would share the same few hundred gaps and the same
     * error. */
    unsigned long long period = TGC_PROFILE_DEFAULT_PERIOD,
                       seed = tgc_now_ns() ^ ((unsigned long long)getpid() << 32);
    if (number_suffix(spec, end, &colon, &second)) {
        end = colon;
        if (number_suffix(spec, end, &colon, &first)) {
            end = colon;
            period = first;
            seed = second;
        } else {
            period = second;
        }
    }
    if (end == spec || period == 0) {
        fprintf(stderr, "typegc: TYPEGC_PROFILE=%s: expected FILE[:BYTES[:SEED]], BYTES "
                "the mean allocation between samples (above 0)\n", spec);
        return -1;
    }
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%.*s", (int)(end - spec), spec);
    const char *mark = strstr(name, "%d");
    char path[PATH_MAX + 32];
    if (mark != NULL)
        snprintf(path, sizeof path, "%.*s%ld%s", (int)(mark - name), name, (long)getpid(),
                 mark + 2);
    else
        snprintf(path, sizeof path, "%s", name);
    FILE *probe = fopen(path, "wb");
    if (probe == NULL) {
        fprintf(stderr, "typegc: TYPEGC_PROFILE: cannot open '%s': %s\n", path,
                strerror(errno));
        return -1;
    }
    fclose(probe);
    prof.path = strdup(path);
    if (prof.path == NULL) {
        fprintf(stderr, "typegc: TYPEGC_PROFILE: out of memory\n");
        return -1;
    }
    prof.period = period;
    prof.rng = seed != 0 ? seed : 1;
    prof.owner = getpid();
    prof.countdown = next_gap();
    prof.on = true;
    /* The unwinder loads itself at its first use: not in a sample. */
    void *warm[1];
    backtrace(warm, 1);
    atexit(write_at_exit);
    return 0;
}
