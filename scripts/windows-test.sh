#!/usr/bin/env bash
# Cross-builds vhdchain for 64-bit Windows (CMake preset "mingw" -> build-mingw/), packages it
# (cpack: build-mingw/vhdchain-<version>-win64.zip) and runs the Windows executables under wine,
# headless: the unit tests (each test suite in its own wine
# process, so one hang is one failed suite), the test-support builder tests, the corruption suite,
# and CLI smoke tests
# (--version, info, info --json, export --raw to a file and to stdout, refusals, one file through
# two drive letters, merges of a VHDX and a VHD chain). Exits non-zero on any failure. docs/windows.md explains the setup and what
# wine does not do.
#
# Needs (Debian 12): g++-mingw-w64-x86-64-posix, wine64, cmake >= 3.24, ninja-build, and the
# header packages of scripts/deps.sh (libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
# googletest). No X server and no network: console programs need neither.
#
# The CLI results are compared with what the specifications say (vhdchain-mkexample --sha256) and,
# when a Linux build is at hand ($VHDCHAIN_LINUX_BUILD, default build/, which scripts/test.sh
# makes), with the Linux vhdchain's output. Under CI=true a missing Linux build is a failure.
#
# Environment:
#   VHDCHAIN_JOBS              build parallelism (default 2)
#   VHDCHAIN_WINE_TIMEOUT      seconds per wine process before it counts as hung (default 180)
#   VHDCHAIN_WINEBOOT_TIMEOUT  seconds for creating the wine prefix (default 600; a fresh machine
#                              with a cold disk cache takes tens of seconds)
#   VHDCHAIN_GTEST_FILTER      a gtest filter for the unit tests (default: all)
#   VHDCHAIN_LINUX_BUILD       the Linux build folder to compare with (default build)
#   VHDCHAIN_SKIP_CLI=1        do not smoke-test vhdchain.exe (printed as SKIPPED; not for CI)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${VHDCHAIN_JOBS:-2}
limit=${VHDCHAIN_WINE_TIMEOUT:-180}
boot_limit=${VHDCHAIN_WINEBOOT_TIMEOUT:-600}
build=build-mingw
linux_build=${VHDCHAIN_LINUX_BUILD:-build}
failures=()
started=$SECONDS

fail() {
  echo "FAILED: $*"
  failures+=("$*")
}

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "windows-test: $1 not found; install $2 (scripts/deps.sh)" >&2; exit 2; }
}
need x86_64-w64-mingw32-g++-posix g++-mingw-w64-x86-64-posix
need cmake cmake
need ninja ninja-build
need sha256sum coreutils
need python3 python3
# Debian's wine64 puts the 64-bit loader in /usr/lib/wine; /usr/bin/wine is a wrapper that looks
# for a 32-bit wine first and hints about it.
wine=$(command -v wine64 || true)
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
[ -x "$wine" ] || { echo "windows-test: wine64 not found; install wine64 (scripts/deps.sh)" >&2; exit 2; }
wineserver=$(command -v wineserver64 || true)
[ -n "$wineserver" ] || wineserver=/usr/lib/wine/wineserver64
[ -x "$wineserver" ] || wineserver=$(command -v wineserver || true)
[ -n "$wineserver" ] || { echo "windows-test: wineserver not found; install wine64" >&2; exit 2; }

echo "== configure and build ($build) =="
cmake --preset mingw >/dev/null
if ! cmake --build "$build" -j "$jobs" --target vhdchain_unit_tests vhdchain_builder_tests vhdchain_corruption_tests \
     vhdchain_write_vhdx_tests vhdchain-mkexample vhdchain; then
  echo "windows-test: FAILED: the mingw build does not compile (errors above)"
  exit 1
fi
echo "(built in $((SECONDS - started)) s)"

