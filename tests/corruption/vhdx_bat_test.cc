// VHDX corruption: BAT entries (MS-VHDX 2.5, 2.5.1). The BAT is read lazily, so these files open
// and the error comes from the first block_stats()/map() (first_use_failure checks both).
//
// Dynamic base: BAT @0x300000, entry N @0x300000 + 8 N; block 0 @0x400000, block 2 @0x500000.
// Differencing child: payload entries 0-4095, chunk 0's sector bitmap is entry 4096 (@0x308000).
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

constexpr uint64_t kFullyPresent = 6, kPartiallyPresent = 7;
constexpr uint64_t kBitmapEntry = 4096 * 8;

uint64_t entry_of(const BuiltImage& img, uint64_t index) { return read_le64(img, "bat", 8 * index); }

void set_entry(BuiltImage& img, uint64_t index, uint64_t value) { img.patch_le("bat", 8 * index, value, 8); }

TEST(VhdxCorruption, BatReservedBitsSet) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 0, entry_of(img, 0) | 1u << 3);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: BAT entry 0 @0x300000: reserved bits 3-19 are not zero (entry 0x000000000040000e)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatEntryPastEndOfFile) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 2, 0x10000000 | kFullyPresent);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 2 @0x300010: block 0x10000000+0x100000 extends past the end of the file (0x600000 "
            "bytes)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatTwoBlocksAtOneOffset) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 2, entry_of(img, 0));
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 2 @0x300010: block 0x400000+0x100000 overlaps the block of BAT entry 0 "
            "(0x400000+0x100000)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatBlockOverlapsMetadataRegion) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 0, 0x200000 | kFullyPresent);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 0 @0x300000: block 0x200000+0x100000 overlaps the metadata region "
            "(0x200000+0x100000)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatBlockOverlapsLog) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 0, 0x100000 | kFullyPresent);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: BAT entry 0 @0x300000: block 0x100000+0x100000 overlaps the log (0x100000+0x100000)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatBlockInsideHeaderSection) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 0, kFullyPresent);  // FileOffsetMB 0
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: BAT entry 0 @0x300000: file offset 0x0 lies inside the 1 MiB header section");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatPayloadState4IsReserved) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 5, 4);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: BAT entry 5 @0x300028: payload state 4 is reserved");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatPayloadState5ReadAsUnmappedWithNote) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 6, 5);  // UNMAPPED (3) -> the v0.95 draft's 5
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(image->block_stats().payload.at("unmapped"), 1u);
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.unmapped_v095_state",
                       "BAT @0x300000: 1 payload entries have state 5 (UNMAPPED in the v0.95 draft); read as UNMAPPED "
                       "(3)"}}));
}

TEST(VhdxCorruption, BatPartiallyPresentInDynamicDisk) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  set_entry(img, 0, (entry_of(img, 0) & ~uint64_t{7}) | kPartiallyPresent);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 0 @0x300000: payload state 7 (partially present) is only valid in a differencing "
            "disk");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatPartiallyPresentWithoutSectorBitmap) {
  BuiltImage img = vhdx_differencing_chain().layers[1];
  img.patch_le("bat", kBitmapEntry, 0, 8);  // chunk 0's sector bitmap: NOT_PRESENT
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 0 @0x300000: payload state 7 (partially present) needs the sector bitmap of chunk 0 "
            "(BAT entry 4096) to be present, but its state is 0");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatSectorBitmapStateInvalid) {
  // A child without partial blocks but with a sector bitmap, so the bitmap entry itself is reached.
  ImageSpec spec = vhdx_differencing_chain().layers[1].spec;
  spec.blocks.erase(0);
  spec.vhdx.sector_bitmap_for_every_chunk = true;
  BuiltImage img = build_image(spec);
  img.patch_le("bat", kBitmapEntry, (read_le64(img, "bat", kBitmapEntry) & ~uint64_t{7}) | 3, 8);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: BAT entry 4096 @0x308000: sector bitmap state 3 is reserved (must be 0 or 6)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BatSectorBitmapPresentInDynamicDisk) {
  // 256 MiB blocks make the chunk ratio 16, so a 4.25 GiB dynamic disk has a sector-bitmap entry
  // (index 16) between payload entries 15 and 16.
  ImageSpec spec;
  spec.virtual_size = 17 * 256 * kMiB;
  spec.block_size = 256 * kMiB;
  BuiltImage img = build_image(spec);
  img.patch_le("bat", 16 * 8, 0x300000 | 6, 8);
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 16 @0x300080: sector bitmap state 6 (present) is only valid in a differencing disk");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, TruncatedInsidePayloadBlock) {
  // Cut halfway through block 0: the headers, regions and metadata still fit, the block does not.
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const Failure e = first_use_failure(reader_of(img, 4 * kMiB + kMiB / 2));
  EXPECT_EQ(e.message,
            "img.vhdx: BAT entry 0 @0x300000: block 0x400000+0x100000 extends past the end of the file (0x480000 "
            "bytes)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

}  // namespace
}  // namespace vhdchain::test
