// vhdchain export DISK --raw OUT: the virtual disk of the chain ending at DISK, as a raw image.
//
// The chain is opened completely (every parent found and checked) before OUT is touched, so a
// missing parent leaves nothing behind. OUT is only created through RawTarget (temp name, fsync,
// rename); the inputs are opened read-only and a target that is one of them is refused.
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "console.h"
#include "exit_codes.h"
#include "export_copy.h"
#include "host_options.h"
#include "human.h"
#include "progress.h"
#include "raw_target.h"
#include "vhdchain/chain.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(OUT is written sparse when it is a regular file: runs of zeros become holes. It is written
under a temporary name in OUT's folder and renamed into place when complete; an existing OUT is
replaced only with --force. '-' writes to stdout (not to a terminal), every byte in order.

Examples:
  vhdchain export /vms/disk_3F2A.avhdx --raw /tmp/disk.raw
  vhdchain export disk.vhdx --raw - | sha256sum
  vhdchain -v export disk_3F2A.avhdx --raw disk.raw --force
  vhdchain export --map 'C:\=/mnt/host-c' --volumes mountvol.txt /mnt/host-c/VMs/disk_3F2A.avhdx --raw disk.raw

--map and --volumes: as in check, for a chain copied from a Windows host whose parents are
stored as that host's paths.

Exit status: 0 written, 2 an image is broken or a parent is missing or does not match,
3 bad arguments, an unreadable input or a failed write.)";

struct ExportOptions {
  std::string disk;
  std::string raw;
  bool force = false;
  HostOptionArgs host;
};

void log_chain(const Chain& chain) {
  for (size_t i = 0; i < chain.layers().size(); ++i) {
    const ChainLayer& layer = chain.layers()[i];
    const ImageInfo& info = layer.image->info();
    spdlog::info("layer {}: {} ({} {}, {})", i, layer.path, to_string(info.format), to_string(info.type),
                 binary_size(info.virtual_size));
    for (const ParentCandidate& c : layer.parent.candidates)
      spdlog::debug("  parent candidate {} {}{}: {}", c.locator, c.path.empty() ? c.stored : c.path,
                    c.beside_child ? " (beside the child)" : "", c.detail.empty() ? std::string(to_string(c.outcome)) : c.detail);
  }
}

int run_export(const ExportOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Chain chain = open_chain(options.disk, host_chain_options(std::make_shared<HostMapping>(load_host_mapping(options.host))));
  log_chain(chain);
  std::unique_ptr<ChainReader> reader = chain.reader();

  std::vector<FileIdentity> inputs;
  for (const ChainLayer& layer : chain.layers()) inputs.push_back(layer.key);
  std::unique_ptr<RawTarget> target = RawTarget::open(options.raw, options.force, reader->size(), inputs);

  Progress progress("export", reader->size(), console_chatty() && stderr_is_terminal());
  CopyStats stats = copy_raw(*reader, *target, [&](uint64_t done) { progress.update(done); });
  target->commit();
  progress.finish();

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("wrote {} to {}: {} of data, {} of zeros{}, in {:.1f} s ({}/s)", size_with_bytes(reader->size()),
               target->name(), binary_size(stats.data_bytes), binary_size(stats.zero_bytes),
               target->holes_allowed() ? " (holes)" : "", seconds,
               binary_size(static_cast<uint64_t>(static_cast<double>(reader->size()) / std::max(seconds, 1e-3))));
  return kExitOk;
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* sub = app.add_subcommand("export", "Write the virtual disk of a chain (DISK and all its parents) as a raw image");
  sub->add_option("DISK", options->disk, "The chain's leaf: a VHDX, AVHDX or VHD file")->required()->type_name("");
  sub->add_option("--raw", options->raw, "Write a raw image to OUT ('-' for stdout)")->required()->type_name("OUT");
  sub->add_flag("-f,--force", options->force, "Replace OUT if it exists");
  add_host_options(sub, options->host);
  sub->footer(kFooter);
  return {sub, [options] { return run_export(*options); }};
}

}  // namespace vhdchain::cli
