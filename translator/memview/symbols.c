/* symbols.c -- function names from an ELF file's symbol table, and
 * file:line from addr2line.  A binary that is not ELF, or whose tables
 * point outside the file, is an error, not a crash. */
#define _POSIX_C_SOURCE 200809L
#include "symbols.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xalloc.h"

static bool read_whole(const char *path, uint8_t **data, size_t *size, char *error,
                       size_t error_size)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        snprintf(error, error_size, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    size_t capacity = 1 << 16, length = 0;
    uint8_t *buffer = xmalloc(capacity);
    size_t n;
    while ((n = fread(buffer + length, 1, capacity - length, in)) > 0) {
        length += n;
        if (length == capacity) {
            capacity *= 2;
            buffer = xrealloc(buffer, capacity);
        }
    }
    bool failed = ferror(in) != 0;
    fclose(in);
    if (failed) {
        free(buffer);
        snprintf(error, error_size, "cannot read '%s'", path);
        return false;
    }
    *data = buffer;
    *size = length;
    return true;
}

static bool in_file(size_t size, uint64_t offset, uint64_t length)
{
    return offset <= size && length <= size - offset;
}

static int by_address(const void *a, const void *b)
{
    const symbol *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The functions of symbol table section `sh` (its strings in section
 * sh->sh_link). */
static bool load_section(const uint8_t *data, size_t size, const Elf64_Shdr *sections,
                         size_t n_sections, const Elf64_Shdr *sh, symtab *table)
{
    if (sh->sh_link >= n_sections || sh->sh_entsize != sizeof(Elf64_Sym) ||
        !in_file(size, sh->sh_offset, sh->sh_size))
        return false;
    const Elf64_Shdr *strings = &sections[sh->sh_link];
    if (!in_file(size, strings->sh_offset, strings->sh_size) || strings->sh_size == 0)
        return false;
    table->strings = xmalloc(strings->sh_size + 1);
    memcpy(table->strings, data + strings->sh_offset, strings->sh_size);
    table->strings[strings->sh_size] = '\0';
    size_t n = sh->sh_size / sizeof(Elf64_Sym);
    table->symbols = xcalloc(n + 1, sizeof(symbol));
    for (size_t i = 0; i < n; i++) {
        Elf64_Sym sym;
        memcpy(&sym, data + sh->sh_offset + i * sizeof sym, sizeof sym);
        if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_value == 0 ||
            sym.st_name >= strings->sh_size)
            continue;
        table->symbols[table->count++] = (symbol){
            sym.st_value, sym.st_size, table->strings + sym.st_name,
        };
    }
    qsort(table->symbols, table->count, sizeof(symbol), by_address);
    return true;
}

bool symtab_load(const char *path, symtab *table, char *error, size_t error_size)
{
    *table = (symtab){ NULL, 0, NULL };
    uint8_t *data;
    size_t size;
    if (!read_whole(path, &data, &size, error, error_size))
        return false;
    Elf64_Ehdr eh;
    bool ok = size >= sizeof eh;
    if (ok)
        memcpy(&eh, data, sizeof eh);
    ok = ok && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
         eh.e_shentsize == sizeof(Elf64_Shdr) &&
         in_file(size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr));
    if (!ok) {
        free(data);
        snprintf(error, error_size, "'%s' is not a 64-bit ELF file", path);
        return false;
    }
    Elf64_Shdr *sections = xcalloc((size_t)eh.e_shnum + 1, sizeof(Elf64_Shdr));
    memcpy(sections, data + eh.e_shoff, (size_t)eh.e_shnum * sizeof(Elf64_Shdr));
    bool found = false;
    for (uint32_t wanted = SHT_SYMTAB; !found; wanted = SHT_DYNSYM) {
        for (size_t i = 0; i < eh.e_shnum && !found; i++)
            if (sections[i].sh_type == wanted)
                found = load_section(data, size, sections, eh.e_shnum, &sections[i], table);
        if (wanted == SHT_DYNSYM)
            break;
    }
    free(sections);
    free(data);
    if (!found) {
        symtab_free(table);
        snprintf(error, error_size, "'%s' has no symbol table", path);
        return false;
    }
    return true;
}

void symtab_free(symtab *table)
{
    free(table->symbols);
    free(table->strings);
    *table = (symtab){ NULL, 0, NULL };
}

const symbol *symtab_lookup(const symtab *table, uint64_t address)
{
    size_t low = 0, high = table->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (table->symbols[mid].start <= address)
            low = mid + 1;
        else
            high = mid;
    }
    if (low == 0)
        return NULL;
    const symbol *s = &table->symbols[low - 1];
    /* A symbol of size 0 (hand-written assembly) owns up to the next one. */
    if (s->size != 0 && address >= s->start + s->size)
        return NULL;
    return s;
}

/* ---- addr2line ------------------------------------------------------------- */

enum { ADDRESSES_PER_RUN = 256 };

/* Runs `addr2line -e path` on up to ADDRESSES_PER_RUN addresses. */
static bool run_addr2line(const char *path, const uint64_t *addresses, size_t count,
                          char **lines)
{
    char *argv[ADDRESSES_PER_RUN + 4];
    char numbers[ADDRESSES_PER_RUN][20];
    argv[0] = "addr2line";
    argv[1] = "-e";
    argv[2] = (char *)path;
    for (size_t i = 0; i < count; i++) {
        snprintf(numbers[i], sizeof numbers[i], "%llx", (unsigned long long)addresses[i]);
        argv[3 + i] = numbers[i];
    }
    argv[3 + count] = NULL;
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return false;
    pid_t child = fork();
    if (child < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return false;
    }
    if (child == 0) {
        dup2(pipe_fds[1], 1);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execvp("addr2line", argv);
        _exit(127);
    }
    close(pipe_fds[1]);
    FILE *out = fdopen(pipe_fds[0], "r");
    char line[4096];
    size_t i = 0;
    while (out != NULL && fgets(line, sizeof line, out) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        /* without addr2line's " (discriminator N)"; "??:0" or "FILE:?"
         * where the binary does not say */
        char *space = strchr(line, ' ');
        if (space != NULL)
            *space = '\0';
        size_t length = strlen(line);
        bool unknown = strncmp(line, "??", 2) == 0 ||
                       (length >= 2 && line[length - 2] == ':' &&
                        (line[length - 1] == '0' || line[length - 1] == '?'));
        if (i < count && !unknown)
            lines[i] = xstrdup(line);
        i++;
    }
    if (out != NULL)
        fclose(out);
    else
        close(pipe_fds[0]);
    int status;
    waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool symbols_lines(const char *path, const uint64_t *addresses, size_t count, char **lines)
{
    for (size_t i = 0; i < count; i++)
        lines[i] = NULL;
    for (size_t done = 0; done < count; done += ADDRESSES_PER_RUN) {
        size_t n = count - done < ADDRESSES_PER_RUN ? count - done : ADDRESSES_PER_RUN;
        if (!run_addr2line(path, addresses + done, n, lines + done))
            return false;
    }
    return true;
}
