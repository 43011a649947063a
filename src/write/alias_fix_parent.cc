// repair --fix-aliases' choice of parent (write.h, alias_fix_parent): a library decision, so a
// program re-pointing alias links picks the parent the CLI would.
#include "vhdchain/write.h"

namespace vhdchain {

std::string alias_fix_parent(const hostpath::MountTable& table, const std::string& child, const std::string& parent) {
  const hostpath::PathFacts c = hostpath::probe_host_path(table, child);
  const hostpath::PathFacts p = hostpath::probe_host_path(table, parent);
  if (!c.location || !p.location) return parent;
  const std::string& mount = c.location->mount_point;
  for (const std::string& alias : p.location->aliases) {
    const bool under = mount == "/" || alias.compare(0, mount.size() + 1, mount + "/") == 0;
    if (under) return alias;
  }
  return p.location->canonical();
}

}  // namespace vhdchain
