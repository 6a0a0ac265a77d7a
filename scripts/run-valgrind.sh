#!/bin/sh
# Runs the test programs again under valgrind memcheck, on a GCC build
# (default: build).  Valgrind runs code 20-50 times slower, so the heap
# check runs at major collections only (PYPY_GC_DEBUG=1: memcheck itself
# checks every access), each GC test runs at one nursery size and the
# randomized tests run fewer seeds; every test program runs, and the
# translator translates the example schemas that use every kind of type
# and field and a sample of the invalid ones, with the leak check on.
#
#   scripts/run-valgrind.sh [BUILD_DIR]
#
# Ends with "valgrind: N runs, N failed"; exits 1 if any failed.
# memcheck runs one thread at a time, so the runs go VALGRIND_JOBS at a
# time (default: one per core), the longest listed first; VERBOSE=1
# prints each run's seconds.
set -u
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

# run_one N DIR EXPECT_STATUS [ENV=VALUE...] -- PROGRAM ARGS...: one run,
# in DIR; writes $results/N.fail (what failed and the log's end) if its
# exit status is not EXPECT_STATUS.
if [ "${1:-}" = --run-one ]; then
    n=$2 dir=$3 expect=$4
    shift 4
    envs=""
    while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
    shift
    log="$results/$n.log"
    start=$(date +%s)
    if ! cd "$dir"; then
        echo "FAIL: no directory $dir for$envs $*" >"$results/$n.fail"
        exit 0
    fi
    # shellcheck disable=SC2086
    env $envs valgrind -q --error-exitcode=99 --trace-children=yes \
        --leak-check=full --errors-for-leak-kinds=definite \
        "$@" >"$log" 2>&1
    status=$?
    [ -n "${VERBOSE:-}" ] && echo "$(($(date +%s) - start)) s:$envs $*"
    if [ "$status" != "$expect" ]; then
        { echo "FAIL (status $status):$envs $*"; tail -n 40 "$log"; } >"$results/$n.fail"
    fi
    rm -f "$log"
    exit 0
fi

cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
runs=0
jobs=$(mktemp)
results=$(mktemp -d)
out=$(mktemp -d)
trap 'rm -rf "$jobs" "$results" "$out"' EXIT

# memcheck [ENV=VALUE...] -- PROGRAM ARGS...: lists a run, in the current
# directory, expected to exit with status 0 unless EXPECT_STATUS is set
# (no argument holds a blank).
memcheck() {
    runs=$((runs + 1))
    echo "$runs $(pwd) ${EXPECT_STATUS:-0} $*" >>"$jobs"
}

debug="PYPY_GC_NURSERY_DEBUG=1 PYPY_GC_DEBUG=1"
root=$(pwd)
# The longest runs first: test_oom (which sets its own environment, in
# child processes, from where meson runs it), then test_major.
cd "$build/tests" || exit 1
memcheck TEST_OOM_STRIDE=40 -- ./test_oom
cd "$root" || exit 1
# test_major's children that build hundreds of MiB to measure RSS, sweep
# reuse, arenas given back, the nursery's floor and step deadlines take
# most of its minutes under memcheck and reach no code the other tests
# leave out; the meson runs check them.
major_skip=test_resident_memory_falls_after_garbage_dies,test_sweep_reuses_freed_pages_at_once
major_skip=$major_skip,test_minor_collections_give_back_empty_arenas
major_skip=$major_skip,test_nursery_keeps_its_floor_across_an_empty_cycle
major_skip=$major_skip,test_step_time_limit_cuts_sweeping_steps,test_full_collection_ignores_step_time_limit
# The second exhaustion fills the heap up to PYPY_GC_MAX twice more, as
# test_max_heap_reaches_memory_error's two children do (handler, then
# abort without one): what it adds, the handler running once only, is one
# flag, which the meson runs check.
major_skip=$major_skip,test_max_heap_second_exhaustion_stops
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB CHECK_SKIP=$major_skip $debug -- "$build/tests/test_major"
# The random programs in every mode the meson runs have, on their first
# seeds: 100, 15, 50 and 10 of the GCC run's 2000, 300, 300 and 100.
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=1KB PYPY_GC_INCREMENT_STEP=1 $debug -- "$build/tests/test_random" 0 100
memcheck TYPEGC_TORTURE=50 PYPY_GC_DEBUG=1 -- "$build/tests/test_random" 0 15
# The nursery moved and resized in the middle of programs (the adaptive
# nursery's mechanism).
# shellcheck disable=SC2086
memcheck TYPEGC_NURSERY_RESIZE_EVERY=2 PYPY_GC_INCREMENT_STEP=1 $debug -- "$build/tests/test_random" 0 50
memcheck TYPEGC_TORTURE=50 TYPEGC_NURSERY_RESIZE_EVERY=7 PYPY_GC_DEBUG=1 -- "$build/tests/test_random" 0 10
# Aging forced on (the survivor space), 50 of the GCC run's 1000 seeds, and
# its own test.
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=4KB TYPEGC_AGING_ALWAYS=1 $debug -- "$build/tests/test_random" 0 50
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB TYPEGC_AGING_ALWAYS=1 $debug -- "$build/tests/test_aging" on
# One nursery size each: the meson runs (GCC, and ASan+UBSan) run them at
# every size; what memcheck adds is reads of uninitialized memory.
for test in test_list test_tree test_arrays test_hierarchy test_roots test_inherited \
            test_anyref test_fixedarray test_modules test_destructor test_identity test_weakref \
            test_finalizer test_prebuilt test_pin; do
    # shellcheck disable=SC2086
    memcheck PYPY_GC_NURSERY=1KB $debug -- "$build/tests/$test"
