/* print_generated_names SCHEMA.json: every name the translator's table
 * (translator/generated_names.h) derives from the schema, one a line, as
 * schema_check() claims them.  tests/test_translator.py checks that every
 * identifier the emitted files define is one of these. */
#include <stdbool.h>
#include <stdio.h>

#include "generated_names.h"
#include "schema.h"

static bool print_name(void *ctx, const char *name)
{
    (void)ctx;
    puts(name);
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: print_generated_names SCHEMA.json\n", stderr);
        return 2;
    }
    schema *s = schema_load(argv[1], NULL);
    if (s == NULL)
        return 1;
    bool ok = schema_check(s);
    if (ok) {
        names_of_schema(s, print_name, NULL);
        for (size_t i = 0; i < s->n_types; i++)
            names_of_type(&s->types[i], print_name, NULL);
        for (size_t i = 0; i < s->n_objects; i++)
            names_of_object(&s->objects[i], print_name, NULL);
    }
    schema_free(s);
    return ok ? 0 : 1;
}
