/* prefault.c -- a helper thread that faults in spare arenas ahead of use.
 *
 * The first write to each 4 KiB page of a fresh arena traps into the
 * kernel, which finds and zeroes a page; on a virtual machine the
 * hypervisor may add milliseconds when the memory is new to the guest.  A
 * minor collection that promotes onto a fresh arena takes those faults
 * inside its pause.  So arenamem.c takes a few spare arenas ahead of need
 * (on the program's thread, so that sysmem.c's accounting stays
 * single-threaded) and posts them here, and this thread faults them in on
 * another core.
 *
 * The helper owns a range from its posting until it has written to every
 * page of it and advanced `done` past its number; the program takes only
 * ranges it is finished with, so the two never touch the same memory at
 * once, and no range is unmapped under the helper.
 *
 * The helper faults pages in by writing to them, one page fault at a time.
 * It does not use madvise(MADV_POPULATE_WRITE): that holds the process's
 * mmap lock across many pages, and may give up the CPU while holding it,
 * so that the program's next mmap() waits for it.
 *
 * The helper also gives back the pages of arenas that are no longer
 * needed (madvise(MADV_DONTNEED) in tgc_sys_release_pages): that call
 * waits for the other processors to flush their TLBs, and longer when the
 * hypervisor has descheduled the processor it waits for.  The program
 * reuses such an arena's address only once the helper is finished with it.
 *
 * The helper is started by the first range posted, blocks all signals, and
 * is started again in a forked child, which has no threads but the forking
 * one: ranges the parent had posted count as finished there.
 *
 * The measurements behind these choices are in runtime/DESIGN.md,
 * "Prefault helper". */
#define _GNU_SOURCE             /* SCHED_IDLE */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "prefault.h"
#include "sysmem.h"

#define QUEUE_SLOTS 64
#define HELPER_STACK_SIZE (256 * 1024)

typedef struct prefault_range {
    char *base;
    size_t length;
    bool release;               /* give the pages back, not fault them in */
} prefault_range;

/* queue[n % QUEUE_SLOTS] holds range n for done <= n < posted.  The
 * program's thread writes a slot and then `posted`; the helper reads the
 * slot, faults the range in or releases its pages, then advances `done`. */
static prefault_range queue[QUEUE_SLOTS];
static _Atomic uint64_t posted;
static _Atomic uint64_t done;
static sem_t pending;                   /* one post per range queued */
static pid_t helper_process;            /* where the helper runs; 0: nowhere yet */
static bool unavailable;                /* the thread could not be started */
static size_t page_size;

/* Pages faulted in between two sched_yield() calls. */
#define PAGES_PER_YIELD 16

static void fault_in(prefault_range range)
{
    size_t pages = 0;
    for (size_t offset = 0; offset < range.length; offset += page_size) {
        *(volatile char *)(range.base + offset) = 0;  /* fresh memory: already 0 */
        /* Idle priority still gets a small share of a busy core: when the
         * kernel picks the helper over the program, it hands the core back
         * soon. */
        if (++pages % PAGES_PER_YIELD == 0)
            sched_yield();
    }
}

static void *helper_main(void *unused)
{
    (void)unused;
    /* Idle priority: the helper runs on a core nothing else wants and
     * never preempts the program.  At normal priority the kernel woke it
     * on the program's own core and let it run there first, so that a
     * pause waited for it.  Where no core is idle the helper falls behind,
     * and collections fault their arenas in themselves. */
    struct sched_param param = { 0 };
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
    for (;;) {
        while (sem_wait(&pending) != 0)
            ;                   /* EINTR */
        uint64_t n = atomic_load_explicit(&done, memory_order_relaxed);
        if (n == atomic_load_explicit(&posted, memory_order_acquire))
            continue;
        prefault_range range = queue[n % QUEUE_SLOTS];
        if (range.release)
            tgc_sys_release_pages(range.base, range.length);
        else
            fault_in(range);
        atomic_store_explicit(&done, n + 1, memory_order_release);
    }
    return NULL;
}

static bool start_helper(pid_t self)
{
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    atomic_store(&posted, 0);
    atomic_store(&done, 0);
    if (sem_init(&pending, 0, 0) != 0) {
        unavailable = true;
        return false;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, HELPER_STACK_SIZE);
    /* the helper inherits this mask: the program's signals go to its threads */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    int err = pthread_create(&thread, &attr, helper_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err != 0) {
        unavailable = true;
        return false;
    }
    helper_process = self;
    return true;
}

static tgc_prefault_ticket post(prefault_range range)
{
    tgc_prefault_ticket none = { 0, 0 };
    if (unavailable)
        return none;
    pid_t self = getpid();
    if (helper_process != self && !start_helper(self))
        return none;
    uint64_t n = atomic_load_explicit(&posted, memory_order_relaxed);
    if (n - atomic_load_explicit(&done, memory_order_acquire) >= QUEUE_SLOTS)
        return none;            /* the helper is far behind: leave this one */
    queue[n % QUEUE_SLOTS] = range;
    atomic_store_explicit(&posted, n + 1, memory_order_release);
    sem_post(&pending);
    return (tgc_prefault_ticket){ self, n };
}

tgc_prefault_ticket tgc_prefault_post(void *base, size_t length)
{
    return post((prefault_range){ base, length, false });
}

tgc_prefault_ticket tgc_prefault_post_release(void *base, size_t length)
{
    return post((prefault_range){ base, length, true });
}

bool tgc_prefault_finished(tgc_prefault_ticket ticket)
{
    if (ticket.process != helper_process || ticket.process != getpid())
        return true;
    return atomic_load_explicit(&done, memory_order_acquire) > ticket.number;
}

bool tgc_prefault_available(void)
{
    return !unavailable;
}
