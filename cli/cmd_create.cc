// vhdchain create: new fixed, dynamic and differencing VHDX / VHD disks. (Being written.)
#include "commands.h"
#include "exit_codes.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {

Command add_create_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("create", "Create a new disk (not available yet)");
  return {sub, [] { throw Error(ErrorCode::unsupported, "create: not available yet"); return 0; }};
}

}  // namespace vhdchain::cli
