// VHD corruption: the hard disk footer, its copy at offset 0, and fixed-disk sizing (VHD spec
// "Hard Disk Footer Format"; formats.md pitfalls 16, 17, 20, 25).
//
// The end footer is authoritative; a dynamic disk whose end footer is damaged still opens from the
// copy at 0, with a note. A field broken in both copies (each with a right checksum) is an error
// naming both places. Dynamic base: footer @0x400c00; fixed base: footer @0x7f8000.
#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhd_field;

void patch_both_footers(BuiltImage& img, uint64_t field_offset, uint64_t value, size_t width) {
  img.patch_be("footer", field_offset, value, width, /*fix_checksum=*/true);
  img.patch_be("footer copy", field_offset, value, width, /*fix_checksum=*/true);
}

std::string both_footers(const std::string& why) {
  return fmt::format("img.vhd: footer @0x400c00: {}; footer copy @0x0: {}", why, why);
}

TEST(VhdCorruption, FooterBadChecksumUsesCopyAtZero) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  const uint32_t good = read_be32(img, "footer", f::kFooterChecksum);
  img.patch_be("footer", f::kFooterChecksum, good + 1, 4);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.footer_at_eof_invalid",
                       fmt::format("footer @0x400c00: checksum {:#x} does not match computed {:#x}; the footer copy "
                                   "@0x0 is used",
                                   good + 1, good)}}));
}

TEST(VhdCorruption, FooterCookieDamagedUsesCopyAtZero) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  img.patch("footer", f::kFooterCookie, std::vector<uint8_t>{'c', 'o', 'n', 'e', 'c', 't', 'i', 'X'});
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.footer_at_eof_invalid",
                       "footer @0x400c00: cookie \"conectix\" not found at the end of the file (512- or 511-byte "
                       "footer); the footer copy @0x0 is used"}}));
}

TEST(VhdCorruption, BothFooterCopiesBadIsRefused) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  const uint32_t good = read_be32(img, "footer", f::kFooterChecksum);
  img.patch_be("footer", f::kFooterChecksum, 0, 4);
  img.patch_be("footer copy", f::kFooterChecksum, 1, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, fmt::format("img.vhd: footer @0x400c00: checksum 0x0 does not match computed {:#x}; footer copy "
                                   "@0x0: checksum 0x1 does not match computed {:#x}",
                                   good, good));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, FooterCopyBadChecksumIsNoted) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  const uint32_t good = read_be32(img, "footer copy", f::kFooterChecksum);
  img.patch_be("footer copy", f::kFooterChecksum, good ^ 0x100, 4);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.footer_copy_invalid",
                       fmt::format("footer copy @0x0: checksum {:#x} does not match computed {:#x}; the footer "
                                   "@0x400c00 at the end of the file is used",
                                   good ^ 0x100, good)}}));
}

TEST(VhdCorruption, FooterCopiesDifferEndFooterWins) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  img.patch_be("footer copy", f::kFooterTimestamp, 0x2D000001, 4, /*fix_checksum=*/true);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(image->info().timestamp, 0x2D000000u);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.footer_copy_mismatch",
                       "footer copy @0x0 differs from the footer @0x400c00 in: time stamp, checksum; the footer at the "
                       "end of the file is used"}}));
}

TEST(VhdCorruption, Footer511BytesIsAccepted) {
  // Images made before Virtual PC 2004 end with a 511-byte footer (the reserved last byte missing).
  BuiltImage img = build_image(vhd_dynamic_spec());
  auto image = open_image(reader_of(img, img.file.size() - 1));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.footer_511",
                       "footer @0x400c00: 511-byte footer of an image made before Virtual PC 2004; its missing last "
                       "byte is read as 0"}}));
}

