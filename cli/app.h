// The command line: global options, subcommand dispatch, and the one place errors become exit codes.
#pragma once

namespace vhdchain::cli {

int run(int argc, char** argv);

}  // namespace vhdchain::cli
