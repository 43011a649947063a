// Headers: the E5 vector (formats.md section 4) and the choice of the current header.
#include "vhdx/header.h"

#include <gtest/gtest.h>

#include "vhdx/file_identifier.h"
#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;

ByteView view_of(const Bytes& b, int index) {
  return ByteView(b, "t.vhdx", "header " + std::to_string(index), kHeaderOffsets[index - 1]);
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST(VhdxHeader, E5VectorChecksumAndLayout) {
  Bytes h = test::make_header({});
  EXPECT_EQ(crc32c_with_zeroed_field(h, 4), 0xA01CF6D7u);
  const uint8_t first80[80] = {
      0x68, 0x65, 0x61, 0x64, 0xd7, 0xf6, 0x1c, 0xa0, 0x01, 0, 0, 0, 0, 0, 0, 0,
      0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
      0x66, 0x66, 0x66, 0x66, 0x77, 0x77, 0x88, 0x88, 0x99, 0x99, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0x01, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0, 0};
  EXPECT_EQ(Bytes(h.begin(), h.begin() + 80), Bytes(std::begin(first80), std::end(first80)));

  Header d = decode_header(view_of(h, 1));
  EXPECT_EQ(d.checksum, 0xA01CF6D7u);
  EXPECT_EQ(d.sequence_number, 1u);
  EXPECT_EQ(d.file_write_guid.to_string(), "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(d.data_write_guid.to_string(), "66666666-7777-8888-9999-aaaaaaaaaaaa");
  EXPECT_TRUE(d.log_guid.is_zero());
  EXPECT_EQ(d.version, 1);
  EXPECT_EQ(d.log_length, 0x100000u);
  EXPECT_EQ(d.log_offset, 0x100000u);
}

TEST(VhdxHeader, InvalidSignatureAndChecksum) {
  Bytes h = test::make_header({});
  h[0] = 'H';
  EXPECT_EQ(error_of([&] { decode_header(view_of(h, 1)); }), "t.vhdx: header 1 @0x10000: signature is not 'head'");
  h = test::make_header({});
  h[100] = 1;  // a reserved byte changed after sealing
  EXPECT_EQ(error_of([&] { decode_header(view_of(h, 2)); }),
            "t.vhdx: header 2 @0x20000: checksum 0xa01cf6d7 does not match computed 0xaa4c70d1");
}

TEST(VhdxHeader, GreaterSequenceWins) {
  Bytes h1 = test::make_header({.sequence = 9}), h2 = test::make_header({.sequence = 8});
  CurrentHeader c = select_current_header(view_of(h1, 1), view_of(h2, 2));
  EXPECT_EQ(c.index, 1);
  EXPECT_EQ(c.header.sequence_number, 9u);
  EXPECT_TRUE(c.notes.empty());
  c = select_current_header(view_of(h2, 1), view_of(h1, 2));
  EXPECT_EQ(c.index, 2);
  EXPECT_EQ(c.header.sequence_number, 9u);
}

TEST(VhdxHeader, InvalidNewerHeaderFallsBackWithNote) {
  Bytes h1 = test::make_header({.sequence = 3}), h2 = test::make_header({.sequence = 4});
  h2[4] ^= 1;  // torn write of the newer slot: stored checksum 0x22def69f, computed 0x22def69e
  CurrentHeader c = select_current_header(view_of(h1, 1), view_of(h2, 2));
  EXPECT_EQ(c.index, 1);
  EXPECT_EQ(c.header.sequence_number, 3u);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0].code, "vhdx.header_invalid");
  EXPECT_EQ(c.notes[0].message,
            "header 2 @0x20000 is not valid (checksum 0x22def69f does not match computed 0x22def69e); using header 1");
}

TEST(VhdxHeader, BothInvalidIsAnError) {
  Bytes h1 = test::make_header({.sequence = 3}), h2 = test::make_header({.sequence = 4});
  h1[0] = 0;
  h2[4] ^= 1;
  EXPECT_EQ(error_of([&] { select_current_header(view_of(h1, 1), view_of(h2, 2)); }),
            "t.vhdx: header 1 @0x10000: neither header is valid (header 1: signature is not 'head'; header 2: "
            "checksum 0x22def69f does not match computed 0x22def69e)");
}

