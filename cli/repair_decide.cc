// Deciding whether a child may be re-pointed at a parent, and what would be written.
//
// The refusals are the library's write preflight (identity as Hyper-V checks it, sizes whatever the
// admin forces, validation, cycles); this file gathers the evidence the output shows and the plan.
#include <fmt/format.h>

#include "host_chain.h"
#include "repair.h"
#include "host_options.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {

HostKnowledge load_host_knowledge(const RepairOptions& options) {
  HostMapping loaded = load_host_mapping(options.maps, options.volumes);
  return {std::move(loaded.map), std::move(loaded.volumes)};
}

namespace {

std::optional<std::string> stored_value(const ImageInfo& info, const std::string& key) {
  if (!info.parent) return std::nullopt;
  for (const LocatorEntry& e : info.parent->locators)
    if (e.key == key) return e.value;
  return std::nullopt;
}

}  // namespace

RelinkDecision decide_relink(const std::string& child, const std::string& parent, const HostKnowledge& host,
                             bool ignore_id_mismatch) {
  RelinkDecision d;
  d.child = child;
  d.parent = parent;
  std::shared_ptr<const DiskImage> child_image = open_image_file(child);
  std::shared_ptr<const DiskImage> parent_image = open_image_file(parent);
  d.child_info = child_image->info();
  d.parent_info = parent_image->info();
  const ImageInfo& c = d.child_info;
  if (c.type != DiskType::differencing || !c.parent)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: is a {} disk, not a differencing disk: it has no parent to set", child,
                            to_string(c.type)));

  const Guid identity = parent_image->identity();
  d.identity_matches = c.parent->accepts(identity);
  // What may not be written is the library's decision (vhdchain/preflight.h): both files locked and
  // validated as check --deep would, format, sizes, identity, an interrupted merge, cycles.
  PreflightRequest request;
  request.writes = {child};
  request.reads = {parent};
  request.links = {{child, parent, ignore_id_mismatch}};
  request.chain_options = host_chain_options();
  d.refusals = preflight_write(request).refusals();
  if (!d.refusals.empty()) return d;

  NewParentLink link;
  link.linkage = identity;
  link.parent = parent;
  link.ignore_id_mismatch = ignore_id_mismatch;
  link.paths = compose_parent_paths(child, parent, host.context());
  if (d.identity_matches && c.parent->timestamp) link.vhd_parent_timestamp = c.parent->timestamp;
  if (c.format == DiskFormat::vhdx) {
    if (!link.paths.absolute_win32_path && stored_value(c, "absolute_win32_path"))
      d.notes.push_back("absolute_win32_path is removed: the parent's Windows path is not known on this host "
                        "(give --map WINROOT=HOSTPATH to write it)");
    if (!link.paths.volume_path && stored_value(c, "volume_path"))
      d.notes.push_back("volume_path is removed: the parent's volume GUID is not known on this host (give "
                        "--volumes FILE with --map to write it)");
  }
  if (link.paths.relative_path.empty())
    d.notes.push_back("no relative path: the parent is on another volume than the child");
  d.plan = plan_relink(child, link);
  return d;
}

}  // namespace vhdchain::cli
