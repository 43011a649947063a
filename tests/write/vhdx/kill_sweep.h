// Kill tests of a write command run as a process (cli/fault_hook.h): the command is run once with
// VHDCHAIN_FAULT_COUNT_FILE to learn how many I/O events it makes, then once per N from 1 to that
// total with VHDCHAIN_FAULT_AFTER_IO=N, which kills it (SIGKILL) right after its N-th event.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace vhdchain::test {

// The I/O events the command makes when it runs to the end ("write PATH", "flush PATH", ...), and
// how it ended.
struct CountedRun {
  CliRun run;
  std::vector<std::string> events;
};
CountedRun run_counting_io(const std::vector<std::string>& args);

// Runs the command killed after its n-th I/O event.
CliRun run_killed_after(uint64_t n, const std::vector<std::string>& args);

// Which events a sweep kills after. A kill right after a flush leaves every file as the kill right
// after the event before it (SIGKILL loses nothing the page cache holds; a flush changes no byte
// anyone reads), so `all_but_flushes` skips those points and still stops the command after every
// write, resize, rename and removal.
enum class KillPoints { every_event, all_but_flushes };

// For n = 1..total: restore(), run killed after n (asserting it was killed), then verify(n); with
// all_but_flushes, only for the n whose event is not a flush (n = 1 always). Returns total.
uint64_t sweep_kills(const std::vector<std::string>& args, const std::function<void()>& restore,
                     const std::function<void(uint64_t n)>& verify, KillPoints points = KillPoints::every_event);

// Starts the command and sends it SIGKILL after `delay_us` microseconds (it may finish first).
// Returns its exit status, or -1 when the signal stopped it.
int run_killed_at(uint64_t delay_us, const std::vector<std::string>& args);

}  // namespace vhdchain::test
