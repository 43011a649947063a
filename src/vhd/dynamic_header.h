// The VHD dynamic disk header: decoding the 1024 bytes, and checking them against the footer and
// the file's size.
//
// decode_dynamic_header() checks what the header alone can tell (cookie, checksum, version, block
// size); check_dynamic_layout() checks what needs the footer and the file (the BAT is big enough
// for the current size and lies inside the file, clear of the footer copy and of the header).
// Both are pure, so unit tests drive them with byte arrays.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "base/utf16.h"
#include "io/byte_view.h"
#include "vhd/footer.h"
#include "vhd/layout.h"
#include "vhd/parent_locator.h"
#include "vhdchain/disk_image.h"

namespace vhdchain::vhd {

struct DynamicHeader {
  uint64_t data_offset = 0;
  uint64_t table_offset = 0;
  uint32_t header_version = 0;
  uint32_t max_table_entries = 0;
  uint32_t block_size = 0;
  uint32_t checksum = 0;
  Guid parent_unique_id;
  uint32_t parent_timestamp = 0;
  Utf16Text parent_name;  // UTF-16BE up to the first NUL
  std::array<LocatorSlot, kLocatorCount> locators{};

  uint32_t sectors_per_block() const { return static_cast<uint32_t>(block_size / kSectorSize); }
  // Bytes of the sector bitmap in front of every block: one bit per sector, whole sectors.
  uint32_t bitmap_size() const;
};

// Decodes and validates the header; `view` is its 1024 bytes ("dynamic header" at its offset).
// Throws FormatError via view.fail.
DynamicHeader decode_dynamic_header(const ByteView& view);

// Absolute offset of locator slot `index` of the header at `header_offset`.
constexpr uint64_t locator_entry_offset(uint64_t header_offset, size_t index) {
  return header_offset + header_field::kParentLocators + index * kLocatorEntrySize;
}

// Number of BAT entries the virtual disk uses: ceil(current size / block size).
uint64_t used_block_count(const DynamicHeader& header, const Footer& footer);

// Checks the header against the footer and the file: max table entries cover the current size;
// the BAT [table offset, + entries * 4) lies before `data_end` and does not overlap the footer
// copy at 0 or the header. Appends Note vhd.dynamic_header_data_offset when the header's unused
// data offset is not all ones. Throws FormatError ("dynamic header" or "BAT" location).
void check_dynamic_layout(const DynamicHeader& header, const ByteView& view, const Footer& footer,
                          uint64_t data_end, std::vector<Note>& notes);

}  // namespace vhdchain::vhd
