#!/bin/sh
# typegc as a meson subproject of an outside project: configures, builds
# and runs tests/install/outside.c over a schema that the subproject's
# `typegc gen` translates at build time (tests/subproject/meson.build.in).
#   test_subproject.sh SOURCE_DIR
set -eu
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
project=$tmp/outside
mkdir -p "$project/subprojects"
cp "$src/tests/subproject/meson.build.in" "$project/meson.build"
cp "$src/tests/install/outside.c" "$project/"
cp "$src/schemas/list.json" "$project/"
ln -s "$src" "$project/subprojects/typegc"
# --wrap-mode=nodownload: nothing but the subproject given
meson setup "$project/build" "$project" --wrap-mode=nodownload \
    -Dtypegc:inspect=disabled >"$tmp/setup.log" 2>&1 ||
    { cat "$tmp/setup.log"; exit 1; }
grep -q "Subproject typegc finished" "$tmp/setup.log" || { cat "$tmp/setup.log"; echo "typegc was not taken as a subproject"; exit 1; }
ninja -C "$project/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$project/build/outside"
echo "typegc works as a meson subproject"