# The Windows package: a zip with bin/vhdchain.exe (one static executable), README.md and LICENSE
# (cmake/install.cmake). Run from the zip under wine below, with the CLI smoke tests.
echo "== package: Windows zip (cpack) =="
rm -f "$build"/vhdchain-*-win64.zip
package_zip=""
if (cd "$build" && cpack -G ZIP >cpack.log 2>&1); then
  package_zip=$(ls "$build"/vhdchain-*-win64.zip)
  python3 - "$package_zip" <<'PY' || fail "$package_zip: not bin/vhdchain.exe + share/doc/vhdchain/{README.md,LICENSE} in one folder"
import sys, zipfile
names = sorted(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if not n.endswith("/"))
top = {n.split("/")[0] for n in names}
rest = sorted(n.split("/", 1)[1] for n in names)
print("%s: %s" % (sys.argv[1], ", ".join(names)))
sys.exit(0 if len(top) == 1 and rest == ["bin/vhdchain.exe", "share/doc/vhdchain/LICENSE", "share/doc/vhdchain/README.md"] else 1)
PY
else
  cat "$build/cpack.log"
  fail "cpack -G ZIP in $build"
fi

# A private, throw-away wine prefix: nothing from ~/.wine, nothing left behind. No DISPLAY, and no
# Mono/Gecko installers (mscoree, mshtml disabled): they would want a window and the network.
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
boot_started=$SECONDS
if ! timeout "$boot_limit" "$wine" wineboot --init >"$scratch/wineboot.log" 2>&1 ||
   ! timeout "$boot_limit" "$wineserver" -w; then
  tail -20 "$scratch/wineboot.log"
  echo "windows-test: FAILED: could not create a wine prefix within ${boot_limit}s (wineboot --init; log above)"
  exit 1
fi
[ -d "$WINEPREFIX/drive_c/windows/system32" ] ||
  { echo "windows-test: FAILED: wineboot left no drive_c/windows/system32 in $WINEPREFIX"; exit 1; }
echo "(prefix ready in $((SECONDS - boot_started)) s)"

# Two drive letters onto one Unix folder: wine then sees X: and Y: as two drives holding the same
# files, the setting of tests/unit/hostpath/drive_alias_win32_test.cc and of the CLI's alias test
# below. Made while no wine process runs: wine's mount manager reads the drives when it starts, and
# one that appears later has no volume (GetVolumeNameForVolumeMountPointW fails, serial 0).
alias_dir=$scratch/alias-target
mkdir -p "$alias_dir"
ln -sfn "$alias_dir" "$WINEPREFIX/dosdevices/x:"
ln -sfn "$alias_dir" "$WINEPREFIX/dosdevices/y:"
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
  [ -n "$suites" ] || { fail "$name: no tests listed (does $exe start under wine?)"; return; }
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
      grep -E -B15 '^\[  FAILED  \] [A-Za-z]' "$log" | grep -v '^\[       OK' | head -60 || true
    fi
    # A skip names its test and says why (the line after gtest's "file:line: Skipped").
    awk '/: Skipped$/ {why = 1; next} why {reason = $0; why = 0}
         /^\[  SKIPPED \] .*\(/ {print "    SKIPPED " $4 ": " reason}' "$log" || true
    grep '^\[ drive alias \]' "$log" || true
  done
}

echo "== unit tests under wine =="
tests_started=$SECONDS
run_gtest "$build/tests/vhdchain_unit_tests.exe" "${VHDCHAIN_GTEST_FILTER:-*}"
echo "unit tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
unit_counts="$total_passed passed, $total_failed failed, $total_skipped skipped"

echo "== builder tests under wine =="
total_passed=0 total_failed=0 total_skipped=0
run_gtest "$build/tests/support/vhdchain_builder_tests.exe"
echo "builder tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
builder_counts="$total_passed passed, $total_failed failed, $total_skipped skipped"

# The corruption suite: every named mutation must give the same exact error as on Linux.
echo "== corruption tests under wine =="
total_passed=0 total_failed=0 total_skipped=0
run_gtest "$build/tests/corruption/vhdchain_corruption_tests.exe"
echo "corruption tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
corruption_counts="$total_passed passed, $total_failed failed, $total_skipped skipped"

