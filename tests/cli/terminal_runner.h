// The built CLI with stdin, stdout and stderr on a pseudo-terminal (POSIX only), for the output
// meant for a person at a terminal: progress lines, questions.
#pragma once

#include <string>
#include <vector>

namespace vhdchain::test {

struct TerminalRun {
  int exit_code = -1;
  std::string screen;  // everything the terminal showed, the echo of `input` included
  double seconds = 0;
};

// Runs VHDCHAIN_CLI_PATH with `args`. `input` is typed at the terminal as the program starts; the
// terminal holds it until the program reads (a line ends with "\n").
TerminalRun run_on_terminal(const std::vector<std::string>& args, const std::string& input = "");

}  // namespace vhdchain::test
