/* profile_file.h -- an allocation profile (TYPEGC_PROFILE's file, in the
 * format of runtime/FORMATS.md) read into memory and checked
 * (profile_file.c). */
#ifndef TYPEGC_PROFILE_FILE_H
#define TYPEGC_PROFILE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct prof_type {
    uint32_t id;
    char *name;
} prof_type;

/* An executable segment of a loaded object: [start, end) in the process,
 * `bias` what was added to the file's addresses. */
typedef struct prof_segment {
    uint64_t start, end, bias;
    char *path;
} prof_segment;

typedef struct prof_sample {
    uint64_t size;
    uint32_t type_id;           /* 0: unknown */
    uint32_t depth;
    size_t first_frame;         /* into frames[]: the allocating frame first */
} prof_sample;

typedef struct profile {
    uint64_t period;            /* mean bytes between sample points */
    uint64_t counted;           /* bytes the program allocated while sampled */
    prof_type *types;
    size_t n_types;
    prof_segment *segments;
    size_t n_segments;
    prof_sample *samples;
    size_t n_samples;
    uint64_t *frames;           /* return addresses */
    size_t n_frames;
} profile;

/* Reads a profile from `data`; false with the reason in `error` if it is
 * not one, or truncated, or inconsistent. */
bool profile_parse(const uint8_t *data, size_t size, profile *p, char *error,
                   size_t error_size);
void profile_free(profile *p);

/* The type's name, or "?" for 0 or an id not in the table. */
const char *profile_type_name(const profile *p, uint32_t id);

/* The estimated bytes a sample stands for: an object of `size` bytes is
 * sampled with probability 1 - exp(-size / period). */
double profile_sample_weight(const profile *p, const prof_sample *s);

#endif
