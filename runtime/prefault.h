/* prefault.h -- a helper thread that faults in spare arenas before a
 * minor collection needs them, and gives the pages of arenas no longer
 * needed back to the system, so that neither happens in a pause
 * (prefault.c). */
#ifndef TGC_PREFAULT_H
#define TGC_PREFAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Names a range handed to the helper, which owns it until finished. */
typedef struct tgc_prefault_ticket {
    pid_t process;              /* whose helper took it; 0: none did, and
                                   the caller must do the work itself */
    uint64_t number;
} tgc_prefault_ticket;

/* Hands a freshly mapped, untouched range to the helper thread, which
 * writes to each of its pages so that they are resident; starts the
 * thread on first use (and again in a forked child).  The caller must not
 * touch or unmap the range until tgc_prefault_finished(ticket).  When the
 * helper cannot take it (no thread, too many ranges queued), the ticket
 * is finished at once and the range is faulted in by its first use. */
tgc_prefault_ticket tgc_prefault_post(void *base, size_t length);

/* Hands a range whose pages are no longer needed to the helper, which
 * gives them back to the system (tgc_sys_release_pages).  The caller must
 * not touch the range until tgc_prefault_finished(ticket); when the
 * helper cannot take it (the ticket's process is 0), the caller releases
 * the pages itself. */
tgc_prefault_ticket tgc_prefault_post_release(void *base, size_t length);

/* True once the helper is through with the range: its writes are then
 * visible to the caller, and the range is the caller's again.  Also true
 * in a forked child for ranges posted by the parent, whose helper thread
 * the child does not have. */
bool tgc_prefault_finished(tgc_prefault_ticket ticket);

/* False if the helper thread could not be started: ranges posted are then
 * not faulted in ahead, and callers stop mapping them ahead. */
bool tgc_prefault_available(void);

#endif /* TGC_PREFAULT_H */
