// --map used in reverse: the Windows path of a host path. check needs it to read a child's
// relative locators as Windows would (aliases.cc), relink and create to compose the absolute
// locators they write (hostpath/parent_paths_posix.cc); one function so both agree, also when a
// mapping's host root is reached through a symlink. Host paths separate with '/'.
#include <algorithm>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

bool starts_with_components(const std::vector<std::string>& path, const std::vector<std::string>& root) {
  return root.size() <= path.size() && std::equal(root.begin(), root.end(), path.begin());
}

}  // namespace

std::vector<std::string> host_path_components(std::string_view path) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= path.size()) {
    const size_t slash = std::min(path.find('/', at), path.size());
    if (slash > at) out.emplace_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

std::optional<WinPath> windows_path_of(const PathMap& map, std::string_view host_path) {
  const std::vector<std::string> parts = host_path_components(host_path);
  std::optional<WinPath> best;
  size_t best_depth = 0;
  for (const PathMapping& m : map.mappings()) {
    // The root as given and with its symlinks resolved: a host path is resolved by the caller, so
    // a mapping onto a symlinked folder (C:\=/vms, /vms -> /srv/vms) matches it through the second.
    for (const std::string& root : {m.host_root, resolve_host_path(m.host_root)}) {
      const std::vector<std::string> root_parts = host_path_components(root);
      if (!starts_with_components(parts, root_parts) || (best && root_parts.size() <= best_depth)) continue;
      WinPath w = m.windows_root;
      w.components.insert(w.components.end(), parts.begin() + static_cast<ptrdiff_t>(root_parts.size()), parts.end());
      best = std::move(w);
      best_depth = root_parts.size();
    }
  }
  return best;
}

}  // namespace vhdchain::hostpath