TEST(VhdCorruption, DiskType5IsRefused) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  patch_both_footers(img, f::kFooterDiskType, 5, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_footers("disk type 5 is not fixed (2), dynamic (3) or differencing (4)"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, CurrentSizeNotMultipleOf512) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  patch_both_footers(img, f::kFooterCurrentSize, 8355840 + 100, 8);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_footers("current size 8355940 is not a multiple of 512"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, AbsurdCurrentSizeIsBoundedByTheBat) {
  // 8 EiB claimed by a 4 MiB file: the BAT would need 2^42 entries, refused before any is read.
  BuiltImage img = build_image(vhd_dynamic_spec());
  patch_both_footers(img, f::kFooterCurrentSize, 0x7FFFFFFFFFFFFE00, 8);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhd: dynamic header @0x200: max table entries 4 is less than the 4398046511104 blocks of 2097152 "
            "bytes the current size 9223372036854775296 needs");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, FileFormatVersion2IsRefused) {
  BuiltImage img = build_image(vhd_dynamic_spec());
  patch_both_footers(img, f::kFooterVersion, 0x00020000, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, both_footers("file format version 0x00020000 is not 1.x"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, FixedFooterCookieDamagedIsNotAnImage) {
  BuiltImage img = build_image(vhd_fixed_spec());
  img.patch("footer", f::kFooterCookie, std::vector<uint8_t>(8, 0));
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhd: file @0x0: neither a VHDX file identifier ('vhdxfile' at 0) nor a VHD footer ('conectix' at the "
            "end or at 0) was found: not a VHDX or VHD image");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, FixedFooterBadChecksumHasNoCopy) {
  // A fixed disk's first sector is disk data, never a footer copy (here block 0 is all zeros).
  ImageSpec spec = vhd_fixed_spec();
  spec.blocks.erase(0);
  BuiltImage img = build_image(spec);
  const uint32_t good = read_be32(img, "footer", f::kFooterChecksum);
  img.patch_be("footer", f::kFooterChecksum, good - 1, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, fmt::format("img.vhd: footer @0x7f8000: checksum {:#x} does not match computed {:#x}; footer "
                                   "copy @0x0: cookie \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\" is not \"conectix\"",
                                   good - 1, good));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdCorruption, FixedDataOffsetNotAllOnes) {
  ImageSpec spec = vhd_fixed_spec();
  spec.blocks.erase(0);
  BuiltImage img = build_image(spec);
  img.patch_be("footer", f::kFooterDataOffset, 512, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhd: footer @0x7f8000: data offset 0x200 of a fixed disk is not all ones (0xffffffff or "
            "0xffffffffffffffff); footer copy @0x0: cookie \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\" is not "
            "\"conectix\"");
  EXPECT_EQ(e.code, ErrorCode::format);
}

// A fixed VHD whose file is not current size + 512: bytes inserted or removed before the footer.
std::vector<uint8_t> fixed_with_data_length(const BuiltImage& img, uint64_t data_length) {
  std::vector<uint8_t> bytes = img.file.read(0, std::min(data_length, img.spec.virtual_size));
  bytes.resize(data_length, 0);
  const std::vector<uint8_t> footer = img.file.read(img.layout.offset("footer"), 512);
  bytes.insert(bytes.end(), footer.begin(), footer.end());
  return bytes;
}

TEST(VhdCorruption, FixedFileLongerThanCurrentSizeIsNoted) {
  BuiltImage img = build_image(vhd_fixed_spec());
  auto image = open_image(reader_of(fixed_with_data_length(img, 8355840 + 4096), "img.vhd"));
  EXPECT_EQ(image->info().virtual_size, 8355840u);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhd.fixed_size_mismatch",
                       "footer @0x7f9000: current size 8355840 is less than the 8359936 bytes in front of the footer; "
                       "the 4096 bytes after the disk's data are ignored"}}));
}

TEST(VhdCorruption, FixedFileShorterThanCurrentSize) {
  BuiltImage img = build_image(vhd_fixed_spec());
  const Failure e = open_failure(reader_of(fixed_with_data_length(img, 8355840 - 4096), "img.vhd"));
  EXPECT_EQ(e.message,
            "img.vhd: footer @0x7f7000: current size 8355840 exceeds the 8351744 bytes in front of the footer: file "
            "is truncated");
  EXPECT_EQ(e.code, ErrorCode::format);
}

}  // namespace
}  // namespace vhdchain::test
