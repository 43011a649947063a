#include "merge/merge_repoint.h"

#include "vhdchain/write.h"
#include "write/write_internal.h"

namespace vhdchain::write {

void repoint_children(const std::vector<std::string>& children, const std::string& target, const Guid& identity) {
  for (const std::string& child : children) {
    replay_pending(child);
    NewParentLink link;
    link.linkage = identity;
    link.paths = compose_parent_paths(child, target);
    apply_relink_unchecked(plan_relink(child, link));  // the merge's preflight checked and holds it
  }
}

}  // namespace vhdchain::write
