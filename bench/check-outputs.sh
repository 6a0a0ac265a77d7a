#!/bin/sh
# check-outputs.sh BUILD_DIR -- runs every benchmark program of
# BUILD_DIR/bench on a small input and checks what it prints:
#   binary-trees 10   byte for byte the Benchmarks Game's reference output
#   binary-trees-destructor 10   the same, and one destructor run per node
#   weak-map 16 1000 2000   its checks' lines, the same over every collector
#   gcbench 8         GCBench's lines, in order, and no "Failed"
#   splay 300 10      its tree verified (keys in order, size, payloads)
#   finalizers 20000 500   every object handed out once, its child intact
#                     (Boehm, conservative: at least 99 %)
#   allocatealot, pauses   their report lines
# Each variant that is built (NAME, NAME-boehm, NAME-malloc, NAME-mimalloc;
# in bench/ or in bench/boehm/, bench/malloc/) is checked, and the peers in
# OCaml and Java (bench/peers) where they were built.
# The typegc ones run a second time, smaller, with a 1 KB nursery, the heap
# checked after every minor collection and the nursery poisoned, which
# catches a missing root or barrier.  With pypy3 on the PATH the Python
# versions in bench/python are checked too.
# Ends with one line "N passed, N failed"; the status is 1 if any failed.
set -u
if [ $# -ne 1 ] || [ ! -d "$1/bench" ]; then
    echo "usage: $0 BUILD_DIR   (a meson build directory with bench/ built)" >&2
    exit 2
fi
bench=$1/bench
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "ok   $1"
}

fail() {        # fail WHAT WHY: shows the end of the program's stderr
    failed=$((failed + 1))
    echo "FAIL $1: $2"
    tail -n 5 "$tmp/err" 2>/dev/null | sed 's/^/       /'
}

# run LABEL COMMAND...: stdout to $tmp/out, stderr to $tmp/err; fails
# LABEL and returns 1 on a nonzero status.
run() {
    what=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status -ne 0 ]; then
        fail "$what" "exit status $status"
        return 1
    fi
    return 0
}

# has LINE: whether $tmp/out has this exact line.
has() {
    grep -qxF -- "$1" "$tmp/out"
}

# ---- Expected outputs -------------------------------------------------------

# The Benchmarks Game's output for n = 10.
{
    printf 'stretch tree of depth 11\t check: 4095\n'
    printf '1024\t trees of depth 4\t check: 31744\n'
    printf '256\t trees of depth 6\t check: 32512\n'
    printf '64\t trees of depth 8\t check: 32704\n'
    printf '16\t trees of depth 10\t check: 32752\n'
    printf 'long lived tree of depth 10\t check: 2047\n'
} >"$tmp/binary-trees-10"

# weak-map 16 1000 2000: the live keys found at each check and their
# payloads' sum, which hold whatever the collector's timing (bench/weak-map.c).
cat >"$tmp/weak-map-16" <<'EOF'
check at round 2: 249 live keys found, checksum 007e9b7c57cb2bbf
check at round 4: 458 live keys found, checksum 00e625429cf1fe93
check at round 6: 640 live keys found, checksum 0144bf8ceacaf317
check at round 8: 783 live keys found, checksum 0191bd906dfe9083
check at round 10: 942 live keys found, checksum 01e488c617df162a
check at round 12: 1067 live keys found, checksum 0220db445d0575d6
check at round 14: 1176 live keys found, checksum 025d0fe8685bdc4e
check at round 16: 1259 live keys found, checksum 028db8fda004208b
inserted 16000 entries
EOF

