/* heapdump.c -- the heap dump (heapdump.h), after PyPy's HeapDumper
 * (rpython/memory/gc/inspector.py): a walk from the roots that marks with
 * GCFLAG_EXTRA and writes one record per object, then a second walk that
 * clears the marks, so that no list of every object is kept.
 *
 * The walk is breadth-first: each record names the record that reached
 * it first (its parent), and the chain of parents is a shortest path from
 * a root, which `typegc heap` prints without a table of addresses.  The
 * queue holds the frontier only, in chunks freed as they are consumed.
 *
 * The roots are the program's slots and the prebuilt objects that have
 * been written to (prebuilt.h), each a root record holding the object's
 * address, as the collector treats them.  A prebuilt object not written
 * to appears only if something reaches it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "heapdump.h"
#include "log.h"
#include "object.h"
#include "sysmem.h"

/* ---- The queue of objects to write, with the index of their parent ---------- */

enum { CHUNK_ITEMS = 4096 };

typedef struct queued {
    void *object;
    uint64_t parent;            /* record index, 0: a root */
} queued;

typedef struct chunk {
    struct chunk *next;
    queued items[CHUNK_ITEMS];
} chunk;

typedef struct queue {
    chunk *head, *tail;
    size_t head_index, tail_index;  /* next to take in head, next free in tail */
    bool out_of_memory;
} queue;

static void enqueue(queue *q, void *object, uint64_t parent)
{
    if (q->tail == NULL || q->tail_index == CHUNK_ITEMS) {
        chunk *c = malloc(sizeof *c);
        if (c == NULL) {
            q->out_of_memory = true;
            return;
        }
        c->next = NULL;
        if (q->tail != NULL)
            q->tail->next = c;
        else
            q->head = c;
        q->tail = c;
        q->tail_index = 0;
    }
    q->tail->items[q->tail_index++] = (queued){ object, parent };
}

static bool dequeue(queue *q, queued *out)
{
    if (q->head == NULL || (q->head == q->tail && q->head_index == q->tail_index))
        return false;
    if (q->head_index == CHUNK_ITEMS) {
        chunk *done = q->head;
        q->head = done->next;
        q->head_index = 0;
        free(done);
    }
    *out = q->head->items[q->head_index++];
    return true;
}

static void free_queue(queue *q)
{
    while (q->head != NULL) {
        chunk *next = q->head->next;
        free(q->head);
        q->head = next;
    }
}

/* ---- Writing ---------------------------------------------------------------- */

/* The file's bytes go through this buffer: the dump writes a few bytes
 * per object, too many for stdio's locked putc. */
enum { OUT_BUFFER = 1 << 16 };

typedef struct out {
    FILE *file;
    size_t length;
    unsigned char bytes[OUT_BUFFER];
} out;

static void flush(out *o)
{
    fwrite(o->bytes, 1, o->length, o->file);
    o->length = 0;
}

static inline void put_byte(out *o, unsigned value)
{
    if (o->length == OUT_BUFFER)
        flush(o);
    o->bytes[o->length++] = (unsigned char)value;
}

static void put_raw(out *o, const char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_byte(o, (unsigned char)bytes[i]);
}

typedef struct dump {
    out *out;
    queue pending;
    uint64_t index;             /* of the record being written */
    uintptr_t last_address;
    void **refs;                /* the current object's references */
    size_t n_refs, refs_capacity;
    uint64_t *type_counts, *type_bytes;
    tgc_heap_dump_summary summary;
} dump;

static void put_varint(out *out, uint64_t value)
{
    while (value >= 0x80) {
        put_byte(out, (unsigned)(value & 0x7f) | 0x80);
        value >>= 7;
    }
    put_byte(out, (unsigned)value);
}

static void put_signed(out *out, int64_t value)
{
    put_varint(out, ((uint64_t)value << 1) ^ (uint64_t)(value >> 63));
}

static void reach(dump *d, void *object, uint64_t parent)
{
    tgc_header *hdr = tgc_hdr(object);
    if (hdr->flags & TGC_FLAG_EXTRA)
        return;
    hdr->flags |= TGC_FLAG_EXTRA;
    enqueue(&d->pending, object, parent);
}

static void visit_root(void **slot, void *arg)
{
    dump *d = arg;
    put_byte(d->out, 2);
    put_varint(d->out, (uint64_t)(uintptr_t)*slot);
    d->summary.roots++;
    reach(d, *slot, 0);
}

static void visit_ref(void **slot, void *arg)
{
    dump *d = arg;
    if (d->n_refs == d->refs_capacity) {
        size_t capacity = d->refs_capacity ? d->refs_capacity * 2 : 256;
        void **grown = realloc(d->refs, capacity * sizeof(void *));
        if (grown == NULL) {
            d->pending.out_of_memory = true;
            return;
        }
        d->refs = grown;
        d->refs_capacity = capacity;
    }
    d->refs[d->n_refs++] = *slot;
    reach(d, *slot, d->index);
}

