// The repair commands killed (SIGKILL) after every one of their I/O events, then checked: the file
// opens, reads as before or as after (a pending log replayed), and the next repair finishes it.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "vhdchain/file.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/kill_sweep.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The file without what differs between two correct runs: the headers (new GUIDs, sequence
// numbers) and the log region (entries under a new LogGuid).
std::vector<uint8_t> without_headers_and_log(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  const json info = run_cli({"info", "--json", path}).json().at("images")[0];
  const uint64_t log_at = info.at("log").at("offset"), log_length = info.at("log").at("length");
  std::fill(bytes.begin(), bytes.begin() + 0x30000, 0);
  std::fill(bytes.begin() + static_cast<ptrdiff_t>(log_at), bytes.begin() + static_cast<ptrdiff_t>(log_at + log_length), 0);
  return bytes;
}

json locators_of(const std::string& path) {
  CliRun r = run_cli({"info", "--json", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.json().at("images")[0].at("parent").at("locator_entries");
}

TEST(RepairKill, SetParentVhdxAtEveryIoEvent) {
  TempDir t;
  const BuiltImage base = build_image(vhdx_base_spec(1));
  base.write(t / "base.vhdx");
  fs::create_directories(t / "sub");
  base.write(t / "sub" / "base.vhdx");
  const std::string child = path_of(t / "child.avhdx");
  vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}, {"parent_linkage2", Guid{}.to_braced_string()}}).write(child);
  const std::vector<uint8_t> original = read_file_bytes(child);
  const json old_locators = locators_of(child);
  const std::vector<std::string> args = {"repair", "--yes", child, "--set-parent", path_of(t / "sub" / "base.vhdx")};

  ASSERT_EQ(run_cli(args).exit_code, 0);
  const json new_locators = locators_of(child);
  ASSERT_NE(new_locators, old_locators);
  const std::vector<uint8_t> after = without_headers_and_log(child);
  write_file_bytes(child, original);
  const std::vector<uint8_t> before = without_headers_and_log(child);

  int saw_old = 0, saw_new = 0;
  const uint64_t total = sweep_kills(args, [&] { write_file_bytes(child, original); }, [&](uint64_t n) {
    const json seen = locators_of(child);
    EXPECT_TRUE(seen == old_locators || seen == new_locators) << "killed after I/O " << n << ": " << seen.dump();
    (seen == old_locators ? saw_old : saw_new)++;
    CliRun finish = run_cli({"repair", "--replay-log", child});
    EXPECT_EQ(finish.exit_code, 0) << finish.err;
    const std::vector<uint8_t> now = without_headers_and_log(child);
    EXPECT_TRUE(now == before || now == after) << "killed after I/O " << n;
    EXPECT_EQ(locators_of(child), seen) << n;
    CliRun check = run_cli({"check", "--json", path_of(t.path())});
    EXPECT_EQ(check.exit_code, 0) << check.out;
  });
  // Planning reads; the session then writes: header x2, the entry, header, the sectors, header.
  EXPECT_EQ(total, 13u);
  EXPECT_EQ(saw_old, 6);
  EXPECT_EQ(saw_new, 7);
}

// VHD has no log: repair goes through the sidecar journal. A kill leaves the old file, a journal
// that the next repair finishes, or the new file; byte for byte one of the two.
TEST(RepairKill, SetParentVhdAtEveryIoEvent) {
  TempDir t;
  ChainSpec spec;
  ImageSpec base;
  base.format = Format::vhd;
  base.blocks[0] = BlockSpec::full();
  ImageSpec child;
  child.format = Format::vhd;
  child.virtual_size = 0;
  child.seed = 2;
  child.blocks[1] = BlockSpec::partial({{0, 8}, {100, 3}});
  spec.layers = {{base, "legacy.vhd"}, {child, "legacy_1.avhd"}};
  build_chain(spec).write(t.path());
  fs::create_directories(t / "moved");
  fs::copy_file(t / "legacy.vhd", t / "moved" / "legacy.vhd");
  const std::string path = path_of(t / "legacy_1.avhd");
  const std::string journal = path + ".vhdchain-journal";
  const std::string partial = path_of(t / ".legacy_1.avhd.vhdchain-journal.vhdchain-partial");
  const std::vector<uint8_t> original = read_file_bytes(path);
  const std::vector<std::string> args = {"repair", "--yes", path, "--set-parent", path_of(t / "moved" / "legacy.vhd")};
  CliRun first = run_cli(args);
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  const std::vector<uint8_t> after = read_file_bytes(path);
  ASSERT_NE(after, original);
  ASSERT_FALSE(fs::exists(journal));
  const CliRun want = run_cli({"export", path, "--raw", "-"});

  int saw_journal = 0;
  sweep_kills(args, [&] { write_file_bytes(path, original); fs::remove(journal); fs::remove(partial); }, [&](uint64_t n) {
    if (fs::exists(journal)) {
      ++saw_journal;
      CliRun check = run_cli({"check", "--json", path_of(t.path())});
      const std::vector<std::string> codes = finding_codes(check.json());
      EXPECT_NE(std::find(codes.begin(), codes.end(), "write.interrupted"), codes.end()) << check.out;
      CliRun finish = run_cli({"repair", "--replay-log", path});
      EXPECT_EQ(finish.exit_code, 0) << finish.err;
    }
    EXPECT_FALSE(fs::exists(journal)) << n;
    const std::vector<uint8_t> now = read_file_bytes(path);
    EXPECT_TRUE(now == original || now == after) << "killed after I/O " << n;
    CliRun check = run_cli({"check", "--json", path_of(t.path())});
    EXPECT_LE(check.exit_code, 1) << check.out;
    EXPECT_TRUE(run_cli({"export", path, "--raw", "-"}).out == want.out) << n;
  });
  EXPECT_GT(saw_journal, 0);
}

