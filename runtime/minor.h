/* minor.h -- the minor collection (minor.c), and the remembered sets that
 * the write barrier (barrier.c) fills for it. */
#ifndef TGC_MINOR_H
#define TGC_MINOR_H

#include <stddef.h>
#include <stdint.h>

#include "addrstack.h"

/* Filled by barrier.c (the program's stores) and minor.c (the copies it
 * makes); emptied by minor.c. */
typedef struct tgc_remembered {
    tgc_addrstack old_objects_pointing_to_young;
    tgc_addrstack old_objects_with_cards_set;
} tgc_remembered;

/* Written by minor.c only. */
typedef struct tgc_minor {
    size_t nursery_surviving_size;      /* copied out by the last one */
    size_t promoted_size;               /* made old by the last one, young
                                           raw objects included */
    size_t nursery_used;                /* bytes the last one found allocated */
    uint64_t last_cpu_duration_ns;      /* the last one's time on the CPU */
    uint64_t collections;
    uint64_t time_ns;
} tgc_minor;

void tgc_minor_collection(void);

#endif /* TGC_MINOR_H */
