// The VHD hard disk footer: decoding one 512-byte copy, and finding the copy to trust.
//
// decode_footer() is a pure function on the structure's bytes, so unit tests feed it byte arrays.
// locate_footer() applies formats.md 3.2: the footer at the end of the file is authoritative
// (512 bytes, or 511 for images from before Virtual PC 2004), and a dynamic or differencing disk
// falls back to its copy at offset 0 when the end is damaged. Every fallback or disagreement
// between the copies becomes a Note; only when no copy is usable does opening fail.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/byte_view.h"
#include "vhd/layout.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/reader.h"

namespace vhdchain::vhd {

struct Footer {
  uint32_t features = 0;
  uint32_t format_version = 0;
  uint64_t data_offset = 0;
  uint32_t timestamp = 0;
  std::array<uint8_t, 4> creator_application{};
  uint32_t creator_version = 0;
  std::array<uint8_t, 4> creator_host_os{};
  uint64_t original_size = 0;
  uint64_t current_size = 0;
  Geometry geometry;
  uint32_t disk_type = 0;
  uint32_t checksum = 0;
  Guid unique_id;
  uint8_t saved_state = 0;

  DiskType type() const;
  bool has_dynamic_header() const { return disk_type != kDiskTypeFixed; }
};

// One's complement of the 32-bit sum of all bytes, the 4-byte checksum field at
// `checksum_offset` counted as zero (VHD spec, "Checksum" of footer and dynamic header).
uint32_t vhd_checksum(std::span<const uint8_t> bytes, size_t checksum_offset);

// Decodes and validates one footer. `view` must be 512 bytes (a 511-byte footer padded with 0).
// Checks cookie, checksum, file format version (major 1), disk type (2/3/4), current size (a
// multiple of 512) and, for a fixed disk, the all-ones data offset. Throws FormatError via view.fail.
Footer decode_footer(const ByteView& view);

// Four stored bytes as text: trailing NULs removed, bytes outside printable ASCII as \xNN.
std::string four_cc_text(std::span<const uint8_t, 4> bytes);
std::string four_cc_text(uint32_t big_endian_code);

// "<application> <major>.<minor> (<host os>)", e.g. "win 10.0 (Wi2k)", "d2v 1.0 (Wi2k)";
// application and host os as four_cc_text() with trailing spaces also removed ("-" when empty).
std::string creator_text(const Footer& footer);

// The footer chosen by locate_footer() and where the file's data area ends.
struct FooterLocation {
  Footer footer;
  uint64_t offset = 0;       // absolute offset of the footer used (0 when the copy was used)
  std::string structure;     // "footer" or "footer copy"
  uint64_t data_end = 0;     // offset of the footer at the end of the file (its cookie found
                             // at EOF-512 or EOF-511, valid or not); the file size otherwise
  bool footer_511 = false;   // the end-of-file footer is the 511-byte form
};

// Finds and decodes the footer (formats.md 3.2), appending Notes vhd.footer_511,
// vhd.footer_at_eof_invalid, vhd.footer_copy_invalid and vhd.footer_copy_mismatch.
// Throws FormatError ("footer @0x...: ...; footer copy @0x0: ...") when no copy is usable.
FooterLocation locate_footer(const Reader& file, std::vector<Note>& notes);

}  // namespace vhdchain::vhd
