// The region table and its copy (MS-VHDX 2.2.3): where the BAT, the metadata region and any other
// regions live.
#pragma once

#include <cstdint>
#include <vector>

#include "io/byte_view.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/guid.h"

namespace vhdchain::vhdx {

struct RegionEntry {
  Guid guid;
  uint64_t file_offset = 0;
  uint32_t length = 0;
  bool required = false;
  friend bool operator==(const RegionEntry&, const RegionEntry&) = default;
};

struct RegionTable {
  std::vector<RegionEntry> entries;  // in stored order
  const RegionEntry* find(const Guid& guid) const;
};

// What a region must stay clear of, besides the header section and the other regions.
struct RegionLimits {
  uint64_t log_offset = 0;
  uint64_t log_length = 0;  // 0: no log
  uint64_t file_size = 0;   // regions must end inside the file
};

// Decodes and validates one 64 KiB copy: signature, checksum, entry count, reserved fields, each
// entry's alignment and placement, unique GUIDs, no overlaps, BAT and metadata regions present.
// Throws FormatError naming "region table N" or "region table N entry M".
RegionTable decode_region_table(const ByteView& view, const RegionLimits& limits);

struct ChosenRegionTable {
  RegionTable table;
  int index = 1;  // which copy is used
  std::vector<Note> notes;
};

// Uses the first valid copy; notes an invalid copy or copies that differ. Refuses an unknown
// region marked required (ErrorCode::unsupported).
ChosenRegionTable select_region_table(const ByteView& table1, const ByteView& table2, const RegionLimits& limits);

}  // namespace vhdchain::vhdx