done
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB $debug -- "$build/tests/prebuilt_many/prebuilt_many100000" 100000
# The nursery resized under these, and its policy on its own.
for test in test_tree test_identity test_weakref; do
    # shellcheck disable=SC2086
    memcheck TYPEGC_NURSERY_RESIZE_EVERY=3 $debug -- "$build/tests/$test"
done
memcheck -- "$build/tests/test_nursery_policy"
# One program per random schema: each schema's generated code and shapes
# run under memcheck; the meson runs run 200 (70 under ASan) per schema.
for driver in "$build"/tests/random_schema/driver_rs_*[0-9]; do
    # shellcheck disable=SC2086
    memcheck PYPY_GC_NURSERY=4KB PYPY_GC_INCREMENT_STEP=1 $debug -- "$driver" 0 1
done
# These set their own environment, in child processes, from where meson
# runs them.
cd "$build/tests" || exit 1
for test in test_cursor test_log test_debug test_raw_sweep_limit; do
    memcheck -- "./$test"
done
# test_env's child with a 2 GiB nursery takes most of its time under
# memcheck; the size parser it checks runs in the other children (1KB,
# the malformed values).  test_prefault's first child waits for the
# idle-priority helper thread, which memcheck runs one thread at a time
# with the main one, to fault 16 arenas in: the helper's code runs in the
# other children too (forked child, pages released in the background).
memcheck CHECK_SKIP=test_sizes_with_suffixes -- ./test_env
memcheck CHECK_SKIP=test_spares_become_resident -- ./test_prefault
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB PYPY_GC_INCREMENT_STEP=1 $debug -- ./test_heapdump
cd "$root" || exit 1

# The translator (which loads libclang: seconds per run under valgrind):
# three example schemas that between them use every kind of type and field
# (any fields and arrays of any, fixed arrays, inheritance, arrays of
# values and of refs, every scalar kind but u32, which the translator
# handles as the other integers; arrays.json and gcbench.json add
# nothing else), and two invalid ones
# (exit status 1): a syntax error, which fails in the parser, and a name
# clash, which fails after every other check has run -- the sanitizer
# build and tests/fuzz run all of them under LeakSanitizer.
for schema in schemas/anyrefs.json schemas/fixedarrays.json schemas/hierarchy.json; do
    mkdir "$out/$runs"      # each run its own output directory
    memcheck -- "$build/translator/typegc" gen "$schema" -o "$out/$runs"
done
for case in syntax_error generated_name_clash_inherited; do
    mkdir "$out/$runs"
    EXPECT_STATUS=1 memcheck -- "$build/translator/typegc" gen \
        "tests/schemas/invalid/$case.json" -o "$out/$runs"
done

xargs -P "${VALGRIND_JOBS:-$(nproc)}" -L 1 env results="$results" "$self" --run-one <"$jobs"
failed=0
for n in $(seq "$runs"); do
    if [ -f "$results/$n.fail" ]; then
        failed=$((failed + 1))
        cat "$results/$n.fail"
    fi
done
echo "valgrind: $runs runs, $failed failed"
[ "$failed" = 0 ]