# The write layer through the Win32 file API: LockFileEx, FlushFileBuffers, MoveFileExW, crash
# sweeps of the VHDX session, relink and in-place replay.
echo "== write tests under wine =="
total_passed=0 total_failed=0 total_skipped=0
run_gtest "$build/tests/write/vhdx/vhdchain_write_vhdx_tests.exe"
echo "write tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
write_counts="$total_passed passed, $total_failed failed, $total_skipped skipped"
echo "(tests took $((SECONDS - tests_started)) s)"

# --- CLI smoke tests -------------------------------------------------------------------------
cli_started=$SECONDS
cli_checks=0
case $linux_build in /*) linux_root=$linux_build ;; *) linux_root=$root/$linux_build ;; esac
linux_cli=$linux_root/cli/vhdchain
linux_mkexample=$linux_root/tools/vhdchain-mkexample
have_linux=0
[ -x "$linux_cli" ] && [ -x "$linux_mkexample" ] && have_linux=1

# win NAME ARGS...: runs vhdchain.exe under wine; stdout in $scratch/NAME.out, stderr in .err,
# the exit status in $status.
win() {
  local name=$1
  shift
  set +e
  timeout "$limit" "$wine" "$root/$build/cli/vhdchain.exe" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err"
  status=$?
  set -e
  cli_checks=$((cli_checks + 1))
  [ "$status" != 124 ] || fail "vhdchain.exe $* hung (killed after ${limit}s)"
}
# expect_ok NAME: the last win call succeeded.
expect_ok() {
  [ "$status" = 0 ] || fail "$1 (exit $status): $(tr -d '\r' <"$scratch/$1.err" | head -5)"
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

echo "== CLI smoke tests under wine =="
if [ "${VHDCHAIN_SKIP_CLI:-}" = 1 ]; then
  echo "SKIPPED: CLI smoke tests (VHDCHAIN_SKIP_CLI=1)"
else
  # The example chains go into the folder behind X: and Y:, and are used through X:.
  example=$alias_dir
  set +e
  timeout "$limit" "$wine" "$build/tools/vhdchain-mkexample.exe" 'X:\' --sha256 2>&1 | tr -d '\r' >"$scratch/mkexample.txt"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || fail "vhdchain-mkexample.exe X:\\ --sha256 (exit $rc): $(head -5 "$scratch/mkexample.txt")"
  # mkexample lists one file a line (name first, the SHA-256 of its virtual disk last), each chain
  # from base to leaf: the leaves are the last checkpoint of each chain.
  vhdx_leaf=$(awk '$1 ~ /^base_.*\.avhdx$/ {leaf = $1} END {print leaf}' "$scratch/mkexample.txt")
  vhd_leaf=$(awk '$1 ~ /^legacy_.*\.avhd$/ {leaf = $1} END {print leaf}' "$scratch/mkexample.txt")
  [ -n "$vhdx_leaf" ] && [ -n "$vhd_leaf" ] || fail "vhdchain-mkexample.exe listed no checkpoints: $(head -5 "$scratch/mkexample.txt")"
  expected_sha() { awk -v name="$1" '$1 == name {print $NF}' "$scratch/mkexample.txt"; }

  if ((have_linux)); then
    # The builder promises the same bytes on every platform.
    "$linux_mkexample" "$scratch/example-linux" >/dev/null
    for f in "$scratch/example-linux"/*; do
      cmp -s "$f" "$example/$(basename "$f")" || fail "vhdchain-mkexample.exe wrote $(basename "$f") unlike the Linux build"
    done
  elif [ "${CI:-}" = true ]; then
    fail "no Linux build at $linux_build/ to compare with (scripts/test.sh makes it)"
  else
    echo "SKIPPED: comparisons with the Linux build (none at $linux_build/; set VHDCHAIN_LINUX_BUILD)"
  fi

  win version --version
  expect_ok "vhdchain.exe --version"
  if [ -n "$package_zip" ]; then
    # The packaged vhdchain.exe runs on its own, out of the build tree.
    mkdir -p "$scratch/zip"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$package_zip" "$scratch/zip"
    set +e
    zipped=$(timeout "$limit" "$wine" "$(ls "$scratch"/zip/*/bin/vhdchain.exe)" --version 2>&1 | tr -d '\r')
    set -e
    [ "$zipped" = "$(tr -d '\r' <"$scratch/version.out")" ] || fail "the zip's vhdchain.exe --version printed: $zipped"
    echo "package: $(basename "$package_zip"): vhdchain.exe --version: $zipped"
  fi
  grep -q '^vhdchain [0-9]' "$scratch/version.out" || fail "vhdchain.exe --version printed: $(head -2 "$scratch/version.out")"
  if ((have_linux)); then
    [ "$(tr -d '\r' <"$scratch/version.out")" = "$("$linux_cli" --version)" ] || fail "--version differs from the Linux build"
  fi

  for leaf in $vhdx_leaf $vhd_leaf; do
    win info info "X:\\$leaf"
    expect_ok "vhdchain.exe info X:\\$leaf"
    grep -q . "$scratch/info.out" || fail "vhdchain.exe info $leaf printed nothing"

    # The same JSON as the Linux build gives, paths and host allocation aside.
    win info-json info --json "X:\\$leaf"
    expect_ok "vhdchain.exe info --json X:\\$leaf"
    if ((have_linux)) && [ "$status" = 0 ]; then
      "$linux_cli" info --json "$scratch/example-linux/$leaf" >"$scratch/info-linux.json"
      python3 - "$scratch/info-json.out" "$scratch/info-linux.json" <<'PY' || fail "info --json $leaf differs between the Windows and Linux builds"
