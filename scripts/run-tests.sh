#!/bin/sh
# Sets up, builds and runs the whole test suite twice: a GCC build with
# warnings as errors, then a clang build under AddressSanitizer + UBSan
# with every allocation checking its cursor (TGC_CHECK_CURSOR).  Then the
# test programs again under valgrind memcheck, each libFuzzer harness for
# FUZZ_SECONDS (default 10; one per core at a time), and every benchmark
# once.
# Ends with one line "N passed, N failed" over both meson runs, after the
# lines of valgrind and the fuzzers.
set -eu
cd "$(dirname "$0")/.."

# timed NAME: after each phase, how long it took (CI's budget is the sum).
phase_start=$(date +%s)
timed() {
    now=$(date +%s)
    echo "[$1: $((now - phase_start)) s]"
    phase_start=$now
}

scripts/setup-debian.sh
timed setup

configure() {   # configure DIR [meson options...]
    dir=$1; shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}

configure build -Dwerror=true
CC=clang configure build-sanitize -Dwerror=true -Dcheck_cursor=true \
    -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fno-sanitize-recover=all

# Everything builds, benchmarks included, before the tests run.
meson compile -C build >/dev/null
meson compile -C build-sanitize >/dev/null
timed build

status=0
meson test -C build --print-errorlogs || status=1
timed "meson test (gcc)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    meson test -C build-sanitize --print-errorlogs || status=1
timed "meson test (ASan+UBSan)"

scripts/run-valgrind.sh build || status=1
timed valgrind
tests/fuzz/run.sh "${FUZZ_SECONDS:-10}" || status=1
timed fuzzers

# Every benchmark runs once and checks its own result (no timing).
bench/run --quick >/dev/null || { echo "bench/run --quick failed"; status=1; }
timed "bench/run --quick"

python3 - build/meson-logs/testlog.json build-sanitize/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = 0
for path in sys.argv[1:]:
    for line in open(path):
        result = json.loads(line).get("result")
        if result == "OK":
            passed += 1
        elif result in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"):
            failed += 1
print(f"{passed} passed, {failed} failed")
PY
exit $status
