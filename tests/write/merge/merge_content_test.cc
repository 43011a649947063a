// The merged target reads exactly as the chain did before the merge: synthetic chains of 2 to 4
// levels, 512 and 4096-byte sectors, partial blocks, ZERO and UNMAPPED blocks in children, into the
// parent or into the base, dynamic and differencing targets. libvhdi reads the result the same.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "support/testdata.h"
#include "vhdchain/merge.h"
#include "write/vhdx/libvhdi_reader.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

struct Case {
  const char* name;
  uint32_t sector;
  int levels;       // disks in the chain, base included
  int into;         // index of the target counted from the leaf (1: the leaf's parent)
};

ImageSpec layer_spec(int level, uint32_t sector) {
  ImageSpec s;
  s.format = Format::vhdx;
  s.virtual_size = level == 0 ? 24 * kMiB : 0;
  s.block_size = 2 * kMiB;
  s.seed = 10 + level;
  s.vhdx.logical_sector_size = sector;
  s.vhdx.sector_bitmap_for_every_chunk = level > 0;  // as Hyper-V (and libvhdi needs it)
  if (level == 0) {
    s.blocks[0] = BlockSpec::full();
    s.blocks[1] = BlockSpec::full();
    s.blocks[3] = BlockSpec::full();
    s.blocks[7] = BlockSpec::full();
    return s;
  }
  const uint64_t per_block = s.block_size / sector;
  s.blocks[static_cast<uint64_t>(level)] = BlockSpec::full();                          // over base data
  s.blocks[3] = BlockSpec::partial({{uint64_t(level), 3}, {per_block - 2, 2}});       // partial over data
  s.blocks[4 + static_cast<uint64_t>(level)] = BlockSpec::partial({{0, 1}, {17, 5}}); // partial over nothing
  s.blocks[7] = BlockSpec::with_state(level % 2 ? BlockState::zero : BlockState::unmapped);  // hides base data
  return s;
}

class MergeContent : public ::testing::TestWithParam<Case> {};

TEST_P(MergeContent, TargetReadsAsTheChainDid) {
  const Case& c = GetParam();
  TempDir t;
  ChainSpec spec;
  for (int level = 0; level < c.levels; ++level)
    spec.layers.push_back({layer_spec(level, c.sector), level == 0 ? "base.vhdx" : "base_" + std::to_string(level) + ".avhdx"});
  build_chain(spec).write(t.path());
  const std::string leaf = path_of(t / ("base_" + std::to_string(c.levels - 1) + ".avhdx"));
  const int target_level = c.levels - 1 - c.into;
  const std::string target = path_of(t / (target_level == 0 ? "base.vhdx" : "base_" + std::to_string(target_level) + ".avhdx"));
  const std::string before = chain_sha256(leaf);

  MergeOptions o;
  o.child = leaf;
  if (c.into != 1) o.into = target;
  const MergePlan plan = plan_merge(o);
  EXPECT_EQ(plan.target, target);
  EXPECT_EQ(plan.sources.size(), static_cast<size_t>(c.into));
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_GT(plan.blocks_touched, 0u);
  run_merge(o, plan);
  EXPECT_EQ(chain_sha256(target), before);
  // Run again: an idempotent no-op in content.
  const MergePlan again = plan_merge(o);
  run_merge(o, again);
  EXPECT_EQ(chain_sha256(target), before);

  std::vector<std::string> chain;
  for (int level = 0; level <= target_level; ++level)
    chain.push_back(path_of(t / (level == 0 ? "base.vhdx" : "base_" + std::to_string(level) + ".avhdx")));
  const std::optional<std::string> lib = libvhdi_sha256(chain);
  if (!lib) {
    if (independent_readers_required()) FAIL() << "pyvhdi (python3-libvhdi) is missing";
    GTEST_SKIP() << "pyvhdi not installed: libvhdi cross-check skipped";
  }
  EXPECT_EQ(*lib, before);
}

INSTANTIATE_TEST_SUITE_P(Chains, MergeContent,
                         ::testing::Values(Case{"two_levels_512", 512, 2, 1}, Case{"two_levels_4096", 4096, 2, 1},
                                           Case{"three_levels_into_parent", 512, 3, 1},
                                           Case{"three_levels_into_base", 512, 3, 2},
                                           Case{"four_levels_into_base_4096", 4096, 4, 3},
                                           Case{"four_levels_into_middle", 512, 4, 2}),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace vhdchain::test
