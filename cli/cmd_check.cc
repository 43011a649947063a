// vhdchain check PATH...: every disk under the paths, linked into chains, with findings for admins
// (a tree), scripts (--json) and monitoring (--format prometheus, exit status).
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "check_output.h"
#include "check_policy.h"
#include "commands.h"
#include "console.h"
#include "output_file.h"
#include "volumes_file.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(Folders are searched recursively for .vhdx, .avhdx, .vhd and .avhd files; files named on
the command line are taken whatever their name. Every differencing disk's parent is resolved
from its locators in the format's order (VHDX: relative_path, volume_path, absolute_win32_path;
VHD: W2ru, W2ku, the header's parent name, Wi2r, Wi2k), then by file name beside the child, and
followed even outside the given paths. Nothing is written: pending VHDX logs are replayed in memory.

Disks copied from a Windows host: --map tells where its drives, volumes and shares are here, and
--volumes gives its volume list so that two mount points of one volume are recognised (a stale
C:\ClusterStorage.000, or C:\Hyper-V\ and D:\ being the same volume).

Examples:
  vhdchain check /var/lib/vms                         the forest under a folder, as a tree
  vhdchain check --json D:\VMs | jq '.findings[]'     findings for a script
  vhdchain check --map 'C:\=/mnt/host-c' --volumes mountvol.txt /mnt/host-c/Hyper-V
  vhdchain check --format prometheus --output /var/lib/prometheus/node-exporter/vhdchain.prom /vms

--volumes FILE: the output of `mountvol` (no arguments) saved on the host, or of
  Get-CimInstance Win32_Volume | Select-Object DeviceID,Name | ConvertTo-Json > volumes.json

Exit status (monitoring-plugin convention): 0 OK; 1 WARNING (a finding of severity warning);
2 CRITICAL (a chain is broken: parent missing or mismatched, cycle, corrupt disk); 3 UNKNOWN (bad
arguments, or a disk or folder could not be read and nothing critical was found).
Finding codes: docs/check.md. JSON schema: docs/check-json.md.)";

struct CheckOptions {
  std::vector<std::string> paths;
  bool json = false;
  std::string format = "human";
  std::string output;
  std::vector<std::string> maps;
  std::string volumes;
  bool deep = false;
  size_t max_depth = 4096;
  PolicyArguments policy;
};

int run_check_command(const CheckOptions& o) {
  check::Options options;
  for (const std::string& m : o.maps) options.map.add(hostpath::parse_path_mapping(m));
  if (!o.volumes.empty()) options.volumes = load_volumes_file(o.volumes);
  options.deep = o.deep;
  options.max_depth = o.max_depth;
  options.policy = build_policy(o.policy);

  spdlog::info("checking {} path{}", o.paths.size(), o.paths.size() == 1 ? "" : "s");
  const check::Report report = check::run_check(o.paths, options);
  spdlog::info("{} disks, {} chains, {} findings", report.disks.size(), report.chains.size(), report.findings.size());

  const std::string format = o.json ? "json" : o.format;
  std::string text;
  if (format == "json") {
    text = check_json(report);
  } else if (format == "nagios") {
    text = check_nagios(report, !console_chatty());
  } else if (format == "prometheus") {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    text = check_prometheus(report, now.count());
  } else {
    const bool to_terminal = o.output.empty() || o.output == "-";
    // -q: the summary line alone, for scripts and cron mail that only want the verdict.
    text = console_chatty() ? check_text(report, to_terminal && stdout_colour_allowed()) : check_summary(report) + "\n";
  }
  write_output(o.output, text);
  return exit_code_for(report.status);
}

}  // namespace

Command add_check_command(CLI::App& app) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand("check", "Find every disk under PATHs, link chains, report what is broken");
  sub->add_option("PATH", o->paths, "Disk files and folders (searched recursively); read-only")->required()->type_name("");
  CLI::Option* json = sub->add_flag("--json", o->json, "Same as --format json");
  sub->add_option("--format", o->format, "human (default): a tree and findings; json: docs/check-json.md; "
                                         "prometheus: textfile-collector metrics; nagios: plugin output, status line with perfdata")
      ->check(CLI::IsMember({"human", "json", "prometheus", "nagios"}))
      ->type_name("FORMAT")
      ->excludes(json);
  sub->add_option("--output", o->output, "Write the report to FILE, replaced atomically (default: stdout)")
      ->type_name("FILE");
  sub->add_option("--map", o->maps, "Where a Windows root is on this host: 'C:\\=/mnt/host-c', "
                                    "'\\\\?\\Volume{GUID}\\=/mnt/v1', '\\\\srv\\share=/mnt/share' (repeatable)")
      ->type_name("WINROOT=PATH");
  sub->add_option("--volumes", o->volumes, "The Windows host's volume list: mountvol output or Win32_Volume JSON")
      ->type_name("FILE");
  sub->add_flag("--deep", o->deep, "Also validate every BAT entry and sector bitmap (reads more; payload is never read)");
  sub->add_option("--max-depth", o->max_depth, "Stop following parents after N layers (default 4096)")
      ->type_name("N")
      ->check(CLI::Range(size_t(1), size_t(1) << 20));
  sub->add_option("--warning", o->policy.warning,
                  "WARNING threshold (repeatable): overcommit=PCT% (all writable disks' growth over PCT% of a "
                  "volume's free space), checkpoint-growth=PCT% (checkpoints only; default 100%), free=SIZE")
      ->type_name("NAME=VALUE");
  sub->add_option("--critical", o->policy.critical, "CRITICAL threshold (repeatable): overcommit=PCT%, free=SIZE")
      ->type_name("NAME=VALUE");
  sub->add_option("--ignore", o->policy.ignore, "Drop findings of CODE (about a path matching GLOB) (repeatable)")
      ->type_name("CODE[:GLOB]");
  sub->add_option("--severity", o->policy.severity, "Give findings of CODE (about a path matching GLOB) LEVEL: "
                                                    "ok, info, warning, critical (repeatable)")
      ->type_name("CODE:LEVEL[:GLOB]");
  sub->add_option("--policy", o->policy.file, "Policy file: the same rules, one per line (docs/check.md)")
      ->type_name("FILE");
  sub->add_flag("--allow-empty", o->policy.allow_empty, "Finding no disk is OK (default: UNKNOWN, exit 3)");
  sub->footer(kFooter);
  return {sub, [o] { return run_check_command(*o); }};
}

}  // namespace vhdchain::cli
