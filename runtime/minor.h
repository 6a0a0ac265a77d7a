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
    size_t nursery_surviving_size;      /* copied out of the nursery by the
                                           last one (aged or made old) */
    size_t promoted_size;               /* made old by the last one: from the
                                           nursery, the survivor space, and
                                           young raw objects */
    size_t aged_before;                 /* the survivor space's bytes when the
                                           last one began */
    size_t aged_promoted;               /* of those, the bytes it promoted */
    /* during one: the copies into the survivor space, to trace; and the
     * old objects and arrays' cards that point to them, which the next
     * one must trace (they join `remembered` at the end) */
    tgc_addrstack copies_to_trace;
    tgc_addrstack remembered_for_next;
    tgc_addrstack cards_for_next;
    size_t nursery_used;                /* bytes the last one found allocated */
    uint64_t last_cpu_duration_ns;      /* the last one's time on the CPU */
    uint64_t collections;
    uint64_t time_ns;
} tgc_minor;

/* Copies the reached nursery objects into the survivor space, up to
 * `survivor_limit` bytes (0: none; every young object reached is made
 * old, and the young generation is empty after it, but for pinned
 * objects), and the rest, with the aged objects reached, to the old
 * generation.  Each half of the survivor space is mapped with
 * `survivor_capacity` bytes (0: unmapped). */
void tgc_minor_collection(size_t survivor_capacity, size_t survivor_limit);

#endif /* TGC_MINOR_H */
