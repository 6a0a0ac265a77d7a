/* heapdump.h -- tgc_dump_heap and TYPEGC_DUMP_HEAP_AT_EXIT (heapdump.c):
 * every object reachable from the roots, with its type, size and
 * references, in the format of runtime/FORMATS.md.  A collector-level
 * walk, like the heap check: the caller (collect.c) runs a full
 * collection first, so that what is reachable is what is live and the
 * nursery holds only pinned objects. */
#ifndef TGC_HEAPDUMP_H
#define TGC_HEAPDUMP_H

#include <stddef.h>
#include <stdint.h>

typedef struct tgc_heap_dump_summary {
    uint64_t objects;
    uint64_t bytes;
    uint64_t roots;             /* root slots holding an object */
    uint64_t file_bytes;
} tgc_heap_dump_summary;

/* Writes the dump to `path`; 0, or -1 after printing why on stderr.  The
 * heap is unchanged either way (the walk's marks are cleared). */
int tgc_heap_dump_write(const char *path, tgc_heap_dump_summary *summary);

#endif /* TGC_HEAPDUMP_H */
