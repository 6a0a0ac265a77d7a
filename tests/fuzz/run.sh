#!/bin/sh
# Runs each libFuzzer harness for SECONDS (default 60) on a copy of its
# seed corpus, FUZZ_JOBS harnesses at a time (default: one per core;
# each harness is one process on one core), and prints one line per
# harness, in a fixed order:
#     fuzz_schema: N execs, 0 crashes
# Exits 1 if a harness found a crash, a leak, a timeout or an abort,
# after printing where the input that does it was saved and the command
# that replays it.  Sets up and builds build-fuzz (clang, -Dfuzz=true)
# first; FUZZ_BUILD_DIR names another build directory.
set -eu
cd "$(dirname "$0")/../.."

seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}

# quietly CMD...: runs CMD, showing its output only if it fails.
quietly() {
    if ! output=$("$@" 2>&1); then
        printf '%s\n' "$output"
        exit 1
    fi
}

if [ ! -f "$build/build.ninja" ]; then
    quietly env CC=clang meson setup "$build" -Dfuzz=true -Dwerror=true
elif ! grep -q fuzz_schema "$build/build.ninja"; then
    quietly meson configure "$build" -Dfuzz=true
fi
quietly ninja -C "$build" -j 2 tests/fuzz/fuzz_schema tests/fuzz/fuzz_runtime \
    tests/fuzz/fuzz_profile tests/fuzz/fuzz_heap_dump
# fuzz_check is built where libclang is; its seeds include these headers
has_check=0
if grep -q 'fuzz_check:' "$build/build.ninja"; then
    has_check=1
    quietly ninja -C "$build" -j 2 tests/fuzz/fuzz_check schemas/tree.h schemas/arrays.h \
        schemas/hierarchy.h schemas/fixedarrays.h
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/typegc-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'kill $(jobs -p) 2>/dev/null; exit 1' INT TERM
crashes="$build/tests/fuzz/crashes"

# seed NAME SUBDIR FILES...: copies seed inputs into a subdirectory of
# NAME's corpus (libFuzzer reads it recursively, and writes what it finds
# at its top).
seed() {
    dir="$work/$1-corpus/$2"; shift 2
    mkdir -p "$dir"
    cp "$@" "$dir"/
}

# run_harness NAME [libFuzzer options...]: fuzzes NAME's corpus; returns 1
# if it found something.  NAME-nursery-SIZE is the harness NAME with
# PYPY_GC_NURSERY=SIZE; NAME-aging, with TYPEGC_AGING_ALWAYS=1 and whole
# major cycles per step (one object marked per step would keep a cycle in
# progress, when minor collections do not age, most of the time).
run_harness() {
    name=$1; shift
    binary=${name%%-nursery-*}
    binary=${binary%-aging}
    setting=
    case $name in
    *-nursery-*) setting=PYPY_GC_NURSERY=${name##*-nursery-} ;;
    *-aging) setting="TYPEGC_AGING_ALWAYS=1 PYPY_GC_INCREMENT_STEP=64MB" ;;
    esac
    log="$work/$name.log"
    status=0
    # shellcheck disable=SC2086 # $setting is a list of NAME=VALUE words
    env TMPDIR="$work" $setting "$build/tests/fuzz/$binary" -max_total_time="$seconds" \
        -print_final_stats=1 -timeout=30 -artifact_prefix="$work/$name-" \
        "$@" "$work/$name-corpus" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    found=$(find "$work" -maxdepth 1 \( -name "$name-crash-*" -o -name "$name-leak-*" \
        -o -name "$name-timeout-*" -o -name "$name-oom-*" \) | sort)
    if [ "$status" -eq 0 ] && [ -z "$found" ]; then
        echo "$name: ${execs:-?} execs, 0 crashes"
        return 0
    fi
    echo "$name: ${execs:-?} execs, 1 crash (libFuzzer exit status $status)"
    # the report, from its first line
    start=$(grep -n -m 1 -E '^typegc: |^fuzz_(schema|runtime|check|profile|heap_dump): |runtime error:|==ERROR' "$log" |
        cut -d: -f1)
    tail -n +"${start:-1}" "$log" | head -n 30 | sed 's/^/    /'
    mkdir -p "$crashes"
    cp "$log" "$crashes/"
    echo "  log:        $crashes/$name.log"
    for input in $found; do
        cp "$input" "$crashes/"
        echo "  reproducer: $crashes/$(basename "$input")"
        echo "  replay:     ${setting:+$setting }$build/tests/fuzz/$binary $crashes/$(basename "$input")"
    done
    return 1
}

# The schema harness starts from the committed seeds and every schema
# the tests use.
seed fuzz_schema committed tests/fuzz/corpus/schema/*
seed fuzz_schema schemas schemas/*.json
seed fuzz_schema tests-valid tests/schemas/valid/*.json
seed fuzz_schema tests-invalid tests/schemas/invalid/*.json
seed fuzz_runtime committed tests/fuzz/corpus/runtime/*
seed fuzz_runtime-nursery-8M committed tests/fuzz/corpus/runtime/*
seed fuzz_runtime-aging committed tests/fuzz/corpus/runtime/*
seed fuzz_profile committed tests/fuzz/corpus/profile/*
seed fuzz_heap_dump committed tests/fuzz/corpus/heap/*

# start NAME [libFuzzer options...]: runs run_harness in the background,
# its report in $work/NAME.report and its status in $work/NAME.status;
# once FUZZ_JOBS are running, waits for them to end.
jobs=${FUZZ_JOBS:-$(nproc)}
running=0
started=""
start() {
    (
        status=0
        run_harness "$@" >"$work/$1.report" 2>&1 || status=$?
        echo "$status" >"$work/$1.status"
    ) &
    started="$started $1"
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
}

start fuzz_schema -dict=tests/fuzz/schema.dict
start fuzz_runtime -max_len=1024
# the nursery handed out in prefetched chunks (runtime/cursor.c)
start fuzz_runtime-nursery-8M -max_len=1024
# every minor collection between major cycles ages, tgc_collect_minor()'s
# too (runtime/DESIGN.md, "Aging")
start fuzz_runtime-aging -max_len=1024
start fuzz_profile -max_len=4096
start fuzz_heap_dump -max_len=4096
if [ "$has_check" -eq 1 ]; then
    seed fuzz_check corpus tests/check/corpus/*.c
    start fuzz_check -max_len=4096
fi
wait
failed=0
for name in $started; do
    cat "$work/$name.report"
    [ "$(cat "$work/$name.status")" = 0 ] || failed=1
done
exit $failed
