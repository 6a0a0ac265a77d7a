#!/bin/sh
# The main job: set up, translate schemas/allocatealot.json, build the
# article's benchmark optimised, and run it.
#   scripts/run-allocatealot.sh [LOOPS [0|1]]      (default 1000000000 1)
set -eu
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
if [ -d build-release ]; then
    meson setup --reconfigure build-release --buildtype=release >/dev/null
else
    meson setup build-release --buildtype=release >/dev/null
fi
ninja -C build-release bench/allocatealot >/dev/null
exec build-release/bench/allocatealot "${1:-1000000000}" "${2:-1}"
