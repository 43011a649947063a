// The export loop. Speed comes from three things: reads of up to 4 MiB that the ChainReader turns
// into one pread per contiguous run, writes of the same size, and zero runs that are skipped
// (sparse file) or written from a shared zero buffer (streams) instead of being read or memset.
// 4 MiB measured best on a page-cached 3 GiB image (to /dev/null: 2-4 MiB ~0.18 s, cat 0.19 s,
// 8 MiB 0.195 s, 128 KiB 0.23 s): large enough to keep syscalls rare, small enough that the buffer
// the kernel copies into is still in cache when it copies out.
//
// Data is staged in one buffer so that short zero runs between data (a partially present block
// whose bitmap alternates) do not split the output into small writes: zero runs shorter than
// kMinHole are copied into the buffer as zeros; only longer ones become holes.
#include "export_copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace vhdchain::cli {
namespace {

constexpr size_t kBufferSize = 4 << 20;
constexpr uint64_t kMinHole = 64 << 10;

class Stage {
 public:
  explicit Stage(RawTarget& target) : target_(target), buffer_(kBufferSize) {}

  // Room for up to `wanted` more bytes (at least one); flushes first when full.
  std::span<uint8_t> room(uint64_t wanted) {
    if (fill_ == buffer_.size()) flush();
    size_t n = static_cast<size_t>(std::min<uint64_t>(wanted, buffer_.size() - fill_));
    return {buffer_.data() + fill_, n};
  }
  void filled(size_t n) { fill_ += n; }
  void flush() {
    if (fill_ == 0) return;
    target_.write({buffer_.data(), fill_});
    fill_ = 0;
  }

 private:
  RawTarget& target_;
  std::vector<uint8_t> buffer_;
  size_t fill_ = 0;
};

}  // namespace

CopyStats copy_raw(const ChainReader& reader, RawTarget& target, const std::function<void(uint64_t)>& progress) {
  CopyStats stats;
  Stage stage(target);
  const uint64_t size = reader.size();
  uint64_t offset = 0;
  while (offset < size) {
    const ChainExtent extent = reader.next_extent(offset, size - offset);
    const uint64_t end = offset + extent.length;
    if (extent.zero && extent.length >= kMinHole) {
      stage.flush();
      target.skip(extent.length);  // a hole, or written zeros when the target cannot have holes
      stats.zero_bytes += extent.length;
      offset = end;
    }
    while (offset < end) {
      std::span<uint8_t> room = stage.room(end - offset);
      if (extent.zero)
        std::memset(room.data(), 0, room.size());
      else
        reader.read_at(offset, room);
      stage.filled(room.size());
      (extent.zero ? stats.zero_bytes : stats.data_bytes) += room.size();
      offset += room.size();
      progress(offset);
    }
    progress(offset);
  }
  stage.flush();
  return stats;
}

}  // namespace vhdchain::cli
