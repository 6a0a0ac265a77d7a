#!/usr/bin/env python3
"""Tests of `typegc check`.

usage: test_check.py TYPEGC SOURCE_ROOT

- The corpus (tests/check/corpus/*.c, its README.md says how): every line
  that carries `expect: RULE: TEXT` is reported with that rule and a
  message containing TEXT, and nothing else is; ok_*.c report nothing.
  Exit status 1 when an error is expected, 0 when only notes are.
- The project's own code passes with no finding but notes: bench/*.c,
  tests/*.c, the example programs (tests/install, tests/backends,
  tests/inspect) and the example of README.md's rules section.
- --format=json gives the same findings as JSON objects.
- Bad command lines, unreadable files and files clang cannot compile exit
  2 with a message.
- The time to check each bench/*.c is printed (measured, not asserted).

The headers are generated from schemas/ into a temporary directory.
Prints one line per check, then "N passed, N failed"; exits 1 on any
failure.
"""

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results import Results  # noqa: E402

EXPECT = re.compile(r"expect: ([a-z-]+): (.*?)\s*\*/")

# The extra headers tests/meson.build generates for test_modules.c.
RENAMED = [("hierarchy", "hierarchy2", "2"), ("tree", "tree_top", "65535"),
           ("hierarchy", "hierarchy11", "11")]


def run(args):
    return subprocess.run([str(a) for a in args], capture_output=True,
                          text=True, timeout=120)


def generate(typegc, root, out):
    for schema in sorted((root / "schemas").glob("*.json")):
        run([typegc, "gen", schema, "-o", out]).check_returncode()
    for source, name, first in RENAMED:
        run([typegc, "gen", root / "schemas" / (source + ".json"), "-o", out,
             "--name", name, "--first-type-id", first]).check_returncode()


def expectations(path):
    found = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for rule, text in EXPECT.findall(line):
            found.setdefault(number, []).append((rule, text))
    return found


def check_corpus(r, typegc, root, flags):
    for path in sorted((root / "tests" / "check" / "corpus").glob("*.c")):
        want = expectations(path)
        p = run([typegc, "check", "--format=json", path, "--"] + flags)
        try:
            got = json.loads(p.stdout)
        except json.JSONDecodeError:
            r.check(f"corpus {path.name}: JSON", False, p.stdout + p.stderr)
            continue
        problems = []
        matched = set()
        for f in got:
            line = f["line"]
            options = want.get(line, [])
            hit = next((i for i, (rule, text) in enumerate(options)
                        if rule == f["rule"] and text in f["message"]
                        and (line, i) not in matched), None)
            if hit is None:
                problems.append(f"unexpected: {line}: [{f['rule']}] {f['message']}")
            else:
                matched.add((line, hit))
        for line, options in want.items():
            for i, (rule, text) in enumerate(options):
                if (line, i) not in matched:
                    problems.append(f"missing: {line}: [{rule}] {text}")
        errors = any(rule != "undecided" for opts in want.values() for rule, _ in opts)
        status = 1 if errors else 0
        if p.returncode != status:
            problems.append(f"exit status {p.returncode}, expected {status}: {p.stderr}")
        r.check(f"corpus {path.name}: {sum(len(o) for o in want.values())} expected findings",
                not problems, "\n".join(problems))


def readme_example(root, out):
    text = (root / "README.md").read_text()
    start = text.index("### The rules")
    block = text[text.index("```c", start) + 4:]
    block = block[:block.index("```")]
    path = Path(out) / "readme_example.c"
    path.write_text(block)
    return path


def check_own_code(r, typegc, root, flags, out):
    files = sorted((root / "bench").glob("*.c")) + sorted((root / "tests").glob("*.c"))
    files += [root / "tests" / "install" / "outside.c",
              root / "tests" / "backends" / "api.c",
              root / "tests" / "inspect" / "build_list.c",
              readme_example(root, out)]
    for path in files:
        p = run([typegc, "check", path, "--"] + flags)
        errors = [line for line in p.stdout.splitlines() if ": note: " not in line]
        name = path.relative_to(root) if root in path.parents else path.name
        r.check(f"own code {name}: no finding", p.returncode == 0 and not errors,
                p.stdout + p.stderr)


def check_command_line(r, typegc, root, flags, out):
    bad = root / "tests" / "check" / "corpus" / "bad_barrier.c"
    p = run([typegc, "check", bad, "--"] + flags)
    first = p.stdout.splitlines()[0] if p.stdout else ""
    r.check("text: FILE:LINE:COLUMN: message [rule]",
            re.match(r".*bad_barrier\.c:\d+:\d+: .* \[barrier\]$", first) is not None, p.stdout)
    p = run([typegc, "check"])
    r.check("no file: exit 2", p.returncode == 2 and "no file given" in p.stderr, p.stderr)
    p = run([typegc, "check", "--format=xml", bad])
    r.check("unknown format: exit 2", p.returncode == 2 and "unknown format" in p.stderr, p.stderr)
    p = run([typegc, "check", "--bogus", bad])
    r.check("unknown option: exit 2", p.returncode == 2 and "unknown option" in p.stderr, p.stderr)
    p = run([typegc, "check", Path(out) / "no-such-file.c"])
    r.check("missing file: exit 2", p.returncode == 2 and "cannot read" in p.stderr, p.stderr)
    broken = Path(out) / "broken.c"
    broken.write_text('#include "no_such_header.h"\nint f(void) { return 0; }\n')
    p = run([typegc, "check", broken])
    r.check("file clang cannot compile: exit 2",
            p.returncode == 2 and "nothing was checked" in p.stderr, p.stderr)
    binary = Path(out) / "binary.c"
    binary.write_bytes(b"\x00\xff\xfe garbage \x01")
    p = run([typegc, "check", binary])
    r.check("binary garbage: exit 2, no crash", p.returncode == 2, p.stderr)
    p = run([typegc, "check", "--help"])
    r.check("--help: exit 0", p.returncode == 0 and "check FILE.c" in p.stdout, p.stderr)


def time_bench(typegc, root, flags):
    for path in sorted((root / "bench").glob("*.c")):
        start = time.monotonic()
        run([typegc, "check", path, "--"] + flags)
        print(f"time {path.relative_to(root)}: {time.monotonic() - start:.3f} s")


def main():
    typegc, root = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    r = Results()
    with tempfile.TemporaryDirectory() as out:
        generate(typegc, root, out)
        flags = ["-I", out, "-I", str(root / "bench"), "-I", str(root / "tests"),
                 "-I", str(root / "translator"), "-I", str(root / "runtime")]
        check_corpus(r, typegc, root, flags)
        check_own_code(r, typegc, root, flags, out)
        check_command_line(r, typegc, root, flags, out)
        time_bench(typegc, root, flags)
    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
