#!/bin/sh
# The fleet files in contrib/ (issue 14): the Prometheus alert rules pass `promtool test rules`,
# and the systemd service and timer pass `systemd-analyze verify` (with ExecStart pointed at the
# built binary, which must exist for verify). promtool missing: skipped (exit 77), but a failure
# under CI=true or VHDCHAIN_REQUIRE_SHARED=1; systemd-analyze missing: skipped with a message.
# usage: check_contrib_test.sh SOURCE_DIR VHDCHAIN_BINARY
set -eu
src=$1
bin=$2
required=0
[ "${CI:-}" = true ] && required=1
[ "${VHDCHAIN_REQUIRE_SHARED:-}" = 1 ] && required=1

if command -v promtool >/dev/null 2>&1; then
  promtool check rules "$src/contrib/prometheus/vhdchain.rules.yml"
  (cd "$src/contrib/prometheus" && promtool test rules vhdchain.rules.test.yml)
elif [ "$required" = 1 ]; then
  echo "FAIL: promtool is not installed (Debian package prometheus; scripts/deps.sh installs it)" >&2
  exit 1
else
  echo "SKIP: promtool is not installed (Debian package prometheus)"
  exit 77
fi

if command -v systemd-analyze >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  sed "s|/usr/bin/vhdchain|$bin|" "$src/contrib/systemd/vhdchain-check.service" >"$tmp/vhdchain-check.service"
  cp "$src/contrib/systemd/vhdchain-check.timer" "$tmp/"
  out=$(cd "$tmp" && systemd-analyze verify --man=no ./vhdchain-check.service ./vhdchain-check.timer 2>&1) || {
    echo "$out" >&2
    exit 1
  }
  if [ -n "$out" ]; then
    echo "systemd-analyze verify complained:" >&2
    echo "$out" >&2
    exit 1
  fi
else
  echo "note: systemd-analyze is not installed; the systemd units were not verified"
fi
echo OK
