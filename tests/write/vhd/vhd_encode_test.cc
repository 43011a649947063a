// The VHD encoders against the worked examples of docs/formats.md section 4 (bytes Hyper-V wrote)
// and round trips through the project's decoders.
#include <gtest/gtest.h>

#include "base/utf16.h"
#include "io/byte_view.h"
#include "unit/vhd/vhd_bytes.h"
#include "vhd/encode.h"

namespace vhdchain::vhd {
namespace {

Guid guid_of(std::initializer_list<uint8_t> bytes) {
  Guid g;
  std::copy(bytes.begin(), bytes.end(), g.bytes.begin());
  return g;
}

// formats.md E1: Hyper-V's differencing footer of fat-differential.vhd.
Footer e1_footer() {
  Footer f;
  f.features = 2;
  f.format_version = 0x00010000;
  f.data_offset = 0x200;
  f.timestamp = 0x27198E1B;
  f.creator_application = {'w', 'i', 'n', ' '};
  f.creator_version = 0x000A0000;
  f.creator_host_os = {'W', 'i', '2', 'k'};
  f.original_size = 0x400000;
  f.current_size = 0x400000;
  f.geometry = Geometry{120, 4, 17};
  f.disk_type = 4;
  f.unique_id = guid_of({0xf8, 0x4f, 0x16, 0x36, 0xcd, 0x9e, 0x90, 0x41, 0xa6, 0x9e, 0xdc, 0xc2, 0x38, 0x0e, 0x41,
                         0x6a});
  f.checksum = 0x12345678;  // ignored: the encoder computes it
  return f;
}

TEST(VhdEncode, FooterIsHyperVsBytes) {
  const auto bytes = encode_footer(e1_footer());
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.end()), test::e1_footer());
}

TEST(VhdEncode, FooterRoundTrip) {
  Footer f = e1_footer();
  f.saved_state = 1;
  const auto bytes = encode_footer(f);
  const Footer back = decode_footer(ByteView(bytes, "t.vhd", "footer", 0));
  EXPECT_EQ(back.checksum, 0xFFFFF02Bu);  // the saved-state byte adds 1 to the sum
  EXPECT_EQ(back.unique_id, f.unique_id);
  EXPECT_EQ(back.geometry.cylinders, 120);
  EXPECT_EQ(back.geometry.heads, 4);
  EXPECT_EQ(back.geometry.sectors_per_track, 17);
  EXPECT_EQ(back.current_size, 0x400000u);
  EXPECT_EQ(back.data_offset, 0x200u);
  EXPECT_EQ(back.saved_state, 1);
  EXPECT_EQ(back.timestamp, 0x27198E1Bu);
  EXPECT_EQ(creator_text(back), "win 10.0 (Wi2k)");
}

// formats.md E2: the dynamic header of the same file; Hyper-V's checksum 0xFFFFD951.
DynamicHeader e2_header() {
  DynamicHeader h;
  h.data_offset = 0xFFFFFFFFFFFFFFFFull;
  h.table_offset = 0x2000;
  h.max_table_entries = 2;
  h.block_size = 0x00200000;
  h.parent_unique_id = guid_of({0x5f, 0xa2, 0x1a, 0x55, 0xf3, 0x94, 0xaa, 0x4d, 0x99, 0x58, 0x19, 0x51, 0xa6, 0x7d,
                                0x55, 0x40});
  h.parent_timestamp = 0;
  h.parent_name.utf8 = "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd";
  h.locators[0] = LocatorSlot{kPlatformW2ku, 4096, 84, 0, 0x1000};
  h.locators[1] = LocatorSlot{kPlatformW2ru, 65536, 32, 0, 0x3000};
  return h;
}

TEST(VhdEncode, DynamicHeaderIsHyperVsChecksum) {
  const auto bytes = encode_dynamic_header(e2_header());
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 36, bytes.begin() + 40), (std::vector<uint8_t>{0xff, 0xff, 0xd9, 0x51}));
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 0x240, bytes.begin() + 0x258),
            (std::vector<uint8_t>{0x57, 0x32, 0x6b, 0x75, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x54,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00}));
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 64, bytes.begin() + 70),
            (std::vector<uint8_t>{0x00, 0x43, 0x00, 0x3a, 0x00, 0x5c}));  // "C:\" UTF-16BE
}

TEST(VhdEncode, DynamicHeaderRoundTrip) {
  const auto bytes = encode_dynamic_header(e2_header());
  const DynamicHeader back = decode_dynamic_header(ByteView(bytes, "t.vhd", "dynamic header", 0x200));
  EXPECT_EQ(back.checksum, 0xFFFFD951u);
  EXPECT_EQ(back.table_offset, 0x2000u);
  EXPECT_EQ(back.max_table_entries, 2u);
  EXPECT_EQ(back.block_size, 0x200000u);
  EXPECT_EQ(back.parent_unique_id, e2_header().parent_unique_id);
  EXPECT_EQ(back.parent_name.utf8, "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
  EXPECT_EQ(back.locators[1].platform_code, kPlatformW2ru);
  EXPECT_EQ(back.locators[1].data_space, 65536u);
  EXPECT_EQ(back.locators[1].data_length, 32u);
  EXPECT_EQ(back.locators[1].data_offset, 0x3000u);
  EXPECT_TRUE(back.locators[2].empty());
}

TEST(VhdEncode, ParentNameTooLongIsRefused) {
  DynamicHeader h = e2_header();
  h.parent_name.utf8 = std::string(257, 'a');
  EXPECT_THROW(encode_dynamic_header(h), Error);
  h.parent_name.utf8 = std::string(256, 'a');
  const auto bytes = encode_dynamic_header(h);
  EXPECT_EQ(bytes[64 + 511], 'a');
}

TEST(VhdEncode, ChsGeometryFollowsTheSpecAlgorithm) {
  auto chs = [](uint64_t size) {
    const Geometry g = chs_geometry_for(size);
    return std::to_string(g.cylinders) + "/" + std::to_string(g.heads) + "/" + std::to_string(g.sectors_per_track);
  };
  EXPECT_EQ(chs(4ull << 20), "120/4/17");   // formats.md E1, Hyper-V
  EXPECT_EQ(chs(64ull << 20), "963/8/17");  // 131072 sectors: 7710 cth, 8 heads
  EXPECT_EQ(chs(1ull << 30), "2080/16/63");  // 2097152 sectors: 31 spt overflows, 63 spt
  EXPECT_EQ(chs(127ull << 30), "65278/16/255");  // past 65535*16*63 sectors: 255 spt
  EXPECT_EQ(chs(2040ull << 30), "65535/16/255");
}

}  // namespace
}  // namespace vhdchain::vhd
