// `vhdchain export` through the built binary: the raw image of a chain, and every refusal of OUT
// (one of the chain's own files, an existing file, a terminal, a device smaller than the virtual
// disk). A refusal exits 3 with one message and leaves every file byte-identical, mtime included.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "cli/terminal_runner.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A file's bytes and modification time, to show a refusal wrote nothing.
struct Snapshot {
  std::string bytes;
  struct timespec mtime {};
  explicit Snapshot(const fs::path& p) : bytes(read_all(p)) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    mtime = st.st_mtim;
  }
  bool unchanged(const fs::path& p) const {
    const Snapshot now(p);
    return now.bytes == bytes && now.mtime.tv_sec == mtime.tv_sec && now.mtime.tv_nsec == mtime.tv_nsec;
  }
};

class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::make_unique<BuiltImage>(build_image(vhdx_base_spec(1)));
    base_->write(t_ / "base.vhdx");
    vhdx_child(*base_, 2, {{"relative_path", ".\\base.vhdx"}}).write(t_ / "base_A.avhdx");
  }
  std::string at(const std::string& name) const { return path_of(t_ / name); }
  // Nothing in the folder but the chain and `others`: no temp file left behind.
  void expect_folder_holds(std::vector<std::string> others) const {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(t_.path())) names.push_back(e.path().filename().string());
    others.insert(others.end(), {"base.vhdx", "base_A.avhdx"});
    std::sort(names.begin(), names.end());
    std::sort(others.begin(), others.end());
    EXPECT_EQ(names, others);
  }
  TempDir t_;
  std::unique_ptr<BuiltImage> base_;
};

TEST_F(Export, WritesTheChainsVirtualDisk) {
  const CliRun r = run_cli({"export", at("base_A.avhdx"), "--raw", at("disk.raw")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string raw = read_all(t_ / "disk.raw");
  ASSERT_EQ(raw.size(), 64 * kMiB);
  // Block 0 from the base, block 1 from the child, the rest zeros: what `export --raw -` streams too.
  const CliRun streamed = run_cli({"export", at("base_A.avhdx"), "--raw", "-"});
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_TRUE(streamed.out == raw);
  EXPECT_NE(raw.substr(0, 2 * kMiB), std::string(2 * kMiB, '\0'));
  EXPECT_NE(raw.substr(2 * kMiB, 2 * kMiB), std::string(2 * kMiB, '\0'));
  EXPECT_EQ(raw.substr(4 * kMiB), std::string(60 * kMiB, '\0'));
  expect_folder_holds({"disk.raw"});
}

TEST_F(Export, RefusesToWriteOntoOneOfTheChainsOwnFiles) {
  const Snapshot base(t_ / "base.vhdx"), child(t_ / "base_A.avhdx");
  for (const std::string& out : {at("base.vhdx"), at("base_A.avhdx")}) {
    const CliRun r = run_cli({"export", at("base_A.avhdx"), "--raw", out, "--force"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err, "vhdchain: " + out + ": is one of the chain's own files; refusing to overwrite an input\n");
    EXPECT_EQ(r.out, "");
  }
  // Through another name (a hard link) it is still the same file.
  fs::create_hard_link(t_ / "base.vhdx", t_ / "same.vhdx");
  const CliRun r = run_cli({"export", at("base_A.avhdx"), "--raw", at("same.vhdx"), "--force"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "vhdchain: " + at("same.vhdx") + ": is one of the chain's own files; refusing to overwrite an input\n");
  EXPECT_TRUE(base.unchanged(t_ / "base.vhdx"));
  EXPECT_TRUE(child.unchanged(t_ / "base_A.avhdx"));
  expect_folder_holds({"same.vhdx"});
}

TEST_F(Export, RefusesAnExistingFileWithoutForce) {
  std::ofstream(t_ / "disk.raw") << "keep me";
  const Snapshot before(t_ / "disk.raw");
  const CliRun r = run_cli({"export", at("base_A.avhdx"), "--raw", at("disk.raw")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "vhdchain: " + at("disk.raw") + ": already exists; use --force to replace it\n");
  EXPECT_TRUE(before.unchanged(t_ / "disk.raw"));
  expect_folder_holds({"disk.raw"});

  const CliRun forced = run_cli({"export", at("base_A.avhdx"), "--raw", at("disk.raw"), "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(fs::file_size(t_ / "disk.raw"), 64 * kMiB);
}

TEST_F(Export, RefusesToWriteToATerminal) {
  const TerminalRun r = run_on_terminal({"export", at("base_A.avhdx"), "--raw", "-"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.screen, "vhdchain: refusing to write a raw disk image to a terminal; redirect stdout or give a file name\r\n");
  expect_folder_holds({});
}

// A block device smaller than the virtual disk: a loop device over a 1 MiB file. Needs root and a
// free loop device; without them the test says so and skips (a FIFO or character device is a
// stream, which has no size to refuse).
TEST_F(Export, RefusesADeviceSmallerThanTheVirtualDisk) {
  const fs::path backing = t_ / "small.img";
  std::ofstream(backing, std::ios::binary) << std::string(kMiB, 'x');
  const std::string attach = "losetup --find --show " + backing.string() + " 2>/dev/null";
  std::string device;
  if (FILE* p = ::popen(attach.c_str(), "r")) {
    char line[256] = {};
    if (std::fgets(line, sizeof line, p)) device = line;
    ::pclose(p);
  }
  while (!device.empty() && (device.back() == '\n' || device.back() == ' ')) device.pop_back();
  if (device.empty() || !fs::is_block_file(device)) GTEST_SKIP() << "no loop device could be attached (needs root and /dev/loop*)";
  struct Detach {
    std::string device;
    ~Detach() { std::system(("losetup -d " + device).c_str()); }
  } detach{device};

  const Snapshot before(backing);
  const CliRun plain = run_cli({"export", at("base_A.avhdx"), "--raw", device});
  EXPECT_EQ(plain.exit_code, 3);
  EXPECT_EQ(plain.err, "vhdchain: " + device + ": already exists; use --force to replace it\n");
  const CliRun r = run_cli({"export", at("base_A.avhdx"), "--raw", device, "--force"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "vhdchain: " + device + ": the device holds 1048576 bytes, the virtual disk needs 67108864\n");
  EXPECT_EQ(read_all(backing), before.bytes);
}

}  // namespace
}  // namespace vhdchain::test
