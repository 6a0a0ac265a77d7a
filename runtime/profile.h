/* profile.h -- TYPEGC_PROFILE=FILE[:BYTES[:SEED]]: sampled allocation
 * profiles (profile.c).  A byte clock counts what the program allocates;
 * the allocation that covers the next sample point is recorded with its
 * size, its type and the call stack.  The points are spaced by random
 * gaps (exponential, BYTES on average), so a loop cannot alias with them;
 * SEED fixes their sequence (by default each run has its own).
 *
 * The cursor (cursor.c) hands out a `top` no further than the next sample
 * point, so that the allocation covering it goes to the slow path; the
 * fast path is unchanged.  A nursery object's header is written after the
 * slow path returns: its type is read at the next slow path (every
 * collection starts at one, so the object has not moved yet).  The file
 * format is runtime/FORMATS.md's.  See runtime/DESIGN.md, "Allocation
 * profiles". */
#ifndef TGC_PROFILE_H
#define TGC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TGC_PROFILE_DEFAULT_PERIOD (4u << 20)

/* Reads TYPEGC_PROFILE; 0 if unset or valid, -1 after printing why. */
int tgc_profile_open(void);

/* The bytes that may be allocated before the next sample point; SIZE_MAX
 * when profiling is off. */
size_t tgc_profile_bytes_to_sample(void);

/* `bytes` were allocated in the nursery since the last count.  Reads the
 * type of the object sampled at the last slow path first. */
void tgc_profile_count(size_t bytes);

/* A nursery allocation of `size` bytes reached the slow path: whether it
 * covers the sample point.  If so its stack is recorded, up to the frame
 * that returns to `caller` (the user's code), and the caller must call
 * tgc_profile_sampled_at() with the address the object will have. */
bool tgc_profile_sample_due(size_t size, const void *caller);
void tgc_profile_sampled_at(const void *object);

/* An object of `size` bytes allocated outside the nursery, header written:
 * counted, and sampled if it covers the sample point. */
void tgc_profile_count_outside(uint32_t type_id, size_t size, const void *caller);

/* Writes the samples so far (tgc_profile_flush, and at exit). */
void tgc_profile_write(void);

#endif /* TGC_PROFILE_H */
