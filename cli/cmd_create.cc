// vhdchain create PATH: a new fixed, dynamic or differencing VHDX / VHD, built under a temporary
// name and published whole (include/vhdchain/write.h). --dry-run prints the plan and writes nothing.
#include <cctype>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "console.h"
#include "create_report.h"
#include "exit_codes.h"
#include "host_options.h"
#include "io/fs_ops.h"
#include "new_link_aliases.h"
#include "size_argument.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"
#include "write/volume_space.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(A new disk is written under a temporary name in PATH's folder (.NAME.vhdchain-partial), flushed
and renamed to PATH, so an interrupted create leaves no disk at all, never half of one; the next
create of the same name removes the leftover. An existing PATH is never replaced. A fixed disk's
payload is left as a hole (sparse), reading as zeros.

Defaults are Hyper-V's: dynamic; VHDX blocks 32 MiB (2 MiB for differencing), sectors 512
logical / 4096 physical; VHD blocks 2 MiB, sectors 512. A differencing disk takes its size and
sector sizes from PARENT, links to PARENT's identity (VHDX DataWriteGuid, VHD unique id) and
stores the parent locator Hyper-V writes: VHDX parent_linkage, absolute_win32_path,
relative_path, volume_path, parent_linkage2; VHD W2ku and W2ru (docs/vhd-writes.md). The relative
path comes from the two folders (symlinks resolved); off Windows the Windows forms come from --map
(used in reverse: which Windows root PARENT is under) and --volumes (the volume GUID form). PARENT's
own chain must open whole, or nothing is written. A link that passes through a second mount point
of the parent's volume or a ClusterStorage.NNN root (seed 000: what check then reports as
alias.parent_via_other_mount / alias.cluster_storage_root) is warned about; --strict refuses it.

Examples:
  vhdchain create --size 10G /vms/base.vhdx               dynamic, 10 GiB
  vhdchain create --size 512M --type fixed disk.vhdx       fixed, payload sparse
  vhdchain create --parent base.vhdx base_1.avhdx          a differencing child
  vhdchain create --parent /mnt/host-c/VMs/base.vhdx --map 'C:\=/mnt/host-c' \
                  --volumes mountvol.txt /mnt/host-c/VMs/child.avhdx
  vhdchain create --dry-run --json --parent base.vhdx child.avhdx

--json: one object, {"path", "created", "format", "type", "virtual_size", "block_size",
"logical_sector_size", "physical_sector_size", "file_size", "virtual_disk_id", "identity",
"parent": null or {"path", "identity", "locator": [{"key", "value"}...]}} (docs/create.md).

Exit status: 0 created (or planned, with --dry-run); 2 PARENT is missing or broken, or --strict
refused an aliased link; 3 bad
arguments, PATH exists, or the write failed.)";

struct CreateArgs {
  std::string path;
  std::string size;
  std::string parent;
  std::string type;
  std::string format;
  std::string block_size;
  uint32_t logical_sector_size = 0;
  uint32_t physical_sector_size = 0;
  std::vector<std::string> maps;
  std::string volumes;
  bool dry_run = false;
  bool json = false;
  bool strict = false;
};

bool ends_with_ignore_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[text.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}

std::optional<DiskFormat> format_from_name(std::string_view path) {
  if (ends_with_ignore_case(path, ".vhdx") || ends_with_ignore_case(path, ".avhdx")) return DiskFormat::vhdx;
  if (ends_with_ignore_case(path, ".vhd") || ends_with_ignore_case(path, ".avhd")) return DiskFormat::vhd;
  return std::nullopt;
}

DiskFormat choose_format(const CreateArgs& a) {
  const std::optional<DiskFormat> by_name = format_from_name(a.path);
  if (a.format.empty()) {
    if (!by_name)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: the name does not end in .vhdx, .avhdx, .vhd or .avhd: give --format", a.path));
    return *by_name;
  }
  const DiskFormat asked = a.format == "vhd" ? DiskFormat::vhd : DiskFormat::vhdx;
  if (by_name && *by_name != asked)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: the name says {} but --format says {}", a.path, to_string(*by_name), to_string(asked)));
  return asked;
}

