// Region tables: the E6 vector (formats.md section 4), entry validation and the choice of copy.
#include "vhdx/region_table.h"

#include <gtest/gtest.h>

#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;
using test::RegionSpec;

const Guid kBat = known_guid(kBatRegionGuid);
const Guid kMeta = known_guid(kMetadataRegionGuid);
const Guid kOther = test::guid("01020304-0506-0708-090a-0b0c0d0e0f10");
const RegionLimits kLimits{0x100000, 0x100000, 0x400000};

ByteView table_view(const Bytes& b, int index) {
  return ByteView(b, "t.vhdx", "region table " + std::to_string(index), kRegionTableOffsets[index - 1]);
}

Bytes e6() { return test::make_region_table({{kBat, 0x200000, 0x100000, 1}, {kMeta, 0x300000, 0x100000, 1}}); }

std::string decode_error(const std::vector<RegionSpec>& entries) {
  Bytes b = test::make_region_table(entries);
  try {
    decode_region_table(table_view(b, 1), kLimits);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST(VhdxRegionTable, E6VectorChecksumAndEntries) {
  Bytes b = e6();
  EXPECT_EQ(crc32c_with_zeroed_field(b, 4), 0x24453396u);
  EXPECT_EQ(b[4] | b[5] << 8 | b[6] << 16 | uint32_t(b[7]) << 24, 0x24453396u);
  RegionTable t = decode_region_table(table_view(b, 1), kLimits);
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[0].guid, kBat);
  EXPECT_EQ(t.entries[0].file_offset, 0x200000u);
  EXPECT_EQ(t.entries[0].length, 0x100000u);
  EXPECT_TRUE(t.entries[0].required);
  EXPECT_EQ(t.find(kMeta)->file_offset, 0x300000u);
  EXPECT_EQ(t.find(kOther), nullptr);
}

TEST(VhdxRegionTable, EntryErrors) {
  const RegionSpec meta{kMeta, 0x300000, 0x100000, 1};
  EXPECT_EQ(decode_error({{kBat, 0x280000, 0x100000, 1}, meta}),
            "t.vhdx: region table 1 entry 0 @0x30010: file offset 0x280000 is not 1 MiB aligned");
  EXPECT_EQ(decode_error({{kBat, 0, 0x100000, 1}, meta}),
            "t.vhdx: region table 1 entry 0 @0x30010: file offset 0x0 lies inside the 1 MiB header section");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0, 1}, meta}),
            "t.vhdx: region table 1 entry 0 @0x30010: length 0 is not allowed (must be a non-zero multiple of 1 MiB)");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0x1000, 1}, meta}),
            "t.vhdx: region table 1 entry 0 @0x30010: length 0x1000 is not 1 MiB aligned");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0x100000, 3}, meta}),
            "t.vhdx: region table 1 entry 0 @0x30010: required field 0x3 has reserved bits set");
  EXPECT_EQ(decode_error({{kBat, 0x100000, 0x100000, 1}, meta}),
            "t.vhdx: region table 1 entry 0 @0x30010: region 0x100000+0x100000 overlaps the log (0x100000+0x100000)");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0x100000, 1}, {kMeta, 0x400000, 0x100000, 1}}),
            "t.vhdx: region table 1 entry 1 @0x30030: region 0x400000+0x100000 extends past the end of the file "
            "(0x400000 bytes)");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0x100000, 1}, {kBat, 0x300000, 0x100000, 1}}),
            "t.vhdx: region table 1 entry 1 @0x30030: guid 2dc27766-f623-4200-9d64-115e9bfd4a08 also appears in "
            "entry 0");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0x200000, 1}, meta}),
            "t.vhdx: region table 1 entry 1 @0x30030: region 0x300000+0x100000 overlaps entry 0 (0x200000+0x200000)");
  EXPECT_EQ(decode_error({{kBat, 0x200000, 0x100000, 1}}),
            "t.vhdx: region table 1 @0x30000: the metadata region (8b7ca206-4790-4b9a-b8fe-575f050f886e) is missing");
  EXPECT_EQ(decode_error({meta}),
            "t.vhdx: region table 1 @0x30000: the BAT region (2dc27766-f623-4200-9d64-115e9bfd4a08) is missing");
}

