// Which of a parent's paths a link goes through (write.h, choose_parent_path, alias_fix_parent): a
// library decision, so a program re-pointing alias links or creating a child picks the parent the
// CLI would (seed 000).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "vhdchain/error.h"
#include "vhdchain/write.h"

namespace vhdchain {
namespace {

// True when `path` is `root` or lies below it (component-wise; "/" holds everything).
bool path_is_under(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

}  // namespace

std::string choose_parent_path(const hostpath::PathFacts& child, const hostpath::PathFacts& parent,
                               const std::optional<std::string>& prefer) {
  if (!parent.location) {
    if (prefer && !path_is_under(parent.path, *prefer))
      throw Error(ErrorCode::invalid_argument, fmt::format("--prefer {}: {} is not under it", *prefer, parent.path));
    return parent.path;
  }
  const std::vector<std::string>& aliases = parent.location->aliases;
  if (prefer) {
    const std::string root = hostpath::normalize_host_path(*prefer);
    for (const std::string& alias : aliases)
      if (path_is_under(alias, root)) return alias;
    throw Error(ErrorCode::invalid_argument, fmt::format("--prefer {}: the parent {} has no path under it (its paths: {})",
                                                         *prefer, parent.path, fmt::join(aliases, ", ")));
  }
  if (child.location) {
    const std::string& mount = child.location->mount_point;
    for (const std::string& alias : aliases)
      if (path_is_under(alias, mount) && !hostpath::find_cluster_storage_root(alias)) return alias;
  }
  for (const std::string& alias : aliases)  // canonical first
    if (!hostpath::find_cluster_storage_root(alias)) return alias;
  return parent.location->canonical();
}

std::string alias_fix_parent(const hostpath::MountTable& table, const std::string& child, const std::string& parent,
                             const std::optional<std::string>& prefer) {
  return choose_parent_path(hostpath::probe_host_path(table, child), hostpath::probe_host_path(table, parent), prefer);
}

}  // namespace vhdchain
