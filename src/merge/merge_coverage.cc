#include "merge/merge_coverage.h"

#include <algorithm>

namespace vhdchain::write {

std::vector<CoveredRun> covered_runs(const std::vector<const DiskImage*>& sources, uint64_t offset, uint64_t length) {
  std::vector<CoveredRun> runs;
  const uint64_t end = offset + length;
  for (uint64_t at = offset; at < end;) {
    uint64_t limit = end - at;
    CoveredRun run{at, 0, -1, false, 0};
    for (size_t i = 0; i < sources.size(); ++i) {
      const Extent e = sources[i]->map(at, limit);
      if (e.source == ExtentSource::parent) {
        limit = std::min(limit, e.length);  // the next layer answers for at most this much
        continue;
      }
      run.source = static_cast<int>(i);
      run.zero = e.source == ExtentSource::zero;
      run.file_offset = e.file_offset;
      limit = std::min(limit, e.length);
      break;
    }
    run.length = limit;
    CoveredRun* last = runs.empty() ? nullptr : &runs.back();
    const bool joins = last && last->source == run.source && last->zero == run.zero &&
                       (run.source < 0 || run.zero || last->file_offset + last->length == run.file_offset);
    if (joins)
      last->length += run.length;
    else
      runs.push_back(run);
    at += run.length;
  }
  return runs;
}

}  // namespace vhdchain::write
