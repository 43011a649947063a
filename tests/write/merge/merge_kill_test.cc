// vhdchain merge killed (SIGKILL) right after every one of its I/O events, then run again (issue 5:
// "killed at 50 or more points spread over its run, then rerun: content equal every time").
//
// The chain is big enough for the merge to write its payload in two batches, so kills land in
// every step (tests/write/merge/merge_io_phases.h): while the disk above the target accepts the new
// identity, while the target takes it, in the payload of the first and of the second batch (after
// the first one is part of the target), inside each log commit, and while the chain is re-pointed.
// After each kill check reports exactly what the model says for that point (merge.interrupted,
// log.pending, or nothing), never anything critical; the chain still reads as before the merge;
// the rerun finishes it and the base reads as the chain did.
#include <filesystem>
#include <map>
#include <numeric>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "write/merge/merge_io_phases.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/kill_sweep.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

// base (dynamic, 48 MiB, 1 MiB blocks, data in blocks 0-3) <- base_1 <- base_2 (leaf), merged
// into the base: 37 target blocks receive data (34 of them new in the base), so the payload and the
// log come in two batches (32 blocks, then 5).
struct KillChain {
  TempDir t;
  std::string base, middle, leaf;
  KillChain() {
    ImageSpec b;
    b.virtual_size = 48 * kMiB;
    b.block_size = kMiB;
    for (uint64_t i = 0; i < 4; ++i) b.blocks[i] = BlockSpec::full();
    ImageSpec m;
    m.virtual_size = 0;
    m.block_size = kMiB;
    m.seed = 2;
    m.vhdx.sector_bitmap_for_every_chunk = true;
    m.blocks[1] = BlockSpec::full();
    m.blocks[5] = BlockSpec::partial({{0, 9}, {300, 40}});
    for (uint64_t i = 20; i < 30; ++i) m.blocks[i] = BlockSpec::full();
    ImageSpec l = m;
    l.seed = 3;
    l.blocks.clear();
    l.blocks[2] = BlockSpec::partial({{4, 4}});
    l.blocks[3] = BlockSpec::with_state(BlockState::zero);
    for (uint64_t i = 8; i < 20; ++i) l.blocks[i] = BlockSpec::full();
    l.blocks[30] = BlockSpec::with_state(BlockState::unmapped);
    for (uint64_t i = 31; i < 41; ++i) l.blocks[i] = BlockSpec::partial({{i, 100}});
    ChainSpec spec;
    spec.layers = {{b, "base.vhdx"}, {m, "base_1.avhdx"}, {l, "base_2.avhdx"}};
    build_chain(spec).write(t.path());
    base = path_of(t / "base.vhdx");
    middle = path_of(t / "base_1.avhdx");
    leaf = path_of(t / "base_2.avhdx");
  }
};

// What check says once a merge that keeps its two sources is complete (issue 16).
const std::vector<std::string> kKeptSources = {"merge.kept_source", "merge.kept_source"};

// The virtual disk of the chain ending at `leaf`, read through the library: compared byte for
// byte (cheaper than hashing it at every one of the 120 kill points).
std::vector<uint8_t> chain_bytes(const std::string& leaf) {
  const Chain chain = open_chain(leaf);
  std::vector<uint8_t> all(chain.virtual_size());
  chain.reader()->read_at(0, all);
  return all;
}

