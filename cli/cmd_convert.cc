// vhdchain convert SRC DST: Convert-VHD offline, and more (include/vhdchain/convert.h): a chain's
// leaf flattened, a VHD to a VHDX, a raw image imported, any of them to a fixed or dynamic VHDX or
// VHD or to a raw image. Planned first (the plan is printed before anything is written), then
// written under a partial name and published whole.
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "copy_estimate.h"
#include "copy_progress.h"
#include "exit_codes.h"
#include "host_chain.h"
#include "human.h"
#include "size_argument.h"
#include "vhdchain/convert.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(SRC is a VHDX or VHD (a differencing disk is flattened: DST reads as SRC does through its
chain, and has no parent), or a raw image (any other file; its size a multiple of 512). DST must
not exist. The format comes from --to, else from DST's extension (.vhdx/.avhdx, .vhd/.avhd,
.raw/.img/.bin); the type from --type, else SRC's (dynamic for a differencing disk or raw image).

A dynamic DST stores no block whose content is all zeros, whatever SRC stored there. A fixed DST
(and a fixed raw image) is allocated on its volume first, and refused, before anything is
written, when the volume lacks the space. Where SRC and DST align, data is copied by the kernel
or cloned (XFS, Btrfs, ReFS). DST is written as .DST.vhdchain-partial beside it and renamed when
complete: a convert killed at any point leaves no DST; running it again starts afresh.

The plan is printed first: the layers read, DST's geometry, the blocks that hold data, the file
size, and an estimate (32 MiB of the largest layer read around the page cache, halved). --dry-run
prints it and stops. --yes is accepted for scripts (convert writes only a new file, so it never asks).

Progress on stderr when it is a terminal; --progress=json writes JSON lines (bytes_done,
bytes_total, bytes_per_second, eta_seconds); --progress=none, -q or a pipe: nothing.

Examples:
  vhdchain convert --dry-run /vms/web/disk_3F2A.avhdx /backup/web.vhdx
  vhdchain convert old.vhd new.vhdx
  vhdchain convert --type fixed disk.vhdx disk-fixed.vhdx
  vhdchain convert disk.vhdx disk.raw
  vhdchain convert --to vhdx --block-size 2M image.img disk.vhdx

Exit status: 0 converted (or a plan that may run); 2 refused (not enough space for a fixed DST)
or SRC's chain is broken; 3 bad arguments or a failed write (DST does not exist then).)";

struct ConvertArgs {
  std::string source, destination, to, type, block_size, progress = "auto";
  uint32_t logical_sector_size = 0;
  bool dry_run = false, json = false, yes = false;
};

ConvertFormat format_for(const ConvertArgs& a) {
  if (!a.to.empty()) return a.to == "vhd" ? ConvertFormat::vhd : a.to == "raw" ? ConvertFormat::raw : ConvertFormat::vhdx;
  const size_t dot = a.destination.find_last_of("./\\");
  std::string ext = dot != std::string::npos && a.destination[dot] == '.' ? a.destination.substr(dot) : "";
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".vhdx" || ext == ".avhdx") return ConvertFormat::vhdx;
  if (ext == ".vhd" || ext == ".avhd") return ConvertFormat::vhd;
  if (ext == ".raw" || ext == ".img" || ext == ".bin") return ConvertFormat::raw;
  throw Error(ErrorCode::invalid_argument,
              fmt::format("{}: give --to vhdx|vhd|raw (the extension does not say the format)", a.destination));
}

