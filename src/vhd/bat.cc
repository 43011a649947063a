// VHD BAT and sector bitmaps (VHD spec "Block Allocation Table and Data Blocks"; formats.md 3.4,
// 3.8, pitfall 22).
//
// Each BAT entry is the sector number of a block's bitmap; the block occupies bitmap + block size
// bytes from there. Validation sorts the allocated blocks by file offset so that overlaps (two
// entries at one offset included, which neither independent reader detects) are found in
// O(n log n) with memory bounded by the BAT, itself bounded by the file size.
#include "vhd/bat.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "base/checked_math.h"

namespace vhdchain::vhd {

std::vector<uint32_t> decode_bat(const ByteView& view, uint64_t count) {
  if (count > view.size() / kBatEntrySize)
    view.fail(fmt::format("{} entries do not fit in {} bytes", count, view.size()));
  std::vector<uint32_t> entries(count);
  for (uint64_t i = 0; i < count; ++i) entries[i] = view.be32(i * kBatEntrySize);
  return entries;
}

void validate_bat(std::span<const uint32_t> entries, const std::string& file, uint64_t table_offset,
                  const BlockLayout& layout, uint64_t data_end, std::span<const Region> reserved) {
  auto where = [&](uint64_t index) {
    return Location{file, fmt::format("BAT entry {}", index), table_offset + index * kBatEntrySize};
  };
  const uint64_t span = layout.span();
  struct Placed {
    uint64_t offset;
    uint64_t index;
  };
  std::vector<Placed> placed;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == kBatUnallocated) continue;
    const uint64_t offset = uint64_t(entries[i]) * kSectorSize;  // < 2^41: no overflow
    if (offset + span > data_end)
      throw FormatError(where(i), fmt::format("block at {:#x} (sector {:#x}, {} bytes with its bitmap) ends past "
                                              "the end of the file data at {:#x}",
                                              offset, entries[i], span, data_end));
    for (const Region& region : reserved) {
      if (ranges_overlap(offset, span, region.offset, region.length))
        throw FormatError(where(i), fmt::format("block at {:#x} ({} bytes with its bitmap) overlaps the {}", offset,
                                                span, region.name));
    }
    placed.push_back({offset, i});
  }
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.index < b.index;
  });
  for (size_t k = 1; k < placed.size(); ++k) {
    const Placed& before = placed[k - 1];
    const Placed& after = placed[k];
    if (before.offset + span > after.offset)
      throw FormatError(where(after.index),
                        fmt::format("block at {:#x} overlaps block {} at {:#x} ({} bytes with its bitmap)",
                                    after.offset, before.index, before.offset, span));
  }
}

BlockStats count_blocks(std::span<const uint32_t> entries, const BlockLayout& layout) {
  BlockStats stats;
  uint64_t allocated = 0;
  uint64_t pairs = 0;
  uint64_t apart = 0;
  const uint64_t span_sectors = layout.span() / kSectorSize;
  // Same definition as VHDX (docs/info-json.md): each allocated block against the previous
  // allocated block in virtual order; unallocated blocks between them do not break the pair.
  std::optional<uint32_t> previous;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == kBatUnallocated) continue;
    ++allocated;
    if (previous) {
      ++pairs;
      if (uint64_t(entries[i]) != uint64_t(*previous) + span_sectors) ++apart;
    }
    previous = entries[i];
  }
  stats.payload["not_present"] = entries.size() - allocated;
  stats.payload["allocated"] = allocated;
  stats.allocated_bytes = allocated * layout.span();
  stats.fragmentation_percent = pairs == 0 ? 0.0 : 100.0 * double(apart) / double(pairs);
  return stats;
}

uint64_t bitmap_run_length(std::span<const uint8_t> bitmap, uint64_t first, uint64_t end) {
  const bool bit = bitmap_bit(bitmap, first);
  const uint8_t uniform = bit ? 0xFF : 0x00;
  uint64_t s = first;
  while (s < end) {
    // Whole bytes of equal bits are skipped at once; sub-byte edges go bit by bit.
    if (s % 8 == 0 && s + 8 <= end && bitmap[s / 8] == uniform) {
      s += 8;
      continue;
    }
    if (bitmap_bit(bitmap, s) != bit) break;
    ++s;
  }
  return s - first;
}

}  // namespace vhdchain::vhd
