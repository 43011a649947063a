// The subcommands. Each add_*_command registers its CLI11 subcommand and returns how to run it once
// parsing has succeeded; running returns the exit status or throws vhdchain::Error (main maps it).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace vhdchain::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_info_command(CLI::App& app);
Command add_export_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_create_command(CLI::App& app);
Command add_repair_command(CLI::App& app);
Command add_merge_command(CLI::App& app);
Command add_convert_command(CLI::App& app);
Command add_compact_command(CLI::App& app);

}  // namespace vhdchain::cli
