// Metadata region (MS-VHDX 2.6.1, 2.6.2).
//
// Only the table (64 KiB) and the items this reader knows are read; items are at most 1 MiB each,
// so a hostile region costs at most the table plus six bounded reads. An unknown item marked
// IsRequired makes the file unreadable by definition (MS-VHDX 2.6.1.2), which is reported as
// ErrorCode::unsupported rather than as corruption.
#include "vhdx/metadata.h"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>

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

namespace {

// The table's header and its entries: files list a handful of items, so the first 4 KiB (header and
// 127 entries) are read, and the whole 64 KiB only when the header counts more. `check` opens
// thousands of files; 60 KiB of zeros each is most of what it would otherwise copy.
StructureBuffer read_table(const Reader& file, const RegionEntry& region) {
  constexpr size_t kFirstPart = 4096;
  if (file.size() >= region.file_offset + kMetadataTableSize) {
    StructureBuffer first(file, region.file_offset, kFirstPart, "metadata table");
    const uint16_t count = first.view().le16(10);
    if (32 + size_t(count) * 32 <= kFirstPart) return first;
  }
  return StructureBuffer(file, region.file_offset, kMetadataTableSize, "metadata table");
}

// The known items, read in one go when they lie close together (as every writer places them);
// otherwise, or when the span would run past the end of the file, each is read on its own so an
// error names the item.
class ItemReader {
 public:
  ItemReader(const Reader& file, const RegionEntry& region, std::span<const MetadataEntry* const> items)
      : file_(file), base_(region.file_offset) {
    uint64_t first = UINT64_MAX, end = 0;
    for (const MetadataEntry* e : items)
      if (e) {
        first = std::min<uint64_t>(first, e->offset);
        end = std::max<uint64_t>(end, uint64_t(e->offset) + e->length);
      }
    if (end == 0 || end - first > kMetadataTableSize || base_ + end > file.size()) return;
    span_.emplace(file, base_ + first, static_cast<size_t>(end - first), "metadata items");
    span_first_ = first;
  }
  // A view of the item, named `structure` for errors.
  ByteView item(const MetadataEntry& e, std::string structure) {
    if (span_) return span_->view().sub(e.offset - span_first_, e.length, std::move(structure));
    return parts_.emplace_back(file_, base_ + e.offset, e.length, std::move(structure)).view();
  }

 private:
  const Reader& file_;
  uint64_t base_;
  std::optional<StructureBuffer> span_;
  uint64_t span_first_ = 0;
  std::deque<StructureBuffer> parts_;
};

}  // namespace

Metadata read_metadata(const Reader& file, const RegionEntry& region) {
  StructureBuffer table_buffer = read_table(file, region);
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

  // Each item is at most 1 MiB and inside the region (checked above).
  ItemReader items(file, region, found);
  auto read_item = [&](int k, std::string structure) { return items.item(*found[k], std::move(structure)); };
  auto item_name = [](int k) { return fmt::format("metadata item {}", kKnownItems[k].name); };

  Metadata m;
  m.file_parameters = decode_file_parameters(read_item(kFileParameters, item_name(kFileParameters)));
  m.logical_sector_size =
      decode_sector_size(read_item(kLogicalSectorSize, item_name(kLogicalSectorSize)), "logical sector size");
  m.physical_sector_size = decode_sector_size(read_item(kPhysicalSectorSize, item_name(kPhysicalSectorSize)),
                                              "physical sector size");
  m.virtual_disk_size =
      decode_virtual_disk_size(read_item(kVirtualDiskSize, item_name(kVirtualDiskSize)), m.logical_sector_size);
  m.virtual_disk_id = decode_virtual_disk_id(read_item(kVirtualDiskId, item_name(kVirtualDiskId)));

  // HasParent <=> a parent locator is present (MS-VHDX 2.6.2.1, 2.6.2.6).
  if (m.file_parameters.has_parent && !found[kParentLocator]) {
    read_item(kFileParameters, item_name(kFileParameters)).fail("has parent is set but the metadata table has no Parent Locator item");
  }
  if (!m.file_parameters.has_parent && found[kParentLocator])
    entry_view(table, found[kParentLocator]->index)
        .fail("a Parent Locator item is present but File Parameters does not set has parent");
  if (found[kParentLocator]) {
    DecodedParentLocator locator = decode_parent_locator(read_item(kParentLocator, "parent locator"));
    m.parent = std::move(locator.link);
    m.notes = std::move(locator.notes);
  }
  return m;
}

}  // namespace vhdchain::vhdx