ConvertOptions convert_options(const ConvertArgs& a) {
  ConvertOptions o;
  o.source = a.source;
  o.destination = a.destination;
  o.to = format_for(a);
  if (!a.type.empty()) o.type = a.type == "fixed" ? DiskType::fixed : DiskType::dynamic;
  if (!a.block_size.empty()) {
    const uint64_t block = parse_size_argument("--block-size", a.block_size);
    if (block > UINT32_MAX) throw Error(ErrorCode::invalid_argument, fmt::format("--block-size \"{}\": too large", a.block_size));
    o.block_size = static_cast<uint32_t>(block);
  }
  o.logical_sector_size = a.logical_sector_size;
  o.chain_options = host_chain_options();
  if (const char* no_clone = std::getenv("VHDCHAIN_CONVERT_NO_CLONE"); no_clone && std::string(no_clone) == "1")
    o.system_copy = false;
  std::error_code ec;
  std::filesystem::path folder = std::filesystem::u8path(a.destination).parent_path();
  if (folder.empty()) folder = ".";
  const auto space = std::filesystem::space(folder, ec);
  if (!ec) o.free_bytes = space.available;
  return o;
}

std::string source_kind(const ConvertPlan& p, size_t layer) {
  if (!p.source_format) return "raw";
  return std::string(to_string(*p.source_format)) + (layer + 1 < p.source_layers.size() ? " differencing" : "");
}

nlohmann::json plan_json(const ConvertPlan& p, const std::optional<CopyEstimate>& e) {
  return {{"source", p.source},
          {"source_format", p.source_format ? nlohmann::json(std::string(to_string(*p.source_format))) : "raw"},
          {"source_layers", p.source_layers},
          {"destination", p.destination},
          {"format", std::string(to_string(p.to))},
          {"type", std::string(to_string(p.type))},
          {"virtual_size", p.virtual_size},
          {"block_size", p.block_size},
          {"logical_sector_size", p.logical_sector_size},
          {"physical_sector_size", p.physical_sector_size},
          {"blocks", p.blocks},
          {"blocks_with_data", p.blocks_with_data},
          {"bytes_to_read", p.bytes_to_read},
          {"file_size_at_most", p.file_size_at_most},
          {"allocate_bytes", p.allocate_bytes},
          {"free_bytes", p.free_bytes ? nlohmann::json(*p.free_bytes) : nullptr},
          {"estimate", copy_estimate_json(e, p.bytes_to_read)},
          {"refusals", p.refusals}};
}

std::string plan_text(const ConvertPlan& p, const std::optional<CopyEstimate>& e) {
  std::string out = fmt::format("convert {}\n", p.source);
  for (size_t i = 0; i < p.source_layers.size(); ++i)
    out += fmt::format("  read        {} ({})\n", p.source_layers[i], source_kind(p, i));
  out += fmt::format("  into        {} ({} {})\n", p.destination, to_string(p.to), to_string(p.type));
  out += fmt::format("  size        {}\n", size_with_bytes(p.virtual_size));
  if (p.to != ConvertFormat::raw) {
    if (p.block_size) out += fmt::format("  block size  {}\n", binary_size(p.block_size));
    out += fmt::format("  sectors     {} logical, {} physical\n", p.logical_sector_size, p.physical_sector_size);
  }
  out += fmt::format("  data        {} of {} {} hold data: {} to read\n", p.blocks_with_data, p.blocks,
                     p.block_size && p.to != ConvertFormat::raw && !(p.to == ConvertFormat::vhd && p.type == DiskType::fixed)
                         ? "blocks"
                         : "MiB units",
                     binary_size(p.bytes_to_read));
  if (p.allocate_bytes)
    out += fmt::format("  file size   {}, allocated now{}\n", binary_size(p.file_size_at_most),
                       p.free_bytes ? fmt::format(" ({} free)", binary_size(*p.free_bytes)) : std::string());
  else
    out += fmt::format("  file size   at most {} (blocks of zeros are not stored)\n", binary_size(p.file_size_at_most));
  if (e) out += fmt::format("  estimate    {}\n", copy_estimate_text(*e, p.bytes_to_read));
  for (const std::string& r : p.refusals) out += fmt::format("  REFUSED     {}\n", r);
  return out;
}

// The largest layer's read rate, as merge samples its largest source.
std::optional<CopyEstimate> estimate_for(const ConvertPlan& p) {
  std::string largest;
  uint64_t largest_size = 0;
  for (const std::string& path : p.source_layers) {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(std::filesystem::u8path(path), ec);
    if (!ec && size >= largest_size) largest = path, largest_size = size;
  }
  return largest.empty() ? std::nullopt : sample_copy_rate(largest);
}

