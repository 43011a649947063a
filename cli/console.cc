// Logging setup, colour policy and error reports (see console.h).
#include "console.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vhdchain::cli {
namespace {

bool g_chatty = true;
bool g_no_color = false;

spdlog::level::level_enum level_for(const ConsoleOptions& options) {
  if (options.quiet) return spdlog::level::err;
  switch (options.verbosity) {
    case 0: return spdlog::level::warn;
    case 1: return spdlog::level::info;
    case 2: return spdlog::level::debug;
    default: return spdlog::level::trace;
  }
}

}  // namespace

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

bool colour_allowed(bool no_color_flag, bool is_tty) {
  if (no_color_flag || !is_tty) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::strcmp(term, "dumb") == 0);
}

void setup_console(const ConsoleOptions& options) {
  g_chatty = !options.quiet;
  g_no_color = options.no_color;
  const auto mode = colour_allowed(options.no_color, stderr_is_terminal()) ? spdlog::color_mode::always
                                                                           : spdlog::color_mode::never;
  auto logger = spdlog::stderr_color_st("vhdchain", mode);
  logger->set_pattern("vhdchain: %^%l%$: %v");
  logger->set_level(level_for(options));
  spdlog::set_default_logger(logger);
}

bool console_chatty() { return g_chatty; }

bool stdout_colour_allowed() { return colour_allowed(g_no_color, ::isatty(STDOUT_FILENO) == 1); }

void report_error(std::string_view message) {
  // One write, so the message stays whole when stderr is shared with other processes.
  std::string line = fmt::format("vhdchain: {}\n", message);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace vhdchain::cli
