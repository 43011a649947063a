// Self-tests of the expected-content model, the data pattern and SHA-256.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/content_model.h"
#include "support/data_pattern.h"
#include "support/image_builder.h"
#include "support/sha256.h"

namespace vhdchain::test {
namespace {

std::vector<uint8_t> pattern(uint64_t seed, uint64_t offset, size_t n) {
  std::vector<uint8_t> v(n);
  fill_pattern(seed, offset, v);
  return v;
}

bool is_zero(std::span<const uint8_t> v) {
  return std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; });
}

TEST(DataPattern, DeterministicTaggedAndAlignmentFree) {
  auto a = pattern(7, 1024, 4096);
  EXPECT_EQ(a, pattern(7, 1024, 4096));
  EXPECT_NE(a, pattern(8, 1024, 4096));
  EXPECT_EQ(a[0], 'v');
  EXPECT_EQ(a[4], 2);  // unit 2
  auto part = pattern(7, 1024 + 100, 1000);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), a.begin() + 100));
  for (size_t i = 0; i < a.size(); i += 512) EXPECT_FALSE(is_zero(std::span(a).subspan(i, 512)));
}

// FIPS 180-2 appendix B test vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string abc = "abc";
  EXPECT_EQ(sha256_hex({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256_hex({reinterpret_cast<const uint8_t*>(two.data()), two.size()}),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 h;
  std::vector<uint8_t> a(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(a);
  EXPECT_EQ(h.finish_hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// A 3-level VHDX chain: every spec read rule of MS-VHDX 2.5.1.1 in one place.
TEST(ContentModel, VhdxChainFollowsBlockStates) {
  ImageSpec base;
  base.virtual_size = 16 * kMiB;
  base.seed = 10;
  for (uint64_t b = 0; b < 8; ++b) base.blocks[b] = BlockSpec::full();
  ImageSpec child = base;
  child.type = DiskType::differencing;
  child.seed = 20;
  child.blocks.clear();
  child.blocks[1] = BlockSpec::with_state(BlockState::zero);
  child.blocks[2] = BlockSpec::with_state(BlockState::unmapped);
  child.blocks[3] = BlockSpec::partial({{0, 1}, {8, 8}});
  child.blocks[4] = BlockSpec::full();
  std::vector<ImageSpec> chain = {base, child};
  auto got = expected_content(chain, 1);
  const uint64_t bs = 2 * kMiB;
  auto block = [&](uint64_t b) { return std::span<const uint8_t>(got).subspan(b * bs, bs); };
  EXPECT_TRUE(std::ranges::equal(block(0), pattern(10, 0, bs)));       // NOT_PRESENT: parent
  EXPECT_TRUE(is_zero(block(1)));                                       // ZERO: zeros even in a child
  EXPECT_TRUE(is_zero(block(2)));                                       // UNMAPPED: zeros
  EXPECT_TRUE(std::ranges::equal(block(4), pattern(20, 4 * bs, bs)));  // FULLY_PRESENT: child
  auto b3 = block(3);
  EXPECT_TRUE(std::ranges::equal(b3.subspan(0, 512), pattern(20, 3 * bs, 512)));
  EXPECT_TRUE(std::ranges::equal(b3.subspan(512, 7 * 512), pattern(10, 3 * bs + 512, 7 * 512)));
  EXPECT_TRUE(std::ranges::equal(b3.subspan(8 * 512, 8 * 512), pattern(20, 3 * bs + 8 * 512, 8 * 512)));
  EXPECT_TRUE(std::ranges::equal(b3.subspan(16 * 512), pattern(10, 3 * bs + 16 * 512, bs - 16 * 512)));

  // libvhdi's documented behaviour: ZERO/UNMAPPED in a child show the parent.
  ReaderQuirks q;
  q.vhdx_child_state_ignored = true;
  auto buggy = expected_content(chain, 1, q);
  EXPECT_TRUE(std::ranges::equal(std::span<const uint8_t>(buggy).subspan(bs, bs), pattern(10, bs, bs)));
}

TEST(ContentModel, VhdxLogicalSectorsOf4096) {
  ImageSpec base;
  base.virtual_size = 8 * kMiB;
  base.vhdx.logical_sector_size = 4096;
  base.blocks[0] = BlockSpec::full(1);
  ImageSpec child = base;
  child.type = DiskType::differencing;
  child.blocks = {{0, BlockSpec::partial({{1, 1}}, 2)}};
  std::vector<ImageSpec> chain = {base, child};
  std::vector<uint8_t> got(3 * 4096);
  read_expected(chain, 1, 0, got);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + 4096), pattern(1, 0, 4096));
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + 4096, got.begin() + 8192), pattern(2, 4096, 4096));
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + 8192, got.end()), pattern(1, 8192, 4096));
}

