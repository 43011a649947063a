#!/usr/bin/env bash
# ctest completion_current: the bash completion (scripts/vhdchain.bash-completion) offers exactly
# the commands and, per command, exactly the options `vhdchain COMMAND --help` lists, and completes
# the fixed values of --format, --type and --progress.
#   completion_current.sh VHDCHAIN COMPLETION_FILE
set -euo pipefail
vhdchain=$1 completion=$2
failures=0
complete_line() {  # the words of a command line, the last being completed -> COMPREPLY, sorted
  bash -c 'shopt -s extglob; source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vhdchain
           printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$completion" "$@"
}
expect() {  # WANT WORDS...
  local want=$1 got
  shift
  got=$(complete_line "$@")
  if [ "$got" != "$want" ]; then
    echo "FAILED: completing '$*': got [$got], want [$want]"
    failures=$((failures + 1))
  fi
}
commands=$("$vhdchain" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}' | sort | tr '\n' ' ')
expect "$commands" vhdchain ""
for command in $commands; do
  options=$("$vhdchain" "$command" --help | sed -n '/^Options:/,/^$/p' | grep -oE '^  (-[a-z],)?--[a-z-]+' |
            tr ',' '\n' | tr -d ' ' | grep -v '^$' | sort | tr '\n' ' ')
  # Typing "-" offers the command's options and the global ones that may follow the command.
  want=$(printf '%s\n' $options -v --verbose -q --quiet --no-color | sort -u | tr '\n' ' ')
  expect "$want" vhdchain "$command" -
done
expect "human json nagios prometheus " vhdchain check --format ""
expect "dynamic fixed " vhdchain create --type ""
expect "auto json none " vhdchain merge --progress ""
((failures == 0)) && echo "completion: every command and option of --help, and the fixed values"
((failures == 0))