# gcbench_expected MAX_DEPTH: GCBench's lines, with the numbers that vary
# (the peak, which depends on the node's size, and the times) as N.
gcbench_expected() {
    max=$1
    stretch=$((max + 2))
    echo 'Garbage Collector Test'
    echo ' Live storage will peak at N bytes.'
    echo ''
    echo " Stretching memory with a binary tree of depth $stretch"
    echo " Creating a long-lived binary tree of depth $max"
    echo ' Creating a long-lived array of 500000 doubles'
    depth=4
    while [ $depth -le "$max" ]; do
        echo "Creating $((2 * ((1 << (stretch + 1)) - 1) / ((1 << (depth + 1)) - 1))) trees of depth $depth"
        printf '\tTop down construction took N msec\n'
        printf '\tBottom up construction took N msec\n'
        depth=$((depth + 2))
    done
    echo 'Completed in N msec'
    echo 'time: X s'
}

gcbench_masked() {
    sed -e 's/^ Live storage will peak at [0-9]* bytes\.$/ Live storage will peak at N bytes./' \
        -e 's/ took [0-9]* msec$/ took N msec/' \
        -e 's/^Completed in [0-9]* msec$/Completed in N msec/' \
        -e 's/^time: [0-9.]* s$/time: X s/' "$tmp/out"
}

# ---- One check per program --------------------------------------------------
# Each takes a label, its parameters, then the command that runs the
# program; the program's arguments are appended to the command.

check_binary_trees() {      # LABEL COMMAND...
    label=$1
    shift
    run "$label" "$@" 10 || return
    if ! cmp -s "$tmp/out" "$tmp/binary-trees-10"; then
        fail "$label" "output differs from the reference"
        diff "$tmp/binary-trees-10" "$tmp/out" | head -n 10 | sed 's/^/       /'
    elif ! grep -q '^time: [0-9.]* s$' "$tmp/err"; then
        fail "$label" "no 'time: X s' on stderr"
    else
        pass "$label"
    fi
}

# binary-trees over nodes with a destructor: the reference output, and on
# stderr "destructors run: N of M nodes" with M = 135854, the nodes
# allocated at N = 10, and N = M but over Boehm GC, whose conservative scan
# may keep a few (it must not run more).
check_binary_trees_destructor() {   # LABEL EXACT(yes|no) COMMAND...
    label=$1
    exact=$2
    shift 2
    run "$label" "$@" 10 || return
    line=$(grep '^destructors run: [0-9]* of [0-9]* nodes$' "$tmp/err")
    run_count=$(echo "$line" | cut -d' ' -f3)
    nodes=$(echo "$line" | cut -d' ' -f5)
    if ! cmp -s "$tmp/out" "$tmp/binary-trees-10"; then
        fail "$label" "output differs from the reference"
        diff "$tmp/binary-trees-10" "$tmp/out" | head -n 10 | sed 's/^/       /'
    elif [ -z "$line" ] || [ "$nodes" != 135854 ]; then
        fail "$label" "no 'destructors run: N of 135854 nodes' on stderr"
    elif [ "$exact" = yes ] && [ "$run_count" != "$nodes" ]; then
        fail "$label" "$run_count destructors run for $nodes dead nodes"
    elif [ "$run_count" -gt "$nodes" ] || [ "$run_count" -lt $((nodes * 9 / 10)) ]; then
        fail "$label" "$run_count destructors run for $nodes nodes"
    else
        pass "$label"
    fi
}

check_weak_map() {          # LABEL COMMAND...
    label=$1
    shift
    run "$label" "$@" 16 1000 2000 || return
    if ! cmp -s "$tmp/out" "$tmp/weak-map-16"; then
        fail "$label" "output differs from the reference"
        diff "$tmp/weak-map-16" "$tmp/out" | head -n 10 | sed 's/^/       /'
    elif ! grep -q '^purged [0-9]* entries in [0-9]* rebuilds; stale entries at the checks: [0-9]*$' \
        "$tmp/err" || ! grep -q '^time: [0-9.]* s$' "$tmp/err"; then
        fail "$label" "no 'purged' and 'time' lines on stderr"
    else
        pass "$label"
    fi
}

