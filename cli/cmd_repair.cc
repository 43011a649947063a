// vhdchain repair: re-point a child at its parent, fix alias links, replay logs. (Being written.)
#include "commands.h"
#include "exit_codes.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {

Command add_repair_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("repair", "Repair parent links and pending logs (not available yet)");
  return {sub, [] { throw Error(ErrorCode::unsupported, "repair: not available yet"); return 0; }};
}

}  // namespace vhdchain::cli
