// vhdchain merge as a process: the plan, refusals, --delete-merged (the kill sweep: merge_kill_test.cc).
#include <algorithm>
#include <filesystem>
#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "cli/terminal_runner.h"
#include "support/testdata.h"
#include "write/vhdx/file_bytes.h"
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

// The estimate reads the source with the most data: its whole MiBs (up to 32), and halves the rate.
TEST(MergeCli, TheEstimateSamplesTheLargestSource) {
  ThreeLevels c;
  const json j = run_cli({"merge", c.leaf, "--into", c.base, "--dry-run", "--json"}).json();
  const json& sources = j.at("sources");
  ASSERT_EQ(sources.size(), 2u);
  // The middle disk gives 7 blocks and 49 sectors, the leaf 6 blocks, a ZERO block and 4 sectors.
  ASSERT_GT(sources[1].at("bytes").get<uint64_t>(), sources[0].at("bytes").get<uint64_t>()) << sources;
  const json& e = j.at("estimate");
  EXPECT_EQ(e.at("sampled"), c.middle);
  EXPECT_EQ(e.at("sample_bytes").get<uint64_t>(), std::min<uint64_t>(fs::file_size(c.middle) / kMiB, 32) * kMiB);
  EXPECT_GT(e.at("sample_seconds").get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(e.at("copy_bytes_per_second").get<double>(),
                   e.at("sample_bytes").get<double>() / e.at("sample_seconds").get<double>() / 2);
  EXPECT_DOUBLE_EQ(e.at("seconds").get<double>(),
                   j.at("bytes_to_copy").get<double>() / e.at("copy_bytes_per_second").get<double>());
  EXPECT_EQ(j.at("estimated_seconds"), e.at("seconds"));

  const CliRun text = run_cli({"merge", c.leaf, "--into", c.base, "--dry-run"});
  const std::regex line("\n  estimate    \\d+s at [0-9.]+ (bytes|KiB|MiB|GiB|TiB)/s \\(half the read rate of " +
                        std::to_string(e.at("sample_bytes").get<uint64_t>() / kMiB) + " MiB of " + c.middle +
                        "(, through the page cache)?\\)\n");
  EXPECT_TRUE(std::regex_search(text.out, line)) << text.out;
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
  CliRun forced = run_cli({"merge", "--yes", c.leaf, "--into", c.base, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
}

// Seed 002: after a Revert the base has a second child, with checkpoints of its own below it. The
// plan lists the whole subtree that becomes invalid, not only the sibling; the refusal names the
// sibling (the disk that links to the target).
TEST(MergeCli, TheDryRunListsEveryDiskThatBecomesInvalid) {
  ThreeLevels c;
  ImageSpec other = vhdx_child(build_image(vhdx_base_spec(1, 40 * kMiB)), 9, {{"relative_path", ".\\base.vhdx"}}).spec;
  other.vhdx.parent_locator[0].value = open_image_file(c.base)->identity().to_braced_string();
  const BuiltImage sibling = build_image(other);
  sibling.write(c.t / "base_other.avhdx");
  const BuiltImage below = vhdx_child(sibling, 10, {{"relative_path", ".\\base_other.avhdx"}});
  below.write(c.t / "base_other_1.avhdx");
  vhdx_child(below, 11, {{"relative_path", ".\\base_other_1.avhdx"}}).write(c.t / "base_other_2.avhdx");
  const std::vector<std::string> subtree = {path_of(c.t / "base_other.avhdx"), path_of(c.t / "base_other_1.avhdx"),
                                            path_of(c.t / "base_other_2.avhdx")};

  const CliRun refused = run_cli({"merge", "--dry-run", "--json", c.leaf, "--into", c.base});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_EQ(refused.json().at("invalidated"), json(subtree));
  EXPECT_EQ(refused.json().at("refusals"),
            (json{"1 other disk links to the target or to a merged disk (snapshot branches); a merge makes it invalid: " +
                  subtree[0] + ". Rerun with --force to merge anyway"}));
  const CliRun text = run_cli({"merge", "--dry-run", "--force", c.leaf, "--into", c.base});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  for (const std::string& d : subtree) EXPECT_NE(text.out.find("  INVALIDATED " + d + "\n"), std::string::npos) << text.out;
}

TEST(MergeCli, DeleteMergedRemovesTheSources) {
  ThreeLevels c;
  const std::string want = chain_sha256(c.leaf);
  CliRun r = run_cli({"merge", "--yes", c.leaf, "--into", c.base, "--delete-merged", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json().at("deleted"), (json{c.leaf, c.middle}));
  EXPECT_FALSE(fs::exists(c.leaf));
  EXPECT_FALSE(fs::exists(c.middle));
  EXPECT_EQ(chain_sha256(c.base), want);
}

// Issue 16, the rule of every command that writes: the plan first, then a question on a terminal;
// "n" writes nothing at all (not one I/O event of the write hook), "y" merges.
struct TerminalMerge {
  ThreeLevels c;
  std::string events = path_of(c.t / "io-events");
  TerminalRun run(const std::string& answer) {
    ::setenv("VHDCHAIN_FAULT_COUNT_FILE", events.c_str(), 1);
    TerminalRun r = run_on_terminal({"merge", c.leaf, "--into", c.base, "--progress", "none"}, answer);
    ::unsetenv("VHDCHAIN_FAULT_COUNT_FILE");
    return r;
  }
};

TEST(MergeCli, OnATerminalThePlanComesFirstAndNoWritesNothing) {
  TerminalMerge m;
  const std::string before = chain_sha256(m.c.base);
  const auto mtime = fs::last_write_time(m.c.base);
  const TerminalRun r = m.run("n\n");
  EXPECT_EQ(r.exit_code, 1) << r.screen;
  const size_t plan = r.screen.find("merge " + m.c.leaf + "\r\n  into        " + m.c.base + " (vhdx dynamic)");
  const size_t question = r.screen.find("Merge 2 disks into " + m.c.base + "? [y/N] ");
  ASSERT_NE(plan, std::string::npos) << r.screen;
  ASSERT_NE(question, std::string::npos) << r.screen;
  EXPECT_LT(plan, question);
  EXPECT_NE(r.screen.find("vhdchain: not confirmed: nothing was written\r\n"), std::string::npos) << r.screen;
  EXPECT_FALSE(fs::exists(m.events) && fs::file_size(m.events) > 0) << "the merge wrote before it was confirmed";
  EXPECT_EQ(chain_sha256(m.c.base), before);
  EXPECT_EQ(fs::last_write_time(m.c.base), mtime);
}

TEST(MergeCli, OnATerminalYesMerges) {
  TerminalMerge m;
  const std::string want = chain_sha256(m.c.leaf);
  const TerminalRun r = m.run("y\n");
  ASSERT_EQ(r.exit_code, 0) << r.screen;
  EXPECT_LT(r.screen.find("[y/N] "), r.screen.find("  merged      "));
  // The summary: bytes, elapsed time and rate; then the kept files.
  EXPECT_TRUE(std::regex_search(r.screen, std::regex(R"(  merged      [0-9.]+ MiB in \d+s \([0-9.]+ (bytes|KiB|MiB|GiB)/s\))")))
      << r.screen;
  EXPECT_NE(r.screen.find("  kept        " + m.c.leaf), std::string::npos) << r.screen;
  EXPECT_EQ(chain_sha256(m.c.base), want);
}

TEST(MergeCli, NotOnATerminalWithoutYesWritesNothingAndExits3) {
  ThreeLevels c;
  const std::vector<uint8_t> base = read_file_bytes(c.base), middle = read_file_bytes(c.middle);
  const auto mtime = fs::last_write_time(c.base);
  const CliRun r = run_cli({"merge", c.leaf, "--into", c.base});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "vhdchain: not on a terminal: nothing was written; rerun with --yes to write\n");
  EXPECT_EQ(r.out.rfind("merge " + c.leaf + "\n  into        " + c.base, 0), 0u) << r.out;  // the plan
  EXPECT_TRUE(read_file_bytes(c.base) == base);
  EXPECT_TRUE(read_file_bytes(c.middle) == middle);
  EXPECT_EQ(fs::last_write_time(c.base), mtime);
}

// --json: schema_version first, then the plan and the outcome in document order, kept files listed.
TEST(MergeCli, JsonHasSchemaVersionFirstAndListsKeptFiles) {
  ThreeLevels c;
  const CliRun r = run_cli({"merge", "--yes", "--json", c.leaf, "--into", c.base});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(r.out);
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "schema_version", "child", "target", "format", "target_type", "virtual_size", "sources",
                      "blocks_touched", "blocks_allocated", "bytes_to_copy", "new_space_bytes", "free_bytes",
                      "estimated_seconds", "estimate", "resuming", "refusals", "invalidated", "children_to_repoint",
                      "dry_run", "merged", "interrupted", "finish_command", "bytes_copied", "elapsed_seconds",
                      "bytes_per_second", "kept", "deleted"}));
  EXPECT_EQ(j.at("schema_version"), 1);
  EXPECT_EQ(j.at("merged"), true);
  EXPECT_EQ(j.at("bytes_copied"), j.at("bytes_to_copy"));
  EXPECT_EQ(j.at("kept"), (json{c.leaf, c.middle}));
  EXPECT_EQ(j.at("deleted"), json::array());
}