CreateOptions create_options(const CreateArgs& a, const hostpath::PathMap& map,
                             const std::optional<hostpath::WindowsVolumeSet>& volumes) {
  CreateOptions o;
  o.format = choose_format(a);
  if (!a.parent.empty()) {
    o.type = DiskType::differencing;
    o.parent = a.parent;
    o.parent_paths = compose_parent_paths(a.path, a.parent, {&map, volumes ? &*volumes : nullptr});
  } else {
    if (a.size.empty()) throw Error(ErrorCode::invalid_argument, "give --size SIZE (or --parent PARENT for a differencing disk)");
    o.type = a.type == "fixed" ? DiskType::fixed : DiskType::dynamic;
    o.virtual_size = parse_size_argument("--size", a.size);
  }
  if (!a.block_size.empty()) {
    const uint64_t block = parse_size_argument("--block-size", a.block_size);
    if (block > UINT32_MAX)
      throw Error(ErrorCode::invalid_argument, fmt::format("--block-size \"{}\": too large", a.block_size));
    o.block_size = static_cast<uint32_t>(block);
  }
  o.logical_sector_size = a.logical_sector_size;
  o.physical_sector_size = a.physical_sector_size;
  return o;
}

int run_create(const CreateArgs& a) {
  const auto host = std::make_shared<const HostMapping>(load_host_mapping(a.maps, a.volumes));
  CreateOptions options = create_options(a, host->map, host->volumes);
  // The library opens the parent's whole chain (stored Windows paths through --map / --volumes, as
  // in check) and refuses a broken one before anything is written.
  options.chain_options = host_chain_options(host);
  if (!options.parent.empty()) {
    // Seed 000: a link through a second mount point or a ClusterStorage.NNN root (new_link_aliases.h).
    const std::vector<std::string> warnings = new_link_alias_warnings(a.path, options.parent, options.parent_paths, *host);
    for (const std::string& w : warnings) {
      if (a.strict) report_error(fmt::format("refused (--strict): {}", w));
      else spdlog::warn("{}", w);
    }
    if (a.strict && !warnings.empty()) return kExitCritical;
  }

  CreateReport report;
  try {
    if (a.dry_run) {
      report.disk = plan_create(a.path, options);
      // A fixed disk is allocated on the volume: refused, as create itself would refuse it.
      if (options.type == DiskType::fixed) write::require_volume_space(a.path, report.disk.file_size, "a fixed disk");
    } else {
      // What was written, as the reader finds it in the published file.
      const CreateResult result = create_disk(a.path, options);
      report = created_report(a.path, options.parent, result.info);
      spdlog::info("created {}", a.path);
    }
  } catch (const Error& e) {
    // No space for a fixed disk: refused before the first byte, or (the volume filling meanwhile)
    // while allocating the partial file, which is removed; PATH never appears. A refusal: exit 2.
    if (e.code() != ErrorCode::no_space) throw;
    report_error(e.what());
    return kExitCritical;
  }
  fmt::print("{}", a.json ? create_json(report).dump(2) + "\n" : create_text(report));
  return kExitOk;
}

}  // namespace

Command add_create_command(CLI::App& app) {
  auto a = std::make_shared<CreateArgs>();
  CLI::App* sub = app.add_subcommand("create", "Create a new fixed, dynamic or differencing disk (VHDX or VHD)");
  sub->add_option("PATH", a->path, "The new disk; must not exist")->required()->type_name("");
  CLI::Option* size = sub->add_option("--size", a->size, "Virtual size: bytes, or 512M, 10G, 1T (binary units)")
                          ->type_name("SIZE");
  CLI::Option* parent = sub->add_option("--parent", a->parent, "Make a differencing disk of PARENT (size and sectors come from it)")
                            ->type_name("PARENT");
  CLI::Option* type = sub->add_option("--type", a->type, "fixed or dynamic (default dynamic)")
                          ->check(CLI::IsMember({"fixed", "dynamic"}))
                          ->type_name("TYPE");
  size->excludes(parent);
  type->excludes(parent);
  sub->add_option("--format", a->format, "vhdx or vhd (default: from PATH's extension)")
      ->check(CLI::IsMember({"vhdx", "vhd"}))
      ->type_name("FORMAT");
  sub->add_option("--block-size", a->block_size, "Block size: VHDX a power of two from 1M to 256M")->type_name("SIZE");
  sub->add_option("--logical-sector-size", a->logical_sector_size, "512 or 4096 (default 512; a child: its parent's)")
      ->type_name("BYTES");
  sub->add_option("--physical-sector-size", a->physical_sector_size, "512 or 4096 (VHDX default 4096; a child: its parent's)")
      ->type_name("BYTES");
  add_host_options(sub, a->maps, a->volumes);
  sub->add_flag("--strict", a->strict, "Refuse (exit 2) a parent link that passes through a mount alias or a "
                                      "ClusterStorage.NNN root, instead of warning");
  sub->add_flag("--dry-run", a->dry_run, "Print what would be created, every locator key and value; write nothing");
  sub->add_flag("--json", a->json, "Print one JSON object (see below)");
  sub->footer(kFooter);
  return {sub, [a] { return run_create(*a); }};
}

}  // namespace vhdchain::cli
