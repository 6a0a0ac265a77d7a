/* sysmem.h -- the runtime's memory from the system (sysmem.c). */
#ifndef TGC_SYSMEM_H
#define TGC_SYSMEM_H

#include <stdbool.h>
#include <stddef.h>

/* TYPEGC_FAIL_ALLOC and TYPEGC_MEMORY_LIMIT (0: off); before any request. */
void tgc_sys_init(long fail_alloc, size_t memory_limit);

/* Requests that may fail (NULL), counted for TYPEGC_MEMORY_LIMIT and
 * numbered for TYPEGC_FAIL_ALLOC.  The sizes given back must be those
 * taken. */
void *tgc_sys_malloc(size_t size);
void *tgc_sys_calloc(size_t size);
void *tgc_sys_realloc(void *p, size_t old_size, size_t new_size);
void tgc_sys_free(void *p, size_t size);
void *tgc_sys_map(size_t length);
void tgc_sys_unmap(void *p, size_t length);
/* As tgc_sys_map(), for memory that is written whole and often (the
 * nursery): aligned to the transparent huge page size and marked for huge
 * pages (madvise(MADV_HUGEPAGE)), which the system may or may not give.
 * Given back with tgc_sys_unmap(). */
void *tgc_sys_map_huge(size_t length);

/* Address space for the caller to carve up (arenamem.c): `length` bytes
 * starting on a multiple of `alignment` (a power of two), mapped readable
 * and writable but not charged, its pages resident only once written; never
 * unmapped.  Each piece is charged when taken into use, and uncharged when
 * given back with tgc_sys_release_pages(), which returns its pages to the
 * system.  NULL if the system refuses the space. */
void *tgc_sys_map_address_space(size_t length, size_t alignment);
bool tgc_sys_charge(size_t size);       /* a request, as tgc_sys_malloc's */
void tgc_sys_uncharge(size_t size);
void tgc_sys_release_pages(void *p, size_t length);

/* The emergency reserve of `size` bytes: taken by tgc_init() (false if
 * the system refuses it), given back when a request the collector cannot
 * do without fails, and taken again by tgc_sys_retake_reserve() once
 * memory has been freed (if the system allows). */
bool tgc_sys_take_reserve(size_t size);
void tgc_sys_retake_reserve(void);
/* A reserve of `size` bytes in place of the present one (the nursery
 * changed size); false, keeping the old one, if it is spent or the system
 * refuses the new one. */
bool tgc_sys_resize_reserve(size_t size);
bool tgc_sys_reserve_spent(void);

/* A request of `size` bytes for `what` failed where the collector cannot
 * stop: gives the reserve back so that the caller can retry, and records
 * the failure for tgc_sys_take_failure().  Stops the program if the
 * reserve is spent already. */
void tgc_sys_out_of_memory(const char *what, size_t size);

/* True once for each failure recorded, with what the request was for: the
 * caller decides what the program hears of it (collect.c). */
bool tgc_sys_take_failure(const char **what);

/* Bytes the runtime holds from the system now. */
size_t tgc_sys_outstanding(void);

#endif /* TGC_SYSMEM_H */
