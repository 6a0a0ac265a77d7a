/* print_name_uses < NAMES: for each name on stdin, one a line, prints
 * "NAME TYPE FIELD": whether translator/reserved_names.c lets a schema use
 * it as a type name and as a field name ("ok", or "no").
 * tests/test_translator.py feeds it every name the headers included by
 * the emitted C define. */
#include <stdio.h>
#include <string.h>

#include "reserved_names.h"

static const char *verdict(const char *name, name_use use)
{
    return c_name_problem(name, use) == NULL ? "ok" : "no";
}

int main(void)
{
    char line[1024];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        printf("%s %s %s\n", line, verdict(line, NAME_OF_TYPE),
               verdict(line, NAME_OF_FIELD));
    }
    return 0;
}
