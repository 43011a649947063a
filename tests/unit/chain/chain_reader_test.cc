// ChainReader over fake layers: fall-through, zero vs parent vs data, coalescing, extents, bounds.
#include <gtest/gtest.h>

#include <random>

#include "unit/chain/fake_image.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace vhdchain {
namespace {

using test::fake;
using test::FakeImage;
using test::FakeSpec;
using test::kSector;

// What the chain must read, computed the slow way: per sector, the first layer that is not 'P'.
std::vector<uint8_t> expected_disk(const std::vector<FakeSpec>& specs) {
  const uint64_t n = specs.front().sectors.size();
  std::vector<uint8_t> out(n * kSector, 0);
  for (uint64_t s = 0; s < n; ++s)
    for (const FakeSpec& spec : specs) {
      if (spec.sectors[s] == 'P') continue;
      if (spec.sectors[s] == 'D')
        for (uint64_t i = 0; i < kSector; ++i) out[s * kSector + i] = test::pattern_byte(spec.tag, s, i);
      break;
    }
  return out;
}

struct Layers {
  std::vector<FakeSpec> specs;
  std::vector<std::shared_ptr<FakeImage>> images;
  std::unique_ptr<ChainReader> reader;

  explicit Layers(std::vector<FakeSpec> s) : specs(std::move(s)) {
    std::vector<std::shared_ptr<const DiskImage>> layers;
    for (const FakeSpec& spec : specs) {
      images.push_back(fake(spec));
      layers.push_back(images.back());
    }
    reader = std::make_unique<ChainReader>(std::move(layers));
  }
  int data_reads() const {
    int n = 0;
    for (const auto& i : images) n += i->data_reads();
    return n;
  }
};

std::vector<uint8_t> read(const Reader& r, uint64_t offset, uint64_t length) {
  std::vector<uint8_t> out(length, 0xEE);
  r.read_at(offset, out);
  return out;
}

FakeSpec layer(std::string name, std::string sectors, uint8_t tag, bool reverse = false) {
  FakeSpec s;
  s.name = std::move(name);
  s.sectors = std::move(sectors);
  s.tag = tag;
  s.reverse_blocks = reverse;
  return s;
}

// Leaf, middle and base each hold some sectors; 'P' in the leaf and middle falls through, 'Z' in
// any layer stops the walk with zeros even where a lower layer has data.
const std::vector<FakeSpec> kThreeLayers = {
    layer("leaf.avhdx", "PDPZ" "PPPP" "DDPP" "ZZPP" "PPPP", 1),
    layer("mid.avhdx", "DPPP" "PDPZ" "PPDD" "PPDP" "PPPP", 2),
    layer("base.vhdx", "DDDD" "DDDD" "ZZZZ" "DDDD" "ZZDD", 3),
};

TEST(ChainReader, FallsThroughThreeLayers) {
  Layers l(kThreeLayers);
  EXPECT_EQ(l.reader->size(), 20 * kSector);
  EXPECT_EQ(l.reader->name(), "leaf.avhdx");
  EXPECT_EQ(read(*l.reader, 0, l.reader->size()), expected_disk(l.specs));
}

TEST(ChainReader, ZeroInAChildHidesParentData) {
  Layers l(kThreeLayers);
  // Sector 3: leaf 'Z' over base 'D'; sector 7: mid 'Z' under a leaf 'P', over base 'D'.
  EXPECT_EQ(read(*l.reader, 3 * kSector, kSector), std::vector<uint8_t>(kSector, 0));
  EXPECT_EQ(read(*l.reader, 7 * kSector, kSector), std::vector<uint8_t>(kSector, 0));
  // Sector 0: leaf 'P', mid 'D': the middle layer's bytes, not the base's.
  std::vector<uint8_t> got = read(*l.reader, 0, kSector);
  EXPECT_EQ(got[0], test::pattern_byte(2, 0, 0));
  EXPECT_EQ(got[511], test::pattern_byte(2, 0, 511));
}

TEST(ChainReader, UnalignedReadsMatchTheSlowModel) {
  Layers l(kThreeLayers);
  const std::vector<uint8_t> disk = expected_disk(l.specs);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    uint64_t offset = rng() % disk.size();
    uint64_t length = rng() % (disk.size() - offset + 1);
    ASSERT_EQ(read(*l.reader, offset, length),
              std::vector<uint8_t>(disk.begin() + offset, disk.begin() + offset + length))
        << "read of " << length << " @" << offset;
  }
}

TEST(ChainReader, ContiguousDataInOneLayerIsOneRead) {
  // A fixed-like base, allocated in order: 64 sectors over 16 blocks.
  Layers l({layer("leaf.avhdx", std::string(64, 'P'), 1), layer("base.vhdx", std::string(64, 'D'), 2)});
  read(*l.reader, 0, l.reader->size());
  EXPECT_EQ(l.data_reads(), 1);
}

TEST(ChainReader, ScatteredBlocksAreOneReadEach) {
  Layers l({layer("base.vhdx", std::string(64, 'D'), 2, /*reverse=*/true)});
  read(*l.reader, 0, l.reader->size());
  EXPECT_EQ(l.data_reads(), 16);
  EXPECT_EQ(read(*l.reader, 0, l.reader->size()), expected_disk(l.specs));
}

TEST(ChainReader, ZerosNeedNoReadAndDataFromTwoLayersIsNotMerged) {
  Layers l({layer("leaf.avhdx", "DDPP" "ZZZZ" "PPPP", 1), layer("base.vhdx", "DDDD" "ZZZZ" "ZZZZ", 2)});
  read(*l.reader, 0, l.reader->size());
  EXPECT_EQ(l.images[0]->data_reads(), 1);  // leaf sectors 0-1
  EXPECT_EQ(l.images[1]->data_reads(), 1);  // base sectors 2-3 (contiguous with nothing of the leaf's)
  EXPECT_EQ(read(*l.reader, 0, l.reader->size()), expected_disk(l.specs));
}

