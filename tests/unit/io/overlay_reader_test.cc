#include "io/overlay_reader.h"

#include <gtest/gtest.h>

#include "vhdchain/error.h"
#include "vhdchain/memory_reader.h"

namespace vhdchain {
namespace {

std::shared_ptr<const Reader> base_of(size_t n, uint8_t fill) {
  return std::make_shared<MemoryReader>(std::vector<uint8_t>(n, fill), "base.vhdx");
}

std::vector<uint8_t> read_all(const Reader& r) {
  std::vector<uint8_t> out(r.size());
  r.read_at(0, out);
  return out;
}

TEST(OverlayReader, PatchesOverrideBaseAndLaterPatchesWin) {
  OverlayReader o(base_of(16, 0xAA));
  std::vector<uint8_t> p1(8, 0x11), p2(4, 0x22);
  o.write(2, p1);      // bytes 2..9 = 0x11
  o.write(6, p2);      // bytes 6..9 = 0x22
  o.write_zeros(3, 2); // bytes 3..4 = 0
  std::vector<uint8_t> want = {0xAA, 0xAA, 0x11, 0, 0, 0x11, 0x22, 0x22, 0x22, 0x22, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA};
  EXPECT_EQ(read_all(o), want);
  EXPECT_EQ(o.patch_count(), 4u);  // [2,3) 0x11, [3,5) zeros, [5,6) 0x11, [6,10) 0x22
}

TEST(OverlayReader, PatchCoveringSeveralOthersReplacesThem) {
  OverlayReader o(base_of(8, 0));
  o.write(0, std::vector<uint8_t>(2, 1));
  o.write(4, std::vector<uint8_t>(2, 2));
  o.write(1, std::vector<uint8_t>(6, 3));
  EXPECT_EQ(read_all(o), (std::vector<uint8_t>{1, 3, 3, 3, 3, 3, 3, 0}));
}

TEST(OverlayReader, ExtendsPastBaseWithZeros) {
  OverlayReader o(base_of(4, 0xFF));
  o.extend_to(8);
  o.write(6, std::vector<uint8_t>{7});
  EXPECT_EQ(read_all(o), (std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 7, 0}));
}

TEST(OverlayReader, ReadPastEndThrows) {
  OverlayReader o(base_of(4, 0));
  std::vector<uint8_t> buf(2);
  EXPECT_THROW(o.read_at(3, buf), Error);
}

}  // namespace
}  // namespace vhdchain
