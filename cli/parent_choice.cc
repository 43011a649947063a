#include "parent_choice.h"

#include <fmt/format.h>

#include "vhdchain/error.h"

namespace vhdchain::cli {

bool path_is_under(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

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

}  // namespace vhdchain::cli
