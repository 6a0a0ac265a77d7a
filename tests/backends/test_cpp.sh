#!/bin/sh
# The generated headers and typegc's own compile as C++17 and work from
# it: cpp_program.cpp against hierarchy.json's header, generated for each
# backend (typegc, Boehm GC if libgc is installed, malloc), compiled with
# g++ and clang++ (those installed) with -Wall -Wextra -Werror, and run.
# The generated NAME.c stays C, compiled with cc.
#   test_cpp.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
backends="typegc malloc"
pkg-config --exists bdw-gc 2>/dev/null && backends="$backends boehm"
compilers=""
for cxx in g++ clang++; do
    command -v "$cxx" >/dev/null && compilers="$compilers $cxx"
done
[ -n "$compilers" ] || { echo "no C++ compiler"; exit 77; }
runs=0
for backend in $backends; do
    dir=$tmp/$backend
    mkdir -p "$dir"
    case $backend in
    typegc) gc=incminimark; libs="$build/runtime/libtypegc.a -lm -lpthread" ;;
    boehm) gc=boehm; libs=$(pkg-config --libs bdw-gc) ;;
    malloc) gc=malloc; libs= ;;
    esac
    "$build/translator/typegc" gen "$src/schemas/hierarchy.json" -o "$dir" --gc=$gc
    cc -std=gnu11 -Wall -Wextra -Werror -I"$src/runtime/include" -I"$dir" \
        -c "$dir/hierarchy.c" -o "$dir/hierarchy.o"
    for cxx in $compilers; do
        "$cxx" -std=c++17 -O2 -Wall -Wextra -Werror -I"$src/runtime/include" -I"$dir" \
            "$src/tests/backends/cpp_program.cpp" "$dir/hierarchy.o" $libs -o "$dir/prog-$cxx"
        echo "$backend, $cxx: $("$dir/prog-$cxx")"
        runs=$((runs + 1))
    done
done
echo "$runs C++ programs built and ran"
