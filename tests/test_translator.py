#!/usr/bin/env python3
"""Tests of the translator, `typegc gen`.

usage: test_translator.py TYPEGC SOURCE_ROOT
                          [PRINT_GENERATED_NAMES [PRINT_NAME_USES]]
                          [--inspect | --no-inspect]

- Every tests/schemas/invalid/NAME.json is rejected with exit status 1,
  exactly the stderr in NAME.expected, and no file in the output
  directory.  The schema is passed by its file name, from its directory;
  NAME.args, if present, holds extra arguments.
- Every schemas/*.json and tests/schemas/valid/*.json generates NAME.h and
  NAME.c, and nothing else; the same bytes each time, from any directory;
  the output compiles with gcc and clang (each skipped if absent) under
  -std=gnu11 -Wall -Wextra -Werror; and a program built on it checks the
  type table, the type ids, T_isinstance(), T__init(), the setters and the
  array accessors against what this script works out from the JSON.
- 700000 types are rejected with the heap limited to 200 MB (the limit
  is checked before the types are parsed into anything; parsing them
  took 1.6 GB).
- A type named as a name generated for another type (Node__HAS_GCPTR
  beside Node) is rejected, naming both.
- With PRINT_GENERATED_NAMES (tests/translator/print_generated_names.c,
  the translator's table of generated names walked for a schema): every
  identifier that NAME.h and NAME.c define, with each --gc backend, is
  one the table gives for that schema, or the runtime's (tgc_...).
- When NAME.c cannot be written (a directory in the way of its name),
  no NAME.h is left behind, and a previous NAME.h is put back unchanged.
- With PRINT_NAME_USES (tests/translator/print_name_uses.c, the
  translator's reserved_names.c asked about each name): every macro the
  headers of each backend define, under gcc and clang, -std=gnu11, c11,
  gnu2x and c2x, is rejected as a type and a field name, and every name
  they declare at file scope (clang's AST) as a type name
  (tests/translator/header_names.py reads them).
- tests/schemas/valid/near_reserved.json, names just outside each
  reserved class, compiles with each backend under gcc and clang,
  -std=c11 and -std=c2x (Boehm skipped where <gc.h> is missing).
- Misuse of the command line gets a clear message and a non-zero status;
  with --no-inspect (typegc built without the inspector), `typegc
  inspect` says so and exits 2.

Prints one line per check, then "N passed, N failed"; exits 1 on any
failure.
"""

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from results import Results

sys.path.insert(0, str(Path(__file__).resolve().parent / "translator"))

VERSION = "0.1.0"
COMPILERS = [c for c in ("gcc", "clang") if shutil.which(c)]
CFLAGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror"]



def run(args, cwd=None):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


def dir_listing(path):
    return sorted(os.listdir(path))


# ---- invalid schemas ------------------------------------------------------

def test_invalid(typegc, root, results):
    invalid = root / "tests" / "schemas" / "invalid"
    for schema in sorted(invalid.glob("*.json")):
        name = f"invalid/{schema.name}"
        expected_file = schema.with_suffix(".expected")
        if not expected_file.exists():
            results.check(name, False, f"{expected_file.name} is missing")
            continue
        expected = expected_file.read_text()
        args_file = schema.with_suffix(".args")
        extra = args_file.read_text().split() if args_file.exists() else []
        with tempfile.TemporaryDirectory() as out:
            r = run([typegc, "gen", schema.name, "-o", out] + extra,
                    cwd=invalid)
            left = dir_listing(out)
        problems = []
        if r.returncode != 1:
            problems.append(f"exit status {r.returncode}, expected 1")
        if r.stderr != expected:
            problems.append(f"stderr:   {r.stderr!r}\nexpected: {expected!r}")
        if r.stdout:
            problems.append(f"stdout: {r.stdout!r}")
        if left:
            problems.append(f"left in the output directory: {left}")
        results.check(name, not problems, "\n".join(problems))


