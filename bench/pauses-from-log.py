#!/usr/bin/env python3
"""Pauses from a PYPYLOG file, to check what bench/pauses prints.

    PYPYLOG=gc-minor,gc-collect-step:LOG bench/pauses ...
    bench/pauses-from-log.py LOG

A pause begins at a "{gc-minor" line and ends at the stop line of the last
gc-minor or gc-collect-step section that follows it with no gap of program
time between them (a gap over GAP_NS ends the pause).  Timestamps are
CLOCK_MONOTONIC nanoseconds in hex.  Prints the same lines as bench/pauses.
"""
import sys

# Between two collections of one safe point (the minor collection that
# promotes the aged objects before a major step follows another one) there
# is only the collector's bookkeeping: 2 to 7 us on the guests seen, more
# when the aging policy unmaps the survivor space.  A nursery fill takes
# longer, but not by much in a small nursery on a fast host: a 128 KB one
# filled in 5.5 us.  So the figures are compared with a nursery of 1 MB
# or more (fills of 35 us or more).
GAP_NS = 20000


def pauses_from(path):
    pauses = []
    start = last_stop = None
    with open(path) as log:
        for line in log:
            if not line.startswith('['):
                continue
            close = line.index(']')
            ts = int(line[1:close], 16)
            what = line[close + 2:].strip()
            if what == '{gc-minor':
                if start is not None and ts - last_stop > GAP_NS:
                    pauses.append(last_stop - start)
                    start = None
                if start is None:
                    start = ts
            elif what in ('gc-minor}', 'gc-collect-step}'):
                last_stop = ts
    if start is not None:
        pauses.append(last_stop - start)
    return sorted(pauses)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: pauses-from-log.py PYPYLOG_FILE')
    pauses = pauses_from(sys.argv[1])
    if not pauses:
        sys.exit('no gc-minor sections in ' + sys.argv[1])
    print('pauses: %d' % len(pauses))
    print('max pause: %.3f ms' % (pauses[-1] / 1e6))
    print('p99 pause: %.3f ms' % (pauses[len(pauses) * 99 // 100] / 1e6))


if __name__ == '__main__':
    main()
