// The parts of a merge plan that do not depend on the format: the outline (who is merged into
// what), what each source contributes to a range and how much of the target it replaces, and the
// refusals. merge_plan.cc (VHDX) and merge_plan_vhd.cc fill in the blocks between.
#pragma once

#include <cstdint>
#include <vector>

#include "vhdchain/merge.h"
#include "merge/merge_chain.h"
#include "merge/merge_coverage.h"

namespace vhdchain::write {

// child, target, format, type, size, resuming, free bytes, children to re-point, one empty
// MergeSource per merged disk.
MergePlan plan_outline(const MergeOptions& options, const MergeChain& chain);

// Adds what `runs` (covered_runs of one target block) take from each source to plan.sources: the
// bytes, and of those the bytes where `target` holds data now (seed 002: after a Revert, a merge
// writes the checkpoint's old data over the base's newer data). Returns the bytes sources cover.
uint64_t count_contributions(const DiskImage& target, const std::vector<CoveredRun>& runs, MergePlan& plan);

// Appends `range` to ascending `ranges`, joined to the last one when they touch.
void add_coalesced(std::vector<ByteRange>& ranges, ByteRange range);

// Disks below the branches join plan.invalidated after them.
void add_invalidated_subtrees(const MergeOptions& options, MergePlan& plan);

// Branches without --force, and too little free space, refuse the plan; then the branches'
// subtrees are added to plan.invalidated.
void add_refusals(const MergeOptions& options, MergePlan& plan);

}  // namespace vhdchain::write
