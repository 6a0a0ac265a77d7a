/* memview.h -- `typegc profile` (profile_main.c) and `typegc heap`
 * (heap_main.c): the readers of the files the runtime writes to show
 * where memory goes (runtime/FORMATS.md), and what they share
 * (memview.c). */
#ifndef TYPEGC_MEMVIEW_H
#define TYPEGC_MEMVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each takes the whole command line (argv[1] is the command) and returns
 * the exit status. */
int profile_main(int argc, char **argv);
int heap_main(int argc, char **argv);

/* The file's bytes, mapped read-only (a heap dump may be larger than the
 * memory one would want to copy it into); false after saying why. */
bool memview_map_file(const char *path, uint8_t **data, size_t *size);
void memview_unmap(uint8_t *data, size_t size);

/* A decimal count from 1; false if `text` is not one. */
bool memview_parse_count(const char *text, size_t *count);

#endif
