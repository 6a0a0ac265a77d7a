#!/bin/sh
# bench/pauses prints the pauses the hooks report; the PYPYLOG timestamps of
# the same run must give the same figures (within the logging's own cost).
# Both are wall-clock times: on a loaded machine a pause the host
# deschedules can be ranked differently by the two (see below), so a run
# that disagrees is repeated, up to three runs; the count of pauses must
# agree in every run.  A 1 MB nursery: the log tells two safe points apart
# by the program's time between them, a nursery fill (pauses-from-log.py).
#   test_pauses_log.sh PAUSES_BINARY SOURCE_DIR
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for attempt in 1 2 3; do
    PYPY_GC_NURSERY=1MB PYPY_GC_INCREMENT_STEP=512KB \
        PYPYLOG=gc-minor,gc-collect-step:"$tmp/log" "$1" 32 1 >"$tmp/out"
    python3 "$2/bench/pauses-from-log.py" "$tmp/log" >"$tmp/fromlog"
    echo "run $attempt:"
    cat "$tmp/out" "$tmp/fromlog"
    status=0
    python3 - "$tmp/out" "$tmp/fromlog" <<'PY' || status=$?
import sys
def read(path):
    return {l.split(':')[0]: float(l.split(':')[1].split()[0]) for l in open(path) if ':' in l}
hooks, log = read(sys.argv[1]), read(sys.argv[2])
# The log also has the start-up collection, before the hooks are set.
if hooks['pauses'] + 1 != log['pauses']:
    print('hooks and PYPYLOG count different pauses')
    sys.exit(2)
# The log splits a pause where the program was descheduled between two of
# its sections (a gap of "program time"), so on a loaded machine the two
# can rank the pauses differently: within a quarter, plus the logging.
ok = all(abs(hooks[k] - log[k]) <= 0.25 * max(hooks[k], log[k]) + 0.05
         for k in ('max pause', 'p99 pause'))
print('hooks and PYPYLOG agree' if ok else 'hooks and PYPYLOG DISAGREE')
sys.exit(0 if ok else 1)
PY
    [ "$status" -eq 0 ] && exit 0
    [ "$status" -eq 1 ] || exit 1
    rm -f "$tmp/log"
done
exit 1
