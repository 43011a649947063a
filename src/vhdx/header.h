// The two VHDX headers (MS-VHDX 2.2.2) and the choice of the current one.
//
// A header is *valid* when its signature and its CRC-32C over the 4 KiB structure check out
// (MS-VHDX 2.2.2.1). The current header is the valid one with the greater sequence number. Every
// other field is checked only on the current header, because the non-current slot is by design
// allowed to be stale or torn (it is the one a writer overwrites next).
#pragma once

#include <cstdint>
#include <vector>

#include "io/byte_view.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/guid.h"

namespace vhdchain::vhdx {

struct Header {
  uint32_t checksum = 0;
  uint64_t sequence_number = 0;
  Guid file_write_guid;
  Guid data_write_guid;
  Guid log_guid;
  uint16_t log_version = 0;
  uint16_t version = 0;
  uint32_t log_length = 0;
  uint64_t log_offset = 0;

  // Equal in every field after the checksum up to the reserved area (bytes 8-79).
  bool same_defined_fields(const Header& other) const;
};

// Decodes one 4 KiB header; throws FormatError when it is not valid (signature, checksum).
Header decode_header(const ByteView& view);

struct CurrentHeader {
  Header header;
  int index = 1;  // 1 or 2
  std::vector<Note> notes;
};

// Chooses the current header from the views of header 1 and header 2 (4 KiB each).
CurrentHeader select_current_header(const ByteView& header1, const ByteView& header2);

// Checks the fields that must hold in the current header: Version, LogVersion, reserved bytes,
// log placement (1 MiB aligned, outside the header section, inside a file of file_size bytes).
void check_current_header(const ByteView& view, const Header& header, uint64_t file_size,
                          std::vector<Note>& notes);

}  // namespace vhdchain::vhdx
