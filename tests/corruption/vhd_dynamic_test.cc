// VHD corruption: dynamic header and BAT (VHD spec "Dynamic Disk Header Format", "Block Allocation
// Table and Data Blocks"; formats.md 3.3, 3.4, 3.8).
//
// Base: dynamic header @0x200 (no copy, so its damage is fatal), BAT @0x600 with 4 entries,
// block 0 @0x800 and block 2 @0x200a00 (each 512-byte bitmap + 2 MiB), footer @0x400c00. The BAT
// is read lazily: entry errors come from the first block_stats()/map().
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhd_field;

BuiltImage patched_header(uint64_t field_offset, uint64_t value, size_t width) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  img.patch_be("dynamic header", field_offset, value, width, /*fix_checksum=*/true);
  return img;
}

BuiltImage patched_bat_entry(uint64_t index, uint32_t sector) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  img.patch_be("bat", 4 * index, sector, 4);
  return img;
}

TEST(VhdCorruption, DynamicHeaderBadChecksum) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  const uint32_t good = read_be32(img, "dynamic header", f::kDynChecksum);
  img.patch_be("dynamic header", f::kDynChecksum, good + 2, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            fmt::format("img.vhd: dynamic header @0x200: checksum {:#x} does not match computed {:#x}", good + 2,
                        good));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, DynamicHeaderCookieDamaged) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  img.patch("dynamic header", f::kDynCookie, std::vector<uint8_t>{'c', 'x', 's', 'p', 'a', 'r', 's', 0xE9});
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhd: dynamic header @0x200: cookie \"cxspars\\xe9\" is not \"cxsparse\"");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, DynamicHeaderPastEndOfFile) {
  // Only the end footer is changed: it stays valid and authoritative (the copy differs, a note).
  BuiltImage img = build_image(vhd_dynamic_spec());
  img.patch_be("footer", f::kFooterDataOffset, 0x10000000, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhd: footer @0x400c00: data offset 0x10000000: the 1024-byte dynamic header would end past the end "
            "of the file data at 0x400c00");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, BlockSizeNotPowerOfTwoSectors) {
  const Failure e = open_failure(patched_header(f::kDynBlockSize, 3 * kMiB, 4));
  EXPECT_EQ(e.message,
            "img.vhd: dynamic header @0x200: block size 3145728 is not a power-of-two number of 512-byte sectors");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, MaxTableEntriesTooFewForCurrentSize) {
  const Failure e = open_failure(patched_header(f::kDynMaxTableEntries, 2, 4));
  EXPECT_EQ(e.message,
            "img.vhd: dynamic header @0x200: max table entries 2 is less than the 4 blocks of 2097152 bytes the "
            "current size 8355840 needs");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, MaxTableEntriesAllOnesIsBounded) {
  // 16 GiB of BAT claimed by a 4 MiB file: refused before anything is sized from the count.
  const Failure e = open_failure(patched_header(f::kDynMaxTableEntries, 0xFFFFFFFF, 4));
  EXPECT_EQ(e.message,
            "img.vhd: BAT @0x600: 4294967295 entries (17179869180 bytes) end past the end of the file data at "
            "0x400c00");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, BatLargerThanTheReaderLoadsIsUnsupported) {
  // 512-byte blocks and 2^24 + 1 entries, all inside a 64 MiB (sparse) file: without a cap the
  // first block_stats() would size a table from the count alone; 2^32 entries would be 16 GiB.
  BuiltImage img = build_image(vhd_dynamic_spec());
  const uint64_t entries = (uint64_t{1} << 24) + 1;
  img.patch_be("dynamic header", f::kDynBlockSize, 512, 4);
  img.patch_be("dynamic header", f::kDynMaxTableEntries, entries, 4, /*fix_checksum=*/true);
  for (const char* footer : {"footer", "footer copy"})
    img.patch_be(footer, f::kFooterCurrentSize, entries * 512, 8, /*fix_checksum=*/true);
  const std::vector<uint8_t> footer = img.file.read(img.layout.offset("footer"), 512);
  img.file.zero(img.layout.offset("footer"), 512);
  img.file.write(0x600 + 0x4000200, footer);  // just past the claimed table
  const Failure e = open_failure(sparse_reader_of(img));
  EXPECT_EQ(e.message,
            "img.vhd: BAT @0x600: 16777217 entries (67108868 bytes) exceed the 16777216 entries this reader loads");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
}

TEST(VhdCorruption, TableOffsetPastEndOfFile) {
  const Failure e = open_failure(patched_header(f::kDynTableOffset, 0x10000000, 8));
  EXPECT_EQ(e.message, "img.vhd: BAT @0x10000000: 4 entries (16 bytes) end past the end of the file data at 0x400c00");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, TableOffsetOverDynamicHeader) {
  const Failure e = open_failure(patched_header(f::kDynTableOffset, 0x400, 8));
  EXPECT_EQ(e.message, "img.vhd: BAT @0x400: 4 entries (16 bytes) overlap the dynamic header @0x200");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, BatEntryPastEndOfFile) {
  const Failure e = first_use_failure(patched_bat_entry(2, 0x100000));
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 2 @0x608: block at 0x20000000 (sector 0x100000, 2097664 bytes with its bitmap) ends "
            "past the end of the file data at 0x400c00");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, TwoBatEntriesAtOneBlock) {
  const Failure e = first_use_failure(patched_bat_entry(2, 0x800 / 512));
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 2 @0x608: block at 0x800 overlaps block 0 at 0x800 (2097664 bytes with its bitmap)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, BlocksOverlapPartially) {
  // Block 2 starts 4 KiB before block 0 ends: reported at the block that starts later.
  const Failure e = first_use_failure(patched_bat_entry(2, (0x200a00 - 0x1000) / 512));
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 2 @0x608: block at 0x1ffa00 overlaps block 0 at 0x800 (2097664 bytes with its bitmap)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, BlockOverlapsBat) {
  const Failure e = first_use_failure(patched_bat_entry(0, 0x600 / 512));
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 0 @0x600: block at 0x600 (2097664 bytes with its bitmap) overlaps the BAT @0x600");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, BlockOverlapsFooterCopy) {
  const Failure e = first_use_failure(patched_bat_entry(0, 0));
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 0 @0x600: block at 0x0 (2097664 bytes with its bitmap) overlaps the footer copy @0x0");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, TruncatedInsideBlock) {
  // Cut inside block 2: the end footer is gone, so the copy at 0 is used and block 2 no longer fits.
  BuiltImage img = build_image(vhd_dynamic_spec());
  const Failure e = first_use_failure(reader_of(img, 0x300000));
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 2 @0x608: block at 0x200a00 (sector 0x1005, 2097664 bytes with its bitmap) ends past "
            "the end of the file data at 0x300000");
  EXPECT_EQ(e.code, ErrorCode::format);
}

}  // namespace
}  // namespace vhdchain::test
