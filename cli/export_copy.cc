// The export loop. Speed comes from three things: reads of up to 256 KiB that the ChainReader turns
// into one pread per contiguous run, writes of the same size, and zero runs that are skipped
// (sparse file) or written from a shared zero buffer (streams) instead of being read or memset.
// 256 KiB: into a file, the kernel's copy from our buffer into the page cache dominates, and it is
// several times slower once the buffer no longer fits the CPU's caches. Exporting a page-cached
// 4 GiB VHDX to ext4 on a shared 2-CPU VM (fsync included, docs/benchmarks.md) took 12-15 s of
// which 6-8 s system time with 4 MiB, 9-10 s with 1 MiB, 5-6 s with 256 KiB or 128 KiB, like
// `cat` (5-5.5 s). To /dev/null, where only the read copies, 4 MiB was a little faster (0.18 s
// against 0.23 s for 128 KiB on a 3 GiB image), but files are what export writes.
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

constexpr size_t kBufferSize = 256 << 10;
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
