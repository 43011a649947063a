// A VHD merge as a process, killed (SIGKILL) after every one of its I/O events but the flushes (a
// kill there leaves the files as the kill before it; kill_sweep.h): between the kill
// and the rerun the chain reads as before and check reports the interrupted merge (or the pending
// journal of a batch), nothing worse; the rerun finishes it with the content of the chain.
#include <algorithm>
#include <filesystem>
#include <set>

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

// base.vhd (dynamic, 512 KiB blocks, data in blocks 0-3) <- base_1.vhd <- base_2.vhd (leaf): held
// blocks with several runs each, and enough new blocks for two batches of 32.
struct ThreeVhdLevels {
  TempDir t;
  std::string base, middle, leaf;
  ThreeVhdLevels() {
    ImageSpec b;
    b.format = Format::vhd;
    b.virtual_size = 20 * kMiB;
    b.block_size = 512 * 1024;  // 40 blocks in little data: every kill is followed by reads of it all
    for (uint64_t i = 0; i < 4; ++i) b.blocks[i] = BlockSpec::full();
    ImageSpec m = b;
    m.blocks.clear();
    m.virtual_size = 0;
    m.seed = 2;
    m.blocks[1] = BlockSpec::full();
    m.blocks[5] = BlockSpec::partial({{0, 9}, {300, 40}});
    ImageSpec l = m;
    l.blocks.clear();
    l.seed = 3;
    l.blocks[2] = BlockSpec::partial({{4, 4}, {64, 8}, {1000, 1}});
    l.blocks[3] = BlockSpec::partial({{0, 1}});
    for (uint64_t i = 6; i < 40; ++i) l.blocks[i] = BlockSpec::partial({{i, 8}});
    ChainSpec spec;
    spec.layers = {{b, "base.vhd"}, {m, "base_1.vhd"}, {l, "base_2.vhd"}};
    build_chain(spec).write(t.path());
    base = path_of(t / "base.vhd");
    middle = path_of(t / "base_1.vhd");
    leaf = path_of(t / "base_2.vhd");
  }
};

std::multiset<std::string> codes(const CliRun& check) {
  const std::vector<std::string> list = finding_codes(check.json());
  return {list.begin(), list.end()};
}

TEST(MergeVhdKill, KilledAtEveryIoThenRerunGivesTheSameContent) {
  ThreeVhdLevels c;
  const std::string want = chain_sha256(c.leaf);
  const std::vector<uint8_t> base = read_file_bytes(c.base), middle = read_file_bytes(c.middle),
                             leaf = read_file_bytes(c.leaf);
  // What check says of the untouched chain (the builder's sizes give CHS notes): the baseline.
  const std::multiset<std::string> baseline = codes(run_cli({"check", "--json", path_of(c.t.path())}));
  auto restore = [&] {
    for (const auto& entry : fs::directory_iterator(c.t.path()))
      if (entry.path().extension() != ".vhd") fs::remove(entry.path());
    write_file_bytes(c.base, base);
    write_file_bytes(c.middle, middle);
    write_file_bytes(c.leaf, leaf);
  };
  const std::vector<std::string> args = {"merge", "--yes", c.leaf, "--into", c.base, "--progress", "none"};
  int merge_interrupted = 0, write_interrupted = 0, kept_source = 0;
  std::vector<uint64_t> swept;
  const uint64_t total = sweep_kills(args, restore, [&](uint64_t n) {
    swept.push_back(n);
    EXPECT_EQ(chain_sha256(c.leaf), want) << "killed after I/O " << n;
    const CliRun check = run_cli({"check", "--json", path_of(c.t.path())});
    EXPECT_LE(check.exit_code, 1) << n << check.out;
    std::multiset<std::string> found = codes(check);
    merge_interrupted += static_cast<int>(found.erase("merge.interrupted"));
    write_interrupted += static_cast<int>(found.erase("write.interrupted"));
    kept_source += static_cast<int>(found.erase("merge.kept_source"));
    EXPECT_EQ(found, baseline) << "killed after I/O " << n << ": " << check.out;
    const CliRun rerun = run_cli(args);
    ASSERT_EQ(rerun.exit_code, 0) << "rerun after a kill at I/O " << n << ": " << rerun.err << rerun.out;
    EXPECT_EQ(chain_sha256(c.base), want) << "killed after I/O " << n;
    EXPECT_FALSE(fs::exists(c.base + ".vhdchain-merge")) << n;
    std::multiset<std::string> after = codes(run_cli({"check", "--json", path_of(c.t.path())}));
    EXPECT_EQ(after.erase("merge.kept_source"), 2u) << n;  // the two merged sources, kept (issue 16)
    EXPECT_EQ(after, baseline) << n;
  }, KillPoints::all_but_flushes);
  ASSERT_GE(total, 50u);
  RecordProperty("io_events", static_cast<int>(total));
  // The marker exists from its rename (event 3) until its removal, which the record of the kept
  // sources follows (4 events: write, flush, rename to .next, rename over the record); every event
  // but the flushes is a kill point.
  const auto with_marker =
      std::count_if(swept.begin(), swept.end(), [&](uint64_t n) { return n >= 3 && n + 4 < total; });
  EXPECT_EQ(merge_interrupted, static_cast<int>(with_marker));
  EXPECT_EQ(kept_source, 2);  // killed after the record's last rename: the merge is complete
  EXPECT_GT(write_interrupted, 0);
}

TEST(MergeVhdKill, DryRunJsonOfAVhdChain) {
  ThreeVhdLevels c;
  const std::vector<uint8_t> base = read_file_bytes(c.base);
  CliRun r = run_cli({"merge", c.leaf, "--into", c.base, "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json j = r.json();
  EXPECT_EQ(j.at("format"), "vhd");
  EXPECT_EQ(j.at("target_type"), "dynamic");
  EXPECT_EQ(j.at("sources").size(), 2u);
  EXPECT_EQ(j.at("blocks_touched"), 38u);    // 1, 2, 3, 5, 6..39
  EXPECT_EQ(j.at("blocks_allocated"), 35u);  // 5, 6..39 are new in the base
  EXPECT_EQ(j.at("new_space_bytes"), 35u * (512 + 512 * 1024));
  // The leaf's 13 sectors in block 2 and 1 in block 3, and the middle disk's block 1.
  EXPECT_EQ(j.at("sources")[0].at("overwrites_target_bytes"), 14 * 512u);
  EXPECT_EQ(j.at("sources")[1].at("overwrites_target_bytes"), 512 * 1024u);
  EXPECT_EQ(j.at("dry_run"), true);
  EXPECT_EQ(j.at("merged"), false);
  EXPECT_EQ(read_file_bytes(c.base), base);
  EXPECT_FALSE(fs::exists(c.base + ".vhdchain-merge"));
}

}  // namespace
}  // namespace vhdchain::test