import json, sys
def scrub(v, key=None):
    # Paths differ by construction (X:\... vs /tmp/...); allocated_on_host depends on the file system.
    if isinstance(v, dict):
        return {k: scrub(x, k) for k, x in v.items() if k != "allocated_on_host"}
    if isinstance(v, list):
        return [scrub(x, key) for x in v]
    if key in ("path", "file") and isinstance(v, str):
        return "<path>"
    return v
a = scrub(json.load(open(sys.argv[1], encoding="utf-8")))
b = scrub(json.load(open(sys.argv[2], encoding="utf-8")))
if a != b:
    print(json.dumps(a, indent=1, sort_keys=True)[:3000]); print(json.dumps(b, indent=1, sort_keys=True)[:3000])
    sys.exit(1)
PY
    fi

    # export --raw to a new file whose name is not ASCII (wmain's UTF-8 argv), then to stdout.
    want=$(expected_sha "$leaf")
    out_name="export-ünïcødé-диск-$leaf.raw"
    win export export "X:\\$leaf" --raw "X:\\$out_name"
    expect_ok "vhdchain.exe export X:\\$leaf --raw X:\\$out_name"
    if [ ! -f "$example/$out_name" ]; then
      fail "export $leaf: no file named $out_name (non-ASCII arguments lost?): $(ls "$example" | grep export || true)"
    else
      got=$(sha_of "$example/$out_name")
      [ "$got" = "$want" ] || fail "export $leaf --raw FILE: SHA-256 $got, the specification's content is $want"
      echo "export $leaf: $(stat -c '%s bytes, %b blocks of %B allocated' "$example/$out_name"), SHA-256 ok"
    fi
    win export-stdout export "X:\\$leaf" --raw -
    expect_ok "vhdchain.exe export X:\\$leaf --raw -"
    got=$(sha_of "$scratch/export-stdout.out")
    [ "$got" = "$want" ] || fail "export $leaf --raw - (stdout): SHA-256 $got, want $want (text-mode stdout turns LF into CRLF)"
    if ((have_linux)); then
      linux_sha=$("$linux_cli" export "$scratch/example-linux/$leaf" --raw - | sha256sum | cut -d' ' -f1)
      [ "$got" = "$linux_sha" ] || fail "export $leaf: the Windows build's SHA-256 $got differs from the Linux build's $linux_sha"
    fi

    # An existing OUT is refused without --force, replaced with it.
    win export-again export "X:\\$leaf" --raw "X:\\$out_name"
    [ "$status" = 3 ] && grep -q 'already exists' "$scratch/export-again.err" ||
      fail "export over an existing file without --force: exit $status, $(tr -d '\r' <"$scratch/export-again.err" | head -2)"
    win export-force export "X:\\$leaf" --raw "X:\\$out_name" --force
    expect_ok "vhdchain.exe export --force over an existing file"
    [ -f "$example/$out_name" ] && [ "$(sha_of "$example/$out_name")" = "$want" ] || fail "export --force: wrong content"
    rm -f "$example/$out_name"
  done

  # One file through two drive letters: Y:\BASE.VHDX is X:\base.vhdx (FileIdInfo), so exporting
  # onto it must be refused as overwriting an input, whatever the name says.
  base_before=$(sha_of "$example/base.vhdx")
  win export-alias export "X:\\$vhdx_leaf" --raw 'Y:\BASE.VHDX' --force
  if [ "$status" = 3 ] && grep -q "one of the chain's own files" "$scratch/export-alias.err"; then
    echo "alias: export onto Y:\\BASE.VHDX (= X:\\base.vhdx) refused as an input"
  else
    fail "export onto Y:\\BASE.VHDX, an input through another drive letter: exit $status, $(tr -d '\r' <"$scratch/export-alias.err" | head -2)"
  fi
  [ "$(sha_of "$example/base.vhdx")" = "$base_before" ] || fail "base.vhdx changed"

  # check --json gives the same report as the Linux build, paths aside: on the example chains, and
  # on every real image of ../shared/testdata (Hyper-V, Windows, qemu, DiscUtils...; decompressed
  # sparse into the scratch folder, which wine sees as Z:). Paths are compared after mapping both roots to <dir>;
  # free space is the host's; and a Windows host tries stored absolute C:\ paths itself, so its
  # candidates and locator.not_found findings legitimately differ.
  compare_check() {  # compare_check NAME WINDOWS_ROOT LINUX_ROOT
    python3 - "$scratch/$1.out" "$scratch/$1-linux.json" "$2" "$3" <<'PY' || fail "check --json ($1) differs between the Windows and Linux builds"
import json, sys
win_root, linux_root = sys.argv[3].rstrip("\\"), sys.argv[4].rstrip("/")
def norm(s, root, sep):
    return s.replace(root, "<dir>").replace(sep, "/") if sep == "\\" else s.replace(root, "<dir>")
def scrub(v, root, sep, key=None):
    if isinstance(v, dict):
        return {k: scrub(x, root, sep, k) for k, x in v.items()
                if k not in ("free_bytes", "candidates", "windows_path", "other_paths",
                             # the host's own facts about each copy: when it was written, what its
                             # file system allocated, how the path was typed, the volume's id
                             "mtime", "allocated_bytes", "given_path", "volumes",
                             # growth counts a sparse fixed disk's holes (capacity.fixed_sparse), and
                             # wine reports the decompressed sparse images as fully allocated
                             "growth_bytes")}
    if isinstance(v, list):
        items = [scrub(x, root, sep, key) for x in v]
        if key == "findings":
            items = [f for f in items if f.get("code") not in ("locator.not_found", "capacity.volume_overcommitted",
                                                                  "capacity.merge_exceeds_free", "capacity.fixed_sparse")]
            # A parent finding lists every candidate with its outcome: those differ by platform.
            items = [{k: x for k, x in f.items() if k not in ("message", "paths")} if f.get("code", "").startswith("parent.") else f
                     for f in items]
        return items
    if isinstance(v, str) and key in ("path", "leaf", "base", "message", "error") or (isinstance(v, str) and key in ("layers", "paths", "children")):
        return norm(v, root, sep)
    return v
a = scrub(json.load(open(sys.argv[1], encoding="utf-8")), win_root, "\\")
b = scrub(json.load(open(sys.argv[2], encoding="utf-8")), linux_root, "/")
for doc in (a, b):
    doc.pop("status", None); doc.pop("exit_code", None); doc.pop("summary", None)
    for c in doc["chains"]:
        c.pop("severity", None)
def differences(x, y, where="$"):
    if type(x) != type(y):
        yield where, x, y
    elif isinstance(x, dict):
        for k in sorted(set(x) | set(y)):
            yield from differences(x.get(k), y.get(k), where + "." + k)
    elif isinstance(x, list):
        if len(x) != len(y):
            yield where + " (length)", len(x), len(y)
        for i, (p, q) in enumerate(zip(x, y)):
            yield from differences(p, q, "%s[%d]" % (where, i))
    elif x != y:
        yield where, x, y
if a != b:
    for where, x, y in list(differences(a, b))[:20]:
        print("%s: windows %s, linux %s" % (where, json.dumps(x)[:300], json.dumps(y)[:300]))
    sys.exit(1)
print("check --json: same report as the Linux build (%d disks, %d findings)" % (len(a["disks"]), len(a["findings"])))
PY
  }
  win check-example check --json 'X:\'
  [ "$status" -le 1 ] || fail "vhdchain.exe check --json X:\\ (exit $status): $(tr -d '\r' <"$scratch/check-example.err" | head -5)"
  if ((have_linux)); then
    "$linux_cli" check --json "$scratch/example-linux" >"$scratch/check-example-linux.json" || true
    compare_check check-example 'X:\' "$scratch/example-linux"
  fi
  shared=${VHDCHAIN_SHARED:-$root/../shared}
  if ((have_linux)) && [ -d "$shared/testdata/dissect" ]; then
    # Every real image, decompressed sparse (holes where the image had zeros) into one folder per source.
    mkdir -p "$scratch/real"
    python3 - "$shared/testdata" "$scratch/real" <<'PY'
