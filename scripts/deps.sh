#!/usr/bin/env bash
# Installs the Debian 12 packages vhdchain needs to build and test. Run as root.
# Build: compiler, CMake, and the libraries of the design (CLI11, fmt, spdlog, nlohmann_json, GoogleTest).
# Tests: clang + compiler-rt for the fuzzers, python3 + libvhdi (pyvhdi, vhdiinfo) and qemu-img as
# independent readers, openssl for hashing; prometheus (promtool) and python3-jsonschema validate
# check's Prometheus and JSON output and the contrib/ alerting rules.
# Windows: the mingw-w64 cross compiler (-posix: std::thread/std::mutex) and wine64, which runs the
# Windows build's tests headless (scripts/windows-test.sh; googletest is built from /usr/src/googletest).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libgtest-dev googletest
  clang libclang-rt-14-dev
  python3 python3-libvhdi libvhdi-utils qemu-utils openssl
  prometheus python3-jsonschema
  g++-mingw-w64-x86-64-posix wine64
)
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
