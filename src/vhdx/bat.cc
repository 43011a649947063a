// BAT (MS-VHDX 2.5, 2.5.1).
//
// Payload entry b sits at index b + floor(b / CR): after every CR payload entries comes the
// sector-bitmap entry of that chunk. The table is read only up to the spec's entry count for the
// disk type, so a hostile region length costs nothing; it is read in 1 MiB pieces into bat.h's
// sparse pages. Validation is one linear pass plus a sort of the allocated entries by file offset
// (to find overlapping blocks).
//
// State 5 was UNMAPPED in the v0.95 draft and older QEMU wrote it; it is read as UNMAPPED (3) and
// noted (formats.md pitfall 5). Payload states 4 and sector-bitmap states other than 0 and 6 are
// reserved and refused.
#include "vhdx/bat.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "io/byte_view.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

BatLayout compute_bat_layout(uint64_t virtual_size, uint32_t block_size, uint32_t logical_sector_size,
                             bool differencing) {
  BatLayout l;
  l.virtual_size = virtual_size;
  l.block_size = block_size;
  l.logical_sector_size = logical_sector_size;
  l.differencing = differencing;
  l.chunk_ratio = kSectorsPerChunk * logical_sector_size / block_size;
  l.payload_blocks = ceil_div(virtual_size, block_size);
  l.bitmap_blocks = ceil_div(l.payload_blocks, l.chunk_ratio);
  l.total_entries = differencing ? l.bitmap_blocks * (l.chunk_ratio + 1)
                                 : l.payload_blocks + (l.payload_blocks - 1) / l.chunk_ratio;
  return l;
}

BatEntry decode_bat_entry(uint64_t raw) {
  return BatEntry{static_cast<uint8_t>(raw & kBatStateMask), raw & kBatReservedMask, raw & kBatOffsetMask};
}

std::string_view payload_state_name(uint8_t state) {
  switch (state) {
    case kPayloadNotPresent: return "not_present";
    case kPayloadUndefined: return "undefined";
    case kPayloadZero: return "zero";
    case kPayloadUnmapped:
    case kPayloadUnmappedV095: return "unmapped";
    case kPayloadFullyPresent: return "fully_present";
    case kPayloadPartiallyPresent: return "partially_present";
    default: return "reserved";
  }
}

std::string_view bitmap_state_name(uint8_t state) {
  return state == kBitmapPresent ? "present" : state == kBitmapNotPresent ? "not_present" : "reserved";
}

BatEntry Bat::entry(uint64_t index) const {
  const uint64_t chunk = index / (layout_.chunk_ratio + 1), at = index % (layout_.chunk_ratio + 1);
  return at == layout_.chunk_ratio ? bitmap(chunk) : payload(chunk * layout_.chunk_ratio + at);
}

size_t Bat::payload_pages_held() const {
  return static_cast<size_t>(std::count_if(payload_pages_.begin(), payload_pages_.end(),
                                           [](const std::unique_ptr<uint64_t[]>& p) { return p != nullptr; }));
}

namespace {

constexpr uint64_t kPieceEntries = 128 * 1024;  // 1 MiB of table per read

uint64_t le64(const uint8_t* p) {
  uint64_t raw = 0;
  for (int i = 7; i >= 0; --i) raw = raw << 8 | p[i];
  return raw;
}

// An allocated entry in the overlap sort: a payload slot, or with kBitmapTag a chunk's bitmap.
constexpr uint32_t kBitmapTag = 0x80000000u;

}  // namespace

Bat::Bat(const Reader& data, uint64_t file_offset, const BatLayout& layout, uint64_t file_size,
         const std::vector<ReservedRange>& reserved, std::vector<Note>& notes)
    : layout_(layout) {
  require_structure_fits(data, file_offset, layout.total_entries * 8, "BAT");
  load([&](uint64_t first, std::span<uint8_t> out) { data.read_at(file_offset + first * 8, out); });
  validate(data.name(), file_offset, file_size, reserved, notes);
}

Bat::Bat(const std::vector<uint8_t>& table, const std::string& file, uint64_t file_offset, const BatLayout& layout,
         uint64_t file_size, const std::vector<ReservedRange>& reserved, std::vector<Note>& notes)
    : layout_(layout) {
  load([&](uint64_t first, std::span<uint8_t> out) {
    std::copy_n(table.begin() + static_cast<std::ptrdiff_t>(first * 8), out.size(), out.begin());
  });
  validate(file, file_offset, file_size, reserved, notes);
}

