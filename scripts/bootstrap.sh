#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): install the packages, build vhdchain,
# generate the bundled example chain into testdata/example, and inspect it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
./build/tools/vhdchain-mkexample testdata/example
echo
echo "\$ vhdchain info testdata/example/*.avhdx"
./build/cli/vhdchain info testdata/example/*.avhdx
