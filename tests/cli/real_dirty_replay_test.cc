// The real images left with a pending log, replayed in place by `repair --replay-log`.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

int shell(const std::string& command) { return std::system(command.c_str()); }

// SHA-256 of the virtual disk as `vhdchain export` writes it (sha256sum is fast on 10 GiB).
std::string exported_sha256(const std::string& path) {
  const std::string out = path + ".sha";
  EXPECT_EQ(shell(std::string("'") + VHDCHAIN_CLI_PATH + "' export '" + path + "' --raw - | sha256sum | cut -c1-64 > '" + out + "'"), 0);
  std::string sha;
  std::getline(*std::make_unique<std::ifstream>(out), sha);
  fs::remove(out);
  return sha;
}

// Two of the three real images left with a pending log (PROVENANCE.md: a Windows 10 image from
// DiscUtils, a Windows Server 2022 one; QEMU's 10 GiB one costs minutes here and its replay is the
// same code). After the replay in place, qemu-img, which
// refuses to open them read-only while the log is pending, reads them and agrees with us and with
// the ground truth (the SHA-256 values are tests/golden/images.py's).
struct DirtyImage {
  const char* stored;
  const char* decompress;
  const char* sha256;
};
const DirtyImage kDirty[] = {
    {"discutils/vhdx-log-replay.vhdx.gz", "gzip -dc", "3ba3b309425b7ff5e8e0199edceed95226250f880c53b24e8eae93865f3fad5e"},
    {"adiskreader/small_ntfs_test.vhdx.gz", "gzip -dc", nullptr},
};

TEST(RepairReplayLog, RealDirtyImagesReplayedInPlaceReadTheSameEverywhere) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  const bool have_qemu = shell("command -v qemu-img >/dev/null 2>&1") == 0;
  if (!have_qemu && shared_testdata_required()) FAIL() << "qemu-img is missing (Debian qemu-utils)";
  TempDir t;
  for (const DirtyImage& d : kDirty) {
    SCOPED_TRACE(d.stored);
    const std::string path = path_of(t / "dirty.vhdx");
    fs::remove(path);
    ASSERT_EQ(shell(std::string(d.decompress) + " '" + (shared / d.stored).string() + "' > '" + path + "'"), 0);
    ASSERT_EQ(run_cli({"info", "--json", path}).json().at("images")[0].at("log").at("pending"), true);
    const std::string in_memory = exported_sha256(path);
    if (d.sha256) {
      EXPECT_EQ(in_memory, d.sha256);
    }

    CliRun replay = run_cli({"repair", "--replay-log", path});
    EXPECT_EQ(replay.exit_code, 0) << replay.err;
    EXPECT_EQ(run_cli({"info", "--json", path}).json().at("images")[0].at("log").at("pending"), false);
    EXPECT_EQ(exported_sha256(path), in_memory);
    // qemu-img refused the file while its log was pending; now it reads it.
    if (!have_qemu) continue;
    const std::string raw = path_of(t / "qemu.raw");
    ASSERT_EQ(shell("qemu-img convert -f vhdx -O raw '" + path + "' '" + raw + "'"), 0);
    ASSERT_EQ(shell("qemu-img check -f vhdx '" + path + "' >/dev/null"), 0);
    ASSERT_EQ(shell("sha256sum '" + raw + "' | cut -c1-64 > '" + raw + ".sha'"), 0);
    std::string qemu_sha;
    std::getline(*std::make_unique<std::ifstream>(raw + ".sha"), qemu_sha);
    EXPECT_EQ(qemu_sha, in_memory);
    fs::remove(raw);
  }
}

}  // namespace
}  // namespace vhdchain::test
