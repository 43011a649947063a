#include "merge/merge_plan_parts.h"

#include <algorithm>

#include <fmt/format.h>

namespace vhdchain::write {

MergePlan plan_outline(const MergeOptions& options, const MergeChain& chain) {
  MergePlan plan;
  plan.child = chain.layers.front().path;
  plan.target = chain.target().path;
  plan.format = chain.target().image->info().format;
  plan.target_type = chain.target().image->info().type;
  plan.virtual_size = chain.target().image->info().virtual_size;
  plan.resuming = chain.resuming;
  plan.free_bytes = options.free_bytes;
  plan.children_to_repoint = options.children_of_child;
  for (size_t i = 0; i < chain.target_index; ++i) plan.sources.push_back({chain.layers[i].path, 0, 0, {}});
  return plan;
}

void add_coalesced(std::vector<ByteRange>& ranges, ByteRange range) {
  if (!ranges.empty() && ranges.back().offset + ranges.back().length == range.offset)
    ranges.back().length += range.length;
  else
    ranges.push_back(range);
}

uint64_t count_contributions(const DiskImage& target, const std::vector<CoveredRun>& runs, MergePlan& plan) {
  uint64_t covered = 0;
  for (const CoveredRun& r : runs) {
    if (r.source < 0) continue;
    covered += r.length;
    MergeSource& s = plan.sources[static_cast<size_t>(r.source)];
    s.bytes += r.length;
    for (uint64_t at = r.offset; at < r.offset + r.length;) {
      const Extent e = target.map(at, r.offset + r.length - at);
      if (e.source == ExtentSource::data) {
        s.overwrites_target_bytes += e.length;
        add_coalesced(s.overwrites_target_ranges, {at, e.length});
      }
      at += e.length;
    }
  }
  return covered;
}

// After the branch disks themselves (named in the refusal), everything that reads through them.
void add_invalidated_subtrees(const MergeOptions& options, MergePlan& plan) {
  const std::vector<std::string> branches = plan.invalidated;
  for (const std::string& branch : branches) {
    const auto below = options.descendants_of_branch.find(branch);
    if (below == options.descendants_of_branch.end()) continue;
    for (const std::string& d : below->second)
      if (std::find(plan.invalidated.begin(), plan.invalidated.end(), d) == plan.invalidated.end())
        plan.invalidated.push_back(d);
  }
}

void add_refusals(const MergeOptions& options, MergePlan& plan) {
  // Branches: disks that link to a merged disk or to the target besides this chain. When an earlier
  // run is being finished, the target's other children include CHILD's children it already
  // re-pointed (a kill before the merge was complete); they are re-pointed again, which changes
  // nothing, instead of refusing the rerun. Real branches of the target were refused (or forced)
  // by that earlier run, before anything was written.
  if (plan.resuming) {
    for (const std::string& other : options.other_children_of_target)
      if (std::find(plan.children_to_repoint.begin(), plan.children_to_repoint.end(), other) ==
          plan.children_to_repoint.end())
        plan.children_to_repoint.push_back(other);
  } else {
    for (const std::string& other : options.other_children_of_target) plan.invalidated.push_back(other);
  }
  for (const std::string& other : options.other_children_of_sources) plan.invalidated.push_back(other);
  if (!plan.invalidated.empty() && !options.force)
    plan.refusals.push_back(fmt::format(
        "{} other disk{} link{} to the target or to a merged disk (snapshot branches); a merge makes {} invalid: {}. "
        "Rerun with --force to merge anyway",
        plan.invalidated.size(), plan.invalidated.size() == 1 ? "" : "s", plan.invalidated.size() == 1 ? "s" : "",
        plan.invalidated.size() == 1 ? "it" : "them", fmt::join(plan.invalidated, ", ")));
  add_invalidated_subtrees(options, plan);
  if (plan.free_bytes && *plan.free_bytes < plan.new_space_bytes)
    plan.refusals.push_back(fmt::format("the target needs {} new bytes but its volume has {} free",
                                        plan.new_space_bytes, *plan.free_bytes));
}

}  // namespace vhdchain::write