TEST(VhdxRegionTable, TableErrors) {
  Bytes b = e6();
  test::put32(b, 8, 2048);
  test::seal(b);
  EXPECT_THROW(
      {
        try {
          decode_region_table(table_view(b, 2), kLimits);
        } catch (const FormatError& e) {
          EXPECT_STREQ(e.what(), "t.vhdx: region table 2 @0x40000: entry count 2048 exceeds 2047");
          throw;
        }
      },
      FormatError);
  b = e6();
  test::put32(b, 12, 1);
  test::seal(b);
  EXPECT_THROW(decode_region_table(table_view(b, 1), kLimits), FormatError);
}

TEST(VhdxRegionTable, FirstValidCopyIsUsed) {
  Bytes good = e6(), bad = e6();
  bad[40] ^= 0xFF;  // entry 0's file offset, after sealing
  ChosenRegionTable c = select_region_table(table_view(good, 1), table_view(bad, 2), kLimits);
  EXPECT_EQ(c.index, 1);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0].code, "vhdx.region_table_copy_invalid");
  EXPECT_EQ(c.notes[0].message,
            "region table 2 @0x40000 is not valid (region table 2 @0x40000: checksum 0x24453396 does not match "
            "computed 0xaa29e354); using region table 1");

  c = select_region_table(table_view(bad, 1), table_view(good, 2), kLimits);
  EXPECT_EQ(c.index, 2);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0].message,
            "region table 1 @0x30000 is not valid (region table 1 @0x30000: checksum 0x24453396 does not match "
            "computed 0xaa29e354); using region table 2");
  EXPECT_EQ(c.table.find(kBat)->file_offset, 0x200000u);
}

TEST(VhdxRegionTable, CopiesThatDifferAreNoted) {
  Bytes t1 = e6();
  Bytes t2 = test::make_region_table(
      {{kBat, 0x200000, 0x100000, 1}, {kMeta, 0x300000, 0x100000, 1}, {kOther, 0x500000, 0x100000, 0}});
  ChosenRegionTable c = select_region_table(table_view(t1, 1), table_view(t2, 2), {0x100000, 0x100000, 0x600000});
  EXPECT_EQ(c.index, 1);
  EXPECT_EQ(c.table.entries.size(), 2u);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0].code, "vhdx.region_tables_differ");
  EXPECT_EQ(c.notes[0].message,
            "region table 1 @0x30000 and region table 2 @0x40000 are both valid but differ; using region table 1");
}

TEST(VhdxRegionTable, NeitherCopyValid) {
  Bytes b(kRegionTableSize, 0);
  try {
    select_region_table(table_view(b, 1), table_view(b, 2), kLimits);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(),
                 "t.vhdx: region table 1 @0x30000: neither region table is valid (region table 1 @0x30000: signature "
                 "is not 'regi'; region table 2 @0x40000: signature is not 'regi')");
  }
}

TEST(VhdxRegionTable, UnknownRequiredRegionIsUnsupported) {
  Bytes optional = test::make_region_table(
      {{kBat, 0x200000, 0x100000, 1}, {kMeta, 0x300000, 0x100000, 1}, {kOther, 0x500000, 0x100000, 0}});
  const RegionLimits limits{0x100000, 0x100000, 0x600000};
  EXPECT_EQ(select_region_table(table_view(optional, 1), table_view(optional, 2), limits).table.entries.size(), 3u);

  Bytes required = test::make_region_table(
      {{kBat, 0x200000, 0x100000, 1}, {kMeta, 0x300000, 0x100000, 1}, {kOther, 0x500000, 0x100000, 1}});
  try {
    select_region_table(table_view(required, 1), table_view(required, 2), limits);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_STREQ(e.what(),
                 "t.vhdx: region table 1 entry 2 @0x30050: region 01020304-0506-0708-090a-0b0c0d0e0f10 is marked "
                 "required but is not known to this reader");
  }
}

}  // namespace
}  // namespace vhdchain::vhdx
