#!/usr/bin/env bash
# Builds the Debian 12 package from the build folder scripts/test.sh made (cpack, cmake/install.cmake),
# installs it with apt as a user would, and runs the installed tool: `vhdchain --version`, `vhdchain
# check` on the example chains, the man page and the bash completion in place. Then removes it
# again. Run as root (.ci/run does). The .deb stays in build/ (vhdchain_<version>_<arch>.deb).
#   VHDCHAIN_BUILD   the build folder (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${VHDCHAIN_BUILD:-build}
[ -x "$build/cli/vhdchain" ] || { echo "package: no $build/cli/vhdchain; run scripts/test.sh (or bootstrap.sh) first" >&2; exit 2; }

echo "== cpack: Debian package =="
cmake --build "$build" --target vhdchain vhdchain-mkexample
rm -f "$build"/vhdchain_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/vhdchain_*.deb)
echo "built $deb"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\): /  \1: /p'

# A package of the same name already installed (a previous run that stopped half-way) goes first.
export DEBIAN_FRONTEND=noninteractive
dpkg -s vhdchain >/dev/null 2>&1 && apt-get remove -y -qq vhdchain >/dev/null
apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
trap 'apt-get remove -y -qq vhdchain >/dev/null || true' EXIT

failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
[ "$(command -v vhdchain)" = /usr/bin/vhdchain ] || fail "vhdchain is not /usr/bin/vhdchain: $(command -v vhdchain || echo missing)"
version=$(/usr/bin/vhdchain --version) || fail "vhdchain --version exited $?"
[ "$version" = "$("$build/cli/vhdchain" --version)" ] || fail "the installed --version '$version' is not the build's"
echo "\$ vhdchain --version"
echo "$version"
for f in /usr/share/man/man1/vhdchain.1 /usr/share/bash-completion/completions/vhdchain \
         /usr/include/vhdchain/disk_image.h; do
  [ -f "$f" ] || fail "the package has no $f"
done
ls /usr/lib/*/cmake/vhdchain/vhdchainConfig.cmake >/dev/null 2>&1 || ls /usr/lib/cmake/vhdchain/vhdchainConfig.cmake >/dev/null 2>&1 ||
  fail "the package has no lib/cmake/vhdchain/vhdchainConfig.cmake"
# man can read the page (no warnings from groff), when man-db is installed.
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=100 LC_ALL=C.UTF-8 man --warnings -l /usr/share/man/man1/vhdchain.1 2>&1 >/dev/null) || fail "man -l vhdchain.1"
  [ -z "$warnings" ] || fail "man page warnings: $warnings"
fi
# The completion loads and completes the command names.
words=$(bash -c 'source /usr/share/bash-completion/completions/vhdchain
  COMP_WORDS=(vhdchain "") COMP_CWORD=1 COMP_LINE="vhdchain " COMP_POINT=9; _vhdchain; echo "${COMPREPLY[*]}"')
[ "$words" = "check compact convert create export info merge repair" ] || fail "bash completion of 'vhdchain ': '$words'"

example=$(mktemp -d "${TMPDIR:-/tmp}/vhdchain-deb.XXXXXX")
"$build/tools/vhdchain-mkexample" "$example" >/dev/null
echo "\$ vhdchain check $example"
status=0
/usr/bin/vhdchain check "$example" || status=$?
rm -rf "$example"
[ "$status" -le 1 ] || fail "vhdchain check on the example: exit $status"

if ((failures)); then
  echo "package: FAILED ($failures)"
  exit 1
fi
echo "package: $deb installs and runs"
