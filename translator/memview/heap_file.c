/* heap_file.c -- reading and checking a heap dump, one record at a time. */
#include "heap_file.h"

#include <stdlib.h>

#include "binread.h"
#include "xalloc.h"

enum { TAG_END = 0, TAG_OBJECT = 1, TAG_ROOT = 2 };

/* The type table, and the map from id to entry, sized to the largest id
 * (a dump of few types needs no table of 65536 entries). */
static void read_types(binread *r, heap_dump *d)
{
    uint64_t n = br_varint(r);
    if (br_ok(r) && n > HEAP_MAX_TYPE_ID)
        br_fail(r, "more types than 16-bit ids");
    d->types = xcalloc((size_t)(br_ok(r) ? n : 0) + 1, sizeof(heap_type));
    for (uint64_t i = 0; i < n && br_ok(r); i++) {
        uint64_t id = br_varint(r);
        uint64_t length = br_varint(r);
        if (br_ok(r) && (id == 0 || id > HEAP_MAX_TYPE_ID))
            br_fail(r, "type id out of range");
        const uint8_t *bytes = br_bytes(r, br_ok(r) ? (size_t)length : 0);
        if (!br_ok(r) || bytes == NULL)
            break;
        char *name = xmalloc((size_t)length + 1);
        for (uint64_t k = 0; k < length; k++)
            name[k] = bytes[k] < 0x20 || bytes[k] == 0x7f ? '?' : (char)bytes[k];
        name[length] = '\0';
        d->types[d->n_types++] = (heap_type){ (uint32_t)id, name };
        if (id > d->max_id)
            d->max_id = (uint32_t)id;
    }
    d->type_of_id = xmalloc(((size_t)d->max_id + 1) * sizeof(int32_t));
    for (size_t i = 0; i <= d->max_id; i++)
        d->type_of_id[i] = -1;
    for (size_t i = 0; i < d->n_types && br_ok(r); i++) {
        if (d->type_of_id[d->types[i].id] >= 0)
            br_fail(r, "type id twice in the type table");
        d->type_of_id[d->types[i].id] = (int32_t)i;
    }
}

/* One object record, after its tag. */
static void read_object(binread *r, heap_dump *d, heap_object *o, uint64_t *last_address)
{
    uint64_t id = br_varint(r);
    o->size = br_varint(r);
    uint64_t distance = br_varint(r);
    o->address = *last_address + (uint64_t)br_signed(r);
    o->n_refs = br_varint(r);
    if (!br_ok(r))
        return;
    if (id > d->max_id || d->type_of_id[id] < 0) {
        br_fail(r, "object of a type id not in the type table");
        return;
    }
    if (o->size == 0) {
        br_fail(r, "object of 0 bytes");
        return;
    }
    if (distance >= o->index) {
        br_fail(r, "object reached from a record after it");
        return;
    }
    if (o->n_refs > r->size - r->pos) {
        br_fail(r, "more references than the file holds");
        return;
    }
    o->type = (uint32_t)d->type_of_id[id];
    o->parent = distance == 0 ? 0 : o->index - distance;
    o->refs = r->data + r->pos;
    for (uint64_t i = 0; i < o->n_refs && br_ok(r); i++)
        br_signed(r);
    o->refs_size = (size_t)(r->data + r->pos - o->refs);
    *last_address = o->address;
}

/* The end record's totals must be what the records said. */
static void read_end(binread *r, const heap_dump *d)
{
    uint64_t objects = br_varint(r), bytes = br_varint(r), roots = br_varint(r);
    if (br_ok(r) && (objects != d->objects || bytes != d->bytes || roots != d->roots))
        br_fail(r, "the totals at the end disagree with the records");
    br_magic(r, "TGCHEND1");
    if (br_ok(r) && r->pos != r->size)
        br_fail(r, "bytes after the end mark");
}

bool heap_parse(const uint8_t *data, size_t size, heap_dump *d, heap_visitor visit, void *arg,
                char *error, size_t error_size)
{
    binread r = { .data = data, .size = size };
    *d = (heap_dump){ .types = NULL };
    br_magic(&r, "TGCHEAP1");
    read_types(&r, d);
    uint64_t last_address = 0;
    bool ended = false;
    while (br_ok(&r) && !ended) {
        uint8_t tag = br_byte(&r);
        if (!br_ok(&r))
            break;
        if (tag == TAG_OBJECT) {
            heap_object o = { .index = d->objects + 1 };
            read_object(&r, d, &o, &last_address);
            if (!br_ok(&r))
                break;
            d->objects++;
            d->bytes += o.size;
            visit(&o, arg);
        } else if (tag == TAG_ROOT) {
            br_varint(&r);
            d->roots++;
        } else if (tag == TAG_END) {
            read_end(&r, d);
            ended = true;
        } else {
            r.pos--;
            br_fail(&r, "unknown record");
        }
    }
    if (!br_ok(&r)) {
        snprintf(error, error_size, "%s", r.error);
        return false;
    }
    return true;
}

void heap_refs(const heap_object *o, uint64_t *out)
{
    binread r = { .data = o->refs, .size = o->refs_size };
    for (uint64_t i = 0; i < o->n_refs; i++)
        out[i] = o->address + (uint64_t)br_signed(&r);
}

void heap_free(heap_dump *d)
{
    for (size_t i = 0; i < d->n_types; i++)
        free(d->types[i].name);
    free(d->types);
    free(d->type_of_id);
    *d = (heap_dump){ .types = NULL };
}
