#!/usr/bin/env python3
"""The mutation test of `typegc check`: real rooting bugs, made by hand.

usage: mutate_bench.py TYPEGC SOURCE_ROOT [--run BUILD_DIR]

For each program of bench/*.c, one mutant at a time, in a copy:
- pair: a TGC_SAVE(...) and its TGC_RESTORE(...) removed (both lines
  blanked, so that the line numbers stay);
- list: the live list of a TGC_NEW / TGC_NEW_ARRAY removed whole;
- name: one name of a live list of two or more removed.
`typegc check` must report each (exit status 1, a root or shadow-stack
finding).  Prints one line per mutant and "caught N of M removed" per
kind; exits 1 if one is missed.

With --run BUILD_DIR (a build tree with runtime/libtypegc.a), each mutant
is also compiled and run on a small input under TYPEGC_TORTURE (with
PYPY_GC_DEBUG=2 where that is quick), then, if it survives, with a 1 KiB
poisoned nursery (PROGRAMS says which), as is the unmutated program: a
mutant is confirmed at run time when it crashes, exits non-zero or prints
other results than the original.  Not part of the meson test: it compiles
every mutant and takes about a minute.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

# program -> (schema, small arguments, the debug environment).  pauses and
# splay keep more objects alive: a heap check after every minor collection
# (PYPY_GC_DEBUG=2 under TYPEGC_TORTURE, a minor collection at every
# allocation) takes minutes there, so they run under TYPEGC_TORTURE alone,
# which is what faults on a stale pointer.
# A mutant that survives torture is run again with a 1 KiB nursery,
# poisoned, as the GC tests run: under torture every object is promoted at
# its first collection, so a pointer that is old by the time it is
# forgotten never moves again; with a small nursery it may still be young.
TORTURE = {"TYPEGC_TORTURE": "1", "PYPY_GC_DEBUG": "2"}
SMALL = {"PYPY_GC_NURSERY": "1KB", "PYPY_GC_NURSERY_DEBUG": "1", "PYPY_GC_DEBUG": "2"}
QUICK_TORTURE = {"TYPEGC_TORTURE": "1000"}
QUICK_SMALL = {"PYPY_GC_NURSERY": "1KB", "PYPY_GC_NURSERY_DEBUG": "1"}
PROGRAMS = {
    "allocatealot": ("allocatealot", ["20000", "1"], [TORTURE, SMALL]),
    "binary-trees": ("binarytrees", ["6"], [TORTURE, SMALL]),
    "gcbench": ("gcbench", ["4"], [TORTURE, SMALL]),
    "pauses": ("pauses", ["1", "1"], [QUICK_TORTURE, QUICK_SMALL]),
    "splay": ("splay", ["100", "2"], [QUICK_TORTURE, QUICK_SMALL]),
}

SAVE = re.compile(r"^\s*TGC_SAVE\((.*)\);")
RESTORE = re.compile(r"^\s*TGC_RESTORE\((.*)\);")
NEW = re.compile(r"TGC_NEW\((\w+), *(\w+)((?:, *\w+)*)\)")
NEW_ARRAY = re.compile(r"TGC_NEW_ARRAY\((\w+), *(\w+), *([^,()]+)((?:, *\w+)*)\)")
# run-time output that changes from run to run
NOISE = re.compile(r"time|msec|took|pause|RSS|round", re.IGNORECASE)


def mutants(lines):
    """(kind, description, mutated lines) for one file."""
    for i, line in enumerate(lines):
        m = SAVE.match(line)
        if m:
            for j in range(i + 1, len(lines)):
                r = RESTORE.match(lines[j])
                if r and r.group(1) == m.group(1):
                    copy = list(lines)
                    copy[i] = copy[j] = ""
                    yield ("pair", f"lines {i + 1} and {j + 1}: TGC_SAVE/TGC_RESTORE({m.group(1)})", copy)
                    break
        for pattern, fixed in ((NEW, 2), (NEW_ARRAY, 3)):
            for m in pattern.finditer(line):
                head = m.group(0)[:m.start(fixed + 1) - m.start(0)]
                names = [n.strip() for n in m.group(fixed + 1).split(",") if n.strip()]
                if not names:
                    continue
                copy = list(lines)
                copy[i] = line[:m.start()] + head + ")" + line[m.end():]
                yield ("list", f"line {i + 1}: live list ({', '.join(names)}) of {m.group(0)}", copy)
                if len(names) < 2:
                    continue
                for k, name in enumerate(names):
                    rest = names[:k] + names[k + 1:]
                    copy = list(lines)
                    copy[i] = line[:m.start()] + head + "".join(", " + n for n in rest) + ")" + line[m.end():]
                    yield ("name", f"line {i + 1}: '{name}' out of the live list of {m.group(0)}", copy)


def generate(typegc, root, out):
    for schema, _, _ in PROGRAMS.values():
        subprocess.run([str(typegc), "gen", str(root / "schemas" / (schema + ".json")),
                        "-o", str(out)], check=True)


def compile_program(root, build, out, source, schema, name):
    exe = Path(out) / name
    cc = subprocess.run(["cc", "-O1", "-g", "-I", str(root / "runtime" / "include"),
                         "-I", str(out), "-I", str(root / "bench"), str(source),
                         str(Path(out) / (schema + ".c")),
                         str(build / "runtime" / "libtypegc.a"), "-lm", "-lpthread",
                         "-o", str(exe)], capture_output=True, text=True)
    return (exe if cc.returncode == 0 else None), cc.stderr


def run_program(exe, args, environment):
    env = dict(environment, PATH="/usr/bin:/bin")
    try:
        p = subprocess.run([str(exe)] + args, capture_output=True, text=True,
                           env=env, timeout=120)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    lines = [l for l in p.stdout.splitlines() if not NOISE.search(l)]
    return (p.returncode, lines), p.stderr


def main():
    typegc, root = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    build = Path(sys.argv[4]).resolve() if len(sys.argv) > 4 and sys.argv[3] == "--run" else None
    counts = {}
    missed = 0
    confirmed = {"crash": 0, "wrong output": 0, "ran correctly": 0}
    with tempfile.TemporaryDirectory() as out:
        generate(typegc, root, out)
        n = 0
        for program, (schema, args, envs) in PROGRAMS.items():
            source = root / "bench" / (program + ".c")
            lines = source.read_text().split("\n")
            originals = []
            if build is not None:
                exe, err = compile_program(root, build, out, source, schema, program)
                for environment in envs:
                    result, err = run_program(exe, args, environment) if exe else (None, err)
                    if result is None or result == "timeout" or result[0] != 0:
                        print(f"{program}: the unmutated program fails under {environment}: {err}")
                        return 1
                    originals.append(result)
            for kind, what, copy in mutants(lines):
                n += 1
                mutant = Path(out) / f"m{n}" / (program + ".c")
                mutant.parent.mkdir()
                mutant.write_text("\n".join(copy))
                p = subprocess.run([str(typegc), "check", str(mutant), "--", "-I", out,
                                    "-I", str(root / "bench")],
                                   capture_output=True, text=True)
                caught = p.returncode == 1 and re.search(r"\[(root|shadow-stack)\]", p.stdout)
                total, hits = counts.get(kind, (0, 0))
                counts[kind] = (total + 1, hits + (1 if caught else 0))
                missed += 0 if caught else 1
                verdict = "caught" if caught else "MISSED"
                first = p.stdout.splitlines()[0] if p.stdout else p.stderr.strip()
                runtime = ""
                if build is not None:
                    exe, _ = compile_program(root, build, out, mutant, schema, f"m{n}.exe")
                    outcome = "ran correctly"
                    for environment, original in zip(envs, originals):
                        result, _ = run_program(exe, args, environment)
                        if result == "timeout" or result[0] != 0:
                            outcome = "crash"
                        elif result[1] != original[1]:
                            outcome = "wrong output"
                        else:
                            continue
                        mode = "torture" if "TYPEGC_TORTURE" in environment else "1 KiB nursery"
                        runtime = f"; at run time: {outcome} ({mode})"
                        break
                    else:
                        runtime = "; at run time: ran correctly"
                    confirmed[outcome] += 1
                print(f"{verdict} {program}.c {kind}: {what}{runtime}")
                if caught:
                    print(f"       {first.split(': ', 1)[-1][:160]}")
        for kind, (total, hits) in counts.items():
            print(f"{kind}: caught {hits} of {total} removed")
        all_total = sum(t for t, _ in counts.values())
        all_hits = sum(h for _, h in counts.values())
        print(f"all: caught {all_hits} of {all_total} removed")
        if build is not None:
            print("at run time: " +
                  ", ".join(f"{v} {k}" for k, v in confirmed.items()))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
