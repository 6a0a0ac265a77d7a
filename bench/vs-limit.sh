#!/bin/sh
# allocatealot against the design's limit (the shared anchors'
# bump_register.c: a bump pointer whose cursor stays in registers) and the
# article's code shape (alloc_anchors.c bump: cursor in memory), run
# interleaved, RUNS times each; prints the median GB/s of each and our
# ratio to the limit.
#   bench/vs-limit.sh [ANCHORS_DIR [LOOPS [RUNS]]]
set -eu
cd "$(dirname "$0")/.."
anchors=${1:-../shared/anchors}
loops=${2:-1000000000}
runs=${3:-7}
ours=build-release/bench/allocatealot
[ -x "$ours" ] || { echo "build it first: scripts/run-allocatealot.sh 1 1" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/limit" "$anchors/bump_register.c"
gcc -O2 -o "$tmp/shape" "$anchors/alloc_anchors.c"
rate() { "$@" 2>/dev/null | tail -1 | cut -d' ' -f1; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for init in 0 1; do
    : >"$tmp/ours"; : >"$tmp/limit.r"; : >"$tmp/shape.r"
    for _ in $(seq "$runs"); do
        rate "$ours" "$loops" "$init" >>"$tmp/ours"
        rate "$tmp/limit" "$loops" "$init" >>"$tmp/limit.r"
        rate "$tmp/shape" bump "$loops" "$init" >>"$tmp/shape.r"
    done
    o=$(median <"$tmp/ours"); l=$(median <"$tmp/limit.r"); s=$(median <"$tmp/shape.r")
    echo "init=$init allocatealot $o GB/s | limit (bump_register) $l GB/s | article shape $s GB/s | ours/limit $(echo "$o $l" | awk '{printf "%.2f", $1/$2}')"
done
