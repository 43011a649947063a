// Killing `vhdchain create` after every single I/O event (SIGKILL, nothing unwinds): the target is
// either absent or a whole disk, and the next create of the same name succeeds (the partial file
// of the killed run is removed).
#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include "support/image_builder.h"
#include "support/testdata.h"
#include "vhdchain/disk_image.h"
#include "write/create/external_tool.h"
#include "write/new_file.h"

namespace vhdchain::test {
namespace {

struct KillCase {
  std::string name;
  std::vector<std::string> args;  // create's options, PATH appended
  vhdchain::DiskType type;
  uint64_t virtual_size;
  bool vhd = false;  // a VHD (parent base.vhd, target disk.avhd)
};

class CreateKill : public ::testing::TestWithParam<KillCase> {};

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_P(CreateKill, EveryStopLeavesNoDiskOrAWholeOne) {
  const KillCase& c = GetParam();
  TempDir dir;
  ImageSpec parent;
  parent.format = c.vhd ? Format::vhd : Format::vhdx;
  parent.virtual_size = 96 * kMiB;
  parent.blocks[1] = BlockSpec{};
  const std::filesystem::path parent_path = dir / (c.vhd ? "base.vhd" : "base.vhdx");
  build_image(parent).write(parent_path);
  const std::string target = (dir / (c.vhd ? "disk.avhd" : "disk.avhdx")).string();
  std::vector<std::string> argv = {VHDCHAIN_CLI_PATH, "create"};
  for (const std::string& a : c.args) argv.push_back(a == "PARENT" ? parent_path.string() : a);
  argv.push_back(target);

  const std::filesystem::path events = dir / "events.txt";
  const ToolRun counted = run_tool(argv, {"VHDCHAIN_FAULT_COUNT_FILE=" + events.string()});
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  const std::vector<std::string> lines = read_lines(events);
  // VHDX at least: resize, identifier, 2 headers, 2 region tables, metadata, flush, rename. VHD:
  // the whole small file in one write (a fixed disk: resize and the footer), flush, rename.
  ASSERT_GE(lines.size(), c.vhd ? 3u : 9u);
  size_t rename_at = 0;
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].rfind("rename ", 0) == 0) rename_at = i + 1;
  ASSERT_NE(rename_at, 0u) << "no rename among the events";
  std::filesystem::remove(target);

  auto expect_whole = [&](const std::string& when) {
    const std::unique_ptr<DiskImage> image = open_image_file(target);
    EXPECT_EQ(image->info().type, c.type) << when;
    EXPECT_EQ(image->info().virtual_size, c.virtual_size) << when;
    for (const Note& note : image->info().notes)  // VHD: Hyper-V's sizes rarely fit the CHS geometry
      EXPECT_TRUE(c.vhd && note.code == "vhd.chs_size_differs") << when << ": " << note.code;
  };
  for (size_t n = 1; n <= lines.size(); ++n) {
    const std::string when = "killed after event " + std::to_string(n) + " (" + lines[n - 1] + ")";
    const ToolRun killed = run_tool(argv, {"VHDCHAIN_FAULT_AFTER_IO=" + std::to_string(n)});
    EXPECT_EQ(killed.signal, SIGKILL) << when << ": " << killed.err;
    // Before the rename, no disk by that name; from it on, the whole disk.
    ASSERT_EQ(std::filesystem::exists(target), n >= rename_at) << when;
    if (n >= rename_at) {
      expect_whole(when);
      std::filesystem::remove(target);
    }
    const ToolRun again = run_tool(argv);
    EXPECT_EQ(again.exit_code, 0) << when << ": " << again.err;
    expect_whole(when + ", then created again");
    EXPECT_FALSE(std::filesystem::exists(write::NewFile::partial_path_for(target))) << when;
    std::filesystem::remove(target);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, CreateKill,
    ::testing::Values(
        KillCase{"fixed", {"--format", "vhdx", "--size", "5M", "--type", "fixed", "--block-size", "1M"},
                 vhdchain::DiskType::fixed, 5 * kMiB},
        KillCase{"dynamic", {"--size", "1G"}, vhdchain::DiskType::dynamic, kGiB},
        KillCase{"differencing", {"--parent", "PARENT"}, vhdchain::DiskType::differencing, 96 * kMiB},
        KillCase{"vhd_fixed", {"--size", "5M", "--type", "fixed"}, vhdchain::DiskType::fixed, 5 * kMiB, true},
        KillCase{"vhd_dynamic", {"--size", "1G"}, vhdchain::DiskType::dynamic, kGiB, true},
        KillCase{"vhd_differencing", {"--parent", "PARENT"}, vhdchain::DiskType::differencing, 96 * kMiB, true}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace vhdchain::test
