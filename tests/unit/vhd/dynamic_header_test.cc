// VHD dynamic disk header: formats.md E2, the libvhdi Virtual PC fragment, validation messages and
// the layout checks against footer and file size.
#include "vhd/dynamic_header.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/testdata.h"
#include "vhd_bytes.h"

namespace vhdchain::vhd {
namespace {

using test::error_of;

// formats.md section 4, E2: the dynamic header of Hyper-V's fat-differential.vhd, rebuilt from
// its fields.
std::vector<uint8_t> e2_header() {
  test::HeaderFields h;
  h.table_offset = 0x2000;
  h.max_entries = 2;
  h.block_size = 0x00200000;
  h.parent_name = u"C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd";
  h.locators[0] = {"W2ku", 4096, 84, 0x1000};
  h.locators[1] = {"W2ru", 65536, 32, 0x3000};
  std::vector<uint8_t> b = test::header_bytes(h);
  const uint8_t parent_id[16] = {0x5f, 0xa2, 0x1a, 0x55, 0xf3, 0x94, 0xaa, 0x4d,
                                 0x99, 0x58, 0x19, 0x51, 0xa6, 0x7d, 0x55, 0x40};
  std::copy(std::begin(parent_id), std::end(parent_id), b.begin() + 40);
  test::seal(b, 0, 1024, 36);
  return b;
}

DynamicHeader decode(const std::vector<uint8_t>& b) {
  return decode_dynamic_header(ByteView(b, "mem", "dynamic header", 0x200));
}

std::string decode_error(const std::vector<uint8_t>& b) {
  return error_of([&] { decode(b); });
}

TEST(VhdDynamicHeader, E2ChecksumAndFields) {
  const std::vector<uint8_t> b = e2_header();
  EXPECT_EQ(vhd_checksum(b, 36), 0xFFFFD951u);
  const DynamicHeader h = decode(b);
  EXPECT_EQ(h.checksum, 0xFFFFD951u);
  EXPECT_EQ(h.data_offset, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(h.table_offset, 0x2000u);
  EXPECT_EQ(h.header_version, 0x00010000u);
  EXPECT_EQ(h.max_table_entries, 2u);
  EXPECT_EQ(h.block_size, 0x200000u);
  EXPECT_EQ(h.sectors_per_block(), 4096u);
  EXPECT_EQ(h.bitmap_size(), 512u);
  const Guid parent{{0x5f, 0xa2, 0x1a, 0x55, 0xf3, 0x94, 0xaa, 0x4d, 0x99, 0x58, 0x19, 0x51, 0xa6, 0x7d, 0x55, 0x40}};
  EXPECT_EQ(h.parent_unique_id, parent);
  EXPECT_EQ(h.parent_timestamp, 0u);
  EXPECT_EQ(h.parent_name.utf8, "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
  EXPECT_TRUE(h.parent_name.valid);
  EXPECT_EQ(h.locators[0].platform_code, kPlatformW2ku);
  EXPECT_EQ(h.locators[0].data_space, 4096u);
  EXPECT_EQ(h.locators[0].data_length, 84u);
  EXPECT_EQ(h.locators[0].data_offset, 0x1000u);
  EXPECT_EQ(h.locators[1].platform_code, kPlatformW2ru);
  EXPECT_EQ(h.locators[1].data_space, 65536u);
  EXPECT_EQ(h.locators[1].data_length, 32u);
  EXPECT_EQ(h.locators[1].data_offset, 0x3000u);
  for (size_t i = 2; i < kLocatorCount; ++i) EXPECT_TRUE(h.locators[i].empty()) << i;
}

// The rebuilt E2 header is byte-identical to the real file's (dfvfs fat-differential.vhd at 0x200).
TEST(VhdDynamicHeader, E2MatchesRealFile) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  std::ifstream in(shared / "dfvfs" / "fat-differential.vhd", std::ios::binary);
  std::vector<uint8_t> b(1024);
  in.seekg(0x200);
  in.read(reinterpret_cast<char*>(b.data()), 1024);
  ASSERT_TRUE(in);
  EXPECT_EQ(b, e2_header());
}

// libvhdi tests/data/dynamic_disk_header.1: a Virtual PC differencing header with all four
// Windows locator kinds in slots 4-7 (PROVENANCE 2.9).
TEST(VhdDynamicHeader, LibvhdiVirtualPcFragment) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  std::ifstream in(shared / "libvhdi-fragments" / "dynamic_disk_header.1", std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(b.size(), 1024u);
  EXPECT_EQ(vhd_checksum(b, 36), 0xFFFFE1C1u);
  const DynamicHeader h = decode(b);
  EXPECT_EQ(h.data_offset, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(h.table_offset, 0x600u);
  EXPECT_EQ(h.header_version, 0x00010000u);
  EXPECT_EQ(h.max_table_entries, 256u);
  EXPECT_EQ(h.block_size, 0x200000u);
  const Guid parent{{0xd4, 0x9c, 0x5c, 0x80, 0x35, 0x0a, 0x4a, 0x89, 0x89, 0x8a, 0x5a, 0xd6, 0xd1, 0x0f, 0x65, 0x78}};
  EXPECT_EQ(h.parent_unique_id, parent);
  EXPECT_EQ(h.parent_timestamp, 0x1922077Cu);
  EXPECT_EQ(h.parent_name.utf8, "dynamic.vhd");
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(h.locators[i].empty()) << i;
  struct Expected {
    uint32_t code;
    uint32_t length;
    uint64_t offset;
  };
  const Expected expected[4] = {{kPlatformW2ku, 42, 0x1200},
                                {kPlatformW2ru, 26, 0x1000},
                                {kPlatformWi2k, 21, 0xE00},
                                {kPlatformWi2r, 13, 0xC00}};
  for (size_t i = 0; i < 4; ++i) {
    const LocatorSlot& slot = h.locators[4 + i];
    EXPECT_EQ(slot.platform_code, expected[i].code) << i;
    EXPECT_EQ(slot.data_space, 512u) << i;  // bytes: the slots are 512 bytes apart
    EXPECT_EQ(slot.data_length, expected[i].length) << i;
    EXPECT_EQ(slot.reserved, 0u) << i;
    EXPECT_EQ(slot.data_offset, expected[i].offset) << i;
  }
  EXPECT_EQ(four_cc_text(h.locators[7].platform_code), "Wi2r");
  // The fragment's footer (file_footer.1) says 512 MiB: 256 blocks of 2 MiB exactly.
  Footer footer;
  footer.current_size = 512ull << 20;
  EXPECT_EQ(used_block_count(h, footer), 256u);
}

TEST(VhdDynamicHeader, Errors) {
  std::vector<uint8_t> b = e2_header();
  b[0] = 'X';
  EXPECT_EQ(decode_error(b), "mem: dynamic header @0x200: cookie \"Xxsparse\" is not \"cxsparse\"");

  b = e2_header();
  b[1000] = 2;
  EXPECT_EQ(decode_error(b), "mem: dynamic header @0x200: checksum 0xffffd951 does not match computed 0xffffd94f");

  test::HeaderFields h;
  h.version = 0x00020000;
  EXPECT_EQ(decode_error(test::header_bytes(h)), "mem: dynamic header @0x200: header version 0x00020000 is not 1.x");

  for (uint32_t size : {0u, 1000u, 1536u, 0x80000200u}) {
    h = {};
    h.block_size = size;
    EXPECT_EQ(decode_error(test::header_bytes(h)),
              "mem: dynamic header @0x200: block size " + std::to_string(size) +
                  " is not a power-of-two number of 512-byte sectors");
  }
}

TEST(VhdDynamicHeader, BitmapSize) {
  DynamicHeader h;
  const std::pair<uint32_t, uint32_t> cases[] = {{512, 512},        {4096, 512},         {512 * 1024, 512},
                                                 {2 << 20, 512},    {4 << 20, 1024},     {16 << 20, 4096},
                                                 {1u << 31, 524288}};
  for (auto [block, bitmap] : cases) {
    h.block_size = block;
    EXPECT_EQ(h.bitmap_size(), bitmap) << block;
  }
}

// ---- check_dynamic_layout -----------------------------------------------------------------------

std::string layout_error(const test::HeaderFields& fields, uint64_t current_size, uint64_t data_end,
                         std::vector<Note>* notes = nullptr) {
  std::vector<uint8_t> b = test::header_bytes(fields);
  ByteView view(b, "mem", "dynamic header", 0x200);
  DynamicHeader h = decode_dynamic_header(view);
  Footer footer;
  footer.current_size = current_size;
  std::vector<Note> ignored;
  return error_of([&] { check_dynamic_layout(h, view, footer, data_end, notes ? *notes : ignored); });
}

TEST(VhdDynamicLayout, AcceptsAWellFormedHeader) {
  test::HeaderFields h;
  h.max_entries = 3;
  std::vector<Note> notes;
  EXPECT_EQ(layout_error(h, 3 * 4096, 1536 + 12, &notes), "");
  EXPECT_TRUE(notes.empty());
  h.data_offset = 0xFFFFFFFF;  // the spec text's 32-bit form
  EXPECT_EQ(layout_error(h, 3 * 4096, 1536 + 12, &notes), "");
  EXPECT_TRUE(notes.empty());
}

TEST(VhdDynamicLayout, MaxTableEntriesMustCoverCurrentSize) {
  test::HeaderFields h;
  h.max_entries = 2;
  EXPECT_EQ(layout_error(h, 2 * 4096 + 512, 1 << 20),
            "mem: dynamic header @0x200: max table entries 2 is less than the 3 blocks of 4096 bytes the current "
            "size 8704 needs");
}

TEST(VhdDynamicLayout, HostileMaxTableEntriesCostsNothing) {
  test::HeaderFields h;
  h.max_entries = 0xFFFFFFFF;
  EXPECT_EQ(layout_error(h, 4096, 1 << 20),
            "mem: BAT @0x600: 4294967295 entries (17179869180 bytes) end past the end of the file data at 0x100000");
}

TEST(VhdDynamicLayout, BatPlacement) {
  test::HeaderFields h;
  h.max_entries = 4;
  h.table_offset = 0xFFFFFFFFFFFFFFF8ull;
  EXPECT_EQ(layout_error(h, 4096, 1 << 20),
            "mem: BAT @0xfffffffffffffff8: 4 entries (16 bytes) end past the end of the file data at 0x100000");
  h.table_offset = 0x100;
  EXPECT_EQ(layout_error(h, 4096, 1 << 20), "mem: BAT @0x100: 4 entries (16 bytes) overlap the footer copy @0x0");
  h.table_offset = 0x5F8;
  EXPECT_EQ(layout_error(h, 4096, 1 << 20),
            "mem: BAT @0x5f8: 4 entries (16 bytes) overlap the dynamic header @0x200");
}

TEST(VhdDynamicLayout, UnusedDataOffsetNotAllOnesIsANote) {
  test::HeaderFields h;
  h.max_entries = 1;
  h.data_offset = 0;
  std::vector<Note> notes;
  EXPECT_EQ(layout_error(h, 4096, 1 << 20, &notes), "");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, "vhd.dynamic_header_data_offset");
  EXPECT_EQ(notes[0].message, "dynamic header @0x200: data offset 0x0 is not all ones (the field is unused)");
}

}  // namespace
}  // namespace vhdchain::vhd