int run_convert_command(const ConvertArgs& a) {
  const ConvertOptions options = convert_options(a);
  const ConvertPlan plan = plan_convert(options);
  const std::optional<CopyEstimate> estimate = a.dry_run || plan.bytes_to_read > 0 ? estimate_for(plan) : std::nullopt;
  if (a.dry_run || !plan.refusals.empty()) {
    if (a.json) {
      nlohmann::json j = plan_json(plan, estimate);
      j["dry_run"] = a.dry_run;
      j["converted"] = false;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << plan_text(plan, estimate)
                << (plan.refusals.empty() ? "  dry run: nothing was written\n" : "  nothing was written\n");
    }
    return plan.refusals.empty() ? kExitOk : kExitCritical;
  }
  if (!a.json) std::cout << plan_text(plan, estimate) << std::flush;  // plan first, then the work

  ConvertResult result;
  try {
    CopyProgress bar("converting", plan.bytes_to_read, a.progress);
    result = run_convert(options, plan, [&](const ConvertProgress& p) { bar.update(p.bytes_done, p.bytes_total); });
    bar.finish();
  } catch (const Error& e) {
    // A fixed destination the volume could not hold after all (filled meanwhile): refused, and
    // nothing is left (the partial file is removed).
    if (e.code() != ErrorCode::no_space || plan.allocate_bytes == 0) throw;
    report_error(e.what());
    return kExitCritical;
  }
  if (a.json) {
    nlohmann::json j = plan_json(plan, estimate);
    j["dry_run"] = false;
    j["converted"] = true;
    j["result"] = {{"blocks_stored", result.blocks_stored},
                   {"blocks_skipped_zero", result.blocks_skipped_zero},
                   {"file_size", result.file_size}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("  converted   {} stored, {} of zeros not stored; {} is {}\n", result.blocks_stored,
                             result.blocks_skipped_zero, plan.destination, size_with_bytes(result.file_size));
  }
  return kExitOk;
}

}  // namespace

Command add_convert_command(CLI::App& app) {
  auto a = std::make_shared<ConvertArgs>();
  CLI::App* sub = app.add_subcommand("convert", "Convert a disk, a chain's leaf (flattened) or a raw image into a new VHDX, VHD or raw image");
  sub->footer(kFooter);
  sub->add_option("SRC", a->source, "The disk to convert (a differencing one with its chain), or a raw image")
      ->required()
      ->type_name("");
  sub->add_option("DST", a->destination, "The new file; must not exist")->required()->type_name("");
  sub->add_option("--to", a->to, "vhdx, vhd or raw (default: from DST's extension)")
      ->check(CLI::IsMember({"vhdx", "vhd", "raw"}))
      ->type_name("FORMAT");
  sub->add_option("--type", a->type, "fixed or dynamic (default: SRC's; dynamic for a differencing disk or raw image)")
      ->check(CLI::IsMember({"fixed", "dynamic"}))
      ->type_name("TYPE");
  sub->add_option("--block-size", a->block_size, "VHDX: a power of two from 1M to 256M (default 32M); VHD dynamic (default 2M)")
      ->type_name("SIZE");
  sub->add_option("--logical-sector-size", a->logical_sector_size, "VHDX: 512 or 4096 (default: SRC's)")->type_name("BYTES");
  sub->add_flag("--dry-run", a->dry_run, "Print the plan; write nothing");
  sub->add_flag("--yes", a->yes, "Do not ask (convert never asks: it only writes a new file)");
  sub->add_flag("--json", a->json, "The plan and result as JSON on stdout");
  sub->add_option("--progress", a->progress, "auto (a line on a terminal), json (JSON lines on stderr), none")
      ->check(CLI::IsMember({"auto", "json", "none"}))
      ->type_name("MODE");
  return {sub, [a] { return run_convert_command(*a); }};
}

}  // namespace vhdchain::cli
