// Metadata region (MS-VHDX 2.6.1, 2.6.2).
//
// Only the table (64 KiB) and the items this reader knows are read; items are at most 1 MiB each,
// so a hostile region costs at most the table plus six bounded reads. An unknown item marked
// IsRequired makes the file unreadable by definition (MS-VHDX 2.6.1.2), which is reported as
// ErrorCode::unsupported rather than as corruption.
#include "vhdx/metadata.h"

#include <array>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "vhdx/layout.h"
#include "vhdx/parent_locator.h"

namespace vhdchain::vhdx {

bool MetadataEntry::is_user() const { return flags & kMetadataFlagIsUser; }
bool MetadataEntry::is_required() const { return flags & kMetadataFlagIsRequired; }

namespace {

ByteView entry_view(const ByteView& table, size_t index) {
  return table.sub(kMetadataTableHeaderSize + index * kMetadataEntrySize, kMetadataEntrySize,
                   fmt::format("metadata table entry {}", index));
}

enum Item { kFileParameters, kVirtualDiskSize, kVirtualDiskId, kLogicalSectorSize, kPhysicalSectorSize,
            kParentLocator, kItemCount };

struct KnownItem {
  std::string_view guid;
  const char* name;
  uint32_t min_length;  // exact length for all but Virtual Disk ID (>= 16) and Parent Locator (>= 20)
  bool exact;
};

constexpr std::array<KnownItem, kItemCount> kKnownItems = {{
    {kFileParametersGuid, "File Parameters", 8, true},
    {kVirtualDiskSizeGuid, "Virtual Disk Size", 8, true},
    // Early QEMU declared this item (then "Page 83 Data") as 256 bytes: read the first 16 of any
    // length >= 16 (formats.md pitfall 13).
    {kVirtualDiskIdGuid, "Virtual Disk ID", 16, false},
    {kLogicalSectorSizeGuid, "Logical Sector Size", 4, true},
    {kPhysicalSectorSizeGuid, "Physical Sector Size", 4, true},
    {kParentLocatorGuid, "Parent Locator", 20, false},
}};

int known_item(const MetadataEntry& e) {
  if (e.is_user()) return -1;  // user items live in their own GUID space
  for (int i = 0; i < kItemCount; ++i)
    if (known_guid(kKnownItems[i].guid) == e.item_id) return i;
  return -1;
}

}  // namespace

std::vector<MetadataEntry> decode_metadata_table(const ByteView& v, uint64_t region_length) {
  if (!v.matches(0, kMetadataSignature)) v.fail("signature is not 'metadata'");
  if (v.le16(8) != 0) v.fail(fmt::format("reserved field {:#x} is not zero", v.le16(8)));
  const uint16_t count = v.le16(10);
  if (count > kMaxMetadataEntries) v.fail(fmt::format("entry count {} exceeds 2047", count));
  if (!v.all_zero(12, 20)) v.fail("reserved bytes 12-31 are not zero");

  std::vector<MetadataEntry> entries;
  entries.reserve(count);
  uint32_t user_entries = 0;
  for (uint16_t i = 0; i < count; ++i) {
    const ByteView ev = entry_view(v, i);
    MetadataEntry e;
    e.index = i;
    e.item_id = ev.guid(0);
    e.offset = ev.le32(16);
    e.length = ev.le32(20);
    e.flags = ev.le32(24);
    if (e.flags & ~kMetadataFlagsDefined) ev.fail(fmt::format("flags {:#x} has reserved bits 3-31 set", e.flags));
    if (ev.le32(28) != 0) ev.fail(fmt::format("reserved field {:#x} is not zero", ev.le32(28)));
    if (e.length > kMaxMetadataItemLength) ev.fail(fmt::format("length {:#x} exceeds 1 MiB", e.length));
    if (e.length == 0) {
      if (e.offset != 0) ev.fail(fmt::format("offset {:#x} must be 0 when length is 0", e.offset));
    } else {
      if (e.offset < kMetadataTableSize)
        ev.fail(fmt::format("offset {:#x} lies inside the 64 KiB metadata table", e.offset));
      if (uint64_t(e.offset) + e.length > region_length)
        ev.fail(fmt::format("item {:#x}+{:#x} extends past the end of the metadata region ({:#x} bytes)", e.offset,
                            e.length, region_length));
    }
    if (e.is_user() && ++user_entries > kMaxUserMetadataEntries)
      ev.fail("more than 1024 entries are user metadata");
    for (const MetadataEntry& o : entries) {
      if (o.item_id == e.item_id && o.is_user() == e.is_user())
        ev.fail(fmt::format("{} item {} also appears in entry {}", e.is_user() ? "user" : "system",
                            e.item_id.to_string(), o.index));
      if (ranges_overlap(e.offset, e.length, o.offset, o.length))
        ev.fail(fmt::format("item {:#x}+{:#x} overlaps entry {} ({:#x}+{:#x})", e.offset, e.length, o.index, o.offset,
                            o.length));
    }
    entries.push_back(e);
  }
  return entries;
}

FileParameters decode_file_parameters(const ByteView& v) {
  FileParameters p;
  p.block_size = v.le32(0);
  const uint32_t flags = v.le32(4);
  if (!is_power_of_two(p.block_size) || p.block_size < kMinBlockSize || p.block_size > kMaxBlockSize)
    v.fail(fmt::format("block size {:#x} is not a power of 2 from 1 MiB to 256 MiB", p.block_size));
  if (flags & ~kFileParamFlagsDefined) v.fail(fmt::format("flags {:#x} has reserved bits 2-31 set", flags));
  p.leave_blocks_allocated = flags & kFileParamLeaveBlocksAllocated;
  p.has_parent = flags & kFileParamHasParent;
  return p;
}

uint64_t decode_virtual_disk_size(const ByteView& v, uint32_t logical_sector_size) {
  const uint64_t size = v.le64(0);
  if (size == 0) v.fail("virtual disk size 0 is not allowed");
  if (size % logical_sector_size != 0)
    v.fail(fmt::format("virtual disk size {:#x} is not a multiple of the logical sector size {}", size,
                       logical_sector_size));
  if (size > kMaxVirtualDiskSize) v.fail(fmt::format("virtual disk size {:#x} exceeds 64 TiB", size));
  return size;
}

Guid decode_virtual_disk_id(const ByteView& v) { return v.guid(0); }

uint32_t decode_sector_size(const ByteView& v, const char* field) {
  const uint32_t size = v.le32(0);
  if (size != 512 && size != 4096) v.fail(fmt::format("{} {} is not 512 or 4096", field, size));
  return size;
}

Metadata read_metadata(const Reader& file, const RegionEntry& region) {
  StructureBuffer table_buffer(file, region.file_offset, kMetadataTableSize, "metadata table");
  const ByteView table = table_buffer.view();
  const std::vector<MetadataEntry> entries = decode_metadata_table(table, region.length);

  std::array<const MetadataEntry*, kItemCount> found{};
  for (const MetadataEntry& e : entries) {
    const int k = known_item(e);
    const ByteView ev = entry_view(table, e.index);
    if (k < 0) {
      if (e.is_required())
        ev.fail(fmt::format("{} item {} is marked required but is not known to this reader",
                            e.is_user() ? "user" : "system", e.item_id.to_string()),
                ErrorCode::unsupported);
      continue;  // optional unknown items are preserved by writers and ignored by readers
    }
    const KnownItem& item = kKnownItems[k];
    if (item.exact ? e.length != item.min_length : e.length < item.min_length)
      ev.fail(fmt::format("length {} of the {} item is not {}{}", e.length, item.name, item.exact ? "" : "at least ",
                          item.min_length));
    found[k] = &e;
  }
  for (int k = 0; k < kParentLocator; ++k)
    if (!found[k])
      table.fail(fmt::format("the {} item ({}) is missing", kKnownItems[k].name,
                             known_guid(kKnownItems[k].guid).to_string()));

  // Items are read individually: each is at most 1 MiB and inside the region (checked above).
  auto read_item = [&](int k, std::string structure) {
    const MetadataEntry& e = *found[k];
    return StructureBuffer(file, region.file_offset + e.offset, e.length, std::move(structure));
  };
  auto item_name = [](int k) { return fmt::format("metadata item {}", kKnownItems[k].name); };

  Metadata m;
  m.file_parameters = decode_file_parameters(read_item(kFileParameters, item_name(kFileParameters)).view());
  m.logical_sector_size =
      decode_sector_size(read_item(kLogicalSectorSize, item_name(kLogicalSectorSize)).view(), "logical sector size");
  m.physical_sector_size = decode_sector_size(read_item(kPhysicalSectorSize, item_name(kPhysicalSectorSize)).view(),
                                              "physical sector size");
  m.virtual_disk_size =
      decode_virtual_disk_size(read_item(kVirtualDiskSize, item_name(kVirtualDiskSize)).view(), m.logical_sector_size);
  m.virtual_disk_id = decode_virtual_disk_id(read_item(kVirtualDiskId, item_name(kVirtualDiskId)).view());

  // HasParent <=> a parent locator is present (MS-VHDX 2.6.2.1, 2.6.2.6).
  if (m.file_parameters.has_parent && !found[kParentLocator]) {
    StructureBuffer fp = read_item(kFileParameters, item_name(kFileParameters));
    fp.view().fail("has parent is set but the metadata table has no Parent Locator item");
  }
  if (!m.file_parameters.has_parent && found[kParentLocator])
    entry_view(table, found[kParentLocator]->index)
        .fail("a Parent Locator item is present but File Parameters does not set has parent");
  if (found[kParentLocator]) {
    DecodedParentLocator locator = decode_parent_locator(read_item(kParentLocator, "parent locator").view());
    m.parent = std::move(locator.link);
    m.notes = std::move(locator.notes);
  }
  return m;
}

}  // namespace vhdchain::vhdx
