// Which of the parent's paths a re-pointed (repair --fix-aliases) or new (create --parent) link
// should go through, when the parent's volume is mounted more than once (seed 000).
#pragma once

#include <optional>
#include <string>

#include "vhdchain/hostpath.h"

namespace vhdchain::cli {

// True when `path` is `root` or lies below it (component-wise; "/" holds everything).
bool path_is_under(const std::string& path, const std::string& root);

// The parent's path to link through, from the facts of both files (probe_host_path):
//   - with `prefer` (--prefer ROOT): the parent's alias under ROOT; none there throws
//     Error(invalid_argument) listing the parent's paths;
//   - otherwise the alias under the child's own mount point, so child and parent are reached
//     through one mount point, unless that is a ClusterStorage.NNN root (a stale mount Microsoft
//     says to remove, never one to link through);
//   - otherwise the canonical path, or the first alias that avoids ClusterStorage.NNN roots.
// Without a location for either file, the parent's path as given.
std::string choose_parent_path(const hostpath::PathFacts& child, const hostpath::PathFacts& parent,
                               const std::optional<std::string>& prefer);

}  // namespace vhdchain::cli
