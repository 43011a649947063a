// Planning a merge: which target blocks receive data, what they cost, who loses what (seed 002),
// and whether it may run at all. Everything here reads; nothing is written.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "vhdchain/chain.h"
#include "vhdchain/error.h"
#include "vhdchain/merge.h"
#include "vhdx/image.h"
#include "vhdx/layout.h"
#include "merge/merge_chain.h"
#include "merge/merge_coverage.h"
#include "merge/merge_plan_parts.h"
#include "merge/merge_preflight.h"
#include "merge/merge_vhd.h"

namespace vhdchain {
namespace {

using write::covered_runs;

bool allocated(uint8_t state) {
  return state == vhdx::kPayloadFullyPresent || state == vhdx::kPayloadPartiallyPresent;
}

// What the preflight refuses (locks, validation, the chain after the merge), shown by the plan so
// a dry run refuses what the run would; run_merge runs it again and holds its locks.
void add_preflight_refusals(const write::SurveyedOptions& surveyed, const write::MergeChain& chain,
                            MergePlan& plan) {
  const WriteLease lease = write::merge_preflight(surveyed, chain, plan);
  for (const std::string& r : lease.refusals())
    if (std::find(plan.refusals.begin(), plan.refusals.end(), r) == plan.refusals.end()) plan.refusals.push_back(r);
}

}  // namespace

MergePlan plan_merge(const MergeOptions& caller_options) {
  const write::MergeChain chain = write::open_merge_chain(caller_options);
  // The library surveys the chain's folders itself: a caller's lists are added to, never trusted alone.
  const write::SurveyedOptions surveyed = write::surveyed(caller_options, chain);
  const MergeOptions& options = surveyed.options;
  MergePlan plan = write::plan_outline(options, chain);
  if (plan.format == DiskFormat::vhd) {
    write::plan_vhd_blocks(chain, plan);
    write::add_refusals(options, plan);
    add_preflight_refusals(surveyed, chain, plan);
    return plan;
  }

  const auto& target = dynamic_cast<const vhdx::VhdxImage&>(*chain.target().image);
  const vhdx::Bat& bat = target.bat_table();
  const vhdx::BatLayout& layout = target.layout();
  const std::vector<const DiskImage*> sources = chain.source_images();
  std::set<uint64_t> new_bitmaps;
  for (uint64_t b = 0; b < layout.payload_blocks; ++b) {
    const uint64_t start = b * layout.block_size;
    const uint64_t length = std::min(layout.block_size, plan.virtual_size - start);
    const uint64_t covered = write::count_contributions(target, covered_runs(sources, start, length), plan);
    if (covered == 0) continue;
    ++plan.blocks_touched;
    if (allocated(bat.payload(b).state)) {
      plan.bytes_to_copy += covered;
      continue;
    }
    ++plan.blocks_allocated;
    plan.bytes_to_copy += length;
    plan.new_space_bytes += layout.block_size;
    const uint64_t chunk = b / layout.chunk_ratio;
    if (layout.differencing && bat.bitmap(chunk).state != vhdx::kBitmapPresent && new_bitmaps.insert(chunk).second)
      plan.new_space_bytes += vhdx::kSectorBitmapBlockSize;
  }

  write::add_refusals(options, plan);
  add_preflight_refusals(surveyed, chain, plan);
  return plan;
}

}  // namespace vhdchain
