// Region tables (MS-VHDX 2.2.3).
//
// Both copies are validated. The spec keeps them identical; readers differ on what to do when they
// are not (formats.md pitfall 14), so this reader uses the first valid copy and says so in a Note,
// which lets a file with one damaged copy still open while a checker can report it.
#include "vhdx/region_table.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "base/crc32c.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

const RegionEntry* RegionTable::find(const Guid& guid) const {
  for (const RegionEntry& e : entries)
    if (e.guid == guid) return &e;
  return nullptr;
}

namespace {

std::string entry_name(const ByteView& table, size_t index) {
  return fmt::format("{} entry {}", table.structure(), index);
}

ByteView entry_view(const ByteView& table, size_t index) {
  return table.sub(kRegionTableHeaderSize + index * kRegionTableEntrySize, kRegionTableEntrySize,
                   entry_name(table, index));
}

RegionEntry decode_entry(const ByteView& v, const RegionLimits& limits) {
  RegionEntry e;
  e.guid = v.guid(0);
  e.file_offset = v.le64(16);
  e.length = v.le32(24);
  const uint32_t required = v.le32(28);
  if (required & ~1u) v.fail(fmt::format("required field {:#x} has reserved bits set", required));
  e.required = required & 1u;
  if (!is_aligned(e.file_offset, kRegionAlignment))
    v.fail(fmt::format("file offset {:#x} is not 1 MiB aligned", e.file_offset));
  if (e.file_offset < kHeaderSectionSize)
    v.fail(fmt::format("file offset {:#x} lies inside the 1 MiB header section", e.file_offset));
  if (e.length == 0) v.fail("length 0 is not allowed (must be a non-zero multiple of 1 MiB)");
  if (!is_aligned(e.length, kRegionAlignment)) v.fail(fmt::format("length {:#x} is not 1 MiB aligned", e.length));
  auto end = checked_add(e.file_offset, e.length);
  if (!end || *end > limits.file_size)
    v.fail(fmt::format("region {:#x}+{:#x} extends past the end of the file ({:#x} bytes)", e.file_offset,
                       e.length, limits.file_size));
  if (ranges_overlap(e.file_offset, e.length, limits.log_offset, limits.log_length))
    v.fail(fmt::format("region {:#x}+{:#x} overlaps the log ({:#x}+{:#x})", e.file_offset, e.length,
                       limits.log_offset, limits.log_length));
  return e;
}

}  // namespace

RegionTable decode_region_table(const ByteView& v, const RegionLimits& limits) {
  if (!v.matches(0, kRegionTableSignature)) v.fail("signature is not 'regi'");
  const uint32_t checksum = v.le32(4);
  const uint32_t computed = crc32c_with_zeroed_field(v.bytes(0, kRegionTableSize), 4);
  if (checksum != computed) v.fail(fmt::format("checksum {:#x} does not match computed {:#x}", checksum, computed));
  const uint32_t count = v.le32(8);
  if (count > kMaxRegionEntries) v.fail(fmt::format("entry count {} exceeds 2047", count));
  if (v.le32(12) != 0) v.fail(fmt::format("reserved field {:#x} is not zero", v.le32(12)));

  RegionTable table;
  table.entries.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    ByteView ev = entry_view(v, i);
    RegionEntry e = decode_entry(ev, limits);
    for (size_t j = 0; j < table.entries.size(); ++j) {
      const RegionEntry& o = table.entries[j];
      if (o.guid == e.guid) ev.fail(fmt::format("guid {} also appears in entry {}", e.guid.to_string(), j));
      if (ranges_overlap(e.file_offset, e.length, o.file_offset, o.length))
        ev.fail(fmt::format("region {:#x}+{:#x} overlaps entry {} ({:#x}+{:#x})", e.file_offset, e.length, j,
                            o.file_offset, o.length));
    }
    table.entries.push_back(e);
  }
  if (!table.find(known_guid(kBatRegionGuid)))
    v.fail(fmt::format("the BAT region ({}) is missing", known_guid(kBatRegionGuid).to_string()));
  if (!table.find(known_guid(kMetadataRegionGuid)))
    v.fail(fmt::format("the metadata region ({}) is missing", known_guid(kMetadataRegionGuid).to_string()));
  return table;
}

ChosenRegionTable select_region_table(const ByteView& view1, const ByteView& view2, const RegionLimits& limits) {
  std::optional<RegionTable> t[2];
  std::string why[2];
  const ByteView* views[2] = {&view1, &view2};
  for (int i = 0; i < 2; ++i) {
    try {
      t[i] = decode_region_table(*views[i], limits);
    } catch (const FormatError& e) {
      why[i] = e.detail_with_place();
    }
  }
  if (!t[0] && !t[1])
    view1.fail(fmt::format("neither region table is valid ({}; {})", why[0], why[1]));

  ChosenRegionTable chosen;
  const int use = t[0] ? 0 : 1;
  chosen.table = std::move(*t[use]);
  chosen.index = use + 1;
  if (!t[1 - use]) {
    chosen.notes.push_back({"vhdx.region_table_copy_invalid",
                            fmt::format("{} @{:#x} is not valid ({}); using {}", views[1 - use]->structure(),
                                        views[1 - use]->file_offset(), why[1 - use], views[use]->structure())});
  } else if (t[1]->entries != chosen.table.entries) {
    chosen.notes.push_back({"vhdx.region_tables_differ",
                            fmt::format("region table 1 @{:#x} and region table 2 @{:#x} are both valid but "
                                        "differ; using region table 1",
                                        view1.file_offset(), view2.file_offset())});
  }

  const Guid bat = known_guid(kBatRegionGuid), metadata = known_guid(kMetadataRegionGuid);
  for (size_t i = 0; i < chosen.table.entries.size(); ++i) {
    const RegionEntry& e = chosen.table.entries[i];
    if (e.required && e.guid != bat && e.guid != metadata)
      entry_view(*views[use], i)
          .fail(fmt::format("region {} is marked required but is not known to this reader", e.guid.to_string()),
                ErrorCode::unsupported);
  }
  return chosen;
}

}  // namespace vhdchain::vhdx
