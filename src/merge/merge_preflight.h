// A merge's preflight (vhdchain/preflight.h): the survey of the chain's folders for children and
// branches (done by the library itself, so a caller cannot skip it), then the locks, the full
// validation and the chain after the merge, before the merge writes its first byte.
#pragma once

#include "vhdchain/merge.h"
#include "vhdchain/preflight.h"
#include "merge/merge_chain.h"

namespace vhdchain::write {

// `options` with the survey's findings added to the caller's lists (each path once), and the
// messages of critical check findings about the chain's own disks.
struct SurveyedOptions {
  MergeOptions options;
  std::vector<std::string> critical;
  // Disks in those folders that do not open (their error): any of them may be a child of a merged
  // disk, which the merge would make invalid, so they refuse it unless force.
  std::vector<std::string> unreadable;
};
SurveyedOptions surveyed(const MergeOptions& options, const MergeChain& chain);

// Locks and validates every file the plan writes (the target; VHDX: the disk above it, whose
// linkage is written; every child to re-point) exclusively and every source shared; each child to
// re-point is checked as a child of the target. A plan made without the survey's findings (a child
// of CHILD not re-pointed, a branch without force) is refused.
// Critical check findings about the chain refuse it too ("check: <message>").
WriteLease merge_preflight(const SurveyedOptions& surveyed, const MergeChain& chain, const MergePlan& plan);

}  // namespace vhdchain::write
