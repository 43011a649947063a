// VHDX corruption: the region table and its copy (MS-VHDX 2.2.3).
//
// One damaged copy is tolerated (the other is used, with a note); an entry rule broken in both
// copies is an error listing both places. Entry rules are therefore broken in both copies, each
// with a correct checksum, so the test reaches the rule rather than the checksum.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhdx_field;

constexpr uint64_t kBatEntry = f::kRegionEntries;                            // entry 0: BAT
constexpr uint64_t kMetadataEntry = f::kRegionEntries + f::kRegionEntrySize;  // entry 1: metadata

void patch_both_tables(BuiltImage& img, uint64_t field_offset, uint64_t value, size_t width) {
  img.patch_le("region table 1", field_offset, value, width, /*fix_checksum=*/true);
  img.patch_le("region table 2", field_offset, value, width, /*fix_checksum=*/true);
}

// "neither region table is valid" with the same problem in both copies; `entry` < 0 for the table.
std::string both_tables(int entry, const std::string& why) {
  auto place = [&](int table) {
    const uint64_t at = 0x20000 + 0x10000 * table;
    if (entry < 0) return fmt::format("region table {} @{:#x}", table, at);
    return fmt::format("region table {} entry {} @{:#x}", table, entry, at + 16 + 32 * entry);
  };
  return fmt::format("img.vhdx: region table 1 @0x30000: neither region table is valid ({}: {}; {}: {})", place(1),
                     why, place(2), why);
}

TEST(VhdxCorruption, RegionTable1BadChecksumUsesCopy2) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const uint32_t good = read_le32(img, "region table 1", f::kRegionChecksum);
  img.patch_le("region table 1", f::kRegionChecksum, good + 1, 4);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.region_table_copy_invalid",
                       fmt::format("region table 1 @0x30000 is not valid (region table 1 @0x30000: checksum {:#x} "
                                   "does not match computed {:#x}); using region table 2",
                                   good + 1, good)}}));
}

TEST(VhdxCorruption, RegionTable2BadSignatureIsNoted) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch("region table 2", f::kRegionSignature, std::vector<uint8_t>{0, 0, 0, 0}, /*fix_checksum=*/true);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.region_table_copy_invalid",
                       "region table 2 @0x40000 is not valid (region table 2 @0x40000: signature is not 'regi'); "
                       "using region table 1"}}));
}

TEST(VhdxCorruption, BothRegionTablesBadIsRefused) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const uint32_t good = read_le32(img, "region table 1", f::kRegionChecksum);
  img.patch_le("region table 1", f::kRegionChecksum, 0x12345678, 4);
  img.patch("region table 2", f::kRegionSignature, std::vector<uint8_t>{'r', 'e', 'g', 'I'});
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            fmt::format("img.vhdx: region table 1 @0x30000: neither region table is valid (region table 1 @0x30000: "
                        "checksum 0x12345678 does not match computed {:#x}; region table 2 @0x40000: signature is not "
                        "'regi')",
                        good));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionTableCopiesDisagreeUsesCopy1) {
  // Copy 2 marks the BAT region optional: valid on its own, but not what copy 1 says.
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("region table 2", kBatEntry + f::kRegionEntryRequired, 0, 4, /*fix_checksum=*/true);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.region_tables_differ",
                       "region table 1 @0x30000 and region table 2 @0x40000 are both valid but differ; using region "
                       "table 1"}}));
}

TEST(VhdxCorruption, RegionEntryNotMiBAligned) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kBatEntry + f::kRegionEntryFileOffset, 0x380000, 8);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(0, "file offset 0x380000 is not 1 MiB aligned"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionLengthNotMiBAligned) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kMetadataEntry + f::kRegionEntryLength, 0x10000, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(1, "length 0x10000 is not 1 MiB aligned"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionOverHeaderSection) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kMetadataEntry + f::kRegionEntryFileOffset, 0, 8);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(1, "file offset 0x0 lies inside the 1 MiB header section"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionOverlapsLog) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kMetadataEntry + f::kRegionEntryFileOffset, kMiB, 8);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(1, "region 0x100000+0x100000 overlaps the log (0x100000+0x100000)"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, OverlappingRegions) {
  // The metadata region moved onto the BAT region.
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kMetadataEntry + f::kRegionEntryFileOffset, 3 * kMiB, 8);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(1, "region 0x300000+0x100000 overlaps entry 0 (0x300000+0x100000)"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionPastEndOfFile) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kBatEntry + f::kRegionEntryLength, 4 * kMiB, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(0, "region 0x300000+0x400000 extends past the end of the file (0x600000 bytes)"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionRequiredFieldReservedBits) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kBatEntry + f::kRegionEntryRequired, 0x80000001, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(0, "required field 0x80000001 has reserved bits set"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, UnknownRequiredRegionIsUnsupported) {
  ImageSpec spec = vhdx_dynamic_spec();
  const Guid unknown = guid_from_seed(0x5e610, 1);
  spec.vhdx.extra_regions.push_back({unknown, /*required=*/true});
  BuiltImage img = build_image(spec);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: region table 1 entry 2 @0x30050: region " + unknown.to_string() +
                           " is marked required but is not known to this reader");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
}

TEST(VhdxCorruption, UnknownOptionalRegionIsIgnored) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.extra_regions.push_back({guid_from_seed(0x5e610, 2), /*required=*/false, kMiB, 0xEE});
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()), NoteList{});
}

TEST(VhdxCorruption, MissingBatRegion) {
  // The BAT entry's GUID is replaced by an unknown, optional one in both copies.
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, kBatEntry + f::kRegionEntryGuid, 0x0102030405060708, 8);
  patch_both_tables(img, kBatEntry + f::kRegionEntryRequired, 0, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(-1, "the BAT region (2dc27766-f623-4200-9d64-115e9bfd4a08) is missing"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, DuplicateRegionGuid) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const std::vector<uint8_t> bat_guid = img.file.read(img.layout.offset("region table 1") + kBatEntry, 16);
  for (const char* table : {"region table 1", "region table 2"})
    img.patch(table, kMetadataEntry + f::kRegionEntryGuid, bat_guid, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(1, "guid 2dc27766-f623-4200-9d64-115e9bfd4a08 also appears in entry 0"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, RegionEntryCountOver2047) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  patch_both_tables(img, f::kRegionEntryCount, 2048, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_tables(-1, "entry count 2048 exceeds 2047"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, TruncatedInsideBat) {
  // Cut 32 KiB into the BAT region: the region no longer fits, in either copy.
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const Failure e = open_failure(reader_of(img, 3 * kMiB + 0x8000));
  EXPECT_EQ(e.message, both_tables(0, "region 0x300000+0x100000 extends past the end of the file (0x308000 bytes)"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

}  // namespace
}  // namespace vhdchain::test
