// The crash-test hook of the write commands (docs/testing-writes.md).
#pragma once

namespace vhdchain::cli {

// When VHDCHAIN_FAULT_AFTER_IO=N (N >= 1) is set, the process kills itself (SIGKILL; on Windows
// TerminateProcess with status 137) right after its N-th completed write, flush, resize, rename or
// remove, the way a power cut or `kill -9` would stop it. Kill tests run a command for every N from 1
// up to its total. VHDCHAIN_FAULT_COUNT_FILE=PATH instead appends one line per I/O event to PATH
// ("write|flush|resize|rename|remove PATH"), which is how the tests learn a command's total.
// With VHDCHAIN_FAULT_SIGNAL=INT (or TERM) as well, the N-th event raises that signal instead of
// killing: what Ctrl-C at that exact point does, deterministically (the interrupt tests).
// Without either variable nothing is installed.
void install_fault_hook_from_environment();

}  // namespace vhdchain::cli
