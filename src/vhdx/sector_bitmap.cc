// Sector bitmap runs and the bitmap block cache.
//
// Runs are found a byte, then a 64-bit word, at a time where whole units are uniform, so a fully
// set or fully clear bitmap region costs ~1 step per 64 sectors rather than one per sector.
#include "vhdx/sector_bitmap.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "io/byte_view.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

uint64_t lsb_run_length(std::span<const uint8_t> bitmap, uint64_t first, uint64_t max_bits, bool& value) {
  auto bit = [&](uint64_t i) { return (bitmap[i / 8] >> (i % 8)) & 1; };
  value = bit(first);
  const uint8_t uniform_byte = value ? 0xFF : 0x00;
  const uint64_t end = first + max_bits;
  uint64_t i = first + 1;
  while (i < end) {
    if (i % 64 == 0 && end - i >= 64) {
      uint64_t word;
      std::memcpy(&word, bitmap.data() + i / 8, 8);
      if (word == (value ? ~uint64_t(0) : 0)) {
        i += 64;
        continue;
      }
    }
    if (i % 8 == 0 && end - i >= 8 && bitmap[i / 8] == uniform_byte) {
      i += 8;
      continue;
    }
    if (bit(i) != value) break;
    ++i;
  }
  return i - first;
}

std::shared_ptr<const std::vector<uint8_t>> SectorBitmapCache::get(const Reader& file, uint64_t chunk,
                                                                   uint64_t file_offset) const {
  {
    std::lock_guard lock(mutex_);
    for (Slot& s : slots_)
      if (s.chunk == chunk) {
        s.last_use = ++clock_;
        return s.bytes;
      }
  }
  // Read outside the lock; two threads may read the same block once each, which is harmless.
  StructureBuffer buffer(file, file_offset, kSectorBitmapBlockSize, fmt::format("sector bitmap block {}", chunk));
  auto bytes = std::make_shared<const std::vector<uint8_t>>(std::move(buffer.bytes()));
  std::lock_guard lock(mutex_);
  for (Slot& s : slots_)
    if (s.chunk == chunk) return s.bytes;
  if (slots_.size() < kCapacity) {
    slots_.push_back(Slot{chunk, ++clock_, bytes});
  } else {
    auto victim = std::min_element(slots_.begin(), slots_.end(),
                                   [](const Slot& a, const Slot& b) { return a.last_use < b.last_use; });
    *victim = Slot{chunk, ++clock_, bytes};
  }
  return bytes;
}

}  // namespace vhdchain::vhdx
