/* slot_values.h -- how a 64-bit model value is stored in a slot of each
 * kind (the generated shims write through these conversions), and what
 * reading that slot back must give (what the driver expects). */
#ifndef RS_SLOT_VALUES_H
#define RS_SLOT_VALUES_H

#include <stdint.h>
#include <string.h>

#include <typegc_types.h>

/* An exact double, negative or fractional as often as not. */
static inline double slot_f64_of(uint64_t value)
{
    return (double)(int32_t)value / 8.0;
}

static inline uint64_t slot_bits_of_f64(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

/* What the shim's read() gives for a slot of this kind after its write()
 * stored `value`. */
static inline uint64_t slot_read_back(tgc_kind kind, uint64_t value)
{
    switch (kind) {
    case TGC_KIND_I8: return (uint64_t)(int64_t)(int8_t)value;
    case TGC_KIND_I16: return (uint64_t)(int64_t)(int16_t)value;
    case TGC_KIND_I32: return (uint64_t)(int64_t)(int32_t)value;
    case TGC_KIND_U8: return (uint8_t)value;
    case TGC_KIND_U16: return (uint16_t)value;
    case TGC_KIND_U32: return (uint32_t)value;
    case TGC_KIND_F64: return slot_bits_of_f64(slot_f64_of(value));
    case TGC_KIND_BOOL: return value & 1;
    default: return value;      /* i64, u64 */
    }
}

/* Bytes one item of this kind takes in an array. */
static inline size_t slot_size(tgc_kind kind)
{
    switch (kind) {
    case TGC_KIND_I8: case TGC_KIND_U8: case TGC_KIND_BOOL: return 1;
    case TGC_KIND_I16: case TGC_KIND_U16: return 2;
    case TGC_KIND_I32: case TGC_KIND_U32: return 4;
    default: return 8;
    }
}

#endif /* RS_SLOT_VALUES_H */