// VHD: bit 0 reads zeros in a dynamic disk and the parent in a differencing one; and the
// unmasked-bit-test emulation marks only later sectors of the same byte.
TEST(ContentModel, VhdBitmapRulesAndUnmaskedQuirk) {
  ImageSpec base;
  base.format = Format::vhd;
  base.virtual_size = 4 * kMiB;
  base.seed = 1;
  base.blocks[0] = BlockSpec::full();
  ImageSpec child = base;
  child.type = DiskType::differencing;
  child.seed = 2;
  child.blocks = {{0, BlockSpec::partial({{9, 1}})}};
  std::vector<ImageSpec> chain = {base, child};
  std::vector<uint8_t> got(16 * 512);
  read_expected(chain, 1, 0, got);
  for (int s = 0; s < 16; ++s) {
    auto want = pattern(s == 9 ? 2 : 1, s * 512, 512);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin() + s * 512)) << s;
  }
  ReaderQuirks q;
  q.vhd_unmasked_bitmap = true;
  read_expected(chain, 1, 0, got, q);
  for (int s = 0; s < 16; ++s) {
    std::span<const uint8_t> sector(got.data() + s * 512, 512);
    if (s >= 10 && s < 16)
      EXPECT_TRUE(is_zero(sector)) << s;  // sectors 10-15 share sector 9's byte
    else
      EXPECT_TRUE(std::ranges::equal(sector, pattern(s == 9 ? 2 : 1, s * 512, 512))) << s;
  }
  // Dynamic: absent sectors are zeros.
  std::vector<ImageSpec> alone = {child};
  alone[0].type = DiskType::dynamic;
  read_expected(alone, 0, 0, got);
  EXPECT_TRUE(is_zero(std::span(got).subspan(0, 9 * 512)));
}

TEST(ContentModel, DigestStreamsAndSegments) {
  ImageSpec spec;
  spec.virtual_size = 5 * kMiB;
  spec.block_size = kMiB;
  spec.blocks[2] = BlockSpec::full();
  std::vector<ImageSpec> chain = {spec};
  ContentDigest d = expected_digest(chain, 0, kMiB);
  EXPECT_EQ(d.sha256, sha256_hex(expected_content(chain, 0)));
  ASSERT_EQ(d.segment_sha256.size(), 5u);
  EXPECT_EQ(d.segment_sha256[0], d.segment_sha256[1]);
  EXPECT_NE(d.segment_sha256[0], d.segment_sha256[2]);
}

TEST(BuildChain, LinksChildrenHyperVStyle) {
  ChainSpec cs;
  ImageSpec base;
  base.seed = 1;
  ImageSpec child;
  child.virtual_size = 0;
  child.seed = 2;
  cs.layers = {{base, "base.vhdx"}, {child, "base_1.avhdx"}};
  BuiltChain c = build_chain(cs);
  const ImageSpec& s = c.layers[1].spec;
  EXPECT_EQ(s.type, DiskType::differencing);
  EXPECT_EQ(s.virtual_size, base.virtual_size);
  EXPECT_EQ(*s.vhdx.virtual_disk_id, *c.layers[0].spec.vhdx.virtual_disk_id);
  ASSERT_EQ(s.vhdx.parent_locator.size(), 5u);
  EXPECT_EQ(s.vhdx.parent_locator[0].key, "parent_linkage");
  EXPECT_EQ(s.vhdx.parent_locator[0].value, c.layers[0].spec.vhdx.data_write_guid->to_braced_string());
  EXPECT_EQ(s.vhdx.parent_locator[2].value, ".\\base.vhdx");
  EXPECT_EQ(s.vhdx.parent_locator[4].value, "{00000000-0000-0000-0000-000000000000}");

  ChainSpec vs;
  ImageSpec vbase;
  vbase.format = Format::vhd;
  ImageSpec vchild = vbase;
  vchild.virtual_size = 0;
  vchild.seed = 3;
  vs.layers = {{vbase, "disk.vhd"}, {vchild, "disk_1.avhd"}};
  BuiltChain v = build_chain(vs);
  EXPECT_EQ(v.layers[1].spec.vhd.parent_unique_id, *v.layers[0].spec.vhd.unique_id);
  EXPECT_EQ(v.layers[1].spec.vhd.locators.size(), 2u);
}

}  // namespace
}  // namespace vhdchain::test
