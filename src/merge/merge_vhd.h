// Merging legacy VHD chains (docs/merge.md, "VHD"): the plan's block figures and the run.
//
// The target keeps its unique id (its footer is never re-encoded, only moved to the new end of the
// file), so every disk linking to it stays linked while and after the merge. A merge in progress is
// marked by "<target>.vhdchain-merge" (merge_marker.h). Payload is written in place or appended
// before anything references it; the bitmap bits, BAT entries and the footer at the new end that
// make a batch of blocks reachable go through the VHD journal (vhd_journal.h).
#pragma once

#include <cstdint>
#include <functional>

#include "vhd/image.h"
#include "vhdchain/merge.h"
#include "merge/merge_chain.h"

namespace vhdchain::write {

// How a VHD target is walked: its blocks (dynamic, differencing), or for a fixed disk, which has
// none, units of kFixedUnitSize bytes (the size of one copy).
struct VhdTargetUnits {
  static constexpr uint64_t kFixedUnitSize = 2ull * 1024 * 1024;

  const vhd::Image* image = nullptr;
  uint64_t unit_size = 0;
  uint64_t count = 0;
  uint64_t virtual_size = 0;

  bool fixed() const { return !image->dynamic_header(); }
  bool differencing() const { return image->info().type == DiskType::differencing; }
  uint64_t start(uint64_t u) const { return u * unit_size; }
  uint64_t length(uint64_t u) const { return std::min(unit_size, virtual_size - start(u)); }
  // The target stores the unit in its file now (fixed: always).
  bool held(uint64_t u) const { return fixed() || image->bat_entries()[u] != vhd::kBatUnallocated; }
  // Bytes the file grows by for a unit it does not hold: sector bitmap and data.
  uint64_t new_block_bytes() const { return image->block_layout().span(); }
};

VhdTargetUnits vhd_target_units(const MergeChain& chain);

// Fills in blocks_touched, blocks_allocated, bytes_to_copy, new_space_bytes and the sources' bytes.
void plan_vhd_blocks(const MergeChain& chain, MergePlan& plan);

// run_merge for a VHD plan (already checked for refusals).
MergeRunResult run_vhd_merge(const MergeOptions& options, const MergePlan& plan,
                             const std::function<void(const MergeProgress&)>& progress);

}  // namespace vhdchain::write
