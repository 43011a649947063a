// create --parent: does the link about to be stored pass through a second mount point of the
// parent's volume, or through a ClusterStorage.NNN root (seed 000)? check flags such links
// (alias.parent_via_other_mount, alias.cluster_storage_root) the moment they exist; create says so
// before writing them, and refuses with --strict.
#pragma once

#include <string>
#include <vector>

#include "host_options.h"
#include "vhdchain/write.h"

namespace vhdchain::cli {

// One sentence per problem, naming the path to use instead when one is known. Looks at the host
// paths (this machine's mount table; Linux) and, with --map and --volumes, at the Windows paths
// the locators will store as the Windows host's volume list places them.
std::vector<std::string> new_link_alias_warnings(const std::string& child, const std::string& parent,
                                                 const ParentPaths& paths, const HostMapping& host);

}  // namespace vhdchain::cli
