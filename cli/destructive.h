// The rule every command that changes existing disks follows (merge, repair, and compact/convert):
//   1. the plan is printed first (by the command: only it knows what the plan is);
//   2. on a terminal the admin is asked (y/N); elsewhere it proceeds only with --yes, and otherwise
//      exits 3 saying so, having written nothing;
//   3. SIGINT / SIGTERM do not kill it mid-write: they set a flag the library checks at its next
//      safe point (between batches), where the command stops and says what state the files are in
//      and which command finishes the job; exit 128 + the signal number (130, 143);
//   4. a final summary with elapsed time and rate;
//   5. --json output with schema_version first, in document order (nlohmann::ordered_json).
// The pieces are here so each command calls them the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace vhdchain::cli {

// The version of the JSON documents the write commands print (merge, repair); 1 since issue 16.
inline constexpr int kWriteJsonSchemaVersion = 1;

// --yes,-y on `sub`: write without asking (the only way to write when not on a terminal).
CLI::Option* add_yes_option(CLI::App* sub, bool& yes);

// True when a person can answer: stdin and stderr are both terminals.
bool interactive();

enum class Consent {
  granted,      // --yes, or "y" typed at the terminal
  declined,     // asked on a terminal, answered anything but y / yes (or end of input)
  needs_yes,    // not on a terminal and no --yes
};

// Call after the plan was printed. On a terminal asks `question` on stderr with " [y/N] " (so a
// --json document on stdout stays clean) unless `yes`; off a terminal grants only with `yes`.
Consent ask_consent(const std::string& question, bool yes);

// The exit status of a command that did not get consent, after printing why on stderr:
// declined: "not confirmed: nothing was written", 1; needs_yes: "not on a terminal: nothing was
// written; rerun with --yes to write", 3.
int exit_without_consent(Consent consent);
std::string_view without_consent_message(Consent consent);

// SIGINT and SIGTERM while a write runs: the first one sets a flag (the library's stop_requested
// callback reads it) and the write stops at its next safe point; a second one ends the process at
// once with the default action. Installed for the lifetime of the object (one at a time).
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  bool requested() const;
  int signal_number() const;        // 0 when none arrived
  std::string signal_name() const;  // "SIGINT", "SIGTERM"
  int exit_code() const { return 128 + signal_number(); }
};

// The command line as typed (argv, each argument quoted for a POSIX shell or cmd when it needs it),
// for "run ... to finish". app.cc records it before parsing.
void remember_command_line(int argc, char** argv);
const std::string& command_line();

// The final summary's figures: "40 GiB in 3m12s (213 MiB/s)".
double bytes_per_second(uint64_t bytes, double seconds);
std::string amount_in_time(uint64_t bytes, double seconds);

// Seconds since construction (the write's elapsed time).
class WriteClock {
 public:
  WriteClock() : started_(std::chrono::steady_clock::now()) {}
  double seconds() const;

 private:
  std::chrono::steady_clock::time_point started_;
};

}  // namespace vhdchain::cli