TEST(MergeKill, KilledAfterEveryIoEventInEveryStepThenRerunGivesTheSameContent) {
  KillChain c;
  const std::vector<uint8_t> want = chain_bytes(c.leaf);
  const std::string leaf_sha256 = sha256_hex(read_file_bytes(c.leaf));
  // The merge writes the target and the disk above it, never the leaf (checked at the end).
  const std::vector<uint8_t> base = read_file_bytes(c.base), middle = read_file_bytes(c.middle);
  auto restore = [&] {
    write_file_bytes(c.base, base);
    write_file_bytes(c.middle, middle);
    fs::remove(c.base + ".vhdchain-merged");  // the record of the previous run's kept sources
  };
  const std::vector<std::string> args = {"merge", "--yes", c.leaf, "--into", c.base, "--progress", "none"};
  const CountedRun counted = run_counting_io(args);
  ASSERT_EQ(counted.run.exit_code, 0) << counted.run.err;
  ASSERT_TRUE(chain_bytes(c.base) == want);
  const std::vector<MergeIoEvent> events = classify_merge_events(counted.events, c.base, c.middle, 2);

  // Spread: at least 50 kill points, in every step, and payload and log kills in both batches.
  ASSERT_GE(events.size(), 50u);
  std::map<MergePhase, int> per_phase;
  int log_commits = 0, payload_after_a_commit = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    ++per_phase[events[i].phase];
    log_commits += events[i].phase == MergePhase::log && (i == 0 || events[i - 1].phase != MergePhase::log);
    payload_after_a_commit += events[i].phase == MergePhase::payload && log_commits > 0;
  }
  EXPECT_GE(per_phase[MergePhase::accept_new_identity], 8);
  EXPECT_EQ(per_phase[MergePhase::target_identity], 6);
  // Payload is coalesced (src/write/payload_copier.h): one write per run of pieces that
  // continue each other in the target and in one source, one resize per batch, flushes. Here 21
  // events, 8 of them in the second batch (5 new blocks into a partly merged base).
  EXPECT_GE(per_phase[MergePhase::payload], 20);
  EXPECT_GE(log_commits, 2);
  EXPECT_GE(payload_after_a_commit, 6);
  EXPECT_GE(per_phase[MergePhase::relink], 8);
  EXPECT_EQ(per_phase[MergePhase::record], 4);  // write, flush, rename to .next, rename over the record
  std::string summary;
  for (const auto& [phase, n] : per_phase) summary += std::string(" ") + to_string(phase) + "=" + std::to_string(n);
  RecordProperty("kill_points", static_cast<int>(events.size()));
  RecordProperty("kill_points_per_phase", summary);

  // A kill right after a flush leaves every file exactly as the kill right after the event before
  // it: SIGKILL loses nothing the page cache holds, and a flush changes no byte anyone reads. Those
  // points are left out (about a third of the run); every write, resize, rename and removal, in
  // every step, is still a kill point.
  std::map<MergePhase, int> interrupted_per_phase, swept_per_phase;
  for (uint64_t n = 1; n <= events.size(); ++n) {
    const MergeIoEvent& e = events[n - 1];
    if (e.kind == "flush" && n > 1) {
      // Same state as the previous point, so check must expect the same there.
      EXPECT_EQ(e.codes_after_kill, events[n - 2].codes_after_kill) << "flush " << n << " changes what check sees";
      continue;
    }
    ++swept_per_phase[e.phase];
    const std::string where = "killed after I/O " + std::to_string(n) + " (" + to_string(e.phase) + ": " + e.kind +
                              " " + e.path + ")";
    restore();
    const CliRun killed = run_killed_after(n, args);
    ASSERT_EQ(killed.exit_code, -1) << "not " << where << ": " << killed.err;
    EXPECT_TRUE(chain_bytes(c.leaf) == want) << "the chain does not read as before, " << where;
    const CliRun check = run_cli({"check", "--json", path_of(c.t.path())});
    EXPECT_EQ(check.exit_code, e.codes_after_kill.empty() ? 0 : 1) << where << check.out;
    EXPECT_EQ(finding_codes(check.json()), e.codes_after_kill) << where;
    for (const std::string& code : e.codes_after_kill) interrupted_per_phase[e.phase] += code == "merge.interrupted";

    const CliRun rerun = run_cli(args);
    ASSERT_EQ(rerun.exit_code, 0) << "rerun after " << where << ": " << rerun.err << rerun.out;
    EXPECT_TRUE(chain_bytes(c.base) == want) << "the merged base does not read as the chain did, " << where;
    EXPECT_EQ(finding_codes(run_cli({"check", "--json", path_of(c.t.path())}).json()), kKeptSources)
        << where;
  }
  EXPECT_EQ(sha256_hex(read_file_bytes(c.leaf)), leaf_sha256);
  // check saw the interrupted merge in the payload and log steps.
  EXPECT_EQ(interrupted_per_phase[MergePhase::payload], swept_per_phase[MergePhase::payload]);
  EXPECT_EQ(interrupted_per_phase[MergePhase::log], swept_per_phase[MergePhase::log]);
  // Every step had kill points.
  for (const auto& [phase, n] : per_phase) EXPECT_GT(swept_per_phase[phase], 0) << to_string(phase);
  RecordProperty("kills", std::accumulate(swept_per_phase.begin(), swept_per_phase.end(), 0,
                                          [](int sum, const auto& p) { return sum + p.second; }));
}

