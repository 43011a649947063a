// What create writes, next to what Hyper-V wrote (../shared/testdata/dissect, Windows 10 /
// Server 2019): the same region tables byte for byte, the same metadata table and items, and
// libvhdi reads a child created on a real Hyper-V disk exactly as that disk.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/sha256.h"
#include "support/testdata.h"
#include "write/create/external_tool.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

fs::path unpack(const fs::path& shared, const std::string& name, const TempDir& into) {
  const fs::path packed = shared / "dissect" / (name + ".gz");
  const fs::path out = into / name;
  EXPECT_TRUE(fs::exists(packed)) << packed;
  EXPECT_EQ(std::system(("gzip -dc '" + packed.string() + "' > '" + out.string() + "'").c_str()), 0);
  return out;
}

std::vector<uint8_t> bytes_at(const fs::path& path, uint64_t offset, size_t length) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<uint8_t> out(length);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(length));
  return out;
}

void run_ok(const std::vector<std::string>& argv) {
  const ToolRun run = run_tool(argv);
  ASSERT_EQ(run.exit_code, 0) << run.err;
}

TEST(CreateLikeHyperV, DifferencingChildHasHyperVsTables) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  TempDir dir;
  const fs::path hyperv = unpack(shared, "differencing.avhdx", dir);  // 8 GiB, 2 MiB blocks, 512/4096
  run_ok({VHDCHAIN_CLI_PATH, "create", "--size", "8G", (dir / "base.vhdx").string()});
  run_ok({VHDCHAIN_CLI_PATH, "create", "--parent", (dir / "base.vhdx").string(), (dir / "child.avhdx").string()});
  const fs::path ours = dir / "child.avhdx";

  // Both region tables, checksums included.
  EXPECT_EQ(bytes_at(ours, 0x30000, 0x20000), bytes_at(hyperv, 0x30000, 0x20000));
  // The metadata table header and its 6 entries: same items, offsets, flags; only the locator's
  // length differs (the paths). (Hyper-V leaves a stale entry after the counted ones: not compared.)
  const size_t used = 32 + 6 * 32;
  std::vector<uint8_t> table = bytes_at(ours, 0x200000, used), theirs = bytes_at(hyperv, 0x200000, used);
  const size_t locator_length = 32 + 5 * 32 + 20;
  std::fill_n(table.begin() + locator_length, 4, 0);
  std::fill_n(theirs.begin() + locator_length, 4, 0);
  EXPECT_EQ(table, theirs);
  // File Parameters (2 MiB, HasParent), Virtual Disk Size, Logical and Physical Sector Size.
  EXPECT_EQ(bytes_at(ours, 0x210000, 0x18), bytes_at(hyperv, 0x210000, 0x18));
  // Log placement and version fields of the header (bytes 64..79).
  EXPECT_EQ(bytes_at(ours, 0x10000 + 64, 16), bytes_at(hyperv, 0x10000 + 64, 16));
  // The locator's key order.
  const ToolRun info = run_tool({VHDCHAIN_CLI_PATH, "info", "--json", ours.string()});
  const ToolRun hyperv_info = run_tool({VHDCHAIN_CLI_PATH, "info", "--json", hyperv.string()});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto keys = [](const std::string& text) {
    std::vector<std::string> out;
    const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
    for (const auto& e : j.at("images").at(0).at("parent").at("locator_entries")) out.push_back(e.at("key"));
    return out;
  };
  std::vector<std::string> hyperv_keys = keys(hyperv_info.out);
  std::erase_if(hyperv_keys, [](const std::string& k) { return k == "absolute_win32_path" || k == "volume_path"; });
  EXPECT_EQ(keys(info.out), hyperv_keys);
}

TEST(CreateLikeHyperV, LibvhdiReadsAChildOfARealDiskAsTheDisk) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  VHDCHAIN_REQUIRE_TOOL(VHDCHAIN_CREATE_PYTHON);
  for (const std::string name : {"dynamic.vhdx", "fixed.vhdx"}) {
    TempDir dir;
    const fs::path parent = unpack(shared, name, dir);
    const std::string child = (dir / "child.avhdx").string();
    run_ok({VHDCHAIN_CLI_PATH, "create", "--parent", parent.string(), child});
    run_ok({VHDCHAIN_CLI_PATH, "export", parent.string(), "--raw", (dir / "parent.raw").string()});
    std::ifstream in(dir / "parent.raw", std::ios::binary);
    const std::vector<uint8_t> raw((std::istreambuf_iterator<char>(in)), {});
    const ToolRun read = run_tool({VHDCHAIN_CREATE_PYTHON, VHDCHAIN_CREATE_PYVHDI_SCRIPT, child, parent.string()});
    if (read.exit_code == 77) {
      if (external_readers_required()) FAIL() << read.err;
      GTEST_SKIP() << read.err;
    }
    EXPECT_EQ(read.out, std::to_string(raw.size()) + " " + sha256_hex(raw) + "\n") << name << read.err;
  }
}

}  // namespace
}  // namespace vhdchain::test
