// Parent locator items (MS-VHDX 2.6.2.6), including the five keys Hyper-V writes.
#include "vhdx/parent_locator.h"

#include <gtest/gtest.h>

#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;

constexpr uint64_t kItemOffset = 0x310028;

ByteView item_view(const Bytes& b) { return ByteView(b, "t.avhdx", "parent locator", kItemOffset); }

std::string error_of(const Bytes& b) {
  try {
    decode_parent_locator(item_view(b));
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}

const std::vector<std::pair<std::string, std::string>> kHyperV = {
    {"parent_linkage", "{ff34003b-11ed-4cf8-a166-b2be05e20b80}"},
    {"absolute_win32_path", "C:\\VMs\\Generation 1_49C4BAF3.avhdx"},
    {"relative_path", ".\\Generation 1_49C4BAF3.avhdx"},
    {"volume_path", "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\VMs\\Generation 1_49C4BAF3.avhdx"},
    {"parent_linkage2", "{00000000-0000-0000-0000-000000000000}"},
};

TEST(VhdxParentLocator, HyperVFiveKeys) {
  Bytes b = test::make_locator(kHyperV);
  // First key right after the 20-byte header and 5 entries (80), as Hyper-V writes it.
  EXPECT_EQ(b[20], 80);
  DecodedParentLocator d = decode_parent_locator(item_view(b));
  const ParentLink& l = d.link;
  EXPECT_EQ(l.linkage.to_string(), "ff34003b-11ed-4cf8-a166-b2be05e20b80");
  ASSERT_TRUE(l.linkage2.has_value());
  EXPECT_TRUE(l.linkage2->is_zero());
  ASSERT_EQ(l.locators.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(l.locators[i].key, kHyperV[i].first);
    EXPECT_EQ(l.locators[i].value, kHyperV[i].second);
    EXPECT_TRUE(l.locators[i].value_valid);
  }
  EXPECT_TRUE(d.notes.empty());
  EXPECT_TRUE(l.accepts(l.linkage));
  EXPECT_FALSE(l.accepts(Guid{}));  // a zero linkage2 accepts nothing
  EXPECT_TRUE(l.name.empty());
}

TEST(VhdxParentLocator, LinkageTextForms) {
  Bytes b = test::make_locator({{"parent_linkage", "FF34003B-11ED-4CF8-A166-B2BE05E20B80"},
                                {"parent_linkage2", "{0A0B0C0D-0000-0000-0000-000000000001}"},
                                {"absolute_win32_path", "\\\\?\\C:\\p.vhdx"}});
  DecodedParentLocator d = decode_parent_locator(item_view(b));
  EXPECT_EQ(d.link.linkage.to_string(), "ff34003b-11ed-4cf8-a166-b2be05e20b80");
  EXPECT_EQ(d.link.linkage2->to_string(), "0a0b0c0d-0000-0000-0000-000000000001");
  EXPECT_TRUE(d.link.accepts(*d.link.linkage2));
  EXPECT_EQ(d.link.locators[2].value, "\\\\?\\C:\\p.vhdx");
}

TEST(VhdxParentLocator, NoPathKeyIsNoted) {
  DecodedParentLocator d =
      decode_parent_locator(item_view(test::make_locator({{"parent_linkage", "{ff34003b-11ed-4cf8-a166-b2be05e20b80}"}})));
  EXPECT_FALSE(d.link.linkage2.has_value());
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].code, "vhdx.parent_locator_no_path");
  EXPECT_EQ(d.notes[0].message,
            "parent locator @0x310028: none of relative_path, volume_path, absolute_win32_path is present, so the "
            "parent can only be found by other means");
}

TEST(VhdxParentLocator, Errors) {
  Bytes b = test::make_locator(kHyperV);
  test::put16(b, 20 + 12 * 2 + 10, 7);  // relative_path's value length
  EXPECT_EQ(error_of(b), "t.avhdx: parent locator entry 2 @0x310054: value length 7 is odd (UTF-16LE needs whole code units)");

  b = test::make_locator(kHyperV);
  test::put16(b, 20 + 8, 27);
  EXPECT_EQ(error_of(b), "t.avhdx: parent locator entry 0 @0x31003c: key length 27 is odd (UTF-16LE needs whole code units)");

  b = test::make_locator(kHyperV);
  test::put32(b, 20 + 12 * 4 + 4, static_cast<uint32_t>(b.size()) - 10);  // parent_linkage2 value runs past the end
  EXPECT_EQ(error_of(b), fmt::format("t.avhdx: parent locator entry 4 @0x31006c: value {:#x}+0x4c lies outside the "
                                     "{:#x}-byte locator",
                                     b.size() - 10, b.size()));

  b = test::make_locator({{"parent_linkage", "{ff34003b-11ed-4cf8-a166-b2be05e20b8}"}, {"relative_path", "a"}});
  EXPECT_EQ(error_of(b),
            "t.avhdx: parent locator entry 0 @0x31003c: parent_linkage value \"{ff34003b-11ed-4cf8-a166-b2be05e20b8}\" "
            "is not a GUID");

  b = test::make_locator({{"relative_path", "a"}, {"volume_path", "b"}});
  EXPECT_EQ(error_of(b), "t.avhdx: parent locator @0x310028: the parent_linkage key is missing");

  b = test::make_locator({{"relative_path", "a"}, {"relative_path", "b"}});
  EXPECT_EQ(error_of(b), "t.avhdx: parent locator entry 1 @0x310048: key \"relative_path\" also appears in entry 0");

  b = test::make_locator(kHyperV);
  test::put16(b, 18, 200);
  EXPECT_EQ(error_of(b), fmt::format("t.avhdx: parent locator @0x310028: key value count 200 does not fit in the "
                                     "{}-byte item",
                                     b.size()));

  b = test::make_locator(kHyperV);
  b[0] ^= 1;
  try {
    decode_parent_locator(item_view(b));
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_STREQ(e.what(),
                 "t.avhdx: parent locator @0x310028: locator type b04aefb6-d19e-4a81-b789-25b8e9445913 is not the VHDX "
                 "parent locator type b04aefb7-d19e-4a81-b789-25b8e9445913");
  }
}

TEST(VhdxParentLocator, MalformedValueIsKeptAndFlagged) {
  Bytes b = test::make_locator({{"parent_linkage", "{ff34003b-11ed-4cf8-a166-b2be05e20b80}"}, {"relative_path", "ab"}});
  // Replace "ab" by an unpaired high surrogate followed by 'b'.
  const size_t value_at = b[20 + 12 + 4];
  b[value_at] = 0x00;
  b[value_at + 1] = 0xD8;
  DecodedParentLocator d = decode_parent_locator(item_view(b));
  EXPECT_FALSE(d.link.locators[1].value_valid);
  EXPECT_EQ(d.link.locators[1].value, "\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace vhdchain::vhdx