void Bat::load(const ReadTable& read) {
  const uint64_t total = layout_.total_entries, ratio = layout_.chunk_ratio;
  const uint64_t bitmap_entries = total / (ratio + 1);  // complete chunks; the last may lack one
  payload_pages_.resize(static_cast<size_t>((total - bitmap_entries + kPageEntries - 1) / kPageEntries));
  bitmaps_.reserve(static_cast<size_t>(bitmap_entries));
  std::vector<uint8_t> piece(static_cast<size_t>(std::min(total, kPieceEntries) * 8));
  uint64_t at = 0;    // position in the chunk: ratio is its sector-bitmap entry
  uint64_t slot = 0;  // payload entries so far
  for (uint64_t first = 0; first < total;) {
    const uint64_t n = std::min(kPieceEntries, total - first);
    read(first, std::span(piece).first(static_cast<size_t>(n * 8)));
    for (uint64_t k = 0; k < n; ++k) {
      const uint64_t raw = le64(piece.data() + k * 8);
      if (at == ratio) {
        bitmaps_.push_back(raw);
        at = 0;
        continue;
      }
      ++at;
      if (raw != 0) {
        std::unique_ptr<uint64_t[]>& page = payload_pages_[static_cast<size_t>(slot / kPageEntries)];
        if (!page) page = std::make_unique<uint64_t[]>(kPageEntries);  // zeros
        page[slot % kPageEntries] = raw;
      }
      ++slot;
    }
    first += n;
  }
}

// Validation in named steps: each entry on its own (state, then placement), then the allocated
// blocks against each other, then the figures block_stats() reports.
void Bat::validate(const std::string& file, uint64_t file_offset, uint64_t file_size,
                   const std::vector<ReservedRange>& reserved, std::vector<Note>& notes) {
  const EntryFailure fail{file, file_offset};
  const EntryScan scan = check_entries(fail, file_size, reserved);
  check_blocks_apart(fail, scan.allocated);
  stats_.fragmentation_percent = fragmentation_percent(scan.allocated);
  if (scan.v095_unmapped)
    notes.push_back({"vhdx.unmapped_v095_state",
                     fmt::format("BAT @{:#x}: {} payload entries have state 5 (UNMAPPED in the v0.95 draft); read as "
                                 "UNMAPPED (3)",
                                 file_offset, scan.v095_unmapped)});
}

void Bat::EntryFailure::operator()(uint64_t index, const std::string& detail) const {
  throw FormatError(Location{file, fmt::format("BAT entry {}", index), table_offset + index * 8}, detail);
}

// One pass over the table: every entry's state (MS-VHDX 2.5.1.1, 2.5.1.2) and, for an entry that
// owns a block, where that block lies; counts by state into stats_.
Bat::EntryScan Bat::check_entries(const EntryFailure& fail, uint64_t file_size,
                                  const std::vector<ReservedRange>& reserved) {
  for (const char* name : {"not_present", "undefined", "zero", "unmapped", "fully_present", "partially_present"})
    stats_.payload[name] = 0;
  for (const char* name : {"not_present", "present"}) stats_.sector_bitmap[name] = 0;

  EntryScan scan;
  // Counted by state and named once at the end: a 64 TiB disk has a million entries, and neither a
  // string per entry nor a division per entry (is_bitmap_index) is free at that count.
  uint64_t payload_counts[8] = {}, bitmap_counts[8] = {};
  uint64_t slot = 0;   // i % (chunk_ratio + 1): chunk_ratio is the chunk's sector-bitmap entry
  uint64_t block = 0;  // i - i / (chunk_ratio + 1): the payload block of a payload entry
  uint64_t chunk = 0;  // i / (chunk_ratio + 1)
  for (uint64_t i = 0; i < layout_.total_entries; ++i) {
    const bool is_bitmap = slot == layout_.chunk_ratio;
    const BatEntry e = is_bitmap ? bitmap(chunk) : payload(block);
    const uint32_t tagged = is_bitmap ? kBitmapTag | static_cast<uint32_t>(chunk) : static_cast<uint32_t>(block);
    if (e.reserved != 0)
      fail(i, fmt::format("reserved bits 3-19 are not zero (entry {:#018x})", e.file_offset | e.reserved | e.state));
    slot = is_bitmap ? 0 : slot + 1;
    uint64_t block_bytes = 0;
    if (is_bitmap) {
      block_bytes = bitmap_block_bytes(fail, i, e);
      ++bitmap_counts[e.state];
      ++chunk;
    } else {
      if (e.state == kPayloadUnmappedV095) ++scan.v095_unmapped;
      block_bytes = payload_block_bytes(fail, i, e, chunk);
      // A differencing table has CR payload slots per chunk; those past the last block of the disk
      // are validated but not counted, so the counts describe the virtual disk.
      if (block < layout_.payload_blocks) ++payload_counts[e.state];
      ++block;
    }
    if (block_bytes == 0) continue;
    check_block_placement(fail, i, e.file_offset, block_bytes, file_size, reserved);
    scan.allocated.push_back(tagged);
    stats_.allocated_bytes += block_bytes;
  }

  for (uint8_t state = 0; state < 8; ++state) {
    if (payload_counts[state]) stats_.payload[std::string(payload_state_name(state))] += payload_counts[state];
    if (bitmap_counts[state]) stats_.sector_bitmap[std::string(bitmap_state_name(state))] += bitmap_counts[state];
  }
  return scan;
}

