#!/usr/bin/env bash
# Cross-builds vhdchain for 64-bit Windows (CMake preset "mingw" -> build-mingw/) and runs the
# Windows executables under wine, headless: the unit tests (each test suite in its own wine
# process, so one hang is one failed suite), the test-support builder tests, and CLI smoke tests.
# Exits non-zero on any failure. docs/windows.md explains the setup and what wine does not do.
#
# Needs (Debian 12): g++-mingw-w64-x86-64-posix, wine64 (+ wine), cmake >= 3.24, ninja-build, and
# the header packages of scripts/deps.sh (libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
# googletest). No X server: console programs need none.
#
# Environment:
#   VHDCHAIN_JOBS          build parallelism (default 2)
#   VHDCHAIN_WINE_TIMEOUT  seconds per wine process before it counts as hung (default 180)
#   VHDCHAIN_GTEST_FILTER  a gtest filter for the unit tests (default: all)
#   VHDCHAIN_SKIP_CLI=1    do not build or smoke-test vhdchain.exe (printed as SKIPPED; not for CI)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${VHDCHAIN_JOBS:-2}
limit=${VHDCHAIN_WINE_TIMEOUT:-180}
build=build-mingw
failures=()

fail() {
  echo "FAILED: $*"
  failures+=("$*")
}

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "windows-test: $1 not found; install $2" >&2; exit 2; }
}
need x86_64-w64-mingw32-g++-posix g++-mingw-w64-x86-64-posix
need cmake cmake
need ninja ninja-build
# Debian's wine64 puts the 64-bit loader in /usr/lib/wine; /usr/bin/wine is a wrapper that looks
# for a 32-bit wine first and hints about it.
wine=$(command -v wine64 || true)
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
[ -x "$wine" ] || { echo "windows-test: wine64 not found; install wine64 wine" >&2; exit 2; }
wineserver=$(command -v wineserver64 || true)
[ -n "$wineserver" ] || wineserver=/usr/lib/wine/wineserver64
[ -x "$wineserver" ] || wineserver=$(command -v wineserver)

echo "== configure and build ($build) =="
cmake --preset mingw >/dev/null
cmake --build "$build" -j "$jobs" --target vhdchain_unit_tests vhdchain_builder_tests vhdchain-mkexample

# A private, throw-away wine prefix: nothing from ~/.wine, nothing left behind. No DISPLAY, and no
# Mono/Gecko installers (mscoree, mshtml disabled): they would want a window and are not needed.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vhdchain-wine.XXXXXX")
export WINEPREFIX=$scratch/prefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINESERVER=$wineserver
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
  "$wineserver" -k >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

echo "== wine prefix $WINEPREFIX =="
timeout "$limit" "$wine" wineboot --init >/dev/null 2>&1 || fail "wineboot --init"
timeout "$limit" "$wineserver" -w || true

# Two drive letters onto one Unix folder: wine then sees X: and Y: as two drives holding the same
# files, the setting of tests/unit/hostpath/drive_alias_win32_test.cc. Made while no wine process
# runs: wine's mount manager reads the drives when it starts, and one that appears later has no
# volume (GetVolumeNameForVolumeMountPointW fails, FileIdInfo's serial number is 0).
mkdir -p "$scratch/alias-target"
ln -sfn "$scratch/alias-target" "$WINEPREFIX/dosdevices/x:"
ln -sfn "$scratch/alias-target" "$WINEPREFIX/dosdevices/y:"
export VHDCHAIN_TEST_ALIAS_DRIVES="X Y"
"$wineserver" -p >/dev/null 2>&1 || true  # keep it running between the many short processes

