#!/usr/bin/env python3
"""Tests of `typegc inspect`.

usage: test_inspect.py TYPEGC SOURCE_ROOT

- Layouts: every schemas/*.json and tests/schemas/valid/*.json, generated
  with `typegc gen`, is read back by `typegc inspect`, which finds the
  table in agreement with the structs clang lays out; --json gives the
  same types, fields and kinds as the schema.
- Tampering is caught, exit status 1, with the message naming the type
  and the field: a header edited by hand, structs packed by -fpack-struct
  or by a #pragma pack(1) forced in with -include, a table whose numbers
  no longer match its structs.
- Machine code: `typegc inspect --asm` finds and annotates the allocation
  fast path of bench/allocatealot.c built -O2 -g with gcc and with clang
  (each skipped if absent), and the write barrier of
  tests/inspect/build_list.c; without -g it still finds the fast path.
- Bad command lines exit 2; unreadable files and failed checks exit 1,
  with a clear message.

Prints one line per check, then "N passed, N failed"; exits 1 on any
failure.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from results import Results

COMPILERS = [c for c in ("gcc", "clang") if shutil.which(c)]



def run(args, cwd=None):
    return subprocess.run([str(a) for a in args], cwd=cwd,
                          capture_output=True, text=True)


def describe(r):
    return f"status {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"


def generate(typegc, schema, out, gen_args=()):
    r = run([typegc, "gen", schema, "-o", out] + list(gen_args))
    if r.returncode != 0:
        raise RuntimeError(f"typegc gen {schema} failed:\n{r.stderr}")
    return Path(out) / (Path(schema).stem + ".c")


# ---- layouts agree --------------------------------------------------------

def schema_fields(schema_json):
    """Each struct type's fields, inherited ones first: [(name, kind)]."""
    by_name = {t["name"]: t for t in schema_json["types"]}

    def fields(t):
        base = fields(by_name[t["base"]]) if "base" in t else []
        return base + [(f["name"], as_inspected(f["kind"]), f.get("length"))
                       for f in t.get("fields", [])]

    return {t["name"]: fields(t) for t in schema_json["types"]
            if "array" not in t}


def as_inspected(kind):
    """The inspector reads the C: a field of kind any, a void *, is a GC
    pointer it shows as a ref to "(any)" (JSON: "to": null)."""
    return "ref" if kind == "any" else kind


def test_agrees(typegc, results, schema, gen_args=()):
    label = " ".join([schema.name] + list(gen_args))
    with tempfile.TemporaryDirectory() as out:
        source = generate(typegc, schema, out, gen_args)
        r = run([typegc, "inspect", source.name], cwd=out)
        results.check(f"{label}: the table agrees with the structs",
                      r.returncode == 0 and r.stderr == ""
                      and "the table agrees with the structs" in r.stdout,
                      describe(r))
        r = run([typegc, "inspect", source.name, "--json"], cwd=out)
        try:
            report = json.loads(r.stdout)
        except ValueError:
            results.check(f"{label}: --json", False, describe(r))
            return
        spec = json.loads(schema.read_text())
        expected = schema_fields(spec)
        arrays = {t["name"]: t["array"] for t in spec["types"] if "array" in t}
        problems = []
        if r.returncode != 0 or not report["ok"] or report["problems"]:
            problems.append("not ok")
        names = [t["name"] for t in report["types"]]
        if sorted(names) != sorted(t["name"] for t in spec["types"]):
            problems.append(f"types {names}")
        for t in report["types"]:
            if t["name"] in arrays:
                item = arrays[t["name"]]
                if not t["array"] or t["items"]["kind"] != as_inspected(item["kind"]) \
                        or t["items"]["traced"] != (as_inspected(item["kind"]) == "ref"):
                    problems.append(f"{t['name']}: items {t.get('items')}")
                continue
            got = [(f["name"], f["kind"], f.get("length")) for f in t["fields"]]
            if got != expected.get(t["name"]):
                problems.append(f"{t['name']}: fields {got}")
            for f in t["fields"]:
                if f["traced"] != (f["kind"] == "ref"):
                    problems.append(f"{t['name']}.{f['name']}: traced {f['traced']}")
            if t["size"] % 8 or t["align"] != 8 or t["alloc_size"] < 16:
                problems.append(f"{t['name']}: size {t['size']} align {t['align']}")
        results.check(f"{label}: --json gives the schema's types, fields and kinds",
                      not problems, "\n".join(problems) + "\n" + describe(r))


