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

namespace vhdchain {
namespace {

// The hardware path (SSE4.2, when the CPU has it) and the table path agree on every length and
// alignment, including the 1..7-byte tails the 8-byte loop leaves.
TEST(Crc32c, HardwareAndTableAgree) {
  std::vector<uint8_t> bytes(4096 + 16);
  uint32_t x = 12345;
  for (uint8_t& b : bytes) b = uint8_t((x = x * 1103515245u + 12345u) >> 16);
  for (size_t offset : {0, 1, 3, 7})
    for (size_t length : {0, 1, 7, 8, 9, 63, 64, 65, 4095, 4096}) {
      std::span<const uint8_t> s(bytes.data() + offset, length);
      EXPECT_EQ(crc32c_update(0xFFFFFFFFu, s), crc32c_update_portable(0xFFFFFFFFu, s)) << offset << "+" << length;
    }
}

}  // namespace
}  // namespace vhdchain
