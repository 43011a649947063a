// VHDX corruption: the metadata table and the system items (MS-VHDX 2.6.1, 2.6.2).
//
// The metadata region has no checksum, so each mutation is a plain field write. Item offsets in
// the base image: File Parameters 0x210000, Virtual Disk Size 0x210008, Virtual Disk ID 0x210010,
// Logical Sector Size 0x210020, Physical Sector Size 0x210024; entry N at 0x200020 + 32 N.
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhdx_field;
namespace m = vhdx_metadata_index;

constexpr uint64_t entry_at(int index) { return f::kMetadataEntries + f::kMetadataEntrySize * index; }

Failure open_with(void (*mutate)(BuiltImage&)) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  mutate(img);
  return open_failure(img);
}

TEST(VhdxCorruption, MetadataSignatureDamaged) {
  const Failure e = open_with([](BuiltImage& img) { img.patch_le("metadata table", f::kMetadataSignature, 0, 1); });
  EXPECT_EQ(e.message, "img.vhdx: metadata table @0x200000: signature is not 'metadata'");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataMissingRequiredItem) {
  // Entry count 5 -> 4 drops the last entry, Physical Sector Size.
  const Failure e = open_with([](BuiltImage& img) { img.patch_le("metadata table", f::kMetadataEntryCount, 4, 2); });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata table @0x200000: the Physical Sector Size item "
            "(cda348c7-445d-4471-9cc9-e9885251c556) is missing");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataEntryCountOver2047) {
  const Failure e =
      open_with([](BuiltImage& img) { img.patch_le("metadata table", f::kMetadataEntryCount, 2048, 2); });
  EXPECT_EQ(e.message, "img.vhdx: metadata table @0x200000: entry count 2048 exceeds 2047");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataDuplicateItem) {
  // Entry 1 (Virtual Disk Size) gets File Parameters' GUID.
  const Failure e = open_with([](BuiltImage& img) {
    const std::vector<uint8_t> fp = img.file.read(img.layout.offset("metadata table") + entry_at(0), 16);
    img.patch("metadata table", entry_at(m::kVirtualDiskSize) + f::kMetadataEntryItemId, fp);
  });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata table entry 1 @0x200040: system item caa16737-fa36-4d43-b3b6-33f0aa44e76b also "
            "appears in entry 0");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataUnknownRequiredItemIsUnsupported) {
  ImageSpec spec = vhdx_dynamic_spec();
  const Guid unknown = guid_from_seed(0x1e3, 5);
  spec.vhdx.extra_metadata.push_back({unknown, /*IsRequired*/ 4, std::vector<uint8_t>(8, 0x11)});
  const Failure e = open_failure(build_image(spec));
  EXPECT_EQ(e.message, "img.vhdx: metadata table entry 5 @0x2000c0: system item " + unknown.to_string() +
                           " is marked required but is not known to this reader");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
}

TEST(VhdxCorruption, MetadataUnknownOptionalUserItemIsIgnored) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.extra_metadata.push_back({guid_from_seed(0x1e3, 6), /*IsUser*/ 1, std::vector<uint8_t>(24, 0x22)});
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()), NoteList{});
}

// MS-VHDX 2.6.1.2: an item is at most 1 MiB. A 1 MiB optional item is read past; one byte more is
// refused before its offset is even looked at (issue 13: every item read is bounded by it).
TEST(VhdxCorruption, MetadataItemOfOneMiBIsAccepted) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.extra_metadata.push_back({guid_from_seed(0x1e3, 7), /*IsUser*/ 1, std::vector<uint8_t>(kMiB, 0x33)});
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
}

