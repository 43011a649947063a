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

// One 4 KiB sector of the file as it must read after the log entry is applied.
struct LogSectorImage {
  uint64_t file_offset = 0;         // a multiple of 4 KiB
  std::vector<uint8_t> bytes;       // exactly 4 KiB
};

struct LogEntryFields {
  uint64_t sequence_number = 0;     // > 0
  uint32_t tail = 0;                // log-relative offset of the sequence's first entry
  Guid log_guid;
  uint64_t flushed_file_offset = 0; // multiples of 1 MiB (MS-VHDX 2.3.1.1)
  uint64_t last_file_offset = 0;
};

// Bytes of one log entry (MS-VHDX 2.3.1): descriptor sectors (entry header + a data descriptor per
// sector, a zero descriptor for an all-zero sector), then one data sector per data descriptor, and
// the CRC-32C over the whole entry. Its length is a multiple of 4 KiB.
std::vector<uint8_t> encode_log_entry(const LogEntryFields& fields, const std::vector<LogSectorImage>& sectors);

// The length encode_log_entry() gives for `data_sectors` data and `zero_sectors` zero descriptors.
uint64_t log_entry_length(uint64_t data_sectors, uint64_t zero_sectors);

}  // namespace vhdchain::vhdx
