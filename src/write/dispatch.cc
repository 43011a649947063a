// The public entry points of write.h: detect the format, hand over to its half.
#include <memory>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "write/vhd_journal.h"
#include "write/write_internal.h"

namespace vhdchain {
namespace {

DiskFormat format_of_file(const std::string& path) {
  auto file = File::open(path, OpenMode::read_only);
  std::optional<DiskFormat> format = detect_format(*file);
  if (!format) throw Error(ErrorCode::format, fmt::format("{}: not a VHDX or VHD file", path));
  return *format;
}

}  // namespace

std::string vhd_journal_path(const std::string& vhd_path) { return vhd_path + ".vhdchain-journal"; }

RelinkPlan plan_relink(const std::string& child, const NewParentLink& link) {
  return format_of_file(child) == DiskFormat::vhdx ? write::plan_vhdx_relink(child, link)
                                                   : write::plan_vhd_relink(child, link);
}

void apply_relink(const RelinkPlan& plan) {
  if (plan.format == DiskFormat::vhdx)
    write::apply_vhdx_relink(plan);
  else
    write::apply_vhd_relink(plan);
}

ReplayResult replay_pending(const std::string& path) {
  // A VHD's journal may be pending even when the file itself no longer parses (torn mid-apply); a
  // partial one (never applied) is only removed.
  if (io::path_exists(vhd_journal_path(path)) || io::path_exists(write::vhd_journal_partial_path(path)))
    return write::replay_vhd_journal(path);
  return format_of_file(path) == DiskFormat::vhdx ? write::replay_vhdx_log(path) : ReplayResult{};
}

CreateResult create_disk(const std::string& path, const CreateOptions& options) {
  return options.format == DiskFormat::vhdx ? write::create_vhdx(path, options) : write::create_vhd(path, options);
}

}  // namespace vhdchain
