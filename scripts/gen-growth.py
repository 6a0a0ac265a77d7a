#!/usr/bin/env python3
"""How `typegc gen`'s output and time grow with the schema.

    scripts/gen-growth.py build/translator/typegc [--compile N ...]

Generates inheritance chains of 10, 100, 1000 and 10000 levels (the root
has an i64 and a ref to itself, each level below adds one i64) and 1000,
10000 and 65535 flat types (an i64 and a ref to itself each), and prints a
Markdown table: the bytes of NAME.h + NAME.c and the seconds `typegc gen`
took.  A run is stopped after 120 s or 4 GiB of memory.  --compile N runs
`cc -O2 -c` on the N-level chain's NAME.c and reports its time."""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

LIMIT_S = 120
LIMIT_BYTES = 4 << 30


def chain(levels):
    types = [{"name": "T0", "fields": [{"name": "v0", "kind": "i64"},
                                       {"name": "next", "kind": "ref", "to": "T0"}]}]
    for k in range(1, levels):
        types.append({"name": f"T{k}", "base": f"T{k - 1}",
                      "fields": [{"name": f"v{k}", "kind": "i64"}]})
    return {"types": types}


def flat(n):
    return {"types": [{"name": f"T{k}", "fields": [{"name": "v", "kind": "i64"},
                                                  {"name": "next", "kind": "ref", "to": f"T{k}"}]}
                      for k in range(n)]}


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def generate(typegc, schema, tmp, name):
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(schema, f)
    out = os.path.join(tmp, name)
    os.mkdir(out)
    start = time.perf_counter()
    try:
        r = subprocess.run([typegc, "gen", path, "-o", out], capture_output=True,
                           timeout=LIMIT_S, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        return None, f"over {LIMIT_S} s"
    seconds = time.perf_counter() - start
    if r.returncode != 0:
        return None, f"failed ({r.stderr.decode().strip()[:60] or r.returncode})"
    size = sum(os.path.getsize(os.path.join(out, name + ext)) for ext in (".h", ".c"))
    return out, (size, seconds)


def main():
    typegc = sys.argv[1]
    compile_levels = [int(a) for a in sys.argv[3::2]] if "--compile" in sys.argv else []
    include = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "include")
    print("| schema | output bytes | gen seconds |")
    print("| --- | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(f"chain of {n} levels", f"chain{n}", chain(n)) for n in (10, 100, 1000, 10000)]
        cases += [(f"{n} flat types", f"flat{n}", flat(n)) for n in (1000, 10000, 65535)]
        for label, name, schema in cases:
            out, result = generate(typegc, schema, tmp, name)
            if out is None:
                print(f"| {label} | {result} | |")
                continue
            size, seconds = result
            print(f"| {label} | {size:,} | {seconds:.2f} |", flush=True)
            if name.startswith("chain") and int(name[5:]) in compile_levels:
                start = time.perf_counter()
                r = subprocess.run(["cc", "-std=gnu11", "-O2", "-c", "-I", include,
                                    "-I", out, os.path.join(out, name + ".c"),
                                    "-o", os.path.join(out, name + ".o")],
                                   capture_output=True, timeout=600)
                status = "ok" if r.returncode == 0 else "FAILED " + r.stderr.decode()[:200]
                print(f"|   cc -O2 -c {name}.c | {status} | {time.perf_counter() - start:.2f} |",
                      flush=True)


if __name__ == "__main__":
    main()
