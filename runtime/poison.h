/* poison.h -- AddressSanitizer's poisoning, for the spaces whose free
 * memory the program must not touch (the nursery, the survivor space): a
 * pointer that a collection missed (a missing root) then faults at its
 * first use.  Nothing without AddressSanitizer. */
#ifndef TGC_POISON_H
#define TGC_POISON_H

#if defined(__SANITIZE_ADDRESS__)
#define TGC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TGC_ASAN 1
#endif
#endif
#ifdef TGC_ASAN
#include <sanitizer/asan_interface.h>
#define poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define poison(p, n) ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#endif

#endif /* TGC_POISON_H */
