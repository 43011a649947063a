// VHD footer: decoding (formats.md E1, the libvhdi Virtual PC fragment), validation messages, and
// locating the footer (EOF, 511-byte form, copy at 0) with its Notes.
#include "vhd/footer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/testdata.h"
#include "vhd_bytes.h"

namespace vhdchain::vhd {
namespace {

using test::error_of;

Footer decode(const std::vector<uint8_t>& b, uint64_t offset = 0x200) {
  return decode_footer(ByteView(b, "mem", "footer", offset));
}

std::string decode_error(const std::vector<uint8_t>& b) {
  return error_of([&] { decode(b); });
}

TEST(VhdFooter, E1ChecksumAndFields) {
  const std::vector<uint8_t> b = test::e1_footer();
  EXPECT_EQ(vhd_checksum(b, 64), 0xFFFFF02Cu);
  const Footer f = decode(b);
  EXPECT_EQ(f.features, 2u);
  EXPECT_EQ(f.format_version, 0x00010000u);
  EXPECT_EQ(f.data_offset, 0x200u);
  EXPECT_EQ(f.timestamp, 0x27198E1Bu);  // 2020-10-14 10:23:23 UTC
  EXPECT_EQ(four_cc_text(f.creator_application), "win ");
  EXPECT_EQ(f.creator_version, 0x000A0000u);
  EXPECT_EQ(four_cc_text(f.creator_host_os), "Wi2k");
  EXPECT_EQ(f.original_size, 0x400000u);
  EXPECT_EQ(f.current_size, 0x400000u);
  EXPECT_EQ(f.geometry.cylinders, 120);
  EXPECT_EQ(f.geometry.heads, 4);
  EXPECT_EQ(f.geometry.sectors_per_track, 17);
  EXPECT_EQ(f.geometry.size(), 4177920u);
  EXPECT_EQ(f.disk_type, 4u);
  EXPECT_EQ(f.type(), DiskType::differencing);
  EXPECT_EQ(f.checksum, 0xFFFFF02Cu);
  const Guid id{{0xf8, 0x4f, 0x16, 0x36, 0xcd, 0x9e, 0x90, 0x41, 0xa6, 0x9e, 0xdc, 0xc2, 0x38, 0x0e, 0x41, 0x6a}};
  EXPECT_EQ(f.unique_id, id);
  EXPECT_EQ(f.saved_state, 0);
  EXPECT_EQ(creator_text(f), "win 10.0 (Wi2k)");
}

// libvhdi tests/data/file_footer.1: the footer of a Virtual PC differencing VHD (PROVENANCE 2.9).
TEST(VhdFooter, LibvhdiVirtualPcFragment) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  std::ifstream in(shared / "libvhdi-fragments" / "file_footer.1", std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(b.size(), 512u);
  EXPECT_EQ(vhd_checksum(b, 64), 0xFFFFF023u);
  const Footer f = decode(b, 0);
  EXPECT_EQ(f.features, 2u);
  EXPECT_EQ(f.data_offset, 0x200u);
  EXPECT_EQ(f.timestamp, 0x192215F0u);
  EXPECT_EQ(creator_text(f), "vpc 1.0 (Wi2k)");
  EXPECT_EQ(f.original_size, 536870912u);
  EXPECT_EQ(f.current_size, 536870912u);
  EXPECT_EQ(f.geometry.cylinders, 1040);
  EXPECT_EQ(f.geometry.heads, 16);
  EXPECT_EQ(f.geometry.sectors_per_track, 63);
  EXPECT_EQ(f.geometry.size(), 536739840u);
  EXPECT_EQ(f.type(), DiskType::differencing);
  const Guid id{{0x40, 0xd5, 0x6d, 0x36, 0x9a, 0xb8, 0x4f, 0xe4, 0xa3, 0x1a, 0x12, 0x1f, 0xe2, 0xbf, 0x15, 0xeb}};
  EXPECT_EQ(f.unique_id, id);
}

TEST(VhdFooter, CreatorTextTrimsAndEscapes) {
  Footer f;
  f.creator_application = {'d', '2', 'v', 0};
  f.creator_version = 0x00010000;
  f.creator_host_os = {'W', 'i', '2', 'k'};
  EXPECT_EQ(creator_text(f), "d2v 1.0 (Wi2k)");
  EXPECT_EQ(four_cc_text(f.creator_application), "d2v");
  f.creator_application = {0, 0, 0, 0};
  f.creator_host_os = {'M', 'a', 'c', ' '};
  EXPECT_EQ(creator_text(f), "- 1.0 (Mac)");
  f.creator_application = {'t', 'a', 'p', 0x01};
  EXPECT_EQ(four_cc_text(f.creator_application), "tap\\x01");
  EXPECT_EQ(four_cc_text(0x57326B75u), "W2ku");
}

TEST(VhdFooter, Errors) {
  std::vector<uint8_t> b = test::e1_footer();
  b[7] = 'y';
  EXPECT_EQ(decode_error(b), "mem: footer @0x200: cookie \"conectiy\" is not \"conectix\"");

  b = test::e1_footer();
  b[100] = 1;
  EXPECT_EQ(decode_error(b), "mem: footer @0x200: checksum 0xfffff02c does not match computed 0xfffff02b");

  test::FooterFields f;
  f.current_size = 4096;
  f.version = 0x00020000;
  EXPECT_EQ(decode_error(test::footer_bytes(f)), "mem: footer @0x200: file format version 0x00020000 is not 1.x");
  f.version = 0x00010003;  // minor versions are accepted
  EXPECT_EQ(decode_error(test::footer_bytes(f)), "");

  f = {};
  f.current_size = 4096;
  for (uint32_t type : {0u, 1u, 5u, 6u}) {
    f.disk_type = type;
    EXPECT_EQ(decode_error(test::footer_bytes(f)),
              "mem: footer @0x200: disk type " + std::to_string(type) +
                  " is not fixed (2), dynamic (3) or differencing (4)");
  }

  f = {};
  f.current_size = 1000;
  EXPECT_EQ(decode_error(test::footer_bytes(f)), "mem: footer @0x200: current size 1000 is not a multiple of 512");
}

TEST(VhdFooter, FixedDataOffsetAllOnesIn32Or64Bits) {
  test::FooterFields f;
  f.disk_type = 2;
  f.current_size = 4096;
  f.data_offset = 0xFFFFFFFFFFFFFFFFull;
  EXPECT_EQ(decode(test::footer_bytes(f)).data_offset, 0xFFFFFFFFFFFFFFFFull);
  f.data_offset = 0xFFFFFFFF;
  EXPECT_EQ(decode(test::footer_bytes(f)).data_offset, 0xFFFFFFFFu);
  f.data_offset = 0x200;
  EXPECT_EQ(decode_error(test::footer_bytes(f)),
            "mem: footer @0x200: data offset 0x200 of a fixed disk is not all ones (0xffffffff or "
            "0xffffffffffffffff)");
}

// ---- locate_footer ------------------------------------------------------------------------------

// A dynamic-disk-shaped file: copy at 0, 1536 bytes of anything, footer at the end.
std::vector<uint8_t> with_footers(const std::vector<uint8_t>& copy, const std::vector<uint8_t>& end) {
  std::vector<uint8_t> b(2048, 0);
  std::copy(copy.begin(), copy.end(), b.begin());
  test::append(b, end);
  return b;
}

TEST(VhdLocateFooter, EndFooterUsedAndCopiesEqual) {
  test::FooterFields f;
  f.current_size = 4096;
  const auto footer = test::footer_bytes(f);
  auto file = test::reader(with_footers(footer, footer));
  std::vector<Note> notes;
  const FooterLocation at = locate_footer(*file, notes);
  EXPECT_EQ(at.offset, 2048u);
  EXPECT_EQ(at.structure, "footer");
  EXPECT_EQ(at.data_end, 2048u);
  EXPECT_FALSE(at.footer_511);
  EXPECT_TRUE(notes.empty());
}

TEST(VhdLocateFooter, BadEndChecksumFallsBackToCopy) {
  test::FooterFields f;
  f.current_size = 4096;
  const auto copy = test::footer_bytes(f);
  auto end = copy;
  end[200] = 7;
  auto file = test::reader(with_footers(copy, end));
  std::vector<Note> notes;
  const FooterLocation at = locate_footer(*file, notes);
  EXPECT_EQ(at.offset, 0u);
  EXPECT_EQ(at.structure, "footer copy");
  EXPECT_EQ(at.data_end, 2048u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.footer_at_eof_invalid");
  EXPECT_EQ(notes[0].message,
            "footer @0x800: checksum 0xfffff6f9 does not match computed 0xfffff6f2; the footer copy @0x0 is used");
}

TEST(VhdLocateFooter, MissingEndFooterFallsBackToCopy) {
  test::FooterFields f;
  f.current_size = 4096;
  auto bytes = with_footers(test::footer_bytes(f), std::vector<uint8_t>(512, 0));
  auto file = test::reader(bytes);
  std::vector<Note> notes;
  const FooterLocation at = locate_footer(*file, notes);
  EXPECT_EQ(at.structure, "footer copy");
  EXPECT_EQ(at.data_end, 2560u);  // no cookie at the end: the data may run to the end of the file
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].message,
            "footer @0x800: cookie \"conectix\" not found at the end of the file (512- or 511-byte footer); the "
            "footer copy @0x0 is used");
}

TEST(VhdLocateFooter, BothCopiesBadIsAnError) {
  test::FooterFields f;
  f.current_size = 4096;
  auto footer = test::footer_bytes(f);
  footer[200] = 7;
  auto file = test::reader(with_footers(footer, footer));
  std::vector<Note> notes;
  EXPECT_EQ(error_of([&] { locate_footer(*file, notes); }),
            "mem.vhd: footer @0x800: checksum 0xfffff6f9 does not match computed 0xfffff6f2; footer copy @0x0: "
            "checksum 0xfffff6f9 does not match computed 0xfffff6f2");
}

TEST(VhdLocateFooter, NoFooterAnywhere) {
  auto file = test::reader(std::vector<uint8_t>(4096, 0));
  std::vector<Note> notes;
  EXPECT_EQ(error_of([&] { locate_footer(*file, notes); }),
            "mem.vhd: footer @0xe00: cookie \"conectix\" not found at the end of the file (512- or 511-byte "
            "footer); footer copy @0x0: cookie \"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\" is not \"conectix\"");
  auto tiny = test::reader(std::vector<uint8_t>(100, 0));
  EXPECT_EQ(error_of([&] { locate_footer(*tiny, notes); }),
            "mem.vhd: footer @0x0: file of 100 bytes is too small for a footer; footer copy @0x0: file of 100 "
            "bytes is too small for a footer copy");
}

TEST(VhdLocateFooter, FixedDiskHasNoCopyToFallBackOn) {
  test::FooterFields f;
  f.disk_type = 2;
  f.data_offset = 0xFFFFFFFFFFFFFFFFull;
  f.current_size = 2048;
  const auto fixed = test::footer_bytes(f);
  auto end = fixed;
  end[300] = 1;
  // A copy at 0 that says "fixed" (e.g. the disk's data is a VHD footer) is not a fallback.
  auto file = test::reader(with_footers(fixed, end));
  std::vector<Note> notes;
  EXPECT_EQ(error_of([&] { locate_footer(*file, notes); }),
            "mem.vhd: footer @0x800: checksum 0xffffef14 does not match computed 0xffffef13; footer copy @0x0: "
            "disk type 2 (fixed) has no footer copy at offset 0");
  // A valid fixed footer at the end: the bytes at 0 are disk data and are not looked at.
  auto ok = test::reader(with_footers(fixed, fixed));
  EXPECT_EQ(locate_footer(*ok, notes).footer.type(), DiskType::fixed);
  EXPECT_TRUE(notes.empty());
}

TEST(VhdLocateFooter, CopyMismatchAndInvalidCopyAreNotes) {
  test::FooterFields f;
  f.current_size = 4096;
  const auto end = test::footer_bytes(f);
  f.timestamp += 1;
  f.saved_state = 1;
  auto file = test::reader(with_footers(test::footer_bytes(f), end));
  std::vector<Note> notes;
  EXPECT_EQ(locate_footer(*file, notes).offset, 2048u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.footer_copy_mismatch");
  EXPECT_EQ(notes[0].message,
            "footer copy @0x0 differs from the footer @0x800 in: time stamp, checksum, saved state; the footer at "
            "the end of the file is used");

  auto bad_copy = end;
  bad_copy[0] = 'C';
  notes.clear();
  auto file2 = test::reader(with_footers(bad_copy, end));
  EXPECT_EQ(locate_footer(*file2, notes).offset, 2048u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.footer_copy_invalid");
  EXPECT_EQ(notes[0].message,
            "footer copy @0x0: cookie \"Conectix\" is not \"conectix\"; the footer @0x800 at the end of the file "
            "is used");
}

TEST(VhdLocateFooter, Footer511) {
  test::FooterFields f;
  f.disk_type = 2;
  f.data_offset = 0xFFFFFFFF;
  f.current_size = 1024;
  auto footer = test::footer_bytes(f);  // reserved last byte is 0, so dropping it keeps the checksum
  std::vector<uint8_t> b(1024, 0xAB);
  test::append(b, std::span<const uint8_t>(footer).first(511));
  auto file = test::reader(b);
  std::vector<Note> notes;
  const FooterLocation at = locate_footer(*file, notes);
  EXPECT_EQ(at.offset, 1024u);
  EXPECT_EQ(at.data_end, 1024u);
  EXPECT_TRUE(at.footer_511);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.footer_511");
  EXPECT_EQ(notes[0].message,
            "footer @0x400: 511-byte footer of an image made before Virtual PC 2004; its missing last byte is read "
            "as 0");
}

}  // namespace
}  // namespace vhdchain::vhd