# ---- tampering --------------------------------------------------------------

def edit(path, old, new):
    text = path.read_text()
    if old not in text:
        raise RuntimeError(f"{path.name}: '{old}' not found")
    path.write_text(text.replace(old, new, 1))


def expect_caught(typegc, results, root, name, schema, edits, flags, messages,
                  gen_args=()):
    """Generates `schema` (with `gen_args`), applies `edits` [(file suffix,
    old, new)], runs inspect with `flags` after --, and wants exit 1 with
    every message."""
    with tempfile.TemporaryDirectory() as out:
        source = generate(typegc, root / "schemas" / schema, out, gen_args)
        for suffix, old, new in edits:
            edit(source.with_suffix(suffix), old, new)
        args = [typegc, "inspect", source.name]
        if flags:
            args += ["--"] + flags
        r = run(args, cwd=out)
    missing = [m for m in messages if m not in r.stderr]
    results.check(f"caught: {name}", r.returncode == 1 and not missing,
                  "missing: " + "; ".join(missing) + "\n" + describe(r))


def test_tampering(typegc, root, results):
    pack1 = root / "tests" / "inspect" / "pack1.h"
    expect_caught(
        typegc, results, root, "a field's type edited in the header",
        "allocatealot.json", [(".h", "    int64_t i;", "    int32_t i;")], [],
        ["allocatealot.c: type 'A', field 'i': the table says i64 (8 bytes), "
         "the struct has int32_t: i32 (4 bytes)"])
    expect_caught(
        typegc, results, root, "a reference's target edited in the header",
        "hierarchy.json",
        [(".h", "    struct Shape *owner;", "    struct Circle *owner;")], [],
        ["hierarchy.c: type 'Caption', field 'owner': the table says it points "
         "to Shape (id 1), the struct to Circle (id 2)"])
    expect_caught(
        typegc, results, root, "an item of a fixed-size array of refs not traced",
        "fixedarrays.json", [(".c", "[] = { 8, 16, 24, 32, 80", "[] = { 8, 16, 24, 40, 80")], [],
        ["fixedarrays.c: type 'Labelled', field 'kids': the table does not trace "
         "an item: offset 32 is not among its GC pointer offsets (8, 16, 24, 40, 80, 88, 96)",
         "fixedarrays.c: type 'Labelled': the table traces offset 40, where the "
         "struct has 'value', a int64_t"])
    expect_caught(
        typegc, results, root, "a fixed-size array's length edited in the header",
        "fixedarrays.json", [(".h", "    double weights[2];", "    double weights[3];")], [],
        ["fixedarrays.c: type 'Labelled', field 'weights': the table says size 16, "
         "the struct has 24"])
    expect_caught(
        typegc, results, root, "a field added to the header",
        "list.json", [(".h", "    int64_t value;\n",
                       "    int64_t value;\n    int64_t extra;\n")], [],
        ["list.c: type 'Node', field 'extra': in the struct, but not among "
         "the table's fields",
         "list.c: type 'Node': the table says allocation size 24, the struct "
         "needs 32",
         "list.c: type 'Node': the header says Node__SIZE 24, the struct needs 32"])
    expect_caught(
        typegc, results, root, "structs packed with -fpack-struct",
        "hierarchy.json", [], ["-fpack-struct"],
        ["hierarchy.c: type 'Shape', field 'x': the table says offset 16, "
         "the struct has 12",
         "hierarchy.c: type 'Caption', field 'owner': the table says offset 56, "
         "the struct has 38",
         "hierarchy.c: type 'Shape': the struct is 1-aligned, objects are 8-aligned",
         "hierarchy.c: clang also reports"])
    expect_caught(
        typegc, results, root, "#pragma pack(1) forced in with -include",
        "tree.json", [], ["-include", str(pack1)],
        ["tree.c: type 'Tree': the struct is 1-aligned, objects are 8-aligned",
         "tree.c: clang also reports"])
    expect_caught(
        typegc, results, root, "#pragma pack(1) moves a field",
        "hierarchy.json", [], ["-include", str(pack1)],
        ["hierarchy.c: type 'Polygon', field 'vertices': the table says offset 48, "
         "the struct has 40"])
    expect_caught(
        typegc, results, root, "a field offset edited in the table",
        "hierarchy.json",
        [(".c", '"owner", .kind = TGC_KIND_REF, .offset = 56',
          '"owner", .kind = TGC_KIND_REF, .offset = 57')], [],
        ["hierarchy.c: type 'Caption', field 'owner': the table says offset 57, "
         "the struct has 56"])
    expect_caught(
        typegc, results, root, "a GC pointer offset edited in the table",
        "hierarchy.json",
        [(".c", "Caption__ptr_offsets[] = { 32, 56 }",
          "Caption__ptr_offsets[] = { 32, 48 }")], [],
        ["hierarchy.c: type 'Caption', field 'owner': the table does not trace "
         "it: offset 56 is not among its GC pointer offsets (32, 48)",
         "hierarchy.c: type 'Caption': the table traces offset 48, where the "
         "struct has 'size', a uint8_t"])
    expect_caught(
        typegc, results, root, "a subclass range edited in the table",
        "hierarchy.json",
        [(".c", ".max_subclass_id = 8,", ".max_subclass_id = 7,")], [],
        ["hierarchy.c: type 'Shape': the table says subclasses 1..7, the "
         "structs give 1..8"])
    expect_caught(
        typegc, results, root, "a size edited in the table",
        "tree.json", [(".c", ".fixed_size = Tree__SIZE,", ".fixed_size = 24,")], [],
        ["tree.c: type 'Tree': the table says allocation size 24, the struct needs 32"])
    expect_caught(
        typegc, results, root, "an infobits flag dropped from the table",
        "list.json",
        [(".c", ".infobits = Node__TYPE_ID | TGC_T_HAS_GCPTR,",
          ".infobits = Node__TYPE_ID,")], [],
        ["list.c: type 'Node': the table's infobits lack TGC_T_HAS_GCPTR, but "
         "the struct has GC pointers"])
    expect_caught(
        typegc, results, root, "an item kind edited in the table",
        "arrays.json",
        [(".c", ".item_kind = TGC_KIND_F64,", ".item_kind = TGC_KIND_I64,")], [],
        ["arrays.c: type 'Doubles', field 'items': the table says items of i64 "
         "(8 bytes), the struct has double: f64 (8 bytes)"])
    expect_caught(
        typegc, results, root, "a type id edited in the header",
        "arrays.json", [(".h", "Holder__TYPE_ID = 5", "Holder__TYPE_ID = 6")], [],
        ["arrays.c: type 'Holder': the header says Holder__TYPE_ID 6, the table "
         "has the type at index 5"])
    expect_caught(
        typegc, results, root, "HAS_GCPTR edited in the header",
        "list.json", [(".h", "Node__HAS_GCPTR = 1", "Node__HAS_GCPTR = 0")], [],
        ["list.c: type 'Node': the header says Node__HAS_GCPTR 0, but the struct "
         "has GC pointers"])
    expect_caught(
        typegc, results, root, "a base edited in the header",
        "hierarchy.json",
        [(".h", "struct Square {\n    struct Polygon super;",
          "struct Square {\n    struct Shape super;\n    int32_t n_vertices;\n"
          "    struct Coords *vertices;")], [],
        ["hierarchy.c: type 'Square': the table says base Polygon (id 3), the "
         "struct embeds Shape (id 1)",
         "hierarchy.c: type 'Polygon': its subclasses by the structs, Triangle (5), "
         "are not the ids right after it"])


