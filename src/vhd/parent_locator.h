// VHD parent locator entries: the 8 slots of the dynamic header and the platform data they point to.
//
// decode_locator_slot() and decode_locator_data() are pure. read_locator() applies the file
// checks: the data must lie inside the file, before the footer, outside the footer copy, dynamic
// header and BAT; its length must fit the platform data space read as bytes (what Hyper-V and
// Virtual PC write) or as 512-byte sectors (what the spec text says) (formats.md 3.3, pitfall 21).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/byte_view.h"
#include "vhd/layout.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/reader.h"

namespace vhdchain::vhd {

// One 24-byte parent locator entry as stored.
struct LocatorSlot {
  uint32_t platform_code = 0;
  uint32_t data_space = 0;
  uint32_t data_length = 0;
  uint32_t reserved = 0;
  uint64_t data_offset = 0;

  bool empty() const { return platform_code == kPlatformNone; }
};

LocatorSlot decode_locator_slot(const ByteView& entry);

// The decoded platform data of one entry.
struct LocatorValue {
  std::string text;   // UTF-8; hex digits for the Mac alias blob and unknown codes
  bool valid = true;  // false when the bytes are not valid in the code's encoding
};

// True for W2ku and W2ru, whose data is UTF-16LE.
bool is_utf16_platform(uint32_t code);
// True for the codes decode_locator_data knows (Wi2r, Wi2k, W2ru, W2ku, Mac, MacX).
bool is_known_platform(uint32_t code);

// Decodes platform data by code: W2ku/W2ru UTF-16LE, Wi2k/Wi2r single-byte (read as ISO-8859-1),
// MacX UTF-8, Mac and unknown codes as lowercase hex. Text ends at the first NUL (stored paths
// are often NUL-terminated or zero-padded); non-zero bytes after it make the value invalid.
// Never throws; an odd UTF-16 length is the caller's error (read_locator) and here only invalid.
LocatorValue decode_locator_data(uint32_t code, std::span<const uint8_t> data);

// Validates the placement of one non-empty slot and reads and decodes its data. `entry` is the
// slot's 24-byte view ("parent locator entry N" at its absolute offset); `reserved` are the
// regions the data must not overlap; data must end at or before `data_end`. Appends Notes
// vhd.locator_space_in_sectors and vhd.locator_unknown_platform; throws FormatError via entry.fail.
LocatorEntry read_locator(const Reader& file, const ByteView& entry, const LocatorSlot& slot,
                          std::span<const Region> reserved, uint64_t data_end, std::vector<Note>& notes);

}  // namespace vhdchain::vhd
