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
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
runs=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# memcheck [ENV=VALUE...] -- PROGRAM ARGS...: expected exit status 0
# unless EXPECT_STATUS is set.
memcheck() {
    envs=""
    while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
    shift
    runs=$((runs + 1))
    start=$(date +%s)
    # shellcheck disable=SC2086
    env $envs valgrind -q --error-exitcode=99 --trace-children=yes \
        --leak-check=full --errors-for-leak-kinds=definite \
        "$@" >"$log" 2>&1
    status=$?
    [ -n "${VERBOSE:-}" ] && echo "$(($(date +%s) - start)) s:$envs $*"
    if [ "$status" != "${EXPECT_STATUS:-0}" ]; then
        failed=$((failed + 1))
        echo "FAIL (status $status):$envs $*"
        tail -n 40 "$log"
    fi
}

debug="PYPY_GC_NURSERY_DEBUG=1 PYPY_GC_DEBUG=1"
# One nursery size each: the meson runs (GCC, and ASan+UBSan) run them at
# every size; what memcheck adds is reads of uninitialized memory.
for test in test_list test_tree test_arrays test_hierarchy test_roots test_inherited \
            test_anyref test_fixedarray test_modules test_destructor test_identity test_weakref \
            test_finalizer test_prebuilt test_pin; do
    # shellcheck disable=SC2086
    memcheck PYPY_GC_NURSERY=1KB $debug -- "$build/tests/$test"
done
# test_major's children that build hundreds of MiB to measure RSS, sweep
# reuse and step deadlines take most of its minutes under memcheck and
# reach no code the other tests leave out; the meson runs check them.
major_skip=test_resident_memory_falls_after_garbage_dies,test_sweep_reuses_freed_pages_at_once
major_skip=$major_skip,test_step_time_limit_cuts_sweeping_steps,test_full_collection_ignores_step_time_limit
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB CHECK_SKIP=$major_skip $debug -- "$build/tests/test_major"
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB $debug -- "$build/tests/prebuilt_many/prebuilt_many100000" 100000
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=1KB PYPY_GC_INCREMENT_STEP=1 $debug -- "$build/tests/test_random" 0 200
memcheck TYPEGC_TORTURE=50 PYPY_GC_DEBUG=1 -- "$build/tests/test_random" 0 30
# The nursery moved and resized in the middle of programs (the adaptive
# nursery's mechanism), and its policy on its own.
# shellcheck disable=SC2086
memcheck TYPEGC_NURSERY_RESIZE_EVERY=2 PYPY_GC_INCREMENT_STEP=1 $debug -- "$build/tests/test_random" 0 100
memcheck TYPEGC_TORTURE=50 TYPEGC_NURSERY_RESIZE_EVERY=7 PYPY_GC_DEBUG=1 -- "$build/tests/test_random" 0 20
for test in test_tree test_identity test_weakref; do
    # shellcheck disable=SC2086
    memcheck TYPEGC_NURSERY_RESIZE_EVERY=3 $debug -- "$build/tests/$test"
done
memcheck -- "$build/tests/test_nursery_policy"
for driver in "$build"/tests/random_schema/driver_rs_*[0-9]; do
    # shellcheck disable=SC2086
    memcheck PYPY_GC_NURSERY=4KB PYPY_GC_INCREMENT_STEP=1 $debug -- "$driver" 0 2
done
# These set their own environment, in child processes, from where meson
# runs them.
root=$(pwd)
cd "$build/tests"
for test in test_cursor test_log test_env test_debug test_prefault test_raw_sweep_limit; do
    memcheck -- "./$test"
done
memcheck TEST_OOM_STRIDE=40 -- ./test_oom
# shellcheck disable=SC2086
memcheck PYPY_GC_NURSERY=64KB PYPY_GC_INCREMENT_STEP=1 $debug -- ./test_heapdump
cd "$root"

# The translator (which loads libclang: seconds per run under valgrind):
# the example schemas that use every kind of type and field, and a sample
# of invalid ones (exit status 1) -- the sanitizer build and tests/fuzz
# run all of them under LeakSanitizer.
out=$(mktemp -d)
for schema in schemas/anyrefs.json schemas/fixedarrays.json schemas/hierarchy.json \
              schemas/arrays.json schemas/gcbench.json; do
    memcheck -- "$build/translator/typegc" gen "$schema" -o "$out"
done
for case in syntax_error unknown_type nul_in_string inheritance_cycle \
            generated_name_clash_inherited; do
    EXPECT_STATUS=1 memcheck -- "$build/translator/typegc" gen \
        "tests/schemas/invalid/$case.json" -o "$out"
done
rm -rf "$out"

echo "valgrind: $runs runs, $failed failed"
[ "$failed" = 0 ]
