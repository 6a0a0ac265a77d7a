/* backend_check.h -- the assertion the programs of tests/backends share.
 * Not tests/check.h, which includes typegc.h: these programs are built
 * over every backend's header.  CHECK counts a failure and goes on. */
#ifndef BACKEND_CHECK_H
#define BACKEND_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

#endif
