/* memview.c -- what `typegc profile` and `typegc heap` share. */
#include "memview.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

/* An empty file maps nothing: a one-byte stand-in, of which the readers
 * see no byte (size 0). */
static uint8_t empty_file[1];

bool memview_map_file(const char *path, uint8_t **data, size_t *size)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        diag_tool("cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_tool("'%s' is not a regular file", path);
        close(fd);
        return false;
    }
    *size = (size_t)st.st_size;
    if (*size == 0) {
        close(fd);
        *data = empty_file;
        return true;
    }
    void *mapped = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (mapped == MAP_FAILED) {
        diag_tool("cannot read '%s': %s", path, strerror(errno));
        return false;
    }
    *data = mapped;
    return true;
}

void memview_unmap(uint8_t *data, size_t size)
{
    if (size > 0)
        munmap(data, size);
}

bool memview_parse_count(const char *text, size_t *count)
{
    size_t value = 0;
    size_t i = 0;
    for (; text[i] >= '0' && text[i] <= '9' && value < 100000000; i++)
        value = value * 10 + (size_t)(text[i] - '0');
    if (i == 0 || text[i] != '\0' || value == 0)
        return false;
    *count = value;
    return true;
}
