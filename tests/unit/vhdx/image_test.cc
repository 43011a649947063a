// vhdx::open() end to end on small synthetic images: info, map() dispatch per BAT state, lazy BAT
// validation, differencing sector bitmaps and in-memory log replay.
#include "vhdx/image.h"

#include <gtest/gtest.h>

#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;
using test::SyntheticVhdx;

std::string open_error(const SyntheticVhdx& s, ErrorCode expected = ErrorCode::format) {
  try {
    open(s.reader());
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  return "no error";
}

void expect_extent(const Extent& e, uint64_t offset, uint64_t length, ExtentSource source, uint64_t file_offset = 0) {
  EXPECT_EQ(e.virtual_offset, offset);
  EXPECT_EQ(e.length, length);
  EXPECT_EQ(e.source, source);
  if (source == ExtentSource::data) {
    EXPECT_EQ(e.file_offset, file_offset);
  }
}

TEST(VhdxImage, DynamicDiskInfoAndMap) {
  SyntheticVhdx s;
  s.build();
  const uint64_t block0 = s.append_block(kMiB, 0x11);
  s.set_bat(0, block0 | kPayloadFullyPresent);
  s.set_bat(1, kPayloadZero);
  s.set_bat(3, kPayloadUnmapped);
  auto image = open(s.reader());
  const ImageInfo& i = image->info();
  EXPECT_EQ(i.format, DiskFormat::vhdx);
  EXPECT_EQ(i.type, DiskType::dynamic);
  EXPECT_EQ(i.virtual_size, 4 * kMiB);
  EXPECT_EQ(i.block_size, kMiB);
  EXPECT_EQ(i.logical_sector_size, 512u);
  EXPECT_EQ(i.physical_sector_size, 4096u);
  EXPECT_EQ(i.file_size, 5 * kMiB);
  EXPECT_EQ(i.creator, "vhdchain unit test");
  EXPECT_EQ(i.current_header, 2);
  EXPECT_EQ(i.header_sequence, 2u);
  EXPECT_EQ(i.data_write_guid->to_string(), "66666666-7777-8888-9999-aaaaaaaaaaaa");
  EXPECT_EQ(i.file_write_guid->to_string(), "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(i.virtual_disk_id->to_string(), "0f0e0d0c-0b0a-0908-0706-050403020100");
  EXPECT_EQ(image->identity(), *i.data_write_guid);
  EXPECT_FALSE(i.leave_blocks_allocated);
  EXPECT_TRUE(i.log.present);
  EXPECT_FALSE(i.log.pending);
  EXPECT_EQ(i.log.offset, kMiB);
  EXPECT_EQ(i.log.length, kMiB);
  EXPECT_FALSE(i.parent);
  EXPECT_TRUE(i.notes.empty());

  expect_extent(image->map(0, 10 * kMiB), 0, kMiB, ExtentSource::data, block0);
  expect_extent(image->map(515, 100), 515, 100, ExtentSource::data, block0 + 515);
  expect_extent(image->map(kMiB + 7, 10 * kMiB), kMiB + 7, kMiB - 7, ExtentSource::zero);
  expect_extent(image->map(2 * kMiB, kMiB), 2 * kMiB, kMiB, ExtentSource::zero);  // NOT_PRESENT, no parent
  expect_extent(image->map(4 * kMiB - 1, 5), 4 * kMiB - 1, 1, ExtentSource::zero);

  const BlockStats st = image->block_stats();
  EXPECT_EQ(st.payload.at("fully_present"), 1u);
  EXPECT_EQ(st.payload.at("zero"), 1u);
  EXPECT_EQ(st.payload.at("unmapped"), 1u);
  EXPECT_EQ(st.payload.at("not_present"), 1u);
  EXPECT_EQ(st.allocated_bytes, kMiB);
  EXPECT_DOUBLE_EQ(st.fragmentation_percent, 0.0);

  try {
    image->map(4 * kMiB, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_STREQ(e.what(), "t.vhdx: offset 0x400000 is not inside the virtual disk (0x400000 bytes)");
  }
  EXPECT_THROW(image->map(0, 0), Error);
}

TEST(VhdxImage, FixedDiskType) {
  SyntheticVhdx s;
  s.file_parameter_flags = kFileParamLeaveBlocksAllocated;
  s.build();
  auto image = open(s.reader());
  EXPECT_EQ(image->info().type, DiskType::fixed);
  EXPECT_TRUE(image->info().leave_blocks_allocated);
}

TEST(VhdxImage, DifferencingDiskUsesStatesAndSectorBitmap) {
  SyntheticVhdx s;
  s.file_parameter_flags = kFileParamHasParent;
  s.locator = test::make_locator({{"parent_linkage", "{f88d4d92-6fcc-408d-9bef-9b7c89f15c89}"},
                                  {"relative_path", ".\\parent.vhdx"},
                                  {"parent_linkage2", "{00000000-0000-0000-0000-000000000000}"}});
  s.build();
  // 1 MiB blocks, 512-byte sectors: chunk ratio 4096, sector-bitmap entry of chunk 0 at index 4096.
  const uint64_t b0 = s.append_block(kMiB, 0xB0);
  const uint64_t b3 = s.append_block(kMiB, 0xB3);
  const uint64_t bitmap = s.append_block(kMiB, 0);
  s.file[bitmap + 0] = 0xFF;  // block 0: sectors 0-7 present
  s.file[bitmap + 1] = 0x02;  // sector 8 absent, sector 9 present, 10.. absent
  s.file[bitmap + 2048 * 3 / 8] = 0x01;  // block 3 starts at bit 3 * 2048: its sector 0 present
  s.set_bat(0, b0 | kPayloadPartiallyPresent);
  s.set_bat(2, kPayloadZero);
  s.set_bat(3, b3 | kPayloadPartiallyPresent);
  s.set_bat(4096, bitmap | kBitmapPresent);
  auto image = open(s.reader());
  const ImageInfo& i = image->info();
  EXPECT_EQ(i.type, DiskType::differencing);
  ASSERT_TRUE(i.parent);
  EXPECT_EQ(i.parent->linkage.to_string(), "f88d4d92-6fcc-408d-9bef-9b7c89f15c89");
  EXPECT_TRUE(i.parent->linkage2 && i.parent->linkage2->is_zero());
  EXPECT_EQ(i.parent->locators.size(), 3u);

  expect_extent(image->map(0, kMiB), 0, 4096, ExtentSource::data, b0);
  expect_extent(image->map(100, 10), 100, 10, ExtentSource::data, b0 + 100);
  expect_extent(image->map(4096, kMiB), 4096, 512, ExtentSource::parent);
  expect_extent(image->map(4608, kMiB), 4608, 512, ExtentSource::data, b0 + 4608);
  expect_extent(image->map(5000, kMiB), 5000, 120, ExtentSource::data, b0 + 5000);  // rest of sector 9
  expect_extent(image->map(5120, 10 * kMiB), 5120, kMiB - 5120, ExtentSource::parent);
  expect_extent(image->map(kMiB, kMiB), kMiB, kMiB, ExtentSource::parent);                // NOT_PRESENT
  expect_extent(image->map(2 * kMiB + 9, kMiB), 2 * kMiB + 9, kMiB - 9, ExtentSource::zero);  // ZERO: not the parent
  expect_extent(image->map(3 * kMiB, kMiB), 3 * kMiB, 512, ExtentSource::data, b3);
  expect_extent(image->map(3 * kMiB + 512, kMiB), 3 * kMiB + 512, kMiB - 512, ExtentSource::parent);

  const BlockStats st = image->block_stats();
  EXPECT_EQ(st.payload.at("partially_present"), 2u);
  EXPECT_EQ(st.payload.at("zero"), 1u);
  EXPECT_EQ(st.payload.at("not_present"), 1u);  // slots past the 4 blocks are not counted
  EXPECT_EQ(st.sector_bitmap.at("present"), 1u);
  EXPECT_EQ(st.allocated_bytes, 3 * kMiB);
  EXPECT_DOUBLE_EQ(st.fragmentation_percent, 0.0);
}

TEST(VhdxImage, PendingLogIsReplayedInMemory) {
  SyntheticVhdx s;
  s.header.log_guid = test::guid("74e4656e-3b1d-48f9-bfa4-02aa776db03c");
  s.build();
  const uint64_t block0 = s.append_block(kMiB, 0x5A);  // on disk, BAT entry 0 still says NOT_PRESENT
  // The log updates the BAT's first sector so that entry 0 is FULLY_PRESENT at 4 MiB, and says the
  // file extends to 6 MiB.
  Bytes bat_sector(4096, 0);
  test::put64(bat_sector, 0, block0 | kPayloadFullyPresent);
  test::LogEntrySpec e{3, 0, s.header.log_guid, 5 * kMiB, 6 * kMiB, {{SyntheticVhdx::kBatOffset, bat_sector}}};
  test::put_bytes(s.file, SyntheticVhdx::kLogOffset, test::make_log_entry(e));
  auto reader = s.reader();
  const Bytes before = reader->bytes();

  auto image = open(reader);
  const ImageInfo& i = image->info();
  EXPECT_TRUE(i.log.pending);
  EXPECT_TRUE(i.log.replayed);
  EXPECT_EQ(i.log.entry_count, 1u);
  EXPECT_EQ(i.log.first_sequence, 3u);
  EXPECT_EQ(i.log.last_sequence, 3u);
  EXPECT_EQ(i.log.log_guid, s.header.log_guid);
  EXPECT_EQ(i.file_size, 6 * kMiB);
  ASSERT_EQ(i.notes.size(), 1u);
  EXPECT_EQ(i.notes[0].code, "vhdx.log_replayed");
  EXPECT_EQ(i.notes[0].message, "log @0x100000: replayed 1 entries (sequence 3..3) in memory; the file was not modified");
  expect_extent(image->map(0, kMiB), 0, kMiB, ExtentSource::data, block0);
  EXPECT_EQ(image->data().size(), 6 * kMiB);
  EXPECT_EQ(reader->bytes(), before);
}

TEST(VhdxImage, PendingLogWithoutValidSequenceIsCorrupt) {
  SyntheticVhdx s;
  s.header.log_guid = test::guid("74e4656e-3b1d-48f9-bfa4-02aa776db03c");
  s.build();
  EXPECT_EQ(open_error(s),
            "t.vhdx: log @0x100000: the header's log guid 74e4656e-3b1d-48f9-bfa4-02aa776db03c is set but no valid log "
            "sequence was found (no log entry carries that log guid)");
}

TEST(VhdxImage, BatIsValidatedLazily) {
  SyntheticVhdx s;
  s.build();
  s.set_bat(2, kMiB * 4 | 0x100 | kPayloadFullyPresent);
  auto image = open(s.reader());  // info() does not read the BAT
  EXPECT_EQ(image->info().virtual_size, 4 * kMiB);
  const char* expected =
      "t.vhdx: BAT entry 2 @0x200010: reserved bits 3-19 are not zero (entry 0x0000000000400106)";
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      image->map(0, 1);
      FAIL();
    } catch (const FormatError& e) {
      EXPECT_STREQ(e.what(), expected);
    }
  }
  try {
    image->block_stats();
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), expected);
  }
}

