#!/bin/sh
# allocatealot against the limit of its design (bench/limit: the same loop
# with no collector, a bump pointer whose cursor stays in registers) and
# the article's code shape (bench/limit ... memory: the cursor in memory),
# run interleaved, RUNS times each; prints the median GB/s of each and
# our ratio to the limit.
#   bench/vs-limit.sh [BUILD_DIR [LOOPS [RUNS]]]   (build-release 1000000000 7)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-release}
loops=${2:-1000000000}
runs=${3:-7}
[ -f "$build/build.ninja" ] || { echo "no build in $build: run scripts/run-allocatealot.sh 1 1 first" >&2; exit 1; }
ninja -C "$build" bench/allocatealot bench/limit >/dev/null
ours=$build/bench/allocatealot
limit=$build/bench/limit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate() { "$@" 2>/dev/null | tail -1 | cut -d' ' -f1; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for init in 0 1; do
    : >"$tmp/ours"; : >"$tmp/limit"; : >"$tmp/shape"
    for _ in $(seq "$runs"); do
        rate "$ours" "$loops" "$init" >>"$tmp/ours"
        rate "$limit" "$loops" "$init" register >>"$tmp/limit"
        rate "$limit" "$loops" "$init" memory >>"$tmp/shape"
    done
    o=$(median <"$tmp/ours"); l=$(median <"$tmp/limit"); s=$(median <"$tmp/shape")
    echo "init=$init allocatealot $o GB/s | limit $l GB/s | article shape $s GB/s | ours/limit $(echo "$o $l" | awk '{printf "%.2f", $1/$2}')"
done