# ---- --asm ----------------------------------------------------------------------

def build(cc, root, gen, program, out, flags):
    """Compiles `program` with gen/*.c and the runtime: the path, or None
    and the compiler's output."""
    sources = [root / program] + sorted(Path(gen).glob("*.c")) + \
        sorted((root / "runtime").glob("*.c"))
    exe = Path(out) / f"{Path(program).stem}-{cc}{''.join(flags)}"
    r = run([cc, "-std=gnu11"] + flags + [f"-I{root / 'runtime' / 'include'}",
                                          f"-I{gen}"] + sources + ["-lm", "-o", exe])
    return (exe if r.returncode == 0 else None), r.stdout + r.stderr


def test_asm(typegc, root, results, tmp):
    aal_gen = Path(tmp) / "aal"
    list_gen = Path(tmp) / "list"
    aal_gen.mkdir()
    list_gen.mkdir()
    generate(typegc, root / "schemas" / "allocatealot.json", aal_gen)
    generate(typegc, root / "schemas" / "list.json", list_gen)
    for cc in COMPILERS:
        exe, log = build(cc, root, aal_gen, "bench/allocatealot.c", tmp, ["-O2", "-g"])
        if not results.check(f"asm {cc}: allocatealot builds with -O2 -g", exe, log):
            continue
        r = run([typegc, "inspect", "--asm", exe])
        wanted = ["allocates A (16 bytes)", "new free = free + 16",
                  "compare with the top", "if past the top, the slow path: tgc_refill",
                  "header: type id 1 (A), flags 0", "write i: a->i = i;",
                  "loop back", "1 allocation:", "instructions per allocation"]
        missing = [w for w in wanted if w not in r.stdout]
        results.check(f"asm {cc}: allocatealot's fast path, annotated",
                      r.returncode == 0 and not missing,
                      "missing: " + "; ".join(missing) + "\n" + describe(r))
        loops = [l for l in r.stdout.splitlines() if ": loop " in l]
        results.check(f"asm {cc}: both allocation loops of allocatealot",
                      len(loops) == 2, describe(r))
        # The loops are in run(), which the compiler may inline into main().
        r = run([typegc, "inspect", "--asm", exe, "--function", "main"])
        if r.returncode != 0:
            r = run([typegc, "inspect", "--asm", exe, "--function", "run"])
        results.check(f"asm {cc}: --function main (or run, not inlined)",
                      r.returncode == 0 and "allocates A" in r.stdout, describe(r))
        r = run([typegc, "inspect", "--asm", exe, "--function", "alloc_loop_now"])
        results.check(f"asm {cc}: --function without a fast path",
                      r.returncode == 1 and "no inlined allocation fast path or "
                      "write barrier in function 'alloc_loop_now'" in r.stderr, describe(r))
        r = run([typegc, "inspect", "--asm", exe, "--function", "nope"])
        results.check(f"asm {cc}: --function that does not exist",
                      r.returncode == 1 and "no function 'nope'" in r.stderr,
                      describe(r))

        exe, log = build(cc, root, list_gen, "tests/inspect/build_list.c", tmp,
                         ["-O2", "-g"])
        if not results.check(f"asm {cc}: build_list builds with -O2 -g", exe, log):
            continue
        r = run([typegc, "inspect", "--asm", exe])
        wanted = ["write barrier in Node_set_next", "allocates Node (24 bytes)",
                  "write barrier: is the object old",
                  "the slow path: tgc_remember_young_pointer",
                  "the store, at +8: obj->next = value;"]
        missing = [w for w in wanted if w not in r.stdout]
        results.check(f"asm {cc}: build_list's write barrier, annotated",
                      r.returncode == 0 and not missing,
                      "missing: " + "; ".join(missing) + "\n" + describe(r))

    if COMPILERS:
        cc = COMPILERS[0]
        exe, log = build(cc, root, aal_gen, "bench/allocatealot.c", tmp, ["-O2"])
        if results.check(f"asm {cc}: allocatealot builds with -O2", exe, log):
            r = run([typegc, "inspect", "--asm", exe])
            results.check(f"asm {cc}: without -g the fast path is still found",
                          r.returncode == 0 and "no line information" in r.stdout
                          and "header: type id 1, flags 0" in r.stdout
                          and "instructions per allocation" in r.stdout,
                          describe(r))
        hello = Path(tmp) / "hello.c"
        hello.write_text("int main(void) { return 0; }\n")
        r = run([cc, "-O2", "-g", hello, "-o", Path(tmp) / "hello"])
        r = run([typegc, "inspect", "--asm", Path(tmp) / "hello"])
        results.check("asm: a program without typegc",
                      r.returncode == 1 and "no inlined allocation fast path"
                      in r.stderr, describe(r))


