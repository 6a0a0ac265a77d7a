/* log.h -- PYPYLOG, PyPy's debug_start / debug_print / debug_stop.
 *
 *   PYPYLOG=cat1,cat2:FILE   sections whose category starts with a prefix
 *                            are logged with their lines
 *   PYPYLOG=:FILE            everything
 *   PYPYLOG=FILE, +FILE      every section's start and stop, no lines
 *   FILE '-'                 stderr;  "%d" in FILE: the process id
 *
 * A section prints "[TS] {category" and "[TS] category}" where TS is the
 * CLOCK_MONOTONIC time in nanoseconds, in lowercase hexadecimal (PyPy uses
 * the processor's time-stamp counter on x86). */
#ifndef TGC_LOG_H
#define TGC_LOG_H

#include <stdbool.h>

/* Reads PYPYLOG and opens its file.  Returns -1 after printing why. */
int tgc_log_open(void);

void tgc_log_start(const char *category);
void tgc_log_stop(const char *category);

/* Whether lines printed now would be written: the innermost section is
 * selected (or there is no section and the log is not a profile). */
bool tgc_log_have_prints(void);

/* One line, only if tgc_log_have_prints().  No trailing newline needed. */
void tgc_log_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TGC_LOG_H */
