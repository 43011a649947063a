#!/usr/bin/env bash
# Installs the Debian 12 packages vhdchain needs. Run as root.
#   scripts/deps.sh build   what scripts/bootstrap.sh needs: the compiler, CMake, and the libraries
#                           of the design (CLI11, fmt, spdlog, nlohmann_json); dpkg-dev and file
#                           for the .deb (cpack)
#   scripts/deps.sh         everything scripts/test.sh and .ci/run need besides: GoogleTest; clang +
#                           compiler-rt for the fuzzers; python3 + libvhdi (pyvhdi, vhdiinfo) and
#                           qemu-img as independent readers; openssl for hashing; clang-format-14
#                           (scripts/format-check.sh); prometheus (promtool) and python3-jsonschema,
#                           which validate check's Prometheus and JSON output and contrib/; the mingw-w64 cross compiler (-posix:
#                           std::thread/std::mutex) and wine64, which runs the Windows build's tests
#                           headless (scripts/windows-test.sh; googletest is built from
#                           /usr/src/googletest).
set -euo pipefail
build_packages=(
  build-essential cmake ninja-build pkg-config dpkg-dev file
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
)
test_packages=(
  libgtest-dev googletest
  clang libclang-rt-14-dev clang-format-14
  python3 python3-libvhdi libvhdi-utils qemu-utils openssl
  prometheus python3-jsonschema
  g++-mingw-w64-x86-64-posix wine64
)
case ${1:-all} in
  build) packages=("${build_packages[@]}") ;;
  all) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [build|all]" >&2; exit 3 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
