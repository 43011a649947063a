// Encoding the VHD structures the writers produce: footer, dynamic header, parent locator entries,
// and the CHS geometry of a new disk (VHD spec "Hard Disk Footer Format", "Dynamic Disk Header
// Format", appendix "CHS Calculation"; formats.md 3.2, 3.3).
//
// The encoders take the decoders' own structs (vhd/footer.h, vhd/dynamic_header.h) so that a
// round trip through decode_* is the natural test, and they compute the checksum themselves: the
// struct's checksum field is ignored. Reserved bytes are zero.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vhd/dynamic_header.h"
#include "vhd/footer.h"
#include "vhd/parent_locator.h"

namespace vhdchain::vhd {

// The 512-byte footer, cookie "conectix" and checksum filled in.
std::array<uint8_t, kFooterSize> encode_footer(const Footer& footer);

// The 1024-byte dynamic header, cookie "cxsparse", header version and checksum filled in.
// parent_name is written as UTF-16BE (header.parent_name.utf8), zero-padded; throws
// Error(invalid_argument) when it does not fit the 512-byte field.
std::array<uint8_t, kDynamicHeaderSize> encode_dynamic_header(const DynamicHeader& header);

// One 24-byte parent locator entry.
std::array<uint8_t, kLocatorEntrySize> encode_locator_slot(const LocatorSlot& slot);

// The CHS geometry the VHD spec's appendix computes for a disk of `size` bytes (rounded down to
// whole sectors, capped at 65535/16/255).
Geometry chs_geometry_for(uint64_t size);

}  // namespace vhdchain::vhd
