// VHD parent locators: decoding platform data by code, and the placement/space checks of
// read_locator() with their exact messages.
#include "vhd/parent_locator.h"

#include <gtest/gtest.h>

#include "base/utf16.h"
#include "vhd_bytes.h"

namespace vhdchain::vhd {
namespace {

using test::error_of;

std::vector<uint8_t> bytes_of(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(VhdLocatorData, Utf16LittleEndianCodes) {
  // E2's W2ku data: UTF-16LE, no terminator (84 bytes).
  const auto w2ku = utf8_to_utf16("C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd", Endian::little);
  ASSERT_EQ(w2ku.size(), 84u);
  LocatorValue v = decode_locator_data(kPlatformW2ku, w2ku);
  EXPECT_EQ(v.text, "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
  EXPECT_TRUE(v.valid);

  auto padded = utf8_to_utf16(".\\parent.vhd", Endian::little);
  padded.resize(padded.size() + 6, 0);  // NUL terminator and zero padding
  v = decode_locator_data(kPlatformW2ru, padded);
  EXPECT_EQ(v.text, ".\\parent.vhd");
  EXPECT_TRUE(v.valid);

  auto junk = utf8_to_utf16("a.vhd", Endian::little);
  test::append(junk, std::vector<uint8_t>{0, 0, 'x', 0});  // something after the terminator
  v = decode_locator_data(kPlatformW2ru, junk);
  EXPECT_EQ(v.text, "a.vhd");
  EXPECT_FALSE(v.valid);

  const std::vector<uint8_t> lone_surrogate = {'a', 0, 0x00, 0xD8};
  v = decode_locator_data(kPlatformW2ku, lone_surrogate);
  EXPECT_EQ(v.text, "a\xEF\xBF\xBD");
  EXPECT_FALSE(v.valid);
}

TEST(VhdLocatorData, SingleByteCodes) {
  LocatorValue v = decode_locator_data(kPlatformWi2k, bytes_of(std::string_view("C:\\VMs\\caf\xE9.vhd\0\0", 18)));
  EXPECT_EQ(v.text, "C:\\VMs\\caf\xC3\xA9.vhd");  // ISO-8859-1 e-acute as UTF-8
  EXPECT_TRUE(v.valid);
  v = decode_locator_data(kPlatformWi2r, bytes_of(".\\dynamic.vhd"));
  EXPECT_EQ(v.text, ".\\dynamic.vhd");
  EXPECT_TRUE(v.valid);
}

TEST(VhdLocatorData, MacCodes) {
  LocatorValue v = decode_locator_data(kPlatformMacX, bytes_of("file:///Users/a/parent%20disk.vhd"));
  EXPECT_EQ(v.text, "file:///Users/a/parent%20disk.vhd");
  EXPECT_TRUE(v.valid);
  v = decode_locator_data(kPlatformMacX, bytes_of("file:///\xFF"));
  EXPECT_EQ(v.text, "file:///\xEF\xBF\xBD");
  EXPECT_FALSE(v.valid);
  v = decode_locator_data(kPlatformMac, std::vector<uint8_t>{0x00, 0x01, 0xAB, 0xFF});
  EXPECT_EQ(v.text, "0001abff");
  EXPECT_TRUE(v.valid);
  v = decode_locator_data(0x41424344, std::vector<uint8_t>{0x12, 0x00});
  EXPECT_EQ(v.text, "1200");
}

// A file with a dynamic header at 0x200 whose slot `index` is `slot`, and data at 0x1000.
struct Fixture {
  std::vector<uint8_t> entry_bytes = std::vector<uint8_t>(24, 0);
  std::shared_ptr<const Reader> file;
  std::vector<Region> reserved = {{0, 512, "footer copy @0x0"},
                                  {0x200, 1024, "dynamic header @0x200"},
                                  {0x600, 16, "BAT @0x600"}};

  explicit Fixture(const std::vector<uint8_t>& data = {}) {
    std::vector<uint8_t> bytes(0x1000, 0);
    test::append(bytes, data);
    bytes.resize(0x2000, 0);
    file = test::reader(bytes);
  }
  std::string read(const LocatorSlot& slot, LocatorEntry* out = nullptr, std::vector<Note>* notes = nullptr) {
    ByteView entry(entry_bytes, "mem.vhd", "parent locator entry 1", 0x258);
    std::vector<Note> ignored;
    return error_of([&] {
      LocatorEntry e = read_locator(*file, entry, slot, reserved, 0x1E00, notes ? *notes : ignored);
      if (out) *out = e;
    });
  }
};

TEST(VhdReadLocator, DecodesAndReportsTheSlot) {
  const auto data = utf8_to_utf16(".\\fat-parent.vhd", Endian::little);
  Fixture fx(data);
  LocatorEntry e;
  std::vector<Note> notes;
  EXPECT_EQ(fx.read({kPlatformW2ru, 65536, 32, 0, 0x1000}, &e, &notes), "");
  EXPECT_EQ(e.key, "W2ru");
  EXPECT_EQ(e.value, ".\\fat-parent.vhd");
  EXPECT_TRUE(e.value_valid);
  EXPECT_EQ(e.data_offset, 0x1000u);
  EXPECT_EQ(e.data_length, 32u);
  EXPECT_EQ(e.data_space, 65536u);
  EXPECT_TRUE(notes.empty());
}

TEST(VhdReadLocator, OddUtf16LengthNamesTheEntry) {
  Fixture fx(std::vector<uint8_t>(33, 'a'));
  EXPECT_EQ(fx.read({kPlatformW2ku, 512, 33, 0, 0x1000}),
            "mem.vhd: parent locator entry 1 @0x258: platform data length 33 is odd for UTF-16 platform code W2ku");
  // Single-byte codes may have any length.
  EXPECT_EQ(fx.read({kPlatformWi2k, 512, 33, 0, 0x1000}), "");
}

TEST(VhdReadLocator, SpaceInBytesOrSectors) {
  Fixture fx(std::vector<uint8_t>(600, 'a'));
  std::vector<Note> notes;
  EXPECT_EQ(fx.read({kPlatformWi2k, 600, 600, 0, 0x1000}, nullptr, &notes), "");
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(fx.read({kPlatformWi2k, 2, 600, 0, 0x1000}, nullptr, &notes), "");  // 2 sectors = 1024 bytes
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.locator_space_in_sectors");
  EXPECT_EQ(notes[0].message,
            "parent locator entry 1 @0x258: platform data space 2 is smaller than platform data length 600 as "
            "bytes; read as 512-byte sectors as the spec says");
  EXPECT_EQ(fx.read({kPlatformWi2k, 1, 600, 0, 0x1000}),
            "mem.vhd: parent locator entry 1 @0x258: platform data length 600 exceeds platform data space 1 (read "
            "as bytes or as 512-byte sectors)");
  EXPECT_EQ(fx.read({kPlatformWi2k, 0xFFFFFFFF, 0xFFFFFFF0, 0, 0x1000}),
            "mem.vhd: parent locator entry 1 @0x258: platform data length 4294967280 exceeds the 1048576 bytes this "
            "reader accepts");
}

TEST(VhdReadLocator, DataMustLieInTheFileClearOfStructures) {
  Fixture fx;
  EXPECT_EQ(fx.read({kPlatformW2ku, 512, 512, 0, 0x1D00}),
            "mem.vhd: parent locator entry 1 @0x258: platform data offset 0x1d00 + length 512 lies past the end of "
            "the file data at 0x1e00");
  EXPECT_EQ(fx.read({kPlatformW2ku, 512, 512, 0, 0x1C00}), "");  // ends exactly at the footer
  EXPECT_EQ(fx.read({kPlatformW2ku, 512, 2, 0, 0xFFFFFFFFFFFFFFFFull}),
            "mem.vhd: parent locator entry 1 @0x258: platform data offset 0xffffffffffffffff + length 2 lies past "
            "the end of the file data at 0x1e00");
  EXPECT_EQ(fx.read({kPlatformW2ku, 512, 8, 0, 0x60C}),
            "mem.vhd: parent locator entry 1 @0x258: platform data at 0x60c (8 bytes) overlaps the BAT @0x600");
  EXPECT_EQ(fx.read({kPlatformW2ku, 512, 8, 0, 0x1FC}),
            "mem.vhd: parent locator entry 1 @0x258: platform data at 0x1fc (8 bytes) overlaps the footer copy @0x0");
  // An empty entry's offset is not looked at.
  LocatorEntry e;
  EXPECT_EQ(fx.read({kPlatformW2ku, 0, 0, 0, 0xFFFFFFFFFFFFFFFFull}, &e), "");
  EXPECT_EQ(e.value, "");
}

TEST(VhdReadLocator, UnknownPlatformIsShownAsHexWithANote) {
  Fixture fx(std::vector<uint8_t>{0xDE, 0xAD});
  LocatorEntry e;
  std::vector<Note> notes;
  EXPECT_EQ(fx.read({0x4D163220, 512, 2, 0, 0x1000}, &e, &notes), "");
  EXPECT_EQ(e.key, "M\\x162 ");
  EXPECT_EQ(e.value, "dead");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.locator_unknown_platform");
  EXPECT_EQ(notes[0].message,
            "parent locator entry 1 @0x258: platform code 0x4d163220 (\"M\\x162 \") is not one the VHD spec "
            "defines; its data is shown as hex");
}

}  // namespace
}  // namespace vhdchain::vhd
