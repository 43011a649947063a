// VHD structure encoders (formats.md 3.2, 3.3). Big-endian fields, stored byte by byte.
#include "vhd/encode.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "base/utf16.h"
#include "vhdchain/error.h"

namespace vhdchain::vhd {

std::array<uint8_t, kFooterSize> encode_footer(const Footer& footer) {
  namespace f = footer_field;
  std::array<uint8_t, kFooterSize> out{};
  std::span<uint8_t> b(out);
  store_ascii(b, f::kCookie, kFooterCookie);
  store_be32(b, f::kFeatures, footer.features);
  store_be32(b, f::kFormatVersion, footer.format_version);
  store_be64(b, f::kDataOffset, footer.data_offset);
  store_be32(b, f::kTimeStamp, footer.timestamp);
  store_bytes(b, f::kCreatorApplication, footer.creator_application);
  store_be32(b, f::kCreatorVersion, footer.creator_version);
  store_bytes(b, f::kCreatorHostOs, footer.creator_host_os);
  store_be64(b, f::kOriginalSize, footer.original_size);
  store_be64(b, f::kCurrentSize, footer.current_size);
  store_be16(b, f::kCylinders, footer.geometry.cylinders);
  b[f::kHeads] = footer.geometry.heads;
  b[f::kSectorsPerTrack] = footer.geometry.sectors_per_track;
  store_be32(b, f::kDiskType, footer.disk_type);
  store_guid(b, f::kUniqueId, footer.unique_id);
  b[f::kSavedState] = footer.saved_state;
  store_be32(b, f::kChecksum, vhd_checksum(out, f::kChecksum));
  return out;
}

std::array<uint8_t, kLocatorEntrySize> encode_locator_slot(const LocatorSlot& slot) {
  namespace l = locator_field;
  std::array<uint8_t, kLocatorEntrySize> out{};
  std::span<uint8_t> b(out);
  store_be32(b, l::kPlatformCode, slot.platform_code);
  store_be32(b, l::kPlatformDataSpace, slot.data_space);
  store_be32(b, l::kPlatformDataLength, slot.data_length);
  store_be32(b, l::kReserved, slot.reserved);
  store_be64(b, l::kPlatformDataOffset, slot.data_offset);
  return out;
}

std::array<uint8_t, kDynamicHeaderSize> encode_dynamic_header(const DynamicHeader& header) {
  namespace h = header_field;
  std::array<uint8_t, kDynamicHeaderSize> out{};
  std::span<uint8_t> b(out);
  store_ascii(b, h::kCookie, kDynamicHeaderCookie);
  store_be64(b, h::kDataOffset, header.data_offset);
  store_be64(b, h::kTableOffset, header.table_offset);
  store_be32(b, h::kHeaderVersion, kHeaderVersion);
  store_be32(b, h::kMaxTableEntries, header.max_table_entries);
  store_be32(b, h::kBlockSize, header.block_size);
  store_guid(b, h::kParentUniqueId, header.parent_unique_id);
  store_be32(b, h::kParentTimeStamp, header.parent_timestamp);
  const std::vector<uint8_t> name = utf8_to_utf16(header.parent_name.utf8, Endian::big);
  if (name.size() > h::kParentUnicodeNameSize)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("parent unicode name is {} bytes as UTF-16, more than the {} the dynamic header holds",
                            name.size(), h::kParentUnicodeNameSize));
  store_bytes(b, h::kParentUnicodeName, name);
  for (size_t i = 0; i < kLocatorCount; ++i)
    store_bytes(b, h::kParentLocators + i * kLocatorEntrySize, encode_locator_slot(header.locators[i]));
  store_be32(b, h::kChecksum, vhd_checksum(out, h::kChecksum));
  return out;
}

Geometry chs_geometry_for(uint64_t size) {
  // The spec's algorithm, integer arithmetic throughout; ">=" comparisons as the spec writes them.
  uint64_t total = std::min<uint64_t>(size / kSectorSize, uint64_t{65535} * 16 * 255);
  uint64_t spt = 0;
  uint64_t heads = 0;
  uint64_t cylinder_times_heads = 0;
  if (total >= uint64_t{65535} * 16 * 63) {
    spt = 255;
    heads = 16;
    cylinder_times_heads = total / spt;
  } else {
    spt = 17;
    cylinder_times_heads = total / spt;
    heads = std::max<uint64_t>((cylinder_times_heads + 1023) / 1024, 4);
    if (cylinder_times_heads >= heads * 1024 || heads > 16) {
      spt = 31;
      heads = 16;
      cylinder_times_heads = total / spt;
    }
    if (cylinder_times_heads >= heads * 1024) {
      spt = 63;
      heads = 16;
      cylinder_times_heads = total / spt;
    }
  }
  Geometry g;
  g.cylinders = static_cast<uint16_t>(cylinder_times_heads / heads);
  g.heads = static_cast<uint8_t>(heads);
  g.sectors_per_track = static_cast<uint8_t>(spt);
  return g;
}

}  // namespace vhdchain::vhd
