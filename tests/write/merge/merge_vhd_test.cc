// VHD merges (docs/merge.md, "VHD"): synthetic VHD chains of 2 to 5 levels with partial blocks
// (sector bitmaps), merged into the parent, the base (dynamic or fixed) and a middle disk. The target
// reads SHA-256-equal to the chain before; libvhdi agrees, and qemu-img when the target is fixed or
// dynamic (it reads a differencing VHD without its parent, docs/peers.md section 5). The plan's
// figures are exact for one chain.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "vhdchain/merge.h"
#include "write/create/external_tool.h"
#include "write/vhdx/libvhdi_reader.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kSectors = 2 * kMiB / 512;  // per 2 MiB block

struct Case {
  const char* name;
  int levels;          // disks in the chain, base included
  int into;            // the target counted from the leaf (1: the leaf's parent)
  DiskType base_type;  // dynamic or fixed
  // Partial ranges in whole bitmap bytes (8 sectors): libvhdi misreads a differencing VHD's
  // bitmap bits that share a byte with other bits (docs/peers.md section 5), so a differencing
  // target it reads must have only whole bytes. Dynamic and fixed targets get single sectors.
  bool whole_bitmap_bytes;
};

std::string name_of(int level) { return level == 0 ? "base.vhd" : "base_" + std::to_string(level) + ".vhd"; }

ImageSpec vhd_layer(int level, const Case& c) {
  ImageSpec s;
  s.format = Format::vhd;
  s.type = level == 0 ? c.base_type : DiskType::differencing;
  s.virtual_size = level == 0 ? 24 * kMiB + 3 * 512 : 0;  // a last block of 3 sectors
  s.block_size = 2 * kMiB;
  s.seed = 20 + level;
  if (level == 0) {
    for (uint64_t b : {0, 1, 3, 7}) s.blocks[b] = BlockSpec::full();
    // A held block with clear bits, which the merge must set (a fixed disk has no bitmaps).
    if (c.base_type == DiskType::dynamic) s.blocks[5] = BlockSpec::partial({{40, 16}});
    return s;
  }
  const uint64_t l = static_cast<uint64_t>(level);
  const uint64_t unit = c.whole_bitmap_bytes ? 8 : 1;
  s.blocks[l] = BlockSpec::full();                                                        // over base data
  s.blocks[3] = BlockSpec::partial({{8 * l, 3 * unit}, {kSectors - 2 * unit, 2 * unit}}); // partial over data
  s.blocks[4 + l] = BlockSpec::partial({{0, unit}, {16 + 8 * l, 5 * unit}});              // partial over nothing
  s.blocks[12] = BlockSpec::partial({{0, 3}});                                            // the short last block
  return s;
}

struct Chain {
  TempDir t;
  std::vector<std::string> paths;  // base first
  explicit Chain(const Case& c) {
    ChainSpec spec;
    for (int level = 0; level < c.levels; ++level) spec.layers.push_back({vhd_layer(level, c), name_of(level)});
    build_chain(spec).write(t.path());
    for (int level = 0; level < c.levels; ++level) paths.push_back(path_of(t / name_of(level)));
  }
};

std::string file_sha256(const std::string& path) {
  const std::vector<uint8_t> bytes = [&] {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
  }();
  return sha256_hex(bytes);
}

class MergeVhd : public ::testing::TestWithParam<Case> {};

TEST_P(MergeVhd, TargetReadsAsTheChainDid) {
  const Case& c = GetParam();
  Chain chain(c);
  const std::string leaf = chain.paths.back();
  const int target_level = c.levels - 1 - c.into;
  const std::string target = chain.paths[static_cast<size_t>(target_level)];
  const std::string before = chain_sha256(leaf);
  const Guid target_id = open_image_file(target)->identity();

  MergeOptions o;
  o.child = leaf;
  if (c.into != 1) o.into = target;
  const MergePlan plan = plan_merge(o);
  EXPECT_EQ(plan.format, DiskFormat::vhd);
  EXPECT_EQ(plan.target, target);
  EXPECT_EQ(plan.sources.size(), static_cast<size_t>(c.into));
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_FALSE(plan.resuming);
  EXPECT_GT(plan.blocks_touched, 0u);
  const uint64_t size_before = fs::file_size(target);
  run_merge(o, plan);
  EXPECT_EQ(chain_sha256(target), before);
  EXPECT_EQ(fs::file_size(target), size_before + plan.new_space_bytes);
  // The target keeps its identity: the disks above it still link to it.
  EXPECT_EQ(open_image_file(target)->identity(), target_id);
  EXPECT_EQ(open_chain(chain.paths[static_cast<size_t>(target_level) + 1]).layers().size(),
            static_cast<size_t>(target_level) + 2);
  EXPECT_FALSE(fs::exists(target + ".vhdchain-merge"));
  EXPECT_FALSE(fs::exists(target + ".vhdchain-journal"));

  // Run again: the target now holds every block, nothing grows, the content stays.
  const MergePlan again = plan_merge(o);
  EXPECT_EQ(again.blocks_allocated, 0u);
  EXPECT_EQ(again.new_space_bytes, 0u);
  run_merge(o, again);
  EXPECT_EQ(chain_sha256(target), before);
  EXPECT_EQ(fs::file_size(target), size_before + plan.new_space_bytes);

  const std::vector<std::string> to_target(chain.paths.begin(), chain.paths.begin() + target_level + 1);
  const std::optional<std::string> lib = libvhdi_sha256(to_target);
  if (!lib) {
    if (independent_readers_required()) FAIL() << "pyvhdi (python3-libvhdi) is missing";
    GTEST_SKIP() << "pyvhdi not installed: libvhdi cross-check skipped";
  }
  EXPECT_EQ(*lib, before);

  if (target_level != 0) return;  // qemu-img reads a differencing VHD without its parent
  VHDCHAIN_REQUIRE_TOOL("/usr/bin/qemu-img");
  const std::string raw = path_of(chain.t / "target.raw");
  const ToolRun convert = run_tool({"/usr/bin/qemu-img", "convert", "-f", "vpc", "-O", "raw", target, raw});
  ASSERT_EQ(convert.exit_code, 0) << convert.err;
  EXPECT_EQ(fs::file_size(raw), plan.virtual_size);
  EXPECT_EQ(file_sha256(raw), before);
}

