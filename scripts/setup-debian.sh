#!/bin/sh
# Installs what typegc needs to build and test on Debian 12, if missing.
# Run as root (it calls apt-get).
set -eu
# libclang-rt-14-dev: libFuzzer (tests/fuzz); valgrind: scripts/run-valgrind.sh
packages="gcc clang binutils meson ninja-build pkg-config python3 libjansson-dev libclang-dev libgc-dev gnuplot-nox libclang-rt-14-dev valgrind"
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
