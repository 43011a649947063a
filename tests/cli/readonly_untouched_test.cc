// Read-only commands (info, check, export) leave every input byte-identical with its mtime
// unchanged, pending VHDX logs included: the log is replayed in memory, never into the file.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

struct Stamp {
  std::string sha;
  int64_t mtime_sec = 0, mtime_nsec = 0;
  uint64_t size = 0;
  friend bool operator==(const Stamp&, const Stamp&) = default;
};

Stamp stamp(const fs::path& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return {sha256_hex(read_file_bytes(path)), st.st_mtim.tv_sec, st.st_mtim.tv_nsec, static_cast<uint64_t>(st.st_size)};
}

std::map<std::string, Stamp> stamps(const fs::path& dir) {
  std::map<std::string, Stamp> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[e.path().string()] = stamp(e.path());
  return out;
}

void run_every_read_only_command(const fs::path& dir, const std::vector<std::string>& files) {
  for (const std::string& f : files) {
    EXPECT_NE(run_cli({"info", f}).exit_code, 3) << f;
    EXPECT_NE(run_cli({"info", "--json", f}).exit_code, 3) << f;
    run_cli({"export", f, "--raw", "-"});
  }
  run_cli({"check", dir.string()});
  run_cli({"check", "--json", "--deep", dir.string()});
  run_cli({"check", "--format", "prometheus", dir.string()});
}

TEST(ReadOnlyCommands, LeaveSyntheticImagesUntouched) {
  TempDir t;
  const fs::path dir = t / "vms";
  fs::create_directories(dir);
  // A dirty VHDX, a chain, a VHD chain.
  build_image(dirty_vhdx_spec(3, *Guid::parse("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"))).write(dir / "dirty.vhdx");
  const BuiltImage base = build_image(vhdx_base_spec(1));
  base.write(dir / "base.vhdx");
  vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).write(dir / "base_1.avhdx");
  ChainSpec vhd;
  ImageSpec vhd_base;
  vhd_base.format = Format::vhd;
  vhd_base.blocks[0] = BlockSpec::full();
  ImageSpec vhd_child;
  vhd_child.format = Format::vhd;
  vhd_child.virtual_size = 0;
  vhd_child.seed = 4;
  vhd_child.blocks[1] = BlockSpec::partial({{0, 8}});
  vhd.layers = {{vhd_base, "legacy.vhd"}, {vhd_child, "legacy_1.avhd"}};
  build_chain(vhd).write(dir);

  const auto before = stamps(dir);
  ASSERT_EQ(before.size(), 5u);
  run_every_read_only_command(dir, {(dir / "dirty.vhdx").string(), (dir / "base_1.avhdx").string(),
                                    (dir / "legacy_1.avhd").string()});
  EXPECT_EQ(stamps(dir), before);
  // The dirty log is still pending on disk.
  EXPECT_EQ(run_cli({"info", "--json", (dir / "dirty.vhdx").string()}).json().at("images")[0].at("log").at("pending"), true);
}

TEST(ReadOnlyCommands, LeaveTheRealDirtyLogImagesUntouched) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  TempDir t;
  const fs::path dir = t / "real";
  fs::create_directories(dir);
  ASSERT_EQ(std::system(("gzip -dc '" + (shared / "discutils/vhdx-log-replay.vhdx.gz").string() + "' > '" +
                         (dir / "a.vhdx").string() + "'").c_str()), 0);
  ASSERT_EQ(std::system(("gzip -dc '" + (shared / "adiskreader/small_ntfs_test.vhdx.gz").string() + "' > '" +
                         (dir / "b.vhdx").string() + "'").c_str()), 0);
  const auto before = stamps(dir);
  run_every_read_only_command(dir, {(dir / "a.vhdx").string(), (dir / "b.vhdx").string()});
  EXPECT_EQ(stamps(dir), before);
}

}  // namespace
}  // namespace vhdchain::test
