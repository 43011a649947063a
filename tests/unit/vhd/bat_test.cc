// VHD BAT and sector bitmaps: decoding, placement validation with exact messages, counts and
// fragmentation, MSB-first bit order and run scanning.
#include "vhd/bat.h"

#include <gtest/gtest.h>

#include "vhd_bytes.h"

namespace vhdchain::vhd {
namespace {

using test::error_of;

constexpr BlockLayout k4K{4096, 512};  // 8 sectors per block, 1-sector bitmap: span 4608 = 9 sectors

const std::vector<Region> kReserved = {{0, 512, "footer copy @0x0"},
                                       {0x200, 1024, "dynamic header @0x200"},
                                       {0x600, 16, "BAT @0x600"},
                                       {0x800, 84, "parent locator entry 0 data @0x800"}};

std::string validate(const std::vector<uint32_t>& entries, uint64_t data_end = 0x10000) {
  return error_of([&] { validate_bat(entries, "mem.vhd", 0x600, k4K, data_end, kReserved); });
}

TEST(VhdBat, DecodesBigEndianEntries) {
  const std::vector<uint8_t> b = {0x00, 0x00, 0x00, 0x9F, 0xFF, 0xFF, 0xFF, 0xFF, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0};
  ByteView view(b, "mem", "BAT", 0x600);
  EXPECT_EQ(decode_bat(view, 3), (std::vector<uint32_t>{0x9F, kBatUnallocated, 0x12345678}));
  EXPECT_EQ(error_of([&] { decode_bat(view, 5); }), "mem: BAT @0x600: 5 entries do not fit in 16 bytes");
}

TEST(VhdBat, AcceptsBlocksInAnyOrder) {
  EXPECT_EQ(validate({0x20, kBatUnallocated, 0x08, 0x11}), "");  // at 0x4000, 0x1000, 0x2200: 4608 bytes each
}

TEST(VhdBat, BlockPastTheEndOfTheData) {
  EXPECT_EQ(validate({0x08, 0x7F}),
            "mem.vhd: BAT entry 1 @0x604: block at 0xfe00 (sector 0x7f, 4608 bytes with its bitmap) ends past the "
            "end of the file data at 0x10000");
  EXPECT_EQ(validate({0xFFFFFFFE}),
            "mem.vhd: BAT entry 0 @0x600: block at 0x1fffffffc00 (sector 0xfffffffe, 4608 bytes with its bitmap) "
            "ends past the end of the file data at 0x10000");
}

TEST(VhdBat, BlockOverlappingAStructure) {
  EXPECT_EQ(validate({0x00}),
            "mem.vhd: BAT entry 0 @0x600: block at 0x0 (4608 bytes with its bitmap) overlaps the footer copy @0x0");
  EXPECT_EQ(validate({0x20, 0x02}),
            "mem.vhd: BAT entry 1 @0x604: block at 0x400 (4608 bytes with its bitmap) overlaps the dynamic header "
            "@0x200");
  EXPECT_EQ(validate({0x20, kBatUnallocated, 0x04}),
            "mem.vhd: BAT entry 2 @0x608: block at 0x800 (4608 bytes with its bitmap) overlaps the parent locator "
            "entry 0 data @0x800");
}

TEST(VhdBat, BlocksOverlappingEachOther) {
  EXPECT_EQ(validate({0x10, 0x20, 0x10}),
            "mem.vhd: BAT entry 2 @0x608: block at 0x2000 overlaps block 0 at 0x2000 (4608 bytes with its bitmap)");
  EXPECT_EQ(validate({0x20, 0x18}),  // 0x3000 + 4608 = 0x4200 > 0x4000
            "mem.vhd: BAT entry 0 @0x600: block at 0x4000 overlaps block 1 at 0x3000 (4608 bytes with its bitmap)");
}

TEST(VhdBat, CountsAndFragmentation) {
  // Blocks 0,1 back to back (sector 0x10 then 0x19), 1,2 not (0x19 then 0x40); 3 unallocated, so
  // 2 is compared with 4 (0x40 then 0x50: apart); 4,5 back to back.
  const std::vector<uint32_t> entries = {0x10, 0x19, 0x40, kBatUnallocated, 0x50, 0x59};
  const BlockStats stats = count_blocks(entries, k4K);
  EXPECT_EQ(stats.payload.at("allocated"), 5u);
  EXPECT_EQ(stats.payload.at("not_present"), 1u);
  EXPECT_EQ(stats.payload.size(), 2u);
  EXPECT_TRUE(stats.sector_bitmap.empty());
  EXPECT_EQ(stats.allocated_bytes, 5u * 4608);
  EXPECT_DOUBLE_EQ(stats.fragmentation_percent, 50.0);  // pairs (0,1) (1,2) (2,4) (4,5); two apart

  const BlockStats none = count_blocks(std::vector<uint32_t>(4, kBatUnallocated), k4K);
  EXPECT_EQ(none.payload.at("allocated"), 0u);
  EXPECT_EQ(none.payload.at("not_present"), 4u);
  EXPECT_EQ(none.allocated_bytes, 0u);
  EXPECT_EQ(none.fragmentation_percent, 0.0);
}

TEST(VhdBitmap, MostSignificantBitFirst) {
  const std::vector<uint8_t> bitmap = {0x80, 0x01};
  EXPECT_TRUE(bitmap_bit(bitmap, 0));
  for (int s = 1; s < 15; ++s) EXPECT_FALSE(bitmap_bit(bitmap, s)) << s;
  EXPECT_TRUE(bitmap_bit(bitmap, 15));
}

TEST(VhdBitmap, RunLengths) {
  // The first 25 bytes of the bitmap of dfvfs fat-differential.vhd's block 0: single sectors at
  // 134 and 143, 152-159, and 184 185 188 190 191 192 194 196 (each bit masked on its own, unlike
  // one reader's shift-without-mask, peers.md section 5).
  std::vector<uint8_t> bitmap(512, 0);
  bitmap[16] = 0x02;
  bitmap[17] = 0x01;
  bitmap[19] = 0xFF;
  bitmap[23] = 0xCB;
  bitmap[24] = 0xA8;
  const uint64_t end = 4096;
  EXPECT_EQ(bitmap_run_length(bitmap, 0, end), 134u);
  EXPECT_EQ(bitmap_run_length(bitmap, 134, end), 1u);
  EXPECT_EQ(bitmap_run_length(bitmap, 135, end), 8u);
  EXPECT_EQ(bitmap_run_length(bitmap, 143, end), 1u);
  EXPECT_EQ(bitmap_run_length(bitmap, 144, end), 8u);
  EXPECT_EQ(bitmap_run_length(bitmap, 152, end), 8u);
  EXPECT_EQ(bitmap_run_length(bitmap, 160, end), 24u);
  EXPECT_EQ(bitmap_run_length(bitmap, 184, end), 2u);
  EXPECT_EQ(bitmap_run_length(bitmap, 186, end), 2u);
  EXPECT_EQ(bitmap_run_length(bitmap, 188, end), 1u);
  EXPECT_EQ(bitmap_run_length(bitmap, 190, end), 3u);  // 190 191 | 192
  EXPECT_EQ(bitmap_run_length(bitmap, 197, end), 4096u - 197);
  EXPECT_EQ(bitmap_run_length(bitmap, 0, 100), 100u);  // bounded by end
  EXPECT_EQ(bitmap_run_length(bitmap, 153, 156), 3u);
  uint64_t set = 0;
  for (uint64_t s = 0; s < end; ++s) set += bitmap_bit(bitmap, s);
  EXPECT_EQ(set, 18u);
}

}  // namespace
}  // namespace vhdchain::vhd
