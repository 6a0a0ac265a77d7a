/* symbols.h -- return addresses to function names, and to file:line where
 * the binary has debug info (symbols.c).  Names come from the ELF symbol
 * table, read directly (.symtab, else .dynsym); file:line from addr2line
 * (binutils) if it is installed, asked once per binary for all its
 * addresses. */
#ifndef TYPEGC_SYMBOLS_H
#define TYPEGC_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct symbol {
    uint64_t start, size;
    const char *name;           /* into the binary's string table copy */
} symbol;

/* One ELF file's functions, sorted by address. */
typedef struct symtab {
    symbol *symbols;
    size_t count;
    char *strings;
} symtab;

/* Loads `path`'s function symbols; false with the reason in `error`. */
bool symtab_load(const char *path, symtab *table, char *error, size_t error_size);
void symtab_free(symtab *table);
/* The function containing file address `address`, or NULL. */
const symbol *symtab_lookup(const symtab *table, uint64_t address);

/* file:line of each of `count` file addresses of `path` (NULL where
 * unknown); false if addr2line could not be run.  The strings are the
 * caller's to free. */
bool symbols_lines(const char *path, const uint64_t *addresses, size_t count, char **lines);

#endif
