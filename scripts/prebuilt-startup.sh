#!/bin/sh
# Startup cost against the number of prebuilt objects: the program of
# tests/prebuilt_many (many.c) with 10 and with 10^5 prebuilt objects,
# run as `many init` (start the collector, exit) under callgrind, which
# counts instructions, so the figures do not depend on the machine's load.
# Prints, for each: the instructions of NAME_init() (the collector's
# startup, inclusive), of the whole process, and the dynamic relocations
# the loader applies.  Twice: as meson builds the program (PIE: each
# pointer in static data, a reference between prebuilt objects included,
# is one R_X86_64_RELATIVE relocation the loader applies at exec), and
# linked -no-pie (no relocations).  README, "Prebuilt objects".
#   scripts/prebuilt-startup.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
dir=$build/tests/prebuilt_many
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
ninja -C "$build" "tests/prebuilt_many/prebuilt_many10" \
    "tests/prebuilt_many/prebuilt_many100000" >/dev/null

# measure LABEL PROGRAM INIT_FUNCTION
measure() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$2" init >/dev/null 2>&1
    total=$(callgrind_annotate "$tmp/out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    init=$(callgrind_annotate --inclusive=yes "$tmp/out" |
           awk -v f=":$3 " 'index($0, f) { gsub(",", "", $1); print $1; exit }')
    relocs=$(readelf -r "$2" | grep -c RELATIVE || true)
    printf '%-22s %14s %16s %12s\n' "$1" "$init" "$total" "$relocs"
}

printf '%-22s %14s %16s %12s\n' "program" "init Ir" "process Ir" "relocations"
for n in 10 100000; do
    measure "$n objects, PIE" "$dir/prebuilt_many$n" "many${n}_init"
done
for n in 10 100000; do
    cc -O2 -no-pie -fno-pie -Iruntime/include -I"$dir" -DSCHEMA_HEADER="\"many$n.h\"" \
        -DSCHEMA_INIT="many${n}_init" tests/prebuilt_many/many.c "$dir/many$n.c" \
        "$build/runtime/libtypegc.a" -lm -lpthread -o "$tmp/many$n"
    measure "$n objects, no-pie" "$tmp/many$n" "many${n}_init"
done
