#include "base/utf16.h"

#include <gtest/gtest.h>

namespace vhdchain {
namespace {

TEST(Utf16, LittleEndianRoundTrip) {
  std::string text = ".\\Generation 1_49C4.avhdx \xC3\xA9\xF0\x9F\x92\xBE";
  auto bytes = utf8_to_utf16(text, Endian::little);
  EXPECT_EQ(bytes[0], '.');
  EXPECT_EQ(bytes[1], 0);
  auto back = utf16_to_utf8(bytes, Endian::little);
  EXPECT_TRUE(back.valid);
  EXPECT_EQ(back.utf8, text);
}

TEST(Utf16, BigEndianStopsAtNul) {
  const uint8_t name[] = {0x00, 'C', 0x00, ':', 0x00, '\\', 0x00, 0x00, 0x00, 'x'};
  auto r = utf16_to_utf8_until_nul(name, Endian::big);
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.utf8, "C:\\");
}

TEST(Utf16, OddLengthIsInvalid) {
  const uint8_t odd[] = {'a', 0, 'b'};
  auto r = utf16_to_utf8(odd, Endian::little);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.utf8, "a\xEF\xBF\xBD");
}

TEST(Utf16, UnpairedSurrogateIsReplaced) {
  const uint8_t lone[] = {0x00, 0xD8, 'a', 0x00};
  auto r = utf16_to_utf8(lone, Endian::little);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.utf8, "\xEF\xBF\xBD" "a");
}

TEST(Utf16, SanitizeReplacesInvalidUtf8) {
  EXPECT_EQ(sanitize_utf8("ok\xFFok"), "ok\xEF\xBF\xBDok");
  EXPECT_EQ(sanitize_utf8("\xC3\xA9"), "\xC3\xA9");
}

// One decoder for the whole library (hostpath's case folding uses it too). It is strict: a lead
// byte above 0xF4 starts no sequence (the old copy here took 0xF5 0x80 0x80 for U+5000), nor does
// an overlong form or an encoded surrogate; a cut sequence leaves the position where it was.
TEST(Utf16, OneStrictUtf8Decoder) {
  EXPECT_EQ(sanitize_utf8("\xF5\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  size_t i = 0;
  EXPECT_EQ(decode_utf8_at("\xF0\x9F\x98\x80", i), 0x1F600u);
  EXPECT_EQ(i, 4u);
  i = 0;
  EXPECT_FALSE(decode_utf8_at("\xE2\x82", i));
  EXPECT_EQ(i, 0u);
  std::string out;
  append_utf8(out, 0x20AC);
  EXPECT_EQ(out, "\xE2\x82\xAC");
}

}  // namespace
}  // namespace vhdchain