// Ctrl-C in the middle of the payload (issue 16): the SIGINT is raised from the I/O hook right
// after the first payload write (VHDCHAIN_FAULT_SIGNAL=INT), so it lands at the same point every
// run. The merge finishes the batch it is in, makes it part of the target, and stops there: exit
// 130, the state and the command that finishes it on stderr; check reports merge.interrupted and
// the chain reads as before; that command, run as printed, finishes the merge.
TEST(MergeKill, SigintMidMergeStopsAtABatchBoundaryAndNamesTheCommandThatFinishesIt) {
  KillChain c;
  const std::vector<uint8_t> want = chain_bytes(c.leaf);
  const std::vector<std::string> args = {"merge", "--yes", c.leaf, "--into", c.base, "--progress", "none"};
  const std::vector<uint8_t> base = read_file_bytes(c.base), middle = read_file_bytes(c.middle);
  const CountedRun counted = run_counting_io(args);
  ASSERT_EQ(counted.run.exit_code, 0) << counted.run.err;
  const std::vector<MergeIoEvent> events = classify_merge_events(counted.events, c.base, c.middle, 2);
  size_t first_payload = 0;
  while (first_payload < events.size() && events[first_payload].phase != MergePhase::payload) ++first_payload;
  ASSERT_LT(first_payload, events.size());
  write_file_bytes(c.base, base);
  write_file_bytes(c.middle, middle);
  fs::remove(c.base + ".vhdchain-merged");

  ::setenv("VHDCHAIN_FAULT_SIGNAL", "INT", 1);
  const CliRun stopped = run_killed_after(first_payload + 1, args);
  ::unsetenv("VHDCHAIN_FAULT_SIGNAL");
  ASSERT_EQ(stopped.exit_code, 130) << stopped.err << stopped.out;
  const std::string finish = "vhdchain merge --yes " + c.leaf + " --into " + c.base + " --progress none";
  EXPECT_EQ(stopped.err, "vhdchain: stopped by SIGINT at a safe point: the merge into " + c.base +
                             " is interrupted; the chain reads as before and check reports merge.interrupted. "
                             "Run this to finish it:\n  " + finish + "\n");
  EXPECT_NE(stopped.out.find("  stopped     by SIGINT at a safe point after copying "), std::string::npos) << stopped.out;
  EXPECT_TRUE(chain_bytes(c.leaf) == want);
  EXPECT_EQ(finding_codes(run_cli({"check", "--json", path_of(c.t.path())}).json()),
            std::vector<std::string>{"merge.interrupted"});

  const CliRun rerun = run_cli(args);  // the command printed, as typed
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  EXPECT_NE(rerun.out.find("  resuming    an interrupted merge of this chain is finished\n"), std::string::npos) << rerun.out;
  EXPECT_TRUE(chain_bytes(c.base) == want);
  EXPECT_EQ(finding_codes(run_cli({"check", "--json", path_of(c.t.path())}).json()), kKeptSources);
}

}  // namespace
}  // namespace vhdchain::test