# ---- errors and the command line ---------------------------------------------

def test_errors(typegc, root, results, tmp):
    def expect(name, args, status, text, stream="stderr", cwd=None):
        r = run([typegc] + args, cwd=cwd)
        out = r.stdout if stream == "stdout" else r.stderr
        results.check(f"cli: {name}", r.returncode == status and text in out,
                      describe(r))

    expect("inspect --help", ["inspect", "--help"], 0,
           "typegc inspect DIR/NAME.c", "stdout")
    expect("no file", ["inspect"], 2, "inspect: no file given")
    expect("two files", ["inspect", "a.c", "b.c"], 2,
           "one file at a time; 'b.c' is a second")
    expect("compiler flag before --", ["inspect", "a.c", "-DX"], 2,
           "unknown option '-DX' (compiler flags go after '--')")
    expect("--function without --asm", ["inspect", "a.c", "--function", "f"], 2,
           "--function goes with --asm")
    expect("--function without a value", ["inspect", "--asm", "a", "--function"],
           2, "option '--function' needs a value")
    expect("--asm without a binary", ["inspect", "--asm"], 2,
           "inspect --asm: no binary given")
    expect("--asm with --json", ["inspect", "--asm", "a", "--json"], 2,
           "--json does not go with --asm")
    expect("--asm with compiler flags", ["inspect", "--asm", "a", "--", "-O2"],
           2, "compiler flags (after '--') do not go with --asm")

    expect("unreadable file", ["inspect", "nope.c"], 1,
           "nope.c: cannot read: No such file or directory", cwd=tmp)
    expect("directory", ["inspect", tmp], 1, "cannot read")
    plain = Path(tmp) / "plain.c"
    plain.write_text("int x;\n")
    expect("a C file without a table", ["inspect", plain], 1,
           "no type table: the file defines no 'tgc_type_table'")
    lonely = Path(tmp) / "lonely"
    lonely.mkdir()
    shutil.copy(generate(typegc, root / "schemas" / "list.json", tmp), lonely)
    expect("NAME.h missing", ["inspect", "list.c"], 1,
           "fatal error: 'list.h' file not found",
           cwd=lonely)
    expect("NAME.h missing: nothing checked", ["inspect", "list.c"], 1,
           "cannot be compiled, so nothing was checked", cwd=lonely)
    expect("-I through --", ["inspect", "list.c", "--", f"-I{tmp}"], 0,
           "the table agrees", "stdout", cwd=lonely)

    expect("--asm: unreadable binary", ["inspect", "--asm", "nope"], 1,
           "nope: cannot read: No such file or directory", cwd=tmp)
    expect("--asm: not a binary", ["inspect", "--asm", plain], 1,
           "not an ELF file")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: test_inspect.py TYPEGC SOURCE_ROOT")
    typegc = os.path.abspath(sys.argv[1])
    root = Path(sys.argv[2]).resolve()
    results = Results()
    if not COMPILERS:
        print("(neither gcc nor clang found: --asm checks skipped)")
    elif len(COMPILERS) == 1:
        print(f"(only {COMPILERS[0]} found: --asm checked with it alone)")

    valid = sorted((root / "schemas").glob("*.json")) + \
        sorted((root / "tests" / "schemas" / "valid").glob("*.json"))
    for schema in valid:
        test_agrees(typegc, results, schema)
    # ids moved by --first-type-id: the table's types[k] is id 100 + k - 1
    test_agrees(typegc, results, root / "schemas" / "hierarchy.json",
                ["--first-type-id", "100"])
    expect_caught(
        typegc, results, root, "--first-type-id 100: a subclass range edited",
        "hierarchy.json", [(".c", ".max_subclass_id = 107,", ".max_subclass_id = 108,")],
        [], ["hierarchy.c: type 'Shape': the table says subclasses 100..108, "
             "the structs give 100..107"], ["--first-type-id", "100"])
    expect_caught(
        typegc, results, root, "--first-type-id 100: the first id edited",
        "hierarchy.json", [(".c", ".first_id = 100,", ".first_id = 101,")],
        [], ["hierarchy.c: type 'Shape': the header says Shape__TYPE_ID 100, "
             "its place in the table is for id 101"], ["--first-type-id", "100"])
    test_tampering(typegc, root, results)
    with tempfile.TemporaryDirectory() as tmp:
        test_errors(typegc, root, results, tmp)
    with tempfile.TemporaryDirectory() as tmp:
        test_asm(typegc, root, results, tmp)

    print(f"{results.passed} passed, {results.failed} failed")
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
