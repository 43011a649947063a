#!/usr/bin/env bash
# Runs the whole test suite: a normal build with every test (unit, corruption, fuzz corpus replay,
# golden real images, libvhdi/qemu cross-checks, write and kill tests, install), then an
# AddressSanitizer + UndefinedBehaviorSanitizer build of the tests that exercise the parsers on
# hostile input (labels unit, corruption, fuzz, cli: only those are built there).
# Real images come from ../shared/testdata; when CI=true their absence fails instead of skipping.
#
#   scripts/test.sh            everything (README.md gives the time it takes)
#   scripts/test.sh --quick    the same builds, without the tests labelled slow (the largest real
#                              images and the longest kill sweeps); for a change's first run, not
#                              a substitute for the whole
set -euo pipefail
cd "$(dirname "$0")/.."
# The test packages (bootstrap.sh installed only the build ones); nothing when all are there.
./scripts/deps.sh
[ "${CI:-}" = true ] && export VHDCHAIN_REQUIRE_SHARED=1
jobs=$(nproc 2>/dev/null || echo 2)
exclude=()
case ${1:-} in
  "") ;;
  --quick) exclude=(-LE slow) ;;
  *) echo "usage: $0 [--quick]" >&2; exit 3 ;;
esac

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVHDCHAIN_WERROR=ON -DVHDCHAIN_BUILD_TESTS=ON >/dev/null
cmake --build build -j "$jobs"

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVHDCHAIN_SANITIZE=ON -DVHDCHAIN_WERROR=ON \
  -DVHDCHAIN_BUILD_TESTS=ON -DVHDCHAIN_SANITIZER_TESTS_ONLY=ON >/dev/null
cmake --build build-asan -j "$jobs"

echo "== sanitizer build: unit, corruption, fuzz-corpus and cli tests =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L 'unit|corruption|fuzz|cli' "${exclude[@]}" --output-on-failure -j "$jobs"

echo "== full suite =="
ctest --test-dir build "${exclude[@]}" --output-on-failure -j "$jobs"