import bz2, gzip, os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
def copy_sparse(f, path):
    with open(path, "wb") as out:
        while chunk := f.read(1 << 20):
            if chunk.count(0) == len(chunk):
                out.seek(len(chunk), 1)
            else:
                out.write(chunk)
        out.truncate()
count = 0
for folder in sorted(os.listdir(src)):
    here = os.path.join(src, folder)
    if not os.path.isdir(here) or folder == "libvhdi-fragments":  # structure fragments, not disks
        continue
    os.makedirs(os.path.join(dst, folder), exist_ok=True)
    for name in sorted(os.listdir(here)):
        path, out = os.path.join(here, name), os.path.join(dst, folder)
        if name.endswith(".gz"):
            with gzip.open(path) as f: copy_sparse(f, os.path.join(out, name[:-3]))
        elif name.endswith(".bz2"):
            with bz2.open(path) as f: copy_sparse(f, os.path.join(out, name[:-4]))
        elif name.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for member in z.namelist():
                    with z.open(member) as f: copy_sparse(f, os.path.join(out, os.path.basename(member)))
        else:
            with open(path, "rb") as f: copy_sparse(f, os.path.join(out, name))
        count += 1
print("real images: %d files decompressed" % count)
PY
    win_real="Z:$(echo "$scratch/real" | tr / '\\')"
    win check-real check --json "$win_real"
    set +e
    "$linux_cli" check --json "$scratch/real" >"$scratch/check-real-linux.json"
    linux_status=$?
    set -e
    [ "$status" = "$linux_status" ] || fail "check --json on the real images: exit $status under wine, $linux_status on Linux"
    [ "$status" = 2 ] || fail "vhdchain.exe check --json on the real images: exit $status (want 2: dissect's orphan checkpoint)"
    compare_check check-real "$win_real" "$scratch/real"
  elif [ "${CI:-}" = true ]; then
    fail "no ../shared/testdata for the real-image check comparison"
  fi

  # Seed 000 through the Win32 APIs: a child whose locators reach its parent through X: (relative)
  # and Y: (absolute), and one folder scanned through both letters. Wine gives each drive letter a
  # volume name of its own; the volume serial number FileIdInfo reports for both is what tells
  # check they are one file system (src/hostpath/alias_analysis.cc). The child is made by the Linux
  # build with --map, since a Windows create resolves Y:\ to the final path X:\ as Hyper-V does.
  # After the comparisons above, which scan all of X:.
  if ((have_linux)); then
    mkdir -p "$example/alias-chain"
    "$linux_cli" create --size 64M "$example/alias-chain/base.vhdx" >/dev/null
    "$linux_cli" create --parent "$example/alias-chain/base.vhdx" --map "Y:\\=$example" \
      "$example/alias-chain/child.avhdx" >/dev/null
    win alias-check check --json 'X:\alias-chain\child.avhdx'
    python3 - "$scratch/alias-check.out" "$status" <<'PY' || fail "check of a child whose locators reach its parent through X: and Y:: not the alias finding (exit $status; $scratch/alias-check.out)"
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
codes = sorted(f["code"] for f in report["findings"])
print("alias: check X:\\alias-chain\\child.avhdx (locators .\\base.vhdx and Y:\\alias-chain\\base.vhdx): exit %s, findings %s"
      % (sys.argv[2], codes))
