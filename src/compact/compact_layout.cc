// plan_vhdx_layout (compact_layout.h).
//
// Reclaim: a fully present block whose virtual bytes are all zeros, and an UNMAPPED or UNDEFINED
// entry that still names space, become ZERO. A partially present block (differencing only) is kept
// as it is even when its present sectors are all zeros: ZERO would also hide the parent under its
// absent sectors, which changes what the disk shows.
//
// Moves: the space in use after the reclaim is the header section (first MiB), the log and every
// region (reserved_ranges) and the blocks still held. Everything else below the end of the file is
// a hole. Blocks are taken from the end of the file, highest first, and each goes to the lowest
// hole that fits it and lies below it; the first block that finds none ends the moves (every block
// below it is lower still). The file then ends where the last thing in use ends.
#include "compact/compact_layout.h"

#include <algorithm>
#include <map>

#include "base/zero_bytes.h"
#include "vhdx/layout.h"

namespace vhdchain::compact {
namespace {

// Free space as [offset, end) ranges, kept merged.
class Holes {
 public:
  Holes(uint64_t file_size) { free_[0] = file_size; }

  void take(uint64_t offset, uint64_t length) {
    const uint64_t end = offset + length;
    auto it = free_.upper_bound(offset);
    if (it != free_.begin()) --it;
    while (it != free_.end() && it->first < end) {
      const uint64_t from = it->first, to = it->second;
      it = free_.erase(it);
      if (to <= offset) continue;
      if (from < offset) free_[from] = offset;
      if (to > end) free_[end] = to;
    }
  }

  // The lowest free range of `length` bytes ending at or below `limit`; taken. 0: none (offset 0
  // is the header section, never free).
  uint64_t allocate(uint64_t length, uint64_t limit) {
    for (const auto& [from, to] : free_) {
      if (from + length > limit) break;
      if (to - from >= length) {
        const uint64_t at = from;  // take() erases the node `from` refers to
        take(at, length);
        return at;
      }
    }
    return 0;
  }

 private:
  std::map<uint64_t, uint64_t> free_;  // offset -> end
};

struct Held {
  uint64_t bat_index, offset, length;
  uint8_t state;
};

}  // namespace

uint64_t bat_entry_value(uint64_t file_offset, uint8_t state) { return file_offset | state; }

VhdxCompactLayout plan_vhdx_layout(const vhdx::VhdxImage& image, const std::function<void(uint64_t)>& progress) {
  const vhdx::BatLayout& layout = image.layout();
  const vhdx::Bat& bat = image.bat_table();
  const Reader& file = image.data();
  VhdxCompactLayout out;
  std::vector<Held> held;

  std::vector<uint8_t> buffer;
  for (uint64_t b = 0; b < layout.payload_blocks; ++b) {
    const vhdx::BatEntry e = bat.payload(b);
    const uint64_t index = layout.payload_index(b);
    switch (e.state) {
      case vhdx::kPayloadFullyPresent: {
        // Only the virtual part of the last block counts; the rest of its space is never read.
        const uint64_t length = std::min(layout.block_size, layout.virtual_size - b * layout.block_size);
        buffer.resize(static_cast<size_t>(length));
        file.read_at(e.file_offset, buffer);
        out.bytes_read += length;
        if (progress) progress(out.bytes_read);
        if (all_zero(buffer))
          out.reclaims.push_back({index, false});
        else
          held.push_back({index, e.file_offset, layout.block_size, e.state});
        break;
      }
      case vhdx::kPayloadPartiallyPresent:
        ++out.blocks_partial_kept;
        held.push_back({index, e.file_offset, layout.block_size, e.state});
        break;
      case vhdx::kPayloadUndefined:
      case vhdx::kPayloadUnmapped:
      case vhdx::kPayloadUnmappedV095:
        if (e.file_offset != 0) out.reclaims.push_back({index, true});
        break;
      default:  // NOT_PRESENT, ZERO: no space
        break;
    }
  }
  for (uint64_t chunk = 0; chunk < layout.bitmap_blocks; ++chunk) {
    const vhdx::BatEntry e = bat.bitmap(chunk);
    if (e.state == vhdx::kBitmapPresent)
      held.push_back({layout.bitmap_index(chunk), e.file_offset, vhdx::kSectorBitmapBlockSize, e.state});
  }

  Holes holes(file.size());
  holes.take(0, vhdx::kRegionAlignment);  // the header section (MS-VHDX 2.1)
  uint64_t structures_end = vhdx::kRegionAlignment;
  for (const vhdx::ReservedRange& r : image.reserved_ranges()) {
    holes.take(r.offset, r.length);
    structures_end = std::max(structures_end, r.offset + r.length);
  }
  for (const Held& h : held) holes.take(h.offset, h.length);

  std::sort(held.begin(), held.end(), [](const Held& a, const Held& b) { return a.offset > b.offset; });
  uint64_t end = structures_end;
  size_t i = 0;
  for (; i < held.size(); ++i) {
    const Held& h = held[i];
    const uint64_t to = holes.allocate(h.length, h.offset);
    if (to == 0) break;
    out.moves.push_back({h.bat_index, h.state, h.offset, to, h.length});
    end = std::max(end, to + h.length);
  }
  for (; i < held.size(); ++i) end = std::max(end, held[i].offset + held[i].length);
  out.file_size_after = std::min(end, file.size());
  return out;
}

}  // namespace vhdchain::compact