INSTANTIATE_TEST_SUITE_P(
    Chains, MergeVhd,
    ::testing::Values(Case{"two_levels_into_dynamic_base", 2, 1, DiskType::dynamic, false},
                      Case{"two_levels_into_fixed_base", 2, 1, DiskType::fixed, false},
                      Case{"three_levels_into_parent", 3, 1, DiskType::dynamic, true},
                      Case{"three_levels_into_dynamic_base", 3, 2, DiskType::dynamic, false},
                      Case{"four_levels_into_fixed_base", 4, 3, DiskType::fixed, false},
                      Case{"four_levels_into_middle", 4, 2, DiskType::dynamic, true},
                      Case{"five_levels_into_base", 5, 4, DiskType::dynamic, false},
                      Case{"five_levels_into_middle", 5, 3, DiskType::fixed, true}),
    [](const auto& p) { return std::string(p.param.name); });

// Exact figures for the 3-level chain (whole bitmap bytes) into its dynamic base, which holds
// blocks 0, 1, 3 and 7 fully and sectors 40..55 of block 5.
TEST(MergeVhdPlan, FiguresAreExact) {
  const Case c{"plan", 3, 2, DiskType::dynamic, true};
  Chain chain(c);
  MergeOptions o;
  o.child = chain.paths[2];
  o.into = chain.paths[0];
  const MergePlan plan = plan_merge(o);
  ASSERT_EQ(plan.sources.size(), 2u);
  EXPECT_EQ(plan.sources[0].path, chain.paths[2]);
  EXPECT_EQ(plan.sources[1].path, chain.paths[1]);
  EXPECT_EQ(plan.target_type, vhdchain::DiskType::dynamic);
  EXPECT_EQ(plan.virtual_size, 24 * kMiB + 3 * 512);
  // Touched: 1 (level 1 full), 2 (level 2 full), 3 (both partial), 5 (level 1), 6 (level 2), 12.
  EXPECT_EQ(plan.blocks_touched, 6u);
  // 2, 6 and 12 are new, each a 512-byte bitmap and 2 MiB of data.
  EXPECT_EQ(plan.blocks_allocated, 3u);
  EXPECT_EQ(plan.new_space_bytes, 3 * (512 + 2 * kMiB));
  // Leaf (level 2): block 2 full, block 3 sectors 16..39 and 4080..4095, block 6 sectors 0..7
  // and 32..71, block 12 sectors 0..2.
  EXPECT_EQ(plan.sources[0].bytes, 2 * kMiB + (24 + 16 + 8 + 40 + 3) * 512u);
  // Middle (level 1): block 1 full, block 3 sectors 8..15 (its 16..39 and 4080..4095 are the
  // leaf's), block 5 sectors 0..7 and 24..63; block 12 is the leaf's.
  EXPECT_EQ(plan.sources[1].bytes, 2 * kMiB + (8 + 8 + 40) * 512u);
  // Of those, the base holds data in blocks 1 and 3 (full) and in sectors 40..55 of block 5.
  EXPECT_EQ(plan.sources[0].overwrites_target_bytes, (24 + 16) * 512u);
  EXPECT_EQ(plan.sources[1].overwrites_target_bytes, 2 * kMiB + (8 + 16) * 512u);
  // Held blocks 1, 3 and 5: what the sources define; new blocks 2 and 6: 2 MiB each; 12: 3 sectors.
  EXPECT_EQ(plan.bytes_to_copy, 2 * kMiB + (24 + 16 + 8) * 512u + 48 * 512u + 2 * 2 * kMiB + 3 * 512u);
  EXPECT_FALSE(plan.resuming);
}

}  // namespace
}  // namespace vhdchain::test
