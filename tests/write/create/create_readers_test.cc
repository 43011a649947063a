// Independent readers on disks `vhdchain create` made: qemu-img (info, check, compare with zeros)
// on fixed and dynamic disks, libvhdi (pyvhdi with set_parent) on a differencing child, which must
// read exactly as its parent. A missing reader skips, unless VHDCHAIN_REQUIRE_SHARED=1 or CI=true.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/image_builder.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "write/create/external_tool.h"

namespace vhdchain::test {
namespace {

const std::string kQemuImg = "/usr/bin/qemu-img";

std::string sha256_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  Sha256 hash;
  std::vector<uint8_t> buf(kMiB);
  while (in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    hash.update(std::span<const uint8_t>(buf.data(), static_cast<size_t>(in.gcount())));
  return hash.finish_hex();
}

void create(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {VHDCHAIN_CLI_PATH, "create"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ToolRun run = run_tool(argv);
  ASSERT_EQ(run.exit_code, 0) << run.err;
}

class CreateQemu : public ::testing::TestWithParam<std::string> {};

TEST_P(CreateQemu, InfoCheckAndCompareWithZeros) {
  VHDCHAIN_REQUIRE_TOOL(kQemuImg);
  TempDir dir;
  const std::string disk = (dir / "d.vhdx").string();
  create({"--size", "64M", "--type", GetParam(), "--block-size", "8M", disk});

  const ToolRun info = run_tool({kQemuImg, "info", "--output=json", disk});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const nlohmann::json j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j.at("format"), "vhdx");
  EXPECT_EQ(j.at("virtual-size"), 64 * kMiB);

  const ToolRun check = run_tool({kQemuImg, "check", "-f", "vhdx", disk});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out, "No errors were found on the image.\n");

  const std::filesystem::path zeros = dir / "zeros.raw";
  { std::ofstream(zeros, std::ios::binary); }
  std::filesystem::resize_file(zeros, 64 * kMiB);
  const ToolRun same = run_tool({kQemuImg, "compare", "-f", "vhdx", "-F", "raw", disk, zeros.string()});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_EQ(same.out, "Images are identical.\n");
  // The comparison can fail: one byte that is not zero is seen.
  {
    std::fstream f(zeros, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40 * kMiB + 7);
    f.put('\x01');
  }
  EXPECT_EQ(run_tool({kQemuImg, "compare", "-f", "vhdx", "-F", "raw", disk, zeros.string()}).exit_code, 1);
}

INSTANTIATE_TEST_SUITE_P(Types, CreateQemu, ::testing::Values("fixed", "dynamic"));

TEST(CreateLibvhdi, ChildReadsAsItsParent) {
  VHDCHAIN_REQUIRE_TOOL(VHDCHAIN_CREATE_PYTHON);
  TempDir dir;
  ImageSpec parent;
  parent.virtual_size = 48 * kMiB;
  parent.blocks[0] = BlockSpec{};
  parent.blocks[3] = BlockSpec::full(77);
  parent.blocks[5] = BlockSpec::with_state(BlockState::zero);
  build_image(parent).write(dir / "base.vhdx");
  const std::string base = (dir / "base.vhdx").string(), child = (dir / "child.avhdx").string();
  create({"--parent", base, child});

  const ToolRun exported = run_tool({VHDCHAIN_CLI_PATH, "export", base, "--raw", (dir / "base.raw").string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string want = sha256_of_file(dir / "base.raw");
  ASSERT_NE(want, sha256_hex(std::vector<uint8_t>(48 * kMiB, 0)));  // the parent really holds data

  const ToolRun read = run_tool({VHDCHAIN_CREATE_PYTHON, VHDCHAIN_CREATE_PYVHDI_SCRIPT, child, base});
  if (read.exit_code == 77) {
    if (external_readers_required()) FAIL() << read.err;
    GTEST_SKIP() << read.err;
  }
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, std::to_string(48 * kMiB) + " " + want + "\n");

  // Our own chain reader agrees.
  const ToolRun ours = run_tool({VHDCHAIN_CLI_PATH, "export", child, "--raw", (dir / "child.raw").string()});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(sha256_of_file(dir / "child.raw"), want);
}

}  // namespace
}  // namespace vhdchain::test