TEST(ChainReader, EachMapAnswerIsUsedOnce) {
  Layers l({layer("base.vhdx", std::string(64, 'D'), 2)});
  read(*l.reader, 0, l.reader->size());
  EXPECT_EQ(l.images[0]->maps, 16);  // one per block, none repeated for look-ahead
}

TEST(ChainReader, RunsMergeZerosAcrossLayersAndDataWithinALayer) {
  Layers l({layer("leaf.avhdx", "DDDD" "DDPP" "ZZZZ" "PPZZ", 1), layer("base.vhdx", "DDDD" "DDDD" "DDDD" "ZZZZ", 2)});
  ChainRun r = l.reader->run_at(0, UINT64_MAX);
  EXPECT_FALSE(r.zero);
  EXPECT_EQ(r.layer, 0u);
  EXPECT_EQ(r.length, 6 * kSector);  // leaf data across a block boundary, contiguous in its file
  r = l.reader->run_at(6 * kSector, UINT64_MAX);
  EXPECT_EQ(r.layer, 1u);
  EXPECT_EQ(r.file_offset, 6 * kSector);
  EXPECT_EQ(r.length, 2 * kSector);
  r = l.reader->run_at(8 * kSector, UINT64_MAX);
  EXPECT_TRUE(r.zero);
  EXPECT_EQ(r.length, 8 * kSector);  // leaf zeros + base zeros under the leaf's 'P'
  r = l.reader->run_at(kSector + 100, 1000);
  EXPECT_EQ(r.virtual_offset, kSector + 100);
  EXPECT_EQ(r.length, 1000u);
  EXPECT_EQ(r.file_offset, kSector + 100);
}

TEST(ChainReader, ExtentsAreDataOrZeros) {
  Layers l({layer("leaf.avhdx", "DDPP" "PPPP" "ZZZZ" "PPPD", 1), layer("base.vhdx", "DDDD" "DZZZ" "DDDD" "ZZZZ", 2)});
  std::vector<ChainExtent> extents;
  for (uint64_t off = 0; off < l.reader->size();) {
    extents.push_back(l.reader->next_extent(off));
    off += extents.back().length;
  }
  ASSERT_EQ(extents.size(), 3u);
  EXPECT_FALSE(extents[0].zero);  // leaf 0-1 + base 2-4 (two layers, one extent)
  EXPECT_EQ(extents[0].length, 5 * kSector);
  EXPECT_TRUE(extents[1].zero);  // base 5-7, leaf 8-11, base 12-14
  EXPECT_EQ(extents[1].virtual_offset, 5 * kSector);
  EXPECT_EQ(extents[1].length, 10 * kSector);
  EXPECT_FALSE(extents[2].zero);
  EXPECT_EQ(extents[2].length, kSector);
  EXPECT_EQ(l.reader->next_extent(0, 3 * kSector).length, 3 * kSector);  // capped
}

TEST(ChainReader, ReadsPastTheVirtualSizeThrow) {
  Layers l({layer("base.vhdx", "DDDD", 2)});
  std::vector<uint8_t> buf(kSector);
  EXPECT_NO_THROW(l.reader->read_at(3 * kSector, buf));
  EXPECT_NO_THROW(l.reader->read_at(4 * kSector, std::span<uint8_t>()));
  try {
    l.reader->read_at(3 * kSector + 1, buf);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_STREQ(e.what(), "base.vhdx: read of 512 bytes @0x601 is past the end of the virtual disk (0x800 bytes)");
  }
  EXPECT_THROW(l.reader->read_at(UINT64_MAX, buf), Error);
  EXPECT_THROW(l.reader->next_extent(4 * kSector), Error);
  EXPECT_THROW(l.reader->run_at(0, 0), Error);
}

TEST(ChainReader, LayersOfDifferentSizesAreRejected) {
  std::vector<std::shared_ptr<const DiskImage>> layers = {fake(layer("leaf.avhdx", "PPPP", 1)), fake(layer("base.vhdx", "DDDDDDDD", 2))};
  EXPECT_THROW(ChainReader{layers}, Error);
  EXPECT_THROW(ChainReader(std::vector<std::shared_ptr<const DiskImage>>{}), Error);
}

TEST(ChainReader, ParentRunInTheLastLayerIsAFormatError) {
  Layers l({layer("leaf.avhdx", "DDPP", 1)});
  std::vector<uint8_t> buf(4 * kSector);
  try {
    l.reader->read_at(0, buf);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::format);
    EXPECT_STREQ(e.what(), "leaf.avhdx: virtual offset 0x400 is left to a parent, but the chain has no further layer");
  }
}

// A map() that breaks its contract must not make the reader loop or skip bytes.
class EmptyRunImage final : public DiskImage {
 public:
  EmptyRunImage() : data_(std::vector<uint8_t>(1024), "bad.vhdx") { info_.virtual_size = 1024; }
  const ImageInfo& info() const override { return info_; }
  Extent map(uint64_t offset, uint64_t) const override { return Extent{.virtual_offset = offset, .length = 0}; }
  BlockStats block_stats() const override { return {}; }
  const Reader& data() const override { return data_; }

 private:
  ImageInfo info_;
  MemoryReader data_;
};

TEST(ChainReader, BrokenMapContractIsAnErrorNotALoop) {
  ChainReader r({std::make_shared<EmptyRunImage>()});
  std::vector<uint8_t> buf(16);
  EXPECT_THROW(r.read_at(0, buf), Error);
}

}  // namespace
}  // namespace vhdchain
