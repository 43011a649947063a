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
#include "write/merge_chain.h"
#include "write/merge_coverage.h"

namespace vhdchain {
namespace {

using write::covered_runs;
using write::CoveredRun;

bool allocated(uint8_t state) {
  return state == vhdx::kPayloadFullyPresent || state == vhdx::kPayloadPartiallyPresent;
}

}  // namespace

MergePlan plan_merge(const MergeOptions& options) {
  const write::MergeChain chain = write::open_merge_chain(options);
  MergePlan plan;
  plan.child = chain.layers.front().path;
  plan.target = chain.target().path;
  plan.format = chain.target().image->info().format;
  plan.target_type = chain.target().image->info().type;
  plan.virtual_size = chain.target().image->info().virtual_size;
  plan.resuming = chain.resuming;
  plan.free_bytes = options.free_bytes;
  plan.children_to_repoint = options.children_of_child;
  for (size_t i = 0; i < chain.target_index; ++i) plan.sources.push_back({chain.layers[i].path, 0, 0});

  const auto& target = dynamic_cast<const vhdx::VhdxImage&>(*chain.target().image);
  const vhdx::Bat& bat = target.bat_table();
  const vhdx::BatLayout& layout = target.layout();
  const std::vector<const DiskImage*> sources = chain.source_images();
  std::set<uint64_t> new_bitmaps;
  for (uint64_t b = 0; b < layout.payload_blocks; ++b) {
    const uint64_t start = b * layout.block_size;
    const uint64_t length = std::min(layout.block_size, plan.virtual_size - start);
    const std::vector<CoveredRun> runs = covered_runs(sources, start, length);
    uint64_t covered = 0;
    for (const CoveredRun& r : runs) {
      if (r.source < 0) continue;
      covered += r.length;
      MergeSource& s = plan.sources[static_cast<size_t>(r.source)];
      s.bytes += r.length;
      // What the target holds there now and is about to lose (seed 002: after a Revert, a merge
      // writes the checkpoint's old data over the base's newer data).
      for (uint64_t at = r.offset; at < r.offset + r.length;) {
        const Extent e = target.map(at, r.offset + r.length - at);
        if (e.source == ExtentSource::data) s.overwrites_target_bytes += e.length;
        at += e.length;
      }
    }
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

  // Branches: disks that link to a merged disk or to the target besides this chain.
  for (const std::string& other : options.other_children_of_target) plan.invalidated.push_back(other);
  for (const std::string& other : options.other_children_of_sources) plan.invalidated.push_back(other);
  if (!plan.invalidated.empty() && !options.force)
    plan.refusals.push_back(fmt::format(
        "{} other disk{} link{} to the target or to a merged disk (snapshot branches); a merge makes {} invalid: {}. "
        "Rerun with --force to merge anyway",
        plan.invalidated.size(), plan.invalidated.size() == 1 ? "" : "s", plan.invalidated.size() == 1 ? "s" : "",
        plan.invalidated.size() == 1 ? "it" : "them", fmt::join(plan.invalidated, ", ")));
  if (plan.free_bytes && *plan.free_bytes < plan.new_space_bytes)
    plan.refusals.push_back(fmt::format("the target needs {} new bytes but its volume has {} free",
                                        plan.new_space_bytes, *plan.free_bytes));
  return plan;
}

}  // namespace vhdchain
