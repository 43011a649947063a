// VHD corruption: a differencing disk's parent fields (VHD spec "Dynamic Disk Header Format";
// formats.md 3.3, pitfall 21).
//
// Child layout (vhd_differencing_chain): dynamic header @0x200, locator entry 0 (W2ku) @0x440 with
// its data @0x800, entry 1 (W2ru) @0x458 with its data @0x1800, blocks from 0x11800.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhd_field;

constexpr uint64_t kW2kuEntry = f::kDynLocators;  // slot 0

BuiltImage child() { return vhd_differencing_chain().layers[1]; }

uint32_t w2ku_length(const BuiltImage& img) {
  return read_be32(img, "dynamic header", kW2kuEntry + f::kLocatorDataLength);
}

TEST(VhdCorruption, DifferencingBaselineReadsLocators) {
  // Not a mutation: the unmodified child, so the mutations below start from a good file.
  const BuiltChain chain = vhd_differencing_chain();
  auto image = open_image(reader_of(chain.layers[1]));
  ASSERT_TRUE(image->info().parent);
  const ParentLink& parent = *image->info().parent;
  EXPECT_EQ(parent.linkage, *chain.layers[0].spec.vhd.unique_id);
  ASSERT_EQ(parent.locators.size(), 2u);
  EXPECT_EQ(parent.locators[0].key, "W2ku");
  EXPECT_EQ(parent.locators[1].value, ".\\base.vhd");
  EXPECT_EQ(read_disk(*image), expected_disk(chain));
  EXPECT_EQ(notes_of(image->info()), NoteList{});
}

TEST(VhdCorruption, LocatorDataPastEndOfFile) {
  BuiltImage img = child();
  img.patch_be("dynamic header", kW2kuEntry + f::kLocatorDataOffset, 0x10000000, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, fmt::format("img.vhd: parent locator entry 0 @0x440: platform data offset 0x10000000 + length "
                                   "{} lies past the end of the file data at {:#x}",
                                   w2ku_length(img), img.layout.offset("footer")));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, LocatorDataOverBat) {
  BuiltImage img = child();
  img.patch_be("dynamic header", kW2kuEntry + f::kLocatorDataOffset, 0x600, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, fmt::format("img.vhd: parent locator entry 0 @0x440: platform data at 0x600 ({} bytes) "
                                   "overlaps the BAT @0x600",
                                   w2ku_length(img)));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, LocatorOddLengthW2ku) {
  BuiltImage img = child();
  const uint32_t odd = w2ku_length(img) - 1;
  img.patch_be("dynamic header", kW2kuEntry + f::kLocatorDataLength, odd, 4, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            fmt::format("img.vhd: parent locator entry 0 @0x440: platform data length {} is odd for UTF-16 platform "
                        "code W2ku",
                        odd));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, LocatorLengthExceedsSpace) {
  BuiltImage img = child();
  img.patch_be("dynamic header", kW2kuEntry + f::kLocatorDataSpace, 0, 4, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, fmt::format("img.vhd: parent locator entry 0 @0x440: platform data length {} exceeds platform "
                                   "data space 0 (read as bytes or as 512-byte sectors)",
                                   w2ku_length(img)));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, LocatorSpaceInSectorsIsNoted) {
  // The 2006 spec text says sectors; Hyper-V writes bytes. 8 sectors still hold the data.
  BuiltImage img = child();
  img.patch_be("dynamic header", kW2kuEntry + f::kLocatorDataSpace, 8, 4, /*fix_checksum=*/true);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.locator_space_in_sectors",
                       fmt::format("parent locator entry 0 @0x440: platform data space 8 is smaller than platform data "
                                   "length {} as bytes; read as 512-byte sectors as the spec says",
                                   w2ku_length(img))}}));
}

TEST(VhdCorruption, LocatorUnknownPlatformCodeIsNoted) {
  BuiltImage img = child();
  img.patch_be("dynamic header", kW2kuEntry + f::kLocatorCode, 0x57326B78, 4, /*fix_checksum=*/true);  // "W2kx"
  auto image = open_image(reader_of(img));
  ASSERT_TRUE(image->info().parent);
  EXPECT_EQ(image->info().parent->locators.at(0).key, "W2kx");
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.locator_unknown_platform",
                       "parent locator entry 0 @0x440: platform code 0x57326b78 (\"W2kx\") is not one the VHD spec "
                       "defines; its data is shown as hex"}}));
}

TEST(VhdCorruption, BlockOverlapsLocatorData) {
  BuiltImage img = child();
  img.patch_be("bat", 0, 0x1800 / 512, 4);  // block 0 onto the W2ru data
  const Failure e = first_use_failure(img);
  EXPECT_EQ(e.message,
            "img.vhd: BAT entry 0 @0x600: block at 0x1800 (2097664 bytes with its bitmap) overlaps the parent locator "
            "entry 1 data @0x1800");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, ParentNameWithUnpairedSurrogateIsNoted) {
  // The name is informational (locators find the parent): a lone high surrogate becomes U+FFFD.
  ImageSpec spec = child().spec;
  spec.vhd.parent_unicode_name_raw = std::vector<uint8_t>{0x00, 'C', 0x00, ':', 0xD8, 0x00, 0x00, 'x'};
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  ASSERT_TRUE(image->info().parent);
  EXPECT_EQ(image->info().parent->name, "C:\xEF\xBF\xBDx");
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.parent_name_invalid",
                       "dynamic header @0x200: parent unicode name is not valid UTF-16BE; invalid code units are shown "
                       "as U+FFFD"}}));
}

}  // namespace
}  // namespace vhdchain::test
