// What a kill cannot show: writes that were never flushed are lost on power failure, not on a
// kill (the page cache keeps them). Once the disk above the target links to the target's new
// identity alone (step 5), the merge is complete and --delete-merged removes the sources, so every
// byte the merge wrote into the target must be flushed before that. Asserted on the merge's own
// I/O events: the target's last event is a flush, for a dynamic base (new blocks, made reachable
// through the log) and for a fixed base (every block written in place, no log commit at all).
#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "write/merge/merge_chains.h"
#include "write/vhdx/kill_sweep.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

class MergeDurability : public ::testing::TestWithParam<DiskType> {};

TEST_P(MergeDurability, EveryTargetWriteIsFlushedBeforeTheMergeCompletes) {
  TempDir t;
  const ImageSpec b = base_layer(16 * kMiB, kMiB, GetParam());
  ImageSpec c = child_layer(2, kMiB);
  c.blocks[0] = BlockSpec::partial({{8, 8}});
  c.blocks[3] = BlockSpec::full();
  ChainSpec spec;
  spec.layers = {{b, "base.vhdx"}, {c, "base_1.avhdx"}};
  build_chain(spec).write(t.path());
  const std::string base = path_of(t / "base.vhdx"), child = path_of(t / "base_1.avhdx");
  const std::string want = chain_sha256(child);

  const CountedRun counted = run_counting_io({"merge", "--yes", child, "--progress", "none"});
  ASSERT_EQ(counted.run.exit_code, 0) << counted.run.err;
  ASSERT_EQ(chain_sha256(base), want);
  std::string target_events, last;
  for (const std::string& e : counted.events)
    if (e.size() > base.size() && e.compare(e.size() - base.size(), base.size(), base) == 0) {
      last = e.substr(0, e.size() - base.size() - 1);
      target_events += last + " ";
    }
  EXPECT_EQ(last, "flush") << "the target's I/O events: " << target_events;
}

INSTANTIATE_TEST_SUITE_P(Bases, MergeDurability, ::testing::Values(DiskType::dynamic, DiskType::fixed),
                         [](const auto& p) { return std::string(to_string(p.param)); });

}  // namespace
}  // namespace vhdchain::test
