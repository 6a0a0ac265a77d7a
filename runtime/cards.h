/* cards.h -- card marking (PyPy's card_page_indices): an array of GC
 * pointers of TGC_LARGE_OBJECT bytes or more has one bit per 128 items,
 * in bytes just before its header, byte 0 nearest.  The write barrier
 * sets bits (barrier.c), the minor collection reads and clears them
 * (minor.c), the raw space allocates and frees the area (rawmalloc.c). */
#ifndef TGC_CARDS_H
#define TGC_CARDS_H

#include <stddef.h>

#include "typegc.h"

#define TGC_CARD_PAGE_SHIFT 7          /* 128 items per card */

/* Bytes of card bits for `length` items. */
static inline size_t tgc_card_bytes(size_t length)
{
    return (length + (8u << TGC_CARD_PAGE_SHIFT) - 1) >> (TGC_CARD_PAGE_SHIFT + 3);
}

/* The card area in front of the array: its bits, rounded up to a word so
 * that the object stays aligned. */
static inline size_t tgc_card_area_size(size_t length)
{
    return (tgc_card_bytes(length) + TGC_WORD - 1) & ~(size_t)(TGC_WORD - 1);
}

/* Byte `n` of the array's card bits. */
static inline unsigned char *tgc_card_byte(void *array, size_t n)
{
    return (unsigned char *)array - 1 - n;
}

/* The card of item `index`: its byte and the bit within it. */
static inline unsigned char *tgc_card_of_item(void *array, size_t index, unsigned char *mask)
{
    size_t card = index >> TGC_CARD_PAGE_SHIFT;
    *mask = (unsigned char)(1u << (card & 7));
    return tgc_card_byte(array, card >> 3);
}

#endif /* TGC_CARDS_H */
