// compact killed (SIGKILL) right after every one of its I/O events, then run again: after the
// kill the chain reads exactly as before (through vhdchain), and the rerun finishes with the
// file size an uninterrupted compact gives and a clean check --deep.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "write/convert/convert_chains.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/kill_sweep.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

// Compacts layer `layer` (0 base, 1 leaf) of the chain, killed after every I/O event.
void sweep(size_t layer) {
  TempDir t;
  const BuiltChain chain = convert_chain(512);
  chain.write(t.path());
  const std::string leaf = (t / chain.file_names.back()).string();
  const std::string disk = (t / chain.file_names[layer]).string();
  const std::string want = chain_sha256(leaf);
  const std::vector<uint8_t> original = read_file_bytes(disk);
  const std::vector<std::string> args = {"compact", "--yes", "--progress", "none", disk};

  const CliRun full = run_cli(args);
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const uint64_t compacted_size = fs::file_size(disk);
  ASSERT_LT(compacted_size, original.size());

  const uint64_t total = sweep_kills(
      args, [&] { write_file_bytes(disk, original); },
      [&](uint64_t n) {
        SCOPED_TRACE("killed after I/O event " + std::to_string(n));
        EXPECT_EQ(chain_sha256(leaf), want);
        const CliRun rerun = run_cli(args);
        EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
        EXPECT_EQ(chain_sha256(leaf), want);
        EXPECT_EQ(fs::file_size(disk), compacted_size);
        const CliRun check = run_cli({"check", "--deep", leaf});
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
      });
  EXPECT_GT(total, 10u);
}

TEST(CompactKill, Base) { sweep(0); }
TEST(CompactKill, Differencing) { sweep(1); }

}  // namespace
}  // namespace vhdchain::test