alias = [f for f in report["findings"] if f["code"] == "alias.locators_via_two_mounts"]
if alias:
    print("alias: " + alias[0]["message"])
sys.exit(0 if codes == ["alias.locators_via_two_mounts"] and sys.argv[2] == "1"
         and alias[0]["paths"] == ["X:\\alias-chain\\child.avhdx", "X:\\alias-chain\\base.vhdx", "Y:\\alias-chain\\base.vhdx"]
         else 1)
PY
    # The same files through both letters: each disk reached twice.
    win alias-twice check --json 'X:\alias-chain' 'Y:\alias-chain'
    python3 - "$scratch/alias-twice.out" <<'PY' || fail "check X:\\alias-chain Y:\\alias-chain: not two alias.disk_seen_twice ($scratch/alias-twice.out)"
import json, sys
codes = [f["code"] for f in json.load(open(sys.argv[1], encoding="utf-8"))["findings"]]
print("alias: check of one folder through X: and Y:: %s" % sorted(codes))
sys.exit(0 if codes.count("alias.disk_seen_twice") == 2 else 1)
PY
    rm -rf "$example/alias-chain"
  fi

  # merge through the Win32 file API (CreateFileW, FlushFileBuffers, MoveFileExW for the journal
  # and marker, the buffer copy where wine has no block cloning, the unbuffered read sample): the
  # VHDX leaf into the base (two sources) and the VHD leaf into its parent, each on a copy of the
  # example. The merged target must read as the leaf did (the specification's SHA-256), the plan
  # must equal the Linux build's (paths, free space and timings aside), the JSON progress lines
  # must end at the total, and no marker or journal may be left.
  mkdir -p "$example/merge-test"
  cp "$example"/base*.vhdx "$example"/base_*.avhdx "$example"/legacy*.vhd "$example"/legacy_*.avhd "$example/merge-test/"
  for pair in "$vhdx_leaf base.vhdx" "$vhd_leaf legacy.vhd"; do
    read -r leaf target <<<"$pair"
    win merge-plan merge --dry-run --json "X:\\merge-test\\$leaf" --into "X:\\merge-test\\$target"
    expect_ok "vhdchain.exe merge --dry-run --json $leaf --into $target"
    if ((have_linux)); then
      rm -rf "$scratch/merge-linux" && cp -r "$example/merge-test" "$scratch/merge-linux"
      "$linux_cli" merge --dry-run --json "$scratch/merge-linux/$leaf" --into "$scratch/merge-linux/$target" \
        >"$scratch/merge-plan-linux.json"
      python3 - "$scratch/merge-plan.out" "$scratch/merge-plan-linux.json" "$example/merge-test" <<'PY' || fail "merge --dry-run --json $leaf: the Windows plan differs from the Linux one, or has no estimate"
