/* binread.h -- reading the runtime's binary files (runtime/FORMATS.md) out
 * of a buffer, for `typegc profile` and `typegc heap`.  Every read checks
 * the bytes left: a truncated or corrupted file sets `error` (the first
 * problem, with its offset) and reads as zeros from then on, so that a
 * reader checks once per record instead of once per field. */
#ifndef TYPEGC_BINREAD_H
#define TYPEGC_BINREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct binread {
    const uint8_t *data;
    size_t size;
    size_t pos;
    char error[160];            /* "" while all is well */
} binread;

static inline bool br_ok(const binread *r)
{
    return r->error[0] == '\0';
}

/* Records the first problem; later ones are consequences of it. */
static inline void br_fail(binread *r, const char *what)
{
    if (br_ok(r))
        snprintf(r->error, sizeof r->error, "%s at byte %zu", what, r->pos);
    r->pos = r->size;
}

static inline bool br_need(binread *r, size_t n)
{
    if (!br_ok(r))
        return false;
    if (r->size - r->pos < n) {
        br_fail(r, "truncated");
        return false;
    }
    return true;
}

static inline uint32_t br_u32(binread *r)
{
    uint32_t value = 0;
    if (br_need(r, 4)) {
        memcpy(&value, r->data + r->pos, 4);
        r->pos += 4;
    }
    return value;
}

static inline uint64_t br_u64(binread *r)
{
    uint64_t value = 0;
    if (br_need(r, 8)) {
        memcpy(&value, r->data + r->pos, 8);
        r->pos += 8;
    }
    return value;
}

static inline uint8_t br_byte(binread *r)
{
    return br_need(r, 1) ? r->data[r->pos++] : 0;
}

/* An unsigned LEB128 number of at most 10 bytes. */
static inline uint64_t br_varint(binread *r)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (!br_need(r, 1))
            return 0;
        uint8_t byte = r->data[r->pos++];
        if (shift == 63 && byte > 1) {
            br_fail(r, "number too large");
            return 0;
        }
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return value;
    }
    br_fail(r, "number too long");
    return 0;
}

static inline int64_t br_signed(binread *r)
{
    uint64_t zigzag = br_varint(r);
    return (int64_t)(zigzag >> 1) ^ -(int64_t)(zigzag & 1);
}

/* `n` bytes in place (NULL if they are not all there). */
static inline const uint8_t *br_bytes(binread *r, size_t n)
{
    if (!br_need(r, n))
        return NULL;
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

static inline bool br_magic(binread *r, const char magic[8])
{
    const uint8_t *p = br_bytes(r, 8);
    if (p != NULL && memcmp(p, magic, 8) != 0) {
        r->pos -= 8;
        br_fail(r, "bad magic number");
    }
    return br_ok(r);
}

#endif
