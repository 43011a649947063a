// The public entry points of write.h: the write preflight (vhdchain/preflight.h), then the format's
// half, with the aftermath an I/O failure reports (write_failure.h).
#include <memory>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdchain/preflight.h"
#include "write/new_file.h"
#include "write/vhd_journal.h"
#include "write/volume_space.h"
#include "write/write_failure.h"
#include "write/write_internal.h"

namespace vhdchain {
namespace {

DiskFormat format_of_file(const std::string& path) {
  auto file = File::open(path, OpenMode::read_only);
  std::optional<DiskFormat> format = detect_format(*file);
  if (!format) throw Error(ErrorCode::format, fmt::format("{}: not a VHDX or VHD file", path));
  return *format;
}

bool vhd_journal_pending(const std::string& path) {
  return io::path_exists(vhd_journal_path(path)) || io::path_exists(write::vhd_journal_partial_path(path));
}

std::string relink_aftermath(const RelinkPlan& plan) {
  if (plan.format == DiskFormat::vhdx)
    return fmt::format("{} holds its old parent link, or the new one in a pending log that every reader replays; "
                       "run 'vhdchain repair --replay-log {}' to settle it, then 'vhdchain check {}'",
                       plan.child, plan.child, plan.child);
  return fmt::format("{} holds its old parent link, or a journal ({}) finishes the new one; run 'vhdchain repair "
                     "--replay-log {}' to settle it, then 'vhdchain check {}'",
                     plan.child, vhd_journal_path(plan.child), plan.child, plan.child);
}

std::string replay_aftermath(const std::string& path, bool vhd_journal) {
  if (vhd_journal)
    return fmt::format("the journal {} is still pending (applying it again is safe); run 'vhdchain repair "
                       "--replay-log {}' again",
                       vhd_journal_path(path), path);
  return fmt::format("the log of {} is still pending (every reader replays it, and replaying it again is safe); "
                     "run 'vhdchain repair --replay-log {}' again",
                     path, path);
}

}  // namespace

std::string vhd_journal_path(const std::string& vhd_path) { return vhd_path + ".vhdchain-journal"; }

RelinkPlan plan_relink(const std::string& child, const NewParentLink& link) {
  RelinkPlan plan = format_of_file(child) == DiskFormat::vhdx ? write::plan_vhdx_relink(child, link)
                                                              : write::plan_vhd_relink(child, link);
  plan.parent = link.parent;
  plan.ignore_id_mismatch = link.ignore_id_mismatch;
  return plan;
}

PreflightRequest relink_preflight_request(const RelinkPlan& plan) {
  PreflightRequest request;
  request.writes = {plan.child};
  if (!plan.parent.empty()) {
    request.reads = {plan.parent};
    request.links = {{plan.child, plan.parent, plan.ignore_id_mismatch}};
  }
  return request;
}

void apply_relink(const RelinkPlan& plan) {
  const WriteLease lease = preflight_write(relink_preflight_request(plan));
  lease.require_cleared();
  write::with_aftermath(relink_aftermath(plan), [&] { write::apply_relink_unchecked(plan); });
}

ReplayResult replay_pending(const std::string& path) {
  // A VHD's journal may be pending even when the file itself no longer parses (torn mid-apply); a
  // partial one (never applied) is only removed. Such a file is locked but not validated: finishing
  // the journal is what makes it valid again.
  const bool journal = vhd_journal_pending(path);
  PreflightRequest request;
  (journal ? request.writes_unvalidated : request.writes).push_back(path);
  const WriteLease lease = preflight_write(request);
  lease.require_cleared();
  return write::with_aftermath(replay_aftermath(path, journal), [&] {
    if (journal) return write::replay_vhd_journal(path);
    return format_of_file(path) == DiskFormat::vhdx ? write::replay_vhdx_log(path) : ReplayResult{};
  });
}

CreateResult create_disk(const std::string& path, const CreateOptions& options) {
  const WriteLease lease = write::lease_parent_of_new_child(options.parent, options.chain_options);
  // A fixed disk the volume cannot hold is a refusal decided before the first byte (as the dry run
  // decides it), so it carries no aftermath: nothing was started.
  if (options.type == DiskType::fixed)
    write::require_volume_space(path, plan_create(path, options).file_size, "a fixed disk");
  const std::string aftermath = fmt::format(
      "no disk was created at {} (an interrupted create leaves at most {}, which the next create removes); "
      "run the create again",
      path, write::NewFile::partial_path_for(path));
  return write::with_aftermath(aftermath, [&] {
    return options.format == DiskFormat::vhdx ? write::create_vhdx(path, options) : write::create_vhd(path, options);
  });
}

}  // namespace vhdchain

namespace vhdchain::write {

WriteLease lease_parent_of_new_child(const std::string& parent, const ChainOptions& chain_options) {
  WriteLease lease;
  if (parent.empty() || !io::path_exists(parent)) return lease;  // the creator says "does not exist"
  (void)open_image_file(parent);  // a file that is no disk at all fails as the creator says it (format)
  // The parent must open as a whole chain (its own parents found, identities matching), as Hyper-V
  // requires of a new child's parent: a broken chain fails here, before anything is written.
  const Chain chain = open_chain(parent, chain_options);
  PreflightRequest request;
  for (const ChainLayer& layer : chain.layers()) request.reads.push_back(layer.path);
  request.chain_options = chain_options;
  lease = preflight_write(request);
  lease.require_cleared();
  return lease;
}

void apply_relink_unchecked(const RelinkPlan& plan) {
  if (plan.format == DiskFormat::vhdx)
    apply_vhdx_relink(plan);
  else
    apply_vhd_relink(plan);
}

}  // namespace vhdchain::write
