#!/bin/sh
# Installs what typegc needs to build and test on Debian 12, if missing.
# Run as root (it calls apt-get).
#
#   scripts/setup-debian.sh           what the build and the tests need
#   scripts/setup-debian.sh --bench   and the peers bench/run compares
#                                     against (OCaml, Java 17, mimalloc, PyPy)
set -eu
# libclang-rt-14-dev: libFuzzer (tests/fuzz); valgrind: scripts/run-valgrind.sh
packages="gcc clang binutils meson ninja-build pkg-config python3 libjansson-dev libclang-dev libgc-dev gnuplot-nox libclang-rt-14-dev valgrind"
if [ "${1:-}" = --bench ]; then
    packages="$packages ocaml-nox openjdk-17-jdk-headless libmimalloc-dev pypy3"
elif [ $# -ne 0 ]; then
    echo "usage: $0 [--bench]" >&2
    exit 2
fi
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q $missing