TEST(VhdxCorruption, MetadataItemOverOneMiB) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.extra_metadata.push_back({guid_from_seed(0x1e3, 7), /*IsUser*/ 1, std::vector<uint8_t>(16, 0x33)});
  BuiltImage img = build_image(spec);
  img.patch_le("metadata table", entry_at(5) + f::kMetadataEntryLength, kMiB + 1, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: metadata table entry 5 @0x2000c0: length 0x100001 exceeds 1 MiB");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataItemOffsetInsideTable) {
  const Failure e = open_with([](BuiltImage& img) {
    img.patch_le("metadata table", entry_at(m::kFileParameters) + f::kMetadataEntryOffset, 0x8000, 4);
  });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata table entry 0 @0x200020: offset 0x8000 lies inside the 64 KiB metadata table");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataItemPastRegion) {
  const Failure e = open_with([](BuiltImage& img) {
    img.patch_le("metadata table", entry_at(m::kFileParameters) + f::kMetadataEntryOffset, 0xFFFFC, 4);
  });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata table entry 0 @0x200020: item 0xffffc+0x8 extends past the end of the metadata region "
            "(0x100000 bytes)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataItemsOverlap) {
  // Virtual Disk Size moved onto File Parameters.
  const Failure e = open_with([](BuiltImage& img) {
    img.patch_le("metadata table", entry_at(m::kVirtualDiskSize) + f::kMetadataEntryOffset, 0x10004, 4);
  });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata table entry 1 @0x200040: item 0x10004+0x8 overlaps entry 0 (0x10000+0x8)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, MetadataKnownItemWrongLength) {
  const Failure e = open_with([](BuiltImage& img) {
    img.patch_le("metadata table", entry_at(m::kLogicalSectorSize) + f::kMetadataEntryLength, 2, 4);
  });
  EXPECT_EQ(e.message, "img.vhdx: metadata table entry 3 @0x200080: length 2 of the Logical Sector Size item is not 4");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BlockSizeNotPowerOfTwo) {
  const Failure e = open_with([](BuiltImage& img) {
    img.patch_le("metadata item file parameters", f::kFileParamsBlockSize, 0x180000, 4);
  });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item File Parameters @0x210000: block size 0x180000 is not a power of 2 from 1 MiB to "
            "256 MiB");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, BlockSizeAbove256MiB) {
  const Failure e = open_with([](BuiltImage& img) {
    img.patch_le("metadata item file parameters", f::kFileParamsBlockSize, 0x20000000, 4);
  });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item File Parameters @0x210000: block size 0x20000000 is not a power of 2 from 1 MiB "
            "to 256 MiB");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, FileParametersReservedFlags) {
  const Failure e =
      open_with([](BuiltImage& img) { img.patch_le("metadata item file parameters", f::kFileParamsFlags, 4, 4); });
  EXPECT_EQ(e.message, "img.vhdx: metadata item File Parameters @0x210000: flags 0x4 has reserved bits 2-31 set");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, VirtualSizeNotSectorMultiple) {
  const Failure e = open_with(
      [](BuiltImage& img) { img.patch_le("metadata item virtual disk size", 0, 8 * kMiB + 100, 8); });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item Virtual Disk Size @0x210008: virtual disk size 0x800064 is not a multiple of "
            "the logical sector size 512");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, VirtualSizeAbove64TiB) {
  const Failure e = open_with(
      [](BuiltImage& img) { img.patch_le("metadata item virtual disk size", 0, 0xFFFFFFFFFFFFFE00, 8); });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item Virtual Disk Size @0x210008: virtual disk size 0xfffffffffffffe00 exceeds 64 TiB");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, VirtualSizeZero) {
  const Failure e = open_with([](BuiltImage& img) { img.patch_le("metadata item virtual disk size", 0, 0, 8); });
  EXPECT_EQ(e.message, "img.vhdx: metadata item Virtual Disk Size @0x210008: virtual disk size 0 is not allowed");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, VirtualSizeTooLargeForBatRegion) {
  // 64 TiB is allowed, but the 1 MiB BAT region holds only 131072 of the entries it needs.
  const Failure e =
      open_with([](BuiltImage& img) { img.patch_le("metadata item virtual disk size", 0, 64 * kTiB, 8); });
  EXPECT_EQ(e.message,
            "img.vhdx: BAT @0x300000: region length 0x100000 holds 131072 entries but the disk needs 67125247");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogicalSectorSize1024) {
  const Failure e =
      open_with([](BuiltImage& img) { img.patch_le("metadata item logical sector size", 0, 1024, 4); });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item Logical Sector Size @0x210020: logical sector size 1024 is not 512 or 4096");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, PhysicalSectorSize0) {
  const Failure e = open_with([](BuiltImage& img) { img.patch_le("metadata item physical sector size", 0, 0, 4); });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item Physical Sector Size @0x210024: physical sector size 0 is not 512 or 4096");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, HasParentWithoutLocator) {
  const Failure e =
      open_with([](BuiltImage& img) { img.patch_le("metadata item file parameters", f::kFileParamsFlags, 2, 4); });
  EXPECT_EQ(e.message,
            "img.vhdx: metadata item File Parameters @0x210000: has parent is set but the metadata table has no "
            "Parent Locator item");
  EXPECT_EQ(e.code, ErrorCode::format);
}

}  // namespace
}  // namespace vhdchain::test
