#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): install the build packages, build vhdchain
# and the example generator (not the test suite: scripts/test.sh builds that), generate the bundled
# example chains into testdata/example, and check them (exit status 0, or 1 if this machine's free
# space is smaller than the example could grow to). README.md gives the time it takes.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh build
# The same build folder and flags as scripts/test.sh, which turns the tests on and reuses these
# objects.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVHDCHAIN_WERROR=ON -DVHDCHAIN_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target vhdchain vhdchain-mkexample
./build/tools/vhdchain-mkexample testdata/example
echo
echo "\$ vhdchain check testdata/example"
status=0
./build/cli/vhdchain check testdata/example || status=$?
[ "$status" -le 1 ]
