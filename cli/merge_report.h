// What `vhdchain merge` prints: the plan (before anything is written, and with --dry-run), then
// the outcome (merged, or stopped at a safe point), as text or as one JSON document
// (schema_version first, document order; docs/merge.md "JSON").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "copy_estimate.h"
#include "vhdchain/merge.h"

namespace vhdchain::cli {

// What happened after the plan; empty for a dry run or a refusal.
struct MergeOutcome {
  bool ran = false;                  // the merge was started
  bool completed = false;            // ... and finished
  std::string stopped_by;            // "SIGINT" / "SIGTERM" when stopped at a safe point
  std::string finish_command;        // what finishes a stopped merge
  uint64_t bytes_copied = 0;         // in this run
  double seconds = 0;                // elapsed, this run
  std::vector<std::string> kept;     // merged files left in place (no longer part of a chain)
  std::vector<std::string> deleted;  // merged files removed (--delete-merged)
};

std::string merge_plan_text(const MergePlan& plan, const std::optional<CopyEstimate>& estimate);
std::string merge_outcome_text(const MergePlan& plan, const MergeOutcome& outcome);
nlohmann::ordered_json merge_json(const MergePlan& plan, const std::optional<CopyEstimate>& estimate,
                                  bool dry_run, const MergeOutcome& outcome);

}  // namespace vhdchain::cli
