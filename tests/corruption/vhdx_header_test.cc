// VHDX corruption: file identifier and the two headers (MS-VHDX 2.2.1, 2.2.2).
//
// Header validity is signature + CRC-32C only; a damaged header falls back to the other one with
// a note, while a wrong field under a right checksum in the current header is an error (the reader
// must not silently pick an older header, docs/vhdx-notes.md "Decisions").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhdx_field;

TEST(VhdxCorruption, FileIdentifierSignatureDamagedIsNotAnImage) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch("file identifier", f::kIdentifierSignature, std::vector<uint8_t>{'v', 'h', 'd', 'x', 'f', 'i', 'l', 'E'});
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: file @0x0: neither a VHDX file identifier ('vhdxfile' at 0) nor a VHD footer ('conectix' at the "
            "end or at 0) was found: not a VHDX or VHD image");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, Header1BadChecksumFallsBackToHeader2) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.header1_sequence = 3;  // header 1 would be current if it were valid
  BuiltImage img = build_image(spec);
  const uint32_t good = read_le32(img, "header 1", f::kHeaderChecksum);
  img.patch_le("header 1", f::kHeaderChecksum, 0xDEADBEEF, 4);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(image->info().current_header, 2);
  EXPECT_EQ(image->info().header_sequence, 2u);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.header_invalid",
                       fmt::format("header 1 @0x10000 is not valid (checksum 0xdeadbeef does not match computed "
                                   "{:#x}); using header 2",
                                   good)}}));
}

TEST(VhdxCorruption, Header2BadChecksumKeepsOlderHeader1) {
  // Header 2 is the newer one (sequence 2 > 1), but it is damaged: header 1 is the only valid one.
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const uint32_t good = read_le32(img, "header 2", f::kHeaderChecksum);
  img.patch_le("header 2", f::kHeaderChecksum, good ^ 1, 4);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(image->info().current_header, 1);
  EXPECT_EQ(image->info().header_sequence, 1u);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.header_invalid",
                       fmt::format("header 2 @0x20000 is not valid (checksum {:#x} does not match computed {:#x}); "
                                   "using header 1",
                                   good ^ 1, good)}}));
}

TEST(VhdxCorruption, BothHeadersBadIsRefused) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const uint32_t good = read_le32(img, "header 1", f::kHeaderChecksum);
  img.patch_le("header 1", f::kHeaderChecksum, 0, 4);
  img.patch("header 2", f::kHeaderSignature, std::vector<uint8_t>{'H', 'E', 'A', 'D'});
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, fmt::format("img.vhdx: header 1 @0x10000: neither header is valid (header 1: checksum 0x0 "
                                   "does not match computed {:#x}; header 2: signature is not 'head')",
                                   good));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, EqualSequenceIdenticalHeadersUseHeader1) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.header1_sequence = spec.vhdx.header2_sequence = 7;  // as Disk2vhd writes them
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(image->info().current_header, 1);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.equal_header_sequence",
                       "header 1 @0x10000 and header 2 @0x20000 have the same sequence number 7 and identical fields "
                       "(as Disk2vhd writes them); using header 1"}}));
}

TEST(VhdxCorruption, EqualSequenceWithDifferentContentIsRefused) {
  ImageSpec spec = vhdx_dynamic_spec();
  spec.vhdx.header1_sequence = spec.vhdx.header2_sequence = 7;
  BuiltImage img = build_image(spec);
  img.patch_le("header 2", f::kHeaderDataWriteGuid, 0x42, 1, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: header 2 @0x20000: sequence number 7 equals header 1's but the headers differ in their "
            "defined fields: cannot tell which is current");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, CurrentHeaderVersion2IsUnsupported) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", f::kHeaderVersion, 2, 2, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: header 2 @0x20000: version 2 is not supported (must be 1)");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
}

TEST(VhdxCorruption, CurrentHeaderReservedBytesSet) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", 4095, 1, 1, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: header 2 @0x20000: reserved bytes 80-4095 are not zero");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogOffsetNotMiBAligned) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", f::kHeaderLogOffset, 0x180000, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: header 2 @0x20000: log offset 0x180000 is not 1 MiB aligned");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogOffsetInsideHeaderSection) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", f::kHeaderLogOffset, 0, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: header 2 @0x20000: log offset 0x0 lies inside the 1 MiB header section");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogPastEndOfFile) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", f::kHeaderLogLength, 0x1000000, 4, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: header 2 @0x20000: log offset 0x100000 + log length 0x1000000 extends past the end of the "
            "file (0x600000 bytes)");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogGuidWithZeroLogLength) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", f::kHeaderLogLength, 0, 4);
  img.patch_le("header 2", f::kHeaderLogGuid, 0x99, 1, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, "img.vhdx: header 2 @0x20000: log guid is set but log length is 0");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, TruncatedInsideHeaderSection) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  const Failure e = open_failure(reader_of(img, 0x20800));
  EXPECT_EQ(e.message,
            "img.vhdx: header 2 @0x20000: structure of 4096 bytes does not fit in the file (133120 bytes): file is "
            "truncated");
  EXPECT_EQ(e.code, ErrorCode::format);
}

}  // namespace
}  // namespace vhdchain::test
