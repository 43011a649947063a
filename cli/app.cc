// Wiring the CLI11 app. Every failure ends here: a parse error becomes exit 3 with CLI11's message,
// a vhdchain::Error becomes "vhdchain: <message>" and the status exit_code_for() gives it, so no
// CLI11 code (100+) and no uncaught exception ever reaches the shell.
#include "app.h"

#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "console.h"
#include "destructive.h"
#include "exit_codes.h"
#include "fault_hook.h"

#include "vhdchain_version.h"  // VHDCHAIN_VERSION, from git at build time (cmake/git_version.cmake)

namespace vhdchain::cli {
namespace {

constexpr const char* kDescription =
    "vhdchain reads, checks, repairs and merges Hyper-V VHDX, AVHDX and VHD files and their\n"
    "differencing chains, on Windows hosts and on the Linux machines copied disks are analysed on.\n"
    "info, export and check never write to a disk; create, repair and merge write only what they\n"
    "show first (--dry-run shows it and stops).";

constexpr const char* kFooter = R"(Examples:
  vhdchain info disk.vhdx                        what the file says about itself
  vhdchain info --json /vms/*.avhdx              the same as JSON (docs/info-json.md)
  vhdchain export disk_3F2A.avhdx --raw disk.raw the chain's virtual disk, as a sparse raw image
  vhdchain export disk_3F2A.avhdx --raw - | sha256sum
  vhdchain check /vms                            every chain under a folder: broken links, aliases, space
  vhdchain check --json /vms                     the same for scripts and monitoring (docs/check-json.md)
  vhdchain create --parent base.vhdx child.avhdx a differencing disk over base.vhdx
  vhdchain repair CHILD --set-parent PARENT      re-point a child at the disk it was made from
  vhdchain merge --dry-run disk_3F2A.avhdx       what merging a checkpoint into its parent would do

Run 'vhdchain COMMAND --help' for a command's options; -v, -q and --no-color may also follow
the command.
Exit status (monitoring-plugin convention): 0 OK, 1 WARNING (check found something to act on),
2 CRITICAL (an image is structurally broken, a parent is missing or does not match), 3 UNKNOWN
(bad arguments, unreadable input).
Logs and errors go to stderr; colour only on a terminal, never with NO_COLOR or TERM=dumb.)";

// The first argument that is not an option: what the user meant as the command.
std::string first_operand(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return argv[i];
  return {};
}

int run_command(const Command& command) {
  try {
    return command.run();
  } catch (const Error& e) {
    report_error(e.what());
    return exit_code_for(e.code());
  } catch (const std::bad_alloc&) {
    report_error("out of memory");
    return kExitUnknown;
  } catch (const std::exception& e) {
    report_error(fmt::format("internal error: {}", e.what()));
    return kExitUnknown;
  }
}

}  // namespace

int run(int argc, char** argv) {
  install_fault_hook_from_environment();
  remember_command_line(argc, argv);
  CLI::App app(kDescription, "vhdchain");
  app.set_version_flag("--version", "vhdchain " VHDCHAIN_VERSION);
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global options also after the command: `vhdchain info -v x.vhdx`

  ConsoleOptions console;
  CLI::Option* verbose = app.add_flag("-v,--verbose", console.verbosity, "More detail on stderr (repeat: -vv, -vvv)");
  app.add_flag("-q,--quiet", console.quiet, "Only errors on stderr, no progress")->excludes(verbose);
  app.add_flag("--no-color", console.no_color, "Never colour stderr (also: NO_COLOR set, TERM=dumb)");

  const std::vector<Command> commands = {add_info_command(app), add_export_command(app), add_check_command(app),
                                         add_create_command(app), add_repair_command(app),
                                         add_merge_command(app), add_convert_command(app),
                                         add_compact_command(app)};

  if (argc <= 1) {
    std::cerr << app.help();
    return kExitUnknown;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --help-all, --version: printed to stdout by CLI11
    app.exit(e);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string help = "vhdchain --help";
    const Command* parsed = nullptr;
    for (const Command& c : commands)
      if (c.app->parsed()) parsed = &c;
    std::string message = e.what();
    if (parsed) {
      help = fmt::format("vhdchain {} --help", parsed->app->get_name());
    } else if (std::string unknown = first_operand(argc, argv); !unknown.empty()) {
      // CLI11 says "A subcommand is required" for a misspelt command: name it instead.
      std::string names;
      for (const Command& c : commands) names += (names.empty() ? "" : ", ") + c.app->get_name();
      message = fmt::format("unknown command '{}' (commands: {})", unknown, names);
    }
    report_error(fmt::format("{}\nRun '{}' for usage.", message, help));
    return kExitUnknown;
  }

  setup_console(console);
  for (const Command& c : commands)
    if (c.app->parsed()) return run_command(c);
  return kExitUnknown;  // unreachable: require_subcommand(1)
}

}  // namespace vhdchain::cli
