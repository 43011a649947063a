#include "merge_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "destructive.h"
#include "human.h"
#include "transfer_rate.h"

namespace vhdchain::cli {
namespace {

using ojson = nlohmann::ordered_json;

// copy_estimate_json's fields in this document's order.
ojson estimate_json(const MergePlan& p, const std::optional<CopyEstimate>& e) {
  if (!e) return nullptr;
  return {{"seconds", e->seconds_for(p.bytes_to_copy)},
          {"copy_bytes_per_second", e->copy_bytes_per_second()},
          {"sampled", e->sampled},
          {"sample_bytes", e->sample.bytes},
          {"sample_seconds", e->sample.seconds},
          {"sample_uncached", e->sample.uncached}};
}

constexpr size_t kLargestRangesShown = 3;

// "in 3 ranges, the largest 2 MiB at 0x200000, 2 KiB at 0x400800": where a source replaces the
// target's data (seed 002), the biggest first.
std::string ranges_summary(const std::vector<ByteRange>& ranges) {
  std::vector<ByteRange> largest = ranges;
  std::stable_sort(largest.begin(), largest.end(), [](const ByteRange& a, const ByteRange& b) { return a.length > b.length; });
  if (largest.size() > kLargestRangesShown) largest.resize(kLargestRangesShown);
  std::string out = ranges.size() == 1 ? std::string("in 1 range: ") : fmt::format("in {} ranges, the largest ", ranges.size());
  for (size_t i = 0; i < largest.size(); ++i)
    out += fmt::format("{}{} at 0x{:x}", i ? ", " : "", binary_size(largest[i].length), largest[i].offset);
  return out;
}

}  // namespace

std::string merge_plan_text(const MergePlan& p, const std::optional<CopyEstimate>& e) {
  std::string out = fmt::format("merge {}\n  into        {} ({} {})\n", p.child, p.target, to_string(p.format),
                                to_string(p.target_type));
  if (p.resuming) out += "  resuming    an interrupted merge of this chain is finished\n";
  for (const MergeSource& s : p.sources) {
    out += fmt::format("  source      {}: {} of data, overwrites {} the target holds now\n", s.path,
                       binary_size(s.bytes), binary_size(s.overwrites_target_bytes));
    if (!s.overwrites_target_ranges.empty())
      out += fmt::format("                {}\n", ranges_summary(s.overwrites_target_ranges));
  }
  out += fmt::format("  blocks      {} touched, {} new\n", p.blocks_touched, p.blocks_allocated);
  out += fmt::format("  copy        {}\n", binary_size(p.bytes_to_copy));
  out += fmt::format("  new space   {}{}\n", binary_size(p.new_space_bytes),
                     p.free_bytes ? fmt::format(" of {} free", binary_size(*p.free_bytes)) : std::string());
  if (e) out += fmt::format("  estimate    {}\n", copy_estimate_text(*e, p.bytes_to_copy));
  for (const std::string& c : p.children_to_repoint) out += fmt::format("  re-point    {}\n", c);
  for (const std::string& i : p.invalidated) out += fmt::format("  INVALIDATED {}\n", i);
  for (const std::string& r : p.refusals) out += fmt::format("  REFUSED     {}\n", r);
  return out;
}

std::string merge_outcome_text(const MergePlan& p, const MergeOutcome& o) {
  const std::string took = amount_in_time(o.bytes_copied, o.seconds);
  if (!o.completed)
    return fmt::format("  stopped     by {} at a safe point after copying {} of {}: {}\n", o.stopped_by, took,
                       binary_size(p.bytes_to_copy), "the merge is interrupted (check: merge.interrupted)");
  std::string out = fmt::format("  merged      {}\n", took);
  for (const std::string& k : o.kept) out += fmt::format("  kept        {}\n              (no longer part of a chain)\n", k);
  for (const std::string& d : o.deleted) out += fmt::format("  deleted     {}\n", d);
  return out;
}

ojson merge_json(const MergePlan& p, const std::optional<CopyEstimate>& e, bool dry_run, const MergeOutcome& o) {
  ojson sources = ojson::array();
  for (const MergeSource& s : p.sources) {
    ojson ranges = ojson::array();
    for (const ByteRange& r : s.overwrites_target_ranges) ranges.push_back({{"offset", r.offset}, {"length", r.length}});
    sources.push_back({{"path", s.path},
                       {"bytes", s.bytes},
                       {"overwrites_target_bytes", s.overwrites_target_bytes},
                       {"overwrites_target_ranges", ranges}});
  }
  ojson j;
  j["schema_version"] = kWriteJsonSchemaVersion;
  j["child"] = p.child;
  j["target"] = p.target;
  j["format"] = std::string(to_string(p.format));
  j["target_type"] = std::string(to_string(p.target_type));
  j["virtual_size"] = p.virtual_size;
  j["sources"] = sources;
  j["blocks_touched"] = p.blocks_touched;
  j["blocks_allocated"] = p.blocks_allocated;
  j["bytes_to_copy"] = p.bytes_to_copy;
  j["new_space_bytes"] = p.new_space_bytes;
  j["free_bytes"] = p.free_bytes ? ojson(*p.free_bytes) : ojson(nullptr);
  j["estimated_seconds"] = e ? ojson(e->seconds_for(p.bytes_to_copy)) : ojson(nullptr);
  j["estimate"] = estimate_json(p, e);
  j["resuming"] = p.resuming;
  j["refusals"] = p.refusals;
  j["invalidated"] = p.invalidated;
  j["children_to_repoint"] = p.children_to_repoint;
  j["dry_run"] = dry_run;
  j["merged"] = o.completed;
  j["interrupted"] = o.ran && !o.completed ? ojson(o.stopped_by) : ojson(nullptr);
  j["finish_command"] = o.ran && !o.completed ? ojson(o.finish_command) : ojson(nullptr);
  j["bytes_copied"] = o.bytes_copied;
  j["elapsed_seconds"] = o.seconds;
  j["bytes_per_second"] = o.ran ? ojson(bytes_per_second(o.bytes_copied, o.seconds)) : ojson(nullptr);
  j["kept"] = o.kept;
  j["deleted"] = o.deleted;
  return j;
}

}  // namespace vhdchain::cli