import json, ntpath, os, sys
win, lin = (json.load(open(f, encoding="utf-8")) for f in sys.argv[1:3])
e = win["estimate"]
largest = max(win["sources"], key=lambda s: s["bytes"])
size = os.path.getsize(os.path.join(sys.argv[3], ntpath.basename(e["sampled"])))
print("merge plan under wine: %d blocks, %d bytes to copy; estimate %.3f s from %d bytes of %s (uncached: %s)"
      % (win["blocks_touched"], win["bytes_to_copy"], e["seconds"], e["sample_bytes"], e["sampled"], e["sample_uncached"]))
ok = e["sampled"] == largest["path"] and e["sample_bytes"] == min(size >> 20, 32) << 20
def scrub(v, key=None):
    if isinstance(v, dict):
        return {k: scrub(x, k) for k, x in v.items() if k not in ("free_bytes", "estimate", "estimated_seconds")}
    if isinstance(v, list):
        return [scrub(x, key) for x in v]
    if key in ("path", "child", "target") and isinstance(v, str):
        return ntpath.basename(v) if "\\" in v else os.path.basename(v)
    return v
if scrub(win) != scrub(lin):
    print(json.dumps(scrub(win), sort_keys=True)); print(json.dumps(scrub(lin), sort_keys=True))
    ok = False
