// Planning a VHD merge: the figures of merge_plan.cc for VHD targets. A block the target does not
// hold costs its sector bitmap and its data at the end of the file; a fixed target never grows.
#include "merge/merge_coverage.h"
#include "merge/merge_plan_parts.h"
#include "merge/merge_vhd.h"

namespace vhdchain::write {

VhdTargetUnits vhd_target_units(const MergeChain& chain) {
  VhdTargetUnits units;
  units.image = &dynamic_cast<const vhd::Image&>(*chain.target().image);
  units.virtual_size = units.image->info().virtual_size;
  units.unit_size = units.fixed() ? VhdTargetUnits::kFixedUnitSize : units.image->block_layout().block_size;
  units.count = (units.virtual_size + units.unit_size - 1) / units.unit_size;
  return units;
}

void plan_vhd_blocks(const MergeChain& chain, MergePlan& plan) {
  const VhdTargetUnits units = vhd_target_units(chain);
  const std::vector<const DiskImage*> sources = chain.source_images();
  for (uint64_t u = 0; u < units.count; ++u) {
    const uint64_t covered =
        count_contributions(*units.image, covered_runs(sources, units.start(u), units.length(u)), plan);
    if (covered == 0) continue;
    ++plan.blocks_touched;
    if (units.held(u)) {
      plan.bytes_to_copy += covered;
      continue;
    }
    ++plan.blocks_allocated;
    plan.bytes_to_copy += units.length(u);
    plan.new_space_bytes += units.new_block_bytes();
  }
}

}  // namespace vhdchain::write
