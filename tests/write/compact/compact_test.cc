// vhdchain compact, run as a user would, on the convert tests' chain (convert_chains.h): a base
// with data, ZERO, UNMAPPED and all-zero blocks, and a differencing leaf with a partial block and
// an all-zero block over the base's data. The chain reads byte-identical before and after through
// vhdchain, libvhdi and qemu-img (base only: qemu-img cannot read a differencing VHDX); exact
// block counts and file sizes; check --deep clean after; refusals write nothing.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "write/convert/convert_chains.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/libvhdi_reader.h"
#include "write/vhdx/qemu_img_reader.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Chain {
  TempDir t;
  std::string base, leaf;
  explicit Chain(uint32_t sector) {
    const BuiltChain chain = convert_chain(sector);
    chain.write(t.path());
    base = (t / chain.file_names.front()).string();
    leaf = (t / chain.file_names.back()).string();
  }
};

json compact(const std::string& disk, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"compact", "--json", "--yes", "--progress", "none", disk};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun run = run_cli(args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.exit_code == 0 ? run.json() : json{};
}

void expect_deep_check_clean(const std::string& leaf) {
  const CliRun check = run_cli({"check", "--deep", leaf});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

void expect_independent_readers(const std::vector<std::string>& chain, const std::string& want) {
  if (auto libvhdi = libvhdi_sha256(chain)) {
    EXPECT_EQ(*libvhdi, want) << "libvhdi";
  } else if (independent_readers_required()) {
    ADD_FAILURE() << "libvhdi (python3-libvhdi) is missing";
  }
}

class CompactSectors : public ::testing::TestWithParam<uint32_t> {};

// The base: block 4 (zeros stored) is reclaimed; block 3 (UNMAPPED) holds no space in the
// builder's image; blocks 0, 1, 5 (data) stay, the highest moving into the hole block 4 left.
TEST_P(CompactSectors, BaseReclaimsZerosAndMovesIntoTheHole) {
  Chain c(GetParam());
  const std::string leaf_before = chain_sha256(c.leaf), base_before = chain_sha256(c.base);
  const uint64_t size_before = fs::file_size(c.base);
  const CliRun dry_run = run_cli({"compact", "--dry-run", "--json", c.base});
  EXPECT_EQ(dry_run.exit_code, 0) << dry_run.err;
  EXPECT_TRUE(dry_run.out.starts_with("{\n  \"schema_version\": 1,\n  \"disk\": ")) << dry_run.out;
  const json dry = dry_run.json();
  EXPECT_EQ(fs::file_size(c.base), size_before);
  const json done = compact(c.base);
  EXPECT_EQ(done.at("blocks_zero"), dry.at("blocks_zero"));
  EXPECT_EQ(done.at("file_size_after"), dry.at("file_size_after"));
  EXPECT_EQ(done.at("blocks_zero"), 1);
  EXPECT_EQ(done.at("blocks_unmapped"), 0);
  EXPECT_EQ(done.at("blocks_moved"), 1);
  EXPECT_EQ(done.at("result").at("file_size"), dry.at("file_size_after"));
  EXPECT_EQ(fs::file_size(c.base), done.at("file_size_after").get<uint64_t>());
  EXPECT_EQ(size_before - fs::file_size(c.base), kMiB);
  EXPECT_EQ(chain_sha256(c.base), base_before);
  EXPECT_EQ(chain_sha256(c.leaf), leaf_before);  // the child stays valid and reads the same
  expect_deep_check_clean(c.leaf);
  expect_independent_readers({c.base}, base_before);
  expect_independent_readers({c.base, c.leaf}, leaf_before);
  // qemu-img opens VHDX of 512-byte logical sectors only ("Operation not supported").
  if (auto qemu = GetParam() == 512 ? qemu_img_raw_sha256(c.base) : std::nullopt) {
    EXPECT_EQ(*qemu, base_before) << "qemu-img";
  }
  // Compacted: a second run finds nothing to do.
  const json again = compact(c.base);
  EXPECT_EQ(again.at("blocks_zero"), 0);
  EXPECT_EQ(again.at("blocks_moved"), 0);
  EXPECT_EQ(again.at("bytes_reclaimed"), 0);
}

// The leaf: block 5 (zeros over the base's data) becomes ZERO and keeps hiding the base; block 1
// (partial) is kept; block 6 moves into block 5's hole.
TEST_P(CompactSectors, DifferencingZeroBlockKeepsHidingTheParent) {
  Chain c(GetParam());
  const std::string before = chain_sha256(c.leaf);
  const uint64_t size_before = fs::file_size(c.leaf);
  const json done = compact(c.leaf);
  EXPECT_EQ(done.at("type"), "differencing");
  EXPECT_EQ(done.at("blocks_zero"), 1);
  EXPECT_EQ(done.at("blocks_partial_kept"), 1);
  EXPECT_EQ(done.at("bytes_reclaimed"), size_before - fs::file_size(c.leaf));
  EXPECT_EQ(fs::file_size(c.leaf), done.at("file_size_after").get<uint64_t>());
  EXPECT_EQ(chain_sha256(c.leaf), before);
  expect_deep_check_clean(c.leaf);
  // Not libvhdi: it ignores the state of a differencing disk's blocks and goes by the sector
  // bitmap, so a ZERO block in a child shows the parent (peers.md section 5); MS-VHDX 2.5.1.1 says
  // ZERO reads as zeros, and a differencing VHDX written by Hyper-V or qemu-img has the same.
}

INSTANTIATE_TEST_SUITE_P(Sectors, CompactSectors, ::testing::Values(512u, 4096u));

// UNMAPPED and UNDEFINED blocks that still name space (stale allocations, MS-VHDX 2.5.1.1) are
// reclaimed with the all-zero one; data blocks stored in descending file order move down.
TEST(CompactStates, StaleUnmappedAndUndefinedAreReclaimed) {
  ImageSpec s;
  s.virtual_size = 8 * kMiB;
  s.block_size = kMiB;
  s.vhdx.place_blocks_descending = true;
  s.blocks[0] = BlockSpec::full();
  s.blocks[1] = BlockSpec::with_state(BlockState::unmapped);
  s.blocks[1].stale_allocation = true;
  s.blocks[2] = BlockSpec::with_state(BlockState::undefined);
  s.blocks[2].stale_allocation = true;
  s.blocks[3] = BlockSpec::full();
  s.blocks[3].zero_data = true;
  s.blocks[4] = BlockSpec::full();
  s.blocks[7] = BlockSpec::full();  // the last block
  TempDir t;
  const std::string disk = (t / "states.vhdx").string();
  build_image(s).write(disk);
  const std::string before = chain_sha256(disk);
  const uint64_t size_before = fs::file_size(disk);
  const json done = compact(disk);
  EXPECT_EQ(done.at("blocks_zero"), 1);
  EXPECT_EQ(done.at("blocks_unmapped"), 2);
  EXPECT_EQ(size_before - fs::file_size(disk), 3 * kMiB);
  EXPECT_EQ(chain_sha256(disk), before);
  expect_deep_check_clean(disk);
  expect_independent_readers({disk}, before);
  if (auto qemu = qemu_img_raw_sha256(disk)) {
    EXPECT_EQ(*qemu, before) << "qemu-img";
  }
}

// A partially present block whose present sectors are all zeros is kept: ZERO would hide the
// parent under its absent sectors too.
TEST(CompactStates, PartialBlockOfZerosIsKept) {
  ImageSpec b;
  b.virtual_size = 4 * kMiB;
  b.block_size = kMiB;
  b.blocks[0] = BlockSpec::full();
  ImageSpec c;
  c.type = DiskType::differencing;
  c.virtual_size = 0;
  c.block_size = kMiB;
  c.seed = 2;
  c.blocks[0] = BlockSpec::partial({{8, 16}});
  c.blocks[0].zero_data = true;
  ChainSpec spec;
  spec.layers = {{b, "base.vhdx"}, {c, "leaf.avhdx"}};
  const BuiltChain chain = build_chain(spec);
  TempDir t;
  chain.write(t.path());
  const std::string leaf = (t / "leaf.avhdx").string();
  const std::string before = chain_sha256(leaf);
  const uint64_t size_before = fs::file_size(leaf);
  const json done = compact(leaf);
  EXPECT_EQ(done.at("blocks_zero"), 0);
  EXPECT_EQ(done.at("blocks_partial_kept"), 1);
  EXPECT_EQ(fs::file_size(leaf), size_before);
  EXPECT_EQ(chain_sha256(leaf), before);
}

// A refused compact and an unconfirmed one write nothing: bytes and mtime unchanged.
void expect_untouched(const std::string& disk, const std::vector<std::string>& args, int exit_code,
                      const std::string& err) {
  const std::vector<uint8_t> bytes = read_file_bytes(disk);
  const auto mtime = fs::last_write_time(disk);
  const CliRun run = run_cli(args);
  EXPECT_EQ(run.exit_code, exit_code) << run.out << run.err;
  EXPECT_NE(run.out.find(err) == std::string::npos ? run.err.find(err) : 0, std::string::npos) << run.out << run.err;
  EXPECT_EQ(read_file_bytes(disk), bytes);
  EXPECT_EQ(fs::last_write_time(disk), mtime);
}

TEST(CompactRefusal, NotOnATerminalWithoutYes) {
  Chain c(512);
  expect_untouched(c.base, {"compact", "--progress", "none", c.base}, 3,
                   "not on a terminal: nothing was written; rerun with --yes to write");
}

TEST(CompactRefusal, FixedVhdx) {
  ImageSpec s;
  s.type = DiskType::fixed;
  s.virtual_size = 4 * kMiB;
  s.block_size = kMiB;
  TempDir t;
  const std::string disk = (t / "fixed.vhdx").string();
  build_image(s).write(disk);
  expect_untouched(disk, {"compact", "--yes", disk}, 2,
                   "REFUSED     a fixed disk keeps every block allocated (LeaveBlockAllocated); nothing to compact");
}

TEST(CompactRefusal, CorruptDisk) {
  Chain c(512);
  fs::resize_file(c.base, fs::file_size(c.base) - kMiB);  // the last block is cut off
  expect_untouched(c.base, {"compact", "--yes", c.base}, 2, "BAT");
}

TEST(CompactRefusal, VhdIsNotImplementedYet) {
  TempDir t;
  const BuiltChain chain = convert_chain(512, Format::vhd);
  chain.write(t.path());
  const std::string base = (t / chain.file_names.front()).string();
  expect_untouched(base, {"compact", "--yes", base}, 2, "REFUSED     compact of a VHD is not implemented yet (VHDX only)");
}

// A pending log is replayed first (as a rerun after a kill needs): the disk then compacts and
// shows what the replayed log says.
TEST(CompactLog, PendingLogIsReplayedFirst) {
  ImageSpec s;
  s.virtual_size = 8 * kMiB;
  s.block_size = kMiB;
  s.blocks[0] = BlockSpec::full();
  s.blocks[2] = BlockSpec::full();
  s.blocks[2].zero_data = true;
  s.blocks[3] = BlockSpec::full();
  VhdxLogSpec log;
  log.log_guid = *Guid::parse("8b5c2e4f-1d3a-4e6b-9c7d-0a1b2c3d4e5f");
  log.pending_blocks[0] = BlockState::not_present;
  s.vhdx.log = log;
  TempDir t;
  const std::string disk = (t / "pending.vhdx").string();
  build_image(s).write(disk);
  const std::string before = chain_sha256(disk);  // the log replayed in memory
  const json done = compact(disk);
  EXPECT_EQ(done.at("log_replayed_first"), true);
  EXPECT_EQ(done.at("blocks_zero"), 1);
  EXPECT_EQ(chain_sha256(disk), before);
  expect_deep_check_clean(disk);
}

}  // namespace
}  // namespace vhdchain::test