// check's sizes in messages: one decimal in the largest binary unit ("5.1 MiB").
std::string check_human_bytes(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? std::to_string(bytes) + " bytes" : fmt::format("{:.1f} {}", value, units[unit]);
}

// Issue 16: after a merge that keeps its sources, check no longer shows them as a healthy chain:
// each is merge.kept_source, with the bytes deleting it gives back. --delete-merged leaves nothing
// to report (and no record).
TEST(MergeCli, CheckReportsTheKeptSourcesOfAMerge) {
  ThreeLevels c;
  ASSERT_EQ(run_cli({"merge", "--yes", c.leaf, "--into", c.base}).exit_code, 0);
  const CliRun check = run_cli({"check", "--json", path_of(c.t.path())});
  EXPECT_EQ(check.exit_code, 1) << check.out;
  const json doc = check.json();
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"merge.kept_source", "merge.kept_source"}));
  const json& first = doc.at("findings")[0];
  EXPECT_EQ(first.at("message"), c.leaf + ": merged into " + c.base + " by vhdchain merge and kept; its data is in " +
                                     c.base + " now and it is no longer part of a chain (only the target reads as "
                                     "the chain did). Deleting it reclaims " +
                                     check_human_bytes(fs::file_size(c.leaf)));
  EXPECT_EQ(first.at("paths"), (json{c.leaf, c.base}));
  EXPECT_EQ(first.at("reclaimable_bytes"), fs::file_size(c.leaf));
  EXPECT_EQ(doc.at("findings")[1].at("paths"), (json{c.middle, c.base}));
  EXPECT_EQ(doc.at("findings")[1].at("reclaimable_bytes"), fs::file_size(c.middle));

  ThreeLevels d;
  ASSERT_EQ(run_cli({"merge", "--yes", "--delete-merged", d.leaf, "--into", d.base}).exit_code, 0);
  EXPECT_FALSE(fs::exists(d.base + ".vhdchain-merged"));
  EXPECT_EQ(finding_codes(run_cli({"check", "--json", path_of(d.t.path())}).json()),
            std::vector<std::string>{"disk.standalone"});  // the base alone
}

}  // namespace
}  // namespace vhdchain::test
