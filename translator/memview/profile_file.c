/* profile_file.c -- reading and checking an allocation profile. */
#include "profile_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "binread.h"
#include "xalloc.h"

/* The runtime records at most 64 frames; more means a corrupted file. */
enum { MAX_DEPTH = 1024 };

/* A name of `length` bytes, its control characters shown as '?' so that
 * a corrupted file cannot write escape sequences to the terminal. */
static char *read_name(binread *r)
{
    uint32_t length = br_u32(r);
    const uint8_t *bytes = br_bytes(r, length);
    if (bytes == NULL)
        return NULL;
    char *name = xmalloc((size_t)length + 1);
    for (uint32_t i = 0; i < length; i++)
        name[i] = bytes[i] < 0x20 || bytes[i] == 0x7f ? '?' : (char)bytes[i];
    name[length] = '\0';
    return name;
}

/* A count of records of at least `min_bytes` each: more than the bytes
 * left can hold is a corrupted count, not a reason to allocate. */
static size_t read_count(binread *r, uint64_t count, size_t min_bytes, const char *what)
{
    if (br_ok(r) && count > (r->size - r->pos) / min_bytes) {
        char message[80];
        snprintf(message, sizeof message, "%s count %llu larger than the file", what,
                 (unsigned long long)count);
        br_fail(r, message);
        return 0;
    }
    return (size_t)count;
}

static void read_types(binread *r, profile *p)
{
    size_t n = read_count(r, br_u32(r), 8, "type");
    p->types = xcalloc(n + 1, sizeof(prof_type));
    for (size_t i = 0; i < n && br_ok(r); i++) {
        p->types[i].id = br_u32(r);
        p->types[i].name = read_name(r);
        if (br_ok(r))
            p->n_types++;
        if (br_ok(r) && p->types[i].id == 0)
            br_fail(r, "type id 0 in the type table");
    }
}

static void read_segments(binread *r, profile *p)
{
    size_t n = read_count(r, br_u32(r), 28, "segment");
    p->segments = xcalloc(n + 1, sizeof(prof_segment));
    for (size_t i = 0; i < n && br_ok(r); i++) {
        prof_segment *s = &p->segments[i];
        s->start = br_u64(r);
        s->end = br_u64(r);
        s->bias = br_u64(r);
        s->path = read_name(r);
        if (br_ok(r))
            p->n_segments++;
        if (br_ok(r) && s->end < s->start)
            br_fail(r, "segment ends before it starts");
    }
}

static bool known_type(const profile *p, uint32_t id)
{
    for (size_t i = 0; i < p->n_types; i++)
        if (p->types[i].id == id)
            return true;
    return false;
}

static void read_samples(binread *r, profile *p)
{
    size_t n = read_count(r, br_u64(r), 16, "sample");
    p->samples = xcalloc(n + 1, sizeof(prof_sample));
    size_t frames_capacity = 0;
    for (size_t i = 0; i < n && br_ok(r); i++) {
        prof_sample *s = &p->samples[i];
        s->size = br_u64(r);
        s->type_id = br_u32(r);
        s->depth = br_u32(r);
        if (!br_ok(r))
            break;
        if (s->size == 0)
            br_fail(r, "sample of 0 bytes");
        else if (s->type_id != 0 && !known_type(p, s->type_id))
            br_fail(r, "sample of a type id not in the type table");
        else if (s->depth > MAX_DEPTH || (size_t)s->depth > (r->size - r->pos) / 8)
            br_fail(r, "sample stack deeper than the file");
        if (!br_ok(r))
            break;
        if (p->n_frames + s->depth > frames_capacity) {
            frames_capacity = (p->n_frames + s->depth) * 2;
            p->frames = xrealloc(p->frames, frames_capacity * sizeof(uint64_t));
        }
        s->first_frame = p->n_frames;
        for (uint32_t k = 0; k < s->depth; k++)
            p->frames[p->n_frames++] = br_u64(r);
        p->n_samples++;
    }
}

bool profile_parse(const uint8_t *data, size_t size, profile *p, char *error,
                   size_t error_size)
{
    binread r = { .data = data, .size = size };
    *p = (profile){ .period = 0 };
    if (br_magic(&r, "TGCPROF1")) {
        p->period = br_u64(&r);
        p->counted = br_u64(&r);
        if (br_ok(&r) && p->period == 0)
            br_fail(&r, "sampling period 0");
    }
    read_types(&r, p);
    read_segments(&r, p);
    read_samples(&r, p);
    br_magic(&r, "TGCPEND1");
    if (br_ok(&r) && r.pos != r.size)
        br_fail(&r, "bytes after the end mark");
    if (!br_ok(&r)) {
        snprintf(error, error_size, "%s", r.error);
        return false;
    }
    return true;
}

void profile_free(profile *p)
{
    for (size_t i = 0; i < p->n_types; i++)
        free(p->types[i].name);
    for (size_t i = 0; i < p->n_segments; i++)
        free(p->segments[i].path);
    free(p->types);
    free(p->segments);
    free(p->samples);
    free(p->frames);
    *p = (profile){ .period = 0 };
}

const char *profile_type_name(const profile *p, uint32_t id)
{
    for (size_t i = 0; i < p->n_types; i++)
        if (p->types[i].id == id)
            return p->types[i].name;
    return "?";
}

double profile_sample_weight(const profile *p, const prof_sample *s)
{
    double size = (double)s->size;
    double sampled = -expm1(-size / (double)p->period);
    return sampled > 0 ? size / sampled : size;
}
