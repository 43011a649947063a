#include "vhdchain/guid.h"

#include <gtest/gtest.h>

namespace vhdchain {
namespace {

// docs/formats.md 2.1 / E4: the BAT region GUID and its on-disk byte form.
TEST(Guid, MixedEndianTextForm) {
  Guid g{{0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42, 0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08}};
  EXPECT_EQ(g.to_string(), "2dc27766-f623-4200-9d64-115e9bfd4a08");
  EXPECT_EQ(g.to_braced_string(), "{2dc27766-f623-4200-9d64-115e9bfd4a08}");
}

TEST(Guid, ParseIsCaseInsensitiveWithOrWithoutBraces) {
  auto a = Guid::parse("{F88D4D92-6FCC-408D-9BEF-9B7C89F15C89}");
  auto b = Guid::parse("f88d4d92-6fcc-408d-9bef-9b7c89f15c89");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  // E3: the parent's DataWriteGuid bytes as stored in its header.
  Guid stored{{0x92, 0x4d, 0x8d, 0xf8, 0xcc, 0x6f, 0x8d, 0x40, 0x9b, 0xef, 0x9b, 0x7c, 0x89, 0xf1, 0x5c, 0x89}};
  EXPECT_EQ(*a, stored);
}

TEST(Guid, ParseRejectsMalformed) {
  EXPECT_FALSE(Guid::parse(""));
  EXPECT_FALSE(Guid::parse("{f88d4d92-6fcc-408d-9bef-9b7c89f15c89"));
  EXPECT_FALSE(Guid::parse("f88d4d92x6fcc-408d-9bef-9b7c89f15c89"));
  EXPECT_FALSE(Guid::parse("g88d4d92-6fcc-408d-9bef-9b7c89f15c89"));
}

TEST(Guid, RandomIsVersion4AndDistinct) {
  Guid a = Guid::random(), b = Guid::random();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.to_string()[14], '4');
  EXPECT_FALSE(a.is_zero());
  EXPECT_TRUE(Guid{}.is_zero());
}

}  // namespace
}  // namespace vhdchain
