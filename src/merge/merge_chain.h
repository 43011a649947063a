// The chain a merge works on: CHILD's layers down to the target, opened read-only, and whether an
// earlier run of the same merge was interrupted.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vhdchain/chain.h"
#include "vhdchain/merge.h"

namespace vhdchain::write {

struct MergeChain {
  std::vector<ChainLayer> layers;  // CHILD first, the target last (layers past it are dropped)
  size_t target_index = 0;
  // VHDX: the source right above the target stores the target's DataWriteGuid in parent_linkage2
  // while its parent_linkage is the old one: step 1 of a merge has been done (and maybe more).
  // VHD: the target's merge marker names this child (merge_marker.h).
  bool resuming = false;

  const ChainLayer& target() const { return layers[target_index]; }
  const ChainLayer& above_target() const { return layers[target_index - 1]; }
  std::vector<const DiskImage*> source_images() const;
};

// Throws Error(invalid_argument) when INTO is not an ancestor of CHILD or CHILD has no parent,
// Error(unsupported) for a chain mixing VHD and VHDX, Error(invalid_argument) when the target's VHD
// merge marker names another child (or another file), what open_chain throws for a broken chain.
MergeChain open_merge_chain(const MergeOptions& options);

}  // namespace vhdchain::write
