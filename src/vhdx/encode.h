// Encoding the VHDX structures the writers change in place: headers and the parent locator.
// (create builds whole files and has its own encoders for the rest; see src/write/.)
#pragma once

#include <cstdint>
#include <vector>

#include "vhdchain/disk_image.h"
#include "vhdx/header.h"

namespace vhdchain::vhdx {

// The 4 KiB header (MS-VHDX 2.2.2) with signature, Version 1, LogVersion 0 and its CRC-32C;
// header.checksum is ignored (computed). Reserved bytes are zero.
std::vector<uint8_t> encode_header(const Header& header);

// The parent locator item (MS-VHDX 2.6.2.6): the VHDX locator type, then the entries in the given
// order, keys and values as UTF-16LE without terminators, key/value data packed after the entry
// array. Throws Error(invalid_argument) for an empty key, a duplicate key, more than 65535
// entries or a string longer than 65535 bytes once encoded.
std::vector<uint8_t> encode_parent_locator(const std::vector<LocatorEntry>& entries);

}  // namespace vhdchain::vhdx
