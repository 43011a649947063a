// LSB-first sector-bitmap runs (MS-VHDX 2.5.1.2: bit 0 of byte 0 is the first sector).
#include "vhdx/sector_bitmap.h"

#include <gtest/gtest.h>

#include "vhdchain/memory_reader.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {
namespace {

TEST(VhdxSectorBitmap, LsbFirstBitOrder) {
  // 0x05 = bits 0 and 2: sectors 0 and 2 present, 1 and 3-7 not.
  const std::vector<uint8_t> b = {0x05, 0x00};
  bool v = false;
  EXPECT_EQ(lsb_run_length(b, 0, 16, v), 1u);
  EXPECT_TRUE(v);
  EXPECT_EQ(lsb_run_length(b, 1, 15, v), 1u);
  EXPECT_FALSE(v);
  EXPECT_EQ(lsb_run_length(b, 2, 14, v), 1u);
  EXPECT_TRUE(v);
  EXPECT_EQ(lsb_run_length(b, 3, 13, v), 13u);  // bits 3..15 are clear
  EXPECT_FALSE(v);
  EXPECT_EQ(lsb_run_length(b, 3, 4, v), 4u);  // capped by max_bits
}

TEST(VhdxSectorBitmap, RunsAcrossBytesAndWords) {
  std::vector<uint8_t> b(64, 0);
  // Set bits 5 .. 300 inclusive.
  for (int i = 5; i <= 300; ++i) b[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  bool v = false;
  EXPECT_EQ(lsb_run_length(b, 0, 512, v), 5u);
  EXPECT_FALSE(v);
  EXPECT_EQ(lsb_run_length(b, 5, 507, v), 296u);
  EXPECT_TRUE(v);
  EXPECT_EQ(lsb_run_length(b, 64, 448, v), 237u);  // starts word-aligned
  EXPECT_TRUE(v);
  EXPECT_EQ(lsb_run_length(b, 301, 211, v), 211u);
  EXPECT_FALSE(v);
  // MSB-first reading (VHD's order) would see byte 0 = 0xE0 as sectors 0-2 present: make sure it does not.
  std::vector<uint8_t> c = {0xE0};
  EXPECT_EQ(lsb_run_length(c, 0, 8, v), 5u);
  EXPECT_FALSE(v);
  EXPECT_EQ(lsb_run_length(c, 5, 3, v), 3u);
  EXPECT_TRUE(v);
}

TEST(VhdxSectorBitmap, CacheReadsEachBlockOnceAndNamesErrors) {
  std::vector<uint8_t> file(3 * kMiB, 0);
  file[2 * kMiB] = 0xAA;
  auto reader = std::make_shared<MemoryReader>(file, "t.vhdx");
  SectorBitmapCache cache;
  auto a = cache.get(*reader, 4, 2 * kMiB);
  auto b = cache.get(*reader, 4, 2 * kMiB);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ((*a)[0], 0xAA);
  EXPECT_EQ(a->size(), kMiB);
  try {
    cache.get(*reader, 5, 2 * kMiB + 4096);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(),
                 "t.vhdx: sector bitmap block 5 @0x201000: structure of 1048576 bytes does not fit in the file "
                 "(3145728 bytes): file is truncated");
  }
}

}  // namespace
}  // namespace vhdchain::vhdx
