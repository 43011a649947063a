#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): install the packages, build vhdchain,
# generate the bundled example chains into testdata/example, and check them (exit status 0, or 1
# if this machine's free space is smaller than the example could grow to).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
./build/tools/vhdchain-mkexample testdata/example
echo
echo "\$ vhdchain check testdata/example"
status=0
./build/cli/vhdchain check testdata/example || status=$?
[ "$status" -le 1 ]
