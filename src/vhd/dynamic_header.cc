// VHD dynamic disk header (VHD spec "Dynamic Disk Header Format"; formats.md 3.3, 3.4, 3.8).
//
// The header gives the BAT's place and size and the block size; for a differencing disk it also
// names the parent (unique id, time stamp, UTF-16BE name, locator slots). Its checksum is
// verified here although no other reader does (pitfall 20): the header has no second copy, so a
// bad checksum is fatal.
#include "vhd/dynamic_header.h"

#include <fmt/format.h>

#include "base/checked_math.h"
#include "vhd/text.h"

namespace vhdchain::vhd {
namespace {

namespace h = header_field;

}  // namespace

uint32_t DynamicHeader::bitmap_size() const {
  // ceil(sectors per block / 8) rounded up to whole sectors; block_size < 2^32 keeps this small.
  const uint64_t bytes = ceil_div(sectors_per_block(), 8);
  return static_cast<uint32_t>(ceil_div(bytes, kSectorSize) * kSectorSize);
}

DynamicHeader decode_dynamic_header(const ByteView& view) {
  if (view.size() != kDynamicHeaderSize)
    view.fail(fmt::format("dynamic header is {} bytes, not {}", view.size(), kDynamicHeaderSize));
  if (!view.matches(h::kCookie, kDynamicHeaderCookie))
    view.fail(fmt::format("cookie \"{}\" is not \"cxsparse\"", printable_bytes(view.bytes(h::kCookie, 8))));

  DynamicHeader header;
  header.checksum = view.be32(h::kChecksum);
  const uint32_t computed = vhd_checksum(view.all(), h::kChecksum);
  if (header.checksum != computed)
    view.fail(fmt::format("checksum {:#x} does not match computed {:#x}", header.checksum, computed));

  header.data_offset = view.be64(h::kDataOffset);
  header.table_offset = view.be64(h::kTableOffset);
  header.header_version = view.be32(h::kHeaderVersion);
  header.max_table_entries = view.be32(h::kMaxTableEntries);
  header.block_size = view.be32(h::kBlockSize);
  header.parent_unique_id = view.guid(h::kParentUniqueId);
  header.parent_timestamp = view.be32(h::kParentTimeStamp);
  header.parent_name =
      utf16_to_utf8_until_nul(view.bytes(h::kParentUnicodeName, h::kParentUnicodeNameSize), Endian::big);
  for (size_t i = 0; i < kLocatorCount; ++i) {
    header.locators[i] = decode_locator_slot(view.sub(h::kParentLocators + i * kLocatorEntrySize, kLocatorEntrySize,
                                                      fmt::format("parent locator entry {}", i)));
  }

  if (header.header_version >> 16 != kHeaderVersion >> 16)
    view.fail(fmt::format("header version {:#010x} is not 1.x", header.header_version));
  if (header.block_size % kSectorSize != 0 || !is_power_of_two(header.block_size / kSectorSize))
    view.fail(fmt::format("block size {} is not a power-of-two number of 512-byte sectors", header.block_size));
  return header;
}

uint64_t used_block_count(const DynamicHeader& header, const Footer& footer) {
  return ceil_div(footer.current_size, header.block_size);
}

void check_dynamic_layout(const DynamicHeader& header, const ByteView& view, const Footer& footer,
                          uint64_t data_end, std::vector<Note>& notes) {
  if (header.data_offset != kNoDataOffset64 && header.data_offset != kNoDataOffset32)
    notes.push_back({"vhd.dynamic_header_data_offset",
                     fmt::format("dynamic header @{:#x}: data offset {:#x} is not all ones (the field is unused)",
                                 view.file_offset(), header.data_offset)});

  const uint64_t needed = used_block_count(header, footer);
  if (header.max_table_entries < needed)
    view.fail(fmt::format("max table entries {} is less than the {} blocks of {} bytes the current size {} needs",
                          header.max_table_entries, needed, header.block_size, footer.current_size));

  // The BAT must exist in the file before anything is sized from max table entries.
  const Location bat{view.file(), "BAT", header.table_offset};
  if (needed > kMaxBatEntries)
    throw FormatError(bat,
                      fmt::format("{} entries ({} bytes) exceed the {} entries this reader loads", needed,
                                  needed * kBatEntrySize, kMaxBatEntries),
                      ErrorCode::unsupported);
  const uint64_t bat_length = uint64_t(header.max_table_entries) * kBatEntrySize;
  auto bat_end = checked_add(header.table_offset, bat_length);
  if (!bat_end || *bat_end > data_end)
    throw FormatError(bat, fmt::format("{} entries ({} bytes) end past the end of the file data at {:#x}",
                                       header.max_table_entries, bat_length, data_end));
  if (ranges_overlap(header.table_offset, bat_length, 0, kFooterSize))
    throw FormatError(bat, fmt::format("{} entries ({} bytes) overlap the footer copy @0x0",
                                       header.max_table_entries, bat_length));
  if (ranges_overlap(header.table_offset, bat_length, view.file_offset(), kDynamicHeaderSize))
    throw FormatError(bat, fmt::format("{} entries ({} bytes) overlap the dynamic header @{:#x}",
                                       header.max_table_entries, bat_length, view.file_offset()));
}

}  // namespace vhdchain::vhd
