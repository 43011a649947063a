#include "destructive.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <iostream>

#include <fmt/format.h>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "exit_codes.h"
#include "human.h"
#include "transfer_rate.h"

namespace vhdchain::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void note_stop_signal(int sig) {
  if (g_signal != 0) {
    // The second signal: the admin insists; stop now (the writes are crash-safe at any point).
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_signal = sig;
}

std::string& recorded_command_line() {
  static std::string line;
  return line;
}

// Quoted when it holds anything a shell would interpret; single quotes as in POSIX sh (a Windows
// admin's paths with backslashes survive them in PowerShell too).
std::string quoted(std::string_view arg) {
  const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(arg);
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CLI::Option* add_yes_option(CLI::App* sub, bool& yes) {
  return sub->add_flag("--yes,-y", yes, "Write without asking (needed when not on a terminal)");
}

bool interactive() {
#ifdef _WIN32
  return _isatty(0) && _isatty(2);
#else
  return ::isatty(0) && ::isatty(2);
#endif
}

Consent ask_consent(const std::string& question, bool yes) {
  if (yes) return Consent::granted;
  if (!interactive()) return Consent::needs_yes;
  std::cout << std::flush;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return Consent::declined;
  return answer == "y" || answer == "Y" || answer == "yes" ? Consent::granted : Consent::declined;
}

std::string_view without_consent_message(Consent consent) {
  return consent == Consent::needs_yes ? "not on a terminal: nothing was written; rerun with --yes to write"
                                       : "not confirmed: nothing was written";
}

int exit_without_consent(Consent consent) {
  std::cerr << "vhdchain: " << without_consent_message(consent) << "\n";
  return consent == Consent::needs_yes ? kExitUnknown : kExitWarning;
}

StopOnSignal::StopOnSignal() {
  g_signal = 0;
  std::signal(SIGINT, note_stop_signal);
  std::signal(SIGTERM, note_stop_signal);
}

StopOnSignal::~StopOnSignal() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

bool StopOnSignal::requested() const { return g_signal != 0; }
int StopOnSignal::signal_number() const { return g_signal; }
std::string StopOnSignal::signal_name() const {
  if (g_signal == SIGINT) return "SIGINT";
  if (g_signal == SIGTERM) return "SIGTERM";
  return fmt::format("signal {}", static_cast<int>(g_signal));
}

void remember_command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    if (!line.empty()) line += ' ';
    line += i == 0 ? std::string("vhdchain") : quoted(argv[i]);
  }
  recorded_command_line() = line;
}

const std::string& command_line() { return recorded_command_line(); }

double WriteClock::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

double bytes_per_second(uint64_t bytes, double seconds) {
  return static_cast<double>(bytes) / std::max(seconds, 1e-3);
}

std::string amount_in_time(uint64_t bytes, double seconds) {
  return fmt::format("{} in {} ({}/s)", binary_size(bytes), human_duration(seconds),
                     binary_size(static_cast<uint64_t>(bytes_per_second(bytes, seconds))));
}

}  // namespace vhdchain::cli
