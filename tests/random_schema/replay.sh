#!/bin/sh
# replay.sh SCHEMA_SEED PROGRAM_SEED [COUNT] -- runs random program
# PROGRAM_SEED (or COUNT programs from it) over random schema SCHEMA_SEED
# as the rs_* tests do, for any schema seed, listed in meson.build or not:
# generates the schema and its shim in a temporary directory, translates
# the schema, and compiles driver.c with the compiler and flags of the
# build in $TYPEGC_BUILD (default: build/ at the top of the tree), against
# that build's libtypegc.
#
# The PYPY_GC_* variables of the caller are kept; those it leaves unset
# get the tests' values (PYPY_GC_NURSERY: the runtime's default).
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 SCHEMA_SEED PROGRAM_SEED [COUNT]" >&2
    exit 2
fi
schema_seed=$1
program_seed=$2
count=${3:-1}

here=$(cd "$(dirname "$0")" && pwd)
build=${TYPEGC_BUILD:-$here/../../build}
conf=$build/tests/random_schema/replay.conf
if [ ! -f "$conf" ]; then
    echo "$0: no $conf: set TYPEGC_BUILD to a configured build directory" >&2
    exit 2
fi
# shellcheck source=/dev/null # written by meson into the build
. "$conf"

# The library and the translator as the tree has them now.
if ! log=$(ninja -C "$BUILD_ROOT" "${LIBTYPEGC#"$BUILD_ROOT"/}" "${TYPEGC#"$BUILD_ROOT"/}" 2>&1); then
    echo "$log" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=rs_$schema_seed
python3 "$here/gen_schema.py" "$schema_seed" "$work"
"$TYPEGC" gen "$work/$name.json" -o "$work"
# shellcheck disable=SC2086 # CC and CFLAGS are lists of words
$CC $CFLAGS -I"$work" -I"$here" -I"$RUNTIME_INCLUDE" \
    -DSHIM_HEADER="\"${name}_shim.h\"" \
    -DRS_BUILD_ROOT="\"$BUILD_ROOT\"" -DRS_REPLAY_SCRIPT="\"$here/replay.sh\"" \
    "$here/driver.c" "$work/$name.c" "$LIBTYPEGC" -lm -o "$work/driver"

PYPY_GC_NURSERY_DEBUG=${PYPY_GC_NURSERY_DEBUG-1} \
PYPY_GC_DEBUG=${PYPY_GC_DEBUG-2} \
PYPY_GC_INCREMENT_STEP=${PYPY_GC_INCREMENT_STEP-1} \
    "$work/driver" "$program_seed" "$count"