sys.exit(0 if ok else 1)
PY
    fi
    win merge merge --yes --json --progress json "X:\\merge-test\\$leaf" --into "X:\\merge-test\\$target"
    expect_ok "vhdchain.exe merge $leaf --into $target"
    python3 - "$scratch/merge.err" <<'PY' || fail "merge $leaf under wine: the --progress json lines do not end at the total ($scratch/merge.err)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8").read().replace("\r", "").splitlines() if l.strip()]
done = [l["bytes_done"] for l in lines]
sys.exit(0 if lines and done == sorted(done) and done[-1] == lines[-1]["bytes_total"] and lines[-1]["eta_seconds"] == 0 else 1)
PY
    win merged-export export "X:\\merge-test\\$target" --raw -
    expect_ok "vhdchain.exe export of the merged $target"
    got=$(sha_of "$scratch/merged-export.out")
    [ "$got" = "$(expected_sha "$leaf")" ] || fail "merge $leaf --into $target under wine: the target reads $got, the leaf read $(expected_sha "$leaf")"
    echo "merge under wine: $leaf into $target: the target reads as the leaf did (SHA-256 ok)"
  done
  # The record of kept sources (TARGET.vhdchain-merged, issue 16) stays by design; nothing else may.
  leftovers=$(ls -A "$example/merge-test" | grep -F '.vhdchain-' | grep -v '\.vhdchain-merged$' || true)
  [ -z "$leftovers" ] || fail "merge left files behind: $leftovers"
  rm -rf "$example/merge-test" "$scratch/merge-linux"

  # Nothing left behind: no temp files of the exports.
  leftovers=$(ls -A "$example" | grep -F '.vhdchain-' || true)
  [ -z "$leftovers" ] || fail "temp files left behind: $leftovers"
  echo "CLI: $cli_checks vhdchain.exe runs in $((SECONDS - cli_started)) s"
fi

echo
echo "== summary =="
echo "unit tests: $unit_counts"
echo "write tests: $write_counts"
echo "builder tests: $builder_counts"
echo "corruption tests: $corruption_counts"
echo "total time: $((SECONDS - started)) s"
if ((${#failures[@]})); then
  printf '  %s\n' "${failures[@]}"
  echo "windows-test: FAILED: ${#failures[@]} failure(s) under wine (see above)"
  exit 1
fi
echo "windows-test: all passed"
