/* kind.c -- the kinds a field or an array item can have, and how each is
 * represented in C on x86-64. */
#include <string.h>

#include "schema.h"

static const kind_info kinds[] = {
    [KIND_I8]   = { "i8",   "int8_t",   "TGC_KIND_I8",   1 },
    [KIND_I16]  = { "i16",  "int16_t",  "TGC_KIND_I16",  2 },
    [KIND_I32]  = { "i32",  "int32_t",  "TGC_KIND_I32",  4 },
    [KIND_I64]  = { "i64",  "int64_t",  "TGC_KIND_I64",  8 },
    [KIND_U8]   = { "u8",   "uint8_t",  "TGC_KIND_U8",   1 },
    [KIND_U16]  = { "u16",  "uint16_t", "TGC_KIND_U16",  2 },
    [KIND_U32]  = { "u32",  "uint32_t", "TGC_KIND_U32",  4 },
    [KIND_U64]  = { "u64",  "uint64_t", "TGC_KIND_U64",  8 },
    [KIND_F64]  = { "f64",  "double",   "TGC_KIND_F64",  8 },
    [KIND_BOOL] = { "bool", "bool",     "TGC_KIND_BOOL", 1 },
    [KIND_REF]  = { "ref",  NULL,       "TGC_KIND_REF",  8 },
    [KIND_ANY]  = { "any",  "void *",   "TGC_KIND_REF",  8 },
    [KIND_WEAK] = { "weak", NULL,       "TGC_KIND_WEAK", 8 },
};

const kind_info *kind_info_of(value_kind kind)
{
    return &kinds[kind];
}

bool kind_from_name(const char *name, value_kind *kind)
{
    for (value_kind k = KIND_I8; k <= KIND_ANY; k++) {
        if (strcmp(kinds[k].name, name) == 0) {
            *kind = k;
            return true;
        }
    }
    return false;
}

const char *kind_names(void)
{
    static char names[64];
    if (names[0] == '\0') {
        for (value_kind k = KIND_I8; k <= KIND_ANY; k++) {
            if (k != KIND_I8)
                strcat(names, " ");
            strcat(names, kinds[k].name);
        }
    }
    return names;
}
