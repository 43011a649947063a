// Writing the record of what was merged into a target and kept, "<target>.vhdchain-merged" (its
// format and read side: write/merge_record_file.h, which check reads).
#pragma once

#include "vhdchain/merge.h"
#include "write/merge_record_file.h"

namespace vhdchain::write {

// After a completed merge that keeps its sources: adds them to the target's record (written under
// a temporary name, flushed, renamed over the old record, folder flushed).
void record_merged_sources(const MergePlan& plan);

}  // namespace vhdchain::write
