#include "new_link_aliases.h"

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"
#include "vhdchain/write.h"

namespace vhdchain::cli {
namespace {

std::string instead(const std::string& canonical) {
  return canonical.empty() ? std::string() : fmt::format("; use {}", canonical);
}

// This machine's view: the parent through another mount point of the volume the child's folder is
// on, or through a ClusterStorage.NNN root.
void host_warnings(const std::string& child, const std::string& parent, std::vector<std::string>& out) {
#ifdef __linux__
  hostpath::MountTable table;
  try {
    table = hostpath::read_mount_table();
  } catch (const Error&) {
    return;  // no mount table: nothing can be said about mount points
  }
  const hostpath::PathFacts folder = hostpath::probe_host_path(table, io::folder_of(child));
  const hostpath::PathFacts target = hostpath::probe_host_path(table, parent);
  for (const hostpath::AliasFinding& f : hostpath::analyze_host_path(target, 0))
    if (f.code == hostpath::AliasCode::cluster_storage_root)
      out.push_back(fmt::format("{}: the parent's path passes through {}, a ClusterStorage.NNN root (a stale mount "
                                "point to remove, not to link through){}",
                                parent, f.detail, instead(f.canonical)));
  if (!folder.location || !target.location || folder.location->volume != target.location->volume) return;
  const std::string& mount = folder.location->mount_point;
  if (target.location->mount_point == mount) return;
  // The path repair --fix-aliases would link through.
  const std::string beside = choose_parent_path(folder, target, std::nullopt);
  out.push_back(fmt::format("{}: the parent is reached through mount point {} while the child's folder is on mount "
                            "point {} of the same volume; Hyper-V resolves such a link through two paths and fails "
                            "the merge (check: alias.parent_via_other_mount){}",
                            parent, target.location->mount_point, mount, instead(beside == parent ? std::string() : beside)));
#else
  (void)child;
  (void)parent;
  (void)out;
#endif
}

// The Windows host's view (--map and --volumes): the stored absolute_win32_path against the
// child's own Windows path.
void windows_warnings(const std::string& child, const std::string& parent, const ParentPaths& paths,
                      const HostMapping& host, std::vector<std::string>& out) {
  if (!host.volumes || !paths.absolute_win32_path) return;
  const std::optional<hostpath::WinPath> stored = hostpath::try_parse_windows_path(*paths.absolute_win32_path);
  if (!stored) return;
  for (const hostpath::AliasFinding& f : hostpath::analyze_windows_path(*host.volumes, *stored, 0))
    if (f.code == hostpath::AliasCode::cluster_storage_root)
      out.push_back(fmt::format("{}: the parent's Windows path {} passes through {}, a ClusterStorage.NNN root (a "
                                "stale mount point to remove, not to link through){}",
                                parent, *paths.absolute_win32_path, f.detail, instead(f.canonical)));
  // The child's own Windows path: the parent's forms composed the other way round.
  const ParentPathContext context{&host.map, host.volume_set()};
  const std::optional<std::string> child_windows = compose_parent_paths(parent, child, context).absolute_win32_path;
  const std::optional<hostpath::WinPath> mine = child_windows ? hostpath::try_parse_windows_path(*child_windows) : std::nullopt;
  if (!mine) return;
  const std::optional<hostpath::AliasFinding> pair = hostpath::analyze_windows_pair(*host.volumes, *mine, 0, *stored, 1);
  if (pair && (pair->code == hostpath::AliasCode::volume_alias || pair->code == hostpath::AliasCode::mount_alias))
    out.push_back(fmt::format("{}: on the Windows host the child is {} and the parent would be stored as {}: one "
                              "volume through two mount points ({}); Hyper-V decides they are unrelated and fails "
                              "the merge (check: alias.parent_via_other_mount)",
                              parent, *child_windows, *paths.absolute_win32_path, pair->detail));
}

}  // namespace

std::vector<std::string> new_link_alias_warnings(const std::string& child, const std::string& parent,
                                                 const ParentPaths& paths, const HostMapping& host) {
  std::vector<std::string> out;
  host_warnings(child, parent, out);
  windows_warnings(child, parent, paths, host, out);
  return out;
}

}  // namespace vhdchain::cli
