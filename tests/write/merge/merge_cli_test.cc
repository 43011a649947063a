// vhdchain merge as a process: the plan, refusals, and the merge killed at many points, then rerun.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/kill_sweep.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// base (dynamic, data in blocks 0-3) <- base_1 (partial and full blocks) <- base_2 (leaf). Blocks
// 8-19 alternate between the leaf and base_1, so the merge's copies cannot be coalesced into one
// and the kill sweep has crash points between them.
struct ThreeLevels {
  TempDir t;
  std::string base, middle, leaf;
  ThreeLevels() {
    ChainSpec spec;
    ImageSpec b;
    b.virtual_size = 40 * kMiB;
    for (uint64_t i = 0; i < 4; ++i) b.blocks[i] = BlockSpec::full();
    ImageSpec m;
    m.virtual_size = 0;
    m.seed = 2;
    m.vhdx.sector_bitmap_for_every_chunk = true;
    m.blocks[1] = BlockSpec::full();
    m.blocks[5] = BlockSpec::partial({{0, 9}, {300, 40}});
    for (uint64_t i = 9; i < 20; i += 2) m.blocks[i] = BlockSpec::full();
    ImageSpec l;
    l.virtual_size = 0;
    l.seed = 3;
    l.vhdx.sector_bitmap_for_every_chunk = true;
    l.blocks[2] = BlockSpec::partial({{4, 4}});
    l.blocks[3] = BlockSpec::with_state(BlockState::zero);
    for (uint64_t i = 8; i < 20; i += 2) l.blocks[i] = BlockSpec::full();
    spec.layers = {{b, "base.vhdx"}, {m, "base_1.avhdx"}, {l, "base_2.avhdx"}};
    build_chain(spec).write(t.path());
    base = path_of(t / "base.vhdx");
    middle = path_of(t / "base_1.avhdx");
    leaf = path_of(t / "base_2.avhdx");
  }
};

TEST(MergeCli, DryRunPlansAndWritesNothing) {
  ThreeLevels c;
  const std::string before = chain_sha256(c.base);
  CliRun r = run_cli({"merge", c.leaf, "--into", c.base, "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json j = r.json();
  EXPECT_EQ(j.at("target"), c.base);
  EXPECT_EQ(j.at("sources").size(), 2u);
  EXPECT_EQ(j.at("sources")[0].at("path"), c.leaf);
  EXPECT_EQ(j.at("blocks_touched"), 16u);    // 1, 2, 3, 5, 8..19
  EXPECT_EQ(j.at("blocks_allocated"), 13u);  // 5, 8..19 are new in the base
  EXPECT_EQ(j.at("new_space_bytes"), 13u * 2 * kMiB);
  // Seed 002: the leaf's 4 sectors in block 2 and its ZERO block 3, and the middle disk's block 1,
  // replace data the base holds now; the rest lands where the base has nothing.
  EXPECT_EQ(j.at("sources")[0].at("overwrites_target_bytes"), 2 * kMiB + 4 * 512u);
  EXPECT_EQ(j.at("sources")[1].at("overwrites_target_bytes"), 2 * kMiB);
  EXPECT_EQ(j.at("dry_run"), true);
  EXPECT_EQ(j.at("merged"), false);
  EXPECT_EQ(chain_sha256(c.base), before);
}

TEST(MergeCli, BranchesAreRefusedUnlessForced) {
  ThreeLevels c;
  // A second child of the base: a snapshot branch the merge would make invalid.
  const BuiltImage base_image = build_image([] {
    ImageSpec b;
    b.virtual_size = 40 * kMiB;
    for (uint64_t i = 0; i < 4; ++i) b.blocks[i] = BlockSpec::full();
    return b;
  }());
  ImageSpec other = vhdx_child(base_image, 9, {{"relative_path", ".\\base.vhdx"}}).spec;
  other.vhdx.parent_locator[0].value = open_image_file(c.base)->identity().to_braced_string();
  build_image(other).write(c.t / "base_other.avhdx");
  CliRun r = run_cli({"merge", c.leaf, "--into", c.base});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("REFUSED     1 other disk links to the target or to a merged disk"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(path_of(c.t / "base_other.avhdx")), std::string::npos);
  CliRun forced = run_cli({"merge", c.leaf, "--into", c.base, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
}

TEST(MergeCli, KilledAtManyPointsThenRerunGivesTheSameContent) {
  ThreeLevels c;
  const std::string want = chain_sha256(c.leaf);
  const std::vector<uint8_t> base = read_file_bytes(c.base), middle = read_file_bytes(c.middle),
                             leaf = read_file_bytes(c.leaf);
  auto restore = [&] {
    write_file_bytes(c.base, base);
    write_file_bytes(c.middle, middle);
    write_file_bytes(c.leaf, leaf);
  };
  const std::vector<std::string> args = {"merge", c.leaf, "--into", c.base, "--progress", "none"};
  restore();
  const CountedRun counted = run_counting_io(args);
  ASSERT_EQ(counted.run.exit_code, 0) << counted.run.err;
  ASSERT_EQ(chain_sha256(c.base), want);
  const uint64_t total = counted.events.size();
  ASSERT_GE(total, 50u);
  int interrupted_seen = 0;
  for (uint64_t n = 1; n <= total; ++n) {
    restore();
    const CliRun killed = run_killed_after(n, args);
    ASSERT_EQ(killed.exit_code, -1) << "not killed after I/O " << n << ": " << killed.err;
    // Between the kill and the rerun: the chain reads as before; check sees an interrupted merge
    // (or nothing yet), never corruption.
    EXPECT_EQ(chain_sha256(c.leaf), want) << "killed after I/O " << n;
    CliRun check = run_cli({"check", "--json", path_of(c.t.path())});
    EXPECT_LE(check.exit_code, 1) << n << check.out;
    for (const std::string& code : finding_codes(check.json())) {
      EXPECT_TRUE(code == "merge.interrupted" || code == "log.pending") << n << ": " << code;
      interrupted_seen += code == "merge.interrupted";
    }
    CliRun rerun = run_cli(args);
    ASSERT_EQ(rerun.exit_code, 0) << "rerun after a kill at I/O " << n << ": " << rerun.err << rerun.out;
    EXPECT_EQ(chain_sha256(c.base), want) << "killed after I/O " << n;
    EXPECT_EQ(finding_codes(run_cli({"check", "--json", path_of(c.t.path())}).json()), std::vector<std::string>{}) << n;
  }
  EXPECT_GT(interrupted_seen, 0);
}

TEST(MergeCli, DeleteMergedRemovesTheSources) {
  ThreeLevels c;
  const std::string want = chain_sha256(c.leaf);
  CliRun r = run_cli({"merge", c.leaf, "--into", c.base, "--delete-merged", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json().at("deleted"), (json{c.leaf, c.middle}));
  EXPECT_FALSE(fs::exists(c.leaf));
  EXPECT_FALSE(fs::exists(c.middle));
  EXPECT_EQ(chain_sha256(c.base), want);
}

}  // namespace
}  // namespace vhdchain::test