check_gcbench() {           # LABEL MAX_DEPTH COMMAND...
    label=$1
    max_depth=$2
    shift 2
    run "$label" "$@" "$max_depth" || return
    gcbench_expected "$max_depth" >"$tmp/expected"
    if grep -q Failed "$tmp/out" "$tmp/err"; then
        fail "$label" "it printed Failed"
    elif ! gcbench_masked | cmp -s - "$tmp/expected"; then
        fail "$label" "its lines differ from GCBench's"
        gcbench_masked | diff "$tmp/expected" - | head -n 10 | sed 's/^/       /'
    else
        pass "$label"
    fi
}

check_splay() {             # LABEL NODES ROUNDS COMMAND...
    label=$1
    nodes=$2
    rounds=$3
    shift 3
    run "$label" "$@" "$nodes" "$rounds" || return
    for line in "verified: $nodes keys in order, payloads intact" \
        "rounds: $rounds of 80 modifications"; do
        if ! has "$line"; then
            fail "$label" "no line '$line'"
            return
        fi
    done
    for prefix in 'max pause' 'p99 pause' 'time'; do
        if ! grep -q "^$prefix: [0-9.]* m\{0,1\}s$" "$tmp/out"; then
            fail "$label" "no '$prefix' line"
            return
        fi
    done
    pass "$label"
}

check_finalizers() {        # LABEL OBJECTS LIVE COMMAND...
    label=$1
    objects=$2
    live=$3
    shift 3
    run "$label" "$@" "$objects" "$live" || return
    if ! has "objects: $objects, $live live at a time"; then
        fail "$label" "no objects line"
        return
    fi
    # typegc and malloc: all of them; Boehm (conservative): 99 %
    least=$objects
    case $label in *boehm*) least=$((objects * 99 / 100)) ;; esac
    if ! grep -q "^finalized: [0-9]* of $objects, 0 bad\$" "$tmp/out"; then
        fail "$label" "no 'finalized: N of $objects, 0 bad' line"
        return
    fi
    done_count=$(sed -n 's/^finalized: \([0-9]*\) of.*/\1/p' "$tmp/out")
    if [ "$done_count" -lt "$least" ]; then
        fail "$label" "only $done_count of $objects objects finalized"
        return
    fi
    for prefix in 'major collections' 'peak RSS' 'time'; do
        if ! grep -q "^$prefix: " "$tmp/out"; then
            fail "$label" "no '$prefix' line"
            return
        fi
    done
    pass "$label"
}

check_allocatealot_py() {   # LABEL COMMAND...: the article's ints
    label=$1
    shift
    run "$label" "$@" 1000000 1 || return
    if grep -q '^999998 999999$' "$tmp/out" && has '0.014901 GB' &&
        grep -q '^[0-9.]* GB/s$' "$tmp/out"; then
        pass "$label"
    else
        fail "$label" "not the article's output"
    fi
}

check_allocatealot() {      # LABEL COMMAND...
    object='<\(__main__\.\)\{0,1\}A object at 0x[0-9a-f]*>'     # RPython's, Python's
    label=$1
    shift
    run "$label" "$@" 1000000 1 || return
    if has 'with initialization' &&
        grep -q "^$object $object\$" "$tmp/out" &&
        has '0.014901 GB' && grep -q '^[0-9.]* GB/s$' "$tmp/out"; then
        pass "$label"
    else
        fail "$label" "not the article's output"
    fi
}

check_pauses() {            # LABEL COMMAND...
    label=$1
    shift
    run "$label" "$@" 16 1 || return
    if has 'live heap: 16 MiB in 4096 chains of 128 objects' &&
        grep -q '^max pause: [0-9.]* ms$' "$tmp/out" &&
        grep -q '^p99 pause: [0-9.]* ms$' "$tmp/out"; then
        pass "$label"
    else
        fail "$label" "not its report"
    fi
}

# ---- The programs, each variant that exists ---------------------------------

