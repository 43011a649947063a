#!/usr/bin/env bash
# Checks C++ formatting against .clang-format with Debian 12's clang-format 14 (package
# clang-format-14; other versions format differently). Changes nothing; prints each file that would
# change (with the diff under -v) and exits 1 if there is one.
#   scripts/format-check.sh            the .cc/.h files changed since the merge base with main
#                                      (committed, staged or not), the check for a branch
#   scripts/format-check.sh --all      every tracked .cc/.h file
#   scripts/format-check.sh FILE...    those files
#   -v                                 also show what clang-format would change
# To apply the format to files: clang-format-14 -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-clang-format-14}
command -v "$clang_format" >/dev/null || { echo "format-check: $clang_format not found; install clang-format-14 (scripts/deps.sh)" >&2; exit 2; }
version=$("$clang_format" --version)
[[ $version == *"version 14."* ]] || { echo "format-check: needs clang-format 14, $clang_format is: $version" >&2; exit 2; }

verbose=0 all=0 files=()
for a in "$@"; do
  case $a in
    -v) verbose=1 ;;
    --all) all=1 ;;
    -*) echo "usage: $0 [-v] [--all | FILE...]" >&2; exit 3 ;;
    *) files+=("$a") ;;
  esac
done
if ((all)); then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
elif ((${#files[@]} == 0)); then
  base=${VHDCHAIN_FORMAT_BASE:-main}
  since=$(git merge-base HEAD "$base" 2>/dev/null) || { echo "format-check: no branch '$base' to compare with; give --all or files (or VHDCHAIN_FORMAT_BASE)" >&2; exit 2; }
  mapfile -t files < <({ git diff --name-only --diff-filter=d "$since" -- '*.cc' '*.h'; git ls-files --others --exclude-standard -- '*.cc' '*.h'; } | sort -u)
fi

unformatted=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! "$clang_format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    unformatted=$((unformatted + 1))
    echo "not formatted: $f"
    ((verbose)) && { "$clang_format" --style=file "$f" | diff -u "$f" - || true; }
  fi
done
echo "format-check: ${#files[@]} file(s) checked, $unformatted not formatted"
((unformatted == 0))