// SIGKILL from outside at random moments (the sweep above stops only between I/O calls; this also
// lands inside them and inside the reads and planning).
TEST(RepairKill, SetParentVhdxKilledAtRandomTimes) {
  TempDir t;
  const BuiltImage base = build_image(vhdx_base_spec(1));
  base.write(t / "base.vhdx");
  fs::create_directories(t / "sub");
  base.write(t / "sub" / "base.vhdx");
  const std::string child = path_of(t / "child.avhdx");
  vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).write(child);
  const std::vector<uint8_t> original = read_file_bytes(child);
  const json old_locators = locators_of(child);
  const std::vector<std::string> args = {"repair", "--yes", child, "--set-parent", path_of(t / "sub" / "base.vhdx")};
  // The delays are drawn within how long the command takes on this machine now (the fastest of
  // three whole runs), not a fixed span: on a fast idle machine a fixed 30 ms could all fall after
  // the command's end, on a loaded one all before its first write.
  uint64_t run_us = UINT64_MAX;
  for (int i = 0; i < 3; ++i) {
    write_file_bytes(child, original);
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(run_cli(args).exit_code, 0);
    const auto took = std::chrono::steady_clock::now() - started;
    run_us = std::min<uint64_t>(run_us, std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  }
  const json new_locators = locators_of(child);
  std::mt19937_64 random(20261205);
  int killed = 0;
  for (int i = 0; i < 40; ++i) {
    write_file_bytes(child, original);
    const uint64_t delay = std::uniform_int_distribution<uint64_t>(0, run_us)(random);
    const int status = run_killed_at(delay, args);
    EXPECT_TRUE(status == -1 || status == 0) << status;
    killed += status == -1;
    const json seen = locators_of(child);
    EXPECT_TRUE(seen == old_locators || seen == new_locators) << "killed after " << delay << " us";
    EXPECT_EQ(run_cli({"repair", "--replay-log", child}).exit_code, 0);
    EXPECT_EQ(locators_of(child), seen);
  }
  // Every delay is shorter than the fastest whole run: most runs are killed mid-way.
  EXPECT_GT(killed, 0) << "the command ran in " << run_us << " us";
}

TEST(RepairKill, ALockedFileIsRefused) {
  TempDir t;
  const BuiltImage base = build_image(vhdx_base_spec(1));
  base.write(t / "base.vhdx");
  const std::string child = path_of(t / "child.avhdx");
  vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).write(child);
  const std::vector<uint8_t> original = read_file_bytes(child);
  fs::create_directories(t / "sub");
  base.write(t / "sub" / "base.vhdx");
  auto holder = File::open(child, OpenMode::read_write);  // takes the lock, as another writer would
  CliRun r = run_cli({"repair", "--yes", child, "--set-parent", path_of(t / "sub" / "base.vhdx")});
  // A locked file is a refusal of the write preflight (issue 13): exit 2 with the reason among the
  // refusals, no longer exit 3 from the writer's own open.
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("  REFUSED     " + child + ": is locked by another process\n"), std::string::npos) << r.out;
  EXPECT_EQ(read_file_bytes(child), original);
}

// A running VM under QEMU: qemu holds byte-range (OFD) locks on its images, which flock() misses.
TEST(RepairKill, AFileQemuHoldsIsRefused) {
  TempDir t;
  const std::string path = path_of(t / "dirty.vhdx");
  build_image(dirty_vhdx_spec(6, *Guid::parse("11111111-2222-4333-8444-666666666666"))).write(path);
  const std::vector<uint8_t> original = read_file_bytes(path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct flock shared {};
  shared.l_type = F_RDLCK;  // QEMU's "shared" permission lock bytes start at offset 100
  shared.l_whence = SEEK_SET;
  shared.l_start = 100;
  shared.l_len = 1;
  ASSERT_EQ(::fcntl(fd, F_OFD_SETLK, &shared), 0);
  CliRun r = run_cli({"repair", "--replay-log", path});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 2);  // the write preflight refuses it (issue 13): a refusal, no longer exit 3
  EXPECT_EQ(r.err, "vhdchain: " + path + ": is in use by another process (it holds a byte-range lock, as QEMU does)\n");
  EXPECT_EQ(read_file_bytes(path), original);
}

TEST(RepairKill, ReplayLogAtEveryIoEvent) {
  TempDir t;
  const BuiltImage built = build_image(dirty_vhdx_spec(5, *Guid::parse("11111111-2222-4333-8444-555555555555")));
  const std::string path = path_of(t / "dirty.vhdx");
  built.write(path);
  const std::vector<uint8_t> original = read_file_bytes(path);
  CliRun want = run_cli({"export", path, "--raw", "-"});
  ASSERT_EQ(want.exit_code, 0);
  const std::vector<std::string> args = {"repair", "--replay-log", path};
  const uint64_t total = sweep_kills(args, [&] { write_file_bytes(path, original); }, [&](uint64_t n) {
    CliRun seen = run_cli({"export", path, "--raw", "-"});
    EXPECT_EQ(seen.exit_code, 0) << seen.err;
    EXPECT_TRUE(seen.out == want.out) << "killed after I/O " << n;
    EXPECT_EQ(run_cli(args).exit_code, 0);
    EXPECT_EQ(run_cli({"info", "--json", path}).json().at("images")[0].at("log").at("pending"), false) << n;
    EXPECT_TRUE(run_cli({"export", path, "--raw", "-"}).out == want.out) << n;
  });
  EXPECT_GE(total, 8u);
}

}  // namespace
}  // namespace vhdchain::test