def check_rejected(typegc, results, name, file_name, schema, expected):
    """`typegc gen` on `schema` written to `file_name` fails with status 1
    and exactly `expected` on stderr, and writes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / file_name).write_text(json.dumps(schema))
        out = Path(tmp) / "out"
        out.mkdir()
        r = run([typegc, "gen", file_name, "-o", "out"], cwd=tmp)
        results.check(name, r.returncode == 1 and r.stderr == expected
                      and not dir_listing(out),
                      f"status {r.returncode}, stderr {r.stderr!r}")


def test_too_many_types(typegc, results):
    """Type ids fill 16 bits; the 65536th type is one too many."""
    name = "invalid: 65536 types"
    types = [{"name": f"T{i}"} for i in range(65536)]
    check_rejected(typegc, results, name, "many.json", {"types": types},
                   "many.json: 65536 types are too many: ids must fit in "
                   "16 bits, so at most 65535 types\n")


def test_far_too_many_types(typegc, results):
    """The limit is checked before anything is built for the types: 700000
    types (44 MB of JSON) are rejected with the heap limited to 200 MB
    (RLIMIT_DATA; a memory bound, not a timing).  Before, typegc parsed,
    checked and numbered them all first: 11 s and 1.6 GB."""
    name = "invalid: 700000 types, rejected before they are parsed"
    types = [{"name": f"T{i}", "fields": [{"name": "x", "kind": "i64"}]}
             for i in range(700000)]
    expected = ("many.json: 700000 types are too many: ids must fit in 16 "
                "bits, so at most 65535 types\n")
    limit = 200 << 20
    # AddressSanitizer maps its shadow memory as data: no bound there
    with open(typegc, "rb") as binary:
        sanitized = b"__asan_init" in binary.read()

    def limit_heap():
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "many.json").write_text(json.dumps({"types": types}))
        r = subprocess.run([typegc, "gen", "many.json", "-o", "."],
                           cwd=tmp, capture_output=True, text=True,
                           timeout=300, preexec_fn=limit_heap)
    results.check(name, r.returncode == 1 and r.stderr == expected,
                  f"status {r.returncode}, stderr {r.stderr!r}")


def test_first_type_id_range(typegc, root, results):
    """hierarchy.json's 10 types from --first-type-id N need ids up to
    N + 9: 65526 takes the last id there is, 65527 one too many."""
    schema = root / "schemas" / "hierarchy.json"
    with tempfile.TemporaryDirectory() as out:
        r = run([typegc, "gen", str(schema), "-o", out, "--first-type-id",
                 "65527"])
        results.check("--first-type-id: past 65535",
                      r.returncode == 1 and r.stderr ==
                      f"{schema}: 10 types from --first-type-id 65527 need "
                      "ids up to 65536: ids must fit in 16 bits, so at most "
                      "65535\n" and not dir_listing(out),
                      f"status {r.returncode}, stderr {r.stderr!r}")
        r = run([typegc, "gen", str(schema), "-o", out, "--first-type-id",
                 "65526"])
        header = (Path(out) / "hierarchy.h").read_text() \
            if r.returncode == 0 else ""
        results.check("--first-type-id: up to 65535",
                      "Shape__TYPE_ID = 65526," in header
                      and "Shapes__TYPE_ID = 65535," in header
                      and "return (uint32_t)(tid - 65526) <= (uint32_t)"
                      "(65533 - 65526);" in header,
                      f"status {r.returncode}, stderr {r.stderr!r}")


def test_has_gcptr_clash(typegc, results):
    """T__HAS_GCPTR is a generated name like any other: a type of that
    name beside T would be declared twice in NAME.h."""
    name = "invalid: type Node__HAS_GCPTR beside Node"
    schema = {"types": [
        {"name": "Node",
         "fields": [{"name": "next", "kind": "ref", "to": "Node"}]},
        {"name": "Node__HAS_GCPTR"}]}
    check_rejected(typegc, results, name, "clash.json", schema,
                   "clash.json: type 'Node__HAS_GCPTR': generated name "
                   "'Node__HAS_GCPTR' is also generated for type 'Node'\n")


def chain_schema(levels):
    """An inheritance chain: T0 has an i64 and a ref to itself, each T<k>
    extends T<k-1> with one i64 (as scripts/gen-growth.py)."""
    types = [{"name": "T0", "fields": [{"name": "v0", "kind": "i64"},
                                       {"name": "next", "kind": "ref", "to": "T0"}]}]
    types += [{"name": f"T{k}", "base": f"T{k - 1}",
               "fields": [{"name": f"v{k}", "kind": "i64"}]} for k in range(1, levels)]
    return {"types": types}


def test_linear_growth(typegc, results):
    """The output grows linearly with the depth of inheritance: 400 levels
    give less than 2.5 times the bytes of 200 (T__init calls its base's,
    inherited setters cast to the declaring type, the table's field arrays
    are shared along a chain; before, each type spelled every inherited
    field through super.super...: 7.0 times, and 1 GB at 1000 levels).
    The 400-level header and table compile."""
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for levels in (200, 400):
            (Path(tmp) / f"chain{levels}.json").write_text(json.dumps(chain_schema(levels)))
            out = Path(tmp) / f"out{levels}"
            out.mkdir()
            r = run([typegc, "gen", f"chain{levels}.json", "-o", f"out{levels}"], cwd=tmp)
            if r.returncode != 0:
                results.check("linear growth: generates", False, r.stderr)
                return
            sizes[levels] = sum(f.stat().st_size for f in out.iterdir())
        ratio = sizes[400] / sizes[200]
        results.check("linear growth: 400 levels < 2.5 x 200 levels", ratio < 2.5,
                      f"{sizes[400]} / {sizes[200]} bytes = {ratio:.2f}")
        for cc in COMPILERS:
            r = run([cc, *CFLAGS, "-c", "-I", str(Path(__file__).resolve().parent.parent
                                                    / "runtime" / "include"),
                     "out400/chain400.c", "-o", "chain400.o"], cwd=tmp)
            results.check(f"linear growth: the 400-level chain compiles with {cc}",
                          r.returncode == 0, r.stderr[:2000])


def test_upcast_is_type_checked(typegc, root, results):
    """T_of(obj) compiles for a pointer to T or a subclass (test_inherited.c
    uses it), and fails to compile for a pointer to a type that is not a
    subclass, to an array type, or to void."""
    cases = [("Shape_of(cap)->x", None),
             ("Label_of(cap)->style", None),
             ("Circle_of(cap)->radius", "Circle_of: not a pointer to Circle or a subclass"),
             ("Caption_of(Shape_of(cap))->size", "Caption_of: not a pointer to Caption or a subclass"),
             ("Shape_of(coords)->x", "Coords"),
             ("Shape_of((void *)cap)->x", "void")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "gen"
        out.mkdir()
        run([typegc, "gen", str(root / "schemas" / "hierarchy.json"), "-o", str(out)])
        for cc in COMPILERS:
            for expr, error in cases:
                src = Path(tmp) / "use.c"
                src.write_text('#include "hierarchy.h"\n'
                               "double use(Caption *cap, Coords *coords)\n"
                               f"{{\n    (void)coords;\n    return {expr};\n}}\n")
                r = run([cc, *CFLAGS, "-c", "-I", str(root / "runtime" / "include"),
                         "-I", str(out), str(src), "-o", str(Path(tmp) / "use.o")])
                if error is None:
                    results.check(f"T_of: {expr} compiles with {cc}", r.returncode == 0,
                                  r.stderr[:2000])
                else:
                    results.check(f"T_of: {expr} does not compile with {cc}",
                                  r.returncode != 0 and error in r.stderr, r.stderr[:2000])


# ---- every name the emitters write is in the table --------------------------

# What NAME.h and NAME.c define at file scope, as the emitters write them.
DEFINED = [
    re.compile(r"^#\s*(?:define|ifndef)\s+(\w+)", re.M),
    re.compile(r"^typedef\s+struct\s+(\w+)\s+(\w+)\s*;", re.M),
    re.compile(r"^struct\s+(\w+)\s*\{", re.M),
    # functions: `static inline T *T_new(`, `int NAME_init(void)`
    re.compile(r"^(?!_Static_assert)[A-Za-z_][\w \t*]*?\b(\w+)\s*\(", re.M),
    # objects: `extern const tgc_type_table NAME_types;`, `static const
    # uint32_t T__ptr_offsets[] = {`, `const tgc_type_table NAME_types = {`
    re.compile(r"^(?:extern\s+|static\s+)?const\s+\w+\s*\**\s*(\w+)"
               r"\s*(?:\[\s*\])?\s*[=;]", re.M),
]
ENUM = re.compile(r"^enum\s*\{([^}]*)\}", re.M)


def defined_identifiers(text):
    names = set()
    for pattern in DEFINED:
        for m in pattern.finditer(text):
            names.update(g for g in m.groups() if g)
    for m in ENUM.finditer(text):
        names.update(re.findall(r"(\w+)\s*=", m.group(1)))
    return names


def generated_per_backend(typegc, schema, label, results):
    """Yields (backend, directory) for each --gc backend `schema` generates
    with, the check "LABEL: generates with --gc=GC" made for each."""
    for gc in ("incminimark", "boehm", "malloc"):
        with tempfile.TemporaryDirectory() as tmp:
            r = run([typegc, "gen", str(schema), "-o", tmp, f"--gc={gc}"])
            if results.check(f"{label}: generates with --gc={gc}",
                             r.returncode == 0, r.stderr):
                yield gc, tmp


def test_generated_names(typegc, print_names, results, schema):
    label = f"{schema.parent.name}/{schema.name}"
    r = run([print_names, str(schema)])
    if not results.check(f"{label}: the table of generated names",
                         r.returncode == 0 and r.stdout, r.stderr):
        return
    table = set(r.stdout.split())
    for gc, tmp in generated_per_backend(typegc, schema, label, results):
        defined = set()
        for f in Path(tmp).iterdir():
            defined |= defined_identifiers(f.read_text())
        stray = sorted(n for n in defined - table
                       if not n.lower().startswith("tgc_"))
        results.check(f"{label}: --gc={gc}: every name defined is in the "
                      f"table ({len(defined)})", defined and not stray,
                      f"not in translator/generated_names.c: {stray}")


# ---- every name the included headers define is rejected -----------------

def test_header_names(typegc, root, print_uses, results):
    """Every macro the headers of any backend define (under gcc and clang,
    gnu11, c11, gnu2x, c2x) is rejected as a type and as a field name,
    every name they declare at file scope as a type name: a header that
    gains a name fails here until translator/reserved_headers.inc is
    regenerated (tests/translator/header_names.py --emit)."""
    import header_names
    if "clang" not in header_names.COMPILERS:
        print("(clang not found: the headers' declarations not checked, "
              "only their macros)")
    with tempfile.TemporaryDirectory() as tmp:
        found = header_names.header_names(typegc, root, tmp)
    macros = found.get(("all", "macro"), set())
    declared = found.get(("all", "declared"), set())
    names = sorted(macros | declared)
    r = subprocess.run([print_uses], input="".join(n + "\n" for n in names),
                       capture_output=True, text=True)
    verdicts = {}
    for line in r.stdout.splitlines():
        name, as_type, as_field = line.split()
        verdicts[name] = (as_type, as_field)
    missed_macros = sorted(n for n in macros
                           if verdicts.get(n) != ("no", "no"))
    missed_decls = sorted(n for n in declared
                          if verdicts.get(n, ("ok",))[0] != "no")
    hint = ("\nregenerate: python3 tests/translator/header_names.py --emit "
            "TYPEGC . > translator/reserved_headers.inc")
    results.check(f"reserved: every macro of the included headers "
                  f"({len(macros)})", macros and not missed_macros,
                  f"accepted as a type or field name: {missed_macros}{hint}")
    if declared:
        results.check(f"reserved: every file-scope name of the included "
                      f"headers ({len(declared)})", not missed_decls,
                      f"accepted as a type name: {missed_decls}{hint}")


NEAR_RESERVED = "tests/schemas/valid/near_reserved.json"


def test_near_reserved(typegc, root, results):
    """A schema of names just outside each reserved class compiles with
    every backend, under gcc and clang, -std=c11 and -std=c2x."""
    schema = root / NEAR_RESERVED
    include = str(root / "runtime" / "include")
    for gc, tmp in generated_per_backend(typegc, schema, "near_reserved",
                                         results):
        for cc in COMPILERS:
            probe = subprocess.run([cc, "-E", "-x", "c", "-"],
                                   input="#include <gc.h>\n",
                                   capture_output=True, text=True)
            if gc == "boehm" and probe.returncode != 0:
                print(f"(<gc.h> not found by {cc}: near_reserved "
                      f"--gc=boehm not compiled)")
                continue
            for std in ("c11", "c2x"):
                r = run([cc, f"-std={std}", "-Wall", "-Wextra", "-Werror",
                         "-I", include, "-c",
                         str(Path(tmp) / "near_reserved.c"),
                         "-o", str(Path(tmp) / "near_reserved.o")])
                results.check(f"near_reserved: --gc={gc} compiles with "
                              f"{cc} -std={std}", r.returncode == 0,
                              r.stderr)


# ---- what a schema means, worked out independently ------------------------

class Model:
    """Type ids (preorder of the inheritance forest) and fields, from the
    JSON, without the translator; numbered from `first`."""

    def __init__(self, schema, first=1):
        self.first = first
        self.types = {t["name"]: t for t in schema["types"]}
        self.order = [t["name"] for t in schema["types"]]
        children = {n: [] for n in self.order}
        roots = []
        for n in self.order:
            base = self.types[n].get("base")
            (children[base] if base else roots).append(n)
        self.ids = {}
        self.max_sub = {}

        def number(n):
            self.ids[n] = len(self.ids) + first
            for c in children[n]:
                number(c)
            self.max_sub[n] = len(self.ids) + first - 1

        for r in roots:
            number(r)
        self.by_id = sorted(self.order, key=lambda n: self.ids[n])

    def is_array(self, n):
        return "array" in self.types[n]

    def lineage(self, n):
        chain = []
        while n:
            chain.insert(0, n)
            n = self.types[n].get("base")
        return chain

    def all_fields(self, n):
        """(field, owner) pairs, inherited first."""
        return [(f, owner) for owner in self.lineage(n)
                for f in self.types[owner].get("fields", [])]

    def path(self, n, owner, member):
        """How T reaches a member declared by `owner`: super.super.x"""
        ups = len(self.lineage(n)) - len(self.lineage(owner))
        return "super." * ups + member

    def is_subclass(self, sub, cls):
        return cls in self.lineage(sub)


C_STUBS = """
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int tgc_init(const tgc_type_table *types) { (void)types; return 0; }
void tgc_remember_young_pointer(void *o) { (void)o; abort(); }
void tgc_remember_young_pointer_from_array(void *a, size_t i)
{ (void)a; (void)i; abort(); }
void tgc_index_error(const void *a, size_t i) { (void)a; (void)i; abort(); }
void tgc_field_index_error(const void *o, const char *f, size_t i, size_t n)
{ (void)o; (void)f; (void)i; (void)n; abort(); }
static int failures;
#define CHECK(cond) do { if (!(cond)) { \\
    printf("check failed, line %d: %s\\n", __LINE__, #cond); failures++; } \\
} while (0)
static _Alignas(8) unsigned char buf[1 << 18];  /* fixedarrays.json's Wide: 136 KB */
static int marker;
"""

C_TABLE_CHECKS = """
static const uint32_t kind_size[] = {
    [TGC_KIND_I8] = 1, [TGC_KIND_I16] = 2, [TGC_KIND_I32] = 4, [TGC_KIND_I64] = 8,
    [TGC_KIND_U8] = 1, [TGC_KIND_U16] = 2, [TGC_KIND_U32] = 4, [TGC_KIND_U64] = 8,
    [TGC_KIND_F64] = 8, [TGC_KIND_BOOL] = 1, [TGC_KIND_REF] = 8,
    [TGC_KIND_WEAK] = 8,
};

