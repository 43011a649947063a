#include "exercise_image.h"

#include <algorithm>
#include <vector>

namespace vhdchain::fuzz {

void exercise_image(const DiskImage& image) {
  const ImageInfo& info = image.info();
  (void)image.block_stats();
  // Walk the start of the disk run by run, then jump through it in large strides, so both dense and
  // far-away BAT entries are visited without costing time proportional to a 64 TiB virtual size.
  constexpr int kMaxRuns = 256;
  constexpr uint64_t kMaxReadBytes = 1 << 20;
  uint64_t read_budget = 4 << 20;
  std::vector<uint8_t> buf;
  uint64_t stride = std::max<uint64_t>(info.virtual_size / 64, 1);
  uint64_t pos = 0;
  for (int i = 0; i < kMaxRuns && pos < info.virtual_size; ++i) {
    Extent e = image.map(pos, info.virtual_size - pos);
    if (e.source == ExtentSource::data && read_budget > 0) {
      uint64_t n = std::min({e.length, kMaxReadBytes, read_budget});
      buf.resize(n);
      image.data().read_at(e.file_offset, buf);
      read_budget -= n;
    }
    pos = i < kMaxRuns / 2 ? e.virtual_offset + e.length : std::max(e.virtual_offset + e.length, pos + stride);
  }
}

}  // namespace vhdchain::fuzz
