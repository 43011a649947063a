// The CLI's stderr: logging (spdlog) with the colour policy of clig.dev, and error reports.
//
// Data goes to stdout; everything else (errors, warnings, -v detail, progress) to stderr. Colour only
// when stderr is a terminal, TERM is not "dumb", NO_COLOR is unset or empty and --no-color was not
// given. spdlog 1.10 checks isatty and TERM but not NO_COLOR, so we decide and pass the mode.
#pragma once

#include <string_view>

namespace vhdchain::cli {

struct ConsoleOptions {
  int verbosity = 0;  // -v count
  bool quiet = false;
  bool no_color = false;
};

// Sets up the "vhdchain" default logger: warnings by default, -v info, -vv debug, -vvv trace,
// -q errors only (error reports below are printed regardless).
void setup_console(const ConsoleOptions& options);

bool stderr_is_terminal();
bool colour_allowed(bool no_color_flag, bool is_tty);
// True unless -q was given; for progress and similar chatter.
bool console_chatty();
// Colour on stdout (human reports): stdout is a terminal and the same policy as stderr allows it.
bool stdout_colour_allowed();

// "vhdchain: <message>" on stderr; always shown, -q or not.
void report_error(std::string_view message);

}  // namespace vhdchain::cli
