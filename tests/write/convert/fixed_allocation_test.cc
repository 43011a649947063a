// Truly fixed disks (issue 15, part 3): create --type fixed allocates the file on its volume and is
// refused, writing nothing, when the volume lacks the space; check counts what a sparse fixed disk
// has not allocated as growth (capacity.fixed_sparse). The volumes are small tmpfs mounts in a
// private mount namespace, so free space and allocation are exact (pages), not the test machine's.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using hostpath::test::ChildResult;

constexpr uint64_t kMiB = 1 << 20;

uint64_t allocated(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

json run_json(const CliRun& r) { return {{"exit", r.exit_code}, {"out", r.out}, {"err", r.err}}; }

// Runs fn in a child on a tmpfs of `bytes` mounted at dir/vol; returns its JSON, or skips.
json on_small_volume(const TempDir& t, uint64_t bytes, const std::function<json(const std::string&)>& fn) {
  const std::string volume = (t / "vol").string();
  fs::create_directories(volume);
  const ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::tmpfs_in_private_namespace(volume, bytes);
    return fn(volume).dump();
  });
  if (r.kind == ChildResult::skipped) return json{{"skipped", r.text}};
  if (r.kind != ChildResult::ok) return json{{"failed", r.text}};
  return json::parse(r.text);
}

#define SKIP_OR_FAIL(facts)                                                                   \
  if ((facts).contains("skipped")) GTEST_SKIP() << "no private tmpfs here: " << (facts)["skipped"]; \
  ASSERT_FALSE((facts).contains("failed")) << (facts)["failed"]

TEST(FixedAllocation, CreateAllocatesTheWholeFile) {
  TempDir t;
  const json facts = on_small_volume(t, 64 * kMiB, [](const std::string& vol) {
    json out;
    for (const char* name : {"f.vhdx", "f.vhd"}) {
      const std::string path = vol + "/" + name;
      const CliRun r = run_cli({"create", "--type", "fixed", "--size", "16M", path});
      out[name] = {{"exit", r.exit_code}, {"err", r.err}, {"size", fs::file_size(path)}, {"allocated", allocated(path)}};
    }
    return out;
  });
  SKIP_OR_FAIL(facts);
  // VHDX: 4 MiB of structures (Hyper-V's layout) then one whole 32 MiB block; VHD: payload and footer.
  EXPECT_EQ(facts["f.vhdx"], json({{"exit", 0}, {"err", ""}, {"size", 36 * kMiB}, {"allocated", 36 * kMiB}}));
  EXPECT_EQ(facts["f.vhd"], json({{"exit", 0}, {"err", ""}, {"size", 16 * kMiB + 512}, {"allocated", 16 * kMiB + 4096}}));
}

TEST(FixedAllocation, RefusedWithoutTheSpaceAndNothingWritten) {
  TempDir t;
  const json facts = on_small_volume(t, 8 * kMiB, [](const std::string& vol) {
    json out;
    for (const char* name : {"f.vhdx", "f.vhd"}) {
      const std::string path = vol + "/" + name;
      out[name]["dry_run"] = run_json(run_cli({"create", "--dry-run", "--type", "fixed", "--size", "16M", path}));
      out[name]["create"] = run_json(run_cli({"create", "--type", "fixed", "--size", "16M", path}));
    }
    // A dynamic disk of the same size fits: only what must be allocated now is compared.
    out["dynamic"] = run_cli({"create", "--size", "16M", vol + "/d.vhdx"}).exit_code;
    fs::remove(vol + "/d.vhdx");
    json names = json::array();
    for (const auto& e : fs::directory_iterator(vol)) names.push_back(e.path().filename().string());
    out["files"] = names;
    return out;
  });
  SKIP_OR_FAIL(facts);
  const std::string vol = (t / "vol").string();
  const auto refusal = [&](const std::string& name, uint64_t bytes) {
    return json{{"exit", 2},
                {"out", ""},
                {"err", "vhdchain: " + vol + "/" + name + ": a fixed disk needs " + std::to_string(bytes) +
                            " bytes on its volume, which has 8388608 free; nothing written\n"}};
  };
  EXPECT_EQ(facts["f.vhdx"]["dry_run"], refusal("f.vhdx", 36 * kMiB));  // 4 MiB of structures, one whole 32 MiB block
  EXPECT_EQ(facts["f.vhdx"]["create"], refusal("f.vhdx", 36 * kMiB));
  EXPECT_EQ(facts["f.vhd"]["dry_run"], refusal("f.vhd", 16 * kMiB + 512));
  EXPECT_EQ(facts["f.vhd"]["create"], refusal("f.vhd", 16 * kMiB + 512));
  EXPECT_EQ(facts["dynamic"], 0);
  EXPECT_EQ(facts["files"], json::array());  // no disk, no partial file
}

TEST(FixedAllocation, CheckCountsASparseFixedDiskAsGrowth) {
  TempDir t;
  const json facts = on_small_volume(t, 64 * kMiB, [](const std::string& vol) {
    json out;
    const std::string path = vol + "/f.vhdx";
    run_cli({"create", "--type", "fixed", "--size", "16M", path});
    out["allocated"] = run_cli({"check", "--json", vol}).json();
    // What a sparse copy (or another tool's create) leaves: the payload a hole.
    const int fd = ::open(path.c_str(), O_RDWR);
    ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(4 * kMiB), static_cast<off_t>(32 * kMiB));
    ::close(fd);
    const CliRun sparse = run_cli({"check", "--json", vol});
    out["sparse_exit"] = sparse.exit_code;
    out["sparse"] = sparse.json();
    return out;
  });
  SKIP_OR_FAIL(facts);
  const std::string path = (t / "vol" / "f.vhdx").string();
  const json& allocated_doc = facts["allocated"];
  EXPECT_EQ(finding_codes(allocated_doc), std::vector<std::string>{"disk.standalone"});
  EXPECT_EQ(allocated_doc["chains"][0]["capacity"]["growth_bytes"], 0);

  const json& doc = facts["sparse"];
  EXPECT_EQ(facts["sparse_exit"], 0);  // info: the overcommit finding is what warns
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"disk.standalone", "capacity.fixed_sparse"}));
  const json f = only_finding(doc, "capacity.fixed_sparse");
  EXPECT_EQ(f["severity"], "info");
  EXPECT_EQ(f["message"], path + ": a fixed disk, but 32.0 MiB of its 36.0 MiB file is not allocated on the volume: "
                                 "it takes that space as the guest writes, so it counts as growth (a copy without "
                                 "holes, or vhdchain convert --type fixed, allocates it)");
  EXPECT_EQ(f["paths"], json{path});
  // The payload (one 32 MiB block after 4 MiB of structures) is a hole again.
  EXPECT_EQ(doc["chains"][0]["capacity"]["growth_bytes"], 32 * kMiB);
}

}  // namespace
}  // namespace vhdchain::test
