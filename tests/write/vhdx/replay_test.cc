// replay_pending on VHDX: the pending log applied in place, as Hyper-V does on open.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "vhdchain/chain.h"
#include "vhdchain/write.h"
#include "write/vhdx/crash_hook.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

ImageSpec pending_spec() {
  ImageSpec spec;
  spec.virtual_size = 16 * kMiB;
  spec.block_size = kMiB;
  spec.blocks[0] = BlockSpec::full();
  spec.blocks[2] = BlockSpec::full();
  spec.blocks[5] = BlockSpec::with_state(BlockState::zero);
  VhdxLogSpec log;
  log.log_guid = *Guid::parse("8b5c2e4f-1d3a-4e6b-9c7d-0a1b2c3d4e5f");
  log.pending_blocks[2] = BlockState::not_present;
  log.entry_count = 2;
  spec.vhdx.log = log;
  return spec;
}

// Everything after the two headers: the region tables, metadata, BAT and payload (the log region
// keeps its now-inactive entries, as after Hyper-V's own replay).
std::vector<uint8_t> after_headers(std::vector<uint8_t> bytes) {
  bytes.erase(bytes.begin(), bytes.begin() + 0x30000);
  return bytes;
}

TEST(ReplayVhdx, AppliesThePendingLogInPlace) {
  TempDir t;
  const BuiltImage built = build_image(pending_spec());
  const std::string path = path_of(t / "dirty.vhdx");
  built.write(path);
  const std::string seen_before = chain_sha256(path);  // replayed in memory

  const ReplayResult r = replay_pending(path);
  EXPECT_TRUE(r.was_pending);
  EXPECT_EQ(r.entries_replayed, 2u);
  const ImageInfo info = open_image_file(path)->info();
  EXPECT_FALSE(info.log.pending);
  EXPECT_EQ(chain_sha256(path), seen_before);
  // Byte for byte the file the builder says replay must produce (headers aside: new GUIDs).
  EXPECT_EQ(after_headers(read_file_bytes(path)), after_headers(built.replayed->to_vector()));
}

TEST(ReplayVhdx, CleanFileIsLeftUntouched) {
  TempDir t;
  const std::string path = path_of(t / "clean.vhdx");
  build_image(vhdx_base_spec(4)).write(path);
  const std::vector<uint8_t> before = read_file_bytes(path);
  const auto mtime_before = fs::last_write_time(path);
  EXPECT_EQ(count_io_events([&] { EXPECT_FALSE(replay_pending(path).was_pending); }), 0u);
  EXPECT_EQ(read_file_bytes(path), before);
  EXPECT_EQ(fs::last_write_time(path), mtime_before);
}

// Issue 13: a log the bounds refuse (case 1: a zero descriptor of 0x3fffffff00000000 bytes) or
// whose replayed BAT does not validate (case 3) is refused before the first I/O.
TEST(ReplayVhdx, RefusedLogsCostNoWrite) {
  TempDir t;
  const std::string path = path_of(t / "dirty.vhdx");
  ImageSpec unbounded = pending_spec();
  const uint64_t end = build_image(unbounded).file.size();
  unbounded.vhdx.log->extra_descriptors = {{true, end, 0x3fffffff00000000, {}}};
  ImageSpec bad_bat = pending_spec();
  const BuiltImage plain = build_image(bad_bat);
  std::vector<uint8_t> page = plain.replayed->read(plain.layout.offset("bat"), 4096);
  page[1] |= 0x01;  // entry 0, reserved bit 8
  bad_bat.vhdx.log->extra_descriptors = {{false, plain.layout.offset("bat"), 0, page}};
  for (const ImageSpec* spec : {&unbounded, &bad_bat}) {
    build_image(*spec).write(path);
    const std::vector<uint8_t> before = read_file_bytes(path);
    const CrashAfter counter(0);  // counts I/O events, never crashes
    // The write preflight refuses it (ErrorCode::refused) with the reader's message.
    try {
      replay_pending(path);
      ADD_FAILURE() << "not refused";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::refused) << e.what();
    }
    EXPECT_EQ(CrashAfter::events(), 0u);
    EXPECT_EQ(read_file_bytes(path), before);
  }
}

TEST(ReplayVhdx, EveryCrashPointStillReadsTheReplayedContent) {
  TempDir t;
  const BuiltImage built = build_image(pending_spec());
  const std::string path = path_of(t / "dirty.vhdx");
  built.write(path);
  const std::vector<uint8_t> original = read_file_bytes(path);
  const std::string want = chain_sha256(path);
  const uint64_t total = count_io_events([&] { replay_pending(path); });
  ASSERT_GT(total, 6u);
  for (uint64_t n = 1; n <= total; ++n) {
    write_file_bytes(path, original);
    ASSERT_TRUE(run_crashing_after(n, [&] { replay_pending(path); })) << n;
    EXPECT_EQ(chain_sha256(path), want) << "crash after I/O " << n;
    replay_pending(path);  // finishes what the crash left
    EXPECT_FALSE(open_image_file(path)->info().log.pending) << n;
    EXPECT_EQ(after_headers(read_file_bytes(path)), after_headers(built.replayed->to_vector())) << n;
  }
}

}  // namespace
}  // namespace vhdchain::test