TEST(VhdxImage, V095UnmappedIsReadAsUnmappedAndNoted) {
  SyntheticVhdx s;
  s.build();
  s.set_bat(1, kPayloadUnmappedV095);
  auto image = open(s.reader());
  EXPECT_TRUE(image->info().notes.empty());
  expect_extent(image->map(kMiB, kMiB), kMiB, kMiB, ExtentSource::zero);
  EXPECT_EQ(image->block_stats().payload.at("unmapped"), 1u);
  ASSERT_EQ(image->info().notes.size(), 1u);
  EXPECT_EQ(image->info().notes[0].code, "vhdx.unmapped_v095_state");
}

TEST(VhdxImage, BatRegionMustHoldTheEntries) {
  SyntheticVhdx s;
  s.virtual_size = 200 * kGiB;
  s.build();
  EXPECT_EQ(open_error(s), "t.vhdx: BAT @0x200000: region length 0x100000 holds 131072 entries but the disk needs 204849");
}

TEST(VhdxImage, HeaderNotesReachInfo) {
  SyntheticVhdx s;
  s.build();
  s.file[kHeaderOffsets[1] + 100] ^= 1;  // header 2 (the newer) is torn
  auto image = open(s.reader());
  EXPECT_EQ(image->info().current_header, 1);
  EXPECT_EQ(image->info().header_sequence, 1u);
  ASSERT_EQ(image->info().notes.size(), 1u);
  EXPECT_EQ(image->info().notes[0].code, "vhdx.header_invalid");
}

TEST(VhdxImage, TruncatedAndForeignFiles) {
  SyntheticVhdx s;
  s.build();
  s.file.resize(0x30000 + 100);
  EXPECT_EQ(open_error(s),
            "t.vhdx: header 2 @0x20000: log offset 0x100000 + log length 0x100000 extends past the end of the file "
            "(0x30064 bytes)");
  s.file.resize(0x18000);
  EXPECT_EQ(open_error(s),
            "t.vhdx: header 2 @0x20000: structure of 4096 bytes does not fit in the file (98304 bytes): file is "
            "truncated");
  s.file.assign(kMiB, 0);
  EXPECT_EQ(open_error(s), "t.vhdx: file identifier @0x0: signature is not 'vhdxfile'");
}

}  // namespace
}  // namespace vhdchain::vhdx