/* types[k] is type id first + k - 1; ids first..last. */
static void check_table(const tgc_type_table *tt)
{
    uint32_t first = tt->first_id, last = first + tt->n_types - 2;
    CHECK(first >= 1 && last <= 0xffff);
    CHECK(tt->types[0].name != NULL && strcmp(tt->types[0].name, "(reserved)") == 0);
    for (uint32_t k = 1; k < tt->n_types; k++) {
        uint32_t id = first + k - 1;
        const tgc_type_info *t = &tt->types[k];
        uint32_t refs = 0, weaks = 0, end = 8;
        CHECK((t->infobits & 0xffff) == id);
        CHECK(t->min_subclass_id == id);
        CHECK(t->max_subclass_id >= id && t->max_subclass_id <= last);
        CHECK(t->c_align == 8);
        if (t->base_id != 0) {
            CHECK(t->base_id >= first && t->base_id < id);
            const tgc_type_info *b = &tt->types[t->base_id - first + 1];
            CHECK(id <= b->max_subclass_id);
            CHECK(t->max_subclass_id <= b->max_subclass_id);
            CHECK(t->c_size >= b->c_size && t->n_fields >= b->n_fields);
            for (uint32_t i = 0; i < b->n_fields && i < t->n_fields; i++)
                CHECK(memcmp(&t->fields[i], &b->fields[i], sizeof t->fields[i]) == 0);
        }
        if (t->infobits & TGC_T_IS_VARSIZE) {
            int refs_items = t->item_kind == TGC_KIND_REF;
            CHECK(t->fixed_size == 16 && t->items_offset == 16 && t->length_offset == 8);
            CHECK(t->c_size == 16 && t->n_fields == 0 && t->n_ptr_offsets == 0);
            CHECK(t->n_weak_offsets == 0 && t->weak_offsets == NULL);
            CHECK(!(t->infobits & TGC_T_HAS_WEAKPTR) && t->item_kind != TGC_KIND_WEAK);
            CHECK(!!(t->infobits & TGC_T_IS_GCARRAY_OF_GCPTR) == refs_items);
            CHECK(!!(t->infobits & TGC_T_HAS_GCPTR_IN_VARSIZE) == refs_items);
            CHECK(!!(t->infobits & TGC_T_HAS_GCPTR) == refs_items);
            continue;
        }
        CHECK(t->fixed_size >= 16 && t->fixed_size % 8 == 0);
        CHECK(t->fixed_size >= t->c_size && t->c_size % 8 == 0);
        for (uint32_t i = 0; i < t->n_fields; i++) {
            const tgc_field_info *f = &t->fields[i];
            /* a fixed-size array: size is its items' */
            uint32_t item = kind_size[f->kind];
            CHECK(f->size % item == 0 && f->size > 0);
            CHECK(f->offset % item == 0 && f->offset >= end);
            end = f->offset + f->size;
            CHECK(end <= t->c_size);
            if (f->kind == TGC_KIND_REF) {
                for (uint32_t k = 0; k < f->size / 8; k++, refs++)
                    CHECK(refs < t->n_ptr_offsets && t->ptr_offsets[refs] == f->offset + 8 * k);
                CHECK(f->ref_type_id == 0 /* kind any */ ||
                      (f->ref_type_id >= first && f->ref_type_id <= last));
            } else if (f->kind == TGC_KIND_WEAK) {
                /* weak slots: in weak_offsets, never in ptr_offsets */
                for (uint32_t k = 0; k < f->size / 8; k++, weaks++)
                    CHECK(weaks < t->n_weak_offsets && t->weak_offsets[weaks] == f->offset + 8 * k);
                CHECK(f->ref_type_id >= first && f->ref_type_id <= last);
            } else {
                CHECK(f->ref_type_id == 0);
            }
        }
        CHECK(refs == t->n_ptr_offsets);
        CHECK(weaks == t->n_weak_offsets && (weaks > 0) == (t->weak_offsets != NULL));
        CHECK(!!(t->infobits & TGC_T_HAS_WEAKPTR) == (weaks > 0));
        CHECK(!!(t->infobits & TGC_T_HAS_GCPTR) == (refs > 0));
        CHECK(!(t->infobits & (TGC_T_HAS_GCPTR_IN_VARSIZE | TGC_T_IS_GCARRAY_OF_GCPTR)));
    }
}
"""


def zero_of(kind):
    return "NULL" if kind in ("ref", "any", "weak") else "0"


def value_of(kind, target):
    """A value of the kind to store and read back."""
    if kind in ("ref", "weak"):
        return f"(struct {target} *)(void *)&marker"
    if kind == "any":
        return "(void *)&marker"
    return {"bool": "true", "f64": "2.5"}.get(kind, "7")


def check_program(model, name):
    """C that checks the generated code of `name` against `model`."""
    lines = [f'#include "{name}.h"', C_STUBS, C_TABLE_CHECKS,
             "static const char *destructed_by __attribute__((unused));"]
    # The destructors the schema declares, each saying whose it is; the
    # table must call the nearest declared one for every type.
    for n in model.order:
        if model.types[n].get("destructor"):
            lines.append(f'void {n}_destruct({n} *obj) {{ (void)obj; destructed_by = "{n}"; }}')
    lines += ["int main(void)", "{",
             "    (void)marker;",
             f"    check_table(&{name}_types);",
             f"    CHECK({name}_types.n_types == {len(model.order) + 1});",
             f"    CHECK({name}_types.first_id == {model.first});",
             f"    CHECK({name}_init() == 0);"]
    add = lines.append
    for n in model.order:
        add(f"    CHECK({n}__TYPE_ID == {model.ids[n]});")
        k = model.ids[n] - model.first + 1
        add(f'    CHECK(strcmp({name}_types.types[{k}].name, "{n}") == 0);')
        add(f"    CHECK({name}_types.types[{k}].max_subclass_id"
            f" == {model.max_sub[n]});")
    # T_isinstance() against every type's objects, and NULL
    for cls in model.order:
        add(f"    CHECK(!{cls}_isinstance(NULL));")
        for sub in model.order:
            expect = "" if model.is_subclass(sub, cls) else "!"
            add(f"    CHECK({expect}{cls}_isinstance(&(tgc_header){{ .tid = {sub}__TYPE_ID }}));")
    for n in model.order:
        t = model.types[n]
        add("    {")
        add("        memset(buf, 0xff, sizeof buf);")
        if model.is_array(n):
            item = t["array"]
            add(f"        {n} *a = {n}__init(buf, 3);")
            add(f"        CHECK(a->hdr.tid == {n}__TYPE_ID && a->hdr.flags == 0);")
            add(f"        CHECK({n}_length(a) == 3);")
            add(f"        for (size_t i = 0; i < 3; i++) CHECK({n}_get(a, i) == {zero_of(item['kind'])});")
            value = value_of(item["kind"], item.get("to"))
            add(f"        {n}_set(a, 1, {value});")
            add(f"        CHECK({n}_get(a, 1) == {value} && {n}_get(a, 2) == {zero_of(item['kind'])});")
        else:
            hdr = model.path(n, model.lineage(n)[0], "hdr")
            add(f"        {n} *o = {n}__init(buf);")
            owners = [b for b in model.lineage(n) if model.types[b].get("destructor")]
            k = model.ids[n] - model.first + 1
            add(f"        CHECK({n}__DESTRUCTOR == {1 if owners else 0});")
            if owners:
                add("        destructed_by = NULL;")
                add(f"        {name}_types.types[{k}].destructor(o);")
                add(f'        CHECK(destructed_by != NULL && strcmp(destructed_by, "{owners[-1]}") == 0);')
            else:
                add(f"        CHECK({name}_types.types[{k}].destructor == NULL);")
            add(f"        CHECK(o->{hdr}.tid == {n}__TYPE_ID && o->{hdr}.flags == 0);")
            for f, owner in model.all_fields(n):
                member = model.path(n, owner, f["name"])
                if "length" in f:
                    length = f["length"]
                    add(f"        for (size_t i = 0; i < {length}; i++) CHECK(o->{member}[i] == {zero_of(f['kind'])});")
                    value = value_of(f["kind"], f.get("to"))
                    if f["kind"] in ("ref", "any", "weak"):
                        add(f"        {n}_set_{f['name']}(o, {length - 1}, {value});")
                    else:
                        add(f"        o->{member}[{length - 1}] = {value};")
                    add(f"        CHECK(o->{member}[{length - 1}] == {value});")
                    if length > 1:
                        add(f"        CHECK(o->{member}[{length - 2}] == {zero_of(f['kind'])});")
                    continue
                add(f"        CHECK(o->{member} == {zero_of(f['kind'])});")
                if f["kind"] in ("ref", "any", "weak"):
                    value = value_of(f["kind"], f.get("to"))
                    add(f"        {n}_set_{f['name']}(o, {value});")
                    add(f"        CHECK(o->{member} == {value});")
        add("    }")
    add('    printf("%d failed\\n", failures);')
    add("    return failures != 0;")
    add("}")
    return "\n".join(lines) + "\n"


# ---- valid schemas --------------------------------------------------------

def test_valid(typegc, root, results, schema, first_id=None):
    """`first_id`: generate with --first-type-id `first_id`."""
    label = f"{schema.parent.name}/{schema.name}"
    name = schema.stem
    options = []
    if first_id is not None:
        label += f" --first-type-id {first_id}"
        options = ["--first-type-id", str(first_id)]
    include = str(root / "runtime" / "include")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        first, second = tmp / "first", tmp / "second"
        first.mkdir()
        second.mkdir()
        r = run([typegc, "gen", str(schema), "-o", str(first)] + options)
        ok = results.check(f"{label}: generates", r.returncode == 0
                           and not r.stderr and dir_listing(first)
                           == sorted([f"{name}.h", f"{name}.c"]),
                           f"status {r.returncode}\n{r.stderr}"
                           f"files: {dir_listing(first)}")
        if not ok:
            return
        # a relative path from elsewhere, into a directory given with a
        # trailing slash: the output must not change
        r = run([typegc, "gen", os.path.relpath(schema, tmp), "-o",
                 "second/"] + options, cwd=tmp)
        same = r.returncode == 0 and all(
            (first / f).read_bytes() == (second / f).read_bytes()
            for f in (f"{name}.h", f"{name}.c"))
        results.check(f"{label}: same bytes every time", same, r.stderr)

        for cc in COMPILERS:
            r = run([cc] + CFLAGS + ["-I", include, "-c",
                                     str(first / f"{name}.c"),
                                     "-o", str(tmp / f"{cc}.o")])
            results.check(f"{label}: compiles with {cc}", r.returncode == 0,
                          r.stderr)

        if not COMPILERS:
            return
        model = Model(json.loads(schema.read_text()), first_id or 1)
        check_c = tmp / "check.c"
        check_c.write_text(check_program(model, name))
        exe = tmp / "check"
        r = run([COMPILERS[0]] + CFLAGS + ["-I", include, "-I", str(first),
                                           str(check_c), str(first / f"{name}.c"),
                                           "-o", str(exe)])
        if r.returncode == 0:
            r = run([str(exe)])
        results.check(f"{label}: ids, table and inline functions",
                      r.returncode == 0, r.stdout + r.stderr)


# ---- prebuilt objects -----------------------------------------------------

def test_prebuilt_objects(typegc, root, results):
    """schemas/prebuilt.json's "objects": declared extern in NAME.h, defined
    in NAME.c with the prebuilt header and their values, in file order;
    compiles with -pedantic -Werror (the flexible array items are marked
    __extension__) over every backend."""
    schema = root / "schemas" / "prebuilt.json"
    include = str(root / "runtime" / "include")
    label = "prebuilt objects"
    for gc, tmp in generated_per_backend(typegc, schema, label, results):
        header = (Path(tmp) / "prebuilt.h").read_text()
        source = (Path(tmp) / "prebuilt.c").read_text()
        externs = re.findall(r"^extern struct (\w+) (\w+);$", header, re.M)
        results.check(f"{label}: --gc={gc}: declared in order", externs == [
            ("Node", "Node__prebuilt_nil"), ("Node", "Node__prebuilt_one"),
            ("Bytes", "Bytes__prebuilt_hello"), ("Named", "Named__prebuilt_two"),
            ("Box", "Box__prebuilt_box"), ("Nodes", "Nodes__prebuilt_table"),
            ("Nodes", "Nodes__prebuilt_empty"), ("Res", "Res__prebuilt_res")],
            str(externs))
        expected = [
            "struct Node Node__prebuilt_one = { .hdr = TGC_PREBUILT_HEADER_OF(Node__TYPE_ID), "
            ".next = &Node__prebuilt_nil, .value = 1LL };",
            "__extension__ struct Bytes Bytes__prebuilt_hello = { .hdr = TGC_PREBUILT_HEADER_OF("
            "Bytes__TYPE_ID), .length = 5, .items = { 104, 101, 108, 108, 111, [7] = 0 } };",
            "struct Named Named__prebuilt_two = { .super = { .hdr = TGC_PREBUILT_HEADER_OF("
            "Named__TYPE_ID), .next = &Node__prebuilt_one, .value = (-9223372036854775807LL - 1) }, "
            ".label = &Bytes__prebuilt_hello, .weight = 2.5, .on = true };",
            "struct Nodes Nodes__prebuilt_empty = { .hdr = TGC_PREBUILT_HEADER_OF(Nodes__TYPE_ID), "
            ".length = 0 };",
        ]
        missing = [e for e in expected if e not in source.splitlines()]
        results.check(f"{label}: --gc={gc}: definitions", not missing,
                      f"not in prebuilt.c: {missing}")
        for cc in COMPILERS:
            r = run([cc] + CFLAGS + ["-pedantic", "-I", include, "-c",
                                     str(Path(tmp) / "prebuilt.c"),
                                     "-o", str(Path(tmp) / f"{cc}.o")])
            results.check(f"{label}: --gc={gc}: compiles with {cc} -pedantic",
                          r.returncode == 0, r.stderr)
    # the limits of the values
    base = {"types": [{"name": "N", "fields": [{"name": "u", "kind": "u64"},
                                                {"name": "i", "kind": "i32"}]}]}
    for fields, message in (
            ({"u": -1}, "object 'o', field 'u': -1 does not fit kind 'u64' "
                        "(0 to 9223372036854775807)\n"),
            ({"i": 2147483648}, "object 'o', field 'i': 2147483648 does not fit "
                                "kind 'i32' (-2147483648 to 2147483647)\n")):
        check_rejected(typegc, results, f"invalid: prebuilt {fields}", "limits.json",
                       dict(base, objects=[{"name": "o", "type": "N", "fields": fields}]),
                       "limits.json: " + message)


# ---- the command line -----------------------------------------------------

def test_cli(typegc, root, results, inspect_built):
    schema = root / "schemas" / "list.json"

    def expect(name, args, status, stream, text, cwd=None):
        r = run([typegc] + args, cwd=cwd)
        out = r.stdout if stream == "stdout" else r.stderr
        results.check(f"cli: {name}", r.returncode == status and text in out,
                      f"status {r.returncode}\nstdout: {r.stdout}\n"
                      f"stderr: {r.stderr}")

    expect("--help", ["--help"], 0, "stdout", "usage: typegc gen")
    expect("gen --help", ["gen", "--help"], 0, "stdout", "usage: typegc gen")
    expect("--version", ["--version"], 0, "stdout", f"typegc {VERSION}\n")
    expect("no arguments", [], 2, "stderr", "no command given")
    expect("unknown command", ["frob"], 2, "stderr",
           "unknown command 'frob'")
    expect("unknown option", ["gen", str(schema), "-o", ".", "--fast"], 2,
           "stderr", "unknown option '--fast'")
    expect("no -o", ["gen", str(schema)], 2, "stderr", "-o DIR")
    expect("-o without a value", ["gen", str(schema), "-o"], 2, "stderr",
           "option '-o' needs a value")
    expect("no schema", ["gen", "-o", "."], 2, "stderr",
           "no schema file given")
    expect("two schemas", ["gen", str(schema), str(schema), "-o", "."], 2,
           "stderr", "one schema at a time")
    for bad in ("0", "65536", "x", "1x", "-3", "99999999999"):
        expect(f"--first-type-id {bad}",
               ["gen", str(schema), "-o", ".", "--first-type-id", bad], 2,
               "stderr", f"typegc: --first-type-id '{bad}': a type id is a "
               "number from 1 to 65535\n")
    expect("--first-type-id without a value",
           ["gen", str(schema), "-o", ".", "--first-type-id"], 2, "stderr",
           "option '--first-type-id' needs a value")
    expect("--first-type-id twice",
           ["gen", str(schema), "-o", ".", "--first-type-id", "2",
            "--first-type-id", "3"], 2, "stderr",
           "option '--first-type-id' given twice")
    if inspect_built is False:
        expect("inspect, built without it", ["inspect", "list.c"], 2,
               "stderr", "typegc was built without the inspector (")
    with tempfile.TemporaryDirectory() as tmp:
        expect("unreadable schema", ["gen", "nope.json", "-o", tmp], 1,
               "stderr", "nope.json: cannot read: No such file or directory",
               cwd=tmp)
        expect("directory as schema", ["gen", tmp, "-o", tmp], 1, "stderr",
               "cannot read")
        missing = Path(tmp) / "missing"
        expect("nonexistent output directory",
               ["gen", str(schema), "-o", str(missing)], 1, "stderr",
               f"cannot create a file in '{missing}'")
        results.check("cli: nothing created on failure",
                      dir_listing(tmp) == [], str(dir_listing(tmp)))

        r = run([typegc, "gen", str(schema), "-o", tmp, "--name", "mylist"])
        results.check("cli: --name names the files and globals",
                      r.returncode == 0
                      and dir_listing(tmp) == ["mylist.c", "mylist.h"]
                      and "mylist_types" in (Path(tmp) / "mylist.c").read_text(),
                      r.stderr + str(dir_listing(tmp)))
        r = run([typegc, "gen", str(schema), "-o", tmp, "--name", "mylist"])
        results.check("cli: regenerating replaces the files",
                      r.returncode == 0
                      and dir_listing(tmp) == ["mylist.c", "mylist.h"],
                      r.stderr + str(dir_listing(tmp)))


def test_no_partial_output(typegc, root, results):
    """When NAME.c cannot be written (a directory is in the way of its
    name), NAME.h is not written either, or put back as it was."""
    schema = root / "schemas" / "list.json"
    for previous in (None, "previous list.h\n"):
        name = ("output: NAME.c in the way, " +
                ("previous NAME.h kept" if previous else "no NAME.h written"))
        with tempfile.TemporaryDirectory() as out:
            (Path(out) / "list.c").mkdir()
            if previous:
                (Path(out) / "list.h").write_text(previous)
            r = run([typegc, "gen", str(schema), "-o", out])
            left = dir_listing(out)
            header = Path(out) / "list.h"
            kept = header.read_text() if header.exists() else None
        expected = f"typegc: cannot write '{out}/list.c': Is a directory\n"
        results.check(name, r.returncode == 1 and r.stderr == expected
                      and left == (["list.c", "list.h"] if previous
                                   else ["list.c"]) and kept == previous,
                      f"status {r.returncode}, stderr {r.stderr!r}, "
                      f"left {left}, list.h {kept!r}")


def main():
    args = [a for a in sys.argv[1:] if a not in ("--inspect", "--no-inspect")]
    if len(args) not in (2, 3, 4):
        sys.exit("usage: test_translator.py TYPEGC SOURCE_ROOT "
                 "[PRINT_GENERATED_NAMES [PRINT_NAME_USES]] "
                 "[--inspect | --no-inspect]")
    typegc = os.path.abspath(args[0])
    root = Path(args[1]).resolve()
    print_names = os.path.abspath(args[2]) if len(args) >= 3 else None
    print_uses = os.path.abspath(args[3]) if len(args) == 4 else None
    inspect_built = (True if "--inspect" in sys.argv else
                     False if "--no-inspect" in sys.argv else None)
    results = Results()
    if not COMPILERS:
        print("(neither gcc nor clang found: compile checks skipped)")
    if print_names is None:
        print("(no PRINT_GENERATED_NAMES: generated names not checked)")

    test_cli(typegc, root, results, inspect_built)
    test_no_partial_output(typegc, root, results)
    test_invalid(typegc, root, results)
    test_too_many_types(typegc, results)
    test_far_too_many_types(typegc, results)
    test_has_gcptr_clash(typegc, results)
    test_first_type_id_range(typegc, root, results)
    if print_uses is not None:
        test_header_names(typegc, root, print_uses, results)
    else:
        print("(no PRINT_NAME_USES: the headers' names not checked)")
    test_near_reserved(typegc, root, results)
    test_linear_growth(typegc, results)
    test_upcast_is_type_checked(typegc, root, results)
    test_prebuilt_objects(typegc, root, results)
    valid = sorted((root / "schemas").glob("*.json")) + \
        sorted((root / "tests" / "schemas" / "valid").glob("*.json"))
    for schema in valid:
        test_valid(typegc, root, results, schema)
        if print_names is not None:
            test_generated_names(typegc, print_names, results, schema)
    # the same checks with the ids moved: the table's types[k] is id
    # first_id + k - 1, the constants and isinstance ranges follow
    for schema, first_id in (("hierarchy.json", 1000), ("arrays.json", 65500)):
        test_valid(typegc, root, results, root / "schemas" / schema, first_id)

    print(f"{results.passed} passed, {results.failed} failed")
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