// A sector-bitmap entry's state (0 or 6; 6 only in a differencing disk): the bytes it owns.
uint64_t Bat::bitmap_block_bytes(const EntryFailure& fail, uint64_t index, const BatEntry& e) const {
  if (e.state != kBitmapNotPresent && e.state != kBitmapPresent)
    fail(index, fmt::format("sector bitmap state {} is reserved (must be 0 or 6)", e.state));
  if (e.state != kBitmapPresent) return 0;
  if (!layout_.differencing) fail(index, "sector bitmap state 6 (present) is only valid in a differencing disk");
  return kSectorBitmapBlockSize;
}

// A payload entry's state: the bytes it owns. PARTIALLY_PRESENT needs a differencing disk and its
// chunk's sector bitmap present; state 4 is reserved.
uint64_t Bat::payload_block_bytes(const EntryFailure& fail, uint64_t index, const BatEntry& e, uint64_t chunk) const {
  switch (e.state) {
    case kPayloadNotPresent:
    case kPayloadUndefined:
    case kPayloadZero:
    case kPayloadUnmapped:
    case kPayloadUnmappedV095: return 0;
    case kPayloadFullyPresent: return layout_.block_size;
    case kPayloadPartiallyPresent: {
      if (!layout_.differencing) fail(index, "payload state 7 (partially present) is only valid in a differencing disk");
      const BatEntry sb = bitmap(chunk);
      if (sb.state != kBitmapPresent)
        fail(index, fmt::format("payload state 7 (partially present) needs the sector bitmap of chunk {} (BAT "
                                "entry {}) to be present, but its state is {}",
                                chunk, layout_.bitmap_index(chunk), sb.state));
      return layout_.block_size;
    }
    default: fail(index, fmt::format("payload state {} is reserved", e.state));
  }
  return 0;  // not reached: fail throws
}

// An allocated block lies after the 1 MiB header section, inside the file and clear of the other
// structures (log, metadata, the BAT itself).
void Bat::check_block_placement(const EntryFailure& fail, uint64_t index, uint64_t offset, uint64_t length,
                                uint64_t file_size, const std::vector<ReservedRange>& reserved) const {
  if (offset < kHeaderSectionSize)
    fail(index, fmt::format("file offset {:#x} lies inside the 1 MiB header section", offset));
  auto end = checked_add(offset, length);
  if (!end || *end > file_size)
    fail(index, fmt::format("block {:#x}+{:#x} extends past the end of the file ({:#x} bytes)", offset, length,
                            file_size));
  for (const ReservedRange& r : reserved)
    if (ranges_overlap(offset, length, r.offset, r.length))
      fail(index, fmt::format("block {:#x}+{:#x} overlaps {} ({:#x}+{:#x})", offset, length, r.what, r.offset, r.length));
}

// Overlaps between blocks: sorted by offset, each compared with its neighbour; the entry later in
// the table is the one reported.
void Bat::check_blocks_apart(const EntryFailure& fail, const std::vector<uint32_t>& allocated) const {
  auto is_bitmap_tag = [](uint32_t t) { return (t & kBitmapTag) != 0; };
  auto offset_of = [&](uint32_t t) {
    return is_bitmap_tag(t) ? bitmap(t & ~kBitmapTag).file_offset : payload(t).file_offset;
  };
  auto size_of = [&](uint32_t t) { return is_bitmap_tag(t) ? kSectorBitmapBlockSize : layout_.block_size; };
  auto index_of = [&](uint32_t t) {
    return is_bitmap_tag(t) ? layout_.bitmap_index(t & ~kBitmapTag) : layout_.payload_index(t);
  };
  std::vector<uint32_t> by_offset = allocated;
  std::sort(by_offset.begin(), by_offset.end(), [&](uint32_t a, uint32_t b) { return offset_of(a) < offset_of(b); });
  for (size_t k = 1; k < by_offset.size(); ++k) {
    const uint32_t a = by_offset[k - 1], b = by_offset[k];
    if (ranges_overlap(offset_of(a), size_of(a), offset_of(b), size_of(b))) {
      const bool a_later = index_of(a) > index_of(b);
      const uint32_t later = a_later ? a : b, earlier = a_later ? b : a;
      fail(index_of(later), fmt::format("block {:#x}+{:#x} overlaps the block of BAT entry {} ({:#x}+{:#x})",
                                        offset_of(later), size_of(later), index_of(earlier), offset_of(earlier),
                                        size_of(earlier)));
    }
  }
}

// Of the data-bearing payload blocks in virtual order, the share of neighbours (next data-bearing
// block) that do not follow each other directly in the file.
double Bat::fragmentation_percent(const std::vector<uint32_t>& allocated) const {
  uint64_t pairs = 0, breaks = 0;
  bool have_previous = false;
  uint64_t previous_end = 0;
  for (uint32_t t : allocated) {
    if ((t & kBitmapTag) != 0) continue;
    const uint64_t offset = payload(t).file_offset;
    if (have_previous) {
      ++pairs;
      if (offset != previous_end) ++breaks;
    }
    have_previous = true;
    previous_end = offset + layout_.block_size;
  }
  return pairs ? 100.0 * double(breaks) / double(pairs) : 0.0;
}

}  // namespace vhdchain::vhdx
