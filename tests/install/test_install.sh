#!/bin/sh
# `meson install` gives an outside program all it needs: the typegc
# command, typegc.h, libtypegc (static and shared) and typegc.pc.
#   test_install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
meson install -C "$build" --destdir "$root" --no-rebuild >/dev/null
pc=$(find "$root" -name typegc.pc | head -n 1)
[ -n "$pc" ] || { echo "typegc.pc not installed"; exit 1; }
typegc=$(find "$root" -type f -name typegc -perm -u+x | head -n 1)
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
"$typegc" gen "$src/schemas/list.json" -o "$tmp"
libdir=$(dirname "$(find "$root" -name libtypegc.a | head -n 1)")
for lib in libtypegc.a libtypegc.so; do
    [ -e "$libdir/$lib" ] || { echo "$lib not installed"; exit 1; }
done
cc -std=gnu11 -Wall -Wextra -Werror -I"$tmp" $(pkg-config --cflags typegc) \
    "$src/tests/install/outside.c" "$tmp/list.c" $(pkg-config --libs typegc) -o "$tmp/shared"
LD_LIBRARY_PATH="$libdir" "$tmp/shared"
cc -std=gnu11 -I"$tmp" $(pkg-config --cflags typegc) "$src/tests/install/outside.c" \
    "$tmp/list.c" "$libdir/libtypegc.a" $(pkg-config --static --libs-only-other typegc) -lm \
    -o "$tmp/static"
"$tmp/static"
echo "installed library works, shared and static"
