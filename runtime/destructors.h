/* destructors.h -- the objects whose type has a destructor (PyPy's light
 * finalizers): the lists that find them dead, and the calls into the
 * program's T_destruct() (destructors.c).  The collectors say when: the
 * minor collection for young objects, the end of marking for old ones. */
#ifndef TGC_DESTRUCTORS_H
#define TGC_DESTRUCTORS_H

#include <stdbool.h>
#include <stdint.h>

#include "addrstack.h"

/* Written by destructors.c only. */
typedef struct tgc_destructors {
    tgc_addrstack young;        /* PyPy's young_objects_with_destructors */
    tgc_addrstack old;          /* old_objects_with_destructors */
    uint64_t run;               /* destructors called so far */
    bool running;               /* inside a T_destruct(): nothing may allocate */
} tgc_destructors;

/* An object that tgc_alloc_external() made, if its type has a destructor
 * (TGC_NEW registers nursery objects itself, tgc_destructor_register()). */
void tgc_destructors_note_external(void *object);

/* In a minor collection, after the survivors are copied and before the
 * nursery and the unreached young raw objects are freed: the young objects
 * that were not reached are destructed, the others become old ones. */
void tgc_destructors_after_minor(void);

/* At the end of marking, before sweeping: the old objects marking did not
 * reach are destructed (sweeping then frees them). */
void tgc_destructors_after_marking(void);

/* Stops the program if a destructor is running: `what` is the call that
 * it made and may not make. */
void tgc_destructors_forbid(const char *what);

#endif /* TGC_DESTRUCTORS_H */
