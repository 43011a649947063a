// Sector bitmaps of differencing disks (MS-VHDX 2.5.1.2, 2.4): one bit per logical sector of a
// chunk, LSB-first (bit s%8 of byte s/8), 1 = the sector is in this file, 0 = read the parent.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "vhdchain/reader.h"

namespace vhdchain::vhdx {

// The number of consecutive bits equal to bit `first` (at least 1, at most max_bits), and that bit's
// value. The bitmap must hold first + max_bits bits.
uint64_t lsb_run_length(std::span<const uint8_t> bitmap, uint64_t first, uint64_t max_bits, bool& value);

// A small cache of 1 MiB sector-bitmap blocks, safe for concurrent map() calls. A differencing disk
// has one block per chunk (4 GiB of virtual disk with 512-byte sectors), so a handful covers the
// working set of a sequential reader.
class SectorBitmapCache {
 public:
  static constexpr size_t kCapacity = 8;
  // The bitmap block of `chunk` at file_offset (already validated to lie inside the file).
  std::shared_ptr<const std::vector<uint8_t>> get(const Reader& file, uint64_t chunk, uint64_t file_offset) const;

 private:
  struct Slot {
    uint64_t chunk = 0;
    uint64_t last_use = 0;
    std::shared_ptr<const std::vector<uint8_t>> bytes;
  };
  mutable std::mutex mutex_;
  mutable std::vector<Slot> slots_;
  mutable uint64_t clock_ = 0;
};

}  // namespace vhdchain::vhdx
