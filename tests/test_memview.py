#!/usr/bin/env python3
"""Tests of TYPEGC_PROFILE and TYPEGC_DUMP_HEAP_AT_EXIT with their readers,
`typegc profile` and `typegc heap`.

usage: test_memview.py TYPEGC PROFILE_MIX

- Accuracy: tests/memview/profile_mix allocates a known mix of types from
  known functions; with a fixed seed and a 32 KiB period, the bytes that
  `typegc profile` estimates per type and per allocation site are within
  5 % of what the program says it allocated, and the total within 3 % of
  the bytes the runtime counted.
- The folded stacks name each site under main with its type last, and
  their values add up to the estimate; the SVG flame graph is well-formed
  XML with a box per site.
- TYPEGC_DUMP_HEAP_AT_EXIT: `typegc heap` finds the 4 objects that stay
  live (one per site's type), and with --type the path from the root.
- PYPYLOG: gc-profile-sample, gc-profile-write and gc-dump-heap sections.
- A profile or dump cut short at any of many offsets, or with bytes
  changed, gets exit status 1 and "not a valid ..." from its reader, or
  (bytes changed, still consistent) exit status 0: never a crash.
- Misuse: no file (2), a missing file (1), an unknown option (2),
  TYPEGC_PROFILE without a file name (the program does not start).
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TYPEGC, MIX = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print('FAIL:', message)


def run(argv, env=None, **kwargs):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(argv, env=full, capture_output=True, text=True, errors='replace',
                          **kwargs)


def table(text, heading):
    """The rows of the table whose heading line ends with `heading`:
    {key: estimated bytes}."""
    rows, inside = {}, False
    for line in text.splitlines():
        if line.startswith('bytes (est.)'):
            inside = line.rstrip().endswith(heading)
            continue
        if not inside or not line.strip():
            inside = inside and bool(line.strip())
            continue
        fields = line.split(None, 4)
        if len(fields) == 5 and not fields[4].startswith('('):
            rows[fields[4]] = float(fields[0])
    return rows


def test_accuracy(work):
    prof = os.path.join(work, 'mix.prof')
    out = run([MIX], {'TYPEGC_PROFILE': prof + ':32768:12345'})
    check(out.returncode == 0, 'profile_mix failed: ' + out.stderr)
    truth_sites, truth_types = {}, {}
    for line in out.stdout.splitlines():
        _, function, type_name, nbytes, _ = line.split()
        truth_sites[function] = int(nbytes)
        truth_types[type_name] = truth_types.get(type_name, 0) + int(nbytes)
    report = run([TYPEGC, 'profile', prof, '--top', '50',
                  '--folded', os.path.join(work, 'mix.folded'),
                  '--svg', os.path.join(work, 'mix.svg')])
    check(report.returncode == 0, 'typegc profile failed: ' + report.stderr)
    types = table(report.stdout, 'type')
    sites = {key.split()[0]: value for key, value in
             table(report.stdout, 'allocation site').items()}
    for name, expected in truth_types.items():
        got = types.get(name, 0)
        check(abs(got - expected) <= 0.05 * expected,
              'type %s: estimated %d bytes, allocated %d' % (name, got, expected))
    for name, expected in truth_sites.items():
        got = sites.get(name, 0)
        check(abs(got - expected) <= 0.05 * expected,
              'site %s: estimated %d bytes, allocated %d' % (name, got, expected))
    m = re.search(r'allocated: (\d+) bytes counted, (\d+) estimated', report.stdout)
    check(m is not None, 'no totals line:\n' + report.stdout)
    if m:
        counted, estimated = int(m.group(1)), int(m.group(2))
        check(counted == sum(truth_sites.values()),
              'counted %d bytes, the program allocated %d' % (counted, sum(truth_sites.values())))
        check(abs(estimated - counted) <= 0.03 * counted,
              'estimated %d bytes in all, counted %d' % (estimated, counted))
        folded_total = 0
        with open(os.path.join(work, 'mix.folded')) as f:
            for line in f:
                stack, value = line.rsplit(' ', 1)
                folded_total += int(value)
                frames = stack.split(';')
                check('main' in frames and frames[-2].startswith('make_'),
                      'folded stack without main and a site: ' + stack)
        check(abs(folded_total - estimated) <= 0.001 * estimated + 100,
              'folded stacks add up to %d, the estimate is %d' % (folded_total, estimated))
    try:
        svg = ET.parse(os.path.join(work, 'mix.svg')).getroot()
        titles = [t.text for t in svg.iter('{http://www.w3.org/2000/svg}title')]
        for name in truth_sites:
            check(any(t.startswith(name + ' (') for t in titles), 'no box for ' + name)
    except ET.ParseError as e:
        check(False, 'the SVG is not well-formed: %s' % e)
    return prof


def test_dump_at_exit(work):
    dump = os.path.join(work, 'mix.heap')
    log = os.path.join(work, 'mix.log')
    out = run([MIX, '20'], {'TYPEGC_DUMP_HEAP_AT_EXIT': dump,
                            'TYPEGC_PROFILE': os.path.join(work, 'small.prof') + ':4096',
                            'PYPYLOG': 'gc-profile,gc-dump-heap:' + log})
    check(out.returncode == 0, 'profile_mix with a dump failed: ' + out.stderr)
    report = run([TYPEGC, 'heap', dump, '--type', 'Doubles'])
    check(report.returncode == 0, 'typegc heap failed: ' + report.stderr)
    check(report.stdout.startswith(dump + ': 4 objects, '), 'not 4 objects:\n' + report.stdout)
    for name in ('Item', 'Holder', 'Doubles', 'Bytes'):
        check(re.search(r'^ +1 +\d+ +[\d.]+%%  %s$' % name, report.stdout, re.M),
              'no line for one %s object:\n%s' % (name, report.stdout))
    check(re.search(r'^ +1 +256  root -> Doubles$', report.stdout, re.M),
          'no path root -> Doubles:\n' + report.stdout)
    with open(log) as f:
        text = f.read()
    for section in ('gc-profile-sample', 'gc-profile-write', 'gc-dump-heap'):
        check('{' + section + '\n' in text, 'no %s section in PYPYLOG' % section)
    check('\nobjects: 4, bytes: ' in text, 'gc-dump-heap does not say 4 objects')
    return dump, os.path.join(work, 'small.prof')


def damaged_copies(data, rng):
    """Cuts at many offsets (every one of the first and last 64 bytes), and
    changed bytes."""
    cuts = set(range(0, min(64, len(data))))
    cuts |= set(range(max(0, len(data) - 64), len(data)))
    cuts |= {rng.randrange(len(data)) for _ in range(50)}
    for cut in sorted(cuts):
        yield 'cut', data[:cut]
    for _ in range(100):
        changed = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            changed[rng.randrange(len(changed))] = rng.randrange(256)
        yield 'changed', bytes(changed)


def test_damaged(work, command, path, what):
    rng = random.Random(19)
    with open(path, 'rb') as f:
        data = f.read()
    damaged = os.path.join(work, 'damaged')
    for kind, copy in damaged_copies(data, rng):
        with open(damaged, 'wb') as f:
            f.write(copy)
        out = run([TYPEGC, command, damaged, '--top', '5'], timeout=60)
        if kind == 'cut':
            ok = out.returncode == 1 and ('not a valid ' + what) in out.stderr
        else:
            ok = out.returncode == 0 or (out.returncode == 1 and
                                         ('not a valid ' + what) in out.stderr)
        if not ok:
            keep = os.path.join(work, 'failed-' + command)
            os.replace(damaged, keep)
            check(False, '%s of a %s %s file: status %d, stderr %r (kept in %s)' %
                  (command, kind, what, out.returncode, out.stderr[-300:], keep))
            return


def test_misuse(work):
    for argv, status in (([TYPEGC, 'profile'], 2), ([TYPEGC, 'heap'], 2),
                         ([TYPEGC, 'profile', os.path.join(work, 'none')], 1),
                         ([TYPEGC, 'heap', os.path.join(work, 'none')], 1),
                         ([TYPEGC, 'heap', 'x', '--bogus'], 2),
                         ([TYPEGC, 'profile', 'x', '--top', '0'], 2)):
        out = run(argv)
        check(out.returncode == status and out.stderr.startswith('typegc: '),
              '%s: status %d, stderr %r' % (' '.join(argv[1:]), out.returncode, out.stderr))
    out = run([MIX, '1'], {'TYPEGC_PROFILE': ':4096'})
    check(out.returncode != 0 and 'TYPEGC_PROFILE' in out.stderr,
          'TYPEGC_PROFILE without a file: status %d, %r' % (out.returncode, out.stderr))


def main():
    with tempfile.TemporaryDirectory() as work:
        test_accuracy(work)
        dump, small_profile = test_dump_at_exit(work)
        test_damaged(work, 'heap', dump, 'heap dump')
        test_damaged(work, 'profile', small_profile, 'profile')
        test_misuse(work)
    print('%d failures' % len(failures))
    return 1 if failures else 0


sys.exit(main())
