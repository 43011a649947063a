// The VHD block allocation table and the per-block sector bitmaps.
//
// All pure functions: decoding the BAT's big-endian entries, validating where the blocks lie,
// counting them for block_stats(), and scanning a bitmap for runs of equal bits (MSB first).
// The Image calls them once, lazily, on the first map() or block_stats().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/byte_view.h"
#include "vhd/layout.h"
#include "vhdchain/disk_image.h"

namespace vhdchain::vhd {

struct BlockLayout {
  uint32_t block_size = 0;   // data bytes per block
  uint32_t bitmap_size = 0;  // sector bitmap bytes in front of the data
  uint64_t span() const { return uint64_t(bitmap_size) + block_size; }
};

// The first `count` entries of the BAT `view` (which must hold count * 4 bytes).
std::vector<uint32_t> decode_bat(const ByteView& view, uint64_t count);

// Checks every allocated entry: its block (bitmap + data) ends at or before `data_end`, overlaps
// none of `reserved`, and no two blocks overlap. Throws FormatError at "BAT entry N" (absolute
// offset table_offset + 4N). Memory: one (offset, index) pair per allocated entry.
void validate_bat(std::span<const uint32_t> entries, const std::string& file, uint64_t table_offset,
                  const BlockLayout& layout, uint64_t data_end, std::span<const Region> reserved);

// payload "not_present" / "allocated" counts, allocated bytes (bitmap + data per allocated block)
// and fragmentation: the percentage of pairs of blocks i, i+1 that are both allocated whose
// blocks are not back to back in the file (0 when there is no such pair).
BlockStats count_blocks(std::span<const uint32_t> entries, const BlockLayout& layout);

// Bit of `sector` (block-relative): byte sector / 8, mask 0x80 >> (sector % 8) (formats.md 3.4).
inline bool bitmap_bit(std::span<const uint8_t> bitmap, uint64_t sector) {
  return (bitmap[sector / 8] & (0x80u >> (sector % 8))) != 0;
}

// Number of sectors from `first` (inclusive) to `end` (exclusive) that share the bit of `first`.
// Requires first < end <= bitmap.size() * 8.
uint64_t bitmap_run_length(std::span<const uint8_t> bitmap, uint64_t first, uint64_t end);

}  // namespace vhdchain::vhd