static void write_object(dump *d, void *object, uint64_t parent)
{
    uint32_t tid = tgc_hdr(object)->tid;
    size_t size = tgc_object_size(object);
    uintptr_t address = (uintptr_t)object;
    d->n_refs = 0;
    tgc_trace_object(object, visit_ref, d);
    put_byte(d->out, 1);
    put_varint(d->out, tid);
    put_varint(d->out, size);
    put_varint(d->out, parent == 0 ? 0 : d->index - parent);
    put_signed(d->out, (int64_t)(address - d->last_address));
    put_varint(d->out, d->n_refs);
    for (size_t i = 0; i < d->n_refs; i++)
        put_signed(d->out, (int64_t)((uintptr_t)d->refs[i] - address));
    d->last_address = address;
    d->type_counts[tid]++;
    d->type_bytes[tid] += size;
    d->summary.objects++;
    d->summary.bytes += size;
}

static void write_types(out *out)
{
    const tgc_type_table *types = tgc_types;
    uint32_t count = 0;
    for (uint32_t id = 1; id < types->n_types; id++)
        count += types->types[id].name != NULL;
    put_varint(out, count);
    for (uint32_t id = 1; id < types->n_types; id++) {
        const char *name = types->types[id].name;
        if (name == NULL)
            continue;
        put_varint(out, id);
        put_varint(out, strlen(name));
        put_raw(out, name, strlen(name));
    }
}

/* ---- Clearing the marks ------------------------------------------------------- */

static void unmark(void **slot, void *arg)
{
    tgc_header *hdr = tgc_hdr(*slot);
    if (!(hdr->flags & TGC_FLAG_EXTRA))
        return;
    hdr->flags &= ~TGC_FLAG_EXTRA;
    tgc_addrstack_push(arg, *slot);
}

static void clear_marks(void)
{
    tgc_addrstack pending = { NULL, 0, 0 };
    tgc_walk_roots(unmark, &pending);
    tgc_finalizers_walk_queued(unmark, &pending);
    tgc_prebuilt_walk_roots(unmark, &pending);
    while (!tgc_addrstack_empty(&pending))
        tgc_trace_object(tgc_addrstack_pop(&pending), unmark, &pending);
    tgc_sys_free(pending.items, pending.capacity * sizeof(void *));
}

/* ---- The dump ------------------------------------------------------------------ */

static void log_summary(const dump *d, const char *path, uint64_t duration)
{
    tgc_log_start("gc-dump-heap");
    tgc_log_print("file: %s, %llu bytes", path, (unsigned long long)d->summary.file_bytes);
    tgc_log_print("objects: %llu, bytes: %llu, root slots: %llu",
                  (unsigned long long)d->summary.objects, (unsigned long long)d->summary.bytes,
                  (unsigned long long)d->summary.roots);
    for (uint32_t id = 1; id < tgc_types->n_types; id++)
        if (d->type_counts[id] != 0)
            tgc_log_print("type %s: %llu objects, %llu bytes", tgc_types->types[id].name,
                          (unsigned long long)d->type_counts[id],
                          (unsigned long long)d->type_bytes[id]);
    tgc_log_print("time taken: %f", (double)duration * 1e-9);
    tgc_log_stop("gc-dump-heap");
}

int tgc_heap_dump_write(const char *path, tgc_heap_dump_summary *summary)
{
    uint64_t start = tgc_now_ns();
    out *o = malloc(sizeof *o);
    dump d = { .out = o };
    FILE *file = fopen(path, "wb");
    if (file == NULL || o == NULL) {
        fprintf(stderr, "typegc: heap dump: cannot open '%s': %s\n", path,
                file == NULL ? strerror(errno) : "out of memory");
        if (file != NULL)
            fclose(file);
        free(o);
        return -1;
    }
    o->file = file;
    o->length = 0;
    d.type_counts = calloc(tgc_types->n_types, sizeof(uint64_t));
    d.type_bytes = calloc(tgc_types->n_types, sizeof(uint64_t));
    if (d.type_counts == NULL || d.type_bytes == NULL)
        d.pending.out_of_memory = true;
    put_raw(o, "TGCHEAP1", 8);
    write_types(o);
    tgc_walk_roots(visit_root, &d);
    tgc_finalizers_walk_queued(visit_root, &d);
    tgc_prebuilt_walk_roots(visit_root, &d);
    queued next;
    while (!d.pending.out_of_memory && dequeue(&d.pending, &next)) {
        d.index++;
        write_object(&d, next.object, next.parent);
    }
    put_byte(o, 0);
    put_varint(o, d.summary.objects);
    put_varint(o, d.summary.bytes);
    put_varint(o, d.summary.roots);
    put_raw(o, "TGCHEND1", 8);
    flush(o);
    clear_marks();
    free_queue(&d.pending);
    free(d.refs);
    long file_bytes = ftell(file);
    bool failed = ferror(file) != 0;
    failed |= fclose(file) != 0;
    free(o);
    int result = 0;
    if (d.pending.out_of_memory) {
        fprintf(stderr, "typegc: heap dump: out of memory; '%s' is incomplete\n", path);
        result = -1;
    } else if (failed) {
        fprintf(stderr, "typegc: heap dump: error writing '%s'\n", path);
        result = -1;
    } else {
        d.summary.file_bytes = file_bytes < 0 ? 0 : (uint64_t)file_bytes;
        log_summary(&d, path, tgc_now_ns() - start);
    }
    free(d.type_counts);
    free(d.type_bytes);
    if (summary != NULL)
        *summary = d.summary;
    return result;
}
