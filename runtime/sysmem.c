/* sysmem.c -- every byte the runtime takes from the system comes through
 * here, malloc and mmap alike, which gives three things one place:
 *
 *   - failure injection for tests: TYPEGC_FAIL_ALLOC=N makes the Nth
 *     request fail, and TYPEGC_MEMORY_LIMIT=SIZE every request that would
 *     take the runtime's system memory above SIZE (a ulimit, which what is
 *     given back counts against);
 *   - the emergency reserve.  A collection cannot stop halfway: the objects
 *     it copies must go somewhere.  So tgc_init() maps a reserve (twice the
 *     nursery and four arenas; never touched, so never resident), and when
 *     a request the collector cannot do without fails, the reserve goes
 *     back to the system and the request is retried.  The collection
 *     completes, and the failure is recorded for the entry layer, which
 *     reports it to the program at the next safe point (collect.c); the
 *     reserve is taken again once memory is freed;
 *   - the count of bytes outstanding. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sysmem.h"
#include "util.h"

static long fail_alloc;                 /* TYPEGC_FAIL_ALLOC */
static size_t memory_limit;             /* TYPEGC_MEMORY_LIMIT */
static size_t outstanding;
static uint64_t requests;
static void *reserve;
static size_t reserve_size;
static const char *failure_what;        /* a failure not taken yet, or NULL */

void tgc_sys_init(long fail_alloc_at, size_t limit)
{
    fail_alloc = fail_alloc_at;
    memory_limit = limit;
}

static bool may_take(size_t bytes)
{
    requests++;
    if (fail_alloc > 0 && requests == (uint64_t)fail_alloc)
        return false;
    if (memory_limit > 0 && (bytes > memory_limit || outstanding > memory_limit - bytes))
        return false;
    return true;
}

static void *counted(void *p, size_t size)
{
    if (p != NULL)
        outstanding += size;
    return p;
}

void *tgc_sys_malloc(size_t size)
{
    return may_take(size) ? counted(malloc(size), size) : NULL;
}

void *tgc_sys_calloc(size_t size)
{
    return may_take(size) ? counted(calloc(1, size), size) : NULL;
}

void *tgc_sys_realloc(void *p, size_t old_size, size_t new_size)
{
    if (new_size > old_size && !may_take(new_size - old_size))
        return NULL;
    void *result = realloc(p, new_size);
    if (result != NULL)
        outstanding = outstanding - old_size + new_size;
    return result;
}

void tgc_sys_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    free(p);
    outstanding -= size;
}

static void *map_anonymous(size_t length, int extra_flags)
{
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *tgc_sys_map(size_t length)
{
    return may_take(length) ? counted(map_anonymous(length, 0), length) : NULL;
}

/* `length` bytes starting on a multiple of `alignment` (a power of two):
 * mapped with `alignment` more, and the ends unmapped. */
static char *map_aligned(size_t length, size_t alignment, int extra_flags)
{
    char *raw = map_anonymous(length + alignment, extra_flags);
    if (raw == NULL)
        return NULL;
    char *start = (char *)(((uintptr_t)raw + alignment - 1) & ~(uintptr_t)(alignment - 1));
    if (start > raw)
        munmap(raw, (size_t)(start - raw));
    char *end = start + length, *raw_end = raw + length + alignment;
    if (raw_end > end)
        munmap(end, (size_t)(raw_end - end));
    return start;
}

/* x86-64's transparent huge page (the PMD size). */
#define HUGE_PAGE ((size_t)2 << 20)

/* A nursery on 4 KiB pages takes a page fault for each page when first
 * filled, and a TLB miss for each page at every fill after: at tens of
 * MiB, thousands of each per nursery.  On 2 MiB pages it takes one of each
 * per 512 (runtime/DESIGN.md, "Huge pages for the nursery"). */
void *tgc_sys_map_huge(size_t length)
{
    if (length < HUGE_PAGE)
        return tgc_sys_map(length);
    if (!may_take(length))
        return NULL;
    char *start = map_aligned(length, HUGE_PAGE, 0);
    if (start == NULL)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(start, length, MADV_HUGEPAGE);      /* a hint: refused is fine */
#endif
    return counted(start, length);
}

void tgc_sys_unmap(void *p, size_t length)
{
    munmap(p, length);
    outstanding -= length;
}

void *tgc_sys_map_address_space(size_t length, size_t alignment)
{
    return map_aligned(length, alignment, MAP_NORESERVE);
}

bool tgc_sys_charge(size_t size)
{
    if (!may_take(size))
        return false;
    outstanding += size;
    return true;
}

void tgc_sys_uncharge(size_t size)
{
    outstanding -= size;
}

void tgc_sys_release_pages(void *p, size_t length)
{
    madvise(p, length, MADV_DONTNEED);
}

size_t tgc_sys_outstanding(void)
{
    return outstanding;
}

/* Maps the reserve if it is not there; false if the system refuses. */
static bool map_reserve(void)
{
    if (reserve != NULL)
        return true;
    void *p = may_take(reserve_size) ? mmap(NULL, reserve_size, PROT_NONE,
                                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                                     : MAP_FAILED;
    if (p == MAP_FAILED)
        return false;
    reserve = counted(p, reserve_size);
    return true;
}

bool tgc_sys_take_reserve(size_t size)
{
    reserve_size = size;
    return map_reserve();
}

bool tgc_sys_resize_reserve(size_t size)
{
    if (reserve == NULL)
        return false;
    void *old = reserve;
    size_t old_size = reserve_size;
    reserve = NULL;
    reserve_size = size;
    if (!map_reserve()) {
        reserve = old;
        reserve_size = old_size;
        return false;
    }
    tgc_sys_unmap(old, old_size);
    return true;
}

void tgc_sys_retake_reserve(void)
{
    map_reserve();
}

bool tgc_sys_reserve_spent(void)
{
    return reserve == NULL;
}

void tgc_sys_out_of_memory(const char *what, size_t size)
{
    if (reserve == NULL)
        tgc_fatal("out of memory: cannot allocate %zu bytes for %s, and the emergency "
                  "reserve is spent already", size, what);
    tgc_sys_unmap(reserve, reserve_size);
    reserve = NULL;
    failure_what = what;
}

bool tgc_sys_take_failure(const char **what)
{
    if (failure_what == NULL)
        return false;
    *what = failure_what;
    failure_what = NULL;
    return true;
}