TEST(VhdxHeader, EqualSequenceAcceptedWhenIdentical) {
  // Disk2vhd writes both slots with sequence 1 and the same fields.
  Bytes h = test::make_header({.sequence = 1});
  CurrentHeader c = select_current_header(view_of(h, 1), view_of(h, 2));
  EXPECT_EQ(c.index, 1);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0].code, "vhdx.equal_header_sequence");
  EXPECT_EQ(c.notes[0].message,
            "header 1 @0x10000 and header 2 @0x20000 have the same sequence number 1 and identical fields (as "
            "Disk2vhd writes them); using header 1");
}

TEST(VhdxHeader, EqualSequenceWithDifferentFieldsIsAnError) {
  Bytes h1 = test::make_header({.sequence = 5});
  Bytes h2 = test::make_header({.sequence = 5, .data_write = test::guid("66666666-7777-8888-9999-bbbbbbbbbbbb")});
  EXPECT_EQ(error_of([&] { select_current_header(view_of(h1, 1), view_of(h2, 2)); }),
            "t.vhdx: header 2 @0x20000: sequence number 5 equals header 1's but the headers differ in their defined "
            "fields: cannot tell which is current");
}

TEST(VhdxHeader, CurrentHeaderFieldChecks) {
  std::vector<Note> notes;
  auto check = [&](const test::HeaderSpec& spec, uint64_t file_size = 4 * kMiB) {
    Bytes h = test::make_header(spec);
    return error_of([&] { check_current_header(view_of(h, 2), decode_header(view_of(h, 2)), file_size, notes); });
  };
  EXPECT_EQ(check({}), "no error");
  try {
    Bytes h = test::make_header({.version = 2});
    check_current_header(view_of(h, 1), decode_header(view_of(h, 1)), 4 * kMiB, notes);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_EQ(std::string(e.what()), "t.vhdx: header 1 @0x10000: version 2 is not supported (must be 1)");
  }
  EXPECT_EQ(check({.log_offset = 0x180000}), "t.vhdx: header 2 @0x20000: log offset 0x180000 is not 1 MiB aligned");
  EXPECT_EQ(check({.log_length = 0x1000}), "t.vhdx: header 2 @0x20000: log length 0x1000 is not 1 MiB aligned");
  EXPECT_EQ(check({.log_offset = 0}), "t.vhdx: header 2 @0x20000: log offset 0x0 lies inside the 1 MiB header section");
  EXPECT_EQ(check({}, 0x180000),
            "t.vhdx: header 2 @0x20000: log offset 0x100000 + log length 0x100000 extends past the end of the file "
            "(0x180000 bytes)");
  const Guid lg = test::guid("01020304-0506-0708-090a-0b0c0d0e0f10");
  EXPECT_EQ(check({.log_guid = lg, .log_length = 0}), "t.vhdx: header 2 @0x20000: log guid is set but log length is 0");
  EXPECT_EQ(check({.log_guid = lg, .log_version = 1}),
            "t.vhdx: header 2 @0x20000: log version 1 is not supported (must be 0) and the log guid is set: the log "
            "cannot be replayed");
  notes.clear();
  EXPECT_EQ(check({.log_version = 1}), "no error");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhdx.log_version_nonzero");
  EXPECT_EQ(notes[0].message, "header 2 @0x20000: log version 1 is not 0; ignored because the log is empty");
  Bytes h = test::make_header({});
  h[200] = 1;
  test::seal(h);
  EXPECT_EQ(error_of([&] { check_current_header(view_of(h, 1), decode_header(view_of(h, 1)), 4 * kMiB, notes); }),
            "t.vhdx: header 1 @0x10000: reserved bytes 80-4095 are not zero");
}

TEST(VhdxFileIdentifier, CreatorAndSignature) {
  Bytes b(kFileIdentifierDefinedSize, 0);
  test::put_ascii(b, 0, "vhdxfile");
  test::put_bytes(b, 8, test::utf16("QEMU v1.6.50"));
  EXPECT_EQ(decode_file_identifier(ByteView(b, "t.vhdx", "file identifier", 0)).creator, "QEMU v1.6.50");
  b[0] = 'V';
  EXPECT_EQ(error_of([&] { decode_file_identifier(ByteView(b, "t.vhdx", "file identifier", 0)); }),
            "t.vhdx: file identifier @0x0: signature is not 'vhdxfile'");
}

}  // namespace
}  // namespace vhdchain::vhdx
