/* output.c -- writing the generated files whole or not at all. */
#include "output.h"

#include <errno.h>
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

bool output_write(const char *dir, const output_file *files, size_t n)
{
    pending *pend = xcalloc(n, sizeof *pend);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = write_temp(dir, &files[i], &pend[i]);
    for (size_t i = 0; i < n && ok; i++) {
        if (rename(pend[i].temp, pend[i].path) != 0) {
            diag_tool("cannot write '%s': %s", pend[i].path, strerror(errno));
            ok = false;
        } else {
            free(pend[i].temp);
            pend[i].temp = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (pend[i].temp != NULL) {
            unlink(pend[i].temp);
            free(pend[i].temp);
        }
        free(pend[i].path);
    }
    free(pend);
    return ok;
}
