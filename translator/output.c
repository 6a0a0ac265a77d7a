/* output.c -- writing the generated files all or none.
 *
 * Each file is written in full to a temporary file beside its final name
 * and synced; only once every one is written are they renamed into place,
 * one after the other.  rename() replaces one name atomically, but
 * nothing in POSIX replaces two at once, so before the renames each file
 * that is already there (a previous run's output) gets a second name, a
 * hard link `.NAME.XXXXXX.old`.  If a rename fails (a directory in the
 * way of NAME.c, say), the files renamed before it are put back: the
 * previous file renamed back over its name, or the new one removed where
 * there was none.  Then the directory holds what it held before.
 *
 * What is left, and cannot be closed with POSIX calls alone:
 * - between the first rename and the last, a reader may see the new
 *   NAME.h beside the old NAME.c (the renames follow each other at once,
 *   with SIGINT, SIGTERM, SIGHUP and SIGQUIT blocked, so an interrupt
 *   cannot stop us between them);
 * - a process killed there by SIGKILL, or a machine that stops there,
 *   leaves the new NAME.h, the old NAME.c and the `.old` links behind;
 * - a put-back rename that fails as well (only if the directory changes
 *   under us) is reported, and leaves the new file under that name. */
#include "output.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "xalloc.h"

typedef struct pending {
    char *path;             /* the file's final name */
    char *temp;             /* where it is written first; NULL once gone */
    char *old;              /* a second name for the previous file at
                               `path`; NULL if there was none */
    bool renamed;           /* `temp` is now `path` */
} pending;

static char *join_path(const char *dir, const char *name, const char *prefix,
                       const char *suffix)
{
    strbuf path = STRBUF_INIT;
    size_t n = strlen(dir);
    sb_printf(&path, "%s%s%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/",
              prefix, name, suffix);
    return path.data;
}

static bool write_all(int fd, const strbuf *text)
{
    const char *p = sb_text(text);
    size_t left = text->len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        left -= (size_t)n;
    }
    return true;
}

/* mkstemp() makes files only the owner can read; give the permissions a
 * plain fopen() would have. */
static mode_t default_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Writes `file` into a fresh temporary file, recording it in `p`. */
static bool write_temp(const char *dir, const output_file *file, pending *p)
{
    p->path = join_path(dir, file->name, "", "");
    p->temp = join_path(dir, file->name, ".", ".XXXXXX");
    int fd = mkstemp(p->temp);
    if (fd < 0) {
        diag_tool("cannot create a file in '%s': %s", dir, strerror(errno));
        free(p->temp);
        p->temp = NULL;
        return false;
    }
    bool ok = write_all(fd, file->text) &&
              fchmod(fd, default_file_mode()) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok)
        diag_tool("cannot write '%s': %s", p->path, strerror(saved));
    return ok;
}

/* Gives the file now at p->path, if any, a second name, so that it can be
 * put back.  Nothing to keep is fine; so is a directory, which the
 * rename will refuse to replace. */
static bool keep_previous(pending *p)
{
    struct stat st;
    if (lstat(p->path, &st) != 0 || S_ISDIR(st.st_mode))
        return true;
    strbuf old = STRBUF_INIT;
    sb_printf(&old, "%s.old", p->temp);
    p->old = old.data;
    if (link(p->path, p->old) == 0)
        return true;
    diag_tool("cannot write '%s': cannot keep the previous file as '%s': %s",
              p->path, p->old, strerror(errno));
    free(p->old);
    p->old = NULL;
    return false;
}

/* Undoes the renames done so far; false if one could not be undone. */
static bool put_back(pending *pend, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (!pend[i].renamed)
            continue;
        int r = pend[i].old != NULL ? rename(pend[i].old, pend[i].path)
                                    : unlink(pend[i].path);
        if (r != 0 && pend[i].old != NULL)
            diag_tool("cannot put the previous '%s' back (it is kept as "
                      "'%s'): %s", pend[i].path, pend[i].old, strerror(errno));
        else if (r != 0)
            diag_tool("cannot remove the new '%s': %s", pend[i].path,
                      strerror(errno));
        ok = ok && r == 0;
        /* put back, or to be left where the message says */
        free(pend[i].old);
        pend[i].old = NULL;
    }
    return ok;
}

/* Renames every temporary file over its final name, or none. */
static bool rename_all(pending *pend, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!keep_previous(&pend[i]))
            return false;
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, &saved);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (rename(pend[i].temp, pend[i].path) != 0) {
            diag_tool("cannot write '%s': %s", pend[i].path, strerror(errno));
            put_back(pend, i);
            ok = false;
        } else {
            pend[i].renamed = true;
            free(pend[i].temp);
            pend[i].temp = NULL;
        }
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return ok;
}

bool output_write(const char *dir, const output_file *files, size_t n)
{
    pending *pend = xcalloc(n, sizeof *pend);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = write_temp(dir, &files[i], &pend[i]);
    ok = ok && rename_all(pend, n);
    for (size_t i = 0; i < n; i++) {
        if (pend[i].temp != NULL) {
            unlink(pend[i].temp);
            free(pend[i].temp);
        }
        if (pend[i].old != NULL) {
            unlink(pend[i].old);
            free(pend[i].old);
        }
        free(pend[i].path);
    }
    free(pend);
    return ok;
}
