#include "write/create_vhdx_layout.h"

#include <span>

#include "base/byte_store.h"
#include "base/checked_math.h"
#include "base/crc32c.h"
#include "base/utf16.h"
#include "vhdx/encode.h"
#include "vhdx/layout.h"

namespace vhdchain::write {
namespace {

using namespace vhdx;

// Hyper-V's fixed places (see the header comment).
constexpr uint64_t kLogOffset = kMiB, kLogLength = kMiB;
constexpr uint64_t kMetadataOffset = 2 * kMiB, kMetadataLength = kMiB;
constexpr uint64_t kBatOffset = 3 * kMiB;
constexpr uint32_t kFirstItemOffset = kMetadataTableSize;  // items start right after the table

struct Item {
  std::string_view guid;
  uint32_t flags;
  std::vector<uint8_t> data;
};

std::vector<uint8_t> le_bytes(uint64_t value, size_t width) {
  std::vector<uint8_t> out(width);
  store_le(out, 0, value, width);
  return out;
}

}  // namespace

VhdxCreateLayout plan_vhdx_layout(const VhdxCreateSpec& spec) {
  VhdxCreateLayout l;
  l.log_offset = kLogOffset;
  l.log_length = kLogLength;
  l.metadata_offset = kMetadataOffset;
  l.metadata_length = kMetadataLength;
  l.bat_offset = kBatOffset;
  l.chunk_ratio = kSectorsPerChunk * spec.logical_sector_size / spec.block_size;
  l.payload_blocks = ceil_div(spec.virtual_size, spec.block_size);
  const uint64_t bitmap_blocks = ceil_div(l.payload_blocks, l.chunk_ratio);
  l.bat_entries = spec.type == DiskType::differencing
                      ? bitmap_blocks * (l.chunk_ratio + 1)
                      : l.payload_blocks + (l.payload_blocks - 1) / l.chunk_ratio;
  // Room for the differencing count in every type, so turning the disk into a child later (or
  // merging into it) never has to move the BAT.
  l.bat_length = *align_up(bitmap_blocks * (l.chunk_ratio + 1) * 8, kRegionAlignment);
  l.bitmap_offset = l.bat_offset + l.bat_length;
  l.bitmap_blocks = spec.type == DiskType::differencing ? bitmap_blocks : 0;
  l.payload_offset = l.bitmap_offset + l.bitmap_blocks * kSectorBitmapBlockSize;
  l.file_size = l.payload_offset;
  if (spec.type == DiskType::fixed) l.file_size += l.payload_blocks * spec.block_size;
  return l;
}

std::vector<uint8_t> encode_file_identifier(const std::string& creator) {
  std::vector<uint8_t> out(64 * kKiB, 0);
  store_ascii(out, 0, kFileSignature);
  std::vector<uint8_t> text = utf8_to_utf16(creator, Endian::little);
  text.resize(std::min<size_t>(text.size(), kFileIdentifierDefinedSize - 8 - 2));  // keep a NUL
  store_bytes(out, 8, text);
  return out;
}

std::vector<uint8_t> encode_region_table(const VhdxCreateLayout& layout) {
  std::vector<uint8_t> out(kRegionTableSize, 0);
  std::span<uint8_t> b(out);
  store_ascii(b, 0, kRegionTableSignature);
  store_le32(b, 8, 2);  // entry count
  struct Region {
    std::string_view guid;
    uint64_t offset, length;
  };
  const Region regions[] = {{kBatRegionGuid, layout.bat_offset, layout.bat_length},
                            {kMetadataRegionGuid, layout.metadata_offset, layout.metadata_length}};
  size_t at = kRegionTableHeaderSize;
  for (const Region& r : regions) {
    store_guid(b, at, known_guid(r.guid));
    store_le64(b, at + 16, r.offset);
    store_le32(b, at + 24, static_cast<uint32_t>(r.length));
    store_le32(b, at + 28, 1);  // Required: a reader that does not know the region must refuse
    at += kRegionTableEntrySize;
  }
  store_le32(b, 4, crc32c(out));
  return out;
}

std::vector<uint8_t> encode_metadata(const VhdxCreateSpec& spec) {
  const uint32_t required = kMetadataFlagIsRequired, virtual_disk = kMetadataFlagIsRequired | kMetadataFlagIsVirtualDisk;
  uint32_t parameters = 0;
  if (spec.type == DiskType::fixed) parameters |= kFileParamLeaveBlocksAllocated;
  if (spec.type == DiskType::differencing) parameters |= kFileParamHasParent;

  std::vector<Item> items;
  items.push_back({kFileParametersGuid, required, le_bytes(spec.block_size | uint64_t(parameters) << 32, 8)});
  items.push_back({kVirtualDiskSizeGuid, virtual_disk, le_bytes(spec.virtual_size, 8)});
  items.push_back({kLogicalSectorSizeGuid, virtual_disk, le_bytes(spec.logical_sector_size, 4)});
  items.push_back({kPhysicalSectorSizeGuid, virtual_disk, le_bytes(spec.physical_sector_size, 4)});
  items.push_back({kVirtualDiskIdGuid, virtual_disk,
                   std::vector<uint8_t>(spec.virtual_disk_id.bytes.begin(), spec.virtual_disk_id.bytes.end())});
  if (spec.type == DiskType::differencing)
    items.push_back({kParentLocatorGuid, required, encode_parent_locator(spec.parent_locator)});

  size_t total = kFirstItemOffset;
  for (const Item& item : items) total += item.data.size();
  std::vector<uint8_t> out(total, 0);
  std::span<uint8_t> b(out);
  store_ascii(b, 0, kMetadataSignature);
  store_le16(b, 10, static_cast<uint16_t>(items.size()));
  size_t entry = kMetadataTableHeaderSize, at = kFirstItemOffset;
  for (const Item& item : items) {
    store_guid(b, entry, known_guid(item.guid));
    store_le32(b, entry + 16, static_cast<uint32_t>(at));
    store_le32(b, entry + 20, static_cast<uint32_t>(item.data.size()));
    store_le32(b, entry + 24, item.flags);
    store_bytes(b, at, item.data);
    entry += kMetadataEntrySize;
    at += item.data.size();
  }
  return out;
}

uint64_t new_bat_entry(const VhdxCreateSpec& spec, const VhdxCreateLayout& layout, uint64_t index) {
  const uint64_t per_chunk = layout.chunk_ratio + 1;
  if (index % per_chunk == layout.chunk_ratio) {  // a sector bitmap entry
    const uint64_t chunk = index / per_chunk;
    return chunk < layout.bitmap_blocks ? (layout.bitmap_offset + chunk * kSectorBitmapBlockSize) | kBitmapPresent : 0;
  }
  if (spec.type != DiskType::fixed) return 0;
  const uint64_t block = index / per_chunk * layout.chunk_ratio + index % per_chunk;
  if (block >= layout.payload_blocks) return 0;
  return (layout.payload_offset + block * spec.block_size) | kPayloadFullyPresent;
}

}  // namespace vhdchain::write
