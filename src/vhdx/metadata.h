// The metadata region (MS-VHDX 2.6): its table, and the system items every VHDX carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/byte_view.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/guid.h"
#include "vhdchain/reader.h"
#include "vhdx/region_table.h"

namespace vhdchain::vhdx {

struct MetadataEntry {
  size_t index = 0;  // position in the table (for "metadata table entry N")
  Guid item_id;
  uint32_t offset = 0;  // from the start of the region
  uint32_t length = 0;
  uint32_t flags = 0;
  bool is_user() const;
  bool is_required() const;
};

// Decodes and validates the 64 KiB table at the start of a metadata region of region_length bytes:
// signature, reserved fields, entry count, each entry's flags and bounds, duplicates, overlaps.
// Throws FormatError naming "metadata table" or "metadata table entry N".
std::vector<MetadataEntry> decode_metadata_table(const ByteView& table, uint64_t region_length);

struct FileParameters {
  uint32_t block_size = 0;
  bool leave_blocks_allocated = false;
  bool has_parent = false;
};

// Item decoders; each view is the item's bytes, named "metadata item <Name>".
FileParameters decode_file_parameters(const ByteView& item);
uint64_t decode_virtual_disk_size(const ByteView& item, uint32_t logical_sector_size);
Guid decode_virtual_disk_id(const ByteView& item);
uint32_t decode_sector_size(const ByteView& item, const char* field);  // field: "logical sector size", ...

struct Metadata {
  FileParameters file_parameters;
  uint64_t virtual_disk_size = 0;
  Guid virtual_disk_id;
  uint32_t logical_sector_size = 0;
  uint32_t physical_sector_size = 0;
  std::optional<ParentLink> parent;
  std::vector<Note> notes;
};

// Reads the table and every system item through `file` (the log-replayed view).
Metadata read_metadata(const Reader& file, const RegionEntry& region);

}  // namespace vhdchain::vhdx
