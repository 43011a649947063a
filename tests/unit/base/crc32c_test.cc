#include "base/crc32c.h"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace vhdchain {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Vectors from RFC 3720 and docs/formats.md section 1.
TEST(Crc32c, CheckValue) { EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u); }

TEST(Crc32c, Rfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xFF);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
}

TEST(Crc32c, LargeZeroBuffers) {
  EXPECT_EQ(crc32c(std::vector<uint8_t>(4096, 0)), 0x98F94189u);
  EXPECT_EQ(crc32c(std::vector<uint8_t>(65536, 0)), 0x72C0C4A4u);
}

TEST(Crc32c, IncrementalEqualsWhole) {
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
  uint32_t s = crc32c_begin();
  s = crc32c_update(s, std::span(data).subspan(0, 13));
  s = crc32c_update(s, std::span(data).subspan(13));
  EXPECT_EQ(crc32c_end(s), crc32c(data));
}

TEST(Crc32c, ZeroedFieldEqualsCrcOfCopyWithZeroedField) {
  std::vector<uint8_t> data(64, 0xAB);
  std::vector<uint8_t> zeroed = data;
  for (int i = 4; i < 8; ++i) zeroed[i] = 0;
  EXPECT_EQ(crc32c_with_zeroed_field(data, 4), crc32c(zeroed));
}

}  // namespace
}  // namespace vhdchain
