#!/usr/bin/env bash
# Runs the whole test suite: a normal build with every test (unit, corruption, fuzz corpus replay,
# golden real images, libvhdi/qemu cross-checks), then an AddressSanitizer + UndefinedBehaviorSanitizer
# build running the tests that exercise the parsers on hostile input.
# Real images come from ../shared/testdata; when CI=true their absence fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${CI:-}" = true ] && export VHDCHAIN_REQUIRE_SHARED=1
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVHDCHAIN_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVHDCHAIN_SANITIZE=ON -DVHDCHAIN_WERROR=ON >/dev/null
cmake --build build-asan -j "$jobs"

echo "== sanitizer build: unit, corruption and fuzz-corpus tests =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L 'unit|corruption|fuzz|cli' --output-on-failure -j "$jobs"

echo "== full suite =="
ctest --test-dir build --output-on-failure -j "$jobs"
