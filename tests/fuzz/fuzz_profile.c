/* fuzz_profile.c -- libFuzzer harness for `typegc profile`'s reader
 * (translator/memview/profile_file.c): any input is read without a crash,
 * a leak or undefined behaviour, and
 *   - a rejected input gets a reason (the error text is not empty);
 *   - an accepted one has every sample's stack inside the frames read,
 *     a name for every sample's type, and a finite weight of at least the
 *     sample's size.
 * The symbol lookups and addr2line are not fuzzed: they read the files a
 * profile names, not the profile. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "memview/profile_file.h"

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_profile: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    profile p;
    char error[200] = "";
    bool ok = profile_parse(data, size, &p, error, sizeof error);
    if (!ok && error[0] == '\0')
        fail("a rejected profile without a reason");
    for (size_t i = 0; ok && i < p.n_samples; i++) {
        const prof_sample *s = &p.samples[i];
        if (s->first_frame + s->depth > p.n_frames)
            fail("a sample's stack outside the frames read");
        if (profile_type_name(&p, s->type_id) == NULL)
            fail("a sample's type without a name");
        double weight = profile_sample_weight(&p, s);
        if (!isfinite(weight) || weight < (double)s->size * 0.999)
            fail("a sample's weight is not finite, or below its size");
    }
    profile_free(&p);
    return 0;
}
