/* check.h -- `typegc check`: rooting and write-barrier mistakes in user C,
 * found with libclang before they run (translator/check/DESIGN.md). */
#ifndef TYPEGC_CHECK_H
#define TYPEGC_CHECK_H

/* argv is typegc's whole command line, argv[1] being "check".  Returns
 * the exit status: 0 nothing found, 1 a mistake found, 2 misuse or a file
 * that cannot be read or compiled. */
int check_main(int argc, char **argv);

#endif
