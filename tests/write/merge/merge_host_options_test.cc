// The host options (--map, --volumes) mean the same in every command that opens a chain: a chain
// copied from a Windows host, whose child names its parent only by that host's path, is found by
// check, exported and merged with the very options check was given (issue 16).
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// host-c/ is the host's C: drive; the parent is C:\VMs\base.vhdx. The child was copied to another
// folder and stores only absolute_win32_path, so nothing beside it names the parent: without
// --map the chain cannot be opened at all.
struct CopiedFromWindows {
  TempDir t;
  std::string host_c = path_of(t / "host-c");
  std::string base = host_c + "/VMs/base.vhdx";
  std::string copied = path_of(t / "copied");
  std::string child = copied + "/base_1.avhdx";
  std::string map = "C:\\=" + host_c;
  CopiedFromWindows() {
    fs::create_directories(host_c + "/VMs");
    fs::create_directories(copied);
    const BuiltImage parent = build_image(vhdx_base_spec(11));
    parent.write(base);
    vhdx_child(parent, 12, {{"absolute_win32_path", "C:\\VMs\\base.vhdx"}}).write(child);
  }
};

TEST(HostOptions, AChainCheckResolvesWithMapIsExportedAndMergedWithTheSameOptions) {
  CopiedFromWindows c;
  const std::vector<std::string> host = {"--map", c.map, "--volumes",
                                         std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-mountvol.txt"};
  auto with_host = [&](std::vector<std::string> args) {
    args.insert(args.end() - 1, host.begin(), host.end());  // before the last operand
    return args;
  };

  const CliRun checked = run_cli(with_host({"check", "--json", c.copied}));
  ASSERT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(finding_codes(checked.json()), std::vector<std::string>{});

  // Without the options the parent is nowhere: exit 2, nothing written.
  const CliRun unmapped = run_cli({"export", c.child, "--raw", path_of(c.t / "unmapped.raw")});
  EXPECT_EQ(unmapped.exit_code, 2) << unmapped.err;
  EXPECT_FALSE(fs::exists(c.t / "unmapped.raw"));

  const std::string before_raw = path_of(c.t / "before.raw");
  const CliRun exported = run_cli(with_host({"export", "--raw", before_raw, c.child}));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  ASSERT_EQ(fs::file_size(before_raw), 64 * kMiB);

  const std::string base_before = file_bytes(c.base);
  const CliRun refused = run_cli({"merge", "--yes", c.child});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_EQ(file_bytes(c.base), base_before);

  const CliRun merged = run_cli(with_host({"merge", "--yes", "--json", "--progress", "none", c.child}));
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  EXPECT_EQ(merged.json().at("target"), c.base);

  // The target alone now reads as the chain did.
  const std::string after_raw = path_of(c.t / "after.raw");
  const CliRun base_export = run_cli({"export", "--raw", after_raw, c.base});
  ASSERT_EQ(base_export.exit_code, 0) << base_export.err;
  EXPECT_TRUE(file_bytes(after_raw) == file_bytes(before_raw));
  EXPECT_FALSE(file_bytes(c.base) == base_before);
}

}  // namespace
}  // namespace vhdchain::test