variants=0
for suffix in '' -boehm -malloc -mimalloc; do
    for program in binary-trees gcbench splay allocatealot pauses binary-trees-destructor \
        weak-map finalizers; do
        exe=$bench/$program$suffix
        [ -x "$exe" ] || exe=$bench/${suffix#-}/$program$suffix   # bench/boehm/NAME-boehm
        [ -x "$exe" ] || exe=$bench/malloc/$program$suffix        # bench/malloc/NAME-mimalloc
        [ -x "$exe" ] || continue
        variants=$((variants + 1))
        case $program in
            binary-trees) check_binary_trees "$program$suffix 10" "$exe" ;;
            gcbench) check_gcbench "$program$suffix 8" 8 "$exe" ;;
            splay) check_splay "$program$suffix 300 10" 300 10 "$exe" ;;
            allocatealot) check_allocatealot "$program$suffix 1000000 1" "$exe" ;;
            pauses) check_pauses "$program$suffix 16 1" "$exe" ;;
            binary-trees-destructor)
                exact=yes
                [ "$suffix" = -boehm ] && exact=no
                check_binary_trees_destructor "$program$suffix 10" $exact "$exe" ;;
            weak-map) check_weak_map "$program$suffix 16 1000 2000" "$exe" ;;
            finalizers) check_finalizers "$program$suffix 20000 500" 20000 500 "$exe" ;;
        esac
    done
done
# The peers in other languages, where they were built (bench/peers).
peers=$bench/peers
if [ -x "$peers/binary_trees-ocaml" ]; then
    check_binary_trees "binary-trees OCaml 10" "$peers/binary_trees-ocaml"
    check_binary_trees "binary-trees OCaml shared leaf 10" "$peers/binary_trees-ocaml" --shared-leaf
fi
[ -x "$peers/gcbench-ocaml" ] && check_gcbench "gcbench OCaml 8" 8 "$peers/gcbench-ocaml"
if [ -f "$peers/BinaryTrees.class" ] && command -v java >/dev/null; then
    check_binary_trees "binary-trees Java 10" java -cp "$peers" BinaryTrees
    check_gcbench "gcbench Java 8" 8 java -cp "$peers" GCBench
fi

if [ $variants -eq 0 ]; then
    echo "no benchmark programs in $bench" >&2
    exit 1
fi

# Our collector's debug modes, on smaller inputs (the heap check after each
# minor collection makes them slow).
debug() {
    PYPY_GC_NURSERY=1KB PYPY_GC_DEBUG=2 PYPY_GC_NURSERY_DEBUG=1 "$@"
}
if [ -x "$bench/binary-trees" ]; then
    check_binary_trees "binary-trees 10, GC debug" debug "$bench/binary-trees"
fi
if [ -x "$bench/gcbench" ]; then
    check_gcbench "gcbench 6, GC debug" 6 debug "$bench/gcbench"
fi
if [ -x "$bench/splay" ]; then
    check_splay "splay 100 3, GC debug" 100 3 debug "$bench/splay"
fi
if [ -x "$bench/binary-trees-destructor" ]; then
    check_binary_trees_destructor "binary-trees-destructor 10, GC debug" yes debug \
        "$bench/binary-trees-destructor"
fi
if [ -x "$bench/weak-map" ]; then
    check_weak_map "weak-map 16 1000 2000, GC debug" debug "$bench/weak-map"
fi
if [ -x "$bench/finalizers" ]; then
    check_finalizers "finalizers 3000 100, GC debug" 3000 100 debug "$bench/finalizers"
fi

# The PyPy column.
if command -v pypy3 >/dev/null 2>&1; then
    check_binary_trees "python/binary_trees.py 10" pypy3 "$here/python/binary_trees.py"
    check_allocatealot_py "python/allocatealot.py 1000000 1" pypy3 "$here/python/allocatealot.py"
else
    echo "skip python/: no pypy3"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
