// The last step of a merge, shared by VHDX and VHD: CHILD's children are re-pointed at the target.
#pragma once

#include <string>
#include <vector>

#include "vhdchain/guid.h"

namespace vhdchain::write {

// Re-points each child at `target` (linkage or unique id `identity`, paths composed from the
// child's place). A child's pending log or journal is finished first: a kill during an earlier
// run's re-pointing leaves one whose replayed view already links to the target, and the re-point,
// which then changes nothing, would otherwise leave that log pending.
void repoint_children(const std::vector<std::string>& children, const std::string& target, const Guid& identity);

}  // namespace vhdchain::write
