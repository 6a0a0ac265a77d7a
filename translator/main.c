/* main.c -- typegc: schema in, C out.
 *
 * The pipeline: load the JSON (schema_load.c), check what it means
 * (schema_check.c), number and lay out the types (layout.c), build both
 * files in memory (emit_*.c), write them (output.c).  `typegc inspect`
 * reads the output back (inspect/inspect.h); it is built only where
 * libclang was found at configure time (TYPEGC_HAVE_INSPECT); so is
 * `typegc check` (check/check.h, TYPEGC_HAVE_CHECK).  `typegc profile`
 * and `typegc heap` read the files the runtime writes to show where
 * memory goes (memview/memview.h). */
#include "cli.h"
#include "diag.h"
#include "emit.h"
#include "layout.h"
#include "memview/memview.h"
#include "output.h"
#include "schema.h"
#include "strbuf.h"

#ifdef TYPEGC_HAVE_INSPECT
#include "inspect/inspect.h"
#endif
#ifdef TYPEGC_HAVE_CHECK
#include "check/check.h"
#endif

static bool write_outputs(const schema *s, const char *dir)
{
    strbuf header = STRBUF_INIT, source = STRBUF_INIT;
    strbuf header_name = STRBUF_INIT, source_name = STRBUF_INIT;
    emit_header(s, &header);
    emit_source(s, &source);
    sb_printf(&header_name, "%s.h", s->name);
    sb_printf(&source_name, "%s.c", s->name);
    output_file files[] = {
        { sb_text(&header_name), &header },
        { sb_text(&source_name), &source },
    };
    bool ok = output_write(dir, files, 2);
    sb_free(&header);
    sb_free(&source);
    sb_free(&header_name);
    sb_free(&source_name);
    return ok;
}

static bool generate(const cli_options *o)
{
    schema *s = schema_load(o->schema_path, o->name);
    if (s == NULL)
        return false;
    s->peer = o->peer;
    s->first_id = o->first_type_id;
    bool ok = schema_check(s) && layout_schema(s) &&
              write_outputs(s, o->out_dir);
    schema_free(s);
    return ok;
}

int main(int argc, char **argv)
{
    cli_options options;
    switch (cli_parse(argc, argv, &options)) {
    case CLI_DONE:
        return 0;
    case CLI_MISUSE:
        return 2;
    case CLI_INSPECT:
#ifdef TYPEGC_HAVE_INSPECT
        return inspect_main(argc, argv);
#else
        diag_tool("typegc was built without the inspector (%s)",
                  TYPEGC_NO_INSPECT_REASON);
        return 2;
#endif
    case CLI_PROFILE:
        return profile_main(argc, argv);
    case CLI_HEAP:
        return heap_main(argc, argv);
    case CLI_CHECK:
#ifdef TYPEGC_HAVE_CHECK
        return check_main(argc, argv);
#else
        diag_tool("typegc was built without the checker (%s)",
                  TYPEGC_NO_CHECK_REASON);
        return 2;
#endif
    case CLI_GENERATE:
        break;
    }
    return generate(&options) ? 0 : 1;
}
