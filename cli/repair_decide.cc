// Deciding whether a child may be re-pointed at a parent, and what would be written.
//
// The identity check is Hyper-V's (the child's parent_linkage / VHD parent unique id must name the
// parent's DataWriteGuid / unique id); sizes must agree whatever the admin forces, because a child
// of another size does not describe the same virtual disk at all.
#include <fmt/format.h>

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
  const ImageInfo& p = d.parent_info;
  if (c.type != DiskType::differencing || !c.parent)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: is a {} disk, not a differencing disk: it has no parent to set", child,
                            to_string(c.type)));

  const Guid identity = parent_image->identity();
  d.identity_matches = c.parent->accepts(identity);
  if (c.format != p.format)
    d.refusals.push_back(fmt::format("{} is {} and {} is {}: Hyper-V chains do not mix the formats", child,
                                     to_string(c.format), parent, to_string(p.format)));
  if (c.virtual_size != p.virtual_size)
    d.refusals.push_back(fmt::format("virtual sizes differ: child {} bytes, parent {} bytes", c.virtual_size,
                                     p.virtual_size));
  if (c.logical_sector_size != p.logical_sector_size)
    d.refusals.push_back(fmt::format("logical sector sizes differ: child {}, parent {}", c.logical_sector_size,
                                     p.logical_sector_size));
  if (!d.identity_matches && !ignore_id_mismatch)
    d.refusals.push_back(fmt::format(
        "identity mismatch: the child links to {}, the parent's {} is {}. The parent may have been written "
        "since the child was made (then the child's data no longer fits it). If you know it is the right "
        "parent, rerun with --ignore-id-mismatch",
        c.parent->linkage.to_string(), c.format == DiskFormat::vhdx ? "DataWriteGuid" : "unique id",
        identity.to_string()));
  if (c.parent->linkage2 && !c.parent->linkage2->is_zero() && *c.parent->linkage2 != identity)
    d.refusals.push_back(fmt::format("parent_linkage2 is {}: a merge into this child's parent was interrupted; "
                                     "finish it (rerun the merge) before re-pointing the child",
                                     c.parent->linkage2->to_string()));
  if (!d.refusals.empty()) return d;

  NewParentLink link;
  link.linkage = identity;
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