# Runs a gtest executable under wine, one process per test suite (so a hang costs one suite, not
# the rest of the run); adds to the totals and records failures. $2: a gtest filter
# "POSITIVE[-NEGATIVE]", applied to every suite's run.
total_passed=0 total_failed=0 total_skipped=0
run_gtest() {
  local exe=$1 filter=${2:-*} name suites suite log rc passed failed skipped negative=""
  name=$(basename "$exe" .exe)
  [[ $filter == *-* ]] && negative=${filter#*-}
  suites=$(timeout "$limit" "$wine" "$exe" --gtest_list_tests --gtest_filter="$filter" | tr -d '\r' |
           grep -v '^ ' | grep -v '^Running main' | awk '{print $1}' || true)
  [ -n "$suites" ] || { fail "$name: no tests listed"; return; }
  for suite in $suites; do
    log=$scratch/$name.${suite//\//_}txt
    set +e
    timeout "$limit" "$wine" "$exe" --gtest_filter="${suite}*${negative:+-$negative}" 2>&1 | tr -d '\r' >"$log"
    rc=${PIPESTATUS[0]}
    set -e
    passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\..*/\1/p' "$log" | tail -1)
    failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below:.*/\1/p' "$log" | tail -1)
    skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\{0,1\}, listed below:.*/\1/p' "$log" | tail -1)
    total_passed=$((total_passed + ${passed:-0}))
    total_failed=$((total_failed + ${failed:-0}))
    total_skipped=$((total_skipped + ${skipped:-0}))
    if [ "$rc" = 124 ]; then
      fail "$name $suite hung (killed after ${limit}s) in: $(grep '^\[ RUN' "$log" | tail -1)"
      total_failed=$((total_failed + 1))
    elif [ "$rc" != 0 ]; then
      fail "$name $suite: exit $rc"
      grep -E '^\[  FAILED  \]|Failure$' "$log" | sort -u | head -20 || true
    fi
    grep '^\[ drive alias \]' "$log" || true
  done
}

echo "== unit tests under wine =="
run_gtest "$build/tests/vhdchain_unit_tests.exe" "${VHDCHAIN_GTEST_FILTER:-*}"
echo "unit tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
unit_counts="$total_passed/$total_failed/$total_skipped"

echo "== builder tests under wine =="
total_passed=0 total_failed=0 total_skipped=0
run_gtest "$build/tests/support/vhdchain_builder_tests.exe"
echo "builder tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
builder_counts="$total_passed/$total_failed/$total_skipped"

echo "== CLI smoke tests under wine =="
example=$scratch/example
win_example="Z:${example//\//\\}"
if [ "${VHDCHAIN_SKIP_CLI:-}" = 1 ]; then
  echo "SKIPPED: CLI smoke tests (VHDCHAIN_SKIP_CLI=1)"
elif ! cmake --build "$build" -j "$jobs" --target vhdchain -- -k 0 >"$scratch/cli-build.log" 2>&1; then
  fail "vhdchain.exe does not build for mingw (errors below)"
  grep -E 'error:' "$scratch/cli-build.log" | sort -u | head -30
else
  cli=$build/cli/vhdchain.exe
  timeout "$limit" "$wine" "$build/tools/vhdchain-mkexample.exe" "$win_example" >/dev/null || fail "vhdchain-mkexample.exe"
  timeout "$limit" "$wine" "$cli" --version >/dev/null || fail "vhdchain.exe --version"
  leaf=$(cd "$example" && ls base_*.avhdx | sort | tail -1)
  if timeout "$limit" "$wine" "$cli" info "$win_example\\$leaf" >"$scratch/info.txt" 2>"$scratch/info.err"; then
    grep -q . "$scratch/info.txt" || fail "vhdchain.exe info printed nothing"
  else
    fail "vhdchain.exe info $leaf: $(tr -d '\r' <"$scratch/info.err" | head -5)"
  fi
  # The same JSON as the Linux build gives, paths aside, when a Linux build is at hand.
  if timeout "$limit" "$wine" "$cli" info --json "$win_example\\$leaf" >"$scratch/info-win.json" 2>/dev/null; then
    native=$root/build/cli/vhdchain
    if [ -x "$native" ]; then
      "$native" info --json "$example/$leaf" >"$scratch/info-linux.json" || true
      python3 - "$scratch/info-win.json" "$scratch/info-linux.json" "$example" "$win_example" <<'PY' || fail "info --json differs between the Windows and Linux builds"
import json, sys
win_file, linux_file, unix_dir, win_dir = sys.argv[1:]
def scrub(v):
    # Paths differ by construction (Z:\...\x vs /.../x); allocated_on_host depends on the file system.
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items() if k != "allocated_on_host"}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    if isinstance(v, str) and (unix_dir in v or win_dir.lower() in v.lower()):
        return "<path>"
    return v
a = scrub(json.load(open(win_file, encoding="utf-8")))
b = scrub(json.load(open(linux_file, encoding="utf-8")))
if a != b:
    print(json.dumps(a, indent=1)[:3000]); print(json.dumps(b, indent=1)[:3000])
    sys.exit(1)
PY
    else
      echo "(no Linux build at build/cli/vhdchain: JSON comparison skipped)"
    fi
  else
    fail "vhdchain.exe info --json $leaf"
  fi
fi

echo
echo "== summary =="
echo "unit tests (passed/failed/skipped): $unit_counts; builder tests: $builder_counts"
if ((${#failures[@]})); then
  printf '  %s\n' "${failures[@]}"
  echo "windows-test: ${#failures[@]} failure(s)"
  exit 1
fi
echo "windows-test: all passed"
