#!/usr/bin/env python3
"""The cost of TYPEGC_PROFILE at its default period, on the same binaries.

    bench/profile-overhead.py [BUILD [RUNS]]    (default build-bench, 5)

Runs allocatealot 1000000000 1, binary-trees 21 and gcbench (bench/run's
arguments) RUNS times each, without and with TYPEGC_PROFILE, interleaved
(off on off on ...), and prints a markdown table of the median wall and
CPU (user + system) times, their ratios, and the samples taken.  The binaries are not rebuilt:
profiling is switched on by the environment alone.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build-bench')
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
PROGRAMS = [('allocatealot', ['1000000000', '1']), ('binary-trees', ['21']), ('gcbench', [])]


def timed(argv, env):
    """(wall seconds, CPU seconds: user + system) of one run."""
    full = dict(os.environ)
    full.update(env)
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=full, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError('%s failed' % ' '.join(argv))
    return time.monotonic() - start, usage.ru_utime + usage.ru_stime


def samples_in(path):
    """The samples of the last profile written, as typegc profile counts them."""
    out = subprocess.run([os.path.join(BUILD, 'translator', 'typegc'), 'profile', path,
                          '--top', '1'], capture_output=True, text=True, check=True).stdout
    return int(out.split(': ', 1)[1].split()[0])


def main():
    print('| program | wall off (s) | wall on (s) | on / off | CPU off (s) | CPU on (s) | on / off | samples |')
    print('| --- | --- | --- | --- | --- | --- | --- | --- |')
    with tempfile.TemporaryDirectory() as work:
        prof = os.path.join(work, 'p.prof')
        for name, args in PROGRAMS:
            argv = [os.path.join(BUILD, 'bench', name)] + args
            off, on = [], []
            for _ in range(RUNS):
                off.append(timed(argv, {}))
                on.append(timed(argv, {'TYPEGC_PROFILE': prof}))
            wall_off = statistics.median(t[0] for t in off)
            wall_on = statistics.median(t[0] for t in on)
            cpu_off = statistics.median(t[1] for t in off)
            cpu_on = statistics.median(t[1] for t in on)
            print('| %s %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d |' % (
                name, ' '.join(args), wall_off, wall_on, wall_on / wall_off, cpu_off, cpu_on,
                cpu_on / cpu_off, samples_in(prof)), flush=True)


main()
