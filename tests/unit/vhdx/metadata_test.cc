// The metadata table and the system items (MS-VHDX 2.6).
#include "vhdx/metadata.h"

#include <gtest/gtest.h>

#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;
using test::MetadataItemSpec;

constexpr uint64_t kRegionOffset = 3 * kMiB;
const RegionEntry kRegion{known_guid(kMetadataRegionGuid), kRegionOffset, static_cast<uint32_t>(kMiB), true};
const Guid kUnknown = test::guid("01020304-0506-0708-090a-0b0c0d0e0f10");

std::vector<MetadataItemSpec> items(uint32_t flags = 0, uint64_t size = 8 * kMiB, uint32_t lss = 512,
                                    const Bytes& locator = {}) {
  return test::standard_items(2 * kMiB, flags, size, lss, 4096, locator);
}

Metadata read(const Bytes& region) {
  Bytes file(4 * kMiB, 0);
  test::put_bytes(file, kRegionOffset, region);
  MemoryReader reader(file, "t.vhdx");
  return read_metadata(reader, kRegion);
}

std::string error_of(const Bytes& region, ErrorCode expected = ErrorCode::format) {
  try {
    read(region);
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  return "no error";
}

TEST(VhdxMetadata, StandardItems) {
  Metadata m = read(test::make_metadata_region(items(kFileParamLeaveBlocksAllocated)));
  EXPECT_EQ(m.file_parameters.block_size, 2 * kMiB);
  EXPECT_TRUE(m.file_parameters.leave_blocks_allocated);
  EXPECT_FALSE(m.file_parameters.has_parent);
  EXPECT_EQ(m.virtual_disk_size, 8 * kMiB);
  EXPECT_EQ(m.virtual_disk_id.to_string(), "0f0e0d0c-0b0a-0908-0706-050403020100");
  EXPECT_EQ(m.logical_sector_size, 512u);
  EXPECT_EQ(m.physical_sector_size, 4096u);
  EXPECT_FALSE(m.parent.has_value());
  EXPECT_TRUE(m.notes.empty());
}

TEST(VhdxMetadata, DifferencingWithLocator) {
  Bytes locator = test::make_locator({{"parent_linkage", "{f88d4d92-6fcc-408d-9bef-9b7c89f15c89}"},
                                      {"relative_path", ".\\fat-parent.vhdx"}});
  Metadata m = read(test::make_metadata_region(items(kFileParamHasParent, 8 * kMiB, 512, locator)));
  EXPECT_TRUE(m.file_parameters.has_parent);
  ASSERT_TRUE(m.parent.has_value());
  EXPECT_EQ(m.parent->linkage.to_string(), "f88d4d92-6fcc-408d-9bef-9b7c89f15c89");
  EXPECT_EQ(m.parent->locators[1].value, ".\\fat-parent.vhdx");
}

TEST(VhdxMetadata, HasParentMustMatchLocatorPresence) {
  EXPECT_EQ(error_of(test::make_metadata_region(items(kFileParamHasParent))),
            "t.vhdx: metadata item File Parameters @0x310000: has parent is set but the metadata table has no Parent "
            "Locator item");
  Bytes locator = test::make_locator({{"parent_linkage", "{f88d4d92-6fcc-408d-9bef-9b7c89f15c89}"}});
  EXPECT_EQ(error_of(test::make_metadata_region(items(0, 8 * kMiB, 512, locator))),
            "t.vhdx: metadata table entry 5 @0x3000c0: a Parent Locator item is present but File Parameters does not "
            "set has parent");
}

TEST(VhdxMetadata, VirtualDiskIdOfAnyLengthFrom16) {
  auto list = items();
  list[2].data.resize(256, 0xEE);  // the early 256-byte "Page 83 Data" form
  EXPECT_EQ(read(test::make_metadata_region(list)).virtual_disk_id.to_string(),
            "0f0e0d0c-0b0a-0908-0706-050403020100");
  list[2].data.resize(8);
  EXPECT_EQ(error_of(test::make_metadata_region(list)),
            "t.vhdx: metadata table entry 2 @0x300060: length 8 of the Virtual Disk ID item is not at least 16");
  list = items();
  list[0].data.resize(4);
  EXPECT_EQ(error_of(test::make_metadata_region(list)),
            "t.vhdx: metadata table entry 0 @0x300020: length 4 of the File Parameters item is not 8");
}

TEST(VhdxMetadata, ItemValueErrors) {
  auto with_block_size = [](uint32_t bs, uint32_t flags = 0) {
    auto list = test::standard_items(bs, flags, 8 * kMiB, 512, 4096);
    return test::make_metadata_region(list);
  };
  EXPECT_EQ(error_of(with_block_size(3 * kMiB)),
            "t.vhdx: metadata item File Parameters @0x310000: block size 0x300000 is not a power of 2 from 1 MiB to "
            "256 MiB");
  EXPECT_EQ(error_of(with_block_size(512 * kMiB)),
            "t.vhdx: metadata item File Parameters @0x310000: block size 0x20000000 is not a power of 2 from 1 MiB to "
            "256 MiB");
  EXPECT_EQ(error_of(with_block_size(kMiB / 2)),
            "t.vhdx: metadata item File Parameters @0x310000: block size 0x80000 is not a power of 2 from 1 MiB to 256 "
            "MiB");
  EXPECT_EQ(error_of(with_block_size(kMiB, 4)),
            "t.vhdx: metadata item File Parameters @0x310000: flags 0x4 has reserved bits 2-31 set");
  EXPECT_EQ(error_of(test::make_metadata_region(items(0, 8 * kMiB + 512, 4096))),
            "t.vhdx: metadata item Virtual Disk Size @0x310008: virtual disk size 0x800200 is not a multiple of the "
            "logical sector size 4096");
  EXPECT_EQ(error_of(test::make_metadata_region(items(0, 64 * kTiB + 4096))),
            "t.vhdx: metadata item Virtual Disk Size @0x310008: virtual disk size 0x400000001000 exceeds 64 TiB");
  EXPECT_EQ(error_of(test::make_metadata_region(items(0, 0))),
            "t.vhdx: metadata item Virtual Disk Size @0x310008: virtual disk size 0 is not allowed");
  EXPECT_EQ(error_of(test::make_metadata_region(items(0, 8 * kMiB, 1024))),
            "t.vhdx: metadata item Logical Sector Size @0x310020: logical sector size 1024 is not 512 or 4096");
  auto list = items();
  list[4].data = test::le_bytes(520, 4);
  EXPECT_EQ(error_of(test::make_metadata_region(list)),
            "t.vhdx: metadata item Physical Sector Size @0x310024: physical sector size 520 is not 512 or 4096");
}

TEST(VhdxMetadata, MissingAndUnknownItems) {
  auto list = items();
  list.pop_back();  // physical sector size
  EXPECT_EQ(error_of(test::make_metadata_region(list)),
            "t.vhdx: metadata table @0x300000: the Physical Sector Size item (cda348c7-445d-4471-9cc9-e9885251c556) is "
            "missing");

  list = items();
  list.push_back({kUnknown, 0, Bytes(4, 1)});  // optional: ignored
  EXPECT_EQ(error_of(test::make_metadata_region(list)), "no error");
  list.back().flags = kMetadataFlagIsRequired;
  EXPECT_EQ(error_of(test::make_metadata_region(list), ErrorCode::unsupported),
            "t.vhdx: metadata table entry 5 @0x3000c0: system item 01020304-0506-0708-090a-0b0c0d0e0f10 is marked "
            "required but is not known to this reader");
  list.back().flags = kMetadataFlagIsRequired | kMetadataFlagIsUser;
  EXPECT_EQ(error_of(test::make_metadata_region(list), ErrorCode::unsupported),
            "t.vhdx: metadata table entry 5 @0x3000c0: user item 01020304-0506-0708-090a-0b0c0d0e0f10 is marked "
            "required but is not known to this reader");
  // A user item that happens to reuse a system GUID is a different item and does not count as it.
  list = items();
  list.push_back({known_guid(kFileParametersGuid), kMetadataFlagIsUser, Bytes(8, 0)});
  EXPECT_EQ(read(test::make_metadata_region(list)).file_parameters.block_size, 2 * kMiB);
}

TEST(VhdxMetadata, TableErrors) {
  auto table_error = [](auto mutate) {
    Bytes region = test::make_metadata_region(items());
    mutate(region);
    return error_of(region);
  };
  EXPECT_EQ(table_error([](Bytes& r) { r[0] = 'M'; }), "t.vhdx: metadata table @0x300000: signature is not 'metadata'");
  EXPECT_EQ(table_error([](Bytes& r) { test::put16(r, 10, 2048); }),
            "t.vhdx: metadata table @0x300000: entry count 2048 exceeds 2047");
  EXPECT_EQ(table_error([](Bytes& r) { test::put16(r, 8, 1); }),
            "t.vhdx: metadata table @0x300000: reserved field 0x1 is not zero");
  EXPECT_EQ(table_error([](Bytes& r) { r[20] = 1; }),
            "t.vhdx: metadata table @0x300000: reserved bytes 12-31 are not zero");
  // Entry 1 (Virtual Disk Size) at table offset 64.
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 24, 0x0E); }),
            "t.vhdx: metadata table entry 1 @0x300040: flags 0xe has reserved bits 3-31 set");
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 28, 5); }),
            "t.vhdx: metadata table entry 1 @0x300040: reserved field 0x5 is not zero");
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 16, 0x8000); }),
            "t.vhdx: metadata table entry 1 @0x300040: offset 0x8000 lies inside the 64 KiB metadata table");
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 20, 0x100001); }),
            "t.vhdx: metadata table entry 1 @0x300040: length 0x100001 exceeds 1 MiB");
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 16, 0xFFFFC); }),
            "t.vhdx: metadata table entry 1 @0x300040: item 0xffffc+0x8 extends past the end of the metadata region "
            "(0x100000 bytes)");
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 16, 0x10004); }),
            "t.vhdx: metadata table entry 1 @0x300040: item 0x10004+0x8 overlaps entry 0 (0x10000+0x8)");
  EXPECT_EQ(table_error([](Bytes& r) { test::put32(r, 64 + 20, 0); }),
            "t.vhdx: metadata table entry 1 @0x300040: offset 0x10008 must be 0 when length is 0");
  EXPECT_EQ(table_error([](Bytes& r) { test::put_guid(r, 64, known_guid(kFileParametersGuid)); }),
            "t.vhdx: metadata table entry 1 @0x300040: system item caa16737-fa36-4d43-b3b6-33f0aa44e76b also appears "
            "in entry 0");
}

}  // namespace
}  // namespace vhdchain::vhdx
